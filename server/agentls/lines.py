"""Lines as LSP counts them: the one place for where a line ends.

LSP ends a line at CR LF, LF or CR, and nowhere else. Python's ``str.splitlines`` also
breaks at VT, FF, FS, GS, RS, NEL, LS and PS: a position computed from it lands on the wrong
line as soon as a file holds one of those (issue 14: an agent's edit after a form feed was
applied in the middle of another line). Everything that turns a text and a position into
each other goes through here: the document model's line split, the server's copy of open
documents, the edits the server sends (agent proposals, quick fixes, fix-all, rename).

Positions here are code points within a line; the LSP layer converts them to the client's
units (``agentls.lsp.convert``).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from agentls.types import Position, Range, TextEdit

LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPLIT = re.compile(r"(\r\n|\r|\n)")
# where str.splitlines breaks a line and LSP does not
_ODD_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def lsp_lines(text: str) -> list[str]:
    """The lines of ``text`` with their line breaks; no empty last line after a final
    break (like ``str.splitlines(keepends=True)`` where that agrees with LSP)."""
    if not any(c in text for c in _ODD_BREAKS):
        return text.splitlines(True)  # splitlines agrees and is ~7x faster
    return _LINE.findall(text)


def line_texts(text: str) -> list[str]:
    """The lines of ``text`` without their breaks, as LSP counts them (what
    ``str.splitlines()`` gives where it agrees with LSP)."""
    if not any(c in text for c in _ODD_BREAKS):
        return text.splitlines()
    return [line.rstrip("\r\n") for line in _LINE.findall(text)]


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """The lines of ``text`` and their line breaks, apart: ``"a\\nb"`` gives
    ``(["a", "b"], ["\\n", ""])``; a text ending in a break has a last, empty line."""
    if "\r" not in text:  # the common case, ~10x faster than the regular expression
        lines = text.split("\n")
        return lines, ["\n"] * (len(lines) - 1) + [""]
    parts = _SPLIT.split(text)
    lines = parts[0::2]
    endings = parts[1::2]
    endings.append("")
    return lines, endings


def line_starts(text: str) -> list[int]:
    """The offset at which each line starts (the first is 0)."""
    return [0, *(m.end() for m in LINE_BREAK.finditer(text))]


def offset_to_position(text: str, offset: int, starts: list[int] | None = None) -> Position:
    """The (line, character in code points) of ``offset``. An offset between the CR and the
    LF of a CR LF has no LSP position: it gives the end of its line (callers that build
    edits widen their range over the whole break, see ``runner.proposals.minimal_edit``)."""
    starts = starts if starts is not None else line_starts(text)
    offset = max(0, min(offset, len(text)))
    line = bisect_right(starts, offset) - 1
    return Position(line, min(offset, _content_end(text, starts, line)) - starts[line])


def position_to_offset(text: str, pos: Position, starts: list[int] | None = None) -> int:
    """The offset of ``pos``; a line past the last is the end of the text, a character
    past the end of its line is the end of that line (before its break), as LSP says."""
    starts = starts if starts is not None else line_starts(text)
    if pos.line >= len(starts):
        return len(text)
    if pos.line < 0:
        return 0
    end = _content_end(text, starts, pos.line)
    return starts[pos.line] + max(0, min(pos.character, end - starts[pos.line]))


def _content_end(text: str, starts: list[int], line: int) -> int:
    if line + 1 >= len(starts):
        return len(text)
    nxt = starts[line + 1]
    return nxt - 2 if text[nxt - 2 : nxt] == "\r\n" else nxt - 1


def minimal_edit(original: str, new: str) -> TextEdit:
    """One :class:`TextEdit` turning ``original`` into ``new`` (common prefix/suffix kept),
    its range in LSP lines (LSP lines, as everywhere here). A range never ends between the CR and
    the LF of a line break: no LSP position is there, so the edit takes in the whole break."""
    start = 0
    limit = min(len(original), len(new))
    while start < limit and original[start] == new[start]:
        start += 1
    end_o, end_n = len(original), len(new)
    while end_o > start and end_n > start and original[end_o - 1] == new[end_n - 1]:
        end_o -= 1
        end_n -= 1
    if 0 < start < len(original) and original[start - 1 : start + 1] == "\r\n":
        start -= 1  # the CR is in the common prefix of both texts
    if 0 < end_o < len(original) and original[end_o - 1 : end_o + 1] == "\r\n":
        end_o += 1  # the LF is in the common suffix of both texts
        end_n += 1
    starts = line_starts(original)
    return TextEdit(
        Range(
            offset_to_position(original, start, starts),
            offset_to_position(original, end_o, starts),
        ),
        new[start:end_n],
    )
