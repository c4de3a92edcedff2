"""Ask, follow-ups, kept proposals, usage and cost over LSP (issue 17, points 1-3 and 5):
the language server as a subprocess, the real SDK against the fake Messages API."""

from __future__ import annotations

from typing import Any

from test_agent_actions import (  # noqa: F401
    NEW,
    OLD,
    SEL,
    args,
    client,
    open_doc,
    run_request,
    selection_actions,
)

from fakes import fake_messages_api as fake


def _texts(body: dict[str, Any]) -> list[str]:
    """Every text of a request's messages, in order (tool results included)."""
    out = []
    for msg in body["messages"]:
        content = msg["content"]
        for block in [{"text": content}] if isinstance(content, str) else content:
            if "text" in block:
                out.append(block["text"])
            elif block.get("type") == "tool_result":
                out.append(str(block.get("content")))
    return out


async def test_follow_up_carries_the_history_and_reads_the_cache(client, fake_api, workspace):  # noqa: F811
    uri = open_doc(client, workspace)
    fake_api.script(
        fake.tool_use("Read", {"file_path": "src/util.py"}),
        fake.text("FIRST-ANSWER: not safe under concurrent requests."),
        fake.text("SECOND-ANSWER: use a lock."),
    )
    first = await run_request(
        client,
        {"agent": "backend-engineer", "uri": uri, "range": SEL, "prompt": "Is this thread-safe?"},
    )
    assert first.status == "done", first.message
    assert first.text == "FIRST-ANSWER: not safe under concurrent requests."
    assert first.task == "ask" and first.prompt == "Is this thread-safe?"
    assert first.conversation == first.runId and not hasattr(first, "parent")  # left out
    assert first.turns == 2 and first.tools == ["Read src/util.py"]
    assert first.usage.output_tokens > 0
    # turn 2 of the tool loop read the system prompt and tools from the cache turn 1 wrote
    assert first.usage.cache_creation_input_tokens > 0
    assert first.usage.cache_read_input_tokens > 0
    assert first.costUsd is not None and first.costUsd > 0 and first.pricesAsOf
    assert first.document.startswith("file://") and first.document.endswith(".md")
    assert "Is this thread-safe?" in _texts(fake_api.requests[0].body)[0]

    outputs = [o for o in client.rec.outputs if o["runId"] == first.runId]
    assert outputs[0]["kind"] == "start" and outputs[0]["conversation"] == first.runId
    turns = [o for o in outputs if o["kind"] == "turn"]
    assert [(o["turn"], o["text"]) for o in turns] == [(1, "tool_use"), (2, "end_turn")]
    assert [o["text"] for o in outputs if o["kind"] == "tool"] == ["Read src/util.py"]

    # a follow-up names the conversation and says what to ask: nothing else
    second = await run_request(
        client, {"conversation": first.runId, "prompt": "How would you fix it?"}
    )
    assert second.status == "done", second.message
    assert second.conversation == first.runId and second.parent == first.runId
    assert second.agent == "backend-engineer" and second.uri == uri
    body = fake_api.requests[2].body
    texts = _texts(body)
    # the whole first conversation, tool call and result included, then the new request
    assert "Is this thread-safe?" in texts[0]
    assert any("FIRST-ANSWER" in t for t in texts)
    assert any("def helper" in t for t in texts)  # the Read result of the first run
    assert "How would you fix it?" in texts[-1]
    assert second.usage.cache_read_input_tokens > second.usage.input_tokens

    conv = await client.protocol.send_request_async(
        "agentls/conversation", {"conversation": second.runId}
    )
    assert conv.conversation == first.runId
    assert [r.runId for r in conv.runs] == [first.runId, second.runId]
    assert [r.prompt for r in conv.runs] == ["Is this thread-safe?", "How would you fix it?"]
    assert "SECOND-ANSWER" in conv.runs[1].text


async def test_ask_needs_a_prompt_and_follow_up_an_existing_run(client, fake_api, workspace):  # noqa: F811
    uri = open_doc(client, workspace)
    res = await run_request(client, args(uri, task="ask"))
    assert res.status == "failed" and "prompt" in res.message
    res = await run_request(client, {"conversation": "nosuchrun", "prompt": "and then?"})
    assert res.status == "failed" and "nosuchrun" in res.message
    assert fake_api.requests == []


async def test_declined_proposal_is_kept_and_applied_later_as_shown(client, fake_api, workspace):  # noqa: F811
    uri = open_doc(client, workspace)
    edit = {"file_path": "src/app.py", "old_string": OLD, "new_string": NEW}
    fake_api.script(fake.tool_use("Edit", edit), fake.text("Parameterised the query."))
    client.rec.apply_result = False  # the user declines the preview
    res = await run_request(client, args(uri, task="improve"))
    assert res.status == "done" and res.applied is False
    [proposal] = res.proposals
    assert proposal.path == "src/app.py" and not proposal.created
    assert f"-{OLD.rstrip()}" in proposal.diff and f"+{NEW.rstrip()}" in proposal.diff
    assert len(client.rec.edits) == 1

    client.rec.apply_result = True
    requests_before = len(fake_api.requests)
    applied = await client.protocol.send_request_async(
        "agentls/applyProposal", {"runId": res.runId}
    )
    assert applied.applied is True, applied.message
    assert len(fake_api.requests) == requests_before  # no model call
    [_, again] = client.rec.edits
    [change] = again.edit.document_changes
    [text_edit] = change.edits
    assert text_edit.new_text in NEW and text_edit.annotation_id
    assert again.edit.change_annotations[text_edit.annotation_id].needs_confirmation


async def test_kept_proposal_is_refused_when_its_file_changed(client, fake_api, workspace):  # noqa: F811
    util = workspace / "src" / "util.py"
    old = util.read_text()
    edit = {"file_path": "src/util.py", "old_string": old, "new_string": old + "# more\n"}
    uri = open_doc(client, workspace)
    fake_api.script(fake.tool_use("Edit", edit), fake.text("Done."))
    client.rec.apply_result = False
    res = await run_request(client, args(uri, task="improve"))
    assert res.applied is False and len(res.proposals) == 1
    util.write_text(old + "# changed by the user\n")
    client.rec.apply_result = True
    applied = await client.protocol.send_request_async(
        "agentls/applyProposal", {"runId": res.runId}
    )
    assert applied.applied is False and "src/util.py changed" in applied.message
    assert len(client.rec.edits) == 1  # nothing more was sent
    assert util.read_text() == old + "# changed by the user\n"


async def test_an_answer_still_cut_at_max_tokens_is_kept(client, fake_api, workspace):  # noqa: F811
    uri = open_doc(client, workspace)
    fake_api.default_reply = fake.text("more ", stop_reason="max_tokens")
    res = await run_request(client, {**args(uri, task="explain"), "maxTokens": 64})
    assert res.status == "incomplete" and res.stop == "max_tokens"
    assert "max_tokens (64 tokens" in res.message and "maxTokens" in res.message
    assert len(fake_api.requests) == 4  # the answer and 3 continuations
    assert all(r.body["max_tokens"] == 64 for r in fake_api.requests)
    assert res.text.count("more") == 4  # what was received is kept
    assert any("continuing it (3 of 3)" in n for n in res.notes)
    conv = await client.protocol.send_request_async(
        "agentls/conversation", {"conversation": res.runId}
    )
    assert [r.status for r in conv.runs] == ["incomplete"]


async def test_a_read_only_agent_does_only_what_it_can(client, fake_api, workspace):  # noqa: F811
    agents = workspace / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "reader.md").write_text(
        "---\nname: reader\ndescription: Reads code.\ntools: Read, Grep\n---\nYou read code.\n"
    )
    uri = open_doc(client, workspace)
    actions = await selection_actions(client, uri)
    titles = {a.title for a in actions or []}
    assert {"reader: Review", "reader: Explain"} <= titles
    assert not titles & {"reader: Improve", "reader: Write tests", "reader: Ask"}
    assert {"backend-engineer: Improve", "backend-engineer: Write tests"} <= titles
    res = await run_request(client, {**args(uri, task="fix"), "agent": "reader"})  # fix=improve
    assert res.status == "failed" and "neither Edit nor Write" in res.message
    assert fake_api.requests == []
    fake_api.script(fake.text("It reads a user."))
    res = await run_request(client, {**args(uri, task="ask"), "agent": "reader", "prompt": "What?"})
    assert res.status == "done"
    assert [t["name"] for t in fake_api.requests[0].body["tools"]] == ["Read", "Grep"]
