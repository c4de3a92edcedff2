"""What the editor features know about a dialect: the JSON Schema and the versioned facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from agentls.data import load_json
from agentls.dialects.facts import ClaudeFacts, claude_facts
from agentls.dialects.schemas import load_schema


def schema(dialect: str) -> dict[str, Any]:
    """The dialect's JSON Schema (the one loader, shared with the rules), or {}."""
    return load_schema(dialect) or {}


@dataclass(frozen=True, slots=True)
class KeyInfo:
    key: str
    summary: str
    markdown: str
    types: tuple[str, ...]
    required: bool
    default: Any = None
    has_default: bool = False
    values: tuple[tuple[str, str], ...] = ()  # (value, description) of its enumeration
    examples: tuple[Any, ...] = ()
    order: int = 0


def _types(prop: dict[str, Any]) -> tuple[str, ...]:
    t = prop.get("type")
    if isinstance(t, str):
        return (t,)
    if isinstance(t, list):
        return tuple(x for x in t if x != "null")
    return ()


def _enum(prop: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for src in [prop, *prop.get("anyOf", [])]:
        values = src.get("enum")
        if not values:
            continue
        docs = src.get("markdownEnumDescriptions") or src.get("enumDescriptions") or []
        for i, v in enumerate(values):
            if isinstance(v, str) and all(v != x for x, _ in out):
                out.append((v, docs[i] if i < len(docs) else ""))
    return out


@cache
def key_infos(dialect: str) -> dict[str, KeyInfo]:
    s = schema(dialect)
    props: dict[str, Any] = s.get("properties", {})
    required = set(s.get("required", []))
    key_docs: dict[str, Any] = claude_facts().raw.get("keyDocs", {}) if "claude" in dialect else {}
    out: dict[str, KeyInfo] = {}
    for i, (k, prop) in enumerate(props.items()):
        kd = key_docs.get(k, {})
        out[k] = KeyInfo(
            key=k,
            summary=str(kd.get("summary") or prop.get("description", "")),
            markdown=str(kd.get("markdown") or prop.get("markdownDescription", "")),
            types=_types(prop),
            required=k in required,
            default=prop.get("default"),
            has_default="default" in prop,
            values=tuple(_enum(prop)),
            examples=tuple(prop.get("examples", ())),
            order=i,
        )
    return out


@cache
def api_aliases() -> dict[str, str]:
    """Model alias → API model ID, for hover and completion documentation."""
    try:
        return dict(load_json("api-models.json").get("aliases", {}))
    except FileNotFoundError:
        return {}


@dataclass(slots=True)
class Workspace:
    """What the editor knows about the workspace (filled by the LSP adapter)."""

    mcp_servers: tuple[str, ...] = ()
    agent_names: tuple[str, ...] = ()
    skill_names: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def facts() -> ClaudeFacts:
    return claude_facts()


def value_doc(key: str, value: str) -> str | None:
    """Markdown meaning of one enumerated value of ``key``, or None."""
    f = claude_facts()
    if key == "model":
        alias = f.model_alias(value)
        if alias is not None:
            desc = str(f.model_aliases.get(alias, {}).get("description", ""))
            target = api_aliases().get(alias)
            if alias == "inherit":
                return "`inherit`: runs on the main conversation's model (the default)."
            parts = [f"`{alias}`: {desc}".rstrip(": ")]
            if target:
                parts.append(f"Resolves to `{target}`.")
            return " ".join(parts)
        if value in f.known_model_ids:
            retire = dict(f.raw.get("deprecatedModelIds") or {}).get(value)
            text = f"`{value}`: a full Claude model ID (passed to the API as written)."
            if value in f.deprecated_model_ids:
                text += f" Deprecated{f'; retirement {retire}' if isinstance(retire, str) else ''}."
            return text
        return None
    table = f.enum_values(key) or {}
    if value in table:
        d = table[value]
        return f"`{value}`: {d if isinstance(d, str) else d.get('description', '')}"
    if key == "permissionMode" and value in f.permission_mode_aliases:
        return f"`{value}`: an alias of `{f.permission_mode_aliases[value]}`."
    if key == "effort" and value.lower() in f.effort_aliases:
        return f"`{value}`: an alias of `{f.effort_aliases[value.lower()]}`."
    for v, d in key_infos("claude-agent").get(key, KeyInfo(key, "", "", (), False)).values:
        if v == value:
            return f"`{v}`: {d}" if d else None
    return None


def tool_doc(name: str) -> str | None:
    f = claude_facts()
    info = f.tools.get(name)
    if info is not None:
        desc = str(info.get("description", ""))
        notes = []
        if name in f.raw.get("deprecatedTools", {}):
            notes.append(f"Deprecated: {f.raw['deprecatedTools'][name]}")
        if name in f.raw.get("subagentRemovedTools", []):
            notes.append("Claude Code removes it from subagents even when listed.")
        return f"`{name}`: {desc}" + "".join(f"\n\n{n}" for n in notes)
    legacy = f.legacy_tools.get(name)
    if legacy is not None:
        return f"`{name}`: legacy name ({legacy.get('note', '')}). Use `{legacy.get('suggest')}`."
    if name.startswith("mcp__"):
        parts = name[5:].split("__", 1)
        tool = parts[1] if len(parts) > 1 else "*"
        what = "every tool" if tool == "*" else f"the tool `{tool}`"
        return f"`{name}`: {what} of the MCP server `{parts[0]}`."
    return None
