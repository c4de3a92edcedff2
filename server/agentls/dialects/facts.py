"""Facts about Claude Code (tool names, models, colours...) from the versioned data files.

``data/claude-code.json`` holds the facts of the Claude Code version agentls is pinned to
(its ``claudeCodeVersion``); another version's facts go beside it as
``data/claude-code@<version>.json`` (same shape). :func:`facts_versions` lists what the data
files provide, and the configuration's ``claude-code-version`` picks one of them.

The rules ask :func:`claude_facts` with no argument: the version in force is set around an
analysis by :func:`using_facts` (a context variable, so that concurrent analyses in threads
never see each other's choice), and every caller, however deep, reads the same facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

from agentls.data import data_files, load_json

DEFAULT_FILE = "claude-code.json"
_VERSIONED_FILE = re.compile(r"claude-code@(.+)\.json")
# the Claude Code version whose facts are in force (None: the pinned one)
_IN_FORCE: ContextVar[str | None] = ContextVar("agentls_claude_code_version", default=None)


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

    def enum_values(self, key: str) -> dict[str, Any] | None:
        """The values of an enumerated key (value -> its description or facts), or None:
        what the rules accept, completion offers and hover describes, read in one place."""
        table = {
            "permissionMode": self.permission_modes,
            "memory": self.memory,
            "effort": self.effort,
            "isolation": self.isolation,
        }
        return table.get(key)

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
def facts_versions() -> dict[str, str]:
    """Claude Code version → the data file with its facts; the pinned version first."""
    out = {str(load_json(DEFAULT_FILE)["claudeCodeVersion"]): DEFAULT_FILE}
    for name in sorted(data_files()):
        m = _VERSIONED_FILE.fullmatch(name)
        if m and m.group(1) not in out:
            out[m.group(1)] = name
    return out


def pinned_version() -> str:
    return next(iter(facts_versions()))


@contextmanager
def using_facts(version: str | None) -> Iterator[None]:
    """Make ``claude_facts()`` answer with the facts of ``version`` (None: the pinned ones)
    inside the block. An unknown version is the pinned one (the configuration reports it)."""
    if version is not None and version not in facts_versions():
        version = None
    token = _IN_FORCE.set(version)
    try:
        yield
    finally:
        _IN_FORCE.reset(token)


def claude_facts() -> ClaudeFacts:
    """The facts of the Claude Code version in force (see :func:`using_facts`)."""
    return _facts(_IN_FORCE.get())


@cache
def _facts(version: str | None) -> ClaudeFacts:
    d = load_json(facts_versions()[version] if version is not None else DEFAULT_FILE)
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
