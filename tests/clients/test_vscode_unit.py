"""The VS Code extension's own unit tests (`npm test`, node's test runner), run from pytest so
that CI's pytest summary covers them, and a check that the "New agent" template passes agentls.

Needs node and npm; `npm ci` runs in client-vscode/ when its node_modules are missing or older
than package-lock.json. Skipped when node/npm are missing, unless CI is set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXT_DIR = REPO / "client-vscode"
NPM_ENV = {
    **os.environ,
    "npm_config_yes": "true",
    "npm_config_update_notifier": "false",
    "npm_config_fund": "false",
    "npm_config_audit": "false",
}


@pytest.fixture(scope="module")
def node_modules() -> Path:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not installed"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set)", pytrace=False)
        pytest.skip(reason)
    lock = EXT_DIR / "package-lock.json"
    stamp = EXT_DIR / "node_modules" / ".package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        proc = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=EXT_DIR,
            env=NPM_ENV,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return EXT_DIR / "node_modules"


def test_extension_unit_tests(node_modules: Path) -> None:
    proc = subprocess.run(
        ["npm", "test"], cwd=EXT_DIR, env=NPM_ENV, capture_output=True, text=True, timeout=300
    )
    summary = [line for line in proc.stdout.splitlines() if line.startswith("# ")]
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in summary, summary


def test_typecheck(node_modules: Path) -> None:
    proc = subprocess.run(
        ["npx", "tsc", "-p", ".", "--noEmit"],
        cwd=EXT_DIR,
        env=NPM_ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


def _template(node_modules: Path, name: str) -> str:
    """The extension's agentTemplate(name), bundled with esbuild and run by node."""
    esbuild = node_modules / ".bin" / "esbuild"
    bundle = subprocess.run(
        [str(esbuild), "src/template.ts", "--bundle", "--format=cjs", "--platform=node"],
        cwd=EXT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    script = bundle + f"\nprocess.stdout.write(module.exports.agentTemplate({json.dumps(name)}));"
    return subprocess.run(
        ["node", "-"], input=script, capture_output=True, text=True, timeout=60, check=True
    ).stdout


def test_new_agent_template_passes_the_checks(node_modules: Path, tmp_path: Path) -> None:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "code-reviewer.md").write_text(_template(node_modules, "code-reviewer"), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "agentls", "check", "--format", "json", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(proc.stdout)
    [entry] = report["files"]
    assert entry["dialect"] == "claude-agent"
    assert entry["diagnostics"] == [], entry["diagnostics"]  # not even a hint
    assert entry["effective"]["loads"] is True
    assert entry["effective"]["name"] == "code-reviewer"
