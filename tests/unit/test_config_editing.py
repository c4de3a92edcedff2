"""Completion and hover in a configuration file (agentls.config.editing): keys, sub-tables,
rule codes and names, severities, dialects and versions, where TOML puts them."""

from __future__ import annotations

import pytest

from agentls.config.editing import config_completion, config_hover
from agentls.config.model import KEYS
from agentls.dialects.registry import ALL_DIALECTS
from agentls.rules.registry import rules
from agentls.types import Position


def complete(text: str, pyproject: bool = False) -> list[tuple[str, str]]:
    """Completion at the ``|`` of ``text``: (label, inserted text) pairs."""
    before, after = text.split("|")
    lines = (before + after).split("\n")
    line = before.count("\n")
    pos = Position(line, len(before.split("\n")[-1]))
    return [(c.label, c.insert_text) for c in config_completion(lines, pos, pyproject)]


def labels(text: str, pyproject: bool = False) -> list[str]:
    return [label for label, _ in complete(text, pyproject)]


def test_keys_of_the_table() -> None:
    assert labels("ign|") == [k.name for k in KEYS]
    assert labels('[project]\nname = "x"\n[tool.agentls]\nsel|', pyproject=True) == [
        k.name for k in KEYS
    ]
    # another table of pyproject.toml is not agentls's
    assert labels("[project]\nna|", pyproject=True) == []


def test_sub_tables_in_headers() -> None:
    tables = [k.name for k in KEYS if k.kind == "table"]
    assert labels("[|") == tables
    assert labels("[tool.|", pyproject=True) == [
        "tool.agentls",
        *(f"tool.agentls.{t}" for t in tables),
    ]


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ('ignore = ["AL0|', False),
        ("select = [AL0|", True),
        ('extend-select = ["AL013", |', True),
        ('[per-file-ignores]\n"legacy/*.md" = ["|', False),
        ('per-file-ignores = { "legacy/**" = ["AL017", "AL0|', False),
    ],
)
def test_rules_where_a_list_of_rules_is_written(text: str, quoted: bool) -> None:
    got = dict(complete(text))
    assert set(rules()) <= set(got) and "invalid-color" in got and "ALL" in got
    assert got["AL013"] == ('"AL013"' if quoted else "AL013")


def test_severity_keys_are_rules_and_values_severities() -> None:
    assert labels('severity = { AL013 = "w|') == ["error", "warning", "information", "hint"]
    assert labels('severity = { AL013 = "warning", AL0|')[0] == "AL001"
    assert dict(complete("[severity]\nAL0|"))["AL013"] == "AL013"  # a bare key
    assert labels('[tool.agentls.severity]\nAL013 = "|', pyproject=True)[0] == "error"


def test_dialects_and_versions() -> None:
    assert labels('[dialects]\n"prompts/*.md" = "cl|') == list(ALL_DIALECTS)
    assert labels('dialects = { "p/*.md" = |')[0] == "claude-agent"
    assert labels('[dialects]\n"prom|') == []  # a glob: nothing to suggest
    assert len(labels('claude-code-version = "|')) >= 1


def hover(line: str, col: int, pyproject: bool = False) -> str | None:
    h = config_hover([line], Position(0, col), pyproject)
    return h.markdown if h else None


def test_hover_on_keys_rules_and_tables() -> None:
    line = 'ignore = ["AL016", "invalid-color"]'
    assert (hover(line, 2) or "").startswith("**ignore** (list of rules)")
    assert (hover(line, line.index("AL016") + 2) or "").startswith(
        "**AL016** `description-quality`"
    )
    assert (hover(line, line.index("invalid") + 2) or "").startswith("**AL028** `invalid-color`")
    assert hover(line, line.index("[")) is None
    assert (hover("[tool.agentls.severity]", 16, pyproject=True) or "").startswith("**severity**")
    assert hover("[project]", 3, pyproject=True) is None
