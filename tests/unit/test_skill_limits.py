"""Skill descriptions: the Agent Skills limit (1,024) beside Claude Code's listing (1,536)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentls.cli import main
from agentls.engine import analyze

PATH = "/p/.claude/skills/s/SKILL.md"


def codes(description: str) -> list[str]:
    text = f"---\nname: s\ndescription: {description}\n---\nBody.\n"
    return [f.code for f in analyze(text, PATH).findings]


def test_al505_over_the_agent_skills_limit() -> None:
    assert codes("x" * 1025) == ["AL505"]


def test_al505_near_miss_at_the_limit() -> None:
    assert codes("x" * 1024) == []


def test_the_listing_finding_stays_beside_it() -> None:
    assert codes("x" * 1600) == ["AL503", "AL505"]


def test_al506_misnamed_manifests(tmp_path: Path) -> None:
    for name in ("skill.md", "Skill.md", "SKILLS.MD"):
        path = tmp_path / ".claude" / "skills" / "x" / name
        a = analyze("---\nname: x\ndescription: d\n---\nBody\n", str(path))
        assert a.dialect == "claude-skill", name
        assert [f.code for f in a.findings] == ["AL506"], name
    github = analyze("---\nname: x\ndescription: d\n---\n", "/p/.github/skills/x/skill.md")
    assert [f.code for f in github.findings] == ["AL506"]


def test_al506_near_miss_the_exact_name_and_other_files(tmp_path: Path) -> None:
    assert codes("d") == []
    assert analyze("x", "/p/.claude/skills/x/notes.md").dialect is None


def test_check_finds_an_upper_case_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    skill = tmp_path / ".claude" / "skills" / "x"
    skill.mkdir(parents=True)
    (skill / "SKILLS.MD").write_text("---\nname: x\ndescription: d\n---\nBody\n")
    main(["check", str(tmp_path)])
    assert "AL506" in capsys.readouterr().out


SKILL_TEXT = "---\nname: x\ndescription: d\n---\nBody\n"


def _misnamed(tmp_path: Path, name: str = "skill.md") -> Path:
    folder = tmp_path / ".claude" / "skills" / "x"
    folder.mkdir(parents=True)
    path = folder / name
    path.write_text(SKILL_TEXT)
    return path


def test_al506_rename_fix_is_verified_at_the_new_path(tmp_path: Path) -> None:
    from agentls.editing.fixes import verified_fixes

    path = _misnamed(tmp_path)
    a = analyze(SKILL_TEXT, str(path))
    [(f, fix)] = verified_fixes(SKILL_TEXT, str(path), None, a, a.findings)
    assert f.code == "AL506" and fix.safe and fix.edits == ()
    assert fix.rename_to == str(path.parent / "SKILL.md")


def test_al506_no_rename_when_a_manifest_is_beside_it(tmp_path: Path) -> None:
    path = _misnamed(tmp_path)
    (path.parent / "SKILL.md").write_text(SKILL_TEXT)
    [f] = analyze(SKILL_TEXT, str(path)).findings
    assert f.code == "AL506" and not f.fixes and "beside" in f.message


def test_check_fix_renames_the_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _misnamed(tmp_path, "SKILLS.MD")
    assert main(["check", "--fix", "--dry-run", str(tmp_path)]) == 1
    assert f"rename {path} -> {path.parent / 'SKILL.md'}" in capsys.readouterr().out
    assert path.exists()  # a dry run renames nothing
    assert main(["check", "--fix", str(tmp_path)]) == 0
    assert sorted(p.name for p in path.parent.iterdir()) == ["SKILL.md"]
    assert (path.parent / "SKILL.md").read_text() == SKILL_TEXT
    assert "AL506" not in capsys.readouterr().out


def test_rename_never_replaces_another_file(tmp_path: Path) -> None:
    from agentls.fix import rename_file

    old, new = tmp_path / "skill.md", tmp_path / "SKILL.md"
    old.write_text("mine")
    new.write_text("theirs")
    assert rename_file(str(old), str(new)) == "SKILL.md already exists"
    assert old.read_text() == "mine" and new.read_text() == "theirs"
    new.unlink()
    assert rename_file(str(old), str(new)) is None
    assert not old.exists() and new.read_text() == "mine"


# ----------------------------------------------------------------- AL507: a loose file in skills/


def _loose(root: Path, rel: str = ".claude/skills/tidy.md", text: str = SKILL_TEXT) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_al507_a_loose_skill_file_and_its_move(tmp_path: Path) -> None:
    from agentls.editing.fixes import verified_fixes

    path = _loose(tmp_path)
    a = analyze(SKILL_TEXT, str(path))
    assert a.dialect == "claude-skill"
    assert [f.code for f in a.findings] == ["AL507"]  # no folder rule (AL500) beside it
    [(f, fix)] = verified_fixes(SKILL_TEXT, str(path), None, a, a.findings)
    assert fix.safe and fix.edits == ()
    assert fix.rename_to == str(tmp_path / ".claude/skills/tidy/SKILL.md")
    assert "Move it to `tidy/SKILL.md`" in f.message


def test_al507_in_a_plugin_and_a_loose_skill_md(tmp_path: Path) -> None:
    _loose(tmp_path, "kit/.claude-plugin/plugin.json", '{"name": "kit"}')
    path = _loose(tmp_path, "kit/skills/flat.md")
    assert [f.code for f in analyze(SKILL_TEXT, str(path)).findings] == ["AL507"]
    manifest = _loose(tmp_path, ".claude/skills/SKILL.md")  # the folder left out: its `name`
    [f] = analyze(SKILL_TEXT, str(manifest)).findings
    assert f.fixes[0].rename_to == str(tmp_path / ".claude/skills/x/SKILL.md")
    nameless = "---\ndescription: d\n---\nBody\n"  # no name to make a folder of: no fix
    [g] = [g for g in analyze(nameless, str(manifest)).findings if g.code == "AL507"]
    assert not g.fixes


def test_al507_near_misses(tmp_path: Path) -> None:
    # a README or a note without frontmatter is documentation; a file in a skill's folder
    # is AL506's or nothing; outside a plugin, a skills/ folder is no Claude Code folder
    for rel, text in (
        (".claude/skills/README.md", SKILL_TEXT),
        (".claude/skills/notes.md", "# Notes\n"),
        (".claude/skills/tidy/SKILL.md", SKILL_TEXT),
        ("docs/skills/tidy.md", SKILL_TEXT),
    ):
        path = _loose(tmp_path, rel, text)
        assert "AL507" not in [f.code for f in analyze(text, str(path)).findings], rel
    assert analyze("# Notes\n", str(tmp_path / ".claude/skills/notes.md")).findings == []


def test_al507_no_move_over_a_skill_of_that_name(tmp_path: Path) -> None:
    path = _loose(tmp_path)
    _loose(tmp_path, ".claude/skills/tidy/SKILL.md")
    [f] = analyze(SKILL_TEXT, str(path)).findings
    assert f.code == "AL507" and not f.fixes and "already there" in f.message


def test_a_loose_or_misnamed_file_is_no_skill_for_the_index(tmp_path: Path) -> None:
    from agentls.indexing import build_index

    _loose(tmp_path)  # tidy.md
    _loose(tmp_path, ".claude/skills/x/skill.md")
    agent = _loose(
        tmp_path,
        ".claude/agents/w.md",
        "---\nname: w\ndescription: Writes.\nskills: [tidy, x]\n---\nBody\n",
    )
    index = build_index([str(tmp_path)], user=False, bundled=False)
    unknown = [f.message for f in index.findings_for(str(agent)) if f.code == "AL303"]
    assert len(unknown) == 2 and "`tidy`" in unknown[0] and "`x`" in unknown[1]


def test_check_fix_moves_a_loose_file_into_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _loose(tmp_path)
    assert main(["check", "--fix", "--dry-run", str(tmp_path)]) == 1
    target = tmp_path / ".claude/skills/tidy/SKILL.md"
    assert f"rename {path} -> {target}" in capsys.readouterr().out
    assert path.exists() and not target.parent.exists()  # a dry run moves nothing
    assert main(["check", "--fix", str(tmp_path)]) == 0
    assert not path.exists() and target.read_text() == SKILL_TEXT
    out = capsys.readouterr().out
    assert "AL507" not in out
    assert "tidy/SKILL.md:2:7: information[AL500] The skill is invoked as `/tidy`" in out  # anew


def test_a_failed_move_leaves_no_folder(tmp_path: Path) -> None:
    from agentls.fix import move_file

    old = _loose(tmp_path, "skills/gone.md")
    old.unlink()
    assert move_file(str(old), str(tmp_path / "skills/gone/SKILL.md")) is not None
    assert not (tmp_path / "skills/gone").exists()
