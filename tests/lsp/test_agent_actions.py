"""Agent runs through the language server (stdio subprocess) against the fake Messages API."""

from __future__ import annotations

import ast
import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lsp_helpers import open_text
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from fakes import fake_messages_api as fake
from fakes.fake_messages_api import FAKE_KEY, FakeMessagesAPI

SERVER = [sys.executable, "-m", "agentls", "lsp"]
OLD = '    cur = db.execute(f"SELECT * FROM users WHERE id = {user_id}")\n'
NEW = '    cur = db.execute("SELECT * FROM users WHERE id = ?", (user_id,))\n'


class Recorder:
    def __init__(self) -> None:
        self.outputs: list[dict[str, Any]] = []
        self.edits: list[lsp.ApplyWorkspaceEditParams] = []
        self.apply_result = True
        self.encoding: lsp.PositionEncodingKind | str | None = None
        self.got_delta = asyncio.Event()


@pytest.fixture
async def client(
    fake_api: FakeMessagesAPI, workspace: Path, request: pytest.FixtureRequest
) -> AsyncIterator[LanguageClient]:
    env = dict(os.environ)  # HOME, caches, ANTHROPIC_BASE_URL and the key set by fake_api
    options = getattr(request, "param", None) or {}
    if options.get("key_via") in ("init", "notify"):
        env.pop("ANTHROPIC_API_KEY")
    c = await ClientServerConfig(server_command=SERVER, server_env=env).start()
    assert isinstance(c, LanguageClient)
    rec = Recorder()
    c.rec = rec  # type: ignore[attr-defined]

    @c.feature("agentls/runOutput")
    def on_output(params: Any) -> None:
        item = params._asdict() if hasattr(params, "_asdict") else dict(params)
        rec.outputs.append(item)
        if item["kind"] == "delta":
            rec.got_delta.set()

    @c.feature(lsp.WORKSPACE_APPLY_EDIT)
    def on_apply(params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
        rec.edits.append(params)
        return lsp.ApplyWorkspaceEditResult(applied=rec.apply_result)

    init = {"apiKey": FAKE_KEY} if options.get("key_via") == "init" else None
    caps = client_capabilities(options.get("editor", "visual_studio_code"))
    if options.get("encoding"):  # VS Code's capabilities, but positions in that encoding
        caps.general = lsp.GeneralClientCapabilities(position_encodings=[options["encoding"]])
    result = await c.initialize_session(
        lsp.InitializeParams(
            capabilities=caps,
            root_uri=workspace.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(workspace.as_uri(), "ws")],
            initialization_options=init,
        )
    )
    rec.encoding = result.capabilities.position_encoding
    if options.get("key_via") == "notify":
        c.protocol.notify("agentls/setApiKey", {"apiKey": FAKE_KEY})
    yield c
    await c.shutdown_session()
    await c.stop()


def run_progress(c: LanguageClient) -> dict[Any, list[Any]]:
    """Progress of agent runs (not the workspace index's "indexing" progress)."""
    out = {}
    for token, reports in c.progress_reports.items():
        begin = next((r for r in reports if isinstance(r, lsp.WorkDoneProgressBegin)), None)
        if begin is None or "indexing" in begin.title:
            continue
        out[token] = reports
    return out


def open_doc(c: LanguageClient, ws: Path, version: int = 1) -> str:
    return open_text(c, ws / "src" / "app.py", language="python", version=version)


async def selection_actions(c: LanguageClient, uri: str, start: int = 3, end: int = 6) -> list[Any]:
    """The code actions offered on a selection of whole lines, ``start`` to ``end`` (no
    diagnostics in the context)."""
    actions = await c.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri),
            range=lsp.Range(lsp.Position(start, 0), lsp.Position(end, 0)),
            context=lsp.CodeActionContext(diagnostics=[]),
        )
    )
    return list(actions or [])


SEL = {"start": {"line": 3, "character": 0}, "end": {"line": 6, "character": 0}}


def args(uri: str, task: str = "review", version: int | None = 1) -> dict[str, Any]:
    return {"agent": "backend-engineer", "task": task, "uri": uri, "range": SEL, "version": version}


async def run_request(c: LanguageClient, params: dict[str, Any]) -> Any:
    return await c.protocol.send_request_async("agentls/runAgent", params)


async def test_code_actions_offer_tasks_on_selection(client, workspace):
    uri = open_doc(client, workspace)
    actions = await selection_actions(client, uri)
    # lsprotocol's client-side converter may read a CodeAction as a Command (both have
    # `title` and `command`); accept either shape.
    titles = [a.title for a in actions or []]
    for t in ("Review", "Explain", "Improve", "Write tests"):
        assert f"backend-engineer: {t}" in titles
    act = next(a for a in actions if a.title == "backend-engineer: Review")
    cmd: Any = act.command
    if isinstance(cmd, str):
        cmd = ast.literal_eval(cmd)
    else:
        cmd = {"command": cmd.command, "arguments": cmd.arguments}
    assert cmd["command"] == "agentls.runAgent"
    assert cmd["arguments"][0]["version"] == 1
    empty = await selection_actions(client, uri, 3, 3)
    assert not [a for a in empty or [] if a.title.startswith("backend-engineer")]


async def test_review_streams_progress_output_and_opens_document(client, fake_api, workspace):
    fake_api.script(fake.text("## Findings\n", "1. **Critical** line 5: ", "SQL injection."))
    uri = open_doc(client, workspace)
    res = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="agentls.runAgent", arguments=[args(uri)])
    )
    assert res["status"] == "done"
    assert res["text"].endswith("SQL injection.")
    body = fake_api.requests[0].body
    assert "senior backend engineer" in body["system"][0]["text"]
    assert body["model"].startswith("claude-sonnet")
    assert "def get_user(db, user_id):" in body["messages"][0]["content"][0]["text"]
    outs = client.rec.outputs
    assert next(o["kind"] for o in outs) == "start" and outs[-1]["kind"] == "end"
    assert "".join(o["text"] for o in outs if o["kind"] == "delta") == res["text"]
    assert len({o["runId"] for o in outs}) == 1
    [(_token, reports)] = list(run_progress(client).items())
    assert isinstance(reports[0], lsp.WorkDoneProgressBegin) and reports[0].cancellable
    assert isinstance(reports[-1], lsp.WorkDoneProgressEnd)
    [shown] = client.shown_documents
    path = Path(shown.uri.removeprefix("file://"))
    assert path.is_file() and "SQL injection." in path.read_text()
    assert str(path).startswith(os.environ["XDG_CACHE_HOME"])


async def test_improve_sends_versioned_annotated_edit(client, fake_api, workspace):
    fake_api.script(
        fake.tool_use("Edit", {"file_path": "src/app.py", "old_string": OLD, "new_string": NEW}),
        fake.text("Parameterised the query."),
    )
    uri = open_doc(client, workspace, version=7)
    res = await run_request(client, args(uri, "improve", 7))
    assert res.status == "done" and res.applied is True, res
    [params] = client.rec.edits
    [tde] = params.edit.document_changes
    assert tde.text_document.uri == uri and tde.text_document.version == 7
    [edit] = tde.edits
    assert edit.new_text.startswith('"SELECT * FROM users WHERE id = ?"') or "?" in edit.new_text
    assert edit.range.start.line == 4
    ann = params.edit.change_annotations[edit.annotation_id]
    assert ann.needs_confirmation is True


async def test_write_tests_creates_file_with_annotation(client, fake_api, workspace):
    fake_api.script(
        fake.tool_use(
            "Write", {"file_path": "tests/test_app.py", "content": "def test_a():\n    pass\n"}
        ),
        fake.text("Added."),
    )
    uri = open_doc(client, workspace)
    res = await run_request(client, args(uri, "tests"))
    assert res.applied is True
    create, tde = client.rec.edits[0].edit.document_changes
    assert isinstance(create, lsp.CreateFile) and create.uri.endswith("tests/test_app.py")
    assert tde.edits[0].new_text.startswith("def test_a")


async def test_declined_edit_is_reported(client, fake_api, workspace):
    client.rec.apply_result = False
    fake_api.script(
        fake.tool_use("Edit", {"file_path": "src/app.py", "old_string": OLD, "new_string": NEW}),
        fake.text("done"),
    )
    uri = open_doc(client, workspace)
    res = await run_request(client, args(uri, "improve"))
    assert res.applied is False and "declined" in res.message
    assert any("not applied" in m.message for m in client.messages)


async def test_edit_for_changed_document_is_not_applied(client, fake_api, workspace):
    fake_api.script(
        fake.tool_use("Edit", {"file_path": "src/app.py", "old_string": OLD, "new_string": NEW}),
        fake.text("first ", "second", delay=0.3),
    )
    uri = open_doc(client, workspace)
    pending = asyncio.ensure_future(run_request(client, args(uri, "improve")))
    await asyncio.wait_for(client.rec.got_delta.wait(), 60)  # a bound, not a timing
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text="# rewritten\n")],
        )
    )
    res = await asyncio.wait_for(pending, 20)
    assert res.applied is False and "changed" in res.message
    assert client.rec.edits == []


async def test_stale_version_refused_before_running(client, fake_api, workspace):
    uri = open_doc(client, workspace, version=3)
    res = await run_request(client, args(uri, "improve", 2))
    assert res.status == "failed" and "changed" in res.message
    assert fake_api.requests == []


async def test_cancel_command_through_progress_token(client, fake_api, workspace):
    fake_api.script(fake.text("partial ", stall_after=3))
    uri = open_doc(client, workspace)
    pending = asyncio.ensure_future(
        client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command="agentls.runAgent", arguments=[args(uri)])
        )
    )
    await asyncio.wait_for(client.rec.got_delta.wait(), 60)  # a bound, not a timing
    [token] = list(run_progress(client))
    client.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token=token))
    # the stalled stream closes only when the server drops it (the time to it is a figure
    # of bench/bench_tools.py; a timed bound fails on a loaded machine)
    await fake_api.wait_disconnect(0, timeout=60)
    res = await asyncio.wait_for(pending, 10)
    assert res["status"] == "cancelled"
    assert isinstance(client.progress_reports[token][-1], lsp.WorkDoneProgressEnd)
    # the next run (an ask, as Neovim's :AgentlsAsk sends it) is answered
    fake_api.script(fake.text("again"))
    again = await run_request(client, {**args(uri), "prompt": "Is it safe?"})
    assert again.status == "done" and "again" in again.text


async def test_cancel_request(client, fake_api, workspace):
    fake_api.script(fake.text("partial ", stall_after=3))
    uri = open_doc(client, workspace)
    fut = client.protocol.send_request("agentls/runAgent", args(uri), msg_id="run-1")
    await asyncio.wait_for(client.rec.got_delta.wait(), 60)  # a bound, not a timing
    client.protocol.notify("$/cancelRequest", lsp.CancelParams(id="run-1"))
    await fake_api.wait_disconnect(0, timeout=60)  # the stalled stream, dropped
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(asyncio.wrap_future(fut), 10)
    # the server still answers
    fake_api.script(fake.text("again"))
    res = await run_request(client, args(uri))
    assert res.status == "done"


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (fake.error(401, "authentication_error", "bad"), "401"),
        (fake.error(429, "rate_limit_error", "slow", {"retry-after": "30"}), "Retry in 30 s"),
        (fake.error(529, "overloaded_error", "Overloaded"), "overloaded"),
        (fake.text("a", "b", disconnect_after=3), "broke"),
    ],
)
async def test_failures_show_a_clear_message(client, fake_api, workspace, reply, words):
    fake_api.script(reply)
    uri = open_doc(client, workspace)
    res = await run_request(client, args(uri, "improve"))
    assert res.status == "failed" and words.lower() in res.message.lower()
    errors = [m for m in client.messages if m.type == lsp.MessageType.Error]
    assert errors and words.lower() in errors[-1].message.lower()
    assert client.rec.edits == []
    reports = next(iter(run_progress(client).values()), [])
    assert not reports or isinstance(reports[-1], lsp.WorkDoneProgressEnd)


@pytest.mark.parametrize("client", [{"key_via": "init"}, {"key_via": "notify"}], indirect=True)
async def test_key_from_client_is_used_and_never_echoed(client, fake_api, workspace):
    fake_api.script(fake.text("ok"))
    uri = open_doc(client, workspace)
    res = await run_request(client, args(uri))
    assert res.status == "done", res
    headers = fake_api.requests[0].headers
    assert FAKE_KEY in (headers.get("authorization", "") + headers.get("x-api-key", ""))
    fake_api.script(fake.error(401, "authentication_error", f"key {FAKE_KEY} revoked"))
    res = await run_request(client, args(uri))
    blob = repr(res) + repr(client.messages) + repr(client.rec.outputs) + repr(client.log_messages)
    assert FAKE_KEY not in blob
