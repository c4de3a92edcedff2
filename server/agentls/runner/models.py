"""Model aliases (``sonnet``, ``opus``...) to Anthropic API model IDs, from a data file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any


@cache
def api_models() -> dict[str, Any]:
    """The versioned alias table, ``agentls/data/api-models.json``."""
    text = resources.files("agentls").joinpath("data", "api-models.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def resolve_model(
    model: str | None,
    overrides: Mapping[str, str] | None = None,
    default: str | None = None,
) -> str:
    """The API model ID to call for an agent whose frontmatter says ``model``.

    ``None``, empty and ``inherit`` mean the configured default (``default``, else the data
    file's). Aliases are case-insensitive; ``overrides`` (the ``models`` setting) win over the
    data file. Anything else is taken as a full model ID and passed through.
    """
    table = api_models()
    fallback = default or str(table["default"])
    name = (model or "").strip()
    if not name or name.lower() in {s.lower() for s in table.get("inherit", ["inherit"])}:
        return fallback
    for source in (overrides or {}, table["aliases"]):
        for alias, target in source.items():
            if alias.lower() == name.lower():
                return str(target)
    return name


def _without_date(model: str) -> str:
    import re

    return re.sub(r"-\d{8}$", "", model)


def effort_for(model: str, effort: str | int | None) -> tuple[str | None, str | None]:
    """``(the output_config.effort to send, a note for the transcript)`` for an agent's
    ``effort`` on ``model`` (``data/api-models.json``, ``effort``)."""
    if effort is None:
        return None, None
    facts = api_models().get("effort", {})
    if isinstance(effort, int) or not isinstance(effort, str):
        return (
            None,
            f"effort {effort} is a number, which the Messages API has no setting for: left out",
        )
    level = effort.strip().lower()
    if level not in facts.get("levels", []):
        return None, f"effort {effort!r} is not a level of the Messages API: left out"
    if _without_date(model) not in facts.get("models", []):
        return None, f"effort {level} left out: {model} is not known to take an effort level"
    return level, None


def max_cache_breakpoints() -> int:
    return int(api_models().get("caching", {}).get("maxBreakpoints", 4))
