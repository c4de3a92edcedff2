"""A YAML tree whose every node carries its exact span.

PyYAML's composer (the C one when available) gives nodes with marks; we convert them into
our own small tree, resolving plain scalars with the YAML 1.2 core schema (what Claude
Code's parser uses: ``yes`` is a string, not a boolean). Aliases are not expanded, so an
alias bomb costs nothing; the conversion is bounded in node count and depth.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C composer is ~10x faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# The node type is shared by the YAML, JSON and TOML trees; it lives apart so that reading
# a TOML configuration does not import PyYAML (``check``'s parent process never does).
from agentls.document.nodes import MAX_DEPTH as MAX_DEPTH
from agentls.document.nodes import MAX_NODES as MAX_NODES
from agentls.document.nodes import TreeLimitError as TreeLimitError
from agentls.document.nodes import YNode as YNode
from agentls.types import Position, Range

# YAML 1.2 core schema, for plain scalars.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_BOOL_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

# Python refuses to convert between int and decimal text beyond 4,300 digits (ValueError,
# a guard against its quadratic conversion): a 5,000-digit `maxTurns` took every check down.
# Integers whose literal is longer than LONG_DIGITS are LongInt: an int whose str() and
# repr() are the literal as written, so that every message, hover and JSON output can show
# it without a conversion.
LONG_DIGITS = 1_000
_PY_DIGITS = 4_000  # below Python's 4,300-digit limit for decimal text


class LongInt(int):
    """An integer written with more than LONG_DIGITS digits.

    Its value is exact when Python converts it in linear time (hexadecimal and octal, or
    decimal up to 4,000 digits); a longer decimal one is ±10**4000 (the sign and "larger
    than any bound of a schema or a rule" are what the checks use). ``str()`` and ``repr()``
    give the literal."""

    literal: str

    def __new__(cls, value: int, literal: str) -> LongInt:
        out = super().__new__(cls, value)
        out.literal = literal
        return out

    def __str__(self) -> str:
        return self.literal

    def __repr__(self) -> str:
        return self.literal

    def __format__(self, spec: str) -> str:
        try:
            return format(self.literal, spec)
        except ValueError:  # a numeric spec (",", "d"...): the literal as written
            return self.literal


def parse_int(text: str) -> int | None:
    """A YAML 1.2 core integer (decimal with an optional sign, ``0o``, ``0x``) of any length,
    or None when ``text`` is not one. Never raises; linear in the length of ``text``."""
    if _INT10.match(text):
        digits = text.lstrip("+-")
        if len(digits) <= LONG_DIGITS:
            return int(text)
        sign = -1 if text.startswith("-") else 1
        exact = len(digits) <= _PY_DIGITS
        return LongInt(int(text) if exact else sign * 10**_PY_DIGITS, text)
    for pattern, base in ((_INT8, 8), (_INT16, 16)):
        if pattern.match(text):
            value = int(text[2:], base)  # power-of-two bases: linear, never refused
            return LongInt(value, text) if len(text) - 2 > LONG_DIGITS else value
    return None


def decimal_text(text: str) -> int | None:
    """The whole number of a string of decimal digits (any script's, as ``int()`` reads them;
    spaces around allowed), or None. Never raises: long ones are LongInt."""
    digits = text.strip()
    if not digits.isdecimal():  # not isdigit(): "²" is a digit that int() refuses
        return None
    if len(digits) <= LONG_DIGITS:
        return int(digits)
    return LongInt(int(digits) if len(digits) <= _PY_DIGITS else 10**_PY_DIGITS, digits)


# The first characters of every plain scalar that is not a string in the core schema (null,
# booleans, numbers; "" and "\n" match _NULL's empty alternative): any other is text, without
# nine regular expressions (most plain values are words: tool names, keys, descriptions).
_NOT_TEXT_START = frozenset("~nNtTfF0123456789+-.\n")


def resolve_plain(text: str) -> Any:
    if text and text[0] not in _NOT_TEXT_START:
        return text
    if _NULL.match(text):
        return None
    if _BOOL_TRUE.match(text):
        return True
    if _BOOL_FALSE.match(text):
        return False
    number = parse_int(text)
    if number is not None:
        return number
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


_STR = "tag:yaml.org,2002:str"


def _resolve_scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag or ""
    value: str = node.value
    if tag in (_STR, "!", ""):
        # With no implicit resolvers every untagged scalar arrives as a string.
        return resolve_plain(value) if not node.style else value
    if tag.endswith(":int"):  # `!!int 12`: the same forms as a plain integer
        number = parse_int(value.strip())
        return value if number is None else number
    if tag.endswith(":bool"):
        return value.lower() == "true"
    if tag.endswith(":null"):
        return None
    if tag.endswith(":float"):
        try:
            return float(value)
        except ValueError:
            return value
    return value


_tuple = tuple.__new__  # Range / Position without their named-tuple constructors' frames


def _range(node: yaml.Node, line_offset: int) -> Range:
    """The node's span. Every node gets one: built directly as the named tuples they are
    (their ``__new__`` is a Python function: a third of this, per node)."""
    s, e = node.start_mark, node.end_mark
    return _tuple(
        Range,
        (
            _tuple(Position, (s.line + line_offset, s.column)),
            _tuple(Position, (e.line + line_offset, e.column)),
        ),
    )


class _Builder:
    def __init__(self, line_offset: int, unmask: dict[int, str] | None = None) -> None:
        self.line_offset = line_offset
        self.unmask = unmask
        self.count = 0
        self.seen: dict[int, YNode] = {}
        # the nesting of a built node's value, aliases followed: a chain of 300 anchors,
        # each holding an alias of the one before, is 300 levels deep once read (Python
        # values, Claude Code's parser), though each is one level deeper than the last
        self.height: dict[int, int] = {}

    def build(self, node: yaml.Node, depth: int = 0) -> YNode:
        if depth > MAX_DEPTH:
            raise TreeLimitError(f"the YAML is nested more than {MAX_DEPTH} levels deep")
        key = id(node)
        if key in self.seen:  # an alias: share, never expand
            if depth + self.height.get(key, 0) > MAX_DEPTH:  # 0: its own alias (a cycle)
                raise TreeLimitError(f"the YAML is nested more than {MAX_DEPTH} levels deep")
            return self.seen[key]
        self.count += 1
        if self.count > MAX_NODES:
            raise TreeLimitError(f"the YAML has more than {MAX_NODES} nodes")
        rng = _range(node, self.line_offset)
        if isinstance(node, yaml.ScalarNode):
            value = _resolve_scalar(node)
            if self.unmask and isinstance(value, str):
                value = value.translate(self.unmask)
            out = YNode("scalar", rng, value, node.style or None, node.tag or "")
            self.seen[key] = out
            return out
        if isinstance(node, yaml.SequenceNode):
            out = YNode("sequence", rng, [], None, node.tag or "", flow=bool(node.flow_style))
            self.seen[key] = out
            out.value = [self.build(n, depth + 1) for n in node.value]
            self.height[key] = 1 + max((self.height.get(id(n), 0) for n in node.value), default=0)
            return out
        assert isinstance(node, yaml.MappingNode)
        out = YNode("mapping", rng, None, None, node.tag or "", flow=bool(node.flow_style))
        self.seen[key] = out
        out.pairs = [(self.build(k, depth + 1), self.build(v, depth + 1)) for k, v in node.value]
        self.height[key] = 1 + max(
            (self.height.get(id(n), 0) for pair in node.value for n in pair), default=0
        )
        return out


@dataclass(frozen=True, slots=True)
class YamlError:
    message: str  # PyYAML's problem text
    line: int
    column: int
    context: str = ""


_DEFAULT_TAG = {
    yaml.ScalarNode: _Loader.DEFAULT_SCALAR_TAG,
    yaml.SequenceNode: _Loader.DEFAULT_SEQUENCE_TAG,
    yaml.MappingNode: _Loader.DEFAULT_MAPPING_TAG,
}


class _FastLoader(_Loader):
    """The safe loader without implicit resolvers: we resolve plain scalars ourselves."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        # With neither implicit nor path resolvers, PyYAML's resolve gives the default tag
        # of the node's kind, after a few look-ups per node (a tenth of composing a list).
        return _DEFAULT_TAG[kind]


_FastLoader.yaml_implicit_resolvers = {}


# PyYAML reads NEL, LS and PS as line breaks (YAML 1.1); YAML 1.2 readers (Claude Code's)
# and LSP do not. Masked with noncharacters absent from the text, so that marks (positions)
# count lines as the document model does; scalar values get the original characters back.
_YAML11_BREAKS = "\x85\u2028\u2029"


def _mask_breaks(text: str) -> tuple[str, dict[int, str] | None]:
    if not any(b in text for b in _YAML11_BREAKS):
        return text, None
    free = [c for c in map(chr, range(0xFDD0, 0xFDF0)) if c not in text]
    breaks = [b for b in _YAML11_BREAKS if b in text]
    if len(free) < len(breaks):  # pragma: no cover - a text holding 30 noncharacters
        return text, None
    mask = {ord(b): m for b, m in zip(breaks, free, strict=False)}
    return text.translate(mask), {ord(m): chr(b) for b, m in mask.items()}


_NOT_FLOW = re.compile(r"[^\[\]{}]+")


def _flow_too_deep(text: str) -> bool:
    """More than MAX_DEPTH nested ``[``/``{``: PyYAML would recurse for a second or more."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for c in _NOT_FLOW.sub("", text):
        depth = depth + 1 if c in "[{" else max(0, depth - 1)
        if depth > MAX_DEPTH:
            return True
    return False


def compose(text: str, line_offset: int = 0) -> tuple[YNode | None, YamlError | None]:
    """Parse ``text`` into a positioned tree; on failure return the error position."""
    if _flow_too_deep(text):
        return None, YamlError(
            f"the YAML is nested more than {MAX_DEPTH} levels deep", line_offset, 0
        )
    text, unmask = _mask_breaks(text)
    try:
        root = yaml.compose(text, Loader=_FastLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + line_offset
        col = mark.column if mark else 0
        return None, YamlError(
            str(exc.problem or "invalid YAML"), line, col, str(exc.context or "")
        )
    except yaml.YAMLError as exc:  # e.g. a second document or a reader error
        return None, YamlError(str(exc), line_offset, 0)
    except RecursionError:
        return None, YamlError("the YAML is nested too deeply to read", line_offset, 0)
    if root is None:
        return None, None
    try:
        return _Builder(line_offset, unmask).build(root), None
    except (TreeLimitError, RecursionError) as exc:
        return None, YamlError(str(exc), line_offset, 0)


# Escapes for a YAML double-quoted scalar. Besides `"` and `\`: every character that YAML
# 1.1 readers (PyYAML, js-yaml) or YAML 1.2 readers treat as a line break (LF, CR, NEL, LS,
# PS: written raw they fold into a space or end the line) and every character outside
# YAML's printable set (C0 and C1 controls, DEL, surrogates, U+FFFE/U+FFFF), which a
# reader rejects.
_NAMED_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
_NEEDS_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]')


def _escape(ch: str) -> str:
    named = _NAMED_ESCAPES.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def yaml_double_quote(value: str, *, keep_newline_escapes: bool = False) -> str:
    """A YAML double-quoted scalar that every YAML reader reads back as ``value``.

    With ``keep_newline_escapes`` a backslash followed by ``n`` is written as YAML's ``\\n``
    escape, which reads as a line break: what Claude Code makes of ``\\n`` in a description
    anyway (it replaces them after reading)."""
    if keep_newline_escapes:
        parts = value.split("\\n")
        return '"' + "\\n".join(_NEEDS_ESCAPE.sub(lambda m: _escape(m[0]), p) for p in parts) + '"'
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _escape(m[0]), value) + '"'
