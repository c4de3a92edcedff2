"""``agentls hook claude-code``: a Claude Code ``PostToolUse`` hook that checks the agent,
skill, command or settings file Claude has just written, and hands the findings back.

Claude Code runs the hook after each ``Write`` or ``Edit`` (editors/claude-code/: the plugin)
with a JSON object on stdin (``hook_event_name``, ``tool_name``, ``tool_input.file_path``,
``tool_response.filePath``, ``cwd``...; tests/fixtures/claude-code-hook/ holds one recorded
from Claude Code 2.1.332). Claude Code's hook protocol (its own help text, 2.1.332): exit
code 0 with a JSON object on stdout whose ``decision`` is ``"block"`` feeds ``reason`` back
to Claude and the turn goes on (the tool has already run: "On PostToolUse, the reason is fed
back to Claude"); ``systemMessage`` is shown to the user. Exit code 0 and no output: nothing
happens.

So: a file agentls does not know, a file the project's configuration excludes, or one without
findings at or above ``--level`` (default: warning) gives no output at all; otherwise the
findings go back to Claude as ``reason``. The project's configuration and suppression
comments apply as in ``agentls check``. Anything unexpected (no JSON, a file that vanished)
ends the hook quietly with status 0: a checker must never stand in the way of the session.

Fast for other files: deciding costs the path look-up only (the engine is imported for
files agentls checks). Cross-file rules (duplicate names...) are not run: they need the whole
project, and the editor and ``agentls check`` report them.
"""

from __future__ import annotations

import json
import os

# Nothing else is imported at the top: Claude Code starts this after every Write and Edit,
# and for most files the answer is "not mine" (bench/bench_hook.py: the imports of
# typing, dataclasses and enum would cost more than the rest of the call).

TOOLS = frozenset({"Write", "Edit", "MultiEdit"})  # MultiEdit: older Claude Code versions
MAX_INPUT = 16 * 1024 * 1024  # bytes of stdin read (a Write's input holds the whole file)
# severities by name, numbered as agentls.types.Severity (1 error ... 4 hint)
LEVELS = {"error": 1, "warning": 2, "information": 3, "info": 3, "hint": 4}

# (exit status, what to write on stdout)
HookAnswer = tuple[int, str]
QUIET: HookAnswer = (0, "")


def run_hook(payload: str, level: int = LEVELS["warning"]) -> HookAnswer:
    try:
        event = json.loads(payload)
    except ValueError:
        return QUIET
    if not isinstance(event, dict) or event.get("hook_event_name", "PostToolUse") != (
        "PostToolUse"
    ):
        return QUIET
    if event.get("tool_name") not in TOOLS:
        return QUIET
    path = _file_path(event)
    if path is None:
        return QUIET
    given = event.get("cwd")
    cwd = given if isinstance(given, str) and given else os.getcwd()
    path = os.path.normpath(os.path.join(cwd, os.path.expanduser(path)))
    from agentls.dialects.registry import detect_dialect, in_claude_agents_dir

    dialect = None
    if _configured(path):  # its globs may exclude the file, or give it a dialect
        from agentls.config.discovery import ConfigStore

        policy = ConfigStore().policy_for(path)
        if policy.excluded is not None:
            return QUIET
        dialect = policy.dialect
    if not (dialect or detect_dialect(path) or in_claude_agents_dir(path)):
        return QUIET  # not a file agentls checks: nothing more is imported
    if not os.path.isfile(path):
        return QUIET
    from agentls.check import check_file

    result = check_file(path)
    shown = [f for f in result.analysis.findings if f.severity <= level]
    if not shown:
        return QUIET
    rel = _display(path, cwd)
    lines = [
        f"- line {f.range.start.line + 1}: {f.severity.label} {f.code}: {f.message}"
        for f in sorted(shown, key=lambda f: (f.severity, f.range.start))
    ]
    n = len(shown)
    reason = (
        f"agentls checked {rel}, which was just written, and found {n} "
        f"problem{'s' * (n != 1)}:\n" + "\n".join(lines) + "\n"
        "Correct the file. If a finding is intended, a comment "
        "`# agentls: ignore[CODE]` on the line above it in the frontmatter says so."
    )
    # ``reason`` alone: with hookSpecificOutput.additionalContext too, Claude Code 2.1.332
    # sends the model both (tests/fixtures/claude-code-hook/observed.json was recorded so)
    out = {
        "decision": "block",
        "reason": reason,
        "systemMessage": f"agentls: {n} problem{'s' * (n != 1)} in {rel}",
    }
    return 0, json.dumps(out, ensure_ascii=False) + "\n"


def _configured(path: str) -> bool:
    """Whether a folder above ``path`` (up to the project root) may hold an agentls
    configuration: the same search as agentls.config.discovery, with file names only (a
    ``pyproject.toml`` counts when it mentions agentls), so that a write outside any
    configured project imports nothing of the configuration's machinery."""
    from agentls.config import FILE_NAMES, PROJECT_MARKERS, PYPROJECT

    folder = os.path.dirname(path)
    while True:
        for name in FILE_NAMES:
            candidate = os.path.join(folder, name)
            if not os.path.isfile(candidate):
                continue
            if name != PYPROJECT or _mentions_agentls(candidate):
                return True
        if any(os.path.exists(os.path.join(folder, m)) for m in PROJECT_MARKERS):
            return False
        up = os.path.dirname(folder)
        if up == folder:
            return False
        folder = up


def _mentions_agentls(path: str) -> bool:
    """Whether the regular file ``path`` holds "agentls" in its first megabyte. A pre-filter
    only (the configuration itself is read by agentls.fsread, through ConfigStore): opened
    without blocking and checked to be a regular file, as fsread does, without importing it
    (dataclasses: the cost this path avoids)."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and b"agentls" in os.read(fd, 1_000_000)
    except OSError:
        return False
    finally:
        os.close(fd)


def _file_path(event: dict[str, object]) -> str | None:
    for holder, key in (("tool_input", "file_path"), ("tool_response", "filePath")):
        part = event.get(holder)
        if isinstance(part, dict) and isinstance(part.get(key), str) and part[key]:
            return str(part[key])
    return None


def _display(path: str, cwd: str) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def main(argv: list[str]) -> int:
    import sys

    args = list(argv)
    level = LEVELS["warning"]
    if args[:1] != ["claude-code"]:
        sys.stderr.write("usage: agentls hook claude-code [--level error|warning|information]\n")
        return 2
    if "--level" in args:
        i = args.index("--level")
        chosen = LEVELS.get(args[i + 1] if i + 1 < len(args) else "")
        if chosen is None:
            sys.stderr.write("agentls hook: --level takes error, warning, information or hint\n")
            return 2
        level = chosen
    data = sys.stdin.buffer.read(MAX_INPUT).decode("utf-8", "replace")
    code, stdout = run_hook(data, level)
    if stdout:
        sys.stdout.write(stdout)
    return code
