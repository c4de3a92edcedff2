"""agentls in real Emacs + Eglot (headless), configured by editors/emacs/agentls-eglot.el.

One ``emacs -Q --batch`` session per module runs tests/clients/emacs/e2e-eglot.el: it opens
a broken agent file with non-ASCII text before the errors (Eglot 1.9 counts UTF-16 code
units, Emacs counts characters: an astral emoji tells them apart), checks what flymake got,
and applies quick fixes through ``eglot-code-actions`` until their diagnostics go.

Emacs: $AGENTLS_EMACS or ``emacs`` on PATH, with Eglot (built in from 29, Debian
``elpa-eglot`` on 28). Missing: skipped, unless ``CI`` is set, where it is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.editor]

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "emacs" / "e2e-eglot.el"
CONFIG = REPO / "editors" / "emacs" / "agentls-eglot.el"
TIMEOUT = 150

AGENT = (
    "---\n"
    "name: cafe-reviewer\n"
    "description: Use when the café 🚀 “code” needs review: check it\n"
    "color: Blue\n"
    "model: sonnet\n"
    "---\n"
    "\n"
    "You review code. Ça va 🚀.\n"
)
DESC_LINE, COLOR_LINE = 2, 3


def require_emacs() -> str:
    emacs = os.environ.get("AGENTLS_EMACS") or shutil.which("emacs")
    why = "Emacs not found: apt-get install emacs-nox elpa-eglot (see .ci/run)"
    if emacs:
        try:
            probe = subprocess.run(
                [emacs, "-Q", "--batch", "--eval", _HAS_EGLOT],
                capture_output=True,
                text=True,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            why = f"cannot run {emacs}: {e}"
        else:
            if probe.returncode == 0:
                return emacs
            why = (
                f"{emacs} has no Eglot: apt-get install elpa-eglot ({probe.stderr.strip()[-200:]})"
            )
    if os.environ.get("CI"):
        pytest.fail(f"{why}; CI is set, so the editor tests must run", pytrace=False)
    pytest.skip(why)


_HAS_EGLOT = (
    "(progn (require 'package)"
    ' (add-to-list (quote package-directory-list) "/usr/share/emacs/site-lisp/elpa")'
    " (package-initialize) (require 'eglot))"
)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    emacs = require_emacs()
    tmp = tmp_path_factory.mktemp("emacs")
    ws = tmp / "ws"
    agents = ws / ".claude" / "agents"
    agents.mkdir(parents=True)
    (ws / ".git").mkdir()
    agent_file = agents / "cafe-reviewer.md"
    agent_file.write_text(AGENT, "utf-8")
    desc = AGENT.split("\n")[DESC_LINE]
    plan = {
        "config": str(CONFIG),
        "cmd": [sys.executable, "-m", "agentls", "lsp"],
        "agent_file": str(agent_file),
        "expect_codes": ["AL003", "AL028"],
        "quickfixes": [
            {"line": COLOR_LINE, "col": 8, "code": "AL028", "title": "Replace with `blue`"},
            {"line": DESC_LINE, "col": desc.index("🚀"), "code": "AL003", "title": "Quote"},
        ],
    }
    (tmp / "plan.json").write_text(json.dumps(plan), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    home = tmp / "home"
    home.mkdir()
    env["HOME"] = str(home)
    for kind in ("CONFIG", "CACHE", "DATA", "STATE"):
        env[f"XDG_{kind}_HOME"] = str(tmp / "xdg" / kind.lower())
    out = tmp / "out.json"
    proc = subprocess.run(
        [emacs, "-Q", "--batch", "-l", str(SCRIPT), str(tmp / "plan.json"), str(out)],
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    result: dict[str, Any] = json.loads(out.read_text("utf-8")) if out.is_file() else {"steps": []}
    result.update(returncode=proc.returncode, stderr=proc.stderr[-4000:], agent_file=agent_file)
    return result


def get_step(session: dict[str, Any], name: str) -> dict[str, Any]:
    for s in session["steps"]:
        if s["name"] == name:
            assert s["ok"], f"step {name!r} failed: {s.get('error')}\nstderr: {session['stderr']}"
            return s
    raise AssertionError(
        f"step {name!r} did not run (exit {session['returncode']}):\n{session['stderr']}"
    )


def test_connects_through_shipped_config(session):
    s = get_step(session, "connect")
    assert s["mode"] == "markdown-mode"
    assert s["server"] == "agentls"


def test_diagnostics_at_character_positions(session):
    from agentls.engine import analyze

    s = get_step(session, "diagnostics")
    findings = analyze(AGENT, str(session["agent_file"]), None).findings
    expected = sorted(
        (f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character)
        for f in findings
    )
    got = sorted((d["line"], d["col"], d["end_line"], d["end_col"]) for d in s["items"])
    assert got == expected
    desc = AGENT.split("\n")[DESC_LINE]
    al003 = next(d for d in s["items"] if "AL003" in d["text"])
    assert al003["end_col"] == len(desc)  # characters: the 🚀 is 2 UTF-16 units on the wire
    assert any("AL028" in d["text"] and "Blue" in d["text"] for d in s["items"])


def test_quick_fix_replaces_colour_and_diagnostic_goes(session):
    s = get_step(session, "quickfix 1")
    assert "Replace with `blue`" in s["titles"]
    assert s["line_text"] == "color: blue"
    assert not any("AL028" in d["text"] for d in s["remaining"])


def test_quick_fix_at_utf16_positions(session):
    import yaml

    s = get_step(session, "quickfix 2")
    assert s["line_text"].startswith("description: ")
    value = yaml.safe_load(s["line_text"][len("description: ") :])
    assert value == "Use when the café 🚀 “code” needs review: check it"
    assert not any("AL003" in d["text"] for d in s["remaining"])


def test_clean_shutdown(session):
    get_step(session, "shutdown")
    assert session["returncode"] == 0, session["stderr"]
