"""Agent definitions for the runtime: load one file, discover them all with precedence.

Everything comes from the engine (``agentls.engine.analyze``), so the runtime agrees with
the diagnostics: whether a file loads, its effective name, tools and model, its body (the
system prompt, split as Claude Code splits the file) and ``maxTurns`` (as Claude Code's
reader reads the frontmatter), and what a run honours besides: ``disallowedTools``,
``permissionMode``, ``effort`` and ``omitClaudeMd``. Files are found by
:mod:`agentls.discovery` and read by :mod:`agentls.fsread` (a FIFO or a link to a device is
passed over, never waited on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentls.discovery import definition_folders
from agentls.fsread import read_file

SCOPES = ("project", "user", "bundled")
MAX_AGENT_FILE = 1024 * 1024  # Claude Code skips agent files over 1 MiB


@dataclass
class AgentDef:
    name: str
    path: Path
    scope: str  # "project" | "user" | "bundled"
    body: str
    loads: bool = True
    reason: str | None = None
    description: str | None = None
    tools: list[str] | None = None  # None = every tool
    model: str | None = None
    max_turns: int | None = None
    disallowed_tools: list[str] = field(default_factory=list)  # taken away, even from "every"
    permission_mode: str | None = None  # "plan": read-only, no edit tools
    effort: str | int | None = None  # low | medium | high | xhigh | max, or a number
    omit_claude_md: bool = False  # no project memory (CLAUDE.md / AGENTS.md) in the prompt

    def grants(self, tool: str) -> bool:
        """Whether the agent, as Claude Code loads it, may use ``tool``."""
        if tool in self.disallowed_tools:
            return False
        return self.tools is None or "*" in self.tools or tool in self.tools

    @property
    def may_edit(self) -> bool:
        return self.permission_mode != "plan" and (self.grants("Edit") or self.grants("Write"))


def _max_turns(meta: dict[str, Any]) -> int | None:
    value = meta.get("maxTurns")
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    return None


def _permission_mode(meta: dict[str, Any]) -> str | None:
    from agentls.dialects.facts import claude_facts

    value = meta.get("permissionMode")
    if not isinstance(value, str):
        return None
    raw = claude_facts().raw
    mode = raw.get("permissionModeAliases", {}).get(value, value)
    return mode if mode in raw.get("permissionModes", {}) else None


def _effort(meta: dict[str, Any]) -> str | int | None:
    """``effort`` as Claude Code reads it: a level (case-insensitive, ``med`` = medium) or
    an integer; anything else is dropped."""
    from agentls.dialects.facts import claude_facts

    value = meta.get("effort")
    raw = claude_facts().raw
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if raw.get("effortAcceptsInteger") else None
    if not isinstance(value, str):
        return None
    level = value.strip().lower()
    level = raw.get("effortAliases", {}).get(level, level)
    if level in raw.get("effort", {}):
        return str(level)
    if level.isdigit() and raw.get("effortAcceptsInteger"):
        return int(level)
    return None


def _flag(meta: dict[str, Any], key: str) -> bool:
    value = meta.get(key)
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def load_agent(path: Path, scope: str, text: str | None = None) -> AgentDef | None:
    """Read one agent file; ``None`` when it cannot be read at all."""
    from agentls.engine import analyze

    if text is None:
        got = read_file(str(path), MAX_AGENT_FILE)
        if got.data is None:
            return None
        try:
            text = got.data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    size = len(text.encode("utf-8", "surrogatepass"))
    analysis = analyze(text, str(path), "claude-agent", size=size)
    eff, doc = analysis.effective, analysis.doc
    if eff is None or doc is None:
        return None
    meta = doc.claude.data or {}
    if not isinstance(meta, dict):
        meta = {}
    return AgentDef(
        name=eff.name or path.stem,
        path=path,
        scope=scope,
        body=doc.claude_body,
        loads=bool(eff.loads),
        reason=eff.reason,
        description=eff.description,
        tools=None if eff.tools is None else list(eff.tools),
        model=eff.model,
        max_turns=_max_turns(meta),
        disallowed_tools=list(eff.disallowed_tools),
        permission_mode=_permission_mode(meta),
        effort=_effort(meta),
        omit_claude_md=_flag(meta, "omitClaudeMd"),
    )


def discover_agents(workspace: Path | None, *, include_broken: bool = False) -> dict[str, AgentDef]:
    """Every agent by name; the first scope that defines a name wins.

    Agents that do not load are left out unless ``include_broken``; a broken file does not
    shadow a lower-precedence agent of the same name.
    """
    found: dict[str, AgentDef] = {}
    for d in definition_folders(workspace, dialects=("claude-agent",)):
        for path in d.files():
            agent = load_agent(path, d.scope)
            if agent is None or (not agent.loads and not include_broken):
                continue
            if agent.name not in found:
                found[agent.name] = agent
    return found


def find_agent(name: str, workspace: Path | None) -> AgentDef | None:
    """The agent called ``name``, or one whose file is ``name`` (a path)."""
    as_path = Path(name).expanduser()
    if name.endswith(".md") and as_path.is_file():
        return load_agent(as_path.resolve(), "project")
    return discover_agents(workspace).get(name)
