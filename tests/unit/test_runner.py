"""The agent runtime against the fake Messages API (real SDK, real HTTP)."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from pathlib import Path

import pytest

from agentls.lines import minimal_edit
from agentls.runner.definitions import AgentDef, discover_agents, find_agent, load_agent
from agentls.runner.models import resolve_model
from agentls.runner.pricing import USAGE_KEYS
from agentls.runner.results import write_result
from agentls.runner.runtime import RunEvent, RunRequest, RunSettings, run_agent
from agentls.types import Range
from fakes import fake_messages_api as fake
from fakes.fake_messages_api import FAKE_KEY

AGENT_BODY = "You are REVIEWER-BODY-MARKER, a careful reviewer."


def make_agent(
    tools: list[str] | None = None, model: str | None = "sonnet", max_turns: int | None = None
) -> AgentDef:
    return AgentDef(
        name="reviewer",
        path=Path("reviewer.md"),
        scope="project",
        body=AGENT_BODY,
        tools=["Read", "Grep", "Glob", "Edit", "Write"] if tools is None else tools,
        model=model,
        max_turns=max_turns,
    )


def make_request(ws: Path, task: str = "review", agent: AgentDef | None = None) -> RunRequest:
    file = ws / "src" / "app.py"
    return RunRequest.make(
        agent or make_agent(),
        task,
        workspace=ws,
        file=file,
        text=file.read_text(),
        selection=Range.of(3, 0, 6, 0),
        language="python",
        version=3,
    )


def settings(**kw: object) -> RunSettings:
    s = RunSettings(max_retries=0, timeout=5.0)
    for k, v in kw.items():
        setattr(s, k, v)
    return s


async def run(req: RunRequest, s: RunSettings | None = None) -> tuple[object, list[RunEvent]]:
    events: list[RunEvent] = []
    res = await run_agent(req, s or settings(), events.append)
    return res, events


# ---------------------------------------------------------------- the request


async def test_request_carries_system_prompt_model_selection(fake_api, workspace):
    fake_api.script(fake.text("Looks ", "good", "."))
    res, events = await run(make_request(workspace))
    assert res.status == "done", res.error
    assert res.text == "Looks good."
    [req] = fake_api.requests
    body = req.body
    # the agent's body, then the runtime's note; the cache breakpoint on the last block
    assert body["system"][0] == {"type": "text", "text": AGENT_BODY}
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["model"] == resolve_model("sonnet")
    assert body["stream"] is True
    assert body["max_tokens"] == 8192  # review's default (tasks.json)
    [block] = body["messages"][0]["content"]
    prompt = block["text"]
    assert "def get_user(db, user_id):" in prompt
    assert "4  def get_user" in prompt  # line numbers
    assert 'path="src/app.py"' in prompt and "python" in prompt
    assert 'lines="4-6"' in prompt
    assert "import sqlite3" in prompt  # the import block
    # the agent's tools for every task (a follow-up then reads them from the cache)
    assert [t["name"] for t in body["tools"]] == ["Read", "Grep", "Glob", "Edit", "Write"]
    assert (
        req.headers.get("authorization") == f"Bearer {FAKE_KEY}"
        or req.headers.get("x-api-key") == FAKE_KEY
    )
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert "".join(e.text for e in events if e.kind == "delta") == "Looks good."
    assert res.usage["output_tokens"] > 0


async def test_no_tools_for_agent_with_empty_allow_list(fake_api, workspace):
    fake_api.script(fake.text("ok"))
    res, _ = await run(make_request(workspace, agent=make_agent(tools=[])))
    assert res.status == "done"
    assert "tools" not in fake_api.requests[0].body


async def test_edit_tasks_offer_proposal_tools_only_bash_never(fake_api, workspace):
    fake_api.script(fake.text("ok"))
    await run(make_request(workspace, "improve", agent=make_agent(tools=None)))
    names = [t["name"] for t in fake_api.requests[0].body["tools"]]
    assert names == ["Read", "Grep", "Glob", "Edit", "Write"]


def test_model_aliases():
    assert resolve_model("sonnet").startswith("claude-sonnet")
    assert resolve_model("OPUS").startswith("claude-opus")
    assert resolve_model("inherit", default="my-default") == "my-default"
    assert resolve_model(None, default="my-default") == "my-default"
    assert resolve_model("sonnet", {"sonnet": "proxy-sonnet"}) == "proxy-sonnet"
    assert resolve_model("claude-custom-1") == "claude-custom-1"


# ---------------------------------------------------------------- tools


async def test_tool_loop_reads_a_workspace_file(fake_api, workspace):
    fake_api.script(
        fake.tool_use("Read", {"file_path": "src/util.py"}),
        fake.text("helper returns 42"),
    )
    res, events = await run(make_request(workspace))
    assert res.status == "done", res.error
    assert res.turns == 2
    second = fake_api.requests[1].body["messages"]
    assert second[1]["role"] == "assistant" and second[1]["content"][0]["type"] == "tool_use"
    tool_result = second[2]["content"][0]
    assert tool_result["type"] == "tool_result" and tool_result["is_error"] is False
    assert "return 42" in tool_result["content"]
    assert any(e.kind == "tool" and "Read src/util.py" in e.text for e in events)


@pytest.mark.parametrize(
    "path",
    ["../outside.txt", "/etc/passwd", "link_out/secret.txt", ".env", ".git/config", "src/../.env"],
)
async def test_tool_loop_refuses_escapes(fake_api, workspace, tmp_path, path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("OUTSIDE-SECRET")
    (tmp_path / "outside.txt").write_text("OUTSIDE-SECRET")
    (workspace / "link_out").symlink_to(tmp_path / "outside")
    fake_api.script(fake.tool_use("Read", {"file_path": path}), fake.text("done"))
    res, _ = await run(make_request(workspace))
    assert res.status == "done"
    tool_result = fake_api.requests[1].body["messages"][2]["content"][0]
    assert tool_result["is_error"] is True
    assert "refused" in tool_result["content"]
    raw = str(fake_api.requests[1].body)
    for secret in ("OUTSIDE-SECRET", "do-not-read-env", "do-not-read-git", "root:x:0"):
        assert secret not in raw


async def test_tool_not_offered_is_refused_and_run_continues(fake_api, workspace):
    fake_api.script(fake.tool_use("Bash", {"command": "cat /etc/passwd"}), fake.text("fine"))
    res, events = await run(make_request(workspace))
    assert res.status == "done"
    tr = fake_api.requests[1].body["messages"][2]["content"][0]
    assert tr["is_error"] is True and "not available" in tr["content"]
    assert any(e.kind == "tool" and e.text.startswith("refused Bash") for e in events)


async def test_invalid_tool_json_fails_clearly(fake_api, workspace):
    fake_api.script(fake.tool_use("Read", raw_json='{"file_path": src/app.py}'))
    res, events = await run(make_request(workspace))
    assert res.status == "failed"
    assert res.error.kind == "malformed_stream"
    assert events[-1].kind == "error"


async def test_endless_tool_loop_is_bounded_by_max_turns(fake_api, workspace):
    fake_api.default_reply = fake.tool_use("Glob", {"pattern": "**/*.py"})
    res, _ = await run(make_request(workspace, agent=make_agent(max_turns=3)))
    # the answer so far is kept: the run is incomplete, not failed
    assert res.status == "incomplete" and res.error.kind == "max_turns"
    assert len(fake_api.requests) == 3
    assert res.changes == []


async def test_endless_tool_loop_is_bounded_by_hard_cap(fake_api, workspace):
    fake_api.default_reply = fake.tool_use("Glob", {"pattern": "*.py"})
    res, _ = await run(
        make_request(workspace, agent=make_agent(max_turns=10_000)), settings(hard_max_turns=4)
    )
    assert res.error.kind == "max_turns"
    assert len(fake_api.requests) == 4


# ---------------------------------------------------------------- edits


async def test_edit_proposal_is_collected_not_written(fake_api, workspace):
    old = '    cur = db.execute(f"SELECT * FROM users WHERE id = {user_id}")\n'
    new = '    cur = db.execute("SELECT * FROM users WHERE id = ?", (user_id,))\n'
    fake_api.script(
        fake.tool_use("Edit", {"file_path": "src/app.py", "old_string": old, "new_string": new}),
        fake.text("Parameterised the query."),
    )
    before = (workspace / "src" / "app.py").read_text()
    res, _ = await run(make_request(workspace, "improve"))
    assert res.status == "done", res.error
    assert (workspace / "src" / "app.py").read_text() == before  # nothing written
    [change] = res.changes
    assert change.rel == "src/app.py" and change.original == before
    assert change.new == before.replace(old, new)
    edit = minimal_edit(change.original, change.new)
    assert edit.range.start.line == 4 and edit.range.end.line == 4


async def test_edit_with_unknown_old_string_is_refused(fake_api, workspace):
    fake_api.script(
        fake.tool_use("Edit", {"file_path": "src/app.py", "old_string": "nope", "new_string": "x"}),
        fake.text("ok"),
    )
    res, _ = await run(make_request(workspace, "improve"))
    tr = fake_api.requests[1].body["messages"][2]["content"][0]
    assert tr["is_error"] and "not found" in tr["content"]
    assert res.changes == []


async def test_write_proposal_for_new_test_file(fake_api, workspace):
    fake_api.script(
        fake.tool_use(
            "Write", {"file_path": "tests/test_app.py", "content": "def test_x():\n    pass\n"}
        ),
        fake.text("Added tests."),
    )
    res, _ = await run(make_request(workspace, "tests"))
    [change] = res.changes
    assert change.created and change.rel == "tests/test_app.py"
    assert not (workspace / "tests").exists()


def test_minimal_edit_positions():
    e = minimal_edit("a\nbc\nd\n", "a\nbXc\nd\n")
    assert (e.range.start.line, e.range.start.character) == (1, 1)
    assert (e.range.end.line, e.range.end.character) == (1, 1)
    assert e.new_text == "X"
    e = minimal_edit("x\r\ny\r\n", "x\r\nz\r\n")
    assert (e.range.start.line, e.range.start.character, e.new_text) == (1, 0, "z")


# ---------------------------------------------------------------- failures


def _refused_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


FAILURES = [
    (fake.error(401, "authentication_error", "invalid x-api-key"), "unauthorized", "401"),
    (fake.error(403, "permission_error", "no access"), "forbidden", "403"),
    (
        fake.error(429, "rate_limit_error", "slow down", {"retry-after": "17"}),
        "rate_limited",
        "Retry in 17 s",
    ),
    (fake.error(529, "overloaded_error", "Overloaded"), "overloaded", "overloaded"),
    (fake.error(500, "api_error", "boom"), "server_error", "500"),
    (fake.error(503, "api_error", "unavailable"), "server_error", "503"),
    (fake.stream_error("overloaded_error", "Overloaded"), "overloaded", "cut off"),
    (fake.text("a", "b", "c", disconnect_after=3), "broken_stream", "broke"),
    (fake.truncated(), "broken_stream", "before it was complete"),
    (fake.malformed(), "malformed_stream", "malformed"),
]


@pytest.mark.parametrize(("reply", "kind", "words"), FAILURES)
async def test_failures_give_clear_messages(fake_api, workspace, reply, kind, words):
    fake_api.script(reply)
    res, events = await run(make_request(workspace, "improve"))
    assert res.status == "failed"
    assert res.error.kind == kind
    assert words.lower() in res.error.message.lower()
    assert res.changes == []
    assert events[-1].kind == "error" and events[-1].text == res.error.message
    assert FAKE_KEY not in res.error.message


async def test_timeout_before_headers(fake_api, workspace):
    fake_api.script(fake.slow_headers(5))
    res, _ = await run(make_request(workspace), settings(timeout=0.3))
    assert res.error.kind == "timeout" and "0.3 s" in res.error.message


async def test_stall_mid_stream_times_out(fake_api, workspace):
    fake_api.script(fake.text("a", "b", stall_after=3))
    res, _ = await run(make_request(workspace), settings(timeout=0.3))
    assert res.error.kind == "timeout"
    assert res.text == ""  # a failed run carries no half answer into edits


async def test_connection_refused(isolated_home, monkeypatch, workspace):
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    res, _ = await run(
        make_request(workspace), settings(base_url=f"http://127.0.0.1:{_refused_port()}")
    )
    assert res.error.kind == "connection_refused"
    assert "connection refused" in res.error.message


async def test_no_api_key_says_how_to_set_one(isolated_home, workspace):
    res, _ = await run(make_request(workspace))
    assert res.error.kind == "no_api_key"
    assert "ANTHROPIC_API_KEY" in res.error.message and "agentls/setApiKey" in res.error.message


async def test_sdk_retries_overloaded_then_succeeds(fake_api, workspace):
    fake_api.script(
        fake.error(529, "overloaded_error", "Overloaded", {"retry-after-ms": "10"}, retry=True),
        fake.text("second time lucky"),
    )
    res, _ = await run(make_request(workspace), settings(max_retries=2))
    assert res.status == "done" and res.text == "second time lucky"
    assert len(fake_api.requests) == 2


# ---------------------------------------------------------------- cancel


async def test_cancel_closes_the_stream(fake_api, workspace):
    fake_api.script(fake.text("partial", stall_after=3))
    got_text = asyncio.Event()
    deltas: list[RunEvent] = []

    def sink(ev: RunEvent) -> None:
        if ev.kind == "delta":
            deltas.append(ev)
            got_text.set()

    task = asyncio.create_task(run_agent(make_request(workspace), settings(), sink))
    await asyncio.wait_for(got_text.wait(), 5)
    task.cancel()
    # the stalled stream closes only when the run drops it (the time to it is a figure of
    # bench/bench_tools.py; a wall-time bound fails on a loaded machine)
    await fake_api.wait_disconnect(0, timeout=60)
    with pytest.raises(asyncio.CancelledError):
        await task
    # the streamed text carried the tokens the API had billed for the request so far (its
    # message_start): what an editor shows for the cancelled run (it showed 0 tokens)
    billed = {k: v for k, v in fake_api.requests[0].reported.items() if k in USAGE_KEYS}
    assert sum(billed.values()) > 0
    assert deltas[-1].usage == {**dict.fromkeys(USAGE_KEYS, 0), **billed}


async def test_a_stream_broken_mid_answer_counts_what_was_billed(fake_api, workspace):
    fake_api.script(fake.text("a", "b", "c", disconnect_after=3))
    res, _ = await run(make_request(workspace))
    assert res.status == "failed" and res.error.kind == "broken_stream"
    billed = {k: v for k, v in fake_api.requests[0].reported.items() if k in USAGE_KEYS}
    assert res.usage == {**dict.fromkeys(USAGE_KEYS, 0), **billed} and sum(billed.values()) > 0
    assert res.requests == [billed] and res.cost is not None and res.cost > 0


# ---------------------------------------------------------------- secrets


async def test_key_never_appears_in_logs_messages_or_results(fake_api, workspace, caplog):
    from agentls.runner.redact import install_log_redaction

    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("anthropic").setLevel(logging.DEBUG)
    logging.getLogger("httpx2").setLevel(logging.DEBUG)
    texts: list[str] = []
    replies = [fake.text("fine")] + [r for r, _, _ in FAILURES]
    for reply in replies:
        fake_api.script(reply)
        req = make_request(workspace)
        res, events = await run(req)
        texts += [e.text for e in events]
        texts.append(repr(res.error) if res.error else "")
        texts.append(write_result(req, res).read_text())
    # the key echoed back by a hostile server is masked too
    fake_api.script(fake.error(401, "authentication_error", f"bad key {FAKE_KEY}"))
    res, events = await run(make_request(workspace))
    texts += [e.text for e in events] + [str(res.error)]
    blob = "\n".join(texts) + caplog.text
    assert FAKE_KEY not in blob
    assert FAKE_KEY[10:30] not in blob
    assert any("Retry in 17 s" in t for t in texts)


# ---------------------------------------------------------------- definitions


AGENT_FILE = """---
name: {name}
description: A test agent. Use it for tests.
tools: Read, Grep
model: {model}
maxTurns: 5
---

Body of {name} ({where}).
"""


def test_discovery_precedence(isolated_home, workspace, monkeypatch):
    proj = workspace / ".claude" / "agents"
    proj.mkdir(parents=True)
    (proj / "dup.md").write_text(AGENT_FILE.format(name="dup", model="opus", where="project"))
    user = isolated_home / ".claude" / "agents"
    user.mkdir(parents=True)
    (user / "dup.md").write_text(AGENT_FILE.format(name="dup", model="haiku", where="user"))
    (user / "backend-engineer.md").write_text(
        AGENT_FILE.format(name="backend-engineer", model="haiku", where="user")
    )
    (user / "broken.md").write_text("---\nname: [unclosed\n---\nbody\n")
    agents = discover_agents(workspace)
    assert agents["dup"].scope == "project" and "(project)" in agents["dup"].body
    assert agents["dup"].max_turns == 5 and agents["dup"].tools == ["Read", "Grep"]
    assert agents["backend-engineer"].scope == "user"
    assert "broken" not in agents
    cfg = isolated_home / "cfg"
    (cfg / "agents").mkdir(parents=True)
    (cfg / "agents" / "cfg-only.md").write_text(
        AGENT_FILE.format(name="cfg-only", model="x", where="cfg")
    )
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(cfg))
    assert discover_agents(workspace)["cfg-only"].scope == "user"


def test_bundled_backend_engineer_is_found(isolated_home, tmp_path):
    agent = find_agent("backend-engineer", tmp_path)
    if agent is None:
        pytest.skip("agents/backend-engineer.md not written yet")
    assert agent.scope == "bundled" and agent.loads
    # its body tells it to Edit (Improve) and Write (tests): its tools grant them, never Bash
    assert agent.tools == ["Read", "Grep", "Glob", "Edit", "Write"] and agent.model == "sonnet"
    assert len(agent.body) > 2000 and not agent.body.startswith("---")


def test_load_agent_body_with_broken_yaml_falls_back(tmp_path):
    p = tmp_path / "x.md"
    p.write_text("---\nname: x\ndescription: a: b: c\n---\nThe body.\n")
    agent = load_agent(p, "project")
    assert agent is not None and agent.body == "The body."


# ---------------------------------------------------------------- the base URL's secrets

URL_SECRETS = ("alice-proxyuser-77", "pw-9f8e7d6c5b", "QUERYTOKEN-31415926535")


def _secret_url(base: str) -> str:
    scheme, rest = base.split("://", 1)
    return f"{scheme}://{URL_SECRETS[0]}:{URL_SECRETS[1]}@{rest}?token={URL_SECRETS[2]}"


@pytest.mark.parametrize(
    "case",
    ["refused", "401", "404", "500", "broken", "env", "ok"],
)
async def test_base_url_user_password_and_query_never_shown(
    fake_api, workspace, caplog, monkeypatch, case
):
    from agentls.runner.redact import install_log_redaction

    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    for name in ("anthropic", "httpx2", "httpcore2"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    base = fake_api.base_url if case != "refused" else f"http://127.0.0.1:{_refused_port()}"
    url = _secret_url(base)
    replies = {
        "401": fake.error(401, "authentication_error", f"bad credentials for {url}"),
        "404": fake.error(404, "not_found_error", "no such model"),
        "500": fake.error(500, "api_error", f"upstream {URL_SECRETS[1]} failed"),
        "broken": fake.text("a", disconnect_after=2),
    }
    fake_api.script(replies.get(case, fake.text(f"echo {URL_SECRETS[2]} and {url}")))
    if case == "env":  # the SDK reads the variable itself
        monkeypatch.setenv("ANTHROPIC_BASE_URL", url)
        s = settings()
    else:
        s = settings(base_url=url)
    req = make_request(workspace)
    res, events = await run(req, s)
    blob = "\n".join(
        [e.text for e in events]
        + [str(res.error), repr(res.error), caplog.text, write_result(req, res).read_text()]
    )
    for secret in URL_SECRETS:
        assert secret not in blob, (case, secret)
    if case in ("refused", "404"):
        assert "127.0.0.1" in str(res.error)  # the host is still named


async def test_refused_tool_call_says_why(fake_api, workspace):
    fake_api.script(fake.tool_use("Read", {"file_path": ".env"}), fake.text("fine"))
    _, events = await run(make_request(workspace))
    [tool] = [e for e in events if e.kind == "tool"]
    assert tool.text.startswith("refused Read .env: ") and "protected" in tool.text


async def test_secret_streamed_in_pieces_is_masked_in_every_delta(fake_api, workspace):
    from agentls.runner.redact import register_secret
    from fakes.fake_messages_api import PLAIN_KEY

    register_secret(PLAIN_KEY)
    chunks = ["the key is ", *[PLAIN_KEY[i : i + 3] for i in range(0, len(PLAIN_KEY), 3)], "."]
    chunks += [" and ", FAKE_KEY[:9], FAKE_KEY[9:], " done"]
    fake_api.script(fake.text(*chunks))
    _, events = await run(make_request(workspace))
    shown = "".join(e.text for e in events if e.kind == "delta")
    assert PLAIN_KEY not in shown and FAKE_KEY not in shown
    assert shown == "the key is [REDACTED]. and [REDACTED] done"


# ---------------------------------------------------------------- runaway searches


async def test_runaway_grep_is_stopped_and_said_and_the_run_goes_on(fake_api, workspace):
    (workspace / "src" / "slow.txt").write_text("a" * 40 + "!\n")
    fake_api.script(
        fake.tool_use("Grep", {"pattern": "(a|aa)+$"}),
        fake.tool_use("Glob", {"pattern": "*?" * 13 + "Z"}),
        fake.text("done"),
    )
    res, events = await run(make_request(workspace), settings(tool_timeout=1.0))
    assert res.status == "done"  # each search stopped at its budget (said below)
    grep = fake_api.requests[1].body["messages"][2]["content"][0]
    assert grep["is_error"] and "took longer than 1 s and was stopped" in grep["content"]
    glob = fake_api.requests[2].body["messages"][4]["content"][0]
    assert not glob["is_error"] and glob["content"] == "No files found"
    assert any(e.text.startswith("refused Grep (a|aa)+$: The Grep took longer") for e in events)


async def test_cancel_during_a_runaway_grep_stops_it(fake_api, workspace):
    import os

    from procs import alive, tool_workers

    (workspace / "src" / "slow.txt").write_text("a" * 40 + "!\n")
    fake_api.script(fake.tool_use("Grep", {"pattern": "(.*.*)*="}), fake.text("never"))
    task = asyncio.create_task(run_agent(make_request(workspace), settings(tool_timeout=60)))
    while not tool_workers(os.getpid()):
        await asyncio.sleep(0.01)
    [pid] = tool_workers(os.getpid())
    t0 = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    ended = time.monotonic() - t0
    # killed by the cancel, not by the budget (60 s): the time is a figure of
    # bench/bench_tools.py, a wall-time bound fails on a loaded machine
    assert not alive(pid)
    print(f"run cancelled during a runaway Grep: ended and worker gone in {ended * 1000:.1f} ms")


@pytest.mark.parametrize("brk", ["\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_selection_is_the_editors_lines_whatever_the_breaks(brk):
    from agentls.runner.cli import parse_lines
    from agentls.runner.prompt import build_first_turn, get_task

    text = f"a = 1{brk}b = 2\nc = 3\ndef target():\n    return 4\n"
    sel = parse_lines("3-4", text)  # editors number lines at LF, CR LF and CR only
    assert (sel.start.line, sel.end.line) == (2, 3)
    prompt = build_first_turn(
        task=get_task("review"), text=text, selection=sel, rel_path="x.py",
        language="python", workspace_name="ws", context_lines=0,
    ).text  # fmt: skip
    selected = prompt.split("Selected code:")[1]
    assert "def target():" in selected and "return 4" in selected and "c = 3" not in selected
    assert "Selection: lines 3-4 of 4" in prompt
