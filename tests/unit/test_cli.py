"""The command line: check output formats, exit statuses, start-up imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentls.cli import main

BROKEN = "---\nname: reviewer\ndescription: Use when: reviewing\ncolor: gold\n---\nBody\n"
ERROR = "---\ndescription: Use when reviewing\n---\nBody\n"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "reviewer.md").write_text(BROKEN, "utf-8")
    (tmp_path / "README.md").write_text("# not an agent\n", "utf-8")
    return tmp_path


def test_text_format_and_exit_status(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(ws)]) == 0  # warnings only
    out = capsys.readouterr().out.splitlines()
    path = str(ws / ".claude/agents/reviewer.md")
    assert out[0].startswith(f"{path}:3:14: warning[AL003] ")
    assert out[1].startswith(f"{path}:4:8: warning[AL028] ")
    assert out[-1] == "1 file checked, 2 findings: 2 warning"
    assert main(["check", "--fail-on", "warning", str(ws)]) == 1
    (ws / ".claude/agents/broken.md").write_text(ERROR, "utf-8")
    assert main(["check", str(ws)]) == 1
    assert main(["check", "--fail-on", "never", str(ws)]) == 0


def test_json_shape(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--format", "json", str(ws)])
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"version", "files", "summary"}
    assert data["summary"] == {"files": 1, "error": 0, "warning": 2, "information": 0, "hint": 0}
    (f,) = data["files"]
    assert f["dialect"] == "claude-agent"
    assert set(f) == {"path", "dialect", "diagnostics", "effective"}
    d = f["diagnostics"][0]
    assert d == {
        "range": {"start": {"line": 2, "character": 13}, "end": {"line": 2, "character": 32}},
        "severity": "warning",
        "code": "AL003",
        "message": d["message"],
    }
    assert f["effective"] == {
        "loads": True,
        "name": "reviewer",
        "description": "Use when: reviewing",
        "tools": None,
        "disallowedTools": [],
        "model": None,
    }


def test_json_effective_lists_the_removed_tools(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "tools": null reads "every tool"; the tools taken away stand beside it (as hover says).
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "a.md").write_text(
        "---\nname: a\ndescription: d\ndisallowedTools: Write, Bash\n---\nBody\n", "utf-8"
    )
    main(["check", "--format", "json", str(tmp_path)])
    eff = json.loads(capsys.readouterr().out)["files"][0]["effective"]
    assert eff["tools"] is None
    assert eff["disallowedTools"] == ["Bash", "Write"]
    main(["agents", "--format", "json", "--no-user", str(tmp_path)])
    (entry,) = [e for e in json.loads(capsys.readouterr().out)["agents"] if e["name"] == "a"]
    assert entry["tools"] is None and entry["disallowedTools"] == ["Bash", "Write"]


def test_sarif_and_github(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--format", "sarif", str(ws)])
    sarif = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"AL003", "AL028"}
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    main(["check", "--format", "github", str(ws)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("::warning file=") and ",line=3,col=14," in lines[0]


def test_bad_usage_exits_2(ws: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml", str(ws)])
    assert exc.value.code == 2
    assert main(["check", str(ws / "missing")]) == 2


def test_dialect_override_for_files_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "agent.md").write_text(BROKEN, "utf-8")
    main(["check", "--dialect", "claude-agent", "--format", "json", str(tmp_path)])
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["files"] == 1


def test_dialect_override_for_json_files_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "shared-settings.json").write_text('{"modle": "sonnet",}', "utf-8")
    (tmp_path / "notes.md").write_text("# Notes\n", "utf-8")
    main(["check", "--dialect", "claude-settings", "--format", "json", str(tmp_path)])
    [f] = json.loads(capsys.readouterr().out)["files"]
    assert f["dialect"] == "claude-settings" and f["path"].endswith("shared-settings.json")
    assert [d["code"] for d in f["diagnostics"]] == ["AL903", "AL900"]


def test_invalid_utf8_and_nul_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "bin.md").write_bytes(b"---\nname: a\ndescription: \xff\xfe d\n---\n\x00\x00")
    main(["check", "--format", "json", str(tmp_path)])
    data = json.loads(capsys.readouterr().out)
    codes = [d["code"] for d in data["files"][0]["diagnostics"]]
    assert codes.count("AL109") == 2


def test_check_does_not_import_pygls_lsprotocol_or_the_sdk(ws: Path) -> None:
    code = (
        "import sys; from agentls.cli import main; rc = main(['check', sys.argv[1]]);"
        "bad = [m for m in ('pygls', 'lsprotocol', 'anthropic', 'jsonschema')"
        " if m in sys.modules];"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code, str(ws)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_version_and_module_entry_point() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "agentls", "--version"], capture_output=True, text=True
    )
    assert r.returncode == 0 and r.stdout.startswith("agentls ")


def test_duplicate_names_across_files_of_one_project(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ws / ".claude/agents/copy.md").write_text(BROKEN, "utf-8")
    other = ws / "other-project" / ".claude" / "agents"
    other.mkdir(parents=True)
    (other / "reviewer.md").write_text(BROKEN, "utf-8")  # another project: no duplicate
    main(["check", "--format", "json", str(ws)])
    data = json.loads(capsys.readouterr().out)
    dup = {
        Path(f["path"]).relative_to(ws).as_posix()
        for f in data["files"]
        for d in f["diagnostics"]
        if d["code"] == "AL301"
    }
    assert dup == {".claude/agents/reviewer.md", ".claude/agents/copy.md"}


def _many(tmp_path: Path, n: int, others: int = 0) -> Path:
    """n agents across two projects, with duplicates and broken files among them, and
    ``others`` slash commands and Copilot agents (other dialects, checked with schemas)."""
    for p in range(2):
        agents = tmp_path / f"proj{p}" / ".claude" / "agents"
        agents.mkdir(parents=True)
        for i in range(n // 2):
            name = f"a{i % 40}"  # duplicate names within a project from 40 on
            text = BROKEN.replace("reviewer", name) if i % 3 else ERROR
            (agents / f"f{i:03d}.md").write_text(text, "utf-8")
        commands = tmp_path / f"proj{p}" / ".claude" / "commands"
        copilot = tmp_path / f"proj{p}" / ".github" / "agents"
        commands.mkdir(parents=True)
        copilot.mkdir(parents=True)
        for i in range(others // 4):
            (commands / f"c{i:03d}.md").write_text(
                f"---\ndescription: Command {i}\nallowed-tools: Read\nmodel: 3\n---\nDo it\n"
            )
            (copilot / f"g{i:03d}.agent.md").write_text(
                f"---\ndescription: Agent {i}\ntools: ['read']\nmode: agent\n---\nDo it\n"
            )
    return tmp_path


def test_worker_pool_gives_the_single_process_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agentls.check import run_check
    from agentls.scheduling import POOL_FROM

    ws = _many(tmp_path, 3 * POOL_FROM, others=2 * POOL_FROM)
    assert run_check([str(ws)], "json", "error", None, jobs=1) == 1
    one = capsys.readouterr().out
    for jobs in (2, 3):
        assert run_check([str(ws)], "json", "error", None, jobs=jobs) == 1
        assert capsys.readouterr().out == one, jobs
    data = json.loads(one)
    assert len(data["files"]) == 5 * POOL_FROM
    codes = {d["code"] for f in data["files"] for d in f["diagnostics"]}
    assert {"AL009", "AL028", "AL301"} <= codes  # per file, and across files of a project
    assert {"AL409", "AL410"} <= codes  # the schema dialects were checked too


def test_check_from_the_command_line_exits_with_its_status(tmp_path: Path) -> None:
    ws = _many(tmp_path, 80)
    r = subprocess.run(
        [sys.executable, "-m", "agentls", "check", "--format", "json", str(ws)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1 and r.stderr == ""
    assert len(json.loads(r.stdout)["files"]) == 80  # all output flushed before the exit
    ok = tmp_path / "ok"
    (ok / ".claude" / "agents").mkdir(parents=True)
    (ok / ".claude" / "agents" / "x.md").write_text(
        "---\nname: x\ndescription: Use when reviewing code.\n---\nBody\n", "utf-8"
    )
    r = subprocess.run([sys.executable, "-m", "agentls", "check", str(ok)], capture_output=True)
    assert r.returncode == 0


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    ws = _many(tmp_path, 400)
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentls", "check", str(ws)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read()
    assert proc.wait(60) == 1
    assert b"Traceback" not in err


def test_walk_finds_agent_files_among_a_repository(tmp_path: Path) -> None:
    from agentls.discovery import check_candidates

    files = {
        "src/app.py": "print()",
        "src/README.md": "# docs",
        "README.md": "# readme",
        ".claude/agents/ok.md": BROKEN,
        ".claude/agents/upper.MD": BROKEN,
        ".claude/agents/notes.txt": "notes",
        ".claude/agents/team/deep.markdown": BROKEN,
        ".claude/commands/do.md": "Do it",
        ".cursor/rules/style.mdc": "---\ndescription: x\n---\n",
        "node_modules/.claude/agents/skip.md": BROKEN,
        "docs/x.prompt.md": "---\nmode: agent\n---\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found = sorted(
        Path(p).relative_to(tmp_path).as_posix() for p in check_candidates([str(tmp_path)], None)
    )
    assert found == [
        ".claude/agents/ok.md",
        ".claude/agents/team/deep.markdown",
        ".claude/agents/upper.MD",
        ".claude/commands/do.md",
        ".cursor/rules/style.mdc",
        "docs/x.prompt.md",
    ]


def test_check_inside_another_program_leaves_its_collector_alone(ws: Path) -> None:
    import gc

    before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    main(["check", "--format", "json", str(ws)])
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before
