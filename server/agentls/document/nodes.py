"""The positioned tree's node, shared by the YAML, JSON and TOML readers (no PyYAML here)."""

from __future__ import annotations

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
    def type_name(self) -> str:
        if self.kind == "mapping":
            return "a mapping"
        if self.kind == "sequence":
            return "a list"
        v = self.value
        if v is None:
            return "empty (null)"
        if isinstance(v, bool):
            return "a boolean"
        if isinstance(v, int):
            return "a number"
        if isinstance(v, float):
            return "a number"
        return "a string"


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    cause: str
    message: str
    range: Range
    # what YAML makes of the value, for a message that words it its own way (the special
    # first characters: "YAML reads a value starting with `&` as an anchor")
    why: str = ""
