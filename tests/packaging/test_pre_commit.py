"""The hooks of .pre-commit-hooks.yaml with the real pre-commit, offline: pre-commit installs
agentls from this repository into its own environment (`language: python`), its pip reading
only the wheelhouse. In a throw-away git repository: `pre-commit try-repo` runs both hooks on
an agent file with an error (the check fails, the fix hook rewrites the file); with the hook
installed (`repo:` + `rev:` + `id: agentls`), `git commit` of the bad file fails and of the
fixed one succeeds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging_helpers import REPO, offline_env, run, venv_tool

BAD = "---\ndescription: Reviews code when asked to.\n---\nReview the diff.\n"  # AL009: no name
FIXED = "---\nname: reviewer\ndescription: Reviews code when asked to.\n---\nReview the diff.\n"
AGENT = ".claude/agents/reviewer.md"


# git without the user's configuration (no global hooks, templates or signing)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = env or {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout as pre-commit sees a hook repository: its tracked and untracked files
    (what `try-repo` would take from a dirty tree), committed once so that every run below
    shares one hook environment. Returns (path, commit)."""
    repo = tmp_path_factory.mktemp("agentls-hooks")
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        timeout=60,
    ).stdout
    for rel in filter(None, listed.split("\0")):
        src = REPO / rel
        if src.is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / rel)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    assert _git(repo, "commit", "-q", "-m", "agentls").returncode == 0
    return repo, _git(repo, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    return offline_env(
        wheelhouse,
        PRE_COMMIT_HOME=str(home),
        VIRTUALENV_NO_PERIODIC_UPDATE="1",  # no background download of seed wheels
        **GIT_ENV,
    )


def _project(tmp: Path, text: str) -> Path:
    project = tmp / "project"
    (project / ".claude" / "agents").mkdir(parents=True)
    (project / AGENT).write_text(text, "utf-8")
    (project / "README.md").write_text("# a project\n", "utf-8")  # not an agent file
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    return project


def test_try_repo_check_fails_and_fix_rewrites(
    hook_repo: tuple[Path, str], env: dict[str, str], tmp_path: Path
) -> None:
    """Both hooks of the repository in one `try-repo` run (each run installs agentls into a
    fresh store: ~8 s unloaded): the check hook fails on the bad agent, then the fix hook
    rewrites it and fails too, as pre-commit fails a hook that changed a file."""
    repo, rev = hook_repo
    project = _project(tmp_path, BAD)
    cmd = [venv_tool("pre-commit"), "try-repo", str(repo), "--ref", rev, "--all-files"]
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    check, fix = out.split("agentls (fix)", 1)
    assert "Failed" in check and "error[AL009]" in check and AGENT in check, out
    assert "README.md" not in check  # only agent files are passed to the hook
    assert "Failed" in fix and "files were modified by this hook" in fix, out
    assert (project / AGENT).read_text("utf-8") == FIXED


def test_installed_hook_blocks_the_commit_of_a_bad_agent(
    hook_repo: tuple[Path, str], env: dict[str, str], tmp_path: Path
) -> None:
    repo, rev = hook_repo
    project = _project(tmp_path, BAD)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: agentls\n", "utf-8"
    )
    run([venv_tool("pre-commit"), "install"], cwd=project, env=env, timeout=120)
    _git(project, "add", "-A")
    commit = _git(project, "commit", "-m", "add reviewer", env=env)
    assert commit.returncode != 0, commit.stdout + commit.stderr
    assert "error[AL009]" in commit.stdout + commit.stderr
    assert _git(project, "rev-parse", "--verify", "-q", "HEAD").returncode != 0  # no commit
    (project / AGENT).write_text(FIXED, "utf-8")
    _git(project, "add", "-A")
    again = _git(project, "commit", "-m", "add reviewer", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _git(project, "rev-parse", "--verify", "-q", "HEAD").returncode == 0
