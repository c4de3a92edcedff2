"""Facts about Claude Code (tool names, models, colours...) from the versioned data file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from agentls.data import load_json


@dataclass(frozen=True, eq=False)
class ClaudeFacts:
    version: str
    docs_url: str
    agent_keys: frozenset[str]
    tools: dict[str, dict[str, Any]]
    legacy_tools: dict[str, dict[str, Any]]
    model_aliases: dict[str, dict[str, Any]]
    model_aliases_extra: frozenset[str]
    known_model_ids: frozenset[str]
    deprecated_model_ids: frozenset[str]
    colors: tuple[str, ...]
    permission_modes: dict[str, Any]
    permission_mode_aliases: dict[str, str]
    memory: dict[str, Any]
    effort: dict[str, Any]
    effort_aliases: dict[str, str]
    isolation: dict[str, Any]
    hook_events: frozenset[str]
    hook_types: frozenset[str]
    builtin_agents: tuple[str, ...]
    other_dialect_keys: dict[str, str]
    unknown_key_hints: dict[str, str]
    unknown_key_no_hint: frozenset[str]
    auto_compact_min: int
    name_max: int
    name_pattern: re.Pattern[str]  # the naming convention (not enforced by Claude Code)
    boolean_values: tuple[str, ...]  # strings read as booleans (besides YAML's true/false)
    raw: dict[str, Any]
    tools_lower: dict[str, str]

    def model_alias(self, value: str) -> str | None:
        low = value.strip().lower()
        if low in self.model_aliases or low in self.model_aliases_extra:
            return low
        return None


def _as_dict(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    return {k: {} for k in v}


@cache
def claude_facts() -> ClaudeFacts:
    d = load_json("claude-code.json")
    return ClaudeFacts(
        version=d["claudeCodeVersion"],
        docs_url=d.get("docsUrl", ""),
        agent_keys=frozenset(d["agentKeys"]),
        tools=_as_dict(d["tools"]),
        legacy_tools=_as_dict(d["legacyTools"]),
        model_aliases=_as_dict(d["modelAliases"]),
        model_aliases_extra=frozenset(d.get("modelAliasesExtra", [])),
        known_model_ids=frozenset(d.get("knownModelIds", [])),
        deprecated_model_ids=frozenset(d.get("deprecatedModelIds", [])),
        colors=tuple(d["colors"]),
        permission_modes=_as_dict(d["permissionModes"]),
        permission_mode_aliases=dict(d.get("permissionModeAliases", {})),
        memory=_as_dict(d["memory"]),
        effort=_as_dict(d["effort"]),
        effort_aliases=dict(d.get("effortAliases", {})),
        isolation=_as_dict(d["isolation"]),
        hook_events=frozenset(d["hookEvents"]),
        hook_types=frozenset(d["hookTypes"]),
        builtin_agents=tuple(d.get("builtinAgents", [])),
        other_dialect_keys=dict(d.get("otherDialectKeys", {})),
        unknown_key_hints=dict(d.get("unknownKeyHints", {})),
        unknown_key_no_hint=frozenset(d.get("unknownKeyNoHint", [])),
        auto_compact_min=int(d.get("autoCompactWindowMinimum", 100000)),
        name_max=int(d.get("nameMaxLength", 256)),
        name_pattern=re.compile(d["namePattern"]),
        boolean_values=tuple(d.get("booleanValues", ("true", "false"))),
        raw=d,
        tools_lower={t.lower(): t for t in [*d["legacyTools"], *d["tools"]]},
    )
