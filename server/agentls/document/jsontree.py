"""Strict JSON → a positioned tree (the YAML tree's nodes), with every syntax error placed.

Claude Code reads its JSON files (settings, ``.mcp.json``, plugin manifests, ``hooks.json``)
with ``JSON.parse``: no comments, no trailing commas (observed with ``claude doctor`` 2.1.332:
either one makes the whole file "Invalid or malformed JSON"). So the grammar here is RFC 8259,
and each error is reported at the character that breaks it, the way a person would point at
it. Errors that leave the structure readable (a comment, a trailing comma, a missing comma,
a single-quoted string) are reported and the reading goes on, so a file with one stray
comment still gets its keys checked; after any other error the tree holds what was read up
to it (values are kept; the broken one is not).

Nodes are :class:`YNode` (``kind`` scalar/mapping/sequence, ``style`` ``'"'`` for strings),
so the schema checks, the hover and the completion written for YAML trees serve JSON too.
Positions count code points, lines break at ``\\r\\n``, ``\\n`` and ``\\r`` (as the document
model and LSP do). Duplicate keys are kept in ``pairs`` (``JSON.parse`` keeps the last one;
``to_python`` does too) and listed in ``duplicates``.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from agentls.document.model import SyntaxProblem
from agentls.document.yamltree import MAX_DEPTH, MAX_NODES, YNode
from agentls.types import Position, Range

# Causes of syntax errors (also what tests and messages key on).
COMMENT = "comment"
TRAILING_COMMA = "trailing-comma"
MISSING_COMMA = "missing-comma"
SINGLE_QUOTES = "single-quotes"
UNQUOTED_KEY = "unquoted-key"
BAD_STRING = "bad-string"
BAD_NUMBER = "bad-number"
UNEXPECTED = "unexpected"
UNTERMINATED = "unterminated"
EXTRA = "extra"
TOO_DEEP = "too-deep"

# The tokens of JSON, plus what people write by mistake (comments, single quotes, words),
# so that a mistake is named rather than reported as "unexpected character".
_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\n\r]+)
  | (?P<string>"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*")
  | (?P<punct>[{}\[\]:,])
  | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?(?![0-9A-Za-z_.$+\-]))
  | (?P<word>[-+.0-9A-Za-z_$][-+.0-9A-Za-z_$]*)
  | (?P<line_comment>//[^\n\r]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<open_comment>/\*)
  | (?P<open_string>"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*\\?)
  | (?P<squote>'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*'?)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# Characters a JSON string may not hold unescaped (U+0000 to U+001F).
_CONTROL = re.compile(r"[\x00-\x1f]")
# Tokens that start a member (object) or an item (list) where a comma was forgotten.
_MEMBER_STARTS = frozenset({"string", "squote"})
_ITEM_STARTS = frozenset({"string", "number", "squote", "{", "["})
_BREAK = re.compile(r"\r\n|\n|\r")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
_VALID_ESCAPE = re.compile(r'\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})')


@dataclass(slots=True)
class JsonDocument:
    text: str
    lines: list[str]
    root: YNode | None
    errors: list[SyntaxProblem] = field(default_factory=list)
    duplicates: list[tuple[YNode, YNode]] = field(default_factory=list)  # (later key, first key)
    complete: bool = True  # False when a hard error cut the reading short
    empty: bool = False  # nothing but white space (Claude Code reads "{}"; a BOM is skipped)
    # The schema walks of this tree and of the reading it was edited from (a document being
    # edited: agentls.rules.schema_walk.Memo); None when documents are not reused.
    walks: dict[Any, Any] | None = field(default=None, compare=False, repr=False)
    walks_before: dict[Any, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def strict(self) -> bool:
        """Whether ``JSON.parse`` (Claude Code) reads the text."""
        return not self.errors

    def value(self) -> Any:
        return None if self.root is None else self.root.to_python()


@dataclass(slots=True)
class _Tok:
    kind: str
    start: int
    end: int
    text: str
    range: Range


class _Stop(Exception):
    """A hard syntax error: the reading ends here."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = _line_starts(text)
        self.errors: list[SyntaxProblem] = []
        self.duplicates: list[tuple[YNode, YNode]] = []
        self.toks: list[_Tok] = []
        self.count = 0
        self.stop = len(text)
        # Positions are counted while tokenizing (the line breaks are in the white space),
        # each token's range made once: a bisect per position cost 40 % of a 20 KB parse.
        line, line_start = 0, 0
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup or "other"
            start, end = m.span()
            if kind == "ws":
                ws = m.group()
                if "\n" in ws or "\r" in ws:
                    for b in _BREAK.finditer(ws):
                        line += 1
                        line_start = start + b.end()
                continue
            if kind in ("line_comment", "block_comment"):
                self.error(COMMENT, "Comments are not allowed in strict JSON.", start, end)
                if kind == "block_comment":
                    line, line_start = self._line_at(end)
                continue
            if kind == "open_comment":
                self.error(
                    COMMENT,
                    "Unterminated comment (comments are not allowed in strict JSON).",
                    start,
                    len(text),
                )
                break
            tok_text = m.group()
            if "\n" in tok_text or "\r" in tok_text:  # an escaped line break in a string
                rng = self.range(start, end)
                line, line_start = self._line_at(end)
            else:
                rng = Range(Position(line, start - line_start), Position(line, end - line_start))
            self.toks.append(_Tok(kind, start, end, tok_text, rng))
        self.i = 0

    # ------------------------------------------------------------------ positions

    def _line_at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, self.starts[line]

    def pos(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset) - 1
        return Position(line, offset - self.starts[line])

    def range(self, start: int, end: int) -> Range:
        return Range(self.pos(start), self.pos(end))

    def error(self, cause: str, message: str, start: int, end: int | None = None) -> None:
        self.errors.append(
            SyntaxProblem(cause, message, self.range(start, start + 1 if end is None else end))
        )

    def hard(self, cause: str, message: str, start: int, end: int | None = None) -> _Stop:
        self.error(cause, message, start, end)
        self.stop = min(self.stop, start)
        return _Stop()

    # ------------------------------------------------------------------ tokens

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def unexpected(self, tok: _Tok | None, wanted: str) -> _Stop:
        if tok is None:
            end = len(self.text)
            stop = self.hard(
                UNTERMINATED,
                f"The JSON ends too early: expected {wanted}.",
                max(0, end - 1),
                end,
            )
            self.stop = end  # every token read so far belongs to the partial tree
            return stop
        return self.hard(UNEXPECTED, f"Expected {wanted}, found {_shown(tok)}.", tok.start, tok.end)

    # ------------------------------------------------------------------ grammar

    def value(self, depth: int) -> YNode:
        if depth > MAX_DEPTH:
            tok = self.peek()
            start = tok.start if tok else len(self.text)
            raise self.hard(
                TOO_DEEP, f"The JSON is nested more than {MAX_DEPTH} levels deep.", start
            )
        self.count += 1
        if self.count > MAX_NODES:
            raise self.hard(TOO_DEEP, f"The JSON has more than {MAX_NODES} values.", 0)
        tok = self.peek()
        if tok is None:
            raise self.unexpected(None, "a value")
        if tok.kind == "punct" and tok.text == "{":
            return self.mapping(depth)
        if tok.kind == "punct" and tok.text == "[":
            return self.sequence(depth)
        self.take()
        if tok.kind == "string":
            return YNode("scalar", tok.range, self.string(tok), '"')
        if tok.kind == "number":
            return YNode("scalar", tok.range, _number(tok.text), None)
        if tok.kind == "word" and tok.text in _LITERALS:
            return YNode("scalar", tok.range, _LITERALS[tok.text], None)
        if tok.kind == "squote":
            self.single_quoted(tok)
            return YNode("scalar", tok.range, tok.text[1:-1], "'")
        if tok.kind == "open_string":
            raise self.hard(
                UNTERMINATED,
                'Unterminated string: a string must close with `"` on the same line.',
                tok.start,
                tok.end,
            )
        if tok.kind == "word":
            raise self.hard(
                BAD_NUMBER if tok.text[0] in "-+.0123456789" else UNEXPECTED,
                _word_message(tok.text),
                tok.start,
                tok.end,
            )
        raise self.hard(UNEXPECTED, f"Expected a value, found {_shown(tok)}.", tok.start, tok.end)

    def punct(self, tok: _Tok | None, char: str) -> bool:
        return tok is not None and tok.kind == "punct" and tok.text == char

    def closes(self, node: YNode, open_tok: _Tok, char: str) -> bool:
        """Whether the next token closes ``node`` (then taken, and the node's range set)."""
        tok = self.peek()
        if tok is None or not self.punct(tok, char):
            return False
        self.take()
        node.range = Range(open_tok.range.start, tok.range.end)
        return True

    def after_item(
        self, node: YNode, open_tok: _Tok, close: str, starts: frozenset[str], what: str
    ) -> bool:
        """After a member or an item: True when the container is closed, False to read the
        next one. A trailing comma and a missing comma are reported, and the reading goes on."""
        tok = self.peek()
        if self.punct(tok, ","):
            comma = self.take()
            if self.closes(node, open_tok, close):
                self.error(
                    TRAILING_COMMA,
                    f"Trailing comma: strict JSON allows no comma before `{close}`.",
                    comma.start,
                    comma.end,
                )
                return True
            return False
        if self.closes(node, open_tok, close):
            return True
        if tok is not None and (tok.kind in starts or (tok.kind == "punct" and tok.text in starts)):
            # ``"a": 1 "b": 2``: the comma is missing; say so and read on.
            self.error(MISSING_COMMA, f"Missing comma between two {what}.", tok.start, tok.end)
            return False
        raise self.unexpected(tok, f"`,` or `{close}`")

    def mapping(self, depth: int) -> YNode:
        open_tok = self.take()
        node = YNode("mapping", open_tok.range, None, None, flow=True)
        seen: dict[str, YNode] = {}
        if self.closes(node, open_tok, "}"):
            return node
        while True:
            key = self.key()
            tok = self.peek()
            if not self.punct(tok, ":"):
                raise self.unexpected(tok, f"`:` after the key {json.dumps(key.value)}")
            self.take()
            value = self.value(depth + 1)
            node.pairs.append((key, value))
            first = seen.get(key.value)
            if first is not None:
                self.duplicates.append((key, first))
            else:
                seen[key.value] = key
            if self.after_item(node, open_tok, "}", _MEMBER_STARTS, "members of the object"):
                return node

    def key(self) -> YNode:
        tok = self.peek()
        if tok is not None and tok.kind == "string":
            self.take()
            return YNode("scalar", tok.range, self.string(tok), '"')
        if tok is not None and tok.kind == "squote":
            self.take()
            self.single_quoted(tok)
            return YNode("scalar", tok.range, tok.text[1:-1], "'")
        if tok is not None and tok.kind == "word" and tok.text not in _LITERALS:
            self.take()
            self.error(
                UNQUOTED_KEY,
                f'Keys must be in double quotes: write `"{tok.text}"`.',
                tok.start,
                tok.end,
            )
            return YNode("scalar", tok.range, tok.text, None)
        if tok is not None and tok.kind == "open_string":
            raise self.hard(
                UNTERMINATED,
                'Unterminated string: a key must close with `"` on the same line.',
                tok.start,
                tok.end,
            )
        raise self.unexpected(tok, "a key in double quotes")

    def sequence(self, depth: int) -> YNode:
        open_tok = self.take()
        items: list[YNode] = []
        node = YNode("sequence", open_tok.range, items, None, flow=True)
        if self.closes(node, open_tok, "]"):
            return node
        while True:
            items.append(self.value(depth + 1))
            if self.after_item(node, open_tok, "]", _ITEM_STARTS, "items of the list"):
                return node

    # ------------------------------------------------------------------ scalars

    def string(self, tok: _Tok) -> str:
        text = tok.text
        if "\\" not in text and _CONTROL.search(text) is None:
            return text[1:-1]  # the common case: nothing to decode
        try:
            value: str = json.loads(text)
            if _CONTROL.search(text) is None:
                return value
        except ValueError:
            pass
        # Name the first bad character: a control character or an invalid escape.
        body = tok.text
        i = 1
        while i < len(body) - 1:
            c = body[i]
            if c == "\\":
                m = _VALID_ESCAPE.match(body, i)
                if m is None:
                    shown = body[i : i + 2]
                    self.error(
                        BAD_STRING,
                        f'Invalid escape `{shown}` in a string: JSON knows \\" \\\\ \\/ \\b '
                        "\\f \\n \\r \\t and \\uXXXX. Write `\\\\` for a backslash.",
                        tok.start + i,
                        tok.start + i + len(shown),
                    )
                    break
                i = m.end()
                continue
            if ord(c) < 0x20:
                self.error(
                    BAD_STRING,
                    f"Control character U+{ord(c):04X} in a string: write it escaped"
                    + (" (`\\t`)." if c == "\t" else "."),
                    tok.start + i,
                )
                break
            i += 1
        return _lenient_string(body[1:-1])

    def single_quoted(self, tok: _Tok) -> None:
        if len(tok.text) < 2 or not tok.text.endswith("'"):
            raise self.hard(UNTERMINATED, "Unterminated string.", tok.start, tok.end)
        self.error(
            SINGLE_QUOTES,
            "Strings must be in double quotes in JSON, not single quotes.",
            tok.start,
            tok.end,
        )


def _number(text: str) -> int | float:
    if any(c in text for c in ".eE"):
        return float(text)
    return int(text)


def _lenient_string(body: str) -> str:
    try:
        value: str = json.loads('"' + body + '"', strict=False)
        return value
    except ValueError:
        return body


def _shown(tok: _Tok) -> str:
    if tok.kind == "string":
        return "a string"
    if tok.kind == "number":
        return "a number"
    text = tok.text if len(tok.text) <= 20 else tok.text[:20] + "…"
    return f"`{text}`"


def _word_message(word: str) -> str:
    if word in ("True", "False", "None", "TRUE", "FALSE", "NULL", "Null"):
        return f"`{word}` is not JSON: write `{word.lower() if word != 'None' else 'null'}`."
    if word in ("NaN", "Infinity", "-Infinity", "undefined"):
        return f"`{word}` is not a JSON value."
    if word[0] in "-+.0123456789":
        return (
            f"`{word}` is not a JSON number (no leading `+` or zeros, no hex, digits on both "
            "sides of `.`)."
        )
    return f"`{word}` is not a JSON value: a string needs double quotes."


def _line_starts(text: str) -> list[int]:
    starts = [0]
    i, n = 0, len(text)
    while True:
        j = text.find("\n", i)
        k = text.find("\r", i)
        if j < 0 and k < 0:
            break
        if k >= 0 and (j < 0 or k < j):
            i = k + 2 if text.startswith("\r\n", k) else k + 1
        else:
            i = j + 1
        starts.append(i)
        if i >= n:
            break
    return starts


def _split_lines(text: str) -> list[str]:
    if "\r" not in text:  # the same lines, ~6x faster (0.2 -> 0.03 ms for 20 KB)
        return text.split("\n")
    return re.split(r"\r\n|\n|\r", text)


def parse_json(text: str) -> JsonDocument:
    """Read ``text`` as strict JSON into a positioned tree, placing every syntax error."""
    reuse = _LAST.enabled and len(text) <= _LAST_MAX_CHARS
    if reuse:
        for old in _LAST.recent():
            edited = _edited(old, text)
            if edited is not None:
                _LAST.replace(old, edited)
                return edited
    fast = _parse_valid(text)
    if fast is not None:
        if reuse:
            fast.walks = {}
            _LAST.put(fast)
        return fast
    p = _Parser(text)
    lines = _split_lines(text)
    doc = JsonDocument(text, lines, None, p.errors, p.duplicates)
    if p.toks and p.toks[0].start == 0 and p.toks[0].text == "\ufeff":
        del p.toks[0]  # a byte order mark: Claude Code skips it (doctor 2.1.332)
    if not p.toks:  # empty or blank: Claude Code reads it as an empty object (doctor)
        doc.empty = not p.errors
        return doc
    try:
        doc.root = p.value(0)
        tok = p.peek()
        if tok is not None:
            p.error(
                EXTRA,
                f"Unexpected {_shown(tok)} after the end of the JSON value.",
                tok.start,
                tok.end,
            )
    except _Stop:
        doc.complete = False
        doc.root = _partial_root(p)
    except RecursionError:
        doc.complete = False
        p.error(TOO_DEEP, "The JSON is nested too deeply to read.", 0)
    doc.errors.sort(key=lambda e: (e.range.start, e.cause))
    return doc


# --------------------------------------------------------------------------- valid JSON
# Most files are valid JSON, and a file being edited is read again on every keystroke: the
# values then come from the json module (C: a 20 KB settings file in 0.08 ms) and only the
# positions from a scan of the value tokens, instead of the careful reader above (which
# names every mistake: 16 ms for the same file under load, bench_diagnostics 15 ms p50).
# In valid JSON no string spans lines, so each token sits on one line.
_VALUE_TOKEN = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]|[-0-9][-+.0-9eE]*|true|false|null|\r\n|\n|\r'
)


class _Pairs(list[tuple[str, Any]]):
    """An object's members, in order, duplicates kept (``object_pairs_hook``)."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: JSON.parse rejects them


def _parse_valid(text: str) -> JsonDocument | None:
    """The document of ``text`` when it is strict JSON, read fast; None otherwise (or when
    it is too large or deep: the careful reader says so)."""
    if not text.strip():
        return None
    try:
        value = json.loads(text, object_pairs_hook=_Pairs, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    tokens: list[tuple[str, int, int]] = []  # (token, line, column)
    line, line_start = 0, 0
    for m in _VALUE_TOKEN.finditer(text):
        tok = m.group()
        if tok[0] in "\r\n":
            line, line_start = line + 1, m.end()
        else:
            tokens.append((tok, line, m.start() - line_start))
    builder = _Builder(tokens)
    try:
        root = builder.node(value, 0)
    except (_Stop, IndexError, RecursionError):
        return None
    if builder.i != len(tokens):
        return None  # (never, for valid JSON: the scan and the values disagree)
    return JsonDocument(text, _split_lines(text), root, [], builder.duplicates)


# The ranges of tokens, by (line, column, length): ranges are immutable, and a file being
# edited keeps most of its tokens where they were (a range made costs ~2 µs, a look-up
# ~0.2 µs; a 20 KB settings file has ~500 tokens).
_RANGES: dict[tuple[int, int, int], Range] = {}
_MAX_RANGES = 100_000


def _token_range(line: int, col: int, length: int) -> Range:
    key = (line, col, length)
    rng = _RANGES.get(key)
    if rng is None:
        if len(_RANGES) >= _MAX_RANGES:
            _RANGES.clear()
        rng = _RANGES[key] = Range(Position(line, col), Position(line, col + length))
    return rng


class _Builder:
    """The positioned tree of a value read by the json module, from its tokens in order."""

    def __init__(self, tokens: list[tuple[str, int, int]]) -> None:
        self.tokens = tokens
        self.i = 0
        self.count = 0
        self.duplicates: list[tuple[YNode, YNode]] = []

    def leaf(self, value: Any) -> YNode:
        tok, line, col = self.tokens[self.i]
        self.i += 1
        return YNode(
            "scalar", _token_range(line, col, len(tok)), value, '"' if tok[0] == '"' else None
        )

    def node(self, value: Any, depth: int) -> YNode:
        self.count += 1
        if depth > MAX_DEPTH or self.count > MAX_NODES:
            raise _Stop()
        if isinstance(value, _Pairs):
            _, line, col = self.tokens[self.i]
            self.i += 1
            node = YNode("mapping", Range.of(line, col), None, None, flow=True)
            seen: dict[str, YNode] = {}
            for k, v in value:
                key = self.leaf(k)
                node.pairs.append((key, self.node(v, depth + 1)))
                first = seen.get(k)
                if first is not None:
                    self.duplicates.append((key, first))
                else:
                    seen[k] = key
            return self.close(node)
        if isinstance(value, list):
            _, line, col = self.tokens[self.i]
            self.i += 1
            items = [self.node(v, depth + 1) for v in value]
            return self.close(YNode("sequence", Range.of(line, col), items, None, flow=True))
        return self.leaf(value)

    def close(self, node: YNode) -> YNode:
        _, line, col = self.tokens[self.i]
        self.i += 1
        node.range = Range(node.range.start, Position(line, col + 1))
        return node


# --------------------------------------------------------------------------- documents being edited
# In the language server a keystroke in a large JSON file is read again at once, and most
# keystrokes fall inside one string (a permission rule, a hook command): the new text is the
# last one read with a few characters changed inside one string token, on one line. Its
# tree is then the old tree with that string, the nodes after it on its line and the
# containers holding it made again (the old tree is never changed: both stay valid); the
# rest of the tree is shared. A 20 KB settings file (bench_diagnostics): parse_json
# 1.45 ms -> ~0.08 ms of CPU per keystroke. Anything else (a line break typed, a quote,
# a number, a file with lone CRs, a text that was not valid JSON) is read in full.
# test_jsontree.py holds every edited tree equal to the full reading of the same text.

_LAST_MAX_CHARS = 1024 * 1024  # larger files are not kept (their trees are large)


class _LastRead:
    """The last few valid documents read, most recent first (thread-safe: the index and
    large documents are read in worker threads)."""

    def __init__(self, size: int) -> None:
        self.enabled = False
        self._size = size
        self._docs: list[JsonDocument] = []
        self._lock = threading.Lock()

    def recent(self) -> list[JsonDocument]:
        with self._lock:
            return list(self._docs)

    def put(self, doc: JsonDocument) -> None:
        with self._lock:
            self._docs.insert(0, doc)
            del self._docs[self._size :]

    def replace(self, old: JsonDocument, new: JsonDocument) -> None:
        """``new`` is ``old`` edited: it takes its place (a document being edited holds
        one place, not all of them)."""
        with self._lock:
            self._docs = [new, *(d for d in self._docs if d is not old)][: self._size]

    def clear(self) -> None:
        with self._lock:
            self._docs.clear()


_LAST = _LastRead(4)


def reuse_json_parses(enabled: bool = True) -> None:
    """Read a text that differs from one of the last few by an edit inside one string from
    that one's tree (the language server turns this on; ``check`` reads each file once)."""
    _LAST.enabled = enabled
    if not enabled:
        _LAST.clear()


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix (halving slices: C comparisons, ~15 of them
    for 20 KB, instead of a Python loop over the characters)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix, at most ``limit``."""
    la, lb = len(a), len(b)
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid : la - lo] == b[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


_STRING_TOKEN = re.compile(r'"[^"\\\x00-\x1f]*(?:\\.[^"\\\x00-\x1f]*)*"')


@dataclass(slots=True)
class _Edit:
    line: int
    col: int  # where the old text changed on ``line``
    end: int  # where the change ended in the old line
    delta: int  # characters added (negative: removed)
    new_line: str  # the line in the new text


def _edited(old: JsonDocument, text: str) -> JsonDocument | None:
    """The document of ``text`` from ``old`` (a valid document) when ``text`` is ``old``'s
    text changed inside one string token; None otherwise."""
    o = old.text
    if text == o:
        doc = JsonDocument(text, list(old.lines), old.root, [], list(old.duplicates))
        doc.walks, doc.walks_before = {}, old.walks
        return doc
    if old.root is None or old.errors:
        return None
    p = _common_prefix(o, text)
    s = _common_suffix(o, text, min(len(o), len(text)) - p)
    removed, inserted = o[p : len(o) - s], text[p : len(text) - s]
    for c in "\n\r":
        if c in removed or c in inserted:
            return None  # the lines change: read in full
    if "\r" in o and (o.count("\r") != o.count("\r\n") or o[p - 1 : p] == "\r"):
        return None  # lone CRs, or an edit between a CR and its LF
    line = o.count("\n", 0, p)
    col = p - (o.rfind("\n", 0, p) + 1)
    before = old.lines[line]
    edit = _Edit(
        line,
        col,
        col + len(removed),
        len(inserted) - len(removed),
        before[:col] + inserted + before[col + len(removed) :],
    )
    keys: list[bool] = []  # whether the string edited is a key
    root = _edit_node(old.root, edit, keys)
    if root is None:
        return None
    duplicates = old.duplicates
    if duplicates or keys:
        duplicates = []
        _duplicates(root, duplicates)
    lines = list(old.lines)
    lines[line] = edit.new_line
    doc = JsonDocument(text, lines, root, [], list(duplicates))
    # the walks of the old tree serve the subtrees it shares (the old reading's own
    # `walks_before` is not kept: a chain of edits holds two trees, not all of them)
    doc.walks, doc.walks_before = {}, old.walks
    return doc


def _start(node: YNode) -> Position:
    return node.range.start


def _contains(node: YNode, e: _Edit) -> bool:
    r = node.range
    return r.start <= (e.line, e.col) and (e.line, e.end) <= r.end


def _edit_node(node: YNode, e: _Edit, keys: list[bool]) -> YNode | None:
    """The node of the new text for ``node``, which holds the edit (None: the edit is not
    inside one string token of it); ``keys`` gets an item when the string is a key."""
    r = node.range
    end = r.end if r.end.line != e.line else Position(e.line, r.end.character + e.delta)
    if node.kind == "scalar":
        if node.style != '"' or r.start.line != e.line or r.end.line != e.line:
            return None
        if not (r.start.character < e.col and e.end <= r.end.character - 1):
            return None  # the edit touches a quote or is outside the string
        token = e.new_line[r.start.character : end.character]
        if _STRING_TOKEN.fullmatch(token) is None:
            return None
        value = token[1:-1]
        if "\\" in token:
            try:
                value = json.loads(token)
            except ValueError:
                return None
        return YNode("scalar", Range(r.start, end), value, '"')
    children = [n for pair in node.pairs for n in pair] if node.kind == "mapping" else node.items
    # the children are in document order: the last one starting before the edit (a bisect,
    # not a scan of a 400-rule list)
    i = bisect.bisect_right(children, (e.line, e.col), key=_start) - 1
    if i < 0 or not _contains(children[i], e):
        return None  # the edit is between the children: punctuation or white space
    edited = _edit_node(children[i], e, keys)
    if edited is None:
        return None
    if node.kind == "mapping" and i % 2 == 0:
        keys.append(True)  # (even children of an object are its keys)
    j = i + 1  # the children after it on its line move; those on later lines are kept
    while j < len(children) and children[j].range.start.line == e.line:
        j += 1
    new = list(children)
    new[i] = edited
    for k in range(i + 1, j):
        new[k] = _shifted(children[k], e)
    if node.kind == "mapping":
        out = YNode("mapping", Range(r.start, end), None, None, flow=True)
        out.pairs = list(zip(new[::2], new[1::2], strict=True))
        return out
    return YNode("sequence", Range(r.start, end), new, None, flow=True)


def _shifted(node: YNode, e: _Edit) -> YNode:
    """``node`` (after the edit) with its positions on the edited line moved."""
    r = node.range
    if r.start.line != e.line:
        return node  # on a later line: unchanged
    end = r.end if r.end.line != e.line else Position(e.line, r.end.character + e.delta)
    rng = Range(Position(e.line, r.start.character + e.delta), end)
    if node.kind == "scalar":
        return YNode("scalar", rng, node.value, node.style)
    if node.kind == "mapping":
        out = YNode("mapping", rng, None, None, flow=True)
        out.pairs = [(_shifted(k, e), _shifted(v, e)) for k, v in node.pairs]
        return out
    return YNode("sequence", rng, [_shifted(c, e) for c in node.items], None, flow=True)


def _duplicates(node: YNode, out: list[tuple[YNode, YNode]]) -> None:
    """The duplicate keys below ``node``, in the order :class:`_Builder` finds them."""
    if node.kind == "mapping":
        seen: dict[str, YNode] = {}
        for k, v in node.pairs:
            _duplicates(v, out)
            first = seen.get(k.value)
            if first is not None:
                out.append((k, first))
            else:
                seen[k.value] = k
    elif node.kind == "sequence":
        for item in node.items:
            _duplicates(item, out)


def _partial_root(p: _Parser) -> YNode | None:
    """After a hard error, the tree as far as it goes: the containers opened before the error,
    with the members read so far (completion and hover keep working while a file is typed)."""
    return _last_built(p, [t for t in p.toks if t.start < p.stop])


def _last_built(p: _Parser, toks: list[_Tok]) -> YNode | None:
    # Rebuild the containers up to the cut by reading the tokens with a tolerant walk.
    stack: list[tuple[YNode, YNode | None]] = []  # (container, pending key)
    root: YNode | None = None
    pending_key: YNode | None = None
    expect_key = False
    for tok in toks:
        if tok.kind == "punct" and tok.text in "{[":
            kind = "mapping" if tok.text == "{" else "sequence"
            node = YNode(
                kind,
                p.range(tok.start, tok.end),
                [] if kind == "sequence" else None,
                None,
                flow=True,
            )
            _attach(stack, node, pending_key)
            if root is None:
                root = node
            stack.append((node, pending_key))
            pending_key = None
            expect_key = kind == "mapping"
            continue
        if tok.kind == "punct" and tok.text in "}]":
            if stack:
                node, _ = stack.pop()
                node.range = Range(node.range.start, p.pos(tok.end))
            expect_key = bool(stack) and stack[-1][0].kind == "mapping"
            continue
        if tok.kind == "punct" and tok.text == ",":
            expect_key = bool(stack) and stack[-1][0].kind == "mapping"
            continue
        if tok.kind == "punct" and tok.text == ":":
            expect_key = False
            continue
        if tok.kind in ("string", "number", "word", "squote"):
            if tok.kind == "string":
                value: Any = _lenient_string(tok.text[1:-1])
                style: str | None = '"'
            elif tok.kind == "number":
                value, style = _number(tok.text), None
            elif tok.kind == "squote":
                value, style = tok.text[1:-1], "'"
            else:
                value, style = _LITERALS.get(tok.text, tok.text), None
            leaf = YNode("scalar", p.range(tok.start, tok.end), value, style)
            if expect_key and stack and stack[-1][0].kind == "mapping":
                pending_key = leaf
                expect_key = False
            else:
                _attach(stack, leaf, pending_key)
                pending_key = None
                if root is None:
                    root = leaf
    return root


def _attach(stack: list[tuple[YNode, YNode | None]], node: YNode, key: YNode | None) -> None:
    if not stack:
        return
    parent = stack[-1][0]
    if parent.kind == "sequence":
        parent.value.append(node)
    elif key is not None:
        parent.pairs.append((key, node))
