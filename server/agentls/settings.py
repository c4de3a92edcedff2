"""Server settings: initialization options and ``workspace/configuration`` section ``agentls``."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from agentls.dialects.registry import ALL_DIALECTS


@dataclass
class Settings:
    models: dict[str, str] = field(default_factory=dict)
    default_model: str | None = None
    max_tokens: int = 4096
    context_lines: int = 20
    agents: list[str] | None = None  # which agents the code actions offer (None: all)
    agent_list_limit: int | None = None  # at most this many agents in the code actions
    dialects: dict[str, str] = field(default_factory=dict)  # glob -> dialect override
    debounce_ms: int = 0

    def update(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            return
        if isinstance(raw.get("agentls"), dict):
            raw = raw["agentls"]
        if isinstance(raw.get("models"), dict):
            self.models = {str(k): str(v) for k, v in raw["models"].items() if isinstance(v, str)}
        if isinstance(raw.get("defaultModel"), str) or raw.get("defaultModel") is None:
            self.default_model = raw.get("defaultModel") or self.default_model
        for key, attr in (
            ("maxTokens", "max_tokens"),
            ("contextLines", "context_lines"),
            ("debounceMs", "debounce_ms"),
        ):
            v = raw.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                setattr(self, attr, v)
        if "agents" in raw:
            agents = raw.get("agents")
            self.agents = (
                [str(a) for a in agents if isinstance(a, str)] or None
                if isinstance(agents, list)
                else None  # null (or anything else) resets to "all agents"
            )
        if "agentListLimit" in raw:
            limit = raw.get("agentListLimit")
            ok = isinstance(limit, int) and not isinstance(limit, bool) and limit > 0
            self.agent_list_limit = limit if ok else None
        dialects = raw.get("dialects")
        if isinstance(dialects, dict):
            self.dialects = {str(k): str(v) for k, v in dialects.items() if v in ALL_DIALECTS}

    def dialect_for(self, path: str | None) -> str | None:
        if not path or not self.dialects:
            return None
        p = path.replace("\\", "/")
        for pattern, dialect in self.dialects.items():
            if fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(p, "*/" + pattern.lstrip("/")):
                return dialect
        return None
