"""An agent from a terminal: ``agentls run``, ``agentls apply``, ``agentls runs``.

``agentls run AGENT --file F [--lines A-B] [--task T | --prompt TEXT]`` streams the answer,
shows proposed changes as a diff and, at a terminal, asks before applying them (``--apply``
applies without asking; ``--patch FILE`` writes them as a patch). ``agentls run --continue
[RUN_ID] --prompt TEXT`` follows up on a run. Every run is kept (docs/cli.md), so that
``agentls apply [RUN_ID]`` applies its proposal later, exactly as shown, without a model
call; ``agentls runs`` lists them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentls.fsread import read_file
from agentls.runner.definitions import discover_agents, find_agent
from agentls.runner.prompt import get_task, task_names
from agentls.runner.proposals import unified_diff
from agentls.runner.redact import install_log_redaction, redact
from agentls.terminal import escape

if TYPE_CHECKING:  # the runtime imports the anthropic SDK: load it only to run
    from collections.abc import Callable

    from agentls.runner.proposals import FileChange
    from agentls.runner.runtime import RunEvent, RunRequest, RunResult, RunSettings
    from agentls.runner.store import RunRecord
from agentls.types import Position, Range

LANGUAGES = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescriptreact",
    ".jsx": "javascriptreact",
    ".php": "php",
    ".java": "java",
    ".kt": "kotlin",
    ".go": "go",
    ".rs": "rust",
    ".rb": "ruby",
    ".cs": "csharp",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".sql": "sql",
    ".sh": "shellscript",
    ".md": "markdown",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
}


def add_run_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``run``, ``apply`` and ``runs`` to an ``argparse`` sub-parsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run an agent on a file or a range of lines, streaming its answer",
        description="Run an agent (by name, or an agent file path) on code from a file, or "
        "follow up on an earlier run (--continue). Needs ANTHROPIC_API_KEY (or "
        "ANTHROPIC_AUTH_TOKEN); honours ANTHROPIC_BASE_URL. Proposed edits are shown as a "
        "diff; at a terminal you are asked before they are applied.",
    )
    p.add_argument(
        "agent", nargs="?", help="agent name (workspace > ~/.claude/agents > bundled) or .md path"
    )
    p.add_argument("--file", "-f", help="the file to work on")
    p.add_argument(
        "--lines", "-l", help="A-B, A:B or A, 1-based inclusive (default: the whole file)"
    )
    p.add_argument(
        "--task",
        "-t",
        choices=task_names(),
        help="what to do (default: review; ask with --prompt; fix = improve)",
    )
    p.add_argument("--prompt", "-p", help="your own request (the ask task, or a follow-up)")
    p.add_argument(
        "--continue",
        dest="continue_run",
        nargs="?",
        const="",
        metavar="RUN_ID",
        help="follow up on a run (default: the last run in this workspace); needs --prompt",
    )
    p.add_argument("--apply", action="store_true", help="apply the proposed changes without asking")
    _add_apply_options(p)
    p.add_argument("--workspace", "-w", help="workspace root (default: the file's project)")
    p.add_argument("--model", help="model alias or ID (overrides the agent's)")
    p.add_argument(
        "--max-tokens",
        type=int,
        default=None,
        help="output tokens of one answer (default: the task's, 8192 or 16384)",
    )
    p.add_argument(
        "--max-turns",
        type=int,
        default=None,
        help="tool turns (default: the agent's maxTurns, else 12; at most 40)",
    )
    p.add_argument("--timeout", type=float, default=None, help="seconds without API data")
    p.add_argument("--verbose", "-v", action="store_true", help="debug logging to stderr")
    p.set_defaults(func=run_main)

    ap: argparse.ArgumentParser = subparsers.add_parser(
        "apply",
        help="apply a kept run's proposed changes, as they were shown (no model call)",
        description="Apply the proposal of a run (default: the last run in this workspace "
        "that proposed changes), exactly as it was shown. Refused, with nothing written, "
        "when a file changed since the run.",
    )
    ap.add_argument("run_id", nargs="?", metavar="RUN_ID")
    ap.add_argument("--workspace", "-w", help="workspace root (default: the current folder's)")
    _add_apply_options(ap)
    ap.set_defaults(func=apply_main)

    rp: argparse.ArgumentParser = subparsers.add_parser(
        "runs", help="list the recent agent runs of this workspace"
    )
    rp.add_argument("--workspace", "-w", help="workspace root (default: the current folder's)")
    rp.add_argument("--limit", "-n", type=int, default=20)
    rp.add_argument("--format", choices=["text", "json"], default="text")
    rp.set_defaults(func=runs_main)
    return p


def _add_apply_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--patch",
        metavar="FILE",
        help="write the proposed changes to FILE as a patch (git apply FILE), apply nothing",
    )
    p.add_argument(
        "--allow-code-files",
        action="store_true",
        help="also write files that run code (CI pipelines, editor tasks, agent hooks, build "
        "scripts) without asking",
    )


MAX_FILE = 16 * 1024 * 1024  # bytes of the file an agent runs on


def _workspace(given: str | None, file: Path) -> Path | None:
    """The root the agent may read (see :func:`agentls.discovery.run_root`): ``--workspace``
    unless it is ``/``, ``$HOME`` or above it; else the file's project. What is refused, and
    a root that is only the file's folder, is said on stderr."""
    from agentls.discovery import root_refusal, run_root

    if given:
        ws = Path(given).expanduser().resolve()
        if not ws.is_dir():
            _err(f"agentls run: --workspace {given}: not a folder")
            return None
        why = root_refusal(ws)
        if why is not None:
            _err(
                f"agentls run: --workspace {given} is refused: {why}, and an agent may read "
                "everything below its workspace (~/.ssh, ~/.claude/.credentials.json...). "
                "Name the project's folder."
            )
            return None
        return ws
    choice = run_root(file)
    if choice.root is None:
        _err(f"agentls run: {choice.note} (--workspace DIR names one)")
        return None
    if choice.note:
        _err(f"agentls: {choice.note}")
    return choice.root


_LINES = re.compile(r"\s*(\d+)\s*(?:[-:]\s*(\d+)\s*)?")


def parse_lines(spec: str | None, text: str) -> Range:
    """``--lines``: ``A-B``, ``A:B`` or ``A`` (1-based, inclusive) as a range of whole lines;
    ValueError (with what is wrong) for anything else or a line the file does not have."""
    from agentls.lines import line_texts

    lines = line_texts(text)  # numbered as editors number them
    n = max(len(lines), 1)
    if not spec:
        return Range(Position(0, 0), Position(n - 1, len(lines[-1]) if lines else 0))
    m = _LINES.fullmatch(spec)
    if m is None:
        raise ValueError(f"bad --lines {spec!r}: expected A-B, A:B or A (line numbers from 1)")
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else first
    if first < 1 or last < first:
        raise ValueError(f"bad --lines {spec!r}: expected A-B with 1 <= A <= B")
    if last > n:
        raise ValueError(f"--lines {spec}: the file has {n} line{'s' if n != 1 else ''}")
    end_char = len(lines[last - 1]) if lines else 0
    return Range(Position(first - 1, 0), Position(last - 1, end_char))


def _err(msg: str) -> None:
    print(escape(redact(msg)), file=sys.stderr, flush=True)


def _out(text: str) -> None:
    """Standard output for people: redacted, control characters shown, not obeyed."""
    sys.stdout.write(escape(redact(text)))
    sys.stdout.flush()


def _settings(args: argparse.Namespace) -> RunSettings:
    from agentls.runner.runtime import RunSettings

    settings = RunSettings()
    if args.max_tokens:
        settings.max_tokens = args.max_tokens
    if args.max_turns:
        settings.turns_override = args.max_turns
    if args.timeout:
        settings.timeout = args.timeout
    return settings


def run_main(args: argparse.Namespace) -> int:
    """Exit status: 0 done, 1 the run failed or stopped at a limit (incomplete), 2 bad
    arguments, 130 interrupted."""
    install_log_redaction()
    if getattr(args, "verbose", False):
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    for flag, value in (("--max-tokens", args.max_tokens), ("--max-turns", args.max_turns)):
        if value is not None and value < 1:
            _err(f"agentls run: {flag} must be at least 1")
            return 2
    if args.prompt is not None and not args.prompt.strip():
        _err("agentls run: --prompt is empty")
        return 2
    if args.continue_run is not None:
        return _continue_main(args)
    if not args.agent or not args.file:
        _err(
            "agentls run: name an AGENT and a --file (or follow up on a run: "
            "--continue [RUN_ID] --prompt TEXT)"
        )
        return 2
    task = get_task(args.task or ("ask" if args.prompt else "review"))
    if task.needs_prompt and not args.prompt:
        _err(f"agentls run: --task {task.id} needs --prompt: what to ask the agent")
        return 2
    given = Path(args.file).expanduser()
    got = read_file(str(given), MAX_FILE)  # as given: a link to /dev/stdin resolves to junk
    file = given.resolve()
    shown = escape(args.file, multiline=False)
    data = got.data
    if data is None:
        _err(f"agentls run: cannot read {shown}: {got.problem or ''}")
        return 2
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if task.edits:
            _err(
                f"agentls run: {shown} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
                f"{e.start}); agentls changes UTF-8 files only, byte for byte. "
                "--task review or explain can read it."
            )
            return 2
        text = data.decode("utf-8", "replace")
        _err(f"agentls: {shown} is not UTF-8 text: the agent sees its other bytes as \ufffd")
    workspace = _workspace(args.workspace, file)
    if workspace is None:
        return 2
    agent = find_agent(args.agent, workspace)
    if agent is None or not agent.loads:
        names = ", ".join(sorted(discover_agents(workspace))) or "none"
        why = f" ({agent.reason})" if agent is not None and agent.reason else ""
        _err(f"agentls run: no loadable agent {args.agent!r}{why}; available: {names}")
        return 2
    from agentls.runner.prompt import cannot_do

    refused = cannot_do(agent, task)
    if refused is not None:
        _err(f"agentls run: {refused}; --task review, explain or ask can run it")
        return 2
    try:
        selection = parse_lines(args.lines, text)
    except ValueError as e:
        _err(f"agentls run: {e}")
        return 2
    if args.model:
        agent.model = args.model
    from agentls.runner.runtime import RunRequest

    req = RunRequest.make(
        agent,
        task.id,
        workspace=workspace,
        file=file,
        text=text,
        selection=selection,
        language=LANGUAGES.get(file.suffix.lower()),
        prompt=args.prompt,
    )
    code, record = _execute(req, _settings(args), args, workspace)
    if record is not None and args.prompt is None and code == 0:
        code = _follow_ups_at_a_terminal(record, args, workspace)
    return code


def _here(given: str | None) -> Path | None:
    """The workspace of ``agentls apply``, ``runs`` and ``run --continue``: ``--workspace``,
    else the current folder's project."""
    return _workspace(given, Path.cwd() / ".agentls-run")


def _continue_main(args: argparse.Namespace) -> int:
    from agentls.runner import store

    if not args.prompt:
        _err("agentls run: --continue needs --prompt: what to ask next")
        return 2
    if args.agent or args.file or args.lines or args.task:
        _err(
            "agentls run: a follow-up runs with the agent, file and lines of the run it "
            "continues: give --continue [RUN_ID] and --prompt only"
        )
        return 2
    workspace = _here(args.workspace)
    if workspace is None:
        return 2
    try:
        named = store.named_or_latest(
            workspace, args.continue_run, f"no run to continue in this workspace ({workspace})"
        )
    except store.RunNotFound as e:
        _err(f"agentls run: {e}")
        return 2
    parent = store.newest_of_conversation(named)
    return _follow_up(parent, args.prompt, args, Path(parent.workspace))[0]


def _follow_up(
    parent: RunRecord, prompt: str, args: argparse.Namespace, workspace: Path
) -> tuple[int, RunRecord | None]:
    from agentls.runner.conversation import follow_up

    name = str(parent.agent.get("name", ""))
    agent = find_agent(str(parent.agent.get("path") or name), workspace) or find_agent(
        name, workspace
    )
    if agent is None or not agent.loads:
        _err(f"agentls run: the agent {name!r} of run {parent.id} does not load any more")
        return 2, None
    file = workspace / parent.file
    got = read_file(str(file), MAX_FILE)
    if got.data is None:
        _err(f"agentls run: cannot read {escape(parent.file, multiline=False)}: {got.problem}")
        return 2, None
    text = got.data.decode("utf-8", "replace")
    req = follow_up(parent, agent, prompt=prompt, file=file, text=text)
    return _execute(req, _settings(args), args, workspace)


def _follow_ups_at_a_terminal(record: RunRecord, args: argparse.Namespace, workspace: Path) -> int:
    """At a terminal, after the answer: ``> `` asks for a follow-up; an empty line ends."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return 0
    code = 0
    while True:
        sys.stderr.write("> ")
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line.strip():
            return code
        code, nxt = _follow_up(record, line.strip(), args, workspace)
        if nxt is None:
            return code
        record = nxt


def _execute(
    req: RunRequest, settings: RunSettings, args: argparse.Namespace, workspace: Path
) -> tuple[int, RunRecord | None]:
    """Run, keep the run, say what it cost, offer its proposals."""
    from agentls.runner.pricing import usage_line
    from agentls.runner.results import keep_run

    stopped: list[RunResult] = []
    try:
        result = asyncio.run(_run(req, settings, stopped.append))
    except KeyboardInterrupt:
        _out_break()
        if stopped:  # kept (agentls runs lists it): what the API streamed is billed
            stopped[0].text = _Out.shown or stopped[0].text  # the turn cut short too
            with contextlib.suppress(OSError):
                keep_run(req, stopped[0], "cli")
        _err("agentls run: interrupted; nothing was applied.")
        return 130, None
    record, _ = keep_run(req, result, "cli")
    _out_break()
    _err(
        f"agentls: run {record.id} · "
        + usage_line(result.usage, result.cost, result.wall_s, result.turns)
    )
    if result.status == "failed":
        return 1, record
    code = _offer(result, record, args, workspace)
    if result.status == "incomplete":
        return 1, record
    return code, record


class _Out:
    """Whether standard output is in the middle of a line: a line on standard error (a
    tool call) starts on its own line, not after the streamed text. A note that comes in
    the middle of a line (a continuation after max_tokens) waits for the line's end, so
    that the answer's text stays whole."""

    mid_line = False
    notes: list[str] = []  # noqa: RUF012  (one process, one answer at a time)
    shown = ""  # the answer streamed so far (a run interrupted is kept with it)


def _out_break() -> None:
    if _Out.mid_line:
        sys.stdout.write("\n")
        sys.stdout.flush()
        _Out.mid_line = False
    for note in _Out.notes:
        _err(f"agentls: {escape(note, multiline=False)}")
    _Out.notes.clear()


async def _run(
    req: RunRequest, settings: RunSettings, on_cancel: Callable[[RunResult], None]
) -> RunResult:
    from agentls.runner.runtime import run_agent

    _Out.shown = ""

    def sink(ev: RunEvent) -> None:
        if ev.kind == "delta":  # redacted by the runtime, even a secret cut in two
            _Out.shown += ev.text
            if ev.text:
                sys.stdout.write(escape(ev.text))
                sys.stdout.flush()
                _Out.mid_line = not ev.text.endswith("\n")
            return
        if ev.kind == "turn":
            return
        if ev.kind == "note" and _Out.mid_line:
            _Out.notes.append(ev.text)
            return
        _out_break()
        if ev.kind == "start":
            _err(f"agentls: {escape(ev.text, multiline=False)}")
        elif ev.kind == "tool":
            _err(f"agentls: tool {escape(ev.text, multiline=False)}")
        elif ev.kind == "note":
            _err(f"agentls: {escape(ev.text, multiline=False)}")
        elif ev.kind == "error":
            _err(f"agentls run: {ev.text}")

    return await run_agent(req, settings, sink, on_cancel=on_cancel)


def _offer(result: RunResult, record: RunRecord, args: argparse.Namespace, workspace: Path) -> int:
    """Show the proposed changes, then apply them (``--apply``, or yes at a terminal),
    write them as a patch (``--patch``), or say how to apply them later."""
    changes = result.changes
    if not changes:
        return 0
    for ch in changes:
        _out(unified_diff(ch))
    _say_code([ch for ch in changes if ch.runs_code])
    later = f"`agentls apply {record.id}` applies them as shown"
    if args.patch:
        return _write_patch(args.patch, changes)
    if result.status != "done":
        _err(f"agentls: the run did not finish: nothing was applied. {later}.")
        return 1
    if not args.apply:
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            _err(f"agentls: proposed changes shown as a diff; nothing was applied. {later}.")
            return 0
        sys.stderr.write("Apply these changes? [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            _err(f"agentls: nothing was applied. {later}.")
            return 0
    return _apply(changes, record, args.allow_code_files, workspace)


def _apply(changes: list[FileChange], record: RunRecord, allow_code: bool, workspace: Path) -> int:
    from agentls.fswrite import WriteRefused
    from agentls.runner.proposals import write_changes
    from agentls.runner.sandbox import Sandbox, SandboxError
    from agentls.runner.store import mark_applied

    code = [ch for ch in changes if ch.runs_code]
    if code and not _confirm_code(len(changes), len(code), allow_code):
        return 1
    try:  # every change or none: checked again, then written
        write_changes(Sandbox(workspace), changes)
    except (WriteRefused, SandboxError) as e:
        _err(f"agentls: nothing was applied: {e}")
        return 1
    mark_applied(Path(record.workspace), record, True)
    for ch in changes:
        what = "created" if ch.created else "updated"
        note = f" ({ch.runs_code})" if ch.runs_code else ""
        _err(f"agentls: {what} {escape(ch.rel, multiline=False)}{note}")
    return 0


def _write_patch(target: str, changes: list[FileChange]) -> int:
    """The changes as a patch ``git apply`` takes, at ``target`` (a path you named)."""
    from agentls.runner.patch import git_patch

    try:
        Path(target).expanduser().write_text(git_patch(changes), "utf-8", newline="")
    except OSError as e:
        _err(f"agentls: cannot write the patch {escape(target, multiline=False)}: {e}")
        return 1
    _err(f"agentls: wrote {escape(target, multiline=False)} (git apply it); nothing else written")
    return 0


def apply_main(args: argparse.Namespace) -> int:
    """``agentls apply [RUN_ID]``: a kept proposal, as shown, without a model call. Exit
    status: 0 applied (or the patch written), 1 refused or nothing to apply, 2 no such run."""
    from agentls.runner import store
    from agentls.runner.results import changes_of

    install_log_redaction()
    workspace = _here(args.workspace)
    if workspace is None:
        return 2
    try:
        record = store.named_or_latest(
            workspace,
            args.run_id,
            f"no run with proposed changes in {workspace}",
            with_proposals=True,
        )
    except store.RunNotFound as e:
        _err(f"agentls apply: {e}")
        return 2
    if not record.proposals:
        _err(f"agentls apply: run {record.id} proposed no change")
        return 1
    root = Path(record.workspace)
    changes = changes_of(record, root)
    for ch in changes:
        _out(unified_diff(ch))
    _say_code([ch for ch in changes if ch.runs_code])
    if args.patch:
        return _write_patch(args.patch, changes)
    for ch in changes:
        now = read_file(str(ch.path), MAX_FILE).data
        if now != (None if ch.original is None else ch.original.encode("utf-8")):
            what = "exists now" if ch.original is None else "changed since the run"
            _err(
                f"agentls apply: {escape(ch.rel, multiline=False)} {what}; nothing was "
                f"written. Ask again (agentls run --continue {record.id} --prompt ...) or "
                "apply the diff by hand."
            )
            return 1
    if record.applied:
        _err(f"agentls: run {record.id}'s changes were applied before; applying them again")
    return _apply(changes, record, args.allow_code_files, root)


def runs_main(args: argparse.Namespace) -> int:
    """``agentls runs``: the recent runs of this workspace, newest first."""
    import json

    from agentls.runner import store
    from agentls.runner.pricing import format_cost

    workspace = _here(args.workspace)
    if workspace is None:
        return 2
    records = store.recent(workspace, max(1, args.limit))
    if args.format == "json":
        rows = [
            {
                "id": r.id,
                "created": r.created,
                "conversation": r.conversation,
                "agent": r.agent.get("name"),
                "task": r.task,
                "file": r.file,
                "lines": list(r.lines),
                "usage": r.usage,
                "costUsd": r.cost_usd,
                "cost": None if r.cost_usd is None else format_cost(r.cost_usd),
                "status": r.status,
                "proposals": len(r.proposals),
                "applied": r.applied,
            }
            for r in records
        ]
        print(json.dumps(redact_rows(rows), indent=1))
        return 0
    if not records:
        _err(f"agentls: no runs kept for {workspace}")
        return 0
    for r in records:
        first, last = r.lines
        when = f"{r.created[0:4]}-{r.created[4:6]}-{r.created[6:8]} {r.created[9:11]}:" + (
            f"{r.created[11:13]}"
        )
        tokens = sum(r.usage.get(k, 0) for k in ("input_tokens", "cache_read_input_tokens"))
        tokens += r.usage.get("cache_creation_input_tokens", 0)
        status = r.status
        if r.proposals:
            status += f", {len(r.proposals)} change(s)" + (" applied" if r.applied else "")
        lines = f"{first}" if first == last else f"{first}-{last}"
        follow = " ↳" if r.parent else ""
        cost = "" if r.cost_usd is None else f"  ~{format_cost(r.cost_usd)}"
        _out(
            f"{r.id}{follow}  {when}  {r.agent.get('name', '?')}  {r.task}  {r.file}:{lines}  "
            f"{tokens:,} in / {r.usage.get('output_tokens', 0):,} out{cost}  {status}\n"
        )
    return 0


def redact_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from agentls.runner.redact import redact_obj

    out: list[dict[str, Any]] = redact_obj(rows)
    return out


def _say_code(code: list[FileChange]) -> None:
    for ch in code:
        _err(
            f"agentls: CODE {escape(ch.rel, multiline=False)} is {ch.runs_code}: "
            "what this change writes will be run; read it before applying."
        )


def _confirm_code(total: int, code: int, allowed: bool) -> bool:
    """The distinct confirmation for files that run code: ``--allow-code-files``, or a
    yes typed at a terminal; never implied by ``--apply`` alone."""
    if allowed:
        return True
    if sys.stdin.isatty() and sys.stderr.isatty():
        sys.stderr.write(
            f"agentls: write the {total} change(s), {code} of them to files that run code? [y/N] "
        )
        sys.stderr.flush()
        return sys.stdin.readline().strip().lower() in ("y", "yes")
    _err(
        "agentls: nothing was applied: changes to files that run code need a confirmation "
        "(answer at a terminal, or pass --allow-code-files)."
    )
    return False


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m agentls.runner.cli``), for tests and benchmarks."""
    parser = argparse.ArgumentParser(prog="agentls")
    sub = parser.add_subparsers(dest="command", required=True)
    add_run_parser(sub)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
