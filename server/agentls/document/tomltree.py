"""TOML → a positioned tree (the YAML tree's :class:`YNode`), for agentls's own configuration.

``tomllib`` (the standard library's TOML reader) decides whether the text is TOML and gives
the values, but no positions; a configuration problem must be shown on the key or value
that causes it. tomlkit keeps formatting but exposes no positions either, and would be one
more library in every install and in the VS Code bundle. So the text is read twice: by
``tomllib``, which is the authority (its syntax error, with its line and column, is the
one reported; its values are the ones used), and, once ``tomllib`` has accepted it, by the
scanner below, which only has to find where each key, table and value of a *valid* TOML
document starts and ends. Every value in the tree is taken from ``tomllib``'s result at the
same path, so strings, escapes, numbers and dates are never decoded twice.

Nodes follow the YAML tree (``kind`` scalar/mapping/sequence, ``style`` ``'"'`` for strings)
so that code written for the YAML and JSON trees (schema checks, hover) reads it too.
Positions count code points; lines break at ``\\n`` (TOML allows ``\\r\\n`` and nothing else).
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from agentls.document.nodes import SyntaxProblem, YNode
from agentls.types import Position, Range

# tomllib's message ends with "(at line L, column C)" (3.11-3.13; 3.14 also sets attributes)
_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_WS = re.compile(r"[ \t]*")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
_SCALAR_END = re.compile(r"[,\]}#\s]")
_TUPLE = re.compile(r"\('[^)]*\)")  # a key path as tomllib writes it: ('tool', 'agentls')


@dataclass(slots=True)
class TomlDocument:
    text: str
    lines: list[str]
    root: YNode | None  # None when the text is not valid TOML
    errors: list[SyntaxProblem] = field(default_factory=list)
    data: dict[str, Any] | None = None  # tomllib's result

    def node_at(self, *path: str) -> tuple[YNode, YNode] | None:
        """``(key node, value node)`` of the table or value at ``path``, if present."""
        node = self.root
        found: tuple[YNode, YNode] | None = None
        for part in path:
            if node is None or node.kind != "mapping":
                return None
            pair = next(((k, v) for k, v in node.pairs if k.value == part), None)
            if pair is None:
                return None
            found = pair
            node = pair[1]
        return found


def parse_toml(text: str) -> TomlDocument:
    import tomllib

    lines = text.split("\n")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return TomlDocument(text, lines, None, [_syntax_problem(exc, text, lines)])
    except ValueError:  # an integer past Python's digit limit (issue 14, class 6)
        return TomlDocument(text, lines, None, [_long_number_problem(text, lines)])
    try:
        root = _Scanner(text, data).document()
    except (_Unreadable, IndexError, KeyError, TypeError) as exc:  # pragma: no cover
        # tomllib accepted what the scanner could not follow: keep the values, place the
        # problem at the start (a bug to report, never a crash)
        problem = SyntaxProblem("scanner", f"agentls could not place this TOML: {exc}", _zero())
        return TomlDocument(text, lines, None, [problem], data)
    return TomlDocument(text, lines, root, [], data)


def _zero() -> Range:
    return Range(Position(0, 0), Position(0, 0))


def _syntax_problem(exc: Exception, text: str, lines: list[str]) -> SyntaxProblem:
    message = str(exc)
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "colno", None)
    m = _AT.search(message)
    if m:
        message = message[: m.start()]
        if m.group(1):
            line, col = int(m.group(1)), int(m.group(2))
        else:
            line, col = len(lines), len(lines[-1]) + 1
    if not isinstance(line, int) or not isinstance(col, int):
        line, col = 1, 1
    ln = min(max(line - 1, 0), len(lines) - 1)
    ch = min(max(col - 1, 0), len(lines[ln]))
    end = Position(ln, min(ch + 1, len(lines[ln]))) if ch < len(lines[ln]) else Position(ln, ch)
    message = _TUPLE.sub(lambda m: "`" + ".".join(re.findall(r"'([^']*)'", m[0])) + "`", message)
    message = message[:1].upper() + message[1:]
    return SyntaxProblem("toml", f"{message.rstrip('.')}.", Range(Position(ln, ch), end))


def _long_number_problem(text: str, lines: list[str]) -> SyntaxProblem:
    """tomllib turns decimal integers into ``int``, which refuses more than
    ``sys.get_int_max_str_digits()`` digits (4,300 by default) with a ValueError that is not
    a TOMLDecodeError and says nowhere where the number is: find the longest run of digits."""
    limit = sys.get_int_max_str_digits() or 4300
    m = max(_DIGITS.finditer(text), key=lambda m: len(m[0]), default=None)
    start = _line_col(text, m.start() if m else 0)
    end = _line_col(text, m.end() if m else 0)
    return SyntaxProblem(
        "toml",
        f"A number with more than {limit:,} digits: agentls does not read integers that long.",
        Range(start, end),
    )


_DIGITS = re.compile(r"[0-9][0-9_]*")


def _line_col(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset)
    return Position(line, offset - (text.rfind("\n", 0, offset) + 1))


class _Unreadable(Exception):
    pass


Key = tuple[str, ...]
DataPath = tuple[str | int, ...]


class _Scanner:
    """Finds the spans of a TOML document ``tomllib`` has accepted."""

    def __init__(self, text: str, data: dict[str, Any]) -> None:
        self.text = text
        self.data = data
        self.i = 0
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.root = YNode("mapping", Range(Position(0, 0), self.pos(len(text))))
        # each table's node by its key path (headers and dotted keys create them); below an
        # array of tables, the paths are those of its newest element
        self.tables: dict[Key, YNode] = {(): self.root}
        self.arrays: dict[Key, YNode] = {}

    # ------------------------------------------------------------------ positions

    def pos(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset) - 1
        return Position(line, offset - self.starts[line])

    def rng(self, start: int, end: int) -> Range:
        return Range(self.pos(start), self.pos(end))

    def key_node(self, name: str, start: int, end: int) -> YNode:
        return YNode("scalar", self.rng(start, end), name, '"')

    # ------------------------------------------------------------------ reading

    def skip_ws(self) -> None:
        m = _WS.match(self.text, self.i)
        self.i = m.end() if m else self.i

    def skip_trivia(self) -> None:
        """White space, comments and line breaks."""
        t = self.text
        while self.i < len(t):
            c = t[self.i]
            if c in " \t\r\n":
                self.i += 1
            elif c == "#":
                nl = t.find("\n", self.i)
                self.i = len(t) if nl < 0 else nl
            else:
                return

    def document(self) -> YNode:
        current: Key = ()
        t = self.text
        while True:
            self.skip_trivia()
            if self.i >= len(t):
                for _, node in self.root.pairs:
                    _fit(node)
                return self.root
            if t.startswith("[[", self.i):
                current = self.array_header()
            elif t[self.i] == "[":
                current = self.table_header()
            else:
                self.key_value(current, self.tables[current], self.tables)

    def key(self) -> list[tuple[str, int, int]]:
        """A (dotted) key: each part with its span."""
        parts: list[tuple[str, int, int]] = []
        t = self.text
        while True:
            self.skip_ws()
            start = self.i
            if t[start] in "\"'":
                end = self.string_end(start)
                name = _decode_key(t[start:end])
            else:
                m = _BARE.match(t, start)
                if m is None:
                    raise _Unreadable(f"no key at offset {start}")
                end = m.end()
                name = m.group()
            parts.append((name, start, end))
            self.i = end
            self.skip_ws()
            if self.i < len(t) and t[self.i] == ".":
                self.i += 1
                continue
            return parts

    def string_end(self, start: int) -> int:
        """Offset after the string starting at ``start`` (any of the four kinds)."""
        t = self.text
        q = t[start]
        multi = t.startswith(q * 3, start)
        delim = q * 3 if multi else q
        i = start + len(delim)
        while True:
            j = t.find(delim, i)
            if j < 0:
                raise _Unreadable("an unterminated string")
            if q == '"' and _escaped(t, j, start + len(delim)):
                i = j + 1
                continue
            if multi:  # up to two quotes of the content may touch the closing delimiter
                extra = 0
                while extra < 2 and t.startswith(q, j + 3 + extra):
                    extra += 1
                j += extra
            return j + len(delim)

    def child_table(self, tables: dict[Key, YNode], path: Key, name: str, s: int, e: int) -> YNode:
        node = tables.get(path)
        if node is None:
            node = YNode("mapping", self.rng(s, e), flow=tables is not self.tables)
            tables[path[:-1]].pairs.append((self.key_node(name, s, e), node))
            tables[path] = node
        return node

    def header(self, width: int, tables: int | None) -> tuple[int, list[tuple[str, int, int]], Key]:
        """Read ``[a.b]`` (width 1) or ``[[a.b]]`` (2): its start, its key parts, and the
        path of its first ``tables`` parts, created as tables."""
        start = self.i
        self.i += width
        parts = self.key()
        self.i += width
        path: Key = ()
        for name, s, e in parts[:tables]:
            path = (*path, name)
            self.child_table(self.tables, path, name, s, e)
        return start, parts, path

    def table_header(self) -> Key:
        start, _, path = self.header(1, None)
        node = self.tables[path]
        node.range = Range(self.pos(start), self.pos(self.i))
        return path

    def array_header(self) -> Key:
        start, parts, path = self.header(2, -1)
        name, s, e = parts[-1]
        path = (*path, name)
        arr = self.arrays.get(path)
        if arr is None:
            arr = YNode("sequence", self.rng(start, self.i), [])
            self.tables[path[:-1]].pairs.append((self.key_node(name, s, e), arr))
            self.arrays[path] = arr
        element = YNode("mapping", self.rng(start, self.i))
        arr.value.append(element)
        _extend(arr, element.range.end)
        # the tables below the previous element are not this element's
        for sub in [k for k in self.tables if len(k) > len(path) and k[: len(path)] == path]:
            del self.tables[sub]
        self.tables[path] = element
        return path

    def key_value(self, table: Key, parent: YNode, tables: dict[Key, YNode]) -> None:
        parts = self.key()
        self.i += 1  # "="
        self.skip_ws()
        path = table
        for name, s, e in parts[:-1]:
            path = (*path, name)
            parent = self.child_table(tables, path, name, s, e)
        name, s, e = parts[-1]
        path = (*path, name)
        value = self.value(self.data_path(path))
        parent.pairs.append((self.key_node(name, s, e), value))
        _extend(parent, value.range.end)

    def data_path(self, path: Key) -> DataPath:
        """Where ``path`` is in tomllib's result: an array of tables adds the index of its
        newest element (the one being read)."""
        out: list[str | int] = []
        for n, part in enumerate(path):
            out.append(part)
            arr = self.arrays.get(path[: n + 1])
            if arr is not None and n + 1 < len(path):
                out.append(len(arr.value) - 1)
        return tuple(out)

    def value(self, path: DataPath) -> YNode:
        t = self.text
        start = self.i
        c = t[start]
        if c in "\"'":
            self.i = self.string_end(start)
            return YNode("scalar", self.rng(start, self.i), self.lookup(path), '"')
        if c == "[":
            return self.array(path)
        if c == "{":
            return self.inline_table(path)
        m = _DATETIME.match(t, start)
        end = _SCALAR_END.search(t, m.end() if m else start)
        self.i = end.start() if end else len(t)
        return YNode("scalar", self.rng(start, self.i), self.lookup(path))

    def array(self, path: DataPath) -> YNode:
        start = self.i
        self.i += 1
        items: list[YNode] = []
        while True:
            self.skip_trivia()
            if self.text[self.i] == "]":
                self.i += 1
                break
            items.append(self.value((*path, len(items))))
            self.skip_trivia()
            if self.text[self.i] == ",":
                self.i += 1
        return YNode("sequence", self.rng(start, self.i), items, flow=True)

    def inline_table(self, path: DataPath) -> YNode:
        start = self.i
        self.i += 1
        node = YNode("mapping", self.rng(start, start), flow=True)
        tables: dict[Key, YNode] = {(): node}
        while True:
            self.skip_trivia()
            if self.text[self.i] == "}":
                self.i += 1
                break
            parts = self.key()
            self.i += 1  # "="
            self.skip_ws()
            inner: Key = ()
            parent = node
            for name, s, e in parts[:-1]:
                inner = (*inner, name)
                parent = self.child_table(tables, inner, name, s, e)
            name, s, e = parts[-1]
            value = self.value((*path, *inner, name))
            parent.pairs.append((self.key_node(name, s, e), value))
            self.skip_trivia()
            if self.text[self.i] == ",":
                self.i += 1
        node.range = self.rng(start, self.i)
        return node

    def lookup(self, path: DataPath) -> Any:
        v: Any = self.data
        for part in path:
            v = v[part]
        return v


def _decode_key(raw: str) -> str:
    import tomllib

    return str(tomllib.loads(f"k = {raw}")["k"])


def _escaped(text: str, quote: int, floor: int) -> bool:
    """Whether the quote at ``quote`` is escaped (an odd number of backslashes before it)."""
    n = 0
    j = quote - 1
    while j >= floor and text[j] == "\\":
        n += 1
        j -= 1
    return n % 2 == 1


def _extend(node: YNode, end: Position) -> None:
    if node.range.end < end:
        node.range = Range(node.range.start, end)


def _fit(node: YNode) -> Position:
    """Make each table and array end no earlier than its last child; returns the end."""
    for child in [v for _, v in node.pairs] + node.items:
        _extend(node, _fit(child))
    return node.range.end
