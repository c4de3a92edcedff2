"""``agentls run`` end to end: a subprocess, the real SDK, the fake Messages API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from agentls.runner.cli import parse_lines
from fakes import fake_messages_api as fake
from fakes.fake_messages_api import FAKE_KEY


def agentls_run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentls.runner.cli", "run", *args],
        cwd=cwd,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_review_streams_to_stdout(fake_api, workspace):
    fake_api.script(fake.text("## Findings\n", "1. SQL injection on line 5."))
    p = agentls_run(
        "backend-engineer",
        "--file",
        "src/app.py",
        "--lines",
        "4-6",
        "--task",
        "review",
        "--workspace",
        str(workspace),
        cwd=workspace,
    )
    assert p.returncode == 0, p.stderr
    assert "SQL injection on line 5." in p.stdout
    body = fake_api.requests[0].body
    assert body["model"].startswith("claude-sonnet")
    assert "senior backend engineer" in body["system"]
    assert "Selection: lines 4-6" in body["messages"][0]["content"]
    assert FAKE_KEY not in p.stdout + p.stderr


def test_run_improve_prints_diff_then_applies(fake_api, workspace):
    old = "    return a + b\n"
    edit = fake.tool_use(
        "Edit", {"file_path": "src/app.py", "old_string": old, "new_string": "    return b + a\n"}
    )
    fake_api.script(edit, fake.text("Swapped."))
    args = [
        "backend-engineer",
        "-f",
        "src/app.py",
        "-l",
        "9-10",
        "-t",
        "improve",
        "-w",
        str(workspace),
    ]
    p = agentls_run(*args, cwd=workspace)
    assert p.returncode == 0, p.stderr
    assert "-    return a + b" in p.stdout and "+    return b + a" in p.stdout
    assert "return a + b" in (workspace / "src" / "app.py").read_text()
    fake_api.script(edit, fake.text("Swapped."))
    p = agentls_run(*args, "--apply", cwd=workspace)
    assert p.returncode == 0, p.stderr
    assert "return b + a" in (workspace / "src" / "app.py").read_text()
    assert "updated src/app.py" in p.stderr


def test_run_failure_exit_status_and_message(fake_api, workspace):
    fake_api.script(fake.error(401, "authentication_error", "invalid key"))
    p = agentls_run(
        "backend-engineer", "-f", "src/app.py", "-w", str(workspace), "-v", cwd=workspace
    )
    assert p.returncode == 1
    assert "401" in p.stderr
    assert FAKE_KEY not in p.stdout + p.stderr


def test_run_unknown_agent(isolated_home, workspace):
    p = agentls_run("nobody", "-f", "src/app.py", "-w", str(workspace), cwd=workspace)
    assert p.returncode == 2 and "backend-engineer" in p.stderr


def test_parse_lines():
    r = parse_lines("2-3", "a\nbb\nccc\nd\n")
    assert (r.start.line, r.end.line, r.end.character) == (1, 2, 3)
    r = parse_lines(None, "a\nbb\n")
    assert (r.start.line, r.end.line) == (0, 1)
