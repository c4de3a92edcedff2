"""``agentls run AGENT --file F [--lines A-B] --task T [--apply]``: an agent from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentls.fsread import read_file
from agentls.runner.definitions import discover_agents, find_agent
from agentls.runner.prompt import get_task, tasks
from agentls.runner.proposals import unified_diff
from agentls.runner.redact import install_log_redaction, redact
from agentls.terminal import escape

if TYPE_CHECKING:  # the runtime imports the anthropic SDK: load it only to run
    from agentls.runner.proposals import FileChange
    from agentls.runner.runtime import RunEvent, RunRequest, RunResult, RunSettings
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
    """Add the ``run`` sub-command to an ``argparse`` sub-parsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run an agent on a file or a range of lines, streaming its answer",
        description="Run an agent (by name, or an agent file path) on code from a file. "
        "Needs ANTHROPIC_API_KEY; honours ANTHROPIC_BASE_URL. Edits are printed as a "
        "unified diff unless --apply.",
    )
    p.add_argument("agent", help="agent name (workspace > ~/.claude/agents > bundled) or .md path")
    p.add_argument("--file", "-f", required=True, help="the file to work on")
    p.add_argument("--lines", "-l", help="A-B, 1-based inclusive (default: the whole file)")
    p.add_argument("--task", "-t", default="review", choices=sorted(tasks()), help="what to do")
    p.add_argument("--apply", action="store_true", help="write proposed edits to disk")
    p.add_argument(
        "--allow-code-files",
        action="store_true",
        help="with --apply, also write files that run code (CI pipelines, editor tasks, "
        "agent hooks, build scripts) without asking",
    )
    p.add_argument("--workspace", "-w", help="workspace root (default: the file's project)")
    p.add_argument("--model", help="model alias or ID (overrides the agent's)")
    p.add_argument("--max-tokens", type=int, default=None)
    p.add_argument("--timeout", type=float, default=None, help="seconds without API data")
    p.add_argument("--verbose", "-v", action="store_true", help="debug logging to stderr")
    p.set_defaults(func=run_main)
    return p


MAX_FILE = 16 * 1024 * 1024  # bytes of the file an agent runs on


def _workspace(given: str | None, file: Path) -> Path | None:
    """The root the agent may read (see :func:`agentls.discovery.run_root`): ``--workspace``
    unless it is ``/``, ``$HOME`` or above it; else the file's project. What is refused, and
    a root that is only the file's folder, is said on stderr."""
    from agentls.discovery import forbidden_root, run_root

    if given:
        ws = Path(given).expanduser().resolve()
        if not ws.is_dir():
            _err(f"agentls run: --workspace {given}: not a folder")
            return None
        if forbidden_root(ws):
            _err(
                f"agentls run: --workspace {given} is refused: it is / or your home folder "
                "(or above it), and an agent may read everything below its workspace "
                "(~/.ssh, ~/.claude/.credentials.json...). Name the project's folder."
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


def parse_lines(spec: str | None, text: str) -> Range:
    from agentls.lines import line_texts

    lines = line_texts(text)  # numbered as editors number them
    n = max(len(lines), 1)
    if not spec:
        return Range(Position(0, 0), Position(n - 1, len(lines[-1]) if lines else 0))
    a, _, b = spec.partition("-")
    first = int(a)
    last = int(b) if b else first
    if first < 1 or last < first:
        raise ValueError(f"bad --lines {spec!r}: expected A-B with 1 <= A <= B")
    first, last = min(first, n), min(last, n)
    end_char = len(lines[last - 1]) if lines else 0
    return Range(Position(first - 1, 0), Position(last - 1, end_char))


def _err(msg: str) -> None:
    print(escape(redact(msg)), file=sys.stderr, flush=True)


def _out(text: str) -> None:
    """Standard output for people: redacted, control characters shown, not obeyed."""
    sys.stdout.write(escape(redact(text)))
    sys.stdout.flush()


def run_main(args: argparse.Namespace) -> int:
    """Exit status: 0 done, 1 the run failed, 2 bad arguments, 130 interrupted."""
    install_log_redaction()
    if getattr(args, "verbose", False):
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
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
        if get_task(args.task).edits:
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
    try:
        selection = parse_lines(args.lines, text)
    except ValueError as e:
        _err(f"agentls run: {e}")
        return 2
    if args.model:
        agent.model = args.model
    from agentls.runner.runtime import RunRequest, RunSettings

    settings = RunSettings()
    if args.max_tokens:
        settings.max_tokens = args.max_tokens
    if args.timeout:
        settings.timeout = args.timeout
    req = RunRequest.make(
        agent,
        args.task,
        workspace=workspace,
        file=file,
        text=text,
        selection=selection,
        language=LANGUAGES.get(file.suffix.lower()),
    )
    try:
        result = asyncio.run(_run(req, settings))
    except KeyboardInterrupt:
        _err("\nagentls run: interrupted; nothing was applied.")
        return 130
    if result.status != "done":
        return 1
    return _finish(result, args, workspace)


async def _run(req: RunRequest, settings: RunSettings) -> RunResult:
    from agentls.runner.runtime import run_agent

    def sink(ev: RunEvent) -> None:
        if ev.kind == "delta":  # redacted by the runtime, even a secret cut in two
            sys.stdout.write(escape(ev.text))
            sys.stdout.flush()
        elif ev.kind == "start":
            _err(f"agentls: {escape(ev.text, multiline=False)}")
        elif ev.kind == "tool":
            _err(f"agentls: tool {escape(ev.text, multiline=False)}")
        elif ev.kind == "error":
            _err(f"\nagentls run: {ev.text}")
        elif ev.kind == "end":
            sys.stdout.write("\n")
            sys.stdout.flush()

    return await run_agent(req, settings, sink)


def _finish(result: RunResult, args: argparse.Namespace, workspace: Path) -> int:
    if not result.changes:
        return 0
    code = [ch for ch in result.changes if ch.runs_code]
    if not args.apply:
        for ch in result.changes:
            _out(unified_diff(ch))
        _say_code(code)
        _err("agentls: proposed changes shown as a diff; run again with --apply to write them.")
        return 0
    if code:
        for ch in code:  # what the confirmation is about, in full
            _out(unified_diff(ch))
        _say_code(code)
        if not _confirm_code(len(result.changes), len(code), args.allow_code_files):
            return 1
    from agentls.fswrite import WriteRefused
    from agentls.runner.proposals import write_changes
    from agentls.runner.sandbox import Sandbox, SandboxError

    try:  # every change or none: checked again, then written
        write_changes(Sandbox(workspace), result.changes)
    except (WriteRefused, SandboxError) as e:
        _err(f"agentls: nothing was applied: {e}")
        return 1
    for ch in result.changes:
        what = "created" if ch.created else "updated"
        note = f" ({ch.runs_code})" if ch.runs_code else ""
        _err(f"agentls: {what} {escape(ch.rel, multiline=False)}{note}")
    return 0


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
