"""The VS Code extension, end to end, in real VS Code.

code-server 4.100.3 (VS Code 1.100.3, from the npm registry, installed offline by
tests/clients/vscode/install-code-server.sh into a per-machine cache) runs the workbench;
the extension is built and packaged (.vsix) from client-vscode/ and installed into a
throw-away user-data dir; Debian's Chromium, driven by playwright-core
(tests/clients/vscode/driver.js), clicks through it. The agent run talks to the fake
Messages API (tests/fakes) through ANTHROPIC_BASE_URL.

The driver runs once per module and records every step; each test below asserts one step,
so a failure names the feature. Screenshots and logs go to tests/artifacts/vscode/.

Prerequisites: node + npm, Chromium (/usr/bin/chromium or $CHROMIUM), and for the first
install `build-essential pkg-config libkrb5-dev ripgrep`. Without them the tests are skipped,
unless CI is set, where a missing prerequisite is an error.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "vscode"
EXT_DIR = REPO / "client-vscode"
ARTIFACTS = REPO / "tests" / "artifacts" / "vscode"
CODE_SERVER_VERSION = "4.100.3"

sys.path.insert(0, str(REPO / "tests"))
from fakes.fake_messages_api import FakeMessagesAPI, message_texts, text, tool_use  # noqa: E402
from fakes.shown_usage import USAGE, assert_usage_is_the_runs  # noqa: E402
from testdata import cache_dir  # noqa: E402

pytestmark = pytest.mark.editor

#: The Anthropic key typed into "agentls: Set Anthropic API key" (SecretStorage path).
UI_KEY = "sk-ant-e2e-from-secret-storage-0123456789"
#: The key in the server's environment: a run that sends this one ignored the UI key.
ENV_KEY = "sk-ant-e2e-from-environment-9876543210"
#: The fake API's answer, in chunks so that it streams.
ANSWER_CHUNKS = (
    "Review of order_total: ",
    "the discount is applied as a percentage ",
    "but never validated; a discount above 100 ",
    "gives a negative total. ",
    "FAKE-API-REVIEW-MARKER",
)
ANSWER_MARKER = "FAKE-API-REVIEW-MARKER"
#: The question typed in the Ask input box, the follow-up typed in the Results view, and the
#: fake API's answers to them.
ASK_PROMPT = "Is order_total safe with a discount above 100?"
ASK_ANSWER = "ASK-ANSWER-MARKER: no, a discount above 100 makes the total negative."
FOLLOW_PROMPT = "How would you guard against it?"
FOLLOW_ANSWER = "FOLLOW-UP-ANSWER-MARKER: raise ValueError unless 0 <= discount <= 100."
#: The Edit the fake API proposes for Improve (orders.py, line 8).
IMPROVE_OLD = "    return total - total * discount / 100\n"
IMPROVE_NEW = "    return total * (100 - discount) / 100  # IMPROVED\n"

# What the driver does and expects in the fixture workspace (tests/clients/vscode/workspace).
DRIVER_PLAN: dict[str, Any] = {
    "agentFile": {
        "name": "style-reviewer.md",  # .claude/agents/style-reviewer.md has no `name`
        "code": "AL009",
        "hover": {"line": 5, "col": 2, "expect": r"alias|inherit"},  # on `model:`
        "completion": {"line": 4, "col": 1, "expect": "permissionMode"},  # blank line
        "quickFix": {"line": 1, "col": 2, "title": r"name"},
    },
    "agentsView": {"expect": "backend-engineer"},
    "review": {
        "file": "orders.py",
        "startLine": 4,
        "endLine": 8,
        "agent": "backend-engineer",
        "task": "Review",
        "expect": ANSWER_MARKER,
        "timeoutMs": 60000,
    },
    "codeAction": {
        "file": "orders.py",
        "startLine": 11,
        "endLine": 12,
        "title": "backend-engineer: Explain",
        "resultTitle": "backend-engineer · explain",
        "expect": ANSWER_MARKER,
        "timeoutMs": 60000,
    },
    "newAgent": {"name": "e2e-helper"},
    "cancel": {
        "file": "orders.py",
        "startLine": 11,
        "endLine": 12,
        "agent": "backend-engineer",
        "task": "Explain",
        "partial": "CANCEL-ME",
    },
    "ask": {
        "file": "orders.py",
        "startLine": 4,
        "endLine": 8,
        "agent": "backend-engineer",
        "prompt": ASK_PROMPT,
        "expect": "ASK-ANSWER-MARKER",
        "timeoutMs": 60000,
    },
    "followUp": {"prompt": FOLLOW_PROMPT, "expect": "FOLLOW-UP-ANSWER-MARKER", "timeoutMs": 60000},
    "improve": {
        "file": "orders.py",
        "startLine": 4,
        "endLine": 8,
        "agent": "backend-engineer",
        "expectLine": "# IMPROVED",
        "timeoutMs": 60000,
    },
    "reload": True,
    "pastRun": {"pick": "cancelled", "expect": "CANCEL-ME"},
    "apiKey": UI_KEY,
}


#: User settings of every test workbench: no start page, tips, trust prompt, telemetry or update.
QUIET_WORKBENCH: dict[str, Any] = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "update.mode": "none",
}


def _missing_prerequisites() -> list[str]:
    missing = []
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        missing.append(f"Chromium ({chromium}; apt-get install chromium)")
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            missing.append(tool)
    if not _code_server_cached():
        for tool, pkg in (
            ("rg", "ripgrep"),
            ("cc", "build-essential"),
            ("pkg-config", "pkg-config"),
        ):
            if shutil.which(tool) is None:
                missing.append(f"{tool} ({pkg}, to install code-server)")
        if (
            not Path("/usr/include/gssapi/gssapi.h").exists()
            and not Path("/usr/include/krb5.h").exists()
        ):
            missing.append("libkrb5-dev (to install code-server)")
    return missing


def _npm_env() -> dict[str, str]:
    """This process's environment, npm quiet and non-interactive, the test cache named."""
    return {
        **os.environ,
        "npm_config_yes": "true",
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
        "AGENTLS_TEST_CACHE": str(cache_dir()),
    }


def _require_prerequisites() -> None:
    """Skips the test when something it needs is missing (fails under CI)."""
    missing = _missing_prerequisites()
    if missing:
        reason = "VS Code e2e prerequisites missing: " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set: install them in .ci/run)", pytrace=False)
        pytest.skip(reason)


def _code_server_cached() -> bool:
    prefix = cache_dir() / f"code-server-{CODE_SERVER_VERSION}"
    return (prefix / f".agentls-installed-{CODE_SERVER_VERSION}").exists()


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float, log: Path) -> None:
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(cmd)}  (in {cwd})\n")
        out.flush()
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
        )
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}); log {log}:\n{tail}")


def _npm_ci_if_needed(folder: Path, env: dict[str, str], log: Path) -> None:
    lock = folder / "package-lock.json"
    stamp = folder / "node_modules" / ".package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    _run(["npm", "ci", "--no-audit", "--no-fund"], folder, env, 600, log)


def _start_code_server(
    common: list[str], folder: Path, cwd: Path, env: dict[str, str], log: Any
) -> subprocess.Popen[bytes]:
    """code-server (``common``: node, its entry and the config/user-data/extensions options) on
    ``folder``, in its own process group (see _kill_group), its output into ``log``."""
    flags = ["--disable-telemetry", "--disable-update-check", "--disable-workspace-trust"]
    flags += ["--disable-getting-started-override"]
    return subprocess.Popen(
        [*common, *flags, str(folder)],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"code-server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)  # polling a port: there is no event to await
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def _server_settings() -> dict[str, Any]:
    """How the extension starts the server: through `agentls.server.pythonPath` by default."""
    override = os.environ.get("AGENTLS_E2E_SERVER_COMMAND")  # debugging aid: a JSON list
    if override:
        cmd = json.loads(override)
        return {"agentls.server.command": cmd[0], "agentls.server.args": cmd[1:]}
    return {"agentls.server.pythonPath": sys.executable}


@pytest.fixture(scope="module")
def vscode_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    _require_prerequisites()
    timings: dict[str, float] = {}
    tmp = tmp_path_factory.mktemp("vscode")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.iterdir():
        if old.is_file():
            old.unlink()
        else:
            shutil.rmtree(old, ignore_errors=True)
    log = ARTIFACTS / "setup.log"
    home = tmp / "home"  # user-scope agents (~/.claude/agents) and dot-files stay in the test
    home.mkdir()
    xdg = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(tmp / "xdg" / "config"),
        "XDG_CACHE_HOME": str(tmp / "xdg" / "cache"),
        "XDG_DATA_HOME": str(tmp / "xdg" / "data"),
        "XDG_STATE_HOME": str(tmp / "xdg" / "state"),
    }
    base_env = _npm_env()

    # 1. code-server, once per machine (cached; the script is a no-op the second time)
    t = time.monotonic()
    install = subprocess.run(
        ["bash", str(HERE / "install-code-server.sh")],
        env=base_env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    log.write_text(install.stderr)
    if install.returncode != 0:
        pytest.fail(f"installing code-server failed; see {log}:\n{install.stderr[-3000:]}")
    entry = install.stdout.strip().splitlines()[-1]
    timings["code_server_install_s"] = time.monotonic() - t

    # 2. the extension: npm ci (when the lock changed), bundle, package (offline)
    t = time.monotonic()
    _npm_ci_if_needed(EXT_DIR, base_env, log)
    _run(["npm", "run", "build"], EXT_DIR, base_env, 300, log)
    vsix = tmp / "agentls.vsix"
    _run(
        ["npx", "vsce", "package", "--no-dependencies", "-o", str(vsix)],
        EXT_DIR,
        base_env,
        300,
        log,
    )
    _npm_ci_if_needed(HERE, base_env, log)
    timings["extension_build_s"] = time.monotonic() - t

    # 3. workspace copy (the quick fix edits it), user settings, code-server config
    ws = tmp / "workspace"
    shutil.copytree(HERE / "workspace", ws)
    user = tmp / "user-data"
    (user / "User").mkdir(parents=True)
    exts = tmp / "extensions"
    exts.mkdir()
    api = FakeMessagesAPI()
    api.default_reply = text(*ANSWER_CHUNKS, delay=0.25)
    # requests in driver order: review, code action, the run the driver cancels, an Ask, its
    # follow-up, an Improve (an Edit, then the closing text)
    api.script(
        text(*ANSWER_CHUNKS, delay=0.25),
        text(*ANSWER_CHUNKS, delay=0.25),
        text("CANCEL-ME partial answer ", "never sent", stall_after=3),
        text(ASK_ANSWER),
        text(FOLLOW_ANSWER),
        tool_use(
            "Edit",
            {"file_path": "src/orders.py", "old_string": IMPROVE_OLD, "new_string": IMPROVE_NEW},
        ),
        text("Rewrote the discount as one multiplication."),
    )
    api.start()
    settings = {
        **_server_settings(),
        "agentls.server.env": {"ANTHROPIC_BASE_URL": api.base_url},
        "agentls.trace.server": "messages",
        **QUIET_WORKBENCH,
        "editor.hover.delay": 100,
        "editor.quickSuggestions": {"other": False, "comments": False, "strings": False},
        "files.autoSave": "off",
    }
    (user / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
    port = _free_port()
    config = tmp / "config.yaml"
    config.write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n")
    cs_env = {
        **base_env,
        **xdg,
        "ANTHROPIC_API_KEY": ENV_KEY,
        "ANTHROPIC_BASE_URL": api.base_url,
    }
    cs_env.pop("AGENTLS_E2E_SERVER_COMMAND", None)
    common = ["node", entry, "--config", str(config), "--user-data-dir", str(user)]
    common += ["--extensions-dir", str(exts)]
    t = time.monotonic()
    _run([*common, "--install-extension", str(vsix)], tmp, cs_env, 120, log)
    timings["vsix_install_s"] = time.monotonic() - t

    # 4. code-server in its own process group: it keeps extension hosts (and so our language
    #    server) alive for hours after the browser leaves, so the whole group is killed.
    cs_log = (ARTIFACTS / "code-server.log").open("wb")
    proc = _start_code_server(common, ws, tmp, cs_env, cs_log)
    try:
        t = time.monotonic()
        _wait_http(f"http://127.0.0.1:{port}/healthz", 60, proc)
        timings["code_server_start_s"] = time.monotonic() - t
        # A server that dies after reading the start of `initialize`, without answering: the
        # language client then resolves its start() with no server (its close handler beats
        # the initialize failure); /bin/false exits before or after the request is written.
        quitter = tmp / "exits-after-initialize"
        quitter.write_text("#!/bin/sh\nread -r _\nexit 3\n")
        quitter.chmod(0o755)
        driver_cfg = {
            **DRIVER_PLAN,
            "baseUrl": f"http://127.0.0.1:{port}",
            "folder": str(ws),
            "outDir": str(ARTIFACTS),
            "chromium": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            "timeoutMs": 45000,  # per wait; generous for a loaded 2-core CI machine
            "startError": {
                "commands": [str(tmp / "no-such-dir" / "agentls"), str(quitter), "/bin/false"],
                # where the driver sees what the Settings editor saved and what the extension said
                "settingsFiles": [
                    str(user / "Machine" / "settings.json"),
                    str(user / "User" / "settings.json"),
                ],
                "logsDir": str(user / "logs"),
            },
        }
        only = os.environ.get("AGENTLS_E2E_STEPS")  # debugging aid: "review,start_error"
        if only:
            driver_cfg["only"] = only.split(",")
        cfg_path = tmp / "driver-config.json"
        cfg_path.write_text(json.dumps(driver_cfg, indent=2))
        result_path = ARTIFACTS / "driver-result.json"
        t = time.monotonic()
        drv = subprocess.run(
            ["node", str(HERE / "driver.js"), str(cfg_path), str(result_path)],
            cwd=HERE,
            env={**base_env, **xdg},
            capture_output=True,
            text=True,
            timeout=600,
        )
        timings["ui_driver_s"] = time.monotonic() - t
        (ARTIFACTS / "driver.log").write_text(drv.stdout + drv.stderr)
        if not result_path.exists():
            pytest.fail(
                f"the driver wrote no result (exit {drv.returncode}):\n{drv.stderr[-3000:]}"
            )
        result: dict[str, Any] = json.loads(result_path.read_text())
        if "fatal" in result and not result.get("steps"):
            pytest.fail(f"the driver could not run: {result['fatal']}")
        result["timings"] = timings
        result["api_requests"] = [
            {
                "path": r.path,
                "headers": r.headers,
                "disconnected": r.disconnected_at is not None,
                "completed": r.completed_at is not None,
                "texts": message_texts(r.body),
                "model": r.body.get("model") if isinstance(r.body, dict) else None,
                "usage": r.reported,  # what the fake API said this request cost
            }
            for r in api.requests
        ]
        (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2))
        (ARTIFACTS / "api-requests.json").write_text(json.dumps(result["api_requests"], indent=2))
        yield result
    finally:
        _kill_group(proc)
        cs_log.close()
        api.stop()
        logs = user / "logs"
        if logs.exists():
            shutil.copytree(logs, ARTIFACTS / "vscode-logs", dirs_exist_ok=True)


def _rpc_frame(msg: dict[str, Any]) -> bytes:
    body = json.dumps(msg).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _rpc_read(stream: Any) -> dict[str, Any]:
    length = 0
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    msg: dict[str, Any] = json.loads(stream.read(length))
    return msg


def _probe_server() -> dict[str, bool]:
    """What the agentls server of this checkout offers (initialize capabilities, and whether
    it answers agentls/agents). Used to tell "the server lacks the feature yet" (xfail) from
    "the extension is broken" (fail)."""
    cmd = [sys.executable, "-m", "agentls", "lsp"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    features = {"hover": False, "completion": False, "agents": False}
    try:
        init: dict[str, Any] = {"processId": None, "rootUri": None, "capabilities": {}}
        proc.stdin.write(
            _rpc_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init})
        )
        proc.stdin.write(_rpc_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        proc.stdin.write(
            _rpc_frame({"jsonrpc": "2.0", "id": 2, "method": "agentls/agents", "params": {}})
        )
        proc.stdin.flush()
        answered: dict[int, dict[str, Any]] = {}
        while len(answered) < 2:
            msg = _rpc_read(proc.stdout)
            if msg.get("id") in (1, 2) and "method" not in msg:
                answered[msg["id"]] = msg
        caps = answered[1].get("result", {}).get("capabilities", {})
        features["hover"] = bool(caps.get("hoverProvider"))
        features["completion"] = bool(caps.get("completionProvider"))
        features["agents"] = "result" in answered[2]
        proc.stdin.write(_rpc_frame({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}))
        proc.stdin.write(_rpc_frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.flush()
        proc.wait(10)
    except (OSError, EOFError, ValueError, subprocess.TimeoutExpired):
        pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return features


@functools.cache
def _server_features() -> dict[str, bool]:
    return _probe_server()


def _xfail_unless(name: str, why: str) -> None:
    """The UI step failed: xfail when the server does not offer the feature yet (probed only
    then: starting a server costs a few seconds)."""
    if not _server_features().get(name):
        pytest.xfail(f"the agentls server does not offer {why} yet")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Ends code-server and everything it started (extension hosts, our language server)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(10)
    with contextlib.suppress(ProcessLookupError):  # stragglers of the group
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _step(result: dict[str, Any], name: str) -> dict[str, Any]:
    step: dict[str, Any] | None = result["steps"].get(name)
    if step is None:
        why = result.get("fatal", "an earlier step stopped the driver")
        pytest.fail(f"step {name!r} did not run: {why}")
    if not step["ok"]:
        pytest.fail(
            f"step {name!r} failed: {step.get('error')}\nscreenshot: {step.get('screenshot')}"
        )
    return step


def test_workbench_loads_with_the_extension(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "workbench")
    assert "agentls" in step["statusBar"]


def test_diagnostic_squiggle_and_problems_entry(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "diagnostic")
    assert "AL009" in step["problem"]


def test_hover(vscode_run: dict[str, Any]) -> None:
    if not vscode_run["steps"].get("hover", {}).get("ok"):
        _xfail_unless("hover", "hover (textDocument/hover)")
    step = _step(vscode_run, "hover")
    assert step["hover"].strip()


def test_completion(vscode_run: dict[str, Any]) -> None:
    if not vscode_run["steps"].get("completion", {}).get("ok"):
        _xfail_unless("completion", "completion (textDocument/completion)")
    step = _step(vscode_run, "completion")
    assert "permissionMode" in step["labels"]


def test_quick_fix_clears_the_problem(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "quick_fix")
    assert any("name" in line for line in step["firstLines"][:3]), step["firstLines"]


def test_agents_view_lists_backend_engineer(vscode_run: dict[str, Any]) -> None:
    if not vscode_run["steps"].get("agents_view", {}).get("ok"):
        _xfail_unless("agents", "the agent list (agentls/agents)")
    step = _step(vscode_run, "agents_view")
    assert any("backend-engineer" in row for row in step["rows"])


def test_new_agent_from_the_template_has_no_problems(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "new_agent")
    assert step["firstLines"][:2] == ["---", "name: e2e-helper"], step["firstLines"]
    assert "e2e-helper" not in step["problems"], step["problems"]
    assert "error" not in step["rowText"] and "warning" not in step["rowText"], step["rowText"]


def test_review_streams_the_answer_into_results(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "review")
    assert ANSWER_MARKER in step["results"]["text"]
    assert "backend-engineer" in step["results"]["title"]
    # the answer arrived in pieces (the fake sends a chunk every 0.25 s)
    assert len(step["partials"]) >= 2, step["partials"]


def test_code_action_run_streams_into_results(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "code_action_run")
    assert ANSWER_MARKER in step["results"]["text"]
    assert step["results"]["title"] == "backend-engineer · explain"


def test_cancel_in_results_stops_the_run(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "cancel_run")
    assert "CANCEL-ME" in step["results"]["text"]
    assert "never sent" not in step["results"]["text"]
    stalled = [r for r in vscode_run["api_requests"] if not r["completed"]]
    assert stalled, "the stalled API request completed?"
    assert stalled[-1]["disconnected"], "the server did not abandon the API request on cancel"
    # the cancelled run's tokens are those the API billed for the request it dropped (its
    # message_start; the output so far is known only at the end of a message): they read 0
    from agentls.runner.pricing import USAGE_KEYS, total_usage

    m = USAGE.search(step["results"]["text"])
    assert m, step["results"]["text"]
    shown = {k: int(m[k].replace(",", "")) for k in USAGE_KEYS}
    assert shown == total_usage([stalled[-1]["usage"]]) and sum(shown.values()) > 0
    # and, like any run's, its wall time and cost (the end of the cancelled run says them)
    line = next(x for x in step["results"]["text"].splitlines() if USAGE.search(x))
    assert_usage_is_the_runs(line, stalled[-1:], vscode_run["timings"]["ui_driver_s"])


def test_show_a_past_run_lists_the_kept_runs(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "past_run")
    listed = step["listed"]
    # agentls/runs, newest first: the Improve, the follow-up, the ask, the cancelled run, the
    # code action's and the review's (a past run of this window or not: the server's list)
    assert len(listed) == 6, listed
    assert "cancelled" in listed[3] and "backend-engineer: explain" in listed[3]
    assert ASK_PROMPT in listed[2] and FOLLOW_PROMPT in listed[1] and "follow-up" in listed[1]
    [turn] = step["results"]["turns"]  # the cancelled run, a conversation of its own
    assert turn["status"] == "cancelled" and "CANCEL-ME" in turn["answer"]
    stalled = [r for r in vscode_run["api_requests"] if not r["completed"]]
    assert_usage_is_the_runs(turn["usage"], stalled[-1:], vscode_run["timings"]["ui_driver_s"])


def _request_with(vscode_run: dict[str, Any], needle: str) -> list[dict[str, Any]]:
    return [r for r in vscode_run["api_requests"] if any(needle in t for t in r["texts"])]


def test_ask_with_free_text_answers_in_results(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "ask")
    assert step["promptBox"] == "input", "the question was not asked for in an input box"
    [turn] = step["results"]["turns"]
    assert turn["prompt"] == ASK_PROMPT
    assert "ASK-ANSWER-MARKER" in turn["answer"]
    # the end-of-run line: the four token counts, wall time, and a cost (or why not)
    assert re.search(
        r"Tokens: [\d,]+ in, [\d,]+ out, [\d,]+ cache read, [\d,]+ cache write", turn["usage"]
    )
    assert re.search(r" (s|ms) · (~\$[\d.]+|cost unknown)", turn["usage"]), turn["usage"]
    # ... and they are the run's: the one request of the ask, as the fake API billed it
    asked = [r for r in vscode_run["api_requests"] if ASK_PROMPT in r["texts"][-1]]
    assert len(asked) == 1
    assert_usage_is_the_runs(turn["usage"], asked, vscode_run["timings"]["ui_driver_s"])
    # the model got the user's question with the selection
    [request] = _request_with(vscode_run, ASK_PROMPT)[:1]
    assert any("def order_total" in t for t in request["texts"])


def test_follow_up_in_results_carries_the_first_turn(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "follow_up")
    turns = step["results"]["turns"]
    assert [t["prompt"] for t in turns] == [ASK_PROMPT, FOLLOW_PROMPT]
    assert "ASK-ANSWER-MARKER" in turns[0]["answer"]
    assert "FOLLOW-UP-ANSWER-MARKER" in turns[1]["answer"]
    assert turns[1]["usage"].startswith("Tokens: ")
    # what the fake Messages API received for the follow-up: the first question and answer,
    # then the new question, last
    [request] = _request_with(vscode_run, FOLLOW_PROMPT)
    texts = request["texts"]
    assert ASK_PROMPT in texts[0]
    assert any("ASK-ANSWER-MARKER" in t for t in texts)
    assert FOLLOW_PROMPT in texts[-1]


def test_improve_is_applied_as_shown_from_the_preview(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "improve_apply")
    # discarded in the first preview: nothing written, the diff and Apply wait in Results
    assert not any("# IMPROVED" in line for line in step["before"]), step["before"]
    [diff] = step["shown"]["turns"][-1]["diffs"]
    assert "-    return total - total * discount / 100" in diff
    assert "+    return total * (100 - discount) / 100  # IMPROVED" in diff
    # Apply sent the kept proposal: the editor has it, and no further model call was made
    assert any("# IMPROVED" in line for line in step["after"]), step["after"]
    # review, code action, cancelled run, ask, follow-up, the Improve's two turns: nothing more
    assert len(vscode_run["api_requests"]) == 7, [
        r["texts"][-1][:60] for r in vscode_run["api_requests"]
    ]


def test_reload_shows_the_last_conversation_again(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "reload_restores")
    [turn] = step["results"]["turns"]  # the Improve, a conversation of its own
    assert turn["prompt"] == "improve" and turn["status"] == "done"
    assert "# IMPROVED" in turn["diffs"][0] and turn["applied"]
    # the kept run's line: its two requests (the Edit, then the closing text) summed
    requests = vscode_run["api_requests"]
    assert len(requests) == 7  # the Improve's two are the last (see the script)
    improve = requests[-2:]
    assert_usage_is_the_runs(turn["usage"], improve, vscode_run["timings"]["ui_driver_s"])


def test_api_key_from_secret_storage_reaches_the_server(vscode_run: dict[str, Any]) -> None:
    _step(vscode_run, "set_api_key")
    _step(vscode_run, "review")
    requests = vscode_run["api_requests"]
    assert requests, "the fake Messages API got no request"
    for r in requests:
        h = r["headers"]
        key = h.get("x-api-key") or h.get("authorization", "").removeprefix("Bearer ")
        assert key == UI_KEY, "a run did not use the key set with 'agentls: Set Anthropic API key'"


def test_a_server_that_cannot_start_is_explained(vscode_run: dict[str, Any]) -> None:
    step = _step(vscode_run, "start_error")
    missing, quits, exits = step["cases"]
    assert "no-such-dir/agentls" in missing["message"]
    assert "was not found" in missing["message"]
    assert "exits-after-initialize lsp" in quits["message"]
    assert "/bin/false lsp" in exits["message"]
    for case in (quits, exits):
        assert "exited or failed during start-up" in case["message"]
    for case in step["cases"]:
        assert "Install instructions" in case["message"]
        # one clear message, not the language client's own pop-ups
        assert len(case["toasts"]) == 1, case["toasts"]
    assert "readme" in step["tab"].lower()
    assert "failed" in step["statusBar"]
