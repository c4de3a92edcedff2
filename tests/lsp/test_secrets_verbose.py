"""The API key never leaks, with the server's most verbose logging written to a file: a
successful run, a failure whose error text echoes the key, a cancelled run, and an edit."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from fakes import fake_messages_api as fake
from fakes.fake_messages_api import FAKE_KEY, FakeMessagesAPI

SEL = {"start": {"line": 3, "character": 0}, "end": {"line": 6, "character": 0}}


@pytest.fixture
async def verbose_client(
    fake_api: FakeMessagesAPI, workspace: Path, tmp_path: Path
) -> AsyncIterator[LanguageClient]:
    log_file = tmp_path / "server.log"
    cmd = [sys.executable, "-m", "agentls", "lsp", "-vv", "--log-file", str(log_file)]
    c = await ClientServerConfig(server_command=cmd, server_env=dict(os.environ)).start()
    assert isinstance(c, LanguageClient)
    outputs: list[Any] = []
    c.outputs = outputs  # type: ignore[attr-defined]
    c.log_file = log_file  # type: ignore[attr-defined]

    @c.feature("agentls/runOutput")
    def on_output(params: Any) -> None:
        outputs.append(params)

    @c.feature(lsp.WORKSPACE_APPLY_EDIT)
    def on_apply(params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
        outputs.append(params)
        return lsp.ApplyWorkspaceEditResult(applied=True)

    await c.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual_studio_code"),
            root_uri=workspace.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(workspace.as_uri(), "ws")],
        )
    )
    yield c
    await c.shutdown_session()
    await c.stop()


def _params(uri: str, task: str) -> dict[str, Any]:
    return {"agent": "backend-engineer", "task": task, "uri": uri, "range": SEL, "version": 1}


async def test_key_never_in_verbose_log_messages_or_results(
    verbose_client: LanguageClient, fake_api: FakeMessagesAPI, workspace: Path, tmp_path: Path
) -> None:
    c = verbose_client
    path = workspace / "src" / "app.py"
    uri = path.as_uri()
    c.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, path.read_text()))
    )
    send = c.protocol.send_request_async

    # success
    fake_api.script(fake.text(f"All good. (not the key: {FAKE_KEY[:6]}…)"))
    res = await send("agentls/runAgent", _params(uri, "review"))
    assert res.status == "done"
    # a failure whose error body echoes the key
    fake_api.script(fake.error(401, "authentication_error", f"invalid x-api-key {FAKE_KEY}"))
    res = await send("agentls/runAgent", _params(uri, "explain"))
    assert res.status == "failed"
    # a cancelled run
    fake_api.script(fake.text("partial answer ", stall_after=2))
    n = len(fake_api.requests)
    fut = c.protocol.send_request("agentls/runAgent", _params(uri, "review"), msg_id="run-x")
    await fake_api.wait_requests(n + 1)
    c.protocol.notify("$/cancelRequest", lsp.CancelParams(id="run-x"))
    await fake_api.wait_disconnect(n, timeout=5)
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(asyncio.wrap_future(fut), 10)
    # an edit proposal, applied after confirmation
    fake_api.script(
        fake.tool_use(
            "Edit", {"file_path": "src/app.py", "old_string": "a + b", "new_string": "b + a"}
        ),
        fake.text("Swapped."),
    )
    res = await send("agentls/runAgent", _params(uri, "improve"))
    assert res.status == "done"

    log_text = c.log_file.read_text("utf-8", errors="replace")  # type: ignore[attr-defined]
    assert "runAgent" in log_text  # -vv logged the traffic (logging flushes every record)
    results = tmp_path / "cache" / "agentls" / "runs"
    result_docs = [p.read_text("utf-8") for p in results.rglob("*.md")] if results.exists() else []
    assert result_docs, "the runs wrote result documents"
    everything = "\n".join(
        [
            log_text,
            repr(c.messages),
            repr(c.log_messages),
            repr(c.outputs),  # type: ignore[attr-defined]
            repr(c.progress_reports),
            *result_docs,
        ]
    )
    assert FAKE_KEY not in everything
    # and the key did reach the API, so the paths above really ran with it
    headers = [r.headers for r in fake_api.requests]
    assert any(FAKE_KEY in (h.get("authorization", "") + h.get("x-api-key", "")) for h in headers)


URL_SECRETS = ("dave-proxyuser-55", "pw-5e4d3c2b1a", "QUERYTOKEN-14142135623")


async def _start(
    cmd: list[str], env: dict[str, str], root: Path, outputs: list[Any], init: Any = None
) -> LanguageClient:
    c = await ClientServerConfig(server_command=cmd, server_env=env).start()
    assert isinstance(c, LanguageClient)
    c.feature("agentls/runOutput")(lambda params: outputs.append(params))
    await c.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual_studio_code"),
            root_uri=root.as_uri(),
            initialization_options=init,
        )
    )
    path = root / "src" / "app.py"
    c.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(path.as_uri(), "python", 1, path.read_text())
        )
    )
    return c


@pytest.mark.parametrize("via", ["env", "init"])
async def test_base_url_user_password_and_query_never_shown(
    fake_api: FakeMessagesAPI, workspace: Path, tmp_path: Path, via: str
) -> None:
    host = fake_api.base_url.split("://", 1)[1]
    userinfo = f"{URL_SECRETS[0]}:{URL_SECRETS[1]}"
    with_query = f"http://{userinfo}@{host}?token={URL_SECRETS[2]}"  # the SDK then 404s
    plain = f"http://{userinfo}@{host}"
    log_file = tmp_path / "server.log"
    cmd = [sys.executable, "-m", "agentls", "lsp", "-vv", "--log-file", str(log_file)]
    env = dict(os.environ)
    if via == "env":
        env["ANTHROPIC_BASE_URL"] = with_query
    outputs: list[Any] = []
    init = {"baseUrl": with_query} if via == "init" else None
    c = await _start(cmd, env, workspace, outputs, init)
    uri = (workspace / "src" / "app.py").as_uri()
    try:
        res = await c.protocol.send_request_async("agentls/runAgent", _params(uri, "review"))
        assert res.status == "failed" and "404" in res.message
        results = [res]
        if via == "env":  # and an error that echoes them, through a URL that works
            await c.shutdown_session()
            await c.stop()
            env["ANTHROPIC_BASE_URL"] = plain
            c = await _start(cmd, env, workspace, outputs)
            echo = f"denied: {plain} user {URL_SECRETS[0]} password {URL_SECRETS[1]}"
            fake_api.script(fake.error(401, "authentication_error", echo))
            results.append(
                await c.protocol.send_request_async("agentls/runAgent", _params(uri, "review"))
            )
            assert results[-1].status == "failed" and "401" in results[-1].message
        everything = "\n".join(
            [
                log_file.read_text("utf-8", errors="replace"),
                repr(results),
                repr(c.messages),
                repr(c.log_messages),
                repr(outputs),
            ]
        )
        assert "runAgent" in everything
        for secret in URL_SECRETS:
            assert secret not in everything, secret
    finally:
        await c.shutdown_session()
        await c.stop()
