"""The rules across files (AL301-AL308): duplicate names, shadowing, references that resolve
to nothing, and agents against their project's settings and .mcp.json. They read the
workspace index (:mod:`agentls.index`): in the server, the index of the workspace folders;
in ``agentls check``, one index per project.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from agentls.dialects.facts import claude_facts
from agentls.effective import MAX_SUGGESTIONS, Vocabulary
from agentls.index import (
    AGENT,
    COMMAND,
    COPILOT,
    COPILOT_BUILTINS,
    MCP_CONFIG,
    MCP_SERVER,
    SETTINGS,
    SKILL,
    IndexEntry,
    Ref,
    config_project,
)
from agentls.rules import codes
from agentls.rules.claude_plugin import not_listed_findings
from agentls.rules.registry import finding
from agentls.types import Finding, Range, Related, Severity

if TYPE_CHECKING:
    from agentls.index import WorkspaceIndex


def cross_file_findings(index: WorkspaceIndex, path: str) -> list[Finding]:
    """The findings of the file ``path`` that depend on other files of ``index``."""
    e = index.entries.get(path)
    if e is None:
        return []
    out: list[Finding] = []
    here = e.name_range or Range.of(0, 0, 0, 3)
    if e.kind in (AGENT, SKILL, COMMAND, COPILOT, "opencode-agent", "gemini-agent"):
        for other in index.with_name(e.name):
            if other.path == path or other.kind != e.kind or other.scope != e.scope:
                continue
            if other.name != e.name:
                continue
            if e.scope == "plugin" and _plugin_dir(other.path) != _plugin_dir(e.path):
                continue
            if e.kind == SKILL and os.path.dirname(os.path.dirname(other.path)) != os.path.dirname(
                os.path.dirname(e.path)
            ):
                continue
            out.append(
                finding(
                    codes.DUPLICATE_NAME,
                    here,
                    f"Another {_what(e)} of this {e.scope} scope is also named `{e.name}` "
                    f"({_short_path(other.path)}): only one of them is used.",
                    related=[
                        Related(
                            other.path,
                            other.name_range or Range.of(0, 0),
                            f"the other `{e.name}`",
                        )
                    ],
                )
            )
    if e.kind == AGENT and e.scope in ("user", "plugin"):
        out += _replaced_by(index, e, here)
    if e.kind in (SKILL, COMMAND) and e.disable_model_invocation:
        out += _not_preloadable(index, e)
    if e.kind == AGENT and e.scope == "project":
        for other in index.with_name(e.name):
            if other.kind == AGENT and other.scope in ("user", "plugin") and other.name == e.name:
                out.append(
                    finding(
                        codes.SHADOWS_AGENT,
                        here,
                        f"This project agent replaces the {other.scope} agent `{e.name}` "
                        f"({_short_path(other.path)}) in this project.",
                        related=[
                            Related(other.path, other.name_range or Range.of(0, 0), "replaced")
                        ],
                    )
                )
        if e.name in claude_facts().builtin_agents:
            out.append(
                finding(
                    codes.SHADOWS_AGENT,
                    here,
                    f"This project agent replaces Claude Code's built-in `{e.name}` agent.",
                )
            )
    # "did you mean" for the first MAX_SUGGESTIONS unresolved references of the file only
    # (a generated file of 100,000 references would search the names for each)
    left = [MAX_SUGGESTIONS]
    for r in e.refs:
        if not r.check:
            continue
        targets = index.named(r.kind, r.name)
        if r.kind == AGENT:
            if targets or r.name in claude_facts().builtin_agents or r.name in _internal():
                continue
            where = {"tools": "in `tools`", "permissions": "in a permission rule"}.get(
                r.via, "as `agent`"
            )
            out.append(
                finding(
                    codes.UNKNOWN_AGENT,
                    r.range,
                    f"No agent named `{r.name}` ({where}): not in `.claude/agents`, "
                    f"`~/.claude/agents`, a plugin, nor built in.{_did_you_mean(index, r, left)}",
                )
            )
        elif r.kind == SKILL:
            if not targets:
                out.append(
                    finding(
                        codes.UNKNOWN_SKILL,
                        r.range,
                        f"No skill named `{r.name}`: Claude Code cannot preload it. "
                        "Skills live in `.claude/skills/<name>/SKILL.md`."
                        + _did_you_mean(index, r, left),
                    )
                )
            elif all(t.disable_model_invocation for t in targets):
                out.append(
                    finding(
                        codes.UNKNOWN_SKILL,
                        r.range,
                        f"Skill `{r.name}` has `disable-model-invocation: true`: it cannot be "
                        "preloaded into an agent.",
                        related=[
                            Related(
                                targets[0].path,
                                targets[0].dmi_range or Range.of(0, 0),
                                "`disable-model-invocation: true` here",
                            )
                        ],
                    )
                )
        elif r.kind == COPILOT:
            if targets or r.name in COPILOT_BUILTINS:
                continue
            out.append(
                finding(
                    codes.UNKNOWN_COPILOT_AGENT,
                    r.range,
                    f"No custom agent named `{r.name}` (`{r.via}`): expected "
                    f"`.github/agents/{r.name}.agent.md` or an agent with `name: {r.name}`."
                    f"{_did_you_mean(index, r, left)}",
                )
            )
    if e.kind == AGENT and e.dialect == "claude-agent" and e.scope == "project":
        out += _agent_against_config(index, e)
    elif e.kind == SETTINGS:
        out += _settings_against_project(index, e)
    out += not_listed_findings(index, e)  # a plugin manifest and the files it leaves out
    return out


# --------------------------------------------------------------------------- the other ends
# AL302 and AL303 are on both ends: the file that loses (the user or plugin agent replaced,
# the skill an agent lists but cannot preload) says so too, pointing at the cause.


def _replaced_by(index: WorkspaceIndex, e: IndexEntry, here: Range) -> list[Finding]:
    """The project agents that replace the user or plugin agent ``e`` (the other end of
    AL302 on a project agent)."""
    return [
        finding(
            codes.SHADOWS_AGENT,
            here,
            f"The project agent `{e.name}` ({_short_path(other.path)}) replaces this "
            f"{e.scope} agent in its project: there, this one is not used.",
            related=[Related(other.path, other.name_range or Range.of(0, 0), "replaces it")],
        )
        for other in index.with_name(e.name)
        if other.kind == AGENT and other.scope == "project" and other.name == e.name
    ]


def _not_preloadable(index: WorkspaceIndex, e: IndexEntry) -> list[Finding]:
    """The agents whose ``skills:`` list ``e``, a skill with `disable-model-invocation:
    true` (the other end of AL303: only where every skill of that name is so)."""
    users: list[tuple[str, Range]] = []
    for name in dict.fromkeys((e.name, *e.aliases)):
        if not all(t.disable_model_invocation for t in index.named(SKILL, name)):
            continue
        for p, rng, r in index.references(SKILL, name):
            if r.check and r.via == "skills" and p != e.path:
                users.append((p, rng))
    if not users:
        return []
    names = list(dict.fromkeys(_entry_name(index, p) for p, _ in users))
    shown = ", ".join(f"`{n}`" for n in names[:3]) + (" …" if len(names) > 3 else "")
    which = f"The agent {shown} lists" if len(names) == 1 else f"The agents {shown} list"
    return [
        finding(
            codes.UNKNOWN_SKILL,
            e.dmi_range or e.name_range or Range.of(0, 0, 0, 3),
            f"{which} this skill in `skills:`, but with `disable-model-invocation: true` it "
            "cannot be preloaded: they start without it.",
            severity=Severity.INFORMATION,
            related=[Related(p, rng, "preloads it") for p, rng in users],
        )
    ]


def _entry_name(index: WorkspaceIndex, path: str) -> str:
    entry = index.entries.get(path)
    return entry.name if entry is not None else os.path.basename(path)


# --------------------------------------------------------------------------- configuration
# An agent meets its project's settings and .mcp.json: the servers it uses may be disabled,
# the tools it lists may all be denied. Each finding is on both ends: the agent says what
# it loses (warning), the settings entry says which agents it affects (information).


def _project_agents(index: WorkspaceIndex, project: str) -> list[IndexEntry]:
    return [
        e
        for e in index.entries.values()
        if e.kind == AGENT and e.dialect == "claude-agent" and config_project(e.path) == project
    ]


def _disabled(settings: list[IndexEntry]) -> dict[str, list[tuple[str, Range]]]:
    """Server → where settings disable it (a server also enabled somewhere is left out)."""
    enabled = {name for s in settings for name, _ in s.mcp_enabled}
    out: dict[str, list[tuple[str, Range]]] = {}
    for s in settings:
        for name, rng in s.mcp_disabled:
            if name not in enabled:
                out.setdefault(name, []).append((s.path, rng))
    return out


def _denied(settings: list[IndexEntry]) -> dict[str, list[tuple[str, Range]]]:
    """Whole tool (or ``mcp__server``) → the deny rules that remove it."""
    out: dict[str, list[tuple[str, Range]]] = {}
    for s in settings:
        for tool, rng in s.denied:
            out.setdefault(tool, []).append((s.path, rng))
    return out


def _denied_by(tool: str, denied: dict[str, list[tuple[str, Range]]]) -> list[tuple[str, Range]]:
    base = tool.split("(", 1)[0].strip()
    hits = list(denied.get(base, []))
    if base.startswith("mcp__") and base.count("__") >= 2:
        hits += denied.get(base.rsplit("__", 1)[0], [])
    return hits


def _all_denied(
    e: IndexEntry, denied: dict[str, list[tuple[str, Range]]]
) -> list[tuple[str, Range]] | None:
    """The deny rules that remove every tool ``e`` lists (None when some tool is left)."""
    if not e.tools or not denied:
        return None
    rules: list[tuple[str, Range]] = []
    for tool in e.tools:
        hits = _denied_by(tool, denied)
        if not hits:
            return None
        rules += hits
    return list(dict.fromkeys(rules))


def _agent_against_config(index: WorkspaceIndex, e: IndexEntry) -> list[Finding]:
    config = index.config(config_project(e.path))
    settings = [c for c in config if c.kind == SETTINGS]
    if not settings:
        return []
    out: list[Finding] = []
    disabled = _disabled(settings)
    for r in e.refs:
        if r.kind != MCP_SERVER or r.name not in disabled:
            continue
        out.append(
            finding(
                codes.MCP_SERVER_DISABLED,
                r.range,
                f"The MCP server `{r.name}` is disabled in this project's settings "
                "(`disabledMcpjsonServers`): Claude Code does not start it, so this agent "
                "gets none of its tools.",
                related=[
                    Related(p, rng, f"`{r.name}` disabled here") for p, rng in disabled[r.name]
                ],
            )
        )
    rules = _all_denied(e, _denied(settings))
    if rules is not None and e.tools_range is not None and e.tools:
        shown = ", ".join(f"`{t}`" for t in e.tools[:5]) + (" …" if len(e.tools) > 5 else "")
        out.append(
            finding(
                codes.AGENT_TOOLS_ALL_DENIED,
                e.tools_range,
                f"Every tool this agent lists ({shown}) is removed by a `deny` rule of this "
                "project's settings: the agent runs without tools.",
                related=[Related(p, rng, "denied here") for p, rng in rules],
            )
        )
    return out


def _settings_against_project(index: WorkspaceIndex, e: IndexEntry) -> list[Finding]:
    project = config_project(e.path)
    if project is None:
        return []
    config = index.config(project)
    mcp_files = [c for c in config if c.kind == MCP_CONFIG]
    defined = {name: (c.path, rng) for c in mcp_files for name, rng in c.servers.items()}
    out: list[Finding] = []
    # "did you mean" for the first MAX_SUGGESTIONS unknown names, over the defined names
    # grouped once (Vocabulary): each unknown name searched every server, 1,000 unknown names
    # x 1,000 servers one letter off computed a million distances (test_worst_case)
    left = MAX_SUGGESTIONS
    vocabulary: Vocabulary | None = None
    unread: bool | None = None
    for key, names in (
        ("enabledMcpjsonServers", e.mcp_enabled),
        ("disabledMcpjsonServers", e.mcp_disabled),
    ):
        for name, rng in names:
            if name in defined:
                continue
            if not mcp_files:
                if unread is None:
                    unread = os.path.lexists(os.path.join(project, ".mcp.json"))
                if unread:
                    continue  # there is one, not read (not a regular file...): unknown
            near = None
            if left > 0 and defined:
                left -= 1
                vocabulary = vocabulary or Vocabulary(defined)
                near = vocabulary.nearest(name, max_distance=2)
            where = (
                "no server of this project's .mcp.json has this name"
                if mcp_files
                else "this project has no .mcp.json"
            )
            out.append(
                finding(
                    codes.SETTINGS_MCP_SERVER_UNKNOWN,
                    rng,
                    f"`{name}` ({key}): {where}, so the entry changes nothing."
                    + (f" Did you mean `{near}`?" if near else ""),
                    related=[Related(*defined[near], f"the server `{near}`")]
                    if near
                    else [Related(c.path, Range.of(0, 0), "the servers") for c in mcp_files],
                )
            )
    agents = _project_agents(index, project)
    if not agents:
        return out
    settings = [c for c in config if c.kind == SETTINGS]
    disabled = _disabled(settings)
    for name, rng in e.mcp_disabled:
        if name not in disabled:
            continue
        users = [(a, r) for a in agents for r in a.refs if r.kind == MCP_SERVER and r.name == name]
        if users:
            out.append(
                finding(
                    codes.MCP_SERVER_DISABLED,
                    rng,
                    f"`{name}` is disabled, and {_agents(users)} it: no tool of the server "
                    "reaches them.",
                    severity=Severity.INFORMATION,
                    related=[Related(a.path, r.range, f"`{a.name}` uses it") for a, r in users],
                )
            )
    denied = _denied(settings)
    for a in agents:
        rules = _all_denied(a, denied)
        if rules is None or a.tools_range is None:
            continue
        for _, rng in [(p, r) for p, r in rules if p == e.path]:
            out.append(
                finding(
                    codes.AGENT_TOOLS_ALL_DENIED,
                    rng,
                    f"With the other `deny` rules, this one removes every tool of the agent "
                    f"`{a.name}`: it runs without tools.",
                    severity=Severity.INFORMATION,
                    related=[Related(a.path, a.tools_range, f"the tools of `{a.name}`")],
                )
            )
    return out


def _agents(users: list[tuple[IndexEntry, Ref]]) -> str:
    names = list(dict.fromkeys(a.name for a, _ in users))
    shown = ", ".join(f"`{n}`" for n in names[:3]) + (" …" if len(names) > 3 else "")
    return f"the agent {shown} uses" if len(names) == 1 else f"the agents {shown} use"


def _internal() -> frozenset[str]:
    return frozenset(claude_facts().raw.get("internalAgents", []))


def _did_you_mean(index: WorkspaceIndex, r: Ref, left: list[int]) -> str:
    """ " Did you mean `x`?" (searched while ``left[0]`` > 0, which it counts down)."""
    if left[0] <= 0:
        return ""
    left[0] -= 1
    near = index.vocabulary(r.kind).nearest(r.name, max_distance=2)
    return f" Did you mean `{near}`?" if near else ""


def _plugin_dir(path: str) -> str:
    from agentls.dialects.registry import plugin_root

    return plugin_root(path) or ""


def _what(e: IndexEntry) -> str:
    return {AGENT: "agent", SKILL: "skill", COMMAND: "command", COPILOT: "custom agent"}.get(
        e.kind, "agent"
    )


def _short_path(path: str) -> str:
    parts = path.replace("\\", "/").split("/")
    return "/".join(parts[-3:])
