"""A JSON Schema walk over the positioned tree: each problem comes with its node.

jsonschema takes 80 to 120 ms on a 20 KB settings file (the agent files' diagnostics have a
10 ms p99 budget) and answers with paths to map back to positions. This walk supports the
subset of Draft 2020-12 that agentls's schemas use (``SUPPORTED``; a test keeps the schemas
inside it) and yields problems on the nodes themselves, in document order: the messages
and ranges are then one step away.

``anyOf`` is read the way people read it: when exactly one branch accepts the node's type,
the node is checked against that branch (so ``"agents": ["./x"]`` is told what is wrong
inside the list); otherwise one problem names the accepted types.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urldefrag, urljoin

from agentls.document.yamltree import YNode

# Keywords the walk checks, and the annotations it knowingly ignores.
CHECKED = frozenset(
    {
        "type",
        "enum",
        "const",
        "properties",
        "additionalProperties",
        "propertyNames",
        "required",
        "items",
        "anyOf",
        "allOf",
        "if",
        "then",
        "not",
        "minLength",
        "maxLength",
        "minItems",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "format",
        "$ref",
    }
)
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "title",
        "description",
        "markdownDescription",
        "default",
        "examples",
        "deprecated",
        "markdownEnumDescriptions",
    }
)
SUPPORTED = CHECKED | ANNOTATIONS

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One way a node breaks its schema.

    ``kind``: type, enum, const, required, unknown-key, property-name, min-length,
    max-length, min-items, pattern, minimum, maximum, format, any-of, not.
    ``node`` is the offending value (for ``required``: the mapping that lacks the key; for
    ``unknown-key`` and ``property-name``: the key). ``key`` is the key node the value sits
    under, when it sits in a mapping.
    """

    kind: str
    node: YNode
    path: Path
    schema: dict[str, Any]
    key: YNode | None = None
    detail: dict[str, Any] = field(default_factory=dict)


Resolver = Callable[[str, str], tuple[str, dict[str, Any]]]
# The problems of the mappings and lists walked in one tree, by identity (node, schema, base,
# path, key), and those of the last reading of the same document, whose untouched subtrees
# the new tree shares (agentls.document.jsontree: a document being edited). A keystroke in a
# permission rule of a 20 KB settings file then walks the root, `permissions` and its list
# again, not the hooks, env... (check_common 0.35 -> ~0.15 ms of CPU).
_Walked = dict[
    tuple[int, int, str, Path, int], tuple[YNode, dict[str, Any], YNode | None, list[Problem]]
]
Memo = tuple[_Walked, _Walked | None]


def _type_ok(actual: str, wanted: Any) -> bool:
    types = wanted if isinstance(wanted, list) else [wanted]
    return actual in types or (actual == "integer" and "number" in types)


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#]+[^\s]*$")


class Walker:
    """Checks trees against the schemas ``resolve`` finds (``$ref`` → (base, schema))."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve
        # (schema, base) -> (value type, value) -> whether a scalar of that value is valid
        # there: a 20 KB settings file is ~400 permission rules of one schema, and a file
        # being edited is walked again on every keystroke (the walk of one string: ~6 µs; a
        # look-up here: ~0.3 µs).
        self._scalars: dict[tuple[int, str], dict[tuple[type, Any], bool]] = {}
        self._scalars_count = 0

    def _scalar_ok(self, node: YNode, schema: dict[str, Any], base: str) -> bool:
        """Whether the scalar ``node`` has no problem against ``schema`` (remembered)."""
        known = self._scalars.get((id(schema), base))
        key = (type(node.value), node.value)
        ok = known.get(key) if known is not None else None
        if ok is None:
            ok = next(self._walk(node, schema, base, (), None), None) is None
            if self._scalars_count >= 50_000:
                self._scalars.clear()
                self._scalars_count = 0
            self._scalars.setdefault((id(schema), base), {})[key] = ok
            self._scalars_count += 1
        return ok

    def walk(
        self,
        node: YNode,
        schema: dict[str, Any],
        base: str,
        path: Path = (),
        key: YNode | None = None,
        memo: Memo | None = None,
    ) -> Iterator[Problem]:
        """The problems of ``node`` against ``schema`` (whose ``$id`` is ``base``); ``path``
        and ``key`` say where the node sits when it is not the document's root. ``memo``:
        the problems of the subtrees walked in this tree, and those of the last reading of
        the same document (see :data:`Memo`)."""
        yield from self._walk(node, schema, base, path, key, memo)

    def valid(self, node: YNode, schema: dict[str, Any], base: str) -> bool:
        if node.kind == "scalar":
            return self._scalar_ok(node, schema, base)
        return next(self._walk(node, schema, base, (), None), None) is None

    # ------------------------------------------------------------------ the walk

    def _walk(
        self,
        node: YNode,
        schema: dict[str, Any],
        base: str,
        path: Path,
        key: YNode | None,
        memo: Memo | None = None,
    ) -> Iterator[Problem]:
        if "$ref" in schema:
            new_base, target = self.resolve(base, schema["$ref"])
            yield from self._walk(node, target, new_base, path, key, memo)
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            if not (rest.keys() & CHECKED):
                return
            schema = rest
        actual = node.json_type
        wanted = schema.get("type")
        if wanted is not None and not _type_ok(actual, wanted):
            yield Problem("type", node, path, schema, key, {"expected": wanted, "actual": actual})
            return  # nothing else of this schema makes sense for a value of another type
        if "const" in schema and node.kind == "scalar" and node.value != schema["const"]:
            yield Problem("const", node, path, schema, key, {"expected": schema["const"]})
        if "enum" in schema and (node.kind != "scalar" or node.value not in schema["enum"]):
            yield Problem("enum", node, path, schema, key, {"allowed": schema["enum"]})
        if actual == "string":
            yield from self._string(node, schema, path, key)
        elif actual in ("integer", "number"):
            yield from self._number(node, schema, path, key)
        elif actual == "object":
            yield from self._object(node, schema, base, path, key, memo)
        elif actual == "array":
            yield from self._array(node, schema, base, path, memo)
        if "anyOf" in schema:
            yield from self._any_of(node, schema, base, path, key, memo)
        for sub in schema.get("allOf", ()):
            yield from self._walk(node, sub, base, path, key, memo)
        if "if" in schema and "then" in schema and self.valid(node, schema["if"], base):
            yield from self._walk(node, schema["then"], base, path, key, memo)
        if "not" in schema and self.valid(node, schema["not"], base):
            yield Problem("not", node, path, schema, key)

    def _string(
        self, node: YNode, schema: dict[str, Any], path: Path, key: YNode | None
    ) -> Iterator[Problem]:
        text: str = node.value
        if "minLength" in schema and len(text) < schema["minLength"]:
            yield Problem("min-length", node, path, schema, key, {"limit": schema["minLength"]})
        if "maxLength" in schema and len(text) > schema["maxLength"]:
            yield Problem("max-length", node, path, schema, key, {"limit": schema["maxLength"]})
        if "pattern" in schema and not _regex(schema["pattern"]).search(text):
            yield Problem("pattern", node, path, schema, key, {"pattern": schema["pattern"]})
        if schema.get("format") == "uri" and not _URI.match(text):
            yield Problem("format", node, path, schema, key, {"format": "uri"})

    def _number(
        self, node: YNode, schema: dict[str, Any], path: Path, key: YNode | None
    ) -> Iterator[Problem]:
        v = node.value
        if "minimum" in schema and v < schema["minimum"]:
            yield Problem("minimum", node, path, schema, key, {"limit": schema["minimum"]})
        if "exclusiveMinimum" in schema and v <= schema["exclusiveMinimum"]:
            yield Problem(
                "minimum",
                node,
                path,
                schema,
                key,
                {"limit": schema["exclusiveMinimum"], "exclusive": True},
            )
        if "maximum" in schema and v > schema["maximum"]:
            yield Problem("maximum", node, path, schema, key, {"limit": schema["maximum"]})

    def _object(
        self,
        node: YNode,
        schema: dict[str, Any],
        base: str,
        path: Path,
        key: YNode | None,
        memo: Memo | None,
    ) -> Iterator[Problem]:
        props: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        names = schema.get("propertyNames")
        present: set[str] = set()
        for k, v in node.pairs:
            name = k.value if isinstance(k.value, str) else str(k.value)
            present.add(name)
            sub_path = (*path, name)
            if names is not None and not self.valid(k, names, base):
                yield Problem(
                    "property-name", k, sub_path, names, k, {"allowed": names.get("enum")}
                )
                continue
            if name in props:
                sub = props[name]
            elif extra is False:
                yield Problem("unknown-key", k, sub_path, schema, k, {"known": sorted(props)})
                continue
            elif isinstance(extra, dict):
                sub = extra
            else:
                continue
            if v.kind != "scalar":
                yield from self._child(v, sub, base, sub_path, k, memo)
            elif not self._scalar_ok(v, sub, base):
                yield from self._walk(v, sub, base, sub_path, k)
        missing = [r for r in schema.get("required", ()) if r not in present]
        if missing:
            yield Problem("required", node, path, schema, key, {"missing": missing})

    def _array(
        self, node: YNode, schema: dict[str, Any], base: str, path: Path, memo: Memo | None
    ) -> Iterator[Problem]:
        items: list[YNode] = node.value
        if "minItems" in schema and len(items) < schema["minItems"]:
            yield Problem("min-items", node, path, schema, None, {"limit": schema["minItems"]})
        sub = schema.get("items")
        if isinstance(sub, dict):
            # the remembered answers for this schema looked up here, not through a call per
            # item (a settings file's ~400 rules, walked on every keystroke: 0.2 -> 0.1 ms)
            known = self._scalars.get((id(sub), base), {})
            for i, item in enumerate(items):
                if item.kind == "scalar":
                    value = item.value
                    ok = known.get((type(value), value))
                    if ok or (ok is None and self._scalar_ok(item, sub, base)):
                        continue
                    yield from self._walk(item, sub, base, (*path, i), None)
                else:
                    yield from self._child(item, sub, base, (*path, i), None, memo)

    def _child(
        self,
        node: YNode,
        schema: dict[str, Any],
        base: str,
        path: Path,
        key: YNode | None,
        memo: Memo | None,
    ) -> Iterable[Problem]:
        """The problems of a mapping or list inside the tree: remembered in ``memo``, and
        taken from the last reading's when the node is shared with it."""
        if memo is None:
            return self._walk(node, schema, base, path, key)
        done, before = memo
        at = (id(node), id(schema), base, path, id(key))
        # an entry keeps its node, schema and key: while it is kept, no other object has
        # their ids, so a hit is the same subtree walked at the same place
        hit = done.get(at) or (before.get(at) if before is not None else None)
        if hit is None:
            hit = (node, schema, key, list(self._walk(node, schema, base, path, key, memo)))
        done[at] = hit
        return hit[3]

    def _any_of(
        self,
        node: YNode,
        schema: dict[str, Any],
        base: str,
        path: Path,
        key: YNode | None,
        memo: Memo | None,
    ) -> Iterator[Problem]:
        branches: list[dict[str, Any]] = schema["anyOf"]
        if any(self.valid(node, b, base) for b in branches):
            return
        actual = node.json_type
        by_type = [b for b in branches if _type_ok(actual, self._type_of(b, base))]
        if len(by_type) == 1:
            yield from self._walk(node, by_type[0], base, path, key, memo)
            return
        accepted = [t for b in branches for t in _as_list(self._type_of(b, base)) if t]
        yield Problem(
            "any-of", node, path, schema, key, {"accepted": list(dict.fromkeys(accepted))}
        )

    def _type_of(self, branch: dict[str, Any], base: str) -> Any:
        if "$ref" in branch and "type" not in branch:
            _, target = self.resolve(base, branch["$ref"])
            return target.get("type")
        if "type" in branch:
            return branch["type"]
        if "const" in branch or "enum" in branch:
            values = [branch["const"]] if "const" in branch else branch["enum"]
            return sorted({_py_type(v) for v in values})
        return None


def _py_type(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if v is None:
        return "null"
    return "string"


def _as_list(t: Any) -> list[str]:
    if t is None:
        return []
    return list(t) if isinstance(t, list) else [t]


def schema_resolver(
    schemas: dict[str, dict[str, Any]] | Callable[[str], dict[str, Any] | None],
) -> Resolver:
    """A resolver of local and cross-file ``$ref`` over schemas keyed by their ``$id`` (a
    mapping, or a function from ``$id`` to schema)."""

    fetch = schemas.get if isinstance(schemas, dict) else schemas
    known: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}

    def resolve(base: str, ref: str) -> tuple[str, dict[str, Any]]:
        hit = known.get((base, ref))
        if hit is None:
            hit = known[(base, ref)] = _resolve(base, ref)
        return hit

    def _resolve(base: str, ref: str) -> tuple[str, dict[str, Any]]:
        url, fragment = urldefrag(urljoin(base, ref))
        doc = fetch(url)
        if doc is None:
            raise KeyError(f"no schema {url}")
        target: Any = doc
        for part in fragment.lstrip("/").split("/") if fragment else ():
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return url, target

    return resolve


@cache
def walker() -> Walker:
    """The walk over agentls's own schemas (``schemas/``, read by dialects/schemas.py)."""
    from agentls.dialects.schemas import schema_by_id

    return Walker(schema_resolver(schema_by_id))


def schema_of(dialect: str) -> tuple[str, dict[str, Any]] | None:
    """(``$id``, schema) of a dialect, for :meth:`Walker.walk`."""
    from agentls.dialects.schemas import load_schema, schema_id

    schema, sid = load_schema(dialect), schema_id(dialect)
    return None if schema is None or sid is None else (sid, schema)
