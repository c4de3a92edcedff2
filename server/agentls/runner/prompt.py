"""Tasks and the user turn sent to the agent (pure functions)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from agentls.lines import line_texts
from agentls.types import Range


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    edits: bool
    instruction: str


@cache
def tasks() -> dict[str, Task]:
    raw = json.loads(resources.files("agentls.runner").joinpath("tasks.json").read_text("utf-8"))
    return {
        k: Task(k, v["title"], bool(v["edits"]), v["instruction"]) for k, v in raw["tasks"].items()
    }


def get_task(name: str) -> Task:
    key = name.strip().lower()
    if key in {"test", "write-tests", "write tests"}:
        key = "tests"
    if key == "fix":
        key = "improve"
    try:
        return tasks()[key]
    except KeyError:
        raise ValueError(f"unknown task {name!r}; expected one of {', '.join(tasks())}") from None


@cache
def tool_specs() -> list[dict[str, Any]]:
    raw = json.loads(resources.files("agentls.runner").joinpath("tools.json").read_text("utf-8"))
    specs: list[dict[str, Any]] = raw["tools"]
    return specs


def offered_tools(agent_tools: list[str] | None, task: Task) -> list[dict[str, Any]]:
    """The API ``tools`` for a run: the agent's allow-list ∩ what agentls can run safely.

    Read/Grep/Glob need to be allowed by the agent (``None`` = all). The proposal tools
    (Edit/Write) are offered to tasks that answer with edits, since nothing is written
    without the user's confirmation.
    """
    allowed = None if agent_tools is None else set(agent_tools)
    out = []
    for spec in tool_specs():
        if spec["kind"] == "read":
            ok = allowed is None or "*" in allowed or spec["name"] in allowed
        else:
            ok = task.edits
        if ok:
            out.append(
                {
                    "name": spec["name"],
                    "description": spec["description"],
                    "input_schema": spec["input_schema"],
                }
            )
    return out


def _fence(text: str) -> str:
    longest = 0
    run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def selected_lines(rng: Range, line_count: int) -> tuple[int, int]:
    """0-based inclusive first/last line of a selection (a selection ending at column 0
    of a later line does not include that line)."""
    first = rng.start.line
    last = rng.end.line
    if last > first and rng.end.character == 0:
        last -= 1
    last = max(first, min(last, max(line_count - 1, 0)))
    return first, last


def _numbered(lines: list[str], start: int) -> str:
    width = len(str(start + len(lines)))
    return "\n".join(f"{n:>{width}}  {line}" for n, line in enumerate(lines, start + 1))


def build_user_prompt(
    *,
    task: Task,
    text: str,
    selection: Range,
    rel_path: str,
    language: str | None,
    workspace_name: str,
    context_lines: int = 20,
) -> str:
    """The user turn: task, where, and the selection with line numbers and context."""
    lines = line_texts(text)  # the editor's lines: a form feed or NEL ends none
    first, last = selected_lines(selection, len(lines))
    before_start = max(0, first - max(0, context_lines))
    after_end = min(len(lines), last + 1 + max(0, context_lines))
    sel = lines[first : last + 1]
    lang = language or ""
    parts = [
        f"# Task: {task.title}",
        "",
        task.instruction,
        "",
        f"Workspace: {workspace_name}",
        f"File: {rel_path}",
        f"Language: {language or 'unknown'}",
        f"Selection: lines {first + 1}-{last + 1} of {len(lines)} "
        "(line numbers are shown at the left of each line and are not part of the code)",
    ]
    if first > before_start:
        block = _numbered(lines[before_start:first], before_start)
        fence = _fence(block)
        parts += ["", "Context before the selection:", f"{fence}{lang}", block, fence]
    block = _numbered(sel, first)
    fence = _fence(block)
    parts += ["", "Selected code:", f"{fence}{lang}", block, fence]
    if after_end > last + 1:
        block = _numbered(lines[last + 1 : after_end], last + 1)
        fence = _fence(block)
        parts += ["", "Context after the selection:", f"{fence}{lang}", block, fence]
    if task.edits:
        parts += [
            "",
            f"Propose changes with the Edit or Write tool on `{rel_path}` (paths are relative "
            "to the workspace root). Copy old_string from the file exactly, without the line "
            "numbers.",
        ]
    return "\n".join(parts) + "\n"
