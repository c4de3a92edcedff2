"""Property tests of the engine: whatever the text, ``analyze`` returns, quickly, with
findings whose ranges and fix edits lie inside the document, JSON-serialisable output, and
the same answer twice. ``AGENTLS_FUZZ_EXAMPLES`` sets the number of examples (CI: a few
hundred; ``bench/fuzz_long.py``: 10,000+)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import fuzz_strategies as fs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentls.check import check_file
from agentls.document.model import parse_document
from agentls.engine import Analysis, analyze
from agentls.lines import split_lines

EXAMPLES = int(os.environ.get("AGENTLS_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # timing is asserted by the adversarial tests, not per example here
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_well_formed(a: Analysis, text: str) -> None:
    """Every range and edit points into the document the engine was given."""
    json.dumps([f.to_json() for f in a.findings])
    if a.effective is not None:
        json.dumps(a.effective.to_json())
    if a.doc is None:
        return
    lines = a.doc.lines
    assert lines == split_lines(a.doc.text)[0]
    for f in a.findings:
        r = f.range
        assert r.start <= r.end, (f.code, r)
        assert r.start.line >= 0 and r.end.line < len(lines), (f.code, r, len(lines))
        assert 0 <= r.start.character <= len(lines[r.start.line]), (f.code, r)
        assert 0 <= r.end.character <= len(lines[r.end.line]), (f.code, r)
        assert f.message.strip(), f.code
        for fix in f.fixes:
            for e in fix.edits:
                assert e.range.start <= e.range.end, (f.code, fix.title)
                end = e.range.end
                assert end.line < len(lines) or (end.line == len(lines) and end.character == 0)


@FUZZ
@given(text=fs.any_text, path=fs.paths)
def test_engine_accepts_any_text(text: str, path: str | None) -> None:
    a = analyze(text, path)
    assert_well_formed(a, text)
    b = analyze(text, path)
    assert [f.to_json() for f in a.findings] == [f.to_json() for f in b.findings]


@FUZZ
@given(text=fs.agent_files())
def test_claude_agent_files(text: str) -> None:
    a = analyze(text, "/ws/.claude/agents/fuzz.md")
    assert a.dialect == "claude-agent"
    assert_well_formed(a, text)


@FUZZ
@given(text=fs.agent_files(), dialect=st.sampled_from(fs.dialect_names()))
def test_every_dialect_forced(text: str, dialect: str) -> None:
    assert_well_formed(analyze(text, "/ws/x.md", dialect), text)


@settings(FUZZ, max_examples=max(10, EXAMPLES // 4))
@given(data=st.binary(max_size=2000) | fs.agent_files().map(lambda t: t.encode("utf-8")))
def test_check_file_on_any_bytes(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("ws") / ".claude" / "agents"
    root.mkdir(parents=True)
    path = root / "fuzz.md"
    path.write_bytes(data)
    result = check_file(str(path))
    assert result.analysis.dialect == "claude-agent"
    if b"\x00" in data or not _is_utf8(data):
        assert any(f.code == "AL109" for f in result.analysis.findings)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# ------------------------------------------------------------- crashes the fuzzer found


def test_yaml11_line_breaks_do_not_shift_positions() -> None:
    """PyYAML reads NEL/LS/PS as line breaks; positions must still be the document's."""
    for brk in ("\u2028", "\u2029", "\x85"):
        text = f"---\nname: a{brk}b\ncolor: gold\ndescription: x\n---\nBody\n"
        doc = parse_document(text)
        assert doc.by_key["color"].key_range.start.line == 2
        assert doc.by_key["name"].value == f"a{brk}b"
        a = analyze(text, "/ws/.claude/agents/a.md")
        assert_well_formed(a, text)
        colour = [f for f in a.findings if f.code == "AL028"]
        assert colour and colour[0].range.start.line == 2


def test_lone_cr_line_ends_do_not_invent_dashes_in_a_value() -> None:
    text = "--- \n# \r \rinfer: {memory: 'null'}\n---"
    a = analyze(text, "/ws/.claude/agents/x.md")
    assert_well_formed(a, text)
    assert "AL005" not in {f.code for f in a.findings}


def test_indented_fence_with_unindented_content_stays_in_range() -> None:
    for text in ("\ufeff  ---\nmcpServers: true\n---", "  ---\r\n \nisolation: x\n  ---"):
        assert_well_formed(analyze(text, "/ws/.claude/agents/x.md"), text)


def test_corpus_sample_is_well_formed() -> None:
    """Real files (when ../shared/corpus is present) satisfy the same properties."""
    corpus = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
    every = sorted(corpus.rglob("*.md"))
    files = every[:: max(1, len(every) // 400)]
    if not files:
        import pytest

        pytest.skip("../shared/corpus is not present")
    for p in files:
        text = p.read_text("utf-8", errors="replace")
        assert_well_formed(analyze(text, "/ws/.claude/agents/" + p.name), text)


def test_ranges_stay_inside_an_unterminated_last_line() -> None:
    """Found by the long run: a YAML end mark on the virtual line after `  - `."""
    text = "\ufeff---\nmemory:\n  - "
    a = analyze(text, "/ws/.claude/agents/reviewer.md")
    lines = text.split("\n")
    for f in a.findings:
        assert f.range.end.line < len(lines), f
        assert f.range.end.character <= len(lines[f.range.end.line]), f


@FUZZ
@given(value=st.one_of(fs.awkward_text, fs.unicode_text, st.text()), keep=st.booleans())
def test_double_quoting_reads_back_as_written(value: str, keep: bool) -> None:
    """A value quoted by a fix reads back as the value, in our YAML tree and in PyYAML
    (a YAML 1.1 reader, for which NEL, LS and PS are line breaks)."""
    import yaml

    from agentls.document.yamltree import compose, yaml_double_quote

    quoted = yaml_double_quote(value, keep_newline_escapes=keep)
    expected = value.replace("\\n", "\n") if keep else value
    assert "\n" not in quoted and "\r" not in quoted
    assert not any(c in quoted for c in "\x85\u2028\u2029")
    root, err = compose("k: " + quoted)
    assert err is None and root is not None
    assert root.pairs[0][1].value == expected
    if not any("\ud800" <= c <= "\udfff" for c in value):  # PyYAML refuses lone surrogates
        assert yaml.safe_load("k: " + quoted) == {"k": expected}
