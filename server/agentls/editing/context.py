"""Where the cursor is in a frontmatter, read from the raw lines (so it works on broken YAML)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentls.document.model import Document, top_level_key
from agentls.types import Position, Range

_WORD = re.compile(r"[A-Za-z0-9_\-\[\]]*$")
LIST_KEYS = ("tools", "disallowedTools", "skills")


@dataclass(slots=True)
class Cursor:
    kind: str  # "key" | "value" | "item" | "nested-key" | "none"
    key: str | None  # the top-level key whose value holds the cursor
    prefix: str  # the text typed so far of the word under completion
    replace: Range  # the range completion replaces
    line_key: str | None = None  # the key written on the cursor's line (kind "key")
    has_colon: bool = False  # the key on this line is already followed by ``:``
    quote: str = ""  # the value is in quotes of this kind


def frontmatter_lines(doc: Document) -> tuple[int, int] | None:
    """(first content line, one past the last) of the frontmatter; None without one."""
    env = doc.env
    if env.open_line is None:
        return None
    return env.content_start, env.content_end


def line_key(line: str) -> tuple[str, int] | None:
    """The top-level key written on ``line`` and the column after its colon."""
    return top_level_key(line)


def present_keys(doc: Document) -> set[str]:
    span = frontmatter_lines(doc)
    if span is None:
        return set()
    keys = {e.key for e in doc.entries}
    for i in range(*span):
        lk = line_key(doc.lines[i])
        if lk:
            keys.add(lk[0])
    return keys


def owner_key(doc: Document, line: int) -> tuple[str, int] | None:
    """The top-level key whose value the (indented) ``line`` belongs to, and its line."""
    span = frontmatter_lines(doc)
    if span is None:
        return None
    for i in range(line, span[0] - 1, -1):
        text = doc.lines[i]
        if text and text[0] not in " \t#-":
            lk = line_key(text)
            return (lk[0], i) if lk else None
    return None


def cursor_at(doc: Document, pos: Position) -> Cursor:
    none = Cursor("none", None, "", Range(pos, pos))
    span = frontmatter_lines(doc)
    if span is None or not (span[0] <= pos.line < span[1]):
        return none
    line = doc.lines[pos.line]
    col = min(pos.character, len(line))
    before = line[:col]
    if doc.env.indent:  # indented frontmatter: read it as if dedented
        before = before[doc.env.indent :] if before[: doc.env.indent].strip() == "" else before
        line = line[doc.env.indent :] if line[: doc.env.indent].strip() == "" else line
        col -= doc.env.indent
        if col < 0:
            return none
        base = doc.env.indent
    else:
        base = 0

    def rng(start: int) -> Range:
        return Range(Position(pos.line, base + start), Position(pos.line, base + col))

    # a key being typed at the start of a line
    if before and before[0] not in " \t-#" and ":" not in before:
        m = re.fullmatch(r"[A-Za-z0-9_\-]*", before)
        if m is None:
            return none
        rest = line[col:]
        word_end = col + len(re.match(r"[A-Za-z0-9_\-]*", rest).group(0))  # type: ignore[union-attr]
        has_colon = line[word_end:].lstrip(" \t").startswith(":")
        return Cursor("key", None, before, rng(0), has_colon=has_colon)
    if not before:
        lk = line_key(line)
        return Cursor("key", None, "", rng(0), has_colon=lk is not None)
    # a value after "key:"
    lk = line_key(line)
    if lk is not None and col >= lk[1] and line[0] not in " \t":
        key, vstart = lk
        value = before[vstart:]
        lead = len(value) - len(value.lstrip(" \t"))
        value_col = vstart + lead
        value = value.lstrip(" \t")
        return _value_cursor(key, value, value_col, rng)
    # an indented line: a list item or a nested key
    owner = owner_key(doc, pos.line - 1 if not before.strip() else pos.line)
    if owner is None:
        return none
    key = owner[0]
    m = re.match(r"^([ \t]*)-[ \t]*", before)
    if m is not None:
        item = before[m.end() :]
        return _value_cursor(key, item, m.end(), rng, kind="item")
    if re.fullmatch(r"[ \t]+[A-Za-z0-9_\-]*", before):
        word = before.lstrip(" \t")
        return Cursor("nested-key", key, word, rng(len(before) - len(word)))
    return none


def _value_cursor(key: str, value: str, value_col: int, rng, kind: str = "value") -> Cursor:  # type: ignore[no-untyped-def]
    quote = ""
    if key in LIST_KEYS:
        # the piece after the last separator: "Read, Gr", "[Read, Gr", '["Read", "Gr'
        m = re.search(r"[^\s,\[\]\"']*$", value)
        assert m is not None
        start = m.start()
        if start > 0 and value[start - 1] in "\"'":
            quote = value[start - 1]
        return Cursor(kind, key, m.group(0), rng(value_col + start), quote=quote)
    if value and value[0] in "\"'":
        quote = value[0]
        value = value[1:]
        value_col += 1
    return Cursor(kind, key, value, rng(value_col), quote=quote)


def listed_items(doc: Document, key: str, owner_line: int | None = None) -> list[str]:
    """The entries already written under ``key`` (string, flow or block list), raw."""
    span = frontmatter_lines(doc)
    if span is None:
        return []
    out: list[str] = []
    start = owner_line
    if start is None:
        for i in range(*span):
            lk = line_key(doc.lines[i])
            if lk and lk[0] == key:
                start = i
                break
    if start is None:
        return []
    lk = line_key(doc.lines[start])
    head = doc.lines[start][lk[1] :] if lk else ""
    out += [p for p in re.split(r"[\s,\[\]\"']+", head) if p]
    for i in range(start + 1, span[1]):
        text = doc.lines[i]
        if text and text[0] not in " \t#":
            break
        m = re.match(r"^\s*-\s*(.*)$", text)
        if m:
            out += [p for p in re.split(r"[\s,\"']+", m.group(1)) if p]
    return out
