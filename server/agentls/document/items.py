"""List values written as text: ``tools: Read, Grep, Bash(git add, git commit)``.

Claude Code splits ``tools``, ``disallowedTools`` and ``skills`` strings on commas and
whitespace outside parentheses (formats.md §2.3); a YAML list's items are split the same
way. The one splitter here serves the effective configuration, the rules and the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from agentls.document.yamltree import YNode
from agentls.types import Position, Range

_PLAIN_ITEM = re.compile(r"[^,\s]+")  # \s is str.isspace(), as in the loop below


def split_items(text: str) -> list[tuple[str, int]]:
    """The non-empty pieces of ``text`` between commas and whitespace outside parentheses,
    each with its offset. An unclosed parenthesis runs to the end of the text."""
    if text.isalnum():  # one word (a YAML list item `- Read`): one piece
        return [(text, 0)]
    if "(" not in text:  # the usual case, in C: 4x faster than the loop on 1 MB
        return [(m.group(), m.start()) for m in _PLAIN_ITEM.finditer(text)]
    out: list[tuple[str, int]] = []
    depth = 0
    start: int | None = None
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        if depth == 0 and (ch == "," or ch.isspace()):
            if start is not None:
                out.append((text[start:i], start))
                start = None
        elif start is None:
            start = i
    if start is not None:
        out.append((text[start:], start))
    return out


# A piece of a list value: its text, and where it is written (line, column), or line -1
# where the written text differs from the value (escapes, folded lines). Plain tuples: a
# Range per piece cost ~6 us on a loaded machine, and a list of 110,000 tool names needs
# the ranges of the few it reports only (issue 14, class 7).
Piece = tuple[str, int, int]


def value_pieces(node: YNode, lines: list[str]) -> list[Piece]:
    """Each piece of a list value (a string, or a list of strings) with where it is
    written; see :data:`Piece`."""
    out: list[Piece] = []
    if node.kind == "sequence":
        for item in node.items:
            if item.kind == "scalar" and isinstance(item.value, str):
                _scalar_pieces(item, lines, out)
    elif node.kind == "scalar" and isinstance(node.value, str):
        _scalar_pieces(node, lines, out)
    return out


def piece_range(piece: Piece, whole: Range) -> Range:
    """The range of a piece; ``whole`` (the value's) where it cannot be placed exactly."""
    text, line, col = piece
    if line < 0:
        return whole
    return Range(Position(line, col), Position(line, col + len(text)))


def value_items(node: YNode, lines: list[str]) -> Iterator[tuple[str, Range | None]]:
    """Each piece of a list value with its exact range, or None (see :data:`Piece`)."""
    for piece in value_pieces(node, lines):
        yield piece[0], (piece_range(piece, node.range) if piece[1] >= 0 else None)


def _scalar_pieces(node: YNode, lines: list[str], out: list[Piece]) -> None:
    r = node.range
    value: str = node.value
    if r.start.line == r.end.line and node.style in (None, '"', "'") and r.start.line < len(lines):
        quote = 1 if node.style else 0
        start = r.start.character + quote
        text = lines[r.start.line][start : r.end.character - quote]
        if text == value or node.style is None:
            line = r.start.line
            found = split_items(text)
            if len(found) == 1:  # a list item of one name: no generator
                out.append((found[0][0], line, start + found[0][1]))
            else:
                out.extend((piece, line, start + at) for piece, at in found)
            return
    out.extend((piece, -1, 0) for piece, _ in split_items(value))
