"""agentls.lsp.codec: the same positions as pygls' codec, without its per-character loop."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp
from pygls.workspace.position_codec import PositionCodec

from agentls.lsp.codec import FastPositionCodec, fast_codec

LINES = [
    "a\u00e9b\u4e2d\U0001f60bc\ud800d\r\n",  # ASCII, 2-byte, 3-byte, astral, lone surrogate
    "plain ascii\n",
    "\U0001f60b\U0001f60bx\r",
    "\n",
    "\u00e9",
]
ENCODINGS = ["utf-8", "utf-16", "utf-32"]


def _content(line: str) -> str:
    return line.rstrip("\r\n")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_to_client_units_matches_pygls(encoding: str) -> None:
    fast, ref = FastPositionCodec(encoding), PositionCodec(encoding)
    for li, line in enumerate(LINES):
        for ch in range(len(line) + 2):
            pos = lsp.Position(li, ch)
            assert fast.position_to_client_units(LINES, pos) == ref.position_to_client_units(
                LINES, pos
            ), (encoding, li, ch)
    beyond = lsp.Position(len(LINES), 0)
    assert fast.position_to_client_units(LINES, beyond) == lsp.Position(len(LINES), 0)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_from_client_units_matches_pygls_within_lines(encoding: str) -> None:
    fast, ref = FastPositionCodec(encoding), PositionCodec(encoding)
    for li, line in enumerate(LINES):
        content_units = ref.client_num_units(_content(line))
        for units in range(content_units + 1):  # every position up to the end of the line
            a = fast.position_from_client_units(LINES, lsp.Position(li, units))
            b = ref.position_from_client_units(LINES, lsp.Position(li, units))
            assert (a.line, a.character) == (b.line, b.character), (encoding, li, units)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_past_the_end_of_a_line_is_its_end_before_the_break(encoding: str) -> None:
    fast = FastPositionCodec(encoding)
    for li, line in enumerate(LINES):
        p = fast.position_from_client_units(LINES, lsp.Position(li, 10_000))
        assert (p.line, p.character) == (li, len(_content(line)))
    # a line past the last: the end of the document, after its last line break (the empty
    # line that follows a final "\r" is not a line of pygls' document)
    p = fast.position_from_client_units(LINES, lsp.Position(99, 0))
    assert (p.line, p.character) == (len(LINES) - 1, 1)
    ends_with_cr = ["a\r", "b\r"]
    p = fast.position_from_client_units(ends_with_cr, lsp.Position(2, 0))
    assert (p.line, p.character) == (1, 2)
    assert fast.position_from_client_units([], lsp.Position(3, 3)).character == 0


def test_inside_a_character_points_after_it_as_pygls_does() -> None:
    line = ["\U0001f60bx"]
    assert FastPositionCodec("utf-16").position_from_client_units(line, lsp.Position(0, 1)) == (
        PositionCodec("utf-16").position_from_client_units(line, lsp.Position(0, 1))
    )
    assert (
        FastPositionCodec("utf-8").position_from_client_units(line, lsp.Position(0, 2)).character
        == 1
    )


def test_negotiated_encoding_is_kept() -> None:
    for enc in ENCODINGS:
        assert fast_codec(PositionCodec(enc)).encoding == enc
    codec = FastPositionCodec("utf-8")
    assert fast_codec(codec) is codec
    assert FastPositionCodec("utf-16").client_num_units("x\U0001f60b") == 3
    assert FastPositionCodec("utf-8").client_num_units("x\U0001f60b") == 5
    assert FastPositionCodec("utf-32").client_num_units("x\U0001f60b") == 2
