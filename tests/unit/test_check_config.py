"""``agentls check`` with a configuration: what it checks, what it reports and why nothing
was reported (--show-suppressed, --statistics), in every output format, with workers too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentls.cli import main

# AL013 (name/file), AL016 (description quality), AL028 (colour)
AGENT = "---\nname: foo\ndescription: Reviews code.\ncolor: gold\n---\nYou review code.\n"
ERROR = "---\ndescription: Use when reviewing\n---\nBody\n"  # AL009: no name


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "bar.md").write_text(AGENT)
    return tmp_path


def check_json(ws: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    main(["check", "--format", "json", *args, str(ws)])
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


def codes(doc: dict[str, object]) -> dict[str, list[str]]:
    files = doc["files"]
    assert isinstance(files, list)
    return {Path(f["path"]).name: sorted(d["code"] for d in f["diagnostics"]) for f in files}


def test_the_configuration_applies_and_the_text_summary_says_what_was_silenced(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ws / "agentls.toml").write_text('ignore = ["AL016"]\nseverity = { AL028 = "error" }\n')
    assert main(["check", str(ws)]) == 1  # AL028 is an error now
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" ")[1] for line in out[:-1]] == ["hint[AL013]", "error[AL028]"]
    assert out[-1] == (
        "2 files checked, 2 findings: 1 error, 1 hint; 1 suppressed (--show-suppressed lists them)"
    )


def test_show_suppressed_says_why_in_text_json_and_sarif(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ws / "agentls.toml").write_text('ignore = ["AL016"]\nexclude = ["drafts/**"]\n')
    (ws / "drafts").mkdir()
    (ws / "drafts" / "x.agent.md").write_text("---\ndescription: 1\n---\n")
    agent = ws / ".claude" / "agents" / "bar.md"
    agent.write_text(AGENT.replace("color: gold", "# agentls: ignore[AL028]\ncolor: gold"))
    main(["check", "--show-suppressed", str(ws)])
    out = capsys.readouterr().out.splitlines()
    suppressed = [line for line in out if ": suppressed " in line]
    assert len(suppressed) == 2
    assert "suppressed hint[AL016]" in suppressed[0] and "(by `ignore` `AL016` (" in suppressed[0]
    assert "(by `# agentls: ignore[AL028]` (line 4))" in suppressed[1]
    assert [line for line in out if "drafts" in line] == [
        f"{ws}/drafts/x.agent.md: excluded by `exclude` `drafts/**` ({ws}/agentls.toml:2)"
    ]
    assert out[-1].endswith("; 2 suppressed")

    doc = check_json(ws, capsys, "--show-suppressed")
    (bar,) = [f for f in doc["files"] if f["path"].endswith("bar.md")]  # type: ignore[union-attr]
    assert [s["code"] for s in bar["suppressed"]] == ["AL016", "AL028"]
    assert bar["suppressed"][1]["suppressedBy"].startswith("`# agentls: ignore[AL028]`")
    assert doc["summary"]["suppressed"] == 2  # type: ignore[index]
    assert [Path(x["path"]).name for x in doc["excluded"]] == ["x.agent.md"]  # type: ignore[union-attr]
    # without the flag: nothing of it
    plain = check_json(ws, capsys)
    assert "excluded" not in plain and "suppressed" not in plain["summary"]  # type: ignore[operator]

    main(["check", "--format", "sarif", "--show-suppressed", str(ws)])
    sarif = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    kinds = {r["ruleId"]: r.get("suppressions", [{}])[0].get("kind") for r in results}
    assert kinds == {"AL013": None, "AL016": "external", "AL028": "inSource"}
    main(["check", "--format", "sarif", str(ws)])
    assert {r["ruleId"] for r in json.loads(capsys.readouterr().out)["runs"][0]["results"]} == {
        "AL013"
    }


def test_statistics(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agents = ws / ".claude" / "agents"
    (agents / "baz.md").write_text(AGENT.replace("name: foo", "name: foo2"))
    (ws / "agentls.toml").write_text('ignore = ["AL013"]\n')
    main(["check", "--statistics", str(ws)])
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["count", "code", "name", "severity"]
    assert [line.split()[:2] for line in out[1:-1]] == [["2", "AL016"], ["2", "AL028"]]
    assert out[-1] == "4 findings of 2 rules"
    main(["check", "--statistics", "--show-suppressed", "--format", "json", str(ws)])
    stats = json.loads(capsys.readouterr().out)["statistics"]
    assert stats[-1] == {
        "code": "AL013",
        "name": "name-filename-mismatch",
        "severity": "hint",
        "count": 0,
        "suppressed": 2,
    }
    with pytest.raises(SystemExit) as exc:
        main(["check", "--statistics", "--format", "sarif", str(ws)])
    assert exc.value.code == 2


def test_exclude_applies_to_files_named_on_the_command_line(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pre-commit names every changed file: an excluded one is still excluded
    (ws / "agentls.toml").write_text('exclude = [".claude/agents/bar.md"]\n')
    agent = ws / ".claude" / "agents" / "bar.md"
    agent.write_text(ERROR)
    assert main(["check", str(agent)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 files checked, 0 findings"


def test_dialects_bring_files_into_the_walk(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prompts = ws / "prompts"
    prompts.mkdir()
    (prompts / "p.txt").write_text("---\nname: p\ndescription: Use when x.\nmodel: fable-9\n---\n")
    assert "p.txt" not in codes(check_json(ws, capsys))
    (ws / "agentls.toml").write_text('dialects = { "prompts/*.txt" = "claude-agent" }\n')
    got = codes(check_json(ws, capsys))
    assert "AL029" in got["p.txt"]


def test_a_broken_configuration_outside_the_paths_is_reported(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ws / "pyproject.toml").write_text('[tool.agentls]\nignore = ["AL016"\n')
    doc = check_json(ws / ".claude", capsys)
    got = codes(doc)
    assert got["pyproject.toml"] == ["AL990"]
    assert got["bar.md"] == ["AL013", "AL016", "AL028"]  # nothing of it applies
    (ws / "pyproject.toml").write_text('[tool.agentls]\nignore = ["AL016"]\n')
    assert codes(check_json(ws / ".claude", capsys)) == {"bar.md": ["AL013", "AL028"]}


def test_pyproject_files_without_the_table_are_not_results(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ws / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (ws / "sub").mkdir()
    (ws / "sub" / "pyproject.toml").write_text("[tool.ruff]\n")
    assert set(codes(check_json(ws, capsys))) == {"bar.md"}


def test_with_worker_processes(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Files checked in forked workers get the same policy; cross-file findings are settled
    with the suppressions of their file."""
    agents = ws / ".claude" / "agents"
    for i in range(80):
        (agents / f"a{i}.md").write_text(AGENT.replace("name: foo", f"name: dup{i % 40}"))
    (ws / "agentls.toml").write_text('ignore = ["AL013", "AL028"]\n')
    (agents / "a0.md").write_text(
        AGENT.replace("name: foo", "name: dup0") + "<!-- agentls-disable-file AL301 -->\n"
    )
    doc = check_json(ws, capsys, "-j", "3", "--show-suppressed")
    got = codes(doc)
    assert got["a1.md"] == ["AL016", "AL301"]  # a duplicate name (a41.md)
    assert got["a0.md"] == ["AL016"]  # its AL301 silenced by its comment: used, not unused
    (a0,) = [f for f in doc["files"] if f["path"].endswith("/a0.md")]  # type: ignore[union-attr]
    assert sorted(s["code"] for s in a0["suppressed"]) == ["AL013", "AL028", "AL301"]


def test_fix_respects_the_configuration(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agent = ws / ".claude" / "agents" / "bar.md"
    agent.write_text("---\nname: bar\ndescription: Use when x.\ncolor: Red\n---\nBody\n")
    (ws / "agentls.toml").write_text('ignore = ["AL028"]\n')
    main(["check", "--fix", str(ws)])
    assert "color: Red" in agent.read_text()  # the colour rule is off: its fix is not applied
    (ws / "agentls.toml").write_text("")
    main(["check", "--fix", str(ws)])
    assert "color: red" in agent.read_text()
