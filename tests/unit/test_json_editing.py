"""Completion, hover and outline of Claude Code's JSON files, also while they do not parse."""

from __future__ import annotations

import pytest

from agentls.document.jsontree import parse_json
from agentls.editing.fixes import apply_edits
from agentls.editing.json_editing import complete, hover, spot_at, symbols
from agentls.types import Position, TextEdit


def cursor(marked: str) -> tuple[str, Position]:
    i = marked.index("|")
    text = marked.replace("|", "", 1)
    line = text.count("\n", 0, i)
    return text, Position(line, i - (text.rfind("\n", 0, i) + 1))


def labels(dialect: str, marked: str) -> list[str]:
    text, pos = cursor(marked)
    return [c.label for c in complete(dialect, text, pos)]


@pytest.mark.parametrize(
    ("marked", "path", "role"),
    [
        ('{"mcpServers": {"a": {|}}}', ("mcpServers", "a"), "key"),
        ('{"mcpServers": {"a": {"ty|', ("mcpServers", "a"), "key"),
        ('{"mcpServers": {"a": {"type": "|"}}}', ("mcpServers", "a", "type"), "value"),
        ('{\n  "permissions": {\n    "allow": ["Read", "|', ("permissions", "allow", 1), "value"),
        ('{"hooks": {"Stop": [{"hooks": [{|', ("hooks", "Stop", 0, "hooks", 0), "key"),
    ],
)
def test_where_the_cursor_is_even_in_broken_text(
    marked: str, path: tuple[object, ...], role: str
) -> None:
    text, pos = cursor(marked)
    spot = spot_at(text, pos)
    assert spot is not None and (spot.path, spot.role) == (path, role)


def test_keys_from_the_schema_without_those_present() -> None:
    got = labels("claude-mcp", '{"mcpServers": {"a": {"command": "x", |}}}')
    assert "args" in got and "env" in got and "command" not in got


def test_handler_keys_follow_its_type() -> None:
    got = labels("claude-settings", '{"hooks": {"Stop": [{"hooks": [{"type": "prompt", |}]}]}}')
    assert "prompt" in got and "model" in got and "command" not in got


def test_hook_events_and_values() -> None:
    assert "PreSkillShellCommand" in labels("claude-settings", '{"hooks": {|}}')
    modes = labels("claude-settings", '{"permissions": {"defaultMode": "|"}}')
    assert modes[:2] == ["default", "acceptEdits"]
    assert "Bash" in labels("claude-settings", '{"permissions": {"deny": ["|"]}}')
    assert "opus" in labels("claude-settings", '{"model": "|')


def test_a_key_is_inserted_with_its_value_shape() -> None:
    text, pos = cursor('{"mcpServers": {"a": {"ar|"}}}')
    (item,) = [c for c in complete("claude-mcp", text, pos) if c.label == "args"]
    assert item.snippet and item.insert_text == '"args": [$0]'
    out = apply_edits(text, [TextEdit(item.replace, item.insert_text.replace("$0", '"x"'))])
    assert out == '{"mcpServers": {"a": {"args": ["x"]}}}'


def test_hover_on_keys_values_and_rules() -> None:
    doc = parse_json('{"permissions": {"defaultMode": "plan", "allow": ["Bash(x)"]}}')
    on_key = hover("claude-settings", doc, Position(0, 20))
    assert on_key is not None and on_key.markdown.startswith("**`defaultMode`**")
    on_value = hover("claude-settings", doc, Position(0, 35))
    assert on_value is not None and "Plan mode" in on_value.markdown
    on_rule = hover("claude-settings", doc, Position(0, 50))
    assert on_rule is not None and on_rule.markdown.startswith("**`Bash`**")


def test_outline_nests_objects_and_lists() -> None:
    doc = parse_json('{"mcpServers": {"a": {"command": "x"}}, "x": [1, 2]}')
    (servers, x) = symbols(doc)
    assert servers.name == "mcpServers" and [c.name for c in servers.children] == ["a"]
    assert servers.children[0].children[0].detail == '"x"'
    assert x.detail == "2 items"


def test_folding_ranges_of_objects_and_lists_over_several_lines() -> None:
    from agentls.document.jsontree import parse_json
    from agentls.editing.json_editing import folding_ranges

    doc = parse_json(
        '{\n  "permissions": {\n    "allow": [\n      "Bash"\n    ]\n  },\n  "a": {}\n}\n'
    )
    assert [(f.start, f.end) for f in folding_ranges(doc)] == [(0, 6), (1, 4), (2, 3)]
