"""Content sniffing: the dialect of an agent file in an unusual place (formats.md §12, last row).

Conservative by design: plain Markdown (READMEs, docs, blog posts with a ``title:``/``date:``
frontmatter) must get no dialect, so a file is only claimed when its frontmatter carries
keys that only one tool uses. Reads the top-level keys of the first lines without parsing
the YAML (document.model.top_level_key); never fails.
"""

from __future__ import annotations

import re

from agentls.dialects.facts import claude_facts
from agentls.document.model import top_level_key

_MAX_LINES = 200

CLAUDE_ONLY = frozenset(
    {"permissionMode", "disallowedTools", "maxTurns", "mcpServers", "autoCompactWindow"}
)
CLAUDE_MODELS = frozenset({"sonnet", "opus", "haiku", "inherit", "fable"})
COPILOT_AGENT = frozenset({"handoffs", "target", "infer", "mcp-servers"})
GEMINI = frozenset({"kind", "max_turns", "timeout_mins"})
CURSOR = frozenset({"globs", "alwaysApply"})
OPENCODE_MODES = frozenset({"primary", "subagent", "all"})


def frontmatter_keys(text: str) -> dict[str, str] | None:
    """Top-level ``key: value`` pairs of a frontmatter that starts the file, or None."""
    lines = text.lstrip("\ufeff").split("\n", _MAX_LINES + 1)
    if not lines or lines[0].rstrip("\r") != "---":
        return None
    out: dict[str, str] = {}
    for raw in lines[1 : _MAX_LINES + 1]:
        line = raw.rstrip("\r")
        if line.rstrip() == "---":
            return out
        found = top_level_key(line)
        if found is not None:
            key, col = found
            out.setdefault(key, line[col:].strip(" \t").strip("'\""))
    return None  # unterminated: not a frontmatter we can trust


def sniff_dialect(text: str, path: str | None = None) -> str | None:
    keys = frontmatter_keys(text)
    if not keys:
        return None
    has = set(keys)
    name = (path or "").replace("\\", "/").rsplit("/", 1)[-1]
    if "applyTo" in has:
        return "copilot-instructions"
    if has & CURSOR:
        return "cursor-rule"
    if "description" not in has:
        return None
    if keys.get("mode") in OPENCODE_MODES or "permission" in has:
        return "opencode-agent"
    if has & COPILOT_AGENT or (name.endswith(".agent.md")):
        return "copilot-agent"
    if has & GEMINI and "name" in has:
        return "gemini-agent"
    if "name" in has and (
        has & CLAUDE_ONLY
        or keys.get("model", "").lower() in CLAUDE_MODELS
        or keys.get("color", "") in claude_facts().colors
        or _claude_tools(keys.get("tools", ""))
    ):
        return "claude-agent"
    return None


def _claude_tools(value: str) -> bool:
    tools = claude_facts().tools
    items = [t.strip() for t in re.split(r"[,\s]+", value.strip("[]")) if t.strip()]
    return bool(items) and all(t.split("(", 1)[0] in tools for t in items)
