"""Byte-exact proposals (issue 14, class 3): a file is changed only at the edit, byte for byte,
or refused with the reason; never decoded lossily."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentls.runner.proposals import Proposals
from agentls.runner.sandbox import NotUtf8, Sandbox, SandboxError

NOT_UTF8 = {
    "latin1.py": "x = 'café crème brûlée'\nprint(x)\n".encode("latin-1"),
    "cp1252.txt": "price: 10 €, “quoted”\n".encode("cp1252"),
    "sjis.txt": "こんにちは = 1\n".encode("shift_jis"),
    "truncated.txt": "ok é".encode()[:-1] + b"\n",
    "overlong.txt": b"a \xc0\xaf b\n",
    "surrogate.txt": b"a \xed\xa0\x80 b\n",  # CESU/WTF-8 surrogate, not UTF-8
}
BINARY = {
    "utf16.txt": "hello\n".encode("utf-16"),  # NUL bytes
    "nul.bin": b"abc\x00def",
    "controls.bin": bytes(range(1, 32)) * 40,  # valid UTF-8, no NUL, still binary
}
EXACT = {
    "bom_crlf.py": "\ufeffimport os\r\n\r\ndef f():\r\n    return 1 + 2\r\n".encode(),
    "mixed.py": b"a = 1\r\nb = 2\nc = 3\rdef f():\n    return 1 + 2\r\n",
    "no_final_newline.py": b"def f():\n    return 1 + 2",
    "odd_breaks.py": "x = 1\f\x85\u2028\ndef f():\n    return 1 + 2  # 😀\n".encode(),
    "cr_only.py": b"x = 1\rdef f():\r    return 1 + 2\r",
}


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    ws = tmp_path / "ws"
    ws.mkdir()
    for name, data in {**NOT_UTF8, **BINARY, **EXACT}.items():
        (ws / name).write_bytes(data)
    return Sandbox(ws)


@pytest.mark.parametrize("name", sorted(NOT_UTF8))
def test_not_utf8_is_read_with_a_note_and_never_edited(box: Sandbox, name: str) -> None:
    shown = box.read(name)
    assert "is not UTF-8 text" in shown and "cannot propose changes" in shown
    with pytest.raises(NotUtf8, match="not UTF-8 text"):
        box.read_text(name)
    props = Proposals(box, box.root / "other.py", "")
    with pytest.raises(SandboxError, match="not UTF-8"):
        props.edit(name, "x", "y")
    with pytest.raises(SandboxError, match="not UTF-8"):
        props.write(name, "replaced\n")
    assert props.list() == []
    assert (box.root / name).read_bytes() == NOT_UTF8[name]


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_is_refused(box: Sandbox, name: str) -> None:
    with pytest.raises(SandboxError, match="binary"):
        box.read_text(name)
    with pytest.raises(SandboxError, match="binary"):
        Proposals(box, box.root / "x.py", "").edit(name, "a", "b")


@pytest.mark.parametrize("name", sorted(EXACT))
def test_edit_changes_only_the_edited_bytes(box: Sandbox, name: str) -> None:
    data = EXACT[name]
    text = box.read_text(name)
    assert text.encode("utf-8") == data  # the text turns back into the same bytes
    props = Proposals(box, box.root / "other.py", "")
    props.edit(name, "return 1 + 2", "return 2 + 1  # é")
    [change] = props.list()
    new = change.new.encode("utf-8")
    i = data.index(b"return 1 + 2")
    assert new == data[:i] + "return 2 + 1  # é".encode() + data[i + len(b"return 1 + 2") :]


def test_lf_old_string_matches_crlf_file_and_keeps_its_breaks(box: Sandbox) -> None:
    props = Proposals(box, box.root / "other.py", "")
    props.edit("bom_crlf.py", "def f():\n    return 1 + 2\n", "def g():\n    return 3\n")
    [change] = props.list()
    assert change.new == "\ufeffimport os\r\n\r\ndef g():\r\n    return 3\r\n"


@pytest.mark.parametrize(
    ("text", "why"),
    [("a\x00b", "NUL"), ("a\ud800b", "lone surrogate"), ("\udcff", "lone surrogate")],
)
def test_proposed_text_must_be_utf8_text(box: Sandbox, text: str, why: str) -> None:
    props = Proposals(box, box.root / "other.py", "")
    with pytest.raises(SandboxError, match=why):
        props.edit("mixed.py", "a = 1", text)
    with pytest.raises(SandboxError, match=why):
        props.write("new.py", text)
    assert props.list() == []
