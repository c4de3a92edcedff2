"""The workspace index over the crossfile fixture (pure, no server)."""

from __future__ import annotations

from pathlib import Path

from agentls.indexing import build_index

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


def test_rename_skill_renames_its_folder_and_references(tmp_path: Path) -> None:
    from agentls.index import SKILL

    skill = tmp_path / ".claude" / "skills" / "pdf-tools" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text("---\nname: pdf-tools\ndescription: Use for PDFs.\n---\nBody\n", "utf-8")
    agent = tmp_path / ".claude" / "agents" / "writer.md"
    agent.parent.mkdir(parents=True)
    agent.write_text(
        "---\nname: writer\ndescription: Use when writing.\nskills: pdf-tools\n---\nBody\n", "utf-8"
    )
    index = build_index([str(tmp_path)], user=False, bundled=False)
    edits, renames = index.rename_edits(SKILL, "pdf-tools", "pdf-kit")
    assert set(edits) == {str(skill), str(agent)}
    assert renames == [(str(skill.parent), str(skill.parent.parent / "pdf-kit"))]
