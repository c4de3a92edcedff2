"""The server over stdio: invalid parameters get an error response (pygls alone sends
none), text after NEL/LS/PS stays in sync, adversarial documents are answered with a
diagnostic and the server keeps answering."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import raw_request
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "agentls", "lsp"]
INVALID_PARAMS = -32602


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=SERVER, server_env=dict(os.environ, AGENTLS_TEST_HOOKS="1")
    )
)
async def client(lsp_client: LanguageClient, tmp_path: Path):
    root = tmp_path / "ws"
    (root / ".claude" / "agents").mkdir(parents=True)
    lsp_client.root = root  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("neovim"),
            root_uri=root.as_uri(),
            initialization_options={"debounceMs": 0},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def pull(client: LanguageClient, uri: str) -> list[lsp.Diagnostic]:
    report = await asyncio.wait_for(
        client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri))
        ),
        60,  # a hang, not a figure: a loaded machine is slow
    )
    assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
    return list(report.items)


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("textDocument/hover", {}),
        ("textDocument/codeAction", {"textDocument": {"uri": 5}}),
        ("textDocument/diagnostic", {"textDocument": "nope"}),
        ("textDocument/completion", {"textDocument": {"uri": "file:///x.md"}, "position": 3}),
    ],
)
async def test_invalid_params_get_an_error_response(
    client: LanguageClient, method: str, params: dict[str, object]
) -> None:
    with pytest.raises(JsonRpcException) as info:
        await raw_request(client, method, params)
    assert info.value.code == INVALID_PARAMS
    assert method in info.value.message
    # an invalid notification is dropped, and the server still answers
    client.protocol._send_data(
        {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": 1}}
    )
    uri = (client.root / ".claude/agents/ok.md").as_uri()  # type: ignore[attr-defined]
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, "---\n---\n"))
    )
    assert await pull(client, uri)


async def test_edit_after_nel_keeps_text_in_sync(client: LanguageClient) -> None:
    uri = (client.root / ".claude/agents/nel.md").as_uri()  # type: ignore[attr-defined]
    text = "---\nname: a\x85b\u2028c\ncolor: red\n---\n"
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, text))
    )
    rng = lsp.Range(lsp.Position(2, 7), lsp.Position(2, 10))  # "red", on LSP line 2
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [lsp.TextDocumentContentChangePartial(range=rng, text="blue")],
        )
    )
    state = await client.protocol.send_request_async("agentls/_debugDocument", {"uri": uri})
    assert state.text == text.replace("red", "blue")


def _big(n: int) -> str:
    return "---\nname: big\ndescription: Use it for size.\n---\n" + ("x" * 99 + "\n") * n


ADVERSARIAL = {
    "alias bomb": "---\nname: b\ndescription: Use it.\na: &a [x,x,x,x,x,x,x,x,x]\n"
    + "".join(
        f"a{i}: &a{i} [{','.join(['*a' if i == 0 else f'*a{i - 1}'] * 9)}]\n" for i in range(9)
    )
    + "---\n",
    "10 MB": _big(100_000),
    "deep flow": "---\nname: d\ndescription: Use it.\ntools: " + "[" * 5000 + "\n---\n",
    "NUL": "---\nname: n\x00\ndescription: Use it.\n---\n\x00",
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
async def test_adversarial_document_answered_and_server_alive(
    client: LanguageClient, name: str
) -> None:
    uri = (client.root / f".claude/agents/{name.replace(' ', '-')}.md").as_uri()  # type: ignore[attr-defined]
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, ADVERSARIAL[name]))
    )
    # answered (only a hang fails on time: the analysis times of these documents are
    # figures in bench/bench_worst_case.py, "adversarial: ...")
    diags = await pull(client, uri)
    assert diags, name
    other = (client.root / ".claude/agents/after.md").as_uri()  # type: ignore[attr-defined]
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(other, "markdown", 1, "---\n---\n"))
    )
    assert await pull(client, other)


HUGE = "9" * 4_400  # past Python's 4,300-digit limit for int <-> decimal text
HUGE_DOCUMENTS = {
    ".agentls.toml": f"[rules]\nAL001 = {HUGE}\n",
    ".claude/agents/huge.md": f"---\nname: huge\ndescription: Use it.\nmaxTurns: {HUGE}\n---\n",
    ".claude/agents/hex.md": (
        f"---\nname: {HUGE}\ndescription: Use it.\ncolor: 0x{'f' * 4_400}\n---\n"
    ),
}


@pytest.mark.parametrize("rel", list(HUGE_DOCUMENTS))
async def test_huge_integers_answered_everywhere(client: LanguageClient, rel: str) -> None:
    """Issue 14 class 6 over LSP: every request on a document holding an integer of more
    than 4,300 digits (the configuration too) is answered, without an error, and the
    workspace's agents still come."""
    path = client.root / rel  # type: ignore[attr-defined]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HUGE_DOCUMENTS[rel], "utf-8")
    uri = path.as_uri()
    language = "toml" if rel.endswith(".toml") else "markdown"
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, language, 1, path.read_text()))
    )
    diags = await pull(client, uri)
    assert diags
    doc = lsp.TextDocumentIdentifier(uri)
    whole = lsp.Range(lsp.Position(0, 0), lsp.Position(5, 0))
    for pos in (lsp.Position(1, 0), lsp.Position(1, 12), lsp.Position(3, 5)):
        await asyncio.wait_for(client.text_document_hover_async(lsp.HoverParams(doc, pos)), 10)
        await asyncio.wait_for(
            client.text_document_completion_async(lsp.CompletionParams(doc, pos)), 10
        )
    await asyncio.wait_for(
        client.text_document_code_action_async(
            lsp.CodeActionParams(doc, whole, lsp.CodeActionContext(diagnostics=diags))
        ),
        10,
    )
    await asyncio.wait_for(
        client.text_document_document_symbol_async(lsp.DocumentSymbolParams(doc)), 10
    )
    agents = await asyncio.wait_for(client.protocol.send_request_async("agentls/agents", {}), 10)
    assert agents is not None
