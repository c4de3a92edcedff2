"""Errors as LSP says them, with VS Code's and Neovim's capability sets: a request after
``shutdown`` fails with InvalidRequest; notifications about documents that are not open are
ignored; a URI holding NUL is refused (InvalidParams for a request, dropped as a
notification) and never becomes an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import raw_request, session_fixture
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
AGENT = "---\nname: a\ndescription: Use it.\ncolor: gold\n---\nBody\n"


client = session_fixture(env={"AGENTLS_TEST_HOOKS": "1"}, home_in_tmp=True)


def raw_notify(c: LanguageClient, method: str, params: object) -> None:
    c.protocol._send_data({"jsonrpc": "2.0", "method": method, "params": params})


async def errors(c: LanguageClient) -> int:
    state = await c.protocol.send_request_async("agentls/_debugDocument", {"uri": ""})
    return int(state.errors)


def hover_params(uri: str) -> dict[str, object]:
    return {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 2}}


async def test_requests_after_shutdown_fail_with_invalid_request(client: LanguageClient) -> None:
    uri = (client.root / ".claude/agents/a.md").as_uri()  # type: ignore[attr-defined]
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, AGENT))
    )
    assert await raw_request(client, "textDocument/hover", hover_params(uri)) is not None
    await client.shutdown_async(None)
    for method, params in (
        ("textDocument/hover", hover_params(uri)),
        ("agentls/agents", {}),
        ("shutdown", None),
    ):
        with pytest.raises(JsonRpcException) as info:
            await raw_request(client, method, params)
        assert info.value.code == INVALID_REQUEST, method
    client.exit(None)
    client.exited = True  # type: ignore[attr-defined]


async def test_notifications_for_documents_not_open_are_ignored(client: LanguageClient) -> None:
    ghost = (client.root / ".claude/agents/ghost.md").as_uri()  # type: ignore[attr-defined]
    change = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}}
    raw_notify(
        client,
        "textDocument/didChange",
        {"textDocument": {"uri": ghost, "version": 2}, "contentChanges": [{**change, "text": "x"}]},
    )
    raw_notify(client, "textDocument/didSave", {"textDocument": {"uri": ghost}})
    raw_notify(client, "textDocument/didClose", {"textDocument": {"uri": ghost}})
    # the server still works, and no handler failed
    uri = (client.root / ".claude/agents/a.md").as_uri()  # type: ignore[attr-defined]
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, AGENT))
    )
    hover = await raw_request(client, "textDocument/hover", hover_params(uri))
    assert hover is not None
    assert await errors(client) == 0
    assert not any("internal error" in m.message for m in client.log_messages)


async def test_uris_with_nul_are_refused_cleanly(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    bad = root.as_uri() + "/.claude/agents/a%00b.md"
    raw_notify(
        client,
        "textDocument/didOpen",
        {"textDocument": {"uri": bad, "languageId": "markdown", "version": 1, "text": AGENT}},
    )
    raw_notify(
        client,
        "workspace/didChangeWatchedFiles",
        {"changes": [{"uri": bad, "type": 1}, {"uri": root.as_uri() + "/%00", "type": 3}]},
    )
    selection = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}
    for method, params in (
        ("textDocument/hover", hover_params(bad)),
        ("textDocument/diagnostic", {"textDocument": {"uri": bad}}),
        ("textDocument/definition", hover_params(bad)),
        ("agentls/runAgent", {"agent": "a", "task": "review", "uri": bad, "range": selection}),
    ):
        with pytest.raises(JsonRpcException) as info:
            await raw_request(client, method, params)
        assert info.value.code == INVALID_PARAMS, method
        assert "NUL" in info.value.message
    # the command route carries the URI in its argument: a failed run, not an internal error
    result = await raw_request(
        client,
        "workspace/executeCommand",
        {
            "command": "agentls.runAgent",
            "arguments": [{"agent": "a", "task": "review", "uri": bad, "range": selection}],
        },
    )
    assert result.status == "failed"
    assert await errors(client) == 0


async def test_a_percent_encoded_uri_is_the_same_document(client: LanguageClient) -> None:
    """pygls keeps open documents by their unquoted URI; a path with a space (``%20``)
    still gets its diagnostics pushed, its hover and its code actions."""
    root: Path = client.root  # type: ignore[attr-defined]
    uri = (root / ".claude/agents/my agent.md").as_uri()
    assert "%20" in uri
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, AGENT))
    )
    report = await raw_request(client, "textDocument/diagnostic", {"textDocument": {"uri": uri}})
    assert any(d.code == "AL028" for d in report.items)
    hover = await raw_request(client, "textDocument/hover", hover_params(uri))
    assert hover is not None and "colour" in str(hover.contents)


async def test_uris_longer_than_any_path_are_refused_cleanly(client: LanguageClient) -> None:
    """Issue 14 class 12, second attack: a document 40,000 folders deep (a URI no file can
    have) froze the server, every parent of the path being looked at for the run root and
    the configuration."""
    root: Path = client.root  # type: ignore[attr-defined]
    deep = root.as_uri() + "/" + "a/" * 40_000 + ".claude/agents/x.md"
    raw_notify(
        client,
        "textDocument/didOpen",
        {"textDocument": {"uri": deep, "languageId": "markdown", "version": 1, "text": AGENT}},
    )
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}
    for method, params in (
        ("textDocument/hover", hover_params(deep)),
        ("textDocument/diagnostic", {"textDocument": {"uri": deep}}),
        (
            "textDocument/codeAction",
            {"textDocument": {"uri": deep}, "range": whole, "context": {"diagnostics": []}},
        ),
    ):
        with pytest.raises(JsonRpcException) as info:
            await raw_request(client, method, params)
        assert info.value.code == INVALID_PARAMS, method
        assert "longer than any file path" in info.value.message
    uri = (root / ".claude/agents/a.md").as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, AGENT))
    )
    assert await raw_request(client, "textDocument/hover", hover_params(uri)) is not None
