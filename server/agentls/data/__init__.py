"""Versioned data files (facts about the tools, rules). Loaded with importlib.resources."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_json(name: str) -> Any:
    """Load ``agentls/data/<name>`` (cached; treat the result as read-only)."""
    return json.loads(resources.files("agentls.data").joinpath(name).read_text("utf-8"))
