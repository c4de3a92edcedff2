"""Editor settings: one typed model, read from initialization options, ``workspace/
configuration`` (section ``agentls``) and ``workspace/didChangeConfiguration``.

Every setting is stated once, in ``data/settings.json``: its key, who reads it (the server, or
the VS Code client only), its default and the JSON schema of its value. The server parses
what a client sends against that file, here, once per change; the VS Code extension's
``contributes.configuration`` is generated from it (``python -m agentls.settings``, a test
fails when package.json is stale), so the extension and the server share each default.

A value of the wrong type, out of range or unknown is not dropped in silence: it is kept at
its previous value and :meth:`Settings.update` returns a message for it, which the server
logs and shows (window/showMessage) once. The API key is an initialization option only and
never enters :class:`Settings` (agentls.lsp.agent_runs keeps it).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from agentls.data import load_json
from agentls.generated import write_generated

SECTION = "agentls"


@dataclass(frozen=True, slots=True)
class Spec:
    """One setting of ``data/settings.json``."""

    key: str  # as a client sends it, without the "agentls." section ("maxTokens")
    side: str  # "server" or "client" (the VS Code extension only)
    schema: dict[str, Any]  # the JSON schema of the value (VS Code's, with "default")
    initialization_only: bool = False

    @property
    def attr(self) -> str:
        """The :class:`Settings` attribute: ``maxTokens`` → ``max_tokens``."""
        return "".join("_" + c.lower() if c.isupper() else c for c in self.key)

    @property
    def default(self) -> Any:
        return self.schema.get("default")


_NOT_SCHEMA = ("key", "side", "initializationOnly", "secret", "valuesFrom")


@cache
def specs() -> tuple[Spec, ...]:
    out = []
    for raw in load_json("settings.json")["settings"]:
        schema = {k: v for k, v in raw.items() if k not in _NOT_SCHEMA}
        if raw.get("valuesFrom") == "dialects":
            from agentls.dialects.registry import ALL_DIALECTS

            schema["additionalProperties"] = {"type": "string", "enum": list(ALL_DIALECTS)}
        out.append(Spec(raw["key"], raw["side"], schema, bool(raw.get("initializationOnly"))))
    return tuple(out)


def server_specs() -> dict[str, Spec]:
    """The settings the server reads, by key (the API key apart: it is no setting)."""
    return {s.key: s for s in specs() if s.side == "server" and s.key != "apiKey"}


def _default(key: str) -> Any:
    value = server_specs()[key].default
    return json.loads(json.dumps(value))  # a fresh copy of a list or mapping


@dataclass
class Settings:
    models: dict[str, str] = field(default_factory=lambda: _default("models"))
    default_model: str | None = field(default_factory=lambda: _default("defaultModel"))
    max_tokens: int | None = field(default_factory=lambda: _default("maxTokens"))
    context_lines: int = field(default_factory=lambda: _default("contextLines"))
    agents: list[str] | None = field(default_factory=lambda: _default("agents"))
    agent_list_limit: int = field(default_factory=lambda: _default("agentListLimit"))
    dialects: dict[str, str] = field(default_factory=lambda: _default("dialects"))
    debounce_ms: int = field(default_factory=lambda: _default("debounceMs"))
    max_turns: int = field(default_factory=lambda: _default("maxTurns"))
    timeout: float = field(default_factory=lambda: _default("timeout"))
    base_url: str | None = field(default_factory=lambda: _default("baseUrl"))

    def update(self, raw: Any) -> list[str]:
        """Take the settings present in ``raw`` (a mapping, or one holding an ``agentls``
        section); return a message for each value that was not taken, and why."""
        if not isinstance(raw, dict):
            return (
                []
                if raw is None
                else [f"The agentls settings must be an object; got {_kind(raw)}."]
            )
        if isinstance(raw.get(SECTION), dict):
            raw = raw[SECTION]
        problems: list[str] = []
        known = server_specs()
        client_keys = {s.key.split(".", 1)[0] for s in specs() if s.side == "client"}
        for key, value in raw.items():
            spec = known.get(key)
            if spec is None:
                if key not in client_keys and key != "apiKey":
                    problems.append(_unknown(key, known))
                continue
            why = check_value(value, spec.schema)
            if why is not None:
                kept = getattr(self, spec.attr)
                problems.append(f"agentls.{key}: {why}; got {_shown(value)}. Kept {_shown(kept)}.")
                continue
            setattr(self, spec.attr, _normalised(key, value))
        return problems

    def dialect_for(self, path: str | None) -> str | None:
        """The dialect the ``dialects`` setting gives ``path`` (its globs are matched against
        the end of the path, as VS Code's ``files.associations`` are)."""
        if not path or not self.dialects:
            return None
        import fnmatch

        p = path.replace("\\", "/")
        for pattern, dialect in self.dialects.items():
            if fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(p, "*/" + pattern.lstrip("/")):
                return dialect
        return None

    @property
    def agent_limit(self) -> int | None:
        """``agentListLimit`` as a limit (0: none)."""
        return self.agent_list_limit or None


def _normalised(key: str, value: Any) -> Any:
    if key == "defaultModel" or key == "baseUrl":
        return value.strip() or None if isinstance(value, str) else None
    if key == "timeout":
        return float(value)
    if key == "agents" and isinstance(value, list) and not value:
        return None  # an empty list: every agent, as null
    return value


# --------------------------------------------------------------------------- values


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}
_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def check_value(value: Any, schema: dict[str, Any]) -> str | None:
    """Why ``value`` does not fit ``schema`` (the subset of JSON schema the settings use:
    type, minimum, maximum, exclusiveMinimum, enum, items, additionalProperties), or None."""
    types = schema.get("type")
    if types is not None:
        names = [str(t) for t in (types if isinstance(types, list) else [types])]
        if not any(_is(value, t) for t in names):
            return "must be " + " or ".join(_NAMES.get(t, t) for t in names)
    if "enum" in schema and value not in schema["enum"]:
        return "must be one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"must be at least {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"must be at most {schema['maximum']}"
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return f"must be more than {schema['exclusiveMinimum']}"
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            why = check_value(item, schema["items"])
            if why is not None:
                return f"each entry {why} ({_shown(item)} is not)"
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for k, item in value.items():
            why = check_value(item, schema["additionalProperties"])
            if why is not None:
                return f"each value {why} ({k}: {_shown(item)} is not)"
    return None


def _is(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return name == "boolean"
    return isinstance(value, _TYPES.get(name, ()))


def _kind(value: Any) -> str:
    for name in _TYPES:
        if _is(value, name):
            return _NAMES[name]
    return type(value).__name__


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return f"`{text[:80]}…`" if len(text) > 80 else f"`{text}`"


def _unknown(key: str, known: dict[str, Spec]) -> str:
    import difflib

    near = difflib.get_close_matches(key, list(known), 1, 0.6)
    hint = f" Did you mean `{near[0]}`?" if near else ""
    return f"agentls.{key} is not an agentls setting, so it changes nothing.{hint}"


# --------------------------------------------------------------------------- package.json


def vscode_configuration() -> dict[str, Any]:
    """``contributes.configuration`` of client-vscode/package.json."""
    properties: dict[str, Any] = {}
    for spec in specs():
        if spec.initialization_only:
            continue
        properties[f"{SECTION}.{spec.key}"] = spec.schema
    return {"title": "agentls", "properties": properties}


def package_json_path() -> Path:
    return Path(__file__).resolve().parents[2] / "client-vscode" / "package.json"


def render_package_json(text: str) -> str:
    """``text`` (package.json) with its contributes.configuration generated."""
    data = json.loads(text)
    data["contributes"]["configuration"] = vscode_configuration()
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    return write_generated(
        argv, package_json_path(), lambda target: render_package_json(target.read_text("utf-8"))
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
