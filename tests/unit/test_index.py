"""The workspace index over the crossfile fixture (pure, no server)."""

from __future__ import annotations

from pathlib import Path

from agentls.index import build_index

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "workspaces" / "crossfile"


def _codes(ix, rel: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.code for f in ix.findings_for(str(FIXTURE / rel)))


def test_cross_file_findings() -> None:
    ix = build_index([str(FIXTURE)], user=False, bundled=False)
    assert _codes(ix, ".claude/agents/reviewer.md") == ["AL301", "AL303", "AL304"]
    assert _codes(ix, ".claude/agents/reviewer-copy.md") == ["AL301"]
    assert _codes(ix, ".claude/agents/explore.md") == ["AL302"]
    assert _codes(ix, ".github/agents/planner.agent.md") == ["AL305"]
    assert _codes(ix, ".claude/commands/deploy.md") == []


def test_rename_edits_and_dependents() -> None:
    ix = build_index([str(FIXTURE)], user=False, bundled=False)
    edits, renames = ix.rename_edits("agent", "helper", "assistant")
    assert sorted(Path(p).name for p in edits) == ["deploy.md", "helper.md", "reviewer.md"]
    assert [Path(b).name for _, b in renames] == ["assistant.md"]
    helper = str(FIXTURE / ".claude/agents/helper.md")
    deps = ix.update(helper, "---\nname: aide\ndescription: Use when.\n---\nx\n")
    assert {Path(p).name for p in deps} >= {"reviewer.md", "deploy.md"}
    assert "AL304" in _codes(ix, ".claude/commands/deploy.md")
