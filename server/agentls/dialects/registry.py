"""Path → dialect (formats.md §12). First match wins.

Dialect ids: claude-agent, claude-plugin-agent, claude-skill, agent-skill, claude-command,
claude-rule, copilot-agent, copilot-chatmode, copilot-prompt, copilot-instructions,
opencode-agent, gemini-agent, cursor-rule. Only dialects listed in ``CHECKED`` get
diagnostics today; the others are recognised so that the registry is ready for them.
"""

from __future__ import annotations

import functools
import os
import re

CLAUDE_AGENT = "claude-agent"
# agentls's own configuration (agentls.toml, .agentls.toml, [tool.agentls] in pyproject.toml)
CONFIG_DIALECT = "agentls-config"

ALL_DIALECTS = (
    "claude-agent",
    "claude-plugin-agent",
    "claude-skill",
    "agent-skill",
    "claude-command",
    "claude-rule",
    "copilot-agent",
    "copilot-chatmode",
    "copilot-prompt",
    "copilot-instructions",
    "opencode-agent",
    "gemini-agent",
    "cursor-rule",
    CONFIG_DIALECT,
)

# Dialects whose rules are implemented (cursor-rule is recognised only).
CHECKED = frozenset(d for d in ALL_DIALECTS if d != "cursor-rule")

SCHEMA_FILES = {
    "claude-agent": "claude-code-agent.schema.json",
    "claude-plugin-agent": "claude-code-plugin-agent.schema.json",
    "claude-skill": "claude-code-skill.schema.json",
    "agent-skill": "agent-skill.schema.json",
    "claude-command": "claude-code-command.schema.json",
    "claude-rule": "claude-code-rule.schema.json",
    "copilot-agent": "copilot-agent.schema.json",
    "copilot-chatmode": "copilot-chatmode.schema.json",
    "copilot-prompt": "copilot-prompt.schema.json",
    "copilot-instructions": "copilot-instructions.schema.json",
    "opencode-agent": "opencode-agent.schema.json",
    "gemini-agent": "gemini-agent.schema.json",
    CONFIG_DIALECT: "agentls-config.schema.json",
}


class _Pattern:
    """A dialect and the path pattern that selects it. (A plain class, not a dataclass:
    Claude Code's hook imports this module for every file written, and ``dataclasses``
    would double the cost of that import.)"""

    __slots__ = ("dialect", "regex")

    def __init__(self, dialect: str, regex: re.Pattern[str]) -> None:
        self.dialect = dialect
        self.regex = regex


def _p(dialect: str, regex: str) -> _Pattern:
    return _Pattern(dialect, re.compile(regex))


# Patterns match a POSIX path with a leading "/" (so "(^|/)" is simply "/").
_PATTERNS: tuple[_Pattern, ...] = (
    _p(CLAUDE_AGENT, r"/\.claude/agents/(?:.*/)?[^/]+\.md$"),
    _p("claude-skill", r"/\.claude/skills/[^/]+/SKILL\.md$"),
    _p("agent-skill", r"/(?:\.github|\.copilot)/skills/[^/]+/SKILL\.md$"),
    _p("claude-command", r"/\.claude/commands/(?:.*/)?[^/]+\.md$"),
    _p("claude-rule", r"/\.claude/rules/(?:.*/)?[^/]+\.md$"),
    _p("copilot-chatmode", r"\.chatmode\.md$"),
    _p("copilot-prompt", r"\.prompt\.md$"),
    _p("copilot-instructions", r"\.instructions\.md$"),
    _p(
        "copilot-agent",
        r"(?:\.agent\.md|/\.github/agents/(?:.*/)?[^/]+\.md|/\.copilot/agents/[^/]+\.md)$",
    ),
    _p(
        "opencode-agent",
        r"/(?:\.opencode|\.config/opencode)/(?:agent|agents|mode|modes)/(?:.*/)?[^/]+\.md$",
    ),
    _p("gemini-agent", r"/(?:\.gemini|\.config/gemini-cli)/agents/[^/]+\.md$"),
    _p("cursor-rule", r"/\.cursor/rules/(?:.*/)?[^/]+\.mdc$"),
    _p(CONFIG_DIALECT, r"/(?:\.?agentls|pyproject)\.toml$"),
)

# Inside a plugin (an ancestor holds .claude-plugin/plugin.json), checked after _PATTERNS.
_PLUGIN_PATTERNS: tuple[_Pattern, ...] = (
    _p("claude-plugin-agent", r"^/agents/(?:.*/)?[^/]+\.md$"),
    _p("claude-skill", r"^/(?:skills/[^/]+/)?SKILL\.md$"),
    _p("claude-command", r"^/commands/(?:.*/)?[^/]+\.md$"),
)
# Any other <name>/SKILL.md is an Agent Skills (open standard) skill.
_GENERIC_SKILL = re.compile(r"/[^/]+/SKILL\.md$")

_CLAUDE_AGENT_DIR = re.compile(r"/\.claude/agents/(?:.*/)?[^/]+$")


def _norm(path: str) -> str:
    p = path.replace("\\", "/")
    if not p.startswith("/"):
        p = "/" + p
    return p


@functools.lru_cache(maxsize=16_384)
def detect_dialect(path: str | None) -> str | None:
    """The dialect of the file at ``path`` by its location, or None (cached: plugin roots
    are, too, for the life of the process)."""
    if not path:
        return None
    p = _norm(path)
    for pat in _PATTERNS:
        if pat.regex.search(p):
            return pat.dialect
    root = plugin_root(path) if p.endswith(".md") else None
    if root is not None:
        sub = "/" + os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        for pat in _PLUGIN_PATTERNS:
            if pat.regex.search(sub):
                return pat.dialect
    if _GENERIC_SKILL.search(p):
        return "agent-skill"
    return None


def plugin_root(path: str | None) -> str | None:
    """The nearest ancestor folder of ``path`` that holds ``.claude-plugin/plugin.json``.

    Reads the file system (cached per folder); only paths below an ``agents``, ``skills`` or
    ``commands`` folder, or named ``SKILL.md``, are looked at.
    """
    if not path:
        return None
    p = _norm(path)
    if not (p.endswith("/SKILL.md") or "/agents/" in p or "/skills/" in p or "/commands/" in p):
        return None
    return _plugin_root_of_dir(os.path.dirname(os.path.abspath(path)))


def _plugin_root_of_dir(folder: str) -> str | None:
    """The nearest folder, ``folder`` or one of up to 11 above it, holding
    ``.claude-plugin/plugin.json``."""
    root = _nearest_manifest(folder)
    if root is None:
        return None
    levels = len(folder.rstrip(os.sep).split(os.sep)) - len(root.rstrip(os.sep).split(os.sep))
    return root if levels < 12 else None


@functools.lru_cache(maxsize=16_384)
def _nearest_manifest(folder: str) -> str | None:
    # cached per folder, so each folder of a tree is looked at once (a walk asks for
    # siblings and children that share their ancestors)
    if not folder:
        return None
    if os.path.isfile(os.path.join(folder, ".claude-plugin", "plugin.json")):
        return folder
    up = os.path.dirname(folder)
    return None if up == folder else _nearest_manifest(up)


def forget_plugin_roots() -> None:
    """Forget what is known of plugin manifests (one was created, changed or deleted)."""
    _nearest_manifest.cache_clear()
    detect_dialect.cache_clear()


def in_claude_agents_dir(path: str | None) -> bool:
    """Whether the file sits inside a ``.claude/agents`` folder (any extension)."""
    return bool(path) and bool(_CLAUDE_AGENT_DIR.search(_norm(path or "")))


def repository_path_patterns() -> tuple[tuple[str, str], ...]:
    """(dialect, regex) for every checked dialect, each regex matching a path relative to a
    repository root ("a/b.md", no leading "/") with ``re.search``: what a tool that sees only
    paths (pre-commit's ``files``) needs. The plugin patterns match in any folder, since the
    plugin manifest cannot be seen from a path: a superset of ``detect_dialect``."""

    def relative(source: str) -> str:
        # A "/" that can be the first character of a match (at the start of the pattern or of
        # an alternative, or after "^") may stand for the leading "/" the patterns above are
        # matched against: it becomes "(^|/)". Others, and those inside [...], stay.
        out: list[str] = []
        i, in_class = 0, False
        while i < len(source):
            c = source[i]
            if c == "\\":
                out.append(source[i : i + 2])
                i += 2
                continue
            if in_class:
                in_class = c != "]"
            elif c == "[":
                in_class = True
            elif c == "/" and (not out or out[-1] in ("(", "(?:", "|", "^")):
                c = "(?:^|/)"
            elif c == "(" and source.startswith("(?:", i):
                c = "(?:"
            out.append(c)
            i += len(c) if c == "(?:" else 1
        return "".join(out).removeprefix("^")

    pats = [*_PATTERNS, *_PLUGIN_PATTERNS, _Pattern("agent-skill", _GENERIC_SKILL)]
    return tuple((p.dialect, relative(p.regex.pattern)) for p in pats if p.dialect in CHECKED)
