"""The platform .vsix is enough: real VS Code (code-server), agentls installed nowhere.

client-vscode/scripts/package.py builds the linux-x64 .vsix with the server bundled (for this
test only for the running Python's version, to keep CI short). code-server runs with a PATH
whose only Python is a fresh venv without agentls (and no `agentls` command anywhere on it),
and no `agentls.server.*` setting: the extension finds that `python3`, runs the bundled server
with it, and the driver (tests/clients/vscode/driver.js) sees the diagnostic and applies the
quick fix. code-server is then started a second time with the same user data: the byte-code
cache in the extension's global storage is reused (first and second start are timed from the
agentls output log; tests/artifacts/vscode-bundled/timings.json). A cache folder of another
extension version is removed on the first start, as an upgrade would leave one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_vscode_e2e import (
    EXT_DIR,
    HERE,
    QUIET_WORKBENCH,
    REPO,
    _free_port,
    _kill_group,
    _npm_ci_if_needed,
    _npm_env,
    _require_prerequisites,
    _run,
    _start_code_server,
    _wait_http,
)

from testdata import cache_dir

pytestmark = pytest.mark.editor

ARTIFACTS = REPO / "tests" / "artifacts" / "vscode-bundled"
PUBLISHER_ID = "agentls.agentls"  # publisher.name of client-vscode/package.json
# the title of the first start's progress notification (client-vscode/src/server.ts)
PROGRESS = "first start of the bundled language server"
RUNNING = re.compile(r"language server running after (\d+) ms( \(first start\))?")


def _python_310() -> str | None:
    """A real CPython 3.10 of this machine (pyenv's, or python3.10 on the PATH), if any."""
    found = sorted(Path.home().glob(".pyenv/versions/3.10.*/bin/python3.10"))
    return str(found[-1]) if found else shutil.which("python3.10")


def _agentls_logs(user: Path) -> list[str]:
    """The agentls output channel logs of every window session, oldest first."""
    logs = sorted((user / "logs").rglob("*-agentls.log"), key=lambda p: (p.stat().st_mtime, str(p)))
    return [p.read_text(errors="replace") for p in logs]


def _start_lines(user: Path) -> list[tuple[int, bool]]:
    """(milliseconds, first start?) of every 'language server running' line, in order."""
    out: list[tuple[int, bool]] = []
    for text in _agentls_logs(user):
        out += [(int(m[1]), bool(m[2])) for m in RUNNING.finditer(text)]
    return out


@pytest.fixture(scope="module")
def bundled_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    _require_prerequisites()
    tmp = tmp_path_factory.mktemp("vscode-bundled")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    log = ARTIFACTS / "setup.log"
    timings: dict[str, float] = {}
    base_env = _npm_env()

    # 1. code-server (cached per machine), the extension's npm packages, the platform .vsix
    install = subprocess.run(
        ["bash", str(HERE / "install-code-server.sh")],
        env=base_env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if install.returncode != 0:
        pytest.fail(f"installing code-server failed:\n{install.stderr[-3000:]}")
    entry = install.stdout.strip().splitlines()[-1]
    _npm_ci_if_needed(EXT_DIR, base_env, log)
    _npm_ci_if_needed(HERE, base_env, log)
    t = time.monotonic()
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    out = tmp / "vsix"
    package = [sys.executable, str(EXT_DIR / "scripts" / "package.py"), "--target", "linux-x64"]
    package += ["--python", version, "--out", str(out), "--cache", str(cache_dir() / "vsix-wheels")]
    _run(package, EXT_DIR, base_env, 1200, log)
    [vsix] = out.glob("agentls-*-linux-x64.vsix")
    timings["package_s"] = time.monotonic() - t
    timings["vsix_mb"] = vsix.stat().st_size / 1e6

    # 2. a PATH with one Python, without agentls: a fresh venv (no pip, nothing installed)
    clean = tmp / "clean-python"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(clean)], check=True)
    path = os.pathsep.join([str(clean / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
    assert shutil.which("agentls", path=path) is None, "agentls is on the test's PATH"
    probe = subprocess.run(
        [str(clean / "bin" / "python3"), "-c", "import agentls"], capture_output=True
    )
    assert probe.returncode != 0, "the test's python3 has agentls installed"

    # An older Python only (a real 3.10, when this machine has one): the one message
    old = _python_310()
    old_path = ""
    if old:
        old_venv = tmp / "old-python"
        subprocess.run([old, "-m", "venv", "--without-pip", str(old_venv)], check=True)
        old_path = os.pathsep.join([str(old_venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])

    # 3. user data (shared by every start), workspace copies, code-server config
    def session_env(name: str, session_path: str) -> dict[str, str]:
        home = tmp / f"home-{name}"
        home.mkdir()
        # VS Code gives the extension host the environment of a login shell (it runs
        # `$SHELL -il` when it starts): the profile must keep that PATH, or /etc/profile's
        # replaces it
        for profile in (".bash_profile", ".profile"):
            (home / profile).write_text(f'export PATH="{session_path}"\n')
        env = {
            **base_env,
            "SHELL": "/bin/bash",
            "PATH": session_path,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(tmp / "xdg" / "config"),
            "XDG_CACHE_HOME": str(tmp / "xdg" / "cache"),
            "XDG_DATA_HOME": str(tmp / "xdg" / "data"),
            "XDG_STATE_HOME": str(tmp / "xdg" / "state"),
        }
        for var in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
            env.pop(var, None)
        return env

    env = session_env("install", path)
    user = tmp / "user-data"
    (user / "User").mkdir(parents=True)
    settings = {**QUIET_WORKBENCH, "files.autoSave": "off"}  # no agentls.server.* setting
    (user / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
    storage = user / "User" / "globalStorage" / PUBLISHER_ID
    old_cache = storage / "pycache" / "0.0.1"  # left by an older version of the extension
    old_cache.mkdir(parents=True)
    exts = tmp / "extensions"
    exts.mkdir()
    port = _free_port()
    config = tmp / "config.yaml"
    config.write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n")
    node = shutil.which("node") or "node"
    common = [node, entry, "--config", str(config), "--user-data-dir", str(user)]
    common += ["--extensions-dir", str(exts)]
    _run([*common, "--install-extension", str(vsix)], tmp, env, 120, log)

    runs: dict[str, Any] = {"timings": timings, "storage": storage, "old_cache": old_cache}
    sessions: list[tuple[str, list[str], str]] = [
        ("first", ["first_start_progress", "open_agent_file", "diagnostic", "quick_fix"], path),
        ("second", ["open_agent_file", "diagnostic"], path),
    ]
    if old_path:
        sessions.append(("old_python", ["no_python"], old_path))
    for run_name, steps, session_path in sessions:
        env = session_env(run_name, session_path)
        ws = tmp / f"workspace-{run_name}"
        shutil.copytree(HERE / "workspace", ws)
        cs_log = (ARTIFACTS / f"code-server-{run_name}.log").open("wb")
        proc = _start_code_server(common, ws, tmp, env, cs_log)
        try:
            _wait_http(f"http://127.0.0.1:{port}/healthz", 60, proc)
            out_dir = ARTIFACTS / run_name
            out_dir.mkdir()
            driver_cfg = {
                "agentFile": {
                    "name": "style-reviewer.md",  # no `name`: AL009, quick fix "Add name"
                    "code": "AL009",
                    "quickFix": {"line": 1, "col": 2, "title": r"name"},
                },
                "baseUrl": f"http://127.0.0.1:{port}",
                "folder": str(ws),
                "outDir": str(out_dir),
                "chromium": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                "timeoutMs": 90000,  # the first start compiles the bundle on a loaded machine
                "only": steps,
                "noPython": {"expect": "agentls needs Python"},
                "progress": {"text": PROGRESS} if run_name == "first" else None,
            }
            cfg_path = tmp / f"driver-{run_name}.json"
            cfg_path.write_text(json.dumps(driver_cfg, indent=2))
            result_path = out_dir / "driver-result.json"
            drv = subprocess.run(
                ["node", str(HERE / "driver.js"), str(cfg_path), str(result_path)],
                cwd=HERE,
                env={**base_env, **{k: env[k] for k in env if k.startswith("XDG_")}},
                capture_output=True,
                text=True,
                timeout=900,
            )
            (out_dir / "driver.log").write_text(drv.stdout + drv.stderr)
            if not result_path.exists():
                pytest.fail(f"the driver wrote no result ({drv.returncode}):\n{drv.stderr[-3000:]}")
            runs[run_name] = json.loads(result_path.read_text())
        finally:
            _kill_group(proc)
            cs_log.close()
    starts = _start_lines(user)
    runs["starts"] = starts
    runs["log"] = "\n".join(_agentls_logs(user))
    (ARTIFACTS / "agentls-output.log").write_text(runs["log"])
    timings.update({f"start_{i + 1}_ms": ms for i, (ms, _) in enumerate(starts)})
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2))
    yield runs


def _step(run: dict[str, Any], name: str) -> dict[str, Any]:
    step: dict[str, Any] | None = run["steps"].get(name)
    assert step is not None, f"step {name} did not run: {run.get('fatal')}"
    assert step["ok"], f"step {name} failed: {step.get('error')}\nscreenshot: {step['screenshot']}"
    return step


def test_diagnostic_from_the_bundled_server(bundled_runs: dict[str, Any]) -> None:
    assert "AL009" in _step(bundled_runs["first"], "diagnostic")["problem"]
    log = bundled_runs["log"]
    # started by the clean venv's python3, isolated, with the bundle's bootstrap
    assert re.search(r"starting: \S*clean-python/bin/python3 -I -S -X pycache_prefix=", log), log
    assert "agentls_server.py lsp" in log
    assert "from the server bundled with the extension, Python" in log


def test_quick_fix_with_the_bundled_server(bundled_runs: dict[str, Any]) -> None:
    step = _step(bundled_runs["first"], "quick_fix")
    assert any("name" in line for line in step["firstLines"][:3]), step["firstLines"]


def test_second_start_reuses_the_byte_code_cache(
    bundled_runs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert "AL009" in _step(bundled_runs["second"], "diagnostic")["problem"]
    starts = bundled_runs["starts"]
    assert len(starts) == 2, starts
    with capsys.disabled():  # the figures of the note, in the test output
        print(f"\n[bundled server] first start {starts[0][0]} ms, second start {starts[1][0]} ms")
    assert starts[0][1] is True, "the first start was not reported as one"
    assert starts[1][1] is False, "the second start compiled the bundle again"
    caches = bundled_runs["storage"] / "pycache"
    [current] = [p for p in caches.iterdir()]
    assert any(current.rglob("*.pyc")), "nothing in the byte-code cache"


def test_the_first_start_shows_its_progress(bundled_runs: dict[str, Any]) -> None:
    """Python compiles the bundle on the first start (6-13 s on the loaded machine): a progress
    notification is on screen while the server starts and goes away by itself once it runs;
    the second start, from the byte-code cache, shows none."""
    step = _step(bundled_runs["first"], "first_start_progress")
    assert step["text"].startswith("agentls: " + PROGRESS), step
    # shown while the server was starting, gone (without a key press) once it was running
    assert "(starting)" in step["statusWhileShown"], step
    assert "agentls" in step["statusAfter"] and "(" not in step["statusAfter"], step
    first = [t["text"] for t in bundled_runs["first"].get("toasts", [])]
    assert any(PROGRESS in t for t in first), first
    second = [t["text"] for t in bundled_runs["second"].get("toasts", [])]
    assert not any(PROGRESS in t for t in second), second


def test_an_older_versions_cache_is_removed(bundled_runs: dict[str, Any]) -> None:
    assert not bundled_runs["old_cache"].exists()


def test_an_older_python_gets_one_message(bundled_runs: dict[str, Any]) -> None:
    if "old_python" not in bundled_runs:
        pytest.skip("no Python 3.10 on this machine")
    step = _step(bundled_runs["old_python"], "no_python")
    msg = step["message"]
    assert "agentls needs Python 3.11" in msg, msg
    assert re.search(r"`python3` is Python 3\.10\.\d+, older than 3\.11", msg), msg
    assert "Install Python" in msg
    assert "Download Python" in step["buttons"], step["buttons"]
    # one message, no language-client pop-ups ("couldn't create connection to server"...)
    ours = [n for n in step["notifications"] if "agentls" in n or "server" in n.lower()]
    assert len(ours) == 1, step["notifications"]
    assert "failed" in step["statusBar"]
