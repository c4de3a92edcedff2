"""The Claude Code on the PATH is compared with the version of agentls's facts, once."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from agentls import claude_version as cv
from agentls.cli import main
from agentls.dialects.facts import claude_facts


def _fake_claude(folder: Path, version: str) -> Path:
    """A ``claude`` that prints its version and, to stderr, whether it saw an API key."""
    exe = folder / "claude"
    exe.write_text(
        "#!/bin/sh\n"
        f'echo "{version} (Claude Code)"\n'
        'echo "key=${ANTHROPIC_API_KEY:-none}" >&2\n'
        f'echo run >> "{folder}/runs"\n',
        "utf-8",
    )
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


@pytest.fixture(autouse=True)
def _fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cv.installed_version.cache_clear()


def test_parse_version() -> None:
    assert cv.parse_version("2.1.332 (Claude Code)\n") == "2.1.332"
    assert cv.parse_version("claude: not found") is None


def test_notice_only_when_versions_differ() -> None:
    assert cv.version_notice(None, "2.1.332") is None
    assert cv.version_notice("2.1.332", "2.1.332") is None
    newer = cv.version_notice("2.1.400", "2.1.332")
    assert newer is not None and "newer releases may differ" in newer
    assert "claude install 2.1.332" in newer and "DISABLE_AUTOUPDATER" in newer
    older = cv.version_notice("2.1.300", "2.1.332")
    assert older is not None and "newer" not in older
    known = cv.version_notice("2.1.330", "2.1.332", ("2.1.332", "2.1.330"))
    assert known is not None and 'claude-code-version = "2.1.330"' in known
    assert "claude install" not in known


def test_installed_version_is_asked_once_and_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_claude(bin_dir, "2.1.400")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret")
    assert cv.installed_version(str(bin_dir)) == "2.1.400"
    cv.installed_version.cache_clear()
    assert cv.installed_version(str(bin_dir)) == "2.1.400"  # from the cache file
    assert (bin_dir / "runs").read_text().count("run") == 1
    assert cv.installed_version(str(tmp_path / "nowhere")) is None


def test_the_api_key_never_reaches_claude(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = _fake_claude(bin_dir, "2.1.400")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret")
    out = subprocess.run([str(exe)], capture_output=True, text=True, env=cv._env(str(bin_dir)))
    assert "key=none" in out.stderr


def test_check_says_it_once_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_claude(bin_dir, "2.1.999")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    agents = tmp_path / "ws" / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "a.md").write_text("---\nname: a\ndescription: d\n---\nBody\n", "utf-8")
    assert main(["check", "--format", "json", str(tmp_path / "ws")]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("Claude Code 2.1.999 is installed") == 1
    assert f"those of Claude Code {claude_facts().version}" in captured.err
    assert captured.out.startswith("{")  # the chosen format is untouched
