"""Completion candidates for a frontmatter position (pure; the LSP adapter converts them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from agentls.dialects.schemas import boolean_keys
from agentls.document.model import Document
from agentls.editing.context import Cursor, cursor_at, listed_items, present_keys
from agentls.editing.knowledge import (
    KeyInfo,
    Workspace,
    facts,
    key_infos,
    tool_doc,
    value_doc,
)
from agentls.types import Position, Range

# what a new key's value placeholder is, when the schema gives no default or enum
_PLACEHOLDERS = {
    "description": "Use this agent when …",
    "tools": "Read, Grep, Glob",
    "disallowedTools": "Write, Edit",
    "maxTurns": "10",
    "initialPrompt": "…",
}
_BLOCK_KEYS = {
    "hooks": "\n  ${1:PreToolUse}:\n    - matcher: ${2:Bash}\n      hooks:\n"
    "        - type: command\n          command: ${3:./scripts/check.sh}",
    "mcpServers": "\n  - ${1:server-name}",
    "experimental": "\n  cacheTtl: ${1:1h}",
    "skills": "\n  - ${1:skill-name}",
}


@dataclass(frozen=True, slots=True)
class Candidate:
    label: str
    kind: str  # "property" | "value" | "enum" | "tool" | "module" | "reference" | "event"
    replace: Range
    insert_text: str
    snippet: bool = False
    detail: str = ""
    documentation: str = ""  # Markdown
    sort_text: str = ""
    filter_text: str | None = None
    deprecated: bool = False
    preselect: bool = False


def _stem(path: str | None) -> str | None:
    if not path:
        return None
    name = PurePosixPath(path.replace("\\", "/")).name
    return name[:-3] if name.endswith(".md") else name


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "my-agent"


def _escape_snippet(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def complete(
    doc: Document,
    pos: Position,
    *,
    dialect: str = "claude-agent",
    path: str | None = None,
    workspace: Workspace | None = None,
    snippets: bool = True,
) -> list[Candidate]:
    cur = cursor_at(doc, pos)
    ws = workspace or Workspace()
    in_hooks = cur.key == "hooks" and cur.kind in ("item", "nested-key")
    if (in_hooks or cur.kind == "none") and dialect in _HOOK_DIALECTS:
        inside = _inside_hooks(doc, pos, dialect, path, ws)
        if inside is not None:
            return inside
    if cur.kind == "key":
        return _keys(doc, cur, dialect, path, snippets)
    if cur.kind in ("value", "item") and cur.key is not None:
        return _values(doc, cur, path, ws, dialect)
    if cur.kind == "nested-key" and cur.key == "hooks":
        return _hook_events(doc, cur)
    return []


def _key_text(info: KeyInfo, path: str | None, snippets: bool) -> tuple[str, bool]:
    k = info.key
    if k in _BLOCK_KEYS:
        body = _BLOCK_KEYS[k]
        if snippets:
            return f"{k}:{body}", True
        return f"{k}:", False
    if k == "name":
        value = _slug(_stem(path) or "my-agent")
    elif info.values:
        default = info.default if isinstance(info.default, str) else None
        value = default or info.values[0][0]
    elif isinstance(info.default, bool):
        value = "true" if info.default else "false"
    else:
        value = _PLACEHOLDERS.get(k, "")
    if not snippets:
        return f"{k}: ", False
    if value:
        return f"{k}: ${{1:{_escape_snippet(value)}}}", True
    return f"{k}: $0", True


def _keys(
    doc: Document, cur: Cursor, dialect: str, path: str | None, snippets: bool
) -> list[Candidate]:
    infos = key_infos(dialect)
    present = present_keys(doc)
    line = doc.lines[cur.replace.start.line]
    here = line.split(":", 1)[0].strip() if cur.has_colon else None
    out: list[Candidate] = []
    for info in infos.values():
        if info.key in present and info.key != here:
            continue
        if cur.has_colon:
            text, snip = info.key, False
        else:
            text, snip = _key_text(info, path, snippets)
        rank = 0 if info.required else 1
        doc_md = info.markdown
        if info.values:
            doc_md += "\n\n**Values:** " + ", ".join(f"`{v}`" for v, _ in info.values[:12])
        out.append(
            Candidate(
                label=info.key,
                kind="property",
                replace=cur.replace,
                insert_text=text,
                snippet=snip,
                detail=info.summary,
                documentation=doc_md,
                sort_text=f"{rank}{info.order:03d}",
                filter_text=info.key,
                deprecated=False,
                preselect=info.required and not out,
            )
        )
    return out


def _enum_candidates(cur: Cursor, key: str, values: list[tuple[str, str, bool]]) -> list[Candidate]:
    return [
        Candidate(
            label=v,
            kind="enum",
            replace=cur.replace,
            insert_text=v,
            detail=detail,
            documentation=value_doc(key, v) or detail,
            sort_text=f"{1 if deprecated else 0}{i:03d}",
            filter_text=v,
            deprecated=deprecated,
        )
        for i, (v, detail, deprecated) in enumerate(values)
    ]


def _values(
    doc: Document, cur: Cursor, path: str | None, ws: Workspace, dialect: str = "claude-agent"
) -> list[Candidate]:
    if dialect not in _CLAUDE_VALUES:
        return _schema_values(cur, dialect)
    f = facts()
    key = cur.key
    assert key is not None
    if key in ("tools", "disallowedTools"):
        return _tools(doc, cur, key, ws)
    if key == "skills":
        listed = set(listed_items(doc, key))
        return [
            Candidate(n, "module", cur.replace, n, detail="skill", sort_text=n)
            for n in ws.skill_names
            if n not in listed
        ]
    if cur.kind == "item":
        return []
    if key == "model":
        aliases = [*f.model_aliases, *sorted(f.model_aliases_extra)]
        vals = [
            (a, str(f.model_aliases.get(a, {}).get("description", "model alias")), False)
            for a in aliases
        ]
        vals += [
            (m, "model ID", m in f.deprecated_model_ids) for m in f.raw.get("knownModelIds", [])
        ]
        return _enum_candidates(cur, key, vals)
    if key == "color":
        return _enum_candidates(cur, key, [(c, "colour", False) for c in f.colors])
    table = f.enum_values(key)
    if table is not None:
        vals = [(v, d if isinstance(d, str) else "", False) for v, d in table.items()]
        return _enum_candidates(cur, key, vals)
    if key in boolean_keys("claude-agent"):
        return _enum_candidates(cur, key, [("true", "", False), ("false", "", False)])
    if key == "name":
        stem = _stem(path)
        if stem:
            s = _slug(stem)
            return [
                Candidate(s, "value", cur.replace, s, detail="from the file name", sort_text="0")
            ]
    return []


# Dialects whose values come from the Claude Code facts (tools, models, colours...); the
# others' from their schema (enums, booleans).
_CLAUDE_VALUES = frozenset(
    {"claude-agent", "claude-plugin-agent", "claude-skill", "claude-command"}
)


def _schema_values(cur: Cursor, dialect: str) -> list[Candidate]:
    """The values the dialect's schema allows for the key: an enum, or true / false."""
    info = key_infos(dialect).get(cur.key or "")
    if info is None or cur.kind == "item":
        return []
    if info.values:
        return _enum_candidates(cur, info.key, [(v, d, False) for v, d in info.values])
    if info.key in boolean_keys(dialect):
        return _enum_candidates(cur, info.key, [("true", "", False), ("false", "", False)])
    return []


def _tools(doc: Document, cur: Cursor, key: str, ws: Workspace) -> list[Candidate]:
    f = facts()
    listed = set(listed_items(doc, key))
    listed.discard(cur.prefix)
    deprecated = f.raw.get("deprecatedTools", {})
    removed = set(f.raw.get("subagentRemovedTools", []))
    out: list[Candidate] = []
    for name, info in f.tools.items():
        if name in listed:
            continue
        rank = 2 if name in removed or name in deprecated else 0
        out.append(
            Candidate(
                label=name,
                kind="tool",
                replace=cur.replace,
                insert_text=name,
                detail=str(info.get("description", ""))[:80],
                documentation=tool_doc(name) or "",
                sort_text=f"{rank}{name}",
                filter_text=name,
                deprecated=name in deprecated,
            )
        )
    for server in ws.mcp_servers:
        label = f"mcp__{server}__*"
        if label not in listed:
            out.append(
                Candidate(
                    label,
                    "module",
                    cur.replace,
                    label,
                    detail=f"every tool of MCP server {server}",
                    documentation=tool_doc(label) or "",
                    sort_text=f"1{label}",
                )
            )
    if key == "disallowedTools" and "mcp__*" not in listed:
        out.append(
            Candidate(
                "mcp__*",
                "module",
                cur.replace,
                "mcp__*",
                detail="every MCP tool",
                sort_text="1mcp__*",
            )
        )
    if key == "tools":
        names = sorted(set(ws.agent_names) | set(f.builtin_agents))
        for n in names:
            label = f"Agent({n})"
            if label in listed:
                continue
            out.append(
                Candidate(
                    label,
                    "reference",
                    cur.replace,
                    label,
                    detail="restrict the agent types this agent may spawn",
                    documentation=f"`{label}`: the Agent tool, limited to spawning `{n}` "
                    "(honoured when this agent runs as the main thread, `claude --agent`).",
                    sort_text=f"3{label}",
                )
            )
    return out


# dialects whose ``hooks`` has Claude Code's shape (their schemas define the two levels)
_HOOK_DIALECTS = ("claude-agent", "claude-plugin-agent", "claude-skill", "claude-command")


def _inside_hooks(
    doc: Document, pos: Position, dialect: str, path: str | None, ws: Workspace
) -> list[Candidate] | None:
    """Keys and values of matcher groups and handlers; None on the events' level (or where
    the block cannot be read), which the caller completes."""
    from agentls.dialects.schemas import hook_defs
    from agentls.editing.context import owner_key
    from agentls.editing.hooks import GROUP, HANDLER, hook_spot

    owner = owner_key(doc, pos.line)
    if owner is None or owner[0] != "hooks" or doc.env.indent:
        return None
    spot = hook_spot(doc.lines, owner[1], pos.line, pos.character)
    if spot is None:
        return None
    defs = hook_defs()
    shape = {GROUP: "matcherGroup", HANDLER: "handler"}.get(spot.level)
    if shape is None:
        return []
    props: dict[str, dict[str, object]] = defs.get(shape, {}).get("properties", {})
    required = set(defs.get(shape, {}).get("required", []))
    replace = Range(Position(pos.line, spot.start), pos)
    if spot.value_of is None:
        return [
            Candidate(
                label=key,
                kind="property",
                replace=replace,
                insert_text=key + (":" if prop.get("type") in ("array", "object") else ": "),
                detail=str(prop.get("description", "")),
                documentation=str(prop.get("markdownDescription", prop.get("description", ""))),
                sort_text=f"{0 if key in required else 1}{i:02d}",
                filter_text=key,
            )
            for i, (key, prop) in enumerate(props.items())
            if key not in spot.keys
        ]
    prop = props.get(spot.value_of, {})
    cur = Cursor("value", spot.value_of, spot.prefix, replace)
    if spot.value_of == "matcher":
        f = facts()
        tools = [t for t in f.tools if not t.startswith("mcp__")]
        out = [
            Candidate(
                t,
                "tool",
                replace,
                t,
                detail="tool",
                documentation=tool_doc(t) or "",
                sort_text=f"1{t}",
                filter_text=t,
            )
            for t in sorted(tools)
        ]
        examples = [str(x) for x in prop.get("examples", [])]  # type: ignore[attr-defined]
        out += [
            Candidate(x, "value", replace, x, detail="example", sort_text=f"0{i}", filter_text=x)
            for i, x in enumerate(examples)
            if x not in f.tools
        ]
        return out
    if spot.value_of == "model":
        return _values(doc, cur, path, ws)
    enum = [str(v) for v in prop.get("enum", [])]  # type: ignore[attr-defined]
    if enum:
        md = str(prop.get("markdownDescription", ""))
        return [
            Candidate(
                v,
                "enum",
                replace,
                v,
                detail=str(prop.get("description", "")),
                documentation=md,
                sort_text=f"{i:02d}",
                filter_text=v,
            )
            for i, v in enumerate(enum)
        ]
    return []


def _hook_events(doc: Document, cur: Cursor) -> list[Candidate]:
    f = facts()
    line = doc.lines[cur.replace.start.line]
    indent = len(line) - len(line.lstrip(" \t"))
    if indent == 0 or indent > 4:
        return []
    existing = set()
    e = doc.get("hooks")
    if e is not None and e.node.kind == "mapping":
        existing = {str(k.value) for k, _ in e.node.pairs}
    return [
        Candidate(ev, "event", cur.replace, ev, detail="hook event", sort_text=ev)
        for ev in sorted(f.hook_events)
        if ev not in existing or ev == cur.prefix
    ]
