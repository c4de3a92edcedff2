"""The positioned tree's node, shared by the YAML, JSON and TOML readers (no PyYAML here)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from agentls.types import Range

MAX_NODES = 200_000
MAX_DEPTH = 200


class TreeLimitError(Exception):
    """The YAML is too large or too deeply nested to analyse."""


@dataclass(slots=True)
class YNode:
    kind: str  # "scalar" | "mapping" | "sequence" | "alias"
    range: Range
    value: Any = None  # scalar: the resolved Python value; sequence: list[YNode]
    style: str | None = None  # scalar style: None (plain), "'", '"', "|", ">"
    tag: str = ""
    pairs: list[tuple[YNode, YNode]] = field(default_factory=list)  # mapping only
    flow: bool = False

    @property
    def items(self) -> list[YNode]:
        return self.value if self.kind == "sequence" else []

    def to_python(self, _depth: int = 0, _memo: dict[int, Any] | None = None) -> Any:
        """Plain Python values. Shared (aliased) nodes become shared objects: an alias bomb
        stays as small as its text."""
        if _depth > MAX_DEPTH:
            raise TreeLimitError("nesting too deep")
        if self.kind == "scalar":
            return self.value
        memo = {} if _memo is None else _memo
        key = id(self)
        if key in memo:
            return memo[key]
        if self.kind == "sequence":
            out_list: list[Any] = []
            memo[key] = out_list
            out_list.extend(n.to_python(_depth + 1, memo) for n in self.value)
            return out_list
        if self.kind == "mapping":
            out: dict[Any, Any] = {}
            memo[key] = out
            for k, v in self.pairs:
                kv = k.to_python(_depth + 1, memo)
                try:
                    out[kv] = v.to_python(_depth + 1, memo)
                except TypeError:  # unhashable key
                    out[str(kv)] = v.to_python(_depth + 1, memo)
            return out
        return None

    @property
    def json_type(self) -> str:
        """The JSON type: object, array, string, integer, number, boolean, null (a value
        of another type, a TOML date for one, is a string)."""
        if self.kind == "mapping":
            return "object"
        if self.kind == "sequence":
            return "array"
        v = self.value
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "boolean"
        if isinstance(v, int):
            return "integer"
        if isinstance(v, float):
            return "integer" if v.is_integer() and math.isfinite(v) else "number"
        return "string"

    @property
    def type_name(self) -> str:
        return _TYPE_NAMES[self.json_type]


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    cause: str
    message: str
    range: Range
    # what YAML makes of the value, for a message that words it its own way (the special
    # first characters: "YAML reads a value starting with `&` as an anchor")
    why: str = ""


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "null": "empty (null)",
    "boolean": "a boolean",
    "integer": "a number",
    "number": "a number",
    "string": "a string",
}
