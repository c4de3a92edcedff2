"""``agentls run --prompt / --continue``, ``agentls apply``, ``agentls runs`` and the run's
limits (issue 17) end to end: a subprocess, the real SDK, the fake Messages API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agentls.runner.cli import parse_lines
from agentls.runner.pricing import format_cost
from fakes import fake_messages_api as fake
from fakes.fake_messages_api import FAKE_KEY

OLD = "    return a + b\n"
EDIT = {"file_path": "src/app.py", "old_string": OLD, "new_string": "    return b + a\n"}


def agentls(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentls.runner.cli", *args],
        cwd=cwd,
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
        timeout=90,
    )


def run(*args: str, ws: Path) -> subprocess.CompletedProcess[str]:
    return agentls("run", "backend-engineer", "-f", "src/app.py", "-w", str(ws), *args, cwd=ws)


def _user_texts(body: dict[str, object]) -> list[str]:
    out = []
    for msg in body["messages"]:  # type: ignore[attr-defined]
        for block in msg["content"]:
            if block.get("type") == "text":
                out.append(block["text"])
    return out


def test_lines_forms_and_out_of_range():
    text = "a\nbb\nccc\nd\n"
    for spec in ("2-3", "2:3", " 2 - 3 "):
        r = parse_lines(spec, text)
        assert (r.start.line, r.end.line, r.end.character) == (1, 2, 3), spec
    r = parse_lines("4", text)
    assert (r.start.line, r.end.line) == (3, 3)
    for bad, why in (("5", "has 4 lines"), ("3-9", "has 4 lines"), ("3-2", "1 <= A <= B")):
        with pytest.raises(ValueError, match=why):
            parse_lines(bad, text)
    with pytest.raises(ValueError, match="A-B, A:B or A"):
        parse_lines("16;22", text)


def test_out_of_range_lines_exit_2_and_send_nothing(fake_api, workspace):
    p = run("--lines", "90-120", ws=workspace)
    assert p.returncode == 2 and "the file has 10 lines" in p.stderr
    assert fake_api.requests == []


def test_ask_with_a_prompt_then_continue_the_conversation(fake_api, workspace):
    fake_api.script(
        fake.tool_use("Read", {"file_path": "src/util.py"}, text_before="Let me look."),
        fake.text("FIRST: add is pure."),
        fake.text("SECOND: yes, thread-safe."),
    )
    p = run("--lines", "9:10", "--prompt", "Is add pure?", ws=workspace)
    assert p.returncode == 0, p.stderr
    body = fake_api.requests[0].body
    assert "Is add pure?" in _user_texts(body)[0]
    # the tool line starts on its own line, after the streamed text
    assert "Let me look.\n" in p.stdout and "\nagentls: tool Read src/util.py" in "\n" + p.stderr
    assert "agentls: run " in p.stderr and "cache read" in p.stderr and "~$" in p.stderr

    p = agentls(
        "run", "--continue", "--prompt", "Thread-safe?", "-w", str(workspace), cwd=workspace
    )
    assert p.returncode == 0, p.stderr
    assert "SECOND: yes" in p.stdout
    texts = _user_texts(fake_api.requests[2].body)
    assert "Is add pure?" in texts[0] and "Thread-safe?" in texts[-1]

    p = agentls("runs", "-w", str(workspace), "--format", "json", cwd=workspace)
    rows = json.loads(p.stdout)
    assert [r["task"] for r in rows] == ["ask", "ask"]
    assert rows[0]["conversation"] == rows[1]["id"]
    assert rows[0]["usage"]["cache_read_input_tokens"] > 0
    assert rows[0]["cost"] == format_cost(rows[0]["costUsd"])  # the one formatter
    p = agentls("runs", "-w", str(workspace), cwd=workspace)
    assert rows[1]["id"] in p.stdout and "backend-engineer" in p.stdout
    assert f"~{rows[1]['cost']}  done" in p.stdout


def test_proposal_shown_then_applied_later_without_a_model_call(fake_api, workspace):
    fake_api.script(fake.tool_use("Edit", EDIT), fake.text("Swapped."))
    p = run("-l", "9-10", "-t", "fix", ws=workspace)  # fix = improve
    assert p.returncode == 0, p.stderr
    assert "-    return a + b" in p.stdout and "+    return b + a" in p.stdout
    assert "agentls apply" in p.stderr
    assert "return a + b" in (workspace / "src" / "app.py").read_text()
    requests = len(fake_api.requests)
    p = agentls("apply", "-w", str(workspace), cwd=workspace)
    assert p.returncode == 0, p.stderr
    assert "updated src/app.py" in p.stderr
    assert "return b + a" in (workspace / "src" / "app.py").read_text()
    assert len(fake_api.requests) == requests


def test_apply_refuses_when_the_file_changed_since_the_run(fake_api, workspace):
    fake_api.script(fake.tool_use("Edit", EDIT), fake.text("Swapped."))
    p = run("-l", "9-10", "-t", "improve", ws=workspace)
    run_id = p.stderr.split("agentls: run ", 1)[1].split(" ", 1)[0]
    app = workspace / "src" / "app.py"
    app.write_text(app.read_text() + "# edited meanwhile\n")
    before = app.read_bytes()
    p = agentls("apply", run_id, "-w", str(workspace), cwd=workspace)
    assert p.returncode == 1 and "src/app.py changed since the run" in p.stderr
    assert app.read_bytes() == before


@pytest.mark.skipif(shutil.which("git") is None, reason="git")
def test_patch_is_what_git_apply_takes(fake_api, workspace):
    new = {"file_path": "tests/test_add.py", "content": "def test_add():\n    assert True\n"}
    fake_api.script(fake.tool_use("Edit", EDIT, more=[("Write", new)]), fake.text("Done."))
    patch = workspace.parent / "change.patch"
    p = run("-l", "9-10", "-t", "improve", "--patch", str(patch), ws=workspace)
    assert p.returncode == 0, p.stderr
    assert "return a + b" in (workspace / "src" / "app.py").read_text()  # nothing applied
    clean = workspace.parent / "clean"  # the workspace's .git holds junk: a clean copy
    shutil.copytree(workspace / "src", clean / "src")
    check = subprocess.run(
        ["git", "apply", "--check", str(patch)], cwd=clean, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    subprocess.run(["git", "apply", str(patch)], cwd=clean, check=True)
    assert "return b + a" in (clean / "src" / "app.py").read_text()
    assert (clean / "tests" / "test_add.py").read_text() == new["content"]


def test_an_answer_cut_at_max_tokens_is_continued(fake_api, workspace):
    fake_api.script(
        fake.text("The first half, ", stop_reason="max_tokens"),
        fake.text("and the second half."),
    )
    p = run("--max-tokens", "50", ws=workspace)
    assert p.returncode == 0, p.stderr
    assert "The first half, and the second half." in p.stdout
    assert fake_api.requests[0].body["max_tokens"] == 50
    assert "continuing it (1 of 3)" in p.stderr


def test_still_cut_after_the_continuations_is_incomplete_and_exits_1(fake_api, workspace):
    fake_api.default_reply = fake.text("more ", stop_reason="max_tokens")
    p = run("-t", "explain", ws=workspace)
    assert p.returncode == 1
    assert "--max-tokens" in p.stderr and "max_tokens (8,192" in p.stderr
    assert len(fake_api.requests) == 4  # the answer and 3 continuations
    assert p.stdout.count("more") == 4  # what was received is shown (and kept)


def test_a_cut_tool_call_is_asked_again_once(fake_api, workspace):
    fake_api.script(
        fake.cut_tool_use("Edit", '{"file_path": "src/app.py", "old_str'),
        fake.tool_use("Edit", EDIT),
        fake.text("Swapped."),
    )
    p = run("-l", "9-10", "-t", "improve", ws=workspace)
    assert p.returncode == 0, p.stderr
    assert "+    return b + a" in p.stdout
    note = _user_texts(fake_api.requests[1].body)[-1]
    assert "cut off by the max_tokens limit" in note and "Edit" in note


def test_max_turns_keeps_the_answer_so_far(fake_api, workspace):
    fake_api.default_reply = fake.tool_use("Glob", {"pattern": "*.py"}, text_before="Looking.")
    p = run("--max-turns", "2", ws=workspace)
    assert p.returncode == 1
    assert len(fake_api.requests) == 2
    assert p.stdout.count("Looking.") == 2
    assert "--max-turns" in p.stderr


def test_auth_token_alone_is_honoured(fake_api, workspace):
    env = dict(os.environ)
    env.pop("ANTHROPIC_API_KEY")
    env["ANTHROPIC_AUTH_TOKEN"] = FAKE_KEY
    fake_api.script(fake.text("ok"))
    p = agentls(
        "run", "backend-engineer", "-f", "src/app.py", "-w", str(workspace), cwd=workspace, env=env
    )
    assert p.returncode == 0, p.stderr
    assert fake_api.requests[0].headers.get("authorization") == f"Bearer {FAKE_KEY}"
    assert FAKE_KEY not in p.stdout + p.stderr


def test_a_read_only_agent_is_refused_edit_tasks(fake_api, workspace):
    agents = workspace / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "reader.md").write_text(
        "---\nname: reader\ndescription: Reads code.\ntools: Read, Grep\n---\nYou read code.\n"
    )
    p = agentls(
        "run", "reader", "-f", "src/app.py", "-t", "improve", "-w", str(workspace), cwd=workspace
    )
    assert p.returncode == 2 and "neither Edit nor Write" in p.stderr
    assert fake_api.requests == []


def _at_a_terminal(args: list[str], answers: list[str], cwd: Path) -> tuple[int, str]:
    """Run with stdin, stdout and stderr on a pseudo-terminal; each answer is typed after the
    question before it shows (``[y/N]`` or ``> ``). Returns the exit status and the screen."""
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentls.runner.cli", *args],
        cwd=cwd,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=dict(os.environ),
    )
    os.close(slave)
    screen = b""
    pending = list(answers)
    while True:
        ready, _, _ = select.select([master], [], [], 90)
        if not ready:
            proc.kill()
            raise AssertionError(f"no output for 90 s; screen so far:\n{screen.decode()}")
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
        tail = screen.decode("utf-8", "replace").rstrip(" ")
        if pending and (tail.endswith("[y/N]") or tail.endswith(">")):
            os.write(master, pending.pop(0).encode() + b"\n")
    os.close(master)
    return proc.wait(timeout=60), screen.decode("utf-8", "replace").replace("\r\n", "\n")


def test_at_a_terminal_the_diff_is_confirmed_then_a_follow_up_is_asked(fake_api, workspace):
    fake_api.script(
        fake.tool_use("Edit", EDIT),
        fake.text("Swapped."),
        fake.text("FOLLOW-UP ANSWER"),
    )
    args = ["run", "backend-engineer", "-f", "src/app.py", "-l", "9-10", "-t", "improve"]
    code, screen = _at_a_terminal(
        [*args, "-w", str(workspace)], ["y", "Why swap them?", ""], workspace
    )
    assert code == 0, screen
    assert "+    return b + a" in screen and "Apply these changes? [y/N]" in screen
    assert "updated src/app.py" in screen
    assert "return b + a" in (workspace / "src" / "app.py").read_text()
    assert "FOLLOW-UP ANSWER" in screen
    texts = _user_texts(fake_api.requests[2].body)
    assert "Why swap them?" in texts[-1]
    assert any("were applied" in t for t in texts)  # the follow-up knows
