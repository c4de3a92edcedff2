"""The Claude Code plugin (editors/claude-code): its PostToolUse hook fed the JSON the real
Claude Code sent it (recorded by tests/conformance/record_hook.py), its files, and what the
recording shows reached the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentls.claude_hook import run_hook
from agentls.cli import main

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "editors" / "claude-code"
HOOK = PLUGIN / "hooks" / "check-written-file"
FIXTURES = REPO / "tests" / "fixtures" / "claude-code-hook"
AGENT = ".claude/agents/reviewer.md"


def recorded(name: str, project: Path) -> str:
    text = (FIXTURES / name).read_text("utf-8")
    return text.replace("<project>", str(project)).replace("<home>", str(project / "home"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".claude" / "agents").mkdir(parents=True)
    write = json.loads(recorded("write.json", tmp_path))
    (tmp_path / AGENT).write_text(write["tool_input"]["content"])
    return tmp_path


def hook(payload: str, *extra_env: tuple[str, str]) -> tuple[int, str, str]:
    """The plugin's hook script as Claude Code runs it, with this checkout's agentls."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        **dict(extra_env),
    }
    out = subprocess.run(
        [str(HOOK)], input=payload.encode(), env=env, capture_output=True, timeout=60
    )
    return out.returncode, out.stdout.decode(), out.stderr.decode()


def test_the_recorded_write_gets_the_findings_back(project: Path) -> None:
    code, out, err = hook(recorded("write.json", project))
    assert code == 0 and err == ""
    answer = json.loads(out)
    assert answer["decision"] == "block"
    assert "hookSpecificOutput" not in answer  # Claude Code would send the text twice
    reason = answer["reason"]
    assert reason.startswith(f"agentls checked {AGENT}, which was just written, and found 2")
    assert "- line 3: warning AL003:" in reason and "- line 4: warning AL028:" in reason
    assert answer["systemMessage"] == f"agentls: 2 problems in {AGENT}"


def test_the_recorded_edit_and_then_a_clean_file(project: Path) -> None:
    edit = json.loads(recorded("edit.json", project))
    (project / AGENT).write_text(edit["tool_response"]["originalFile"].replace("gold", "green"))
    code, out, _ = hook(json.dumps(edit))
    assert code == 0 and "found 1 problem:" in json.loads(out)["reason"]
    (project / AGENT).write_text(
        "---\nname: reviewer\ndescription: 'Use when: reviewing'\ncolor: green\n---\nBody\n"
    )
    assert hook(json.dumps(edit)) == (0, "", "")


def test_nothing_happens_for_other_files(project: Path) -> None:
    other = json.loads(recorded("write.json", project))
    (project / "src").mkdir()
    (project / "src" / "app.py").write_text("print(1)\n")
    for key in ("tool_input", "tool_response"):
        field = "file_path" if key == "tool_input" else "filePath"
        other[key][field] = str(project / "src" / "app.py")
    assert hook(json.dumps(other)) == (0, "", "")
    # a Read (a matcher mistake), broken JSON, no file path: quiet, status 0
    read = dict(json.loads(recorded("write.json", project)), tool_name="Read")
    assert run_hook(json.dumps(read)) == (0, "")
    assert run_hook("{not json") == (0, "")
    assert run_hook(json.dumps({"hook_event_name": "PostToolUse", "tool_name": "Write"})) == (
        0,
        "",
    )
    assert run_hook(recorded("write.json", project).replace("PostToolUse", "PreToolUse")) == (
        0,
        "",
    )


def test_the_project_configuration_and_suppressions_apply(project: Path) -> None:
    payload = recorded("write.json", project)
    (project / "agentls.toml").write_text('ignore = ["AL028"]\n')
    reason = json.loads(run_hook(payload)[1])["reason"]
    assert "AL003" in reason and "AL028" not in reason
    (project / "agentls.toml").write_text('exclude = [".claude/agents/*.md"]\n')
    assert run_hook(payload) == (0, "")
    (project / "agentls.toml").unlink()
    text = (project / AGENT).read_text()
    (project / AGENT).write_text(
        text.replace("color: gold", "# agentls: ignore[AL028]\ncolor: gold")
    )
    reason = json.loads(run_hook(payload)[1])["reason"]
    assert "AL028" not in reason
    # --level: errors only
    assert run_hook(payload, 1) == (0, "")


def test_a_relative_path_is_read_from_the_session_folder(project: Path) -> None:
    event = json.loads(recorded("write.json", project))
    event["tool_input"]["file_path"] = AGENT
    del event["tool_response"]
    assert json.loads(run_hook(json.dumps(event))[1])["decision"] == "block"


def test_without_agentls_the_hook_does_nothing(project: Path, tmp_path: Path) -> None:
    """A machine without agentls: the hook exits 0 and Claude Code goes on."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run(
        [str(HOOK)],
        input=recorded("write.json", project).encode(),
        env=env,
        capture_output=True,
        timeout=60,
    )
    if out.stdout:  # a system python with agentls installed: then it answered
        assert json.loads(out.stdout)["decision"] == "block"
    assert out.returncode == 0


def test_cli_usage_errors() -> None:
    assert main(["hook", "claude-code", "--level", "loud"]) == 2
    assert main(["hook", "claude-code", "--level"]) == 2


# --------------------------------------------------------------------------- the plugin


def test_the_plugin_files() -> None:
    manifest = json.loads((PLUGIN / ".claude-plugin" / "plugin.json").read_text())
    assert manifest["name"] == "agentls"
    hooks = json.loads((PLUGIN / "hooks" / "hooks.json").read_text())["hooks"]
    (group,) = hooks["PostToolUse"]
    assert group["matcher"] == "Write|Edit"  # 2.1.332 has no MultiEdit tool
    (handler,) = group["hooks"]
    assert handler["type"] == "command"
    assert handler["command"] == '"${CLAUDE_PLUGIN_ROOT}/hooks/check-written-file"'
    assert os.access(HOOK, os.X_OK)
    market = json.loads((REPO / ".claude-plugin" / "marketplace.json").read_text())
    (entry,) = market["plugins"]
    assert entry["name"] == manifest["name"]
    assert (REPO / entry["source"] / ".claude-plugin" / "plugin.json").is_file()


def test_agentls_check_passes_the_plugin_s_own_files(capsys: pytest.CaptureFixture[str]) -> None:
    """Every file of the plugin and the marketplace that agentls checks (the JSON ones once
    their dialects exist) has no finding at all, hints included."""
    code = main(["check", "--format", "json", str(PLUGIN), str(REPO / ".claude-plugin")])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [d for f in doc["files"] for d in f["diagnostics"]] == []


def test_what_the_recording_shows() -> None:
    """Recorded from Claude Code 2.1.332 (record_hook.py): the plugin installs from the
    repository's marketplace; its hook's reason reached the model after each tool call,
    once; `claude plugin validate` passed the plugin and the marketplace."""
    observed = json.loads((FIXTURES / "observed.json").read_text())
    assert observed["installed"] == {"marketplace add": 0, "install": 0, "list": 0, "enabled": True}
    assert (
        observed["validate"]["plugin"]["passed"] and observed["validate"]["marketplace"]["passed"]
    )
    after_write, after_edit = observed["modelSaw"]
    texts = [c["text"] for turn in after_write for c in turn["content"] if "text" in c]
    (said,) = [t for t in texts if "agentls checked" in t]
    assert said.count("agentls checked") == 1 and "AL028" in said
    assert "AL028" not in json.dumps(after_edit) and "AL003" in json.dumps(after_edit)
    write = json.loads((FIXTURES / "write.json").read_text())
    assert write["hook_event_name"] == "PostToolUse" and write["tool_name"] == "Write"
    assert write["tool_input"]["file_path"] == write["tool_response"]["filePath"]
