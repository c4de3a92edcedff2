"""The document model: envelope cases, positioned YAML, recovery, Claude Code's view."""

from __future__ import annotations

import pytest

from agentls.document.envelope import parse_envelope
from agentls.document.model import claude_rescue, parse_document
from agentls.types import Position, Range

GOOD = "---\nname: a\ndescription: Use when x\n---\nBody\n"


def kinds(text: str) -> list[str]:
    return [p.kind for p in parse_envelope(text).problems]


@pytest.mark.parametrize(
    ("text", "expected", "claude"),
    [
        (GOOD, [], True),
        ("\ufeff" + GOOD, [], True),
        (GOOD.replace("\n", "\r\n"), [], True),
        ("\n" + GOOD, ["leading-content"], False),
        ("Some title\n\n" + GOOD, ["leading-content"], False),
        ("```yaml\n" + GOOD.replace("Body\n", "```\nBody\n"), ["code-fence"], False),
        ("  ---\n  name: a\n  description: b\n  ---\nBody\n", ["indented-fence"], False),
        ("---\nname: a\ndescription: b\nBody\n", ["unterminated"], False),
        ("---\nname: a\ndescription: b\n--- \nBody\n", ["irregular-close"], True),
        ("---\nname: a\ndescription: b\n----\nBody\n", ["irregular-close"], True),
        ("---\nname: a\ndescription: b\n...\n---\nBody\n", ["irregular-close"], True),
        ("---\nname: a\ndescription: a --- b\ntools: Read\n---\nBody\n", ["dashes-in-value"], True),
        ("# Title\n\nNo frontmatter here.\n", ["no-frontmatter"], False),
        ("", ["no-frontmatter"], False),
    ],
)
def test_envelope_cases(text: str, expected: list[str], claude: bool) -> None:
    env = parse_envelope(text)
    assert [p.kind for p in env.problems] == expected
    assert env.claude_has_frontmatter is claude


def test_horizontal_rules_are_not_a_displaced_frontmatter() -> None:
    text = "# Guide\n\nSome prose.\n\n---\n\nMore prose here.\n\n---\n\nEnd.\n"
    assert kinds(text) == ["no-frontmatter"]


def test_dashes_in_value_position_and_claude_cut() -> None:
    env = parse_envelope("---\nname: a\ndescription: a --- b\ntools: Read\n---\nBody\n")
    p = env.problems[0]
    assert (p.line, p.start, p.end) == (2, 15, 18)
    assert env.claude_cut == (2, 15)
    doc = parse_document("---\nname: a\ndescription: a --- b\ntools: Read\n---\nBody\n")
    assert doc.claude.data is not None and "tools" not in doc.claude.data
    assert "tools" in doc.by_key  # the intended frontmatter keeps it


def test_spans_are_code_points() -> None:
    doc = parse_document("---\nname: héllo😀\ndescription: ü: x\ncolor: gold\n---\n")
    name = doc.by_key["name"]
    assert name.node.range == Range(Position(1, 6), Position(1, 12))
    assert doc.by_key["color"].node.range == Range(Position(3, 7), Position(3, 11))


def test_yaml_12_core_schema() -> None:
    doc = parse_document("---\nname: yes\nmaxTurns: 010\nbackground: True\nx: 0o17\ny: ~\n---\n")
    assert doc.by_key["name"].value == "yes"  # YAML 1.1's boolean is a string in 1.2
    assert doc.by_key["maxTurns"].value == 10
    assert doc.by_key["background"].value is True
    assert doc.by_key["x"].value == 15
    assert doc.by_key["y"].value is None


@pytest.mark.parametrize(
    ("value", "cause", "col"),
    [
        ("Use this: when", "colon-space", 21),
        ("*bold* text", "alias-start", 13),
        ("&anchor: text", "anchor-start", 13),
        ("!x note: more", "tag-start", 13),
        ("%percent", "directive-start", 13),
        ("@mention me", "reserved-start", 13),
        ("`code` here", "reserved-start", 13),
        ("| pipe text", "block-indicator", 13),
        ("> quote text", "block-indicator", 13),
        ("[Tip] use it", "flow-unclosed", 13),
        ('"quoted" tail', "quote", 21),
        ('"never closed', "quote", 13),
    ],
)
def test_recovery_names_the_cause_and_keeps_going(value: str, cause: str, col: int) -> None:
    text = f"---\nname: n\ndescription: {value}\ncolor: gold\nmodel: sonnet\n---\nBody\n"
    doc = parse_document(text)
    assert doc.strict_error is not None
    e = doc.by_key["description"]
    assert e.problem is not None
    assert e.problem.cause == cause
    assert e.problem.range.start == Position(2, col)
    # the other keys are still read, with their spans
    assert doc.by_key["color"].value == "gold"
    assert doc.by_key["model"].node.range == Range(Position(4, 7), Position(4, 13))
    assert [x.key for x in doc.entries] == ["name", "description", "color", "model"]


def test_unindented_continuation() -> None:
    doc = parse_document("---\nname: n\ndescription: first line\nsecond line\ncolor: red\n---\n")
    e = doc.by_key["description"]
    assert e.problem is not None and e.problem.cause == "unindented"
    assert e.problem.range == Range(Position(3, 0), Position(3, 11))
    assert doc.by_key["color"].value == "red"


def test_tab_indentation() -> None:
    doc = parse_document("---\nname: n\ndescription: d\ntools:\n\t- Read\n---\n")
    e = doc.by_key["tools"]
    assert e.problem is not None and e.problem.cause == "tab"
    assert e.problem.range.start == Position(4, 0)
    assert doc.claude.rescued and doc.claude.data is not None
    assert doc.claude.data["tools"] == ["Read"]


def test_multiline_colon_space_in_continuation() -> None:
    text = "---\nname: n\ndescription: Use it\n  Examples: one\ncolor: red\n---\n"
    doc = parse_document(text)
    e = doc.by_key["description"]
    assert e.problem is not None and e.problem.cause == "colon-space"
    assert e.problem.range.start == Position(3, 10)
    assert doc.claude.failed  # only single-line values are rescued


def test_nested_mapping_is_valid_yaml_but_not_a_string() -> None:
    doc = parse_document("---\nname: n\ndescription:\n  Use it when: reviewing\n---\n")
    assert doc.strict_error is None
    assert doc.by_key["description"].node.kind == "mapping"


def test_duplicate_keys() -> None:
    doc = parse_document("---\nname: a\nname: b\ndescription: d\n---\n")
    assert [e.key for e in doc.duplicates] == ["name"]
    assert doc.claude.data is not None and doc.claude.data["name"] == "b"


def test_claude_rescue_quotes_and_escapes() -> None:
    text, keys = claude_rescue('description: Say "hi": then \\d go\nname: x\n')
    assert keys == ["description"]
    assert text.splitlines()[0] == 'description: "Say \\"hi\\": then \\\\d go"'


def test_claude_rescue_skips_crlf_lines() -> None:
    _, keys = claude_rescue("description: a: b\r\nname: x\r\n")
    assert keys == []


def test_crlf_file_with_rescue_needing_value_fails_for_claude() -> None:
    doc = parse_document(GOOD.replace("Use when x", "Use when: x").replace("\n", "\r\n"))
    assert doc.claude.failed


def test_not_a_mapping() -> None:
    doc = parse_document("---\n- a\n- b\n---\n")
    assert doc.not_mapping is not None
    assert doc.claude.not_mapping


def test_alias_bomb_is_not_expanded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev = chr(96 + i)
        cur = chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    doc = parse_document("---\n" + "\n".join(lines) + "\n---\n")
    assert len(doc.entries) == 10  # read without expanding 9**9 nodes


def test_deeply_nested_flow_is_refused() -> None:
    doc = parse_document("---\nname: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    assert doc.strict_error is not None or doc.problems


# ------------------------------------------------------------ parses of unchanged frontmatter


def test_a_body_edit_reuses_the_frontmatter_parse() -> None:
    from agentls.document import model

    model.reuse_frontmatter_parses()
    head = "---\nname: a\ndescription: Use when: reviewing\ntools: Read\n---\n"
    first = parse_document(head + "Body one\n")
    second = parse_document(head + "Body two, longer\n\n# Heading\n")
    assert second.entries is first.entries and second.claude is first.claude
    assert second.body.startswith("Body two")
    changed = parse_document(head.replace("name: a", "name: b") + "Body two\n")
    assert changed.entries is not first.entries and changed.get("name").value == "b"  # type: ignore[union-attr]
    # the same frontmatter text in another envelope (text before the fence) is not shared
    shifted = parse_document("intro\n" + head + "Body\n")
    assert shifted.entries is not first.entries
    assert shifted.get("name").key_range.start.line == 2  # type: ignore[union-attr]


def _findings(text: str, path: str) -> list[tuple[object, ...]]:
    from agentls.engine import analyze

    a = analyze(text, path)
    return [(f.code, f.range, f.message) for f in a.findings] + [
        (a.effective.loads, a.effective.name, tuple(a.effective.tools or ())) if a.effective else ()
    ]


def test_reused_parse_gives_the_same_analysis_over_the_corpus() -> None:
    from tests.testdata import CORPUS, corpus_manifest

    from agentls.document import model

    model.reuse_frontmatter_parses()
    rows = [r for r in corpus_manifest() if r[0] == "claude-subagent"][::7]
    if not rows:
        pytest.skip("../shared/corpus is not here")
    checked = 0
    for _, rel in rows:
        p = CORPUS / rel
        try:
            text = p.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        path = f"/w/.claude/agents/{p.name}"
        model._PARSED.clear()
        fresh = _findings(text + "\nAppended body line\n", path)
        model._PARSED.clear()
        _findings(text, path)  # the cache now holds this frontmatter
        assert _findings(text + "\nAppended body line\n", path) == fresh, rel
        checked += 1
    assert checked > 100


def test_frontmatter_parses_are_kept_only_when_asked() -> None:
    from agentls.document import model

    head = "---\nname: a\ndescription: Use when reviewing\n---\n"
    model.reuse_frontmatter_parses(False)
    try:
        assert parse_document(head + "1").entries is not parse_document(head + "2").entries
    finally:
        model.reuse_frontmatter_parses()
    assert parse_document(head + "1").entries is parse_document(head + "2").entries


def test_path_names_match_pathlib() -> None:
    from pathlib import PurePosixPath

    from agentls.types import base_name, parent_name

    for p in ["a/b/c.md", "/x/.claude/agents/a.md", "a", "/", "", "a//b/", "./x", "a/./b"]:
        for path in (p, p.replace("/", "\\")):
            assert base_name(path) == PurePosixPath(p).name, path
            assert parent_name(path) == PurePosixPath(p).parent.name, path
    assert parent_name("C:\\x\\skills\\pdf\\SKILL.md") == "pdf"
