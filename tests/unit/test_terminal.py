"""The one escaping function for human output: nothing a terminal obeys gets through."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from agentls.terminal import escape

# What a terminal (or a bidi-aware renderer) acts on, besides LF and TAB.
ACTIVE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)

HOSTILE = [
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]0;pwned\x07",  # OSC window title, BEL-terminated
    "\x1b]52;c;ZXZpbA==\x1b\\",  # OSC 52: write the clipboard, ST-terminated
    "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # a hyperlink
    "\x9b2J",  # 8-bit CSI
    "\x9d0;title\x9c",  # 8-bit OSC / ST
    "ok\rFORGED",  # carriage return overwrites the line
    "abc\x08\x08\x08XYZ",  # backspaces
    "\x07\x07",  # bell
    "\x7f",
    "access = 'user\u202e \u2066// check admin\u2069 \u2066'",  # Trojan Source
    "\u200f\u200e\u061c",
    "line\u2028sep\u2029para\x85nel",
    "\x0bvt\x0cff\x1cfs\x1dgs\x1ers",
    "\udcff\udc80 undecodable bytes",
    "\x00nul",
]


def test_every_hostile_sequence_is_shown_not_obeyed():
    for text in HOSTILE:
        out = escape(text)
        assert ACTIVE.search(out) is None, (text, out)
        assert out.encode("utf-8")  # printable on a UTF-8 terminal (no lone surrogates)


def test_representation():
    assert escape("\x1b[2J") == "\u241b[2J"
    assert escape("a\rb") == "a\u240db"
    assert escape("\x07") == "\u2407"
    assert escape("\x7f") == "\u2421"
    assert escape("\x00") == "\u2400"
    assert escape("\x9b") == "<U+009B>"
    assert escape("\u202e") == "<U+202E>"
    assert escape("\udc80") == "<U+DC80>"


def test_line_feeds_and_tabs_kept_unless_one_line():
    assert escape("a\n\tb\n") == "a\n\tb\n"
    assert escape("a\n\tb", multiline=False) == "a\u240a\u2409b"
    assert escape("x\r\n") == "x\u240d\n"


def test_source_code_spelling_an_escape_is_left_as_it_is():
    # a diff of code that writes "\x1b" as text must show it unchanged
    code = 'print("\\x1b[31m" + "\\u202e")\n'
    assert escape(code) == code


@given(st.text())
def test_no_active_character_survives(text):
    out = escape(text)
    assert ACTIVE.search(out) is None
    assert escape(out) == out  # idempotent
    assert escape(out, multiline=False).count("\n") == 0


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp"))))
def test_ordinary_text_is_unchanged(text):
    assert escape(text) == text
