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
    "claude-settings",
    "claude-mcp",
    "claude-plugin",
    "claude-marketplace",
    "claude-plugin-hooks",
    "claude-memory",
    "windsurf-rule",
    "kiro-steering",
)

# Claude Code's JSON files (read with document/jsontree.py and rules/claude_json.py).
JSON_DIALECTS = frozenset(
    {"claude-settings", "claude-mcp", "claude-plugin", "claude-marketplace", "claude-plugin-hooks"}
)
# Implemented among them.
JSON_CHECKED = JSON_DIALECTS

# Dialects whose rules are implemented.
CHECKED = frozenset(d for d in ALL_DIALECTS if d not in JSON_DIALECTS or d in JSON_CHECKED)

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
    "claude-settings": "claude-code-settings.schema.json",
    "claude-mcp": "claude-code-mcp.schema.json",
    "claude-plugin": "claude-code-plugin.schema.json",
    "claude-marketplace": "claude-code-marketplace.schema.json",
    "claude-plugin-hooks": "claude-code-hooks.schema.json",
    "cursor-rule": "cursor-rule.schema.json",
    "windsurf-rule": "windsurf-rule.schema.json",
    "kiro-steering": "kiro-steering.schema.json",
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
    # a misnamed manifest (skill.md, SKILLS.MD...): never loaded, and said so (AL506)
    _p("claude-skill", r"/\.claude/skills/[^/]+/(?i:skills?\.md)$"),
    _p("agent-skill", r"/(?:\.github|\.copilot)/skills/[^/]+/(?i:skills?\.md)$"),
    # a loose .md directly in skills/: no skill either, and said so (AL507; not of a README)
    _p("claude-skill", r"/\.claude/skills/[^/]+(?i:\.md)$"),
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
    _p("windsurf-rule", r"/\.windsurf/rules/(?:.*/)?[^/]+\.md$"),
    _p("kiro-steering", r"/\.kiro/steering/(?:.*/)?[^/]+\.md$"),
    _p("claude-settings", r"/\.claude/settings(?:\.local)?\.json$"),
    _p("claude-settings", r"/managed-settings\.json$"),
    _p("claude-mcp", r"/\.mcp\.json$"),
    _p("claude-plugin", r"/\.claude-plugin/plugin\.json$"),
    _p("claude-marketplace", r"/\.claude-plugin/marketplace\.json$"),
    _p("claude-plugin-hooks", r"/hooks/hooks\.json$"),
    _p("claude-memory", r"/(?:\.claude/)?(?:CLAUDE|AGENTS)\.md$"),
    _p("claude-memory", r"/CLAUDE\.local\.md$"),
)

# Inside a plugin (an ancestor holds .claude-plugin/plugin.json), checked after _PATTERNS.
_PLUGIN_PATTERNS: tuple[_Pattern, ...] = (
    _p("claude-plugin-agent", r"^/agents/(?:.*/)?[^/]+\.md$"),
    _p("claude-skill", r"^/(?:skills/[^/]+/)?SKILL\.md$"),
    _p("claude-skill", r"^/skills/[^/]+/(?i:skills?\.md)$"),
    _p("claude-skill", r"^/skills/[^/]+(?i:\.md)$"),
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
    root = plugin_root(path) if p[-3:].lower() == ".md" else None
    if root is not None:
        sub = "/" + os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        for pat in _PLUGIN_PATTERNS:
            if pat.regex.search(sub):
                return pat.dialect
    if _GENERIC_SKILL.search(p):
        return "agent-skill"
    return None


_LOOSE_SKILL = re.compile(r"/\.claude/skills/[^/]+$")


def loose_in_skills(path: str | None) -> bool:
    """Whether ``path`` sits directly in a ``skills`` folder of Claude Code (the project's,
    the user's, a plugin's) instead of in a skill's own folder: Claude Code reads none such."""
    if not path:
        return False
    if _LOOSE_SKILL.search(_norm(path)):
        return True
    root = plugin_root(path)
    if root is None:
        return False
    sub = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    return sub.count("/") == 1 and sub.startswith("skills/")


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


# Dialects whose findings read other files, and which (file names; empty: any file): a memory
# file's imports, the paths a plugin manifest or a marketplace names, a skill manifest's
# neighbours, an agent's .mcp.json (AL123). The server analyses an open one again when such a
# watched file changes. An agent's other neighbours (skills, agents, settings) are findings
# across files, which the index publishes again itself: re-publishing the agent before the
# index has read the change would show its old findings once more.
READS_OTHER_FILES: dict[str, tuple[str, ...]] = {
    "claude-memory": (),
    "claude-plugin": (),
    "claude-marketplace": (),
    "claude-mcp": (),
    "claude-skill": (),
    "agent-skill": (),
    CLAUDE_AGENT: (".mcp.json",),
}


def reads_changed(dialect: str | None, changed: list[str]) -> bool:
    """Whether the analysis of a ``dialect`` file read one of the ``changed`` paths."""
    names = READS_OTHER_FILES.get(dialect or "")
    if names is None:
        return False
    return not names or any(_norm(p).rsplit("/", 1)[-1] in names for p in changed)


def suffix_of(dialect: str) -> str:
    """How the files of ``dialect`` end: ``.json``, ``.mdc`` (Cursor) or ``.md``."""
    if dialect in JSON_DIALECTS:
        return ".json"
    return ".mdc" if dialect == "cursor-rule" else ".md"


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
