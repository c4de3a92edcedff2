"""What every Claude Code agent check shares: the context (facts, effective configuration, MCP
servers, plugin), limits and small helpers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agentls.dialects.facts import ClaudeFacts, claude_facts
from agentls.document.model import Document, Entry
from agentls.document.yamltree import YNode
from agentls.effective import nearest
from agentls.rules import codes
from agentls.rules.common import Ctx, replace_with_fix, short
from agentls.rules.registry import rules
from agentls.types import Effective, Finding, Fix, Range, TextEdit, base_name

DATED_MODEL = re.compile(r"-\d{8}$")
PLAUSIBLE_MODEL = re.compile(
    r"^(?:(?:[a-z]+\.)?anthropic\.)?claude-[a-z0-9]+(?:-[a-z0-9]+)*(?:-v\d+(?::\d+)?)?(?:@\d{8})?(?:\[1m\])?$"
)
ALLOWED_TOOLS_KEYS = ("allowed-tools", "allowedTools", "allowed_tools", "allowedtools")
LARGE_FILE = 1_048_576
MAX_UNKNOWN_KEY_FINDINGS = 100


@dataclass(slots=True)
class ClaudeCtx(Ctx):
    """A Claude Code agent being checked: the facts, what Claude Code loads from it, and the
    project's MCP servers (None when unknown)."""

    facts: ClaudeFacts = field(default_factory=claude_facts)
    effective: Effective = field(default_factory=lambda: Effective(False))
    mcp_servers: frozenset[str] | None = None
    # a plugin agent (formats.md §2.6): the plugin's name; its `name` falls back to the file
    # name, its description to `when_to_use`, then to "Agent from <plugin> plugin"
    plugin: str | None = None

    def add(self, f: Finding) -> None:
        if self.plugin is not None and f.code == codes.MISSING_NAME:
            return  # the name falls back to the file name
        self.out.append(f)

    @property
    def known_keys(self) -> frozenset[str]:
        if self.plugin is None:
            return self.facts.agent_keys
        return self.facts.agent_keys | frozenset(self.facts.raw.get("pluginAgentExtraKeys", ()))

    @property
    def stem(self) -> str:
        return file_stem(self.path) or "agent"


def last_line(doc: Document, e: Entry) -> int:
    end = e.range.end.line
    while end > e.line and not doc.lines[end].strip():
        end -= 1
    return end


def file_stem(path: str | None) -> str | None:
    if not path:
        return None
    name = base_name(path)
    return name[:-3] if name.endswith(".md") else name.rsplit(".", 1)[0]


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "my-agent"


def insert_after_fence(doc: Document, text: str) -> tuple[TextEdit, ...]:
    line = (doc.env.open_line or 0) + 1
    return (TextEdit(Range.of(line, 0), text + "\n"),)


def scalar(e: Entry) -> Any:
    return e.node.value if e.node.kind == "scalar" else e.node


def enum_fix(e: Entry, options: list[str], value: str) -> list[Fix]:
    near = nearest(value, options, max_distance=max(2, len(value) // 2))
    if near is None:
        return []
    return replace_with_fix(e.node.range, near, near.lower() == value.lower())


def show(v: Any) -> str:
    if isinstance(v, YNode):
        return v.type_name
    if v is None:
        return "(empty)"
    if isinstance(v, bool):
        return "true" if v else "false"
    return short(str(v), 40)


def invalid_value_code(key: str) -> str:
    """AL030 for the fields its registry entry names (Claude Code drops the field), AL107
    for the other keys (a value of the wrong type)."""
    return (
        codes.INVALID_FIELD_VALUE
        if key in rules()[codes.INVALID_FIELD_VALUE].keys
        else codes.INVALID_TYPE
    )
