"""A finished run: its record and its result document, kept by :mod:`agentls.runner.store`.

The result document (Markdown) says what was asked (agent, task, the user's request, the
file and lines), the answer, the proposed changes as a diff, what the runtime noted
(context budget, continuations, dropped history, the turn limit) and the cost line:
input / output / cache-read / cache-write tokens, wall time and the estimated cost.
"""

from __future__ import annotations

from pathlib import Path

from agentls.runner.pricing import usage_line
from agentls.runner.proposals import FileChange, unified_diff
from agentls.runner.redact import redact
from agentls.runner.runtime import RunRequest, RunResult
from agentls.runner.store import (
    Proposal,
    RunRecord,
    cache_dir,  # noqa: F401  (kept for callers of the old module)
    document_path,
    runs_dir,  # noqa: F401
    save,
)


def lines_label(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def record_for(req: RunRequest, res: RunResult, source: str = "cli") -> RunRecord:
    sel = req.selection
    from agentls.runner.pricing import prices_as_of

    return RunRecord(
        id=res.run_id,
        conversation=req.conversation or res.run_id,
        parent=req.parent,
        workspace=str(req.workspace),
        agent={"name": req.agent.name, "path": str(req.agent.path), "scope": req.agent.scope},
        task=req.task.id,
        prompt=req.prompt,
        file=req.rel_path,
        selection={
            "start": {"line": sel.start.line, "character": sel.start.character},
            "end": {"line": sel.end.line, "character": sel.end.character},
        },
        language=req.language,
        file_sha256=req.text_sha256,
        model=res.model,
        status=res.status,
        source=source,
        system=res.system,
        tools=res.tools,
        tool_calls=list(res.tool_calls),
        messages=res.messages,
        notes=list(res.notes),
        proposals=[Proposal(c.rel, c.original, c.new, c.runs_code) for c in res.changes],
        usage=dict(res.usage),
        requests=list(res.requests),
        cost_usd=res.cost,
        prices_as_of=prices_as_of() if res.cost is not None else None,
        wall_seconds=round(res.wall_s, 3),
        turns=res.turns,
        stop=res.stop,
        error=None if res.error is None else {"kind": res.error.kind, "message": res.error.message},
        text=res.text,
    )


def changes_of(record: RunRecord, workspace: Path) -> list[FileChange]:
    """The record's proposals as changes to files of ``workspace`` (paths as recorded;
    :func:`agentls.runner.proposals.write_changes` checks them again)."""
    from agentls.runner.runscode import runs_code

    root = Path(workspace)
    return [
        FileChange(p.path, root / p.path, p.original, p.new, p.runs_code or runs_code(p.path))
        for p in record.proposals
    ]


def render_record(record: RunRecord) -> str:
    first, last = record.lines
    title = record.agent.get("name", "agent")
    task = record.task.capitalize() if record.task != "tests" else "Write tests"
    lines = [
        f"# {title}: {task} — {record.file}",
        "",
        f"- Selection: {lines_label(first, last)}",
        f"- Run: `{record.id}`"
        + (f" (follows `{record.parent}`)" if record.parent else "")
        + f"; model: `{record.model}`; status: {record.status}",
        f"- {usage_line(record.usage, record.cost_usd, record.wall_seconds, record.turns)}",
    ]
    if record.prompt:
        lines += ["", "> " + "\n> ".join(record.prompt.strip().splitlines())]
    lines += ["", record.text.strip() or "_(no text)_", ""]
    if record.error is not None:
        what = "Stopped" if record.status == "incomplete" else "Failed"
        lines += ["", f"> **{what}:** {record.error.get('message', '')}", ""]
    if record.proposals:
        lines += ["## Proposed changes", ""]
        for p in record.proposals:
            diff = unified_diff(FileChange(p.path, Path(p.path), p.original, p.new))
            fence = "````" if "```" in diff else "```"
            lines += [f"### {p.path}", "", f"{fence}diff", diff.rstrip("\n"), fence, ""]
        if record.status != "done":
            lines += [f"Not applied. `agentls apply {record.id}` applies them as shown.", ""]
    if record.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in record.notes] + [""]
    return redact("\n".join(lines))


def render_result(req: RunRequest, res: RunResult) -> str:
    return render_record(record_for(req, res))


def write_result(req: RunRequest, res: RunResult, source: str = "lsp") -> Path:
    """Keep the run (record and result document); the result document's path."""
    record = record_for(req, res, source)
    save(record, render_record(record))
    return document_path(Path(record.workspace), record)


def keep_run(req: RunRequest, res: RunResult, source: str) -> tuple[RunRecord, Path]:
    """Keep the run; its record and its result document's path."""
    record = record_for(req, res, source)
    save(record, render_record(record))
    return record, document_path(Path(record.workspace), record)
