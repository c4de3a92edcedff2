"""Completion, hover and outline for Claude Code's JSON files, from their schemas (pure).

Where the cursor is comes from the tokens before it, not from the tree: while a file is being
typed it rarely parses (``{"permissions": {"allow": ["Ba``). The scan keeps a stack of the
open objects and lists and the key each value belongs to, which is all completion needs:
the schema at that path says which keys, values and documentation apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from agentls.dialects.facts import claude_facts
from agentls.document.jsontree import JsonDocument
from agentls.document.yamltree import YNode
from agentls.editing.completion import Candidate
from agentls.editing.hover import HoverText
from agentls.editing.outline import Fold, Symbol
from agentls.rules.schema_walk import schema_of, walker
from agentls.types import Position, Range

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+|\s+', re.DOTALL)


# --------------------------------------------------------------------------- where


@dataclass(slots=True)
class _Frame:
    kind: str  # "object" | "array"
    key: str | None = None  # (object) the key of the value being read
    index: int = 0  # (array) the index of the item being read
    expect_key: bool = True  # (object) a key comes next
    keys: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # scalar values read so far


@dataclass(frozen=True, slots=True)
class JsonSpot:
    """The cursor's place: the path of the object or value it is in, whether a key or a
    value is being typed there, the text typed so far and the range to replace."""

    path: tuple[str | int, ...]
    role: str  # "key" | "value"
    prefix: str
    replace: Range
    quoted: bool  # the cursor is inside a string (the replacement keeps its quotes)
    keys: frozenset[str]  # keys already in the object (role "key")
    values: tuple[tuple[str, Any], ...] = ()  # its scalar values typed before the cursor


def _offset(lines: list[str], pos: Position) -> int:
    before = sum(len(line) + 1 for line in lines[: pos.line])
    return before + min(pos.character, len(lines[pos.line]))


def _pos(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset)
    return Position(line, offset - (text.rfind("\n", 0, offset) + 1))


def spot_at(text: str, pos: Position) -> JsonSpot | None:
    """Where ``pos`` is, read from the tokens before it (the text may not parse)."""
    norm = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = norm.split("\n")
    if pos.line >= len(lines):
        return None
    cut = _offset(lines, pos)
    stack: list[_Frame] = []
    last: tuple[str, int, int] | None = None  # the token the cursor is in or right after
    for m in _TOKEN.finditer(norm):
        start, end, tok = m.start(), m.end(), m.group()
        if start >= cut:
            break
        if end >= cut and (tok.startswith('"') or not (tok.isspace() or tok in "{}[]:,")):
            last = (tok, start, end)
            break
        if tok.isspace():
            continue
        top = stack[-1] if stack else None
        if tok in "{[":
            if top is not None and top.kind == "object":
                top.expect_key = False
            stack.append(_Frame("object" if tok == "{" else "array"))
        elif tok in "}]":
            if stack:
                stack.pop()
        elif tok == ":":
            if top is not None and top.kind == "object":
                top.expect_key = False
        elif tok == ",":
            if top is not None and top.kind == "object":
                top.expect_key, top.key = True, None
            elif top is not None:
                top.index += 1
        elif top is not None and top.kind == "object" and top.expect_key:
            name = _unquote(tok)
            top.key = name
            top.keys.append(name)
            top.expect_key = False  # until ":" (which keeps it False)
        elif top is not None and top.kind == "object" and top.key is not None:
            top.values[top.key] = _unquote(tok)
    if not stack:
        return None
    top = stack[-1]
    path = tuple(_path(stack))
    if last is not None:
        tok, start, end = last
        quoted = tok.startswith('"')
        prefix = norm[start + (1 if quoted else 0) : cut]
        closed = quoted and len(tok) >= 2 and tok.endswith('"') and end > cut
        rng = Range(_pos(norm, start), _pos(norm, end if closed or not quoted else cut))
        role = "key" if top.kind == "object" and top.expect_key else "value"
        return JsonSpot(path, role, prefix, rng, quoted, frozenset(top.keys), _vals(top))
    here = Range(pos, pos)
    role = "key" if top.kind == "object" and top.expect_key else "value"
    return JsonSpot(path, role, "", here, False, frozenset(top.keys), _vals(top))


def _vals(frame: _Frame) -> tuple[tuple[str, Any], ...]:
    return tuple(frame.values.items())


def _path(stack: list[_Frame]) -> Iterator[str | int]:
    """The keys and indexes from the root down to where the cursor is: into the value being
    read, or (at a key position) to the object whose keys are being typed."""
    for i, frame in enumerate(stack):
        last = i == len(stack) - 1
        if frame.kind == "array":
            yield frame.index
        elif frame.key is not None and not (last and frame.expect_key):
            yield frame.key


def _unquote(tok: str) -> str:
    if tok.startswith('"') and tok.endswith('"') and len(tok) >= 2:
        try:
            value: str = json.loads(tok)
            return value
        except ValueError:
            return tok[1:-1]
    return tok.strip('"')


# --------------------------------------------------------------------------- schema at a path


def schema_at(dialect: str, path: tuple[str | int, ...]) -> list[dict[str, Any]]:
    """The (resolved) schemas that apply at ``path`` (several when ``anyOf`` leaves a choice)."""
    found = schema_of(dialect)
    if found is None:
        return []
    sid, root = found
    current = [(sid, root)]
    for part in path:
        nxt: list[tuple[str, dict[str, Any]]] = []
        for base, s in current:
            for b, sub in _expand(base, s):
                if isinstance(part, int):
                    items = sub.get("items")
                    if isinstance(items, dict):
                        nxt.append((b, items))
                else:
                    props = sub.get("properties", {})
                    if part in props:
                        nxt.append((b, props[part]))
                    elif isinstance(sub.get("additionalProperties"), dict):
                        nxt.append((b, sub["additionalProperties"]))
        current = nxt
    return [s for base, s0 in current for _, s in _expand(base, s0)]


def _expand(base: str, s: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A schema with its ``$ref`` followed and its ``anyOf`` / ``allOf`` branches listed."""
    out: list[tuple[str, dict[str, Any]]] = []
    if "$ref" in s:
        b, target = walker().resolve(base, s["$ref"])
        merged = {**target, **{k: v for k, v in s.items() if k != "$ref"}}
        return _expand(b, merged)
    out.append((base, s))
    for key in ("anyOf", "allOf"):
        for sub in s.get(key, ()):
            out.extend(_expand(base, sub))
    return out


# --------------------------------------------------------------------------- completion


def complete(dialect: str, text: str, pos: Position) -> list[Candidate]:
    spot = spot_at(text, pos)
    if spot is None:
        return []
    schemas = schema_at(dialect, spot.path)
    if spot.role == "key":
        return _keys(spot, schemas)
    return _values(dialect, spot, schemas)


def _doc(s: dict[str, Any]) -> str:
    return str(s.get("markdownDescription") or s.get("description") or "")


def _allowed_keys(spot: JsonSpot, schemas: list[dict[str, Any]]) -> set[str] | None:
    """The keys of the branch the object's values select (``"type": "command"`` → the
    command handler's keys), when the schema says (``x-keys`` under ``then``)."""
    values = dict(spot.values)
    for s in schemas:
        for sub in s.get("allOf", ()):
            cond = sub.get("if", {}).get("properties", {})
            keys = sub.get("then", {}).get("x-keys")
            if not keys or not cond:
                continue
            if all(
                k in values and (values[k] == c.get("const") or values[k] in c.get("enum", ()))
                for k, c in cond.items()
            ):
                return set(keys)
    return None


def _keys(spot: JsonSpot, schemas: list[dict[str, Any]]) -> list[Candidate]:
    seen: dict[str, Candidate] = {}
    allowed = _allowed_keys(spot, schemas)
    for s in schemas:
        names: list[tuple[str, dict[str, Any]]] = list(s.get("properties", {}).items())
        enum = (s.get("propertyNames") or {}).get("enum")
        if enum:
            value_schema = (
                s.get("additionalProperties")
                if isinstance(s.get("additionalProperties"), dict)
                else {}
            )
            names += [(str(e), value_schema or {}) for e in enum]
        for i, (name, sub) in enumerate(names):
            if name in spot.keys or name in seen or name.startswith("$"):
                continue
            if allowed is not None and name not in allowed:
                continue
            if sub.get("x-internal"):
                continue
            body = json.dumps(name) + ": " + _value_snippet(sub)
            seen[name] = Candidate(
                label=name,
                kind="event" if enum and name in enum else "property",
                replace=spot.replace,
                insert_text=body,
                snippet=True,
                detail=str(sub.get("description", ""))[:120],
                documentation=_doc(sub),
                sort_text=f"{1 if sub.get('x-managedOnly') else 0}{i:04d}",
                deprecated=bool(sub.get("deprecated")),
            )
    return list(seen.values())


def _value_snippet(s: dict[str, Any]) -> str:
    t = s.get("type")
    if "$ref" in s and t is None:
        t = "object"
    if t == "array":
        return "[$0]"
    if t == "object":
        return "{$0}"
    if t == "boolean":
        return "${1|true,false|}"
    if t in ("integer", "number"):
        return "$0"
    if "enum" in s:
        values = [v for v in s["enum"] if isinstance(v, str)]
        if values:
            return (
                '"${1|'
                + ",".join(v.replace(",", "\\,").replace("|", "\\|") for v in values)
                + '|}"'
            )
    return '"$0"'


def _values(dialect: str, spot: JsonSpot, schemas: list[dict[str, Any]]) -> list[Candidate]:
    out: dict[str, Candidate] = {}

    def add(value: Any, doc: str = "", kind: str = "value", order: int = 0) -> None:
        label = value if isinstance(value, str) else json.dumps(value)
        if label in out:
            return
        text = (
            json.dumps(value)
            if not spot.quoted
            else (value if isinstance(value, str) else json.dumps(value))
        )
        out[label] = Candidate(
            label=label,
            kind=kind,
            replace=spot.replace,
            insert_text=text if not spot.quoted else json.dumps(value),
            documentation=doc,
            sort_text=f"{order:04d}",
        )

    for s in schemas:
        docs = s.get("x-enumDocs", {})
        for i, v in enumerate(s.get("enum", ())):
            if v is not None:
                add(v, str(docs.get(v, "")) if isinstance(docs, dict) else "", "enum", i)
        if "const" in s:
            add(s["const"], "", "enum")
        if s.get("type") == "boolean" or (
            isinstance(s.get("type"), list) and "boolean" in s["type"]
        ):
            add(True)
            add(False)
        for i, ex in enumerate(s.get("examples", ())):
            if isinstance(ex, str | int | float | bool):
                add(ex, "", "value", 100 + i)
    if spot.path[-2:-1] in (("allow",), ("ask",), ("deny",)) or (
        spot.path and spot.path[-1] in ("allow", "ask", "deny")
    ):
        for i, (name, info) in enumerate(sorted(claude_facts().tools.items())):
            add(name, str(info.get("description", "")), "tool", 200 + i)
    if spot.path and spot.path[-1] == "model":
        for alias, info in claude_facts().model_aliases.items():
            if alias != "inherit":
                add(alias, str(info.get("description", "")), "enum")
    return list(out.values())


# --------------------------------------------------------------------------- hover


def hover(dialect: str, doc: JsonDocument, pos: Position) -> HoverText | None:
    found = _node_at(doc.root, pos, ())
    if found is None:
        return None
    path, node, is_key = found
    schemas = schema_at(dialect, path)
    if not schemas:
        return None
    if is_key:
        s = next((x for x in schemas if _doc(x)), schemas[0])
        name = path[-1]
        text = _doc(s)
        if not text:
            return None
        extra = []
        if s.get("x-managedOnly"):
            extra.append("Read from managed settings only.")
        if s.get("deprecated"):
            extra.append("**Deprecated.**")
        return HoverText(
            f"**`{name}`** — {text}" + ("\n\n" + " ".join(extra) if extra else ""), node.range
        )
    value = node.value
    for s in schemas:
        docs = s.get("x-enumDocs")
        if isinstance(docs, dict) and isinstance(value, str) and value in docs:
            return HoverText(f"**`{value}`** — {docs[value]}", node.range)
    if isinstance(value, str) and path and path[-2:-1] and path[-2] in ("allow", "ask", "deny"):
        tool = value.split("(", 1)[0]
        info = claude_facts().tools.get(tool)
        if info:
            return HoverText(f"**`{tool}`** — {info.get('description', '')}", node.range)
    return None


def _node_at(
    node: YNode | None, pos: Position, path: tuple[str | int, ...]
) -> tuple[tuple[str | int, ...], YNode, bool] | None:
    if node is None or not node.range.contains(pos):
        return None
    if node.kind == "mapping":
        for k, v in node.pairs:
            name = k.value if isinstance(k.value, str) else str(k.value)
            if k.range.contains(pos):
                return (*path, name), k, True
            inner = _node_at(v, pos, (*path, name))
            if inner is not None:
                return inner
        return None
    if node.kind == "sequence":
        for i, item in enumerate(node.items):
            inner = _node_at(item, pos, (*path, i))
            if inner is not None:
                return inner
        return None
    return path, node, False


# --------------------------------------------------------------------------- outline


def symbols(doc: JsonDocument) -> list[Symbol]:
    """The keys of the file, nested as written (objects and lists of objects)."""
    root = doc.root
    return _symbols(root) if root is not None and root.kind == "mapping" else []


def _symbols(node: YNode, depth: int = 0) -> list[Symbol]:
    out: list[Symbol] = []
    if depth > 12:
        return out
    for k, v in node.pairs:
        name = k.value if isinstance(k.value, str) else str(k.value)
        children: list[Symbol] = []
        detail = ""
        if v.kind == "mapping":
            children = _symbols(v, depth + 1)
        elif v.kind == "sequence":
            detail = f"{len(v.items)} item{'s' if len(v.items) != 1 else ''}"
            for i, item in enumerate(v.items):
                if item.kind == "mapping":
                    children.append(
                        Symbol(
                            f"[{i}]", "key", item.range, item.range, "", _symbols(item, depth + 1)
                        )
                    )
        else:
            detail = json.dumps(v.value, ensure_ascii=False)[:60]
        out.append(
            Symbol(name, "key", Range(k.range.start, v.range.end), k.range, detail, children)
        )
    return out


def folding_ranges(doc: JsonDocument) -> list[Fold]:
    """Every object and list written over several lines (at most 5,000: a generated file)."""
    out: list[Fold] = []
    stack = [doc.root] if doc.root is not None else []
    while stack and len(out) < 5_000:
        node = stack.pop()
        if node.kind in ("mapping", "sequence") and node.range.end.line > node.range.start.line:
            # the closing bracket's line stays visible
            out.append(Fold(node.range.start.line, node.range.end.line - 1, "region"))
        if node.kind == "mapping":
            stack += [v for _, v in reversed(node.pairs)]
        elif node.kind == "sequence":
            stack += list(reversed(node.items))
    return sorted(out, key=lambda f: (f.start, f.end))
