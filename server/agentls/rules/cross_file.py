"""The rules across files (AL301-AL305): duplicate names, shadowing, and references that
resolve to nothing. They read the workspace index (:mod:`agentls.index`): in the server, the
index of the workspace folders; in ``agentls check``, one index per project.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from agentls.dialects.facts import claude_facts
from agentls.index import AGENT, COMMAND, COPILOT, COPILOT_BUILTINS, SKILL, IndexEntry, Ref
from agentls.rules import codes
from agentls.rules.registry import finding
from agentls.types import Finding, Range, Related

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
    for r in e.refs:
        if not r.check:
            continue
        targets = index.named(r.kind, r.name)
        if r.kind == AGENT:
            if targets or r.name in claude_facts().builtin_agents or r.name in _internal():
                continue
            where = "in `tools`" if r.via == "tools" else "as `agent`"
            out.append(
                finding(
                    codes.UNKNOWN_AGENT,
                    r.range,
                    f"No agent named `{r.name}` ({where}): not in `.claude/agents`, "
                    f"`~/.claude/agents`, a plugin, nor built in.{_did_you_mean(index, r)}",
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
                        + _did_you_mean(index, r),
                    )
                )
            elif all(t.disable_model_invocation for t in targets):
                out.append(
                    finding(
                        codes.UNKNOWN_SKILL,
                        r.range,
                        f"Skill `{r.name}` has `disable-model-invocation: true`: it cannot be "
                        "preloaded into an agent.",
                        related=[Related(targets[0].path, Range.of(0, 0), "the skill")],
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
                    f"{_did_you_mean(index, r)}",
                )
            )
    return out


def _internal() -> frozenset[str]:
    return frozenset(claude_facts().raw.get("internalAgents", []))


def _did_you_mean(index: WorkspaceIndex, r: Ref) -> str:
    from agentls.effective import nearest

    near = nearest(r.name, index.names(r.kind), max_distance=2)
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
