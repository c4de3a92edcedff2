"""The root of an agent run (issue 14, class 1): never ``$HOME``, ``/`` or a folder above
``$HOME``, whatever ``~/.claude`` or a workspace folder says. A fake ``$HOME`` holds
``~/.claude/.credentials.json``, ``~/.git-credentials``, ``~/.bash_history`` and ``~/.ssh``;
no scripted Read, Grep or Glob of ``agentls run`` may return them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_runner_cli import agentls_run

from agentls.discovery import RunRoot, forbidden_root, run_root
from fakes import fake_messages_api as fake
from hostile import SCRIPTED_TOOLS, SECRET, fill_home


@pytest.fixture
def home(isolated_home: Path) -> Path:
    """$HOME (monkeypatched by ``isolated_home``) with credentials, ~/.claude and files."""
    return fill_home(isolated_home)


def _root(file: Path, folders: list[Path] | None = None, home: Path | None = None) -> RunRoot:
    return run_root(file, [str(f) for f in folders or []], home=home)


# ----------------------------------------------------------------- choosing the root


def test_a_file_in_downloads_gets_its_own_folder_not_home(home: Path) -> None:
    got = _root(home / "Downloads" / "script.py")
    assert got.root == home / "Downloads" and got.why == "the file's folder"
    assert (
        got.note
        and "script.py is in no project" in got.note
        and str(home / "Downloads") in got.note
    )


def test_a_file_directly_in_home_gets_no_root(home: Path) -> None:
    got = _root(home / "notes.py")
    assert got.root is None and got.note and "your home folder" in got.note


def test_home_as_a_workspace_folder_is_never_the_root(home: Path) -> None:
    assert _root(home / "notes.py", [home]).root is None
    assert _root(home / "Downloads" / "script.py", [home]).root == home / "Downloads"
    assert _root(home / "Downloads" / "script.py", [Path("/")]).root == home / "Downloads"
    assert _root(home / "notes.py", [home.parent]).root is None  # a folder above $HOME


def test_nearest_project_below_home(home: Path) -> None:
    proj = home / "code" / "proj"
    (proj / "src" / "deep").mkdir(parents=True)
    (proj / ".git").mkdir()
    f = proj / "src" / "deep" / "x.py"
    f.write_text("x\n")
    assert _root(f) == RunRoot(proj, "project (.git)")
    (proj / "src" / "package.json").write_text("{}")  # a manifest below the repository
    assert _root(f).root == proj  # the repository wins over a build manifest
    (proj / ".git").rmdir()
    assert _root(f) == RunRoot(proj / "src", "project (package.json)")
    (proj / "src" / "package.json").unlink()
    (proj / ".claude").mkdir()  # a project's .claude/ (not ~/.claude)
    assert _root(f) == RunRoot(proj, "project (.claude)")
    (proj / ".git").write_text("gitdir: ../.git/worktrees/proj\n")  # a worktree's .git file
    assert _root(f).root == proj


def test_the_workspace_folder_holding_the_file_wins(home: Path) -> None:
    proj = home / "proj"
    (proj / "sub" / ".git").mkdir(parents=True)
    f = proj / "sub" / "a.py"
    f.write_text("a\n")
    assert _root(f, [proj]) == RunRoot(proj, "workspace folder")
    assert _root(f, [home, proj, proj / "sub"]).root == proj / "sub"  # the deepest


def test_links_are_resolved_before_choosing(home: Path, tmp_path: Path) -> None:
    (tmp_path / "alias").symlink_to(home, target_is_directory=True)
    assert _root(tmp_path / "alias" / "notes.py").root is None
    assert forbidden_root(tmp_path / "alias", home)


def test_forbidden_roots(home: Path) -> None:
    for d in (Path("/"), home, home.parent, home / ".." / home.name):
        assert forbidden_root(d, home), d
    assert not forbidden_root(home / "Downloads", home)


def test_a_top_level_folder_is_no_fallback(tmp_path: Path) -> None:
    """Without a project, a file in /tmp does not give the agent all of /tmp."""
    f = Path("/tmp") / f"agentls-run-root-{os.getpid()}.py"
    f.write_text("x\n")
    try:
        assert _root(f, home=tmp_path / "home").root is None
    finally:
        f.unlink()


# ----------------------------------------------------------------- agentls run


def _sent(api: fake.FakeMessagesAPI) -> str:
    return "\n".join(json.dumps(r.body) for r in api.requests)


def test_run_from_downloads_reads_nothing_of_home(fake_api, home: Path) -> None:  # type: ignore[no-untyped-def]
    replies = [fake.tool_use(name, args) for name, args in SCRIPTED_TOOLS]
    fake_api.script(*replies, fake.text("Done."))
    p = agentls_run("backend-engineer", "--file", "~/Downloads/script.py", cwd=home / "Downloads")
    assert p.returncode == 0, p.stderr
    assert f"the agent may read {home / 'Downloads'} only" in p.stderr
    assert len(fake_api.requests) == len(SCRIPTED_TOOLS) + 1  # every tool call was answered
    sent = _sent(fake_api)
    assert "script.py" in sent and SECRET not in sent, sent
    assert SECRET not in p.stdout + p.stderr


@pytest.mark.parametrize("given", ["~", "/", "~/.."])
def test_run_refuses_home_and_root_as_workspace(fake_api, home: Path, given: str) -> None:  # type: ignore[no-untyped-def]
    p = agentls_run("backend-engineer", "-f", "~/Downloads/script.py", "-w", given, cwd=home)
    assert p.returncode == 2 and "is refused" in p.stderr, p.stderr
    assert fake_api.requests == []


def test_run_on_a_file_in_home_is_refused(fake_api, home: Path) -> None:  # type: ignore[no-untyped-def]
    p = agentls_run("backend-engineer", "-f", "~/notes.py", cwd=home)
    assert p.returncode == 2 and "your home folder" in p.stderr and "--workspace" in p.stderr
    assert fake_api.requests == []


def test_run_in_a_project_below_home(fake_api, home: Path) -> None:  # type: ignore[no-untyped-def]
    proj = home / "proj"
    (proj / ".git").mkdir(parents=True)
    (proj / "app.py").write_text("print('PROJECT-FILE')\n")
    (proj / "lib.py").write_text("LIB = 'PROJECT-LIB'\n")
    fake_api.script(fake.tool_use("Read", {"file_path": "lib.py"}), fake.text("ok"))
    p = agentls_run("backend-engineer", "-f", str(proj / "app.py"), cwd=home)
    assert p.returncode == 0 and "may read" not in p.stderr, p.stderr
    assert "PROJECT-LIB" in _sent(fake_api)


# ----------------------------------------------------------------- state folders of $HOME


def _claude_state(home: Path) -> Path:
    """~/.claude as a git repository (people version it), with Claude Code's prompt
    history, a transcript and a shell snapshot: private text the agent must not read."""
    claude = home / ".claude"
    (claude / ".git").mkdir(parents=True, exist_ok=True)
    (claude / "history.jsonl").write_text('{"display": "SECRET-PROMPT-HISTORY"}\n')
    (claude / "projects" / "p").mkdir(parents=True)
    (claude / "projects" / "p" / "s.jsonl").write_text('{"t": "SECRET-TRANSCRIPT"}\n')
    (claude / "shell-snapshots").mkdir()
    (claude / "shell-snapshots" / "snap.sh").write_text("export T=SECRET-SNAPSHOT\n")
    (claude / "settings.json").write_text('{"env": {"API_KEY": "SECRET-SETTINGS-ENV"}}\n')
    return claude


def test_state_folders_of_home_are_never_roots(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14 class 1, second attack: ~/.claude as a git repository made it the root of a
    run on one of its agents (transcripts, prompt history, settings.json's env)."""
    claude = _claude_state(home)
    (home / ".dotfiles" / ".git").mkdir(parents=True)
    (home / ".config" / "nvim" / ".git").mkdir(parents=True)
    for d in (claude, home / ".config", home / ".dotfiles", home / ".local"):
        assert forbidden_root(d, home), d
    assert not forbidden_root(home / ".config" / "nvim", home)  # a project below one
    elsewhere = tmp_path / "claude-config"
    elsewhere.mkdir()
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(elsewhere))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    assert forbidden_root(elsewhere, home) and forbidden_root(tmp_path / "data", home)
    agent = claude / "agents" / "mine.md"
    for folders in ([], [claude], [home]):  # the user opened ~/.claude, or ~
        got = _root(agent, folders)
        assert got.root == claude / "agents", (folders, got)
    assert _root(home / ".dotfiles" / "vimrc", []).root is None
    got = _root(home / ".config" / "nvim" / "init.lua", [home / ".config"])
    assert got.root == home / ".config" / "nvim"


def test_run_on_an_agent_of_a_versioned_claude_folder(fake_api, home: Path) -> None:  # type: ignore[no-untyped-def]
    _claude_state(home)
    tools = [
        ("Grep", {"pattern": "SECRET"}),
        ("Read", {"file_path": "../history.jsonl"}),
        ("Read", {"file_path": str(home / ".claude" / "history.jsonl")}),
        ("Glob", {"pattern": "**/*"}),
    ]
    fake_api.script(*[fake.tool_use(n, a) for n, a in tools], fake.text("Done."))
    p = agentls_run("backend-engineer", "-f", "~/.claude/agents/mine.md", cwd=home)
    assert p.returncode == 0, p.stderr
    assert f"the agent may read {home / '.claude' / 'agents'} only" in p.stderr
    sent = _sent(fake_api)
    for secret in ("PROMPT-HISTORY", "TRANSCRIPT", "SNAPSHOT", "SETTINGS-ENV", "OAUTH"):
        assert f"SECRET-{secret}" not in sent, secret
    p = agentls_run(
        "backend-engineer",
        "-f",
        "~/.claude/agents/mine.md",
        "-w",
        "~/.claude",
        cwd=home,
    )
    assert p.returncode == 2 and "settings, state and credentials" in p.stderr, p.stderr


def test_a_deep_file_costs_one_resolution_per_folder_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14 class 12, second attack: a codeAction on a file 2,000 folders deep took
    100 s, every parent being resolved again (realpath walks every component): O(depth^2).
    Counted, not timed: resolutions do not grow with the depth."""
    import agentls.discovery as discovery

    calls = 0
    real_realpath = os.path.realpath

    def counting(p: object) -> str:
        nonlocal calls
        calls += 1
        return real_realpath(p)  # type: ignore[arg-type]

    monkeypatch.setattr(discovery.os.path, "realpath", counting)
    for depth in (10, 300):
        calls = 0
        deep = Path("/" + "d/" * depth) / "x.md"
        got = run_root(deep, [str(tmp_path)], home=tmp_path / "home")
        assert got.root == deep.parent
        assert calls <= 10, (depth, calls)
