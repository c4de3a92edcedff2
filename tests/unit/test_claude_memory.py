"""Memory files: @imports (missing, too deep, not text, outside), size, AGENTS.md beside
CLAUDE.md; each rule's trigger and near miss, at its exact place."""

from __future__ import annotations

import os
from pathlib import Path

from agentls.document.model import parse_document
from agentls.engine import analyze
from agentls.rules.claude_memory import imports, links
from agentls.types import Finding, Position, Severity


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, "utf-8")
    return tmp_path


def check(path: Path) -> list[Finding]:
    a = analyze(path.read_text("utf-8"), str(path))
    assert a.dialect == "claude-memory"
    return a.findings


def test_detected_as_memory_files() -> None:
    for p in (
        "/p/CLAUDE.md",
        "/p/CLAUDE.local.md",
        "/p/AGENTS.md",
        "/p/.claude/CLAUDE.md",
        "/home/u/.claude/CLAUDE.md",
        "/p/sub/AGENTS.md",
    ):
        assert analyze("x", p).dialect == "claude-memory", p
    assert analyze("---\nname: a\n---\n", "/p/.claude/agents/AGENTS.md").dialect == "claude-agent"


def test_what_counts_as_an_import() -> None:
    text = (
        "See @docs/a.md and @./b.md\n"
        "`@code.md` and mail@x.md and @frag.md#part and @with\\ space.md\n"
        "```\n@fenced.md\n```\n<!-- @comment.md -->\n@claude helps\n"
    )
    got = [i.written for i in imports(text, "/p/CLAUDE.md")]
    assert got == ["docs/a.md", "./b.md", "frag.md#part", "with\\ space.md", "claude"]
    first = imports(text, "/p/CLAUDE.md")[0]
    assert first.range.start == Position(0, 4) and first.target == "/p/docs/a.md"


def test_al940_missing_file_and_near_misses(tmp_path: Path) -> None:
    root = project(
        tmp_path, {"CLAUDE.md": "@docs/gone.md\n@claude and @tanstack/query\n@a.md\n", "a.md": "x"}
    )
    (f,) = check(root / "CLAUDE.md")
    assert f.code == "AL940" and f.range.start == Position(0, 0)
    assert f.range.end == Position(0, len("@docs/gone.md"))


def test_al941_too_deep_and_near_miss(tmp_path: Path) -> None:
    files = {"CLAUDE.md": "@l1.md\n"}
    for i in range(1, 6):
        files[f"l{i}.md"] = f"@l{i + 1}.md\n" if i < 5 else "last\n"
    root = project(tmp_path, files)
    (f,) = check(root / "CLAUDE.md")
    assert f.code == "AL941" and "`l5.md` (level 5)" in f.message
    assert f.related and f.related[0].path.endswith("l5.md")
    (root / "l4.md").write_text("last\n")  # now 4 levels: all read
    assert check(root / "CLAUDE.md") == []


def test_cycles_are_harmless_and_said_as_information(tmp_path: Path) -> None:
    root = project(tmp_path, {"CLAUDE.md": "@b.md\n", "b.md": "@CLAUDE.md\n"})
    [f] = check(root / "CLAUDE.md")
    assert f.code == "AL942" and f.severity.label == "information"
    assert "b.md → CLAUDE.md" in f.message and f.related[0].path == str(root / "b.md")
    assert (f.range.start.character, f.range.end.character) == (0, 5)


def test_al943_not_text_and_al944_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("x")
    root = project(tmp_path / "p", {"CLAUDE.md": "@shot.png\n@../outside.md\n", "shot.png": "x"})
    (img, out) = check(root / "CLAUDE.md")
    assert img.code == "AL943" and out.code == "AL944"
    assert out.severity == Severity.INFORMATION
    # the other end: the file imported
    assert [r.path for r in img.related] == [str(root / "shot.png")]
    assert [os.path.normpath(r.path) for r in out.related] == [str(outside)]


def test_al945_large_file(tmp_path: Path) -> None:
    root = project(tmp_path, {"CLAUDE.md": "word " * 8_001, "AGENTS.md": "word " * 7_999})
    assert [f.code for f in check(root / "CLAUDE.md")] == ["AL945"]
    # under the limit: only the note that Claude Code does not read it beside CLAUDE.md
    assert [f.code for f in check(root / "AGENTS.md")] == ["AL946"]


def test_al945_not_for_a_skill_s_own_document(tmp_path: Path) -> None:
    # an AGENTS.md beside a SKILL.md is the skill's reference, read when the skill is used:
    # Claude Code does not load it when it starts, nor warns about its size (hand review)
    skill = "skills/lint/"
    root = project(
        tmp_path, {skill + "AGENTS.md": "word " * 8_001, skill + "README.md": "The skill.\n"}
    )
    assert [f.code for f in check(root / skill / "AGENTS.md")] == ["AL945"]
    (root / skill / "SKILL.md").write_text("---\nname: lint\ndescription: Lints.\n---\nx\n")
    assert check(root / skill / "AGENTS.md") == []


def test_al946_agents_md_beside_claude_md(tmp_path: Path) -> None:
    root = project(tmp_path, {"CLAUDE.md": "rules\n", "AGENTS.md": "other agents\n"})
    (f,) = check(root / "AGENTS.md")
    assert f.code == "AL946"
    assert [r.path for r in f.related] == [str(root / "CLAUDE.md")]  # read instead
    (root / "CLAUDE.md").write_text("@AGENTS.md\n")  # read through the import
    assert check(root / "AGENTS.md") == []


def test_al946_not_when_claude_md_is_the_same_text(tmp_path: Path) -> None:
    # CLAUDE.md a link to AGENTS.md (or a copy, with other line breaks): Claude Code reads
    # these words through CLAUDE.md, nothing of AGENTS.md is lost (hand review over real files)
    root = project(tmp_path, {"AGENTS.md": "Build with make.\nTest with make test.\n"})
    (root / "CLAUDE.md").symlink_to("AGENTS.md")
    assert check(root / "AGENTS.md") == []
    (root / "CLAUDE.md").unlink()
    (root / "CLAUDE.md").write_bytes(b"Build with make.\r\nTest with make test.\r\n")
    assert check(root / "AGENTS.md") == []
    (root / "CLAUDE.md").write_text("Build with make.\nTest with make check.\n")
    assert [f.code for f in check(root / "AGENTS.md")] == ["AL946"]


def test_links_to_existing_files(tmp_path: Path) -> None:
    root = project(tmp_path, {"CLAUDE.md": "@a.md @gone.md\n", "a.md": "x"})
    doc = parse_document((root / "CLAUDE.md").read_text())
    assert [link.target for link in links(doc, str(root / "CLAUDE.md"))] == [str(root / "a.md")]
