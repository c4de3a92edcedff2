"""The effective configuration: what Claude Code 2.1.332 loads from an agent file."""

from __future__ import annotations

import pytest

from agentls.effective import split_tool_string, tool_entries
from agentls.engine import analyze
from agentls.types import Effective

PATH = "/ws/.claude/agents/a.md"


def eff(*lines: str, body: str = "Prompt.\n") -> Effective:
    text = "---\nname: a\ndescription: Use when x\n" + "".join(x + "\n" for x in lines)
    e = analyze(text + "---\n" + body, PATH).effective
    assert e is not None
    return e


@pytest.mark.parametrize(
    "value",
    ["Read, Grep", "Read Grep", "[Read, Grep]", '["Read", "Grep"]', "\n  - Read\n  - Grep"],
)
def test_list_grammar_forms_are_equivalent(value: str) -> None:
    assert eff(f"tools: {value}").tools == ["Read", "Grep"]


def test_split_keeps_parentheses_together() -> None:
    assert split_tool_string("Bash(git add *), Read  Agent(a, b)") == [
        "Bash(git add *)",
        "Read",
        "Agent(a, b)",
    ]
    assert tool_entries(["Read, Grep", 5, None, "Glob"]) == ["Read", "Grep", "Glob"]


@pytest.mark.parametrize("value", ["", '""', "[]"])
def test_empty_tool_list_means_no_tools(value: str) -> None:
    assert eff(f"tools: {value}").tools == []


def test_omitted_tools_means_all_and_star_means_all() -> None:
    assert eff().tools is None
    assert eff("tools: Read, *").tools is None


def test_aliases_case_and_drops() -> None:
    e = eff("tools: Task, KillShell, MultiEdit, read, Foo, Bash(git *), Agent(x, y)")
    assert e.tools == ["Agent", "TaskStop", "Bash"]
    dropped = dict(e.dropped_tools)
    assert set(dropped) == {"MultiEdit", "read", "Foo"}
    assert "case-sensitive" in dropped["read"]


def test_non_string_tools_means_no_tools() -> None:
    assert eff("tools: 5").tools == []
    assert eff("tools:", "  read: true").tools == []


def test_memory_adds_read_write_edit_even_to_an_empty_list() -> None:
    assert eff("tools: Grep", "memory: project").tools == ["Grep", "Read", "Write", "Edit"]
    assert eff("tools: []", "memory: user").tools == ["Read", "Write", "Edit"]
    assert eff("tools: Grep", "memory: team").tools == ["Grep"]


def test_disallowed_tools_applied_first() -> None:
    e = eff("tools: Read, Bash", "disallowedTools: Bash")
    assert e.tools == ["Read"]
    assert eff("disallowedTools: Bash").disallowed_tools == ["Bash"]


def test_model_aliases_are_case_insensitive_and_empty_is_unset() -> None:
    assert eff("model: Sonnet").model == "sonnet"
    assert eff("model: claude-opus-4-1").model == "claude-opus-4-1"
    assert eff('model: "  "').model is None
    assert eff("model: 4").model is None


def test_description_backslash_n_becomes_a_newline() -> None:
    text = "---\nname: a\ndescription: First\\nSecond: x\n---\nP\n"
    e = analyze(text, PATH).effective
    assert e is not None and e.loads and e.description == "First\nSecond: x"


def test_crlf_with_rescue_needing_value_does_not_load() -> None:
    text = "---\nname: a\ndescription: Use when: x\n---\nP\n"
    assert analyze(text, PATH).effective.loads  # type: ignore[union-attr]
    crlf = analyze(text.replace("\n", "\r\n"), PATH).effective
    assert crlf is not None and not crlf.loads


def test_dashes_cut_loses_tools() -> None:
    e = analyze("---\nname: a\ndescription: x --- y\ntools: Read\n---\nP\n", PATH).effective
    assert e is not None and e.loads and e.tools is None  # every tool: `tools` was cut off
    e = analyze("---\ndescription: x --- y\nname: a\n---\nP\n", PATH).effective
    assert e is not None and not e.loads


@pytest.mark.parametrize(
    ("lines", "loads"),
    [
        (("name: a", "description: d"), True),
        (("description: d",), False),
        (("name: 42", "description: d"), False),
        (('name: ""', "description: d"), False),
        (('name: "a:b"', "description: d"), False),
        (('name: "a：b"', "description: d"), False),
        (('name: "-a"', "description: d"), False),
        (("name: " + "a" * 257, "description: d"), False),
        (("name: " + "a" * 256, "description: d"), True),
        (("name: a",), False),
        (("name: a", 'description: "   "'), True),
        (("name: a", "description: [x]"), False),
        (("name: a", "description: d", "hooks: [x]"), False),
        (("name: a", "description: d", "PreToolUse: []"), False),
        (("name: a", "description: d", "Stop: []"), True),
        (
            (
                "name: a",
                "description: d",
                "hooks:",
                "  Stop:",
                "    - hooks:",
                "        - type: shell",
            ),
            True,
        ),
    ],
)
def test_loads(lines: tuple[str, ...], loads: bool) -> None:
    text = "---\n" + "".join(x + "\n" for x in lines) + "---\nP\n"
    e = analyze(text, PATH).effective
    assert e is not None and e.loads is loads, e.reason


def test_no_frontmatter_and_unterminated() -> None:
    assert not analyze("just text\n", PATH).effective.loads  # type: ignore[union-attr]
    assert not analyze("---\nname: a\ndescription: d\n", PATH).effective.loads  # type: ignore[union-attr]
