"""Versioned data files (facts about the tools, rules)."""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any


@cache
def load_json(name: str) -> Any:
    """Load ``agentls/data/<name>`` (cached; treat the result as read-only).

    Read from the package folder when it is one (importing importlib.resources costs
    ~7 ms of every start-up); through importlib.resources otherwise (a zipped install)."""
    try:
        with open(os.path.join(os.path.dirname(__file__), name), encoding="utf-8") as fh:
            return json.load(fh)
    except (FileNotFoundError, NotADirectoryError):
        from importlib import resources

        return json.loads(resources.files("agentls.data").joinpath(name).read_text("utf-8"))


@cache
def data_files() -> tuple[str, ...]:
    """The names of the files in ``agentls/data``."""
    try:
        return tuple(os.listdir(os.path.dirname(__file__)))
    except (FileNotFoundError, NotADirectoryError):
        from importlib import resources

        return tuple(p.name for p in resources.files("agentls.data").iterdir())
