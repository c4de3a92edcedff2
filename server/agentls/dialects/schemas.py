"""The JSON Schema of each dialect (``schemas/``), read once: the rules, completion and hover
all read them from here.

In a wheel the folder is ``agentls/schemas`` (force-included by pyproject.toml); in an
editable install it is the repository's ``schemas/``. Both are plain folders, read without
importlib.resources (~7 ms of start-up), which serves a zipped install only.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from agentls.dialects.registry import SCHEMA_FILES

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@cache
def schema_dir() -> str | None:
    """The folder holding the schema files, or None."""
    inside = os.path.join(_PACKAGE, "schemas")
    if os.path.isdir(inside):
        return inside
    folder = _PACKAGE
    while True:
        if os.path.isfile(os.path.join(folder, "pyproject.toml")) and os.path.isdir(
            os.path.join(folder, "schemas")
        ):
            return os.path.join(folder, "schemas")
        up = os.path.dirname(folder)
        if up == folder:
            break
        folder = up
    try:  # a zipped install
        from importlib import resources

        res = resources.files("agentls").joinpath("schemas")
        return str(res) if res.is_dir() else None
    except (ModuleNotFoundError, OSError):
        return None


@cache
def load_schema(dialect: str) -> dict[str, Any] | None:
    """The JSON Schema of ``dialect`` (cached; treat it as read-only), or None."""
    name = SCHEMA_FILES.get(dialect)
    folder = schema_dir()
    if name is None or folder is None:
        return None
    try:
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
    except OSError:
        return None
    return data


def schema_properties(dialect: str) -> dict[str, Any]:
    """Top-level key → its schema (empty without a schema)."""
    props: dict[str, Any] = (load_schema(dialect) or {}).get("properties", {})
    return props


def schema_keys(dialect: str) -> frozenset[str]:
    return frozenset(schema_properties(dialect))


@cache
def boolean_keys(dialect: str) -> frozenset[str]:
    """Keys whose schema accepts a boolean (``background``, ``omitClaudeMd``...)."""
    out = set()
    for k, prop in schema_properties(dialect).items():
        t = prop.get("type")
        types = t if isinstance(t, list) else [t]
        if "boolean" in types:
            out.add(k)
    return frozenset(out)
