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


def value_items(node: YNode, lines: list[str]) -> Iterator[tuple[str, Range | None]]:
    """Each piece of a list value (a string, or a list of strings) with its exact range,
    or None where the written text differs from the value (escapes, folded lines)."""
    if node.kind == "sequence":
        for item in node.items:
            if item.kind == "scalar" and isinstance(item.value, str):
                yield from _scalar_items(item, lines)
    elif node.kind == "scalar" and isinstance(node.value, str):
        yield from _scalar_items(node, lines)


def _scalar_items(node: YNode, lines: list[str]) -> Iterator[tuple[str, Range | None]]:
    r = node.range
    value: str = node.value
    if r.start.line == r.end.line and node.style in (None, '"', "'") and r.start.line < len(lines):
        quote = 1 if node.style else 0
        start = r.start.character + quote
        text = lines[r.start.line][start : r.end.character - quote]
        if text == value or node.style is None:
            line = r.start.line
            for piece, at in split_items(text):
                c = start + at
                yield piece, Range(Position(line, c), Position(line, c + len(piece)))
            return
    for piece, _ in split_items(value):
        yield piece, None
