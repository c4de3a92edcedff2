"""The envelope pass (rules/envelope.py) is one for every Markdown dialect; what the two
families' wordings make differ is pinned here: the code, the range and the fixes of each
problem kind, for a Claude Code agent and for another dialect (a Copilot agent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentls.engine import analyze
from agentls.types import Finding

AGENT = ".claude/agents/reviewer.md"
COPILOT = ".github/agents/planner.agent.md"
FM = "name: reviewer\ndescription: Use when reviewing code.\n"


def _envelope(text: str, path: str) -> list[tuple[str, tuple[int, int, int, int], list[str]]]:
    """The envelope findings: code, range (line, character, line, character), fix titles."""

    def row(f: Finding) -> tuple[str, tuple[int, int, int, int], list[str]]:
        r = f.range
        rng = (r.start.line, r.start.character, r.end.line, r.end.character)
        return f.code, rng, [x.title for x in f.fixes]

    kept = {"AL001", "AL005", "AL101", "AL106", "AL401", "AL404", "AL415", "AL452"}
    return [row(f) for f in analyze(text, path).findings if f.code in kept]


REMOVE = "Remove everything before the opening `---`"
CLOSE = "Write the closing fence as `---`"
DASHES = "Replace `---` with `—`"

# text -> (Claude Code agent, Copilot agent)
CASES = {
    "Some notes.\n": ([("AL001", (0, 0, 0, 11), [])], [("AL401", (0, 0, 0, 11), [])]),
    "\n---\n" + FM + "---\n": (
        [("AL001", (0, 0, 0, 0), [REMOVE])],
        [("AL401", (0, 0, 0, 0), [REMOVE])],
    ),
    "```yaml\n---\n" + FM + "---\n```\n": (
        [("AL001", (0, 0, 0, 7), [])],
        [("AL401", (0, 0, 0, 7), [])],
    ),
    # an indented fence: the whole line for Claude Code agents, the indent for the others
    "  ---\n  name: reviewer\n  ---\n": (
        [("AL001", (0, 0, 0, 5), [])],
        [("AL401", (0, 0, 0, 2), [])],
    ),
    "---\n" + FM + "Body.\n": ([("AL001", (0, 0, 0, 3), [])], [("AL401", (0, 0, 0, 3), [])]),
    "---\n" + FM + "----\n": (
        [("AL101", (3, 0, 3, 4), [CLOSE])],
        [("AL415", (3, 0, 3, 4), [CLOSE])],
    ),
    # `...`: Claude Code reads past it, so removing it is the advice, not a fence fix
    "---\n" + FM + "...\n---\n": (
        [("AL101", (3, 0, 3, 3), [])],
        [("AL415", (3, 0, 3, 3), [CLOSE])],
    ),
    # `---` in a value: only dialects that Claude Code reads
    "---\nname: reviewer\ndescription: Use when a --- b.\n---\n": (
        [("AL005", (2, 24, 2, 27), [DASHES])],
        [],
    ),
    "\ufeff---\n" + FM + "---\n": ([("AL106", (0, 0, 0, 1), [])], []),
}


@pytest.mark.parametrize("text", list(CASES), ids=[repr(t[:16]) for t in CASES])
def test_each_family_codes_ranges_and_fixes(text: str) -> None:
    claude, other = CASES[text]
    assert _envelope(text, AGENT) == claude
    assert _envelope(text, COPILOT) == other


def test_plugin_agent_without_frontmatter_falls_back(tmp_path: Path) -> None:
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin" / "plugin.json").write_text('{"name": "kit"}')
    (tmp_path / "agents").mkdir()
    path = tmp_path / "agents" / "helper.md"
    path.write_text("Helps.\n")
    found = analyze("Helps.\n", str(path)).findings
    assert [(f.code, "`helper`" in f.message) for f in found if f.code in ("AL001", "AL452")] == [
        ("AL452", True)
    ]


def test_dashes_in_a_skill_that_claude_code_reads() -> None:
    text = "---\nname: lint\ndescription: Lints --- fast.\nallowed-tools: Read\n---\n"
    found = analyze(text, ".claude/skills/lint/SKILL.md").findings
    assert [(f.code, "`allowed-tools`" in f.message) for f in found if f.code == "AL404"] == [
        ("AL404", True)
    ]
