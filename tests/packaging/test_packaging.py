"""The Python distribution: `python -m build` gives an sdist and a wheel that pass
`twine check`; the wheel holds the package data (schemas, data files, bundled agents); pipx and
uv install the wheel offline from a wheelhouse, and the installed `agentls` checks files with
the schemas and agents of the wheel (run from outside the checkout, so nothing is read from it).
"""

from __future__ import annotations

import json
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging_helpers import REPO, Dist, base_python, offline_env, run, venv_tool

from agentls.dialects.registry import SCHEMA_FILES


def _wheel_names(dist: Dist) -> set[str]:
    with zipfile.ZipFile(dist.wheel) as z:
        return set(z.namelist())


def test_sdist_and_wheel_pass_twine_check(dist: Dist) -> None:
    cmd = [venv_tool("twine"), "check", "--strict", str(dist.sdist), str(dist.wheel)]
    proc = run(cmd, timeout=120)
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_wheel_holds_schemas_data_and_bundled_agents(dist: Dist) -> None:
    names = _wheel_names(dist)
    schemas = {f"agentls/schemas/{p.name}" for p in (REPO / "schemas").glob("*.json")}
    assert {f"agentls/schemas/{f}" for f in SCHEMA_FILES.values()} <= schemas
    data_dir = REPO / "server" / "agentls" / "data"
    data = {f"agentls/data/{p.name}" for p in data_dir.iterdir() if p.is_file()}
    agents = {f"agentls/bundled_agents/{p.name}" for p in (REPO / "agents").glob("*.md")}
    assert agents, "no bundled agent in agents/"
    missing = (schemas | data | agents) - names
    assert not missing, sorted(missing)
    # no test, cache or editor file leaks into the wheel
    leaked = [n for n in names if "__pycache__" in n or n.startswith(("tests/", "client-vscode/"))]
    assert not leaked, leaked


def test_wheel_metadata(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as z:
        [meta_name] = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(z.read(meta_name).decode())
        [ep_name] = [n for n in z.namelist() if n.endswith(".dist-info/entry_points.txt")]
        entry_points = z.read(ep_name).decode()
    assert meta["Name"] == "agentls"
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["License-Expression"] == "MIT"
    assert "agentls = agentls.cli:main" in entry_points
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in _wheel_names(dist))


def test_sdist_holds_the_sources_of_the_wheel(dist: Dist) -> None:
    with tarfile.open(dist.sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for needed in ("pyproject.toml", "README.md", "LICENSE", "server/agentls/cli.py"):
        assert needed in names, needed
    assert {f"schemas/{f}" for f in SCHEMA_FILES.values()} <= names
    assert not [n for n in names if n.endswith(".whl")]


def _bad_agents(tmp: Path) -> Path:
    """A project with a Claude agent (warnings) and a Copilot agent whose unknown key is found
    by the JSON Schema shipped in the wheel."""
    project = tmp / "project"
    claude = project / ".claude" / "agents"
    claude.mkdir(parents=True)
    (claude / "code-reviewer.md").write_bytes(
        (REPO / "examples/.claude/agents/code-reviewer.md").read_bytes()
    )
    copilot = project / ".github" / "agents"
    copilot.mkdir(parents=True)
    (copilot / "helper.agent.md").write_text(
        "---\ndescription: Helps.\nbogus-key: 1\n---\nHelp.\n", "utf-8"
    )
    return project


def _check_with(agentls: Path, tmp: Path) -> None:
    project = _bad_agents(tmp)
    proc = run([str(agentls), "check", "--format", "json", "."], cwd=project, timeout=120)
    report = json.loads(proc.stdout)
    codes = {Path(f["path"]).name: {d["code"] for d in f["diagnostics"]} for f in report["files"]}
    assert "AL021" in codes["code-reviewer.md"], codes  # rules from the package
    assert "AL408" in codes["helper.agent.md"], codes  # the schema from the wheel
    listing = run([str(agentls), "agents", "."], cwd=project, timeout=120).stdout
    bundled = [line for line in listing.splitlines() if line.startswith("backend-engineer")]
    assert bundled and "bundled" in bundled[0], listing
    assert str(REPO) not in bundled[0], "the bundled agent was read from the checkout"


def _install_command(installer: str, dist: Dist, wheelhouse: Path) -> list[str]:
    """The user's command for a tool install of the wheel, offline."""
    if installer == "pipx":
        # pipx's classic backend (pip); with uv on the PATH pipx would pick uv, tested below
        cmd = [venv_tool("pipx"), "install", "--backend", "pip", "--python", base_python()]
        return [*cmd, str(dist.wheel)]
    cmd = [venv_tool("uv"), "tool", "install", "--offline", "--no-index"]
    return [*cmd, "--find-links", str(wheelhouse), "--python", base_python(), str(dist.wheel)]


@pytest.mark.parametrize("installer", ["pipx", "uv"])
def test_tool_install_of_the_wheel_offline(
    installer: str, dist: Dist, wheelhouse: Path, tmp_path: Path
) -> None:
    home = tmp_path / installer
    env = offline_env(
        wheelhouse,
        PIPX_HOME=str(home / "home"),
        PIPX_BIN_DIR=str(home / "bin"),
        PIPX_MAN_DIR=str(home / "man"),
        UV_TOOL_DIR=str(home / "tools"),
        UV_TOOL_BIN_DIR=str(home / "bin"),
        UV_CACHE_DIR=str(home / "cache"),
    )
    run(_install_command(installer, dist, wheelhouse), env=env, timeout=600)
    _check_with(home / "bin" / "agentls", tmp_path)


def test_no_stray_wheel_in_the_repository() -> None:
    tracked = run(["git", "ls-files", "*.whl", "*.tar.gz"], cwd=REPO, timeout=60).stdout
    assert tracked.strip() == "", tracked
