"""Every edit the server sends lands where it was meant to (issue 14, class 2).

Texts hold every character ``str.splitlines`` breaks at (LSP breaks only at CR, LF, CR LF)
and astral characters (two UTF-16 units, four UTF-8 bytes). Each kind of edit the server
sends (agent proposals, quick fixes, fix-all, rename) is made the way the server makes it
(:func:`agentls.lsp.convert.text_edits_for`), then applied by the applier below, written
here from the LSP specification without agentls code, in UTF-16 and in UTF-8 positions:
the result must be the text the edit means. ``AGENTLS_FUZZ_EXAMPLES`` sets the number of
examples (CI: 300; ``bench/fuzz_long.py``: 10,000+).
"""

from __future__ import annotations

import os

import fuzz_strategies as fs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp

from agentls.editing.fixes import diff_edits, fix_all
from agentls.engine import analyze
from agentls.index import WorkspaceIndex
from agentls.lines import lsp_lines, minimal_edit, offset_to_position, position_to_offset
from agentls.lsp.codec import FastPositionCodec
from agentls.lsp.convert import text_edits_for
from agentls.types import Position, Range, TextEdit
from edit_applier import apply_edits, line_spans

BREAKS = ["\r", "\n", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
CHARS = ["a", "b", " ", "=", "é", "中", "😀", "𝄞", "\U0010ffff", "e\u0301", "\t"]
ENCODINGS = {"utf-16": lsp.PositionEncodingKind.Utf16, "utf-8": lsp.PositionEncodingKind.Utf8}

texts = st.lists(st.sampled_from(BREAKS + CHARS + CHARS), max_size=60).map("".join)
SETTINGS = settings(
    max_examples=int(os.environ.get("AGENTLS_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def apply_engine(text: str, edits: list[TextEdit]) -> str:
    """What engine edits (code points, LSP lines) mean."""
    return apply_edits(text, edits, "code points")


def _sent(text: str, edits: list[TextEdit], enc: str) -> str:
    codec = FastPositionCodec(ENCODINGS[enc])
    return apply_edits(text, text_edits_for(codec, text, edits), enc)


# ---------------------------------------------------------------- the properties


@SETTINGS
@given(original=texts, data=st.data())
def test_agent_proposal_edit_lands_exactly(original: str, data: st.DataObject) -> None:
    a = data.draw(st.integers(0, len(original)))
    b = data.draw(st.integers(a, len(original)))
    new = original[:a] + data.draw(texts) + original[b:]
    edit = minimal_edit(original, new)
    assert apply_engine(original, [edit]) == new
    for enc in ENCODINGS:
        assert _sent(original, [edit], enc) == new, enc


@SETTINGS
@given(text=texts, data=st.data())
def test_offsets_and_positions_round_trip(text: str, data: st.DataObject) -> None:
    starts = [s for s, _ in line_spans(text)]
    offset = data.draw(st.integers(0, len(text)))
    pos = offset_to_position(text, offset)
    if not (offset > 0 and text[offset - 1 : offset + 1] == "\r\n"):
        assert position_to_offset(text, pos) == offset
        assert starts[pos.line] + pos.character == offset
    assert len(lsp_lines(text)) == len(starts) - (1 if starts[-1] == len(text) else 0)


def _with_breaks(text: str, extra: list[str]) -> str:
    """An agent file with odd line breaks and astral characters in its body and values."""
    lines = text.split("\n")
    for i, piece in enumerate(extra):
        k = (i * 7) % max(1, len(lines))
        lines[k] = lines[k] + piece
    return "\n".join(lines)


odd_agent_files = st.builds(
    _with_breaks, fs.agent_files(), st.lists(st.sampled_from(BREAKS + CHARS), max_size=8)
)


@settings(SETTINGS, max_examples=max(10, SETTINGS.max_examples // 4))  # fix-all re-verifies
@given(text=odd_agent_files)
def test_quick_fix_and_fix_all_edits_land_exactly(text: str) -> None:
    path = "/ws/.claude/agents/fuzz.md"
    a = analyze(text, path)
    for f in a.findings:
        for fix in f.fixes:
            meant = apply_engine(text, list(fix.edits))
            for enc in ENCODINGS:
                assert _sent(text, list(fix.edits), enc) == meant, (f.code, fix.title, enc)
    new_text, applied, _ = fix_all(text, path, a.dialect)
    if applied:
        edits = diff_edits(text, new_text)
        for enc in ENCODINGS:
            assert _sent(text, edits, enc) == new_text, enc


@SETTINGS
@given(
    before=st.lists(st.sampled_from(BREAKS + CHARS), max_size=6).map("".join),
    body=texts,
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_rename_edits_land_exactly(before: str, body: str, eol: str) -> None:
    comment = before.replace("\r", "").replace("\n", "")  # stays inside the comment line
    text = eol.join(["---", f"# {comment}", "name: alpha", f"description: x {comment}", "---"])
    text += eol + body + eol
    path = "/ws/.claude/agents/alpha.md"
    index = WorkspaceIndex()
    index.update_analysis(analyze(text, path))
    edits, _ = index.rename_edits("agent", "alpha", "beta-😀")
    assert path in edits
    tes = [TextEdit(r, t) for r, t in edits[path]]
    meant = text.replace("name: alpha", "name: beta-😀")
    assert apply_engine(text, tes) == meant
    for enc in ENCODINGS:
        assert _sent(text, tes, enc) == meant, enc


@pytest.mark.parametrize("brk", BREAKS)
def test_the_issue_example_for_every_break(brk: str) -> None:
    """An Edit of `a + b` on line 6 of a file with a break character on line 2."""
    original = f"import os\nx = 1{brk}y = 2\n\n\ndef compute_total(a, b):\n    return a + b\n"
    new = original.replace("return a + b", "return b + a")
    edit = minimal_edit(original, new)
    line = 5 if brk not in ("\r", "\n", "\r\n") else 6  # LSP lines, not splitlines'
    assert edit.range == Range(Position(line, 11), Position(line, 16))
    for enc in ENCODINGS:
        assert _sent(original, [edit], enc) == new


def test_crlf_split_by_an_edit_takes_the_whole_break() -> None:
    for original, new in [("a\r\nb", "a\rb"), ("a\r\nb", "a\nb"), ("a\r\nb", "a\r\r\nb")]:
        edit = minimal_edit(original, new)
        for enc in ENCODINGS:
            assert _sent(original, [edit], enc) == new
