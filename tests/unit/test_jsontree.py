"""The strict JSON reader: values, positions, and every syntax error at its character."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentls.document import jsontree as jt
from agentls.document.jsontree import parse_json
from agentls.types import Position, Range


def _at(text: str, needle: str, nth: int = 0) -> Position:
    """The position of the ``nth`` occurrence of ``needle`` in ``text``."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    before = text[:offset].replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n")
    return Position(line, len(before) - (before.rfind("\n") + 1))


VALID = [
    "{}",
    "[]",
    '{"a": 1, "b": [true, false, null, -1.5e3, "x"], "c": {"d": "\\u00e9\\n\\"q\\""}}',
    '  \n{"nested": [[[]], {"k": {}}]}\n',
    '"just a string"',
    "0",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_json_reads_as_the_json_module_does(text: str) -> None:
    doc = parse_json(text)
    assert doc.strict and doc.complete
    assert doc.value() == json.loads(text)


def test_nodes_carry_exact_ranges() -> None:
    text = '{\n  "model": "opus",\n  "env": {"A": "1"}\n}'
    doc = parse_json(text)
    assert doc.root is not None
    (k1, v1), (_, v2) = doc.root.pairs
    assert k1.range == Range(_at(text, '"model"'), Position(1, 9))
    assert v1.range == Range(_at(text, '"opus"'), Position(1, 17))
    assert v1.style == '"' and v1.value == "opus"
    assert v2.kind == "mapping" and v2.range.start == _at(text, "{", 1)
    assert doc.root.range == Range(Position(0, 0), Position(3, 1))


def test_crlf_and_lone_cr_count_as_line_breaks() -> None:
    text = '{\r\n"a": 1,\r"b": 2}'
    doc = parse_json(text)
    assert doc.root is not None
    assert doc.root.pairs[1][0].range.start == Position(2, 0)
    assert doc.lines == ["{", '"a": 1,', '"b": 2}']


SYNTAX = [
    # (text, cause, the text the error points at, still readable)
    ('{\n  // note\n  "a": 1\n}', jt.COMMENT, "// note", True),
    ('{"a": 1 /* x */}', jt.COMMENT, "/* x */", True),
    ('{"a": 1,\n}', jt.TRAILING_COMMA, ",", True),
    ("[1, 2,]", jt.TRAILING_COMMA, ",]", True),
    ('{"a": 1\n "b": 2}', jt.MISSING_COMMA, '"b"', True),
    ('["x" "y"]', jt.MISSING_COMMA, '"y"', True),
    ("{'a': 1}", jt.SINGLE_QUOTES, "'a'", True),
    ("{a: 1}", jt.UNQUOTED_KEY, "a", True),
    ('{"a": "x\ty"}', jt.BAD_STRING, "\t", True),
    ('{"a": "C:\\dir"}', jt.BAD_STRING, "\\d", True),
    ('{"a": True}', jt.UNEXPECTED, "True", False),
    ('{"a": 01}', jt.BAD_NUMBER, "01", False),
    ('{"a": +1}', jt.BAD_NUMBER, "+1", False),
    ('{"a" 1}', jt.UNEXPECTED, "1", False),
    ('{"a": 1]', jt.UNEXPECTED, "]", False),
    ('{"a": "open\n}', jt.UNTERMINATED, '"open', False),
    ('{"a": 1} {}', jt.EXTRA, "{", True),
]


@pytest.mark.parametrize(("text", "cause", "at", "readable"), SYNTAX)
def test_syntax_errors_point_at_the_offending_character(
    text: str, cause: str, at: str, readable: bool
) -> None:
    doc = parse_json(text)
    assert not doc.strict
    with pytest.raises(ValueError):
        json.loads(text)  # the check agrees with a strict reader
    first = doc.errors[0]
    assert first.cause == cause, first.message
    nth = 1 if cause == jt.EXTRA else 0
    assert first.range.start == _at(text, at, nth)
    assert doc.complete is readable or cause in (jt.EXTRA,)


def test_end_of_file_is_named() -> None:
    text = '{"a": [1, 2'
    doc = parse_json(text)
    assert [e.cause for e in doc.errors] == [jt.UNTERMINATED]
    assert doc.errors[0].range.start == Position(0, 10)
    assert "ends too early" in doc.errors[0].message


def test_readable_errors_keep_every_key() -> None:
    doc = parse_json('{\n  // c\n  "a": 1,\n  "b": [1,],\n}\n')
    assert [e.cause for e in doc.errors] == [jt.COMMENT, jt.TRAILING_COMMA, jt.TRAILING_COMMA]
    assert doc.complete
    assert doc.value() == {"a": 1, "b": [1]}


def test_after_a_hard_error_the_partial_tree_is_kept() -> None:
    doc = parse_json('{"permissions": {"allow": ["Read", "Bash(')
    assert not doc.complete
    assert doc.value() == {"permissions": {"allow": ["Read"]}}


def test_duplicate_keys_keep_the_last_value_and_are_listed() -> None:
    text = '{"a": 1, "b": 2, "a": 3}'
    doc = parse_json(text)
    assert doc.strict
    assert doc.value() == {"a": 3, "b": 2}
    ((later, first),) = doc.duplicates
    assert later.range.start == _at(text, '"a"', 1) and first.range.start == _at(text, '"a"')


@pytest.mark.parametrize("text", ["", "  \n\t", "\ufeff", "\ufeff  "])
def test_empty_and_bom_only_files_are_empty_not_errors(text: str) -> None:
    # Claude Code reads an empty settings file as {} (claude doctor 2.1.332: no complaint).
    doc = parse_json(text)
    assert doc.empty and doc.strict and doc.root is None


def test_a_byte_order_mark_is_skipped() -> None:
    doc = parse_json('\ufeff{"a": 1}')
    assert doc.strict and doc.value() == {"a": 1}


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    doc = parse_json("[" * 5000 + "]" * 5000)
    assert any(e.cause == jt.TOO_DEEP for e in doc.errors)


def test_unterminated_block_comment() -> None:
    doc = parse_json('{"a": 1 /* never closed')
    assert doc.errors[0].cause == jt.COMMENT
    assert doc.errors[0].range.start == Position(0, 8)


# ---- the fast reading of valid JSON gives the careful reader's tree


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.lists(st.tuples(st.text(max_size=6), inner), max_size=4)
    ),
    max_leaves=25,
)


def _dump(v: object, indent: str | None, eol: str, depth: int = 0) -> str:
    """JSON text of ``v`` (a list of pairs is an object, keys may repeat)."""
    pad = "" if indent is None else eol + indent * (depth + 1)
    end = "" if indent is None else eol + indent * depth
    if isinstance(v, list) and v and all(isinstance(x, tuple) for x in v):
        body = ("," + pad).join(
            f"{json.dumps(k)}: {_dump(x, indent, eol, depth + 1)}"
            for k, x in v  # type: ignore[misc]
        )
        return "{" + pad + body + end + "}"
    if isinstance(v, list):
        return "[" + pad + ("," + pad).join(_dump(x, indent, eol, depth + 1) for x in v) + end + "]"
    return json.dumps(v, ensure_ascii=False)


def _shape(n: object) -> object:
    from agentls.document.nodes import YNode

    assert isinstance(n, YNode)
    return (
        n.kind,
        n.range,
        repr(n.value) if n.kind == "scalar" else None,
        n.style,
        [(_shape(k), _shape(v)) for k, v in n.pairs],
        [_shape(i) for i in n.items],
    )


@settings(max_examples=300, deadline=None)
@given(_VALUES, st.sampled_from([None, "  ", "\t"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_valid_json_fast_and_careful_readers_agree(
    value: object, indent: str | None, eol: str
) -> None:
    text = _dump(value, indent, eol) + eol
    fast = jt._parse_valid(text)
    assert fast is not None, text
    p = jt._Parser(text)
    careful = p.value(0)
    assert not p.errors
    assert _shape(fast.root) == _shape(careful)
    assert [(_shape(a), _shape(b)) for a, b in fast.duplicates] == [
        (_shape(a), _shape(b)) for a, b in p.duplicates
    ]
    assert fast.lines == jt._split_lines(text)


@pytest.mark.parametrize(
    "text", ["", " ", "\ufeff{}", "{} x", "[NaN]", '{"a": Infinity}', "[1,]", '{"a": "\t"}']
)
def test_what_is_not_strict_json_goes_to_the_careful_reader(text: str) -> None:
    assert jt._parse_valid(text) is None


# ---- a document being edited: its tree from the last one read (the language server)


def _same_document(a: jt.JsonDocument, b: jt.JsonDocument) -> None:
    assert a.text == b.text and a.lines == b.lines
    assert a.root is not None and b.root is not None
    assert _shape(a.root) == _shape(b.root)
    assert [(_shape(x), _shape(y)) for x, y in a.duplicates] == [
        (_shape(x), _shape(y)) for x, y in b.duplicates
    ]
    assert (a.errors, a.complete, a.empty) == (b.errors, b.complete, b.empty)


_TYPED = st.sampled_from(["x", "é", "😀", '"', "\\", "\\n", '\\"', "\\u00e9", " ", ",", "\t", "\n"])


@settings(max_examples=400, deadline=None)
@given(
    _VALUES,
    st.sampled_from([None, "  "]),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 2), _TYPED), min_size=1, max_size=4),
)
def test_an_edited_tree_is_the_tree_read_in_full(
    value: object, indent: str | None, eol: str, edits: list[tuple[int, int, str]]
) -> None:
    """Whatever the edit, the tree made from the last one is exactly the full reading (or
    there is none and the text is read in full); edits are made mostly inside strings."""
    text = _dump(value, indent, eol) + eol
    old = jt._parse_valid(text)
    assert old is not None
    for where, removed, typed in edits:
        quotes = [i for i, c in enumerate(text) if c == '"']
        at = quotes[where % len(quotes)] + 1 + where % 3 if quotes else where
        at = min(at, len(text))
        text = text[:at] + typed + text[at + removed :]
        edited = jt._edited(old, text)
        full = jt._parse_valid(text)
        if edited is not None:
            assert full is not None, text
            _same_document(edited, full)
        if full is None:
            return  # no longer valid JSON: the careful reader's business
        old = edited or full


def test_typing_in_a_permission_rule_shares_the_rest_of_the_tree() -> None:
    rules = [f'    "Bash(npm run test:{i}:*)"' for i in range(400)]
    text = '{\n  "permissions": {\n    "allow": [\n' + ",\n".join(rules) + "\n    ]\n  }\n}\n"
    jt.reuse_json_parses()
    try:
        old = parse_json(text)
        at = text.index("test:200") + 4
        typed = text[:at] + "x" + text[at:]
        new = parse_json(typed)
        back = parse_json(text)
    finally:
        jt.reuse_json_parses(False)
    full = parse_json(typed)
    _same_document(new, full)
    assert new.root is not None and old.root is not None
    before = old.root.pairs[0][1].pairs[0][1].items
    after = new.root.pairs[0][1].pairs[0][1].items
    assert after[200].value == "Bash(npm run testx:200:*)"
    # every other rule is the same node: nothing else was made again
    assert sum(a is b for a, b in zip(before, after, strict=True)) == 399
    assert back.root is not None and back.root.pairs[0][1].pairs[0][1].items[0] is before[0]


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ('{"a": "x", "b": "y"}', ('"b"', '"a"')),  # a key edited into a duplicate
        ('{"a": "x", "a": "y"}', ('"a": "y"', '"c": "y"')),  # and out of one
        ('{"a": "x",\r\n "b": ["yy", "z"]}', ('"yy"', '"y"')),  # CRLF
        ('{"a": "x", "b": ["y", "z"]}', ('"y", "z"', '"yw", "z"')),  # later items move
    ],
)
def test_edits_of_keys_and_line_endings(text: str, edit: tuple[str, str]) -> None:
    old = jt._parse_valid(text)
    assert old is not None
    new_text = text.replace(*edit)
    edited = jt._edited(old, new_text)
    full = jt._parse_valid(new_text)
    assert edited is not None and full is not None
    _same_document(edited, full)


@pytest.mark.parametrize(
    "new_text",
    [
        '{"a": "x",\n "b": "y"}',  # a line break
        '{"a": "x", "b": "y}',  # a quote removed
        '{"a": "x", "b": 12}',  # not a string
        '{"a": "x", "b": "y\\"}',  # the closing quote escaped
    ],
)
def test_other_edits_are_read_in_full(new_text: str) -> None:
    old = jt._parse_valid('{"a": "x", "b": "y"}')
    assert old is not None
    assert jt._edited(old, new_text) is None
