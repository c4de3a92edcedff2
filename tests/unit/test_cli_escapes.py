"""Terminal escapes in what ``check`` and ``agents`` print for people (issue 14, classes 10
and 12): values of ``name``, ``model``, ``color``, ``tools`` and ``description``, and file
names, holding an OSC title sequence, ``ESC [2J``, BEL, CR, C1 or bidi controls are shown
visibly in text, GitHub annotations, the agents table, the ``--fix --dry-run`` diff and the
stderr lines; JSON and SARIF keep them exactly (as JSON escapes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

OSC = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")  # ESC, BEL, CSI (C1), right-to-left override


def _agent(path: Path) -> None:
    # YAML double quotes spell the controls as escapes: the values hold the characters
    path.write_text(
        "---\n"
        'name: "evil\\e]0;pwned\\a"\n'
        'description: "Use it \\e[2J now\\x9b and \\u202e later"\n'
        'model: "\\e[2Jopus"\n'
        'color: "\\e[31mred"\n'
        'tools: "Read, \\e[2JGrep\\r"\n'
        "---\nBody\n",
        "utf-8",
    )


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    agents = tmp_path / "ws" / ".claude" / "agents"
    agents.mkdir(parents=True)
    _agent(agents / "evil.md")
    _agent(agents / f"name{CLEAR}{OSC}.md")  # the file name too
    # a raw ESC in a plain value (invalid YAML: the recovered value keeps it)
    (agents / "raw.md").write_text(
        f"---\nname: raw{CLEAR}\ndescription: Use it{OSC}\ncolor: gold{CLEAR}\n---\nB\n"
    )
    # a fix (quoting the description) whose diff shows the body around it
    (agents / "fixme.md").write_text(
        f"---\nname: fixme\ndescription: Use when: reviewing\n---\nBody{CLEAR}{OSC}\n"
    )
    return tmp_path / "ws"


def _agentls(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOME=str(cwd.parent))
    env.pop("CLAUDE_CONFIG_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "agentls", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def _no_raw_controls(text: str) -> None:
    for c in RAW:
        assert c not in text, (repr(c), text)
    assert "\r" not in text


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "--format", "github"],
        ["check", "--fix", "--dry-run"],
        ["check", "--fix"],
        ["agents", "--no-user"],
    ],
)
def test_human_output_shows_controls_visibly(ws: Path, args: list[str]) -> None:
    r = _agentls(*args, str(ws), cwd=ws)
    assert r.stdout.strip(), r.stderr
    _no_raw_controls(r.stdout)
    _no_raw_controls(r.stderr)
    assert "\u241b" in r.stdout  # ␛, the picture of ESC: nothing is dropped either


def test_agents_table_stays_aligned(ws: Path) -> None:
    r = _agentls("agents", "--no-user", str(ws), cwd=ws)
    lines = [ln for ln in r.stdout.splitlines() if ".claude/agents/" in ln]
    starts = {ln.index(".claude/agents/") for ln in lines}
    assert len(lines) == 4 and len(starts) == 1, r.stdout  # one column each picture


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_and_sarif_keep_the_exact_values(ws: Path, fmt: str) -> None:
    r = _agentls("check", "--format", fmt, str(ws), cwd=ws)
    assert "\x1b" not in r.stdout  # JSON writes C0 controls as \u001b...
    doc = json.loads(r.stdout)
    if fmt == "json":
        names = {f["effective"]["name"] for f in doc["files"] if f["effective"]}
        assert f"evil{OSC}" in names
        paths = {Path(f["path"]).name for f in doc["files"]}
    else:
        res = doc["runs"][0]["results"]
        paths = {
            Path(x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).name for x in res
        }
    assert f"name{CLEAR}{OSC}.md" in paths


def test_agents_json_keeps_the_exact_values(ws: Path) -> None:
    r = _agentls("agents", "--no-user", "--format", "json", str(ws), cwd=ws)
    names = {a["name"] for a in json.loads(r.stdout)["agents"]}
    assert f"evil{OSC}" in names


@pytest.mark.parametrize(
    "args",
    [
        ["check", f"missing{CLEAR}{OSC}.md"],
        ["check", "--format", "json", f"missing{CLEAR}.md"],
        ["check", "--fix", f"missing{CLEAR}.md"],
        ["agents", f"missing{CLEAR}{OSC}"],
        ["check", os.fsdecode(b"missing\xff\x1b[2J.md")],  # not UTF-8: a lone surrogate
    ],
)
def test_a_path_that_is_not_there_is_named_visibly(ws: Path, args: list[str]) -> None:
    """Issue 14 class 10: the path a user typed (or a script built from a file name) is
    said back on stderr with its controls shown, never obeyed, and never a traceback."""
    r = _agentls(*args, cwd=ws)
    assert r.returncode == 2, r.stderr
    _no_raw_controls(r.stderr)
    assert "\u241b" in r.stderr and "Traceback" not in r.stderr, r.stderr
