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


# The ``$id`` of every schema is this folder's URL and its file name: a ``$ref`` to another
# schema (``claude-code-hooks.schema.json#/$defs/hooks``) names the file it is read from.
ID_BASE = "https://agentls.dev/schemas/"


@cache
def _load_file(name: str) -> dict[str, Any] | None:
    folder = schema_dir()
    if folder is None or "/" in name or "\\" in name:
        return None
    try:
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
    except OSError:
        return None
    return data


def load_schema(dialect: str) -> dict[str, Any] | None:
    """The JSON Schema of ``dialect`` (cached; treat it as read-only), or None."""
    name = SCHEMA_FILES.get(dialect)
    return None if name is None else _load_file(name)


def schema_by_id(uri: str) -> dict[str, Any] | None:
    """The schema whose ``$id`` is ``uri`` (the target of a cross-file ``$ref``), or None."""
    if not uri.startswith(ID_BASE):
        return None
    data = _load_file(uri[len(ID_BASE) :])
    return data if data is not None and data.get("$id") == uri else None


def schema_id(dialect: str) -> str | None:
    """The ``$id`` of the dialect's schema (the base its ``$ref`` resolve against)."""
    schema = load_schema(dialect)
    return None if schema is None else str(schema.get("$id", ID_BASE + SCHEMA_FILES[dialect]))


def hook_defs() -> dict[str, Any]:
    """The ``$defs`` of the shared hooks schema (``hooks``, ``matcherGroup``, ``handler``):
    the one copy the agent, skill, command, settings and plugin schemas refer to."""
    defs: dict[str, Any] = (load_schema("claude-plugin-hooks") or {}).get("$defs", {})
    return defs


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
