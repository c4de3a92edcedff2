"""An LSP client's edit applier, written from the specification without agentls code: lines
end at CR LF, LF or CR only; positions count UTF-16 code units, UTF-8 bytes or (for the
engine's own positions) code points; a character past the end of a line is its end."""

from __future__ import annotations

from collections.abc import Iterable

from lsprotocol import types as lsp

from agentls.types import Range, TextEdit


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end of content) of each line; lines end at CR LF, LF or CR only."""
    spans = []
    start = i = 0
    while i < len(text):
        if text[i] == "\r" and text[i + 1 : i + 2] == "\n":
            spans.append((start, i))
            i += 2
            start = i
        elif text[i] in "\r\n":
            spans.append((start, i))
            i += 1
            start = i
        else:
            i += 1
    spans.append((start, len(text)))
    return spans


def _units(ch: str, encoding: str) -> int:
    if encoding == "utf-16":
        return 2 if ord(ch) > 0xFFFF else 1
    if encoding == "utf-8":
        return len(ch.encode("utf-8"))
    return 1  # code points: the engine's own positions


def _offset(text: str, spans: list[tuple[int, int]], line: int, character: int, enc: str) -> int:
    if line >= len(spans):
        return len(text)
    start, end = spans[line]
    units = 0
    i = start
    while i < end and units < character:
        units += _units(text[i], enc)
        i += 1
    assert units == character or i == end, "a position inside a character"
    return i


def apply(text: str, edits: list[tuple[int, int, int, int, str]], enc: str) -> str:
    """Apply (start line, start char, end line, end char, new text) edits as an LSP client
    does: positions in ``enc`` units, non-overlapping, all against the original text."""
    spans = line_spans(text)
    located = sorted(
        (_offset(text, spans, a, b, enc), _offset(text, spans, c, d, enc), new)
        for a, b, c, d, new in edits
    )
    out, pos = [], 0
    for start, end, new in located:
        assert start >= pos and end >= start, "overlapping or inverted edits"
        out += [text[pos:start], new]
        pos = end
    return "".join([*out, text[pos:]])


def apply_edits(text: str, edits: Iterable[lsp.TextEdit | TextEdit], enc: str) -> str:
    """``apply`` for LSP edits (``enc``: "utf-16" or "utf-8") or engine edits ("code points")."""
    return apply(text, [(*_points(e.range), e.new_text) for e in edits], enc)


def _points(r: lsp.Range | Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)
