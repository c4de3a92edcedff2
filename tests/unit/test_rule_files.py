"""Rule files of Cursor, Windsurf and Kiro: detection, keys, and each rule's trigger and near
miss."""

from __future__ import annotations

import pytest

from agentls.engine import analyze


def codes(text: str, path: str) -> list[str]:
    return [f.code for f in analyze(text, path).findings]


CURSOR = "/p/.cursor/rules/react.mdc"
WINDSURF = "/p/.windsurf/rules/style.md"
KIRO = "/p/.kiro/steering/tech.md"


def test_detection() -> None:
    assert analyze("", CURSOR).dialect == "cursor-rule"
    assert analyze("", "/p/.cursor/rules/sub/a.mdc").dialect == "cursor-rule"
    assert analyze("", WINDSURF).dialect == "windsurf-rule"
    assert analyze("", KIRO).dialect == "kiro-steering"


@pytest.mark.parametrize(
    "text",
    [
        "---\ndescription: React conventions\nglobs: src/**/*.tsx\nalwaysApply: false\n---\nx\n",
        "---\nalwaysApply: true\n---\nx\n",
        "---\ndescription: When touching migrations\n---\nx\n",
        "---\nglobs: **/*.ts, **/*.tsx\n---\nx\n",  # unquoted, as Cursor documents it
    ],
)
def test_cursor_near_misses(text: str) -> None:
    assert codes(text, CURSOR) == []


def test_cursor_rules() -> None:
    assert codes("---\nalwaysApply: true\nglobs: src/**\n---\nx\n", CURSOR) == ["AL960"]
    assert codes("---\nalwaysApply: false\n---\nx\n", CURSOR) == ["AL961"]
    assert codes("# no frontmatter\n", CURSOR) == ["AL961"]
    assert "AL410" in codes('---\nalwaysApply: "true"\n---\nx\n', CURSOR)
    assert "AL408" in codes("---\nalwaysapply: true\n---\nx\n", CURSOR)


def test_windsurf_rules() -> None:
    assert codes("---\ntrigger: glob\n---\nx\n", WINDSURF) == ["AL970"]
    assert codes("---\ntrigger: model_decision\n---\nx\n", WINDSURF) == ["AL970"]
    assert codes("---\ntrigger: glob\nglobs: '**/*.py'\n---\nx\n", WINDSURF) == []
    assert codes("---\ntrigger: always_on\n---\n" + "x" * 12_001, WINDSURF) == ["AL971"]
    assert codes("---\ntrigger: always_on\n---\n" + "x" * 11_000, WINDSURF) == []
    assert "AL411" in codes("---\ntrigger: always\n---\nx\n", WINDSURF)


def test_kiro_rules() -> None:
    assert codes("---\ninclusion: fileMatch\n---\nx\n", KIRO) == ["AL980"]
    assert codes("---\ninclusion: auto\n---\nx\n", KIRO) == ["AL980"]
    assert codes("---\ninclusion: fileMatch\nfileMatchPattern: '**/*.ts'\n---\nx\n", KIRO) == []
    assert codes("no frontmatter: always included\n", KIRO) == []
    assert "AL411" in codes("---\ninclusion: sometimes\n---\nx\n", KIRO)


def test_note_keys_are_information_not_another_tool() -> None:
    text = "---\ninclusion: always\ntitle: Git\nversion: 1.0.0\nfilePatterns: ['*.ts']\n---\nx\n"
    got = [(f.code, f.severity.label) for f in analyze(text, KIRO).findings]
    assert got == [("AL408", "information"), ("AL408", "information"), ("AL408", "warning")]


def test_values_complete_from_each_tools_schema() -> None:
    from agentls.document.model import parse_document
    from agentls.editing.completion import complete
    from agentls.types import Position

    def values(dialect: str, text: str, pos: Position) -> list[str]:
        return [c.label for c in complete(parse_document(text), pos, dialect=dialect)]

    assert values("kiro-steering", "---\ninclusion: \n---\n", Position(1, 11)) == [
        "always",
        "fileMatch",
        "manual",
        "auto",
    ]
    assert "model_decision" in values("windsurf-rule", "---\ntrigger: \n---\n", Position(1, 9))
    assert values("cursor-rule", "---\nalwaysApply: \n---\n", Position(1, 13)) == ["true", "false"]


def test_what_an_analysis_reads_of_other_files() -> None:
    from agentls.dialects.registry import reads_changed

    mcp, skill = ["/p/.mcp.json"], ["/p/.claude/skills/x/SKILL.md"]
    assert reads_changed("claude-agent", mcp) and not reads_changed("claude-agent", skill)
    assert reads_changed("claude-memory", skill) and reads_changed("claude-plugin", mcp)
    assert not reads_changed("copilot-agent", mcp) and not reads_changed(None, mcp)
