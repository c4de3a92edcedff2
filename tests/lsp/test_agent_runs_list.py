"""``agentls/runs``: the kept runs of the workspace, ``agentls run``'s and every editor's,
newest first, over LSP with VS Code's and Neovim's capabilities (the language server as a
subprocess, the real SDK and CLI against the fake Messages API)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from test_agent_actions import SEL, args, client, open_doc, run_request  # noqa: F401

from agentls.runner import store
from agentls.runner.pricing import USAGE_KEYS, format_cost
from fakes import fake_messages_api as fake
from fakes.fake_messages_api import FAKE_KEY

EDITORS = [{"editor": "visual_studio_code"}, {"editor": "neovim"}]


def agentls_run(workspace: Path, *args: str) -> None:
    run = [sys.executable, "-m", "agentls.runner.cli", "run", "backend-engineer"]
    p = subprocess.run(
        [*run, "--file", "src/app.py", "--workspace", str(workspace), *args],
        cwd=workspace,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr


def tokens(usage: Any) -> dict[str, int]:
    return {k: getattr(usage, k, 0) for k in USAGE_KEYS}  # a 0 cache field is left out


async def runs(client: Any, **params: Any) -> Any:  # noqa: F811
    return await client.protocol.send_request_async("agentls/runs", params)


@pytest.mark.parametrize("client", EDITORS, indirect=True)
async def test_runs_of_the_cli_and_the_editor_newest_first(client, fake_api, workspace, tmp_path):  # noqa: F811
    fake_api.script(fake.text("CLI review."), fake.text("Other workspace."))
    agentls_run(workspace, "--lines", "4-6", "--task", "review")
    other = tmp_path / "other"
    (other / "src").mkdir(parents=True)
    (other / "src" / "app.py").write_text("x = 1\n")
    agentls_run(other, "--lines", "1", "--task", "explain")

    uri = open_doc(client, workspace)
    prompt = "Is   this\nsafe " + "under load " * 20
    fake_api.script(fake.text("An editor's answer."))
    asked = await run_request(
        client, {"agent": "backend-engineer", "uri": uri, "range": SEL, "prompt": prompt}
    )
    assert asked.status == "done" and asked.cost == format_cost(asked.costUsd)

    listed = await runs(client)
    assert listed.skipped == 0
    # the other workspace's run is not listed; the editor's run comes first
    assert [r.task for r in listed.runs] == ["ask", "review"]
    ask, review = listed.runs
    assert ask.runId == asked.runId and ask.source == "lsp" and review.source == "cli"
    assert review.status == "done" and review.lines == [4, 6] and review.path == "src/app.py"
    assert review.uri == uri and review.range.start.line == 3
    assert review.agent == "backend-engineer" and review.conversation == review.runId
    assert review.usage.output_tokens > 0 and review.proposals == 0
    assert review.costUsd > 0 and review.cost == format_cost(review.costUsd)
    assert review.pricesAsOf and review.wallSeconds > 0 and review.turns == 1
    assert ask.started > review.started and ask.started.endswith("Z")
    # the prompt on one line, shortened
    assert ask.prompt.startswith("Is this safe under load under load")
    assert len(ask.prompt) <= 120 and ask.prompt.endswith("…") and "\n" not in ask.prompt
    assert not hasattr(review, "prompt")  # none: left out

    # the limit
    assert [r.runId for r in (await runs(client, limit=1)).runs] == [asked.runId]
    blob = json.dumps([r._asdict() if hasattr(r, "_asdict") else str(r) for r in listed.runs])
    assert FAKE_KEY not in blob + str(listed)


@pytest.mark.parametrize("client", EDITORS, indirect=True)
async def test_a_cancelled_run_is_kept_with_what_it_cost(client, fake_api, workspace):  # noqa: F811
    fake_api.script(fake.text("partial ", stall_after=3))
    uri = open_doc(client, workspace)
    fut = client.protocol.send_request("agentls/runAgent", args(uri), msg_id="run-c")
    await asyncio.wait_for(client.rec.got_delta.wait(), 60)  # a bound, not a timing
    client.protocol.notify("$/cancelRequest", lsp.CancelParams(id="run-c"))
    await fake_api.wait_disconnect(0, timeout=60)
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(asyncio.wrap_future(fut), 10)
    # no answer follows a cancelled request: its end says what it cost
    [end] = [o for o in client.rec.outputs if o["kind"] == "end"]
    billed = {k: v for k, v in fake_api.requests[0].reported.items() if k in USAGE_KEYS}
    assert end["text"] == "cancelled" and sum(billed.values()) > 0
    assert tokens(end["usage"]) == {**dict.fromkeys(USAGE_KEYS, 0), **billed}
    assert end["costUsd"] > 0 and end["cost"] == format_cost(end["costUsd"])
    assert end["wallSeconds"] > 0 and end["pricesAsOf"]

    [kept] = (await runs(client)).runs
    assert kept.status == "cancelled" and kept.runId == end["runId"]
    assert kept.costUsd == end["costUsd"] and kept.cost == end["cost"]
    assert tokens(kept.usage) == tokens(end["usage"])
    conv = await client.protocol.send_request_async(
        "agentls/conversation", {"conversation": kept.runId}
    )
    assert [r.status for r in conv.runs] == ["cancelled"] and "partial" in conv.runs[0].text


@pytest.mark.parametrize("client", EDITORS, indirect=True)
async def test_broken_records_and_index_are_passed_over(client, fake_api, workspace):  # noqa: F811
    fake_api.script(fake.text("one"), fake.text("two"))
    uri = open_doc(client, workspace)
    first = await run_request(client, args(uri))
    second = await run_request(client, args(uri, "explain"))
    folder = store.workspace_dir(workspace)
    (folder / store.INDEX).write_text("{not json")
    [broken] = [p for p in folder.glob(f"*-{first.runId}.json")]
    broken.write_text('["not a record"]')
    (folder / "20991231T000000.000000Z-hand-made.json").write_text(
        json.dumps({"format": store.FORMAT, "id": "hand-made"})  # fields missing
    )
    listed = await runs(client)
    assert [r.runId for r in listed.runs] == [second.runId]
    assert listed.skipped == 2
    # the server goes on answering: params left out, or a limit that is not a number
    assert (await client.protocol.send_request_async("agentls/runs", None)).skipped == 2
    with pytest.raises(Exception, match="limit"):
        await runs(client, limit="5")
    assert [r.runId for r in (await runs(client, limit=0)).runs] == [second.runId]  # 1 at least
