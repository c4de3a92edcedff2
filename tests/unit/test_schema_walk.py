"""The schema walk over positioned JSON: each problem on its node, in document order."""

from __future__ import annotations

from typing import Any

from agentls.document.jsontree import parse_json
from agentls.rules.schema_walk import Problem, Walker, schema_resolver
from agentls.types import Position

BASE = "https://example.test/schemas/"
MAIN: dict[str, Any] = {
    "$id": BASE + "main.json",
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "pattern": "^[^ ]*$"},
        "count": {"type": "integer", "exclusiveMinimum": 0, "maximum": 10},
        "mode": {"enum": ["a", "b"]},
        "url": {"type": "string", "format": "uri"},
        "paths": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "deps": {"type": "array", "items": {"$ref": "#/$defs/dep"}},
        "hooks": {"$ref": "other.json#/$defs/hooks"},
        "server": {
            "type": "object",
            "properties": {"type": {"enum": ["stdio", "http"]}, "command": {}, "url": {}},
            "allOf": [
                {
                    "if": {"properties": {"type": {"const": "http"}}, "required": ["type"]},
                    "then": {"required": ["url"]},
                },
            ],
        },
    },
    "$defs": {"dep": {"anyOf": [{"type": "string"}, {"type": "object", "required": ["name"]}]}},
}
OTHER: dict[str, Any] = {
    "$id": BASE + "other.json",
    "$defs": {
        "hooks": {
            "type": "object",
            "propertyNames": {"enum": ["Stop"]},
            "additionalProperties": {"type": "array"},
        }
    },
}
WALKER = Walker(schema_resolver({MAIN["$id"]: MAIN, OTHER["$id"]: OTHER}))


def problems(text: str) -> list[Problem]:
    doc = parse_json(text)
    assert doc.root is not None
    return list(WALKER.walk(doc.root, MAIN, MAIN["$id"]))


def summary(text: str) -> list[tuple[str, str]]:
    return [(p.kind, "/".join(map(str, p.path))) for p in problems(text)]


def test_a_valid_document_has_no_problem() -> None:
    text = (
        '{"name": "x", "count": 3, "mode": "a", "url": "https://e.test/x", "paths": ["./a"],'
        ' "deps": ["a", {"name": "b"}], "hooks": {"Stop": []},'
        ' "server": {"type": "http", "url": "u"}}'
    )
    assert problems(text) == []


def test_each_kind_of_problem_on_its_node() -> None:
    text = (
        '{"count": 0, "mode": "c", "url": "not a url", "nme": 1, "paths": 5,'
        ' "deps": [3], "hooks": {"stop": []}, "server": {"type": "http"}}'
    )
    assert summary(text) == [
        ("minimum", "count"),
        ("enum", "mode"),
        ("format", "url"),
        ("unknown-key", "nme"),
        ("any-of", "paths"),
        ("any-of", "deps/0"),
        ("property-name", "hooks/stop"),
        ("required", "server"),
        ("required", ""),
    ]
    at = {"/".join(map(str, p.path)): p for p in problems(text)}
    assert at["nme"].node.value == "nme"  # the key, to be renamed
    assert at["paths"].detail["accepted"] == ["string", "array"]
    assert at["deps/0"].detail["accepted"] == ["string", "object"]
    assert at[""].detail["missing"] == ["name"]


def test_any_of_with_one_branch_of_the_right_type_is_checked_inside() -> None:
    # A list where a string or a list of strings is wanted: what is wrong is inside it.
    assert summary('{"name": "x", "paths": ["a", 2]}') == [("type", "paths/1")]


def test_types_and_strings() -> None:
    assert summary('{"name": 5}') == [("type", "name")]
    assert summary('{"name": ""}') == [("min-length", "name")]
    assert summary('{"name": "a b"}') == [("pattern", "name")]
    assert summary('{"name": "x", "count": 2.0}') == []  # 2.0 is an integer
    assert summary('{"name": "x", "count": true}') == [("type", "count")]


def test_json_types() -> None:
    doc = parse_json('[{}, [], "s", 1, 1.5, true, null]')
    assert doc.root is not None
    assert [n.json_type for n in doc.root.items] == [
        "object",
        "array",
        "string",
        "integer",
        "number",
        "boolean",
        "null",
    ]


def test_a_document_being_edited_walks_again_only_the_way_to_the_edit() -> None:
    """The subtrees a reading shares with the last one are not walked again, and the
    problems are those of a walk without memory, in the same order."""
    from agentls.document import jsontree as jt

    text = (
        '{\n "name": "a b",\n "server": {"type": "http"},\n "deps": ["x", {}, "y"],\n'
        ' "hooks": {"Nope": [], "Stop": 1},\n "paths": ["p", 2]\n}\n'
    )
    jt.reuse_json_parses()
    try:
        first = jt.parse_json(text)
        assert first.root is not None and first.walks is not None
        list(WALKER.walk(first.root, MAIN, MAIN["$id"], memo=(first.walks, first.walks_before)))
        edited = text.replace('"y"', '"yz"')
        second = jt.parse_json(edited)
    finally:
        jt.reuse_json_parses(False)
    assert second.root is not None and second.walks is not None
    assert second.walks_before is first.walks
    walked = list(
        WALKER.walk(second.root, MAIN, MAIN["$id"], memo=(second.walks, second.walks_before))
    )
    assert [(p.kind, p.path, p.node.range) for p in walked] == [
        (p.kind, p.path, p.node.range) for p in problems(edited)
    ]
    # `server`, `hooks`, `paths` and the `{}` in `deps` were taken as they were; `deps`,
    # which holds the edit, was walked again
    kept = {hit[0].range.start for at, hit in second.walks.items() if first.walks.get(at) is hit}
    anew = {hit[0].range.start for at, hit in second.walks.items() if at not in first.walks}
    assert kept == {Position(2, 11), Position(3, 15), Position(4, 10), Position(5, 10)}
    assert anew == {Position(3, 9)}
