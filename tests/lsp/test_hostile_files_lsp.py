"""Files that never end, in the language server (issue 14, class 4): a workspace and a user
folder holding links to /dev/zero, /dev/urandom, /dev/stdin and /proc/self/environ, FIFOs
with and without a writer, a socket, a link loop, a dangling link, a 100 GB sparse file and
a folder named ``x.md``, with ``.mcp.json`` a link to the server's own stdin. The index gets
ready and says what it passed over; workspace symbols, definition, ``agentls/agents``, code
actions and requests on unopened FIFO URIs are answered; watched-file changes naming a FIFO
are handled; and no byte of the server's stdin is read by anyone but the server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from hostile import FOLDER, VARIANTS, agent, hostile_entries

SERVER = [sys.executable, "-m", "agentls", "lsp"]
ANSWER = 30  # seconds: a hung request fails the test instead of the suite


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[LanguageClient]:
    root = tmp_path / "ws"
    agents = root / ".claude" / "agents"
    home = tmp_path / "home"
    with hostile_entries(agents), hostile_entries(home / ".claude" / "agents"):
        (agents / "helper.md").write_text(agent("helper"), "utf-8")
        (agents / "reviewer.md").write_text(agent("reviewer", "tools: Read, Agent(helper)\n"))
        (root / ".mcp.json").symlink_to("/dev/stdin")  # the server's own input
        (root / "app.py").write_text("def f(a, b):\n    return a + b\n", "utf-8")
        env = {**os.environ, "HOME": str(home)}
        env.pop("CLAUDE_CONFIG_DIR", None)
        c = await ClientServerConfig(server_command=SERVER, server_env=env).start()
        assert isinstance(c, LanguageClient)
        c.root = root  # type: ignore[attr-defined]
        c.home = home  # type: ignore[attr-defined]
        await c.initialize_session(
            lsp.InitializeParams(
                capabilities=client_capabilities("visual_studio_code"),
                root_uri=root.as_uri(),
                workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), "ws")],
            )
        )
        yield c
        await asyncio.wait_for(c.shutdown_session(), ANSWER)
        await c.stop()


def _field(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


async def _agents(c: LanguageClient) -> set[str]:
    result = await asyncio.wait_for(c.protocol.send_request_async("agentls/agents", {}), ANSWER)
    return {_field(a, "name") for a in _field(result, "agents")}


def _open(c: LanguageClient, path: Path, language: str = "markdown") -> str:
    uri = path.as_uri()
    c.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, language, 1, path.read_text()))
    )
    return uri


@pytest.mark.asyncio
async def test_index_ready_and_says_what_it_passed_over(client: LanguageClient) -> None:
    assert {"helper", "reviewer", "backend-engineer"} <= await _agents(client)
    said = "\n".join(m.message for m in client.log_messages if m.type == lsp.MessageType.Warning)
    expected = [
        (where / ".claude" / "agents" / name, reason)
        for where in (client.root, client.home)  # type: ignore[attr-defined]
        for name, reason in VARIANTS.items()
    ]
    expected.append((client.root / ".mcp.json", "character device"))  # type: ignore[attr-defined]
    named = [(p, r) for p, r in expected if f"{p}: not read: " in said]
    assert all(r in said for _, r in named)
    more = re.search(r"\.\.\. and (\d+) more", said)  # past the log's limit: counted
    assert len(named) + (int(more.group(1)) if more else 0) == len(expected), said
    assert f"{len(expected)} file(s) or folder(s) not indexed" in said
    assert FOLDER not in said


@pytest.mark.asyncio
async def test_symbols_and_definition_answer(client: LanguageClient) -> None:
    symbols = await asyncio.wait_for(
        client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="help")), ANSWER
    )
    assert symbols and [s.name for s in symbols] == ["helper"]
    uri = _open(client, client.root / ".claude" / "agents" / "reviewer.md")  # type: ignore[attr-defined]
    # line 3: "tools: Read, Agent(helper)"; "helper" starts at 19
    defs = await asyncio.wait_for(
        client.text_document_definition_async(
            lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(3, 21))
        ),
        ANSWER,
    )
    assert isinstance(defs, list) and defs[0].uri.endswith("/helper.md")


@pytest.mark.asyncio
async def test_watched_changes_naming_never_ending_files(client: LanguageClient) -> None:
    await _agents(client)
    agents = client.root / ".claude" / "agents"  # type: ignore[attr-defined]
    os.mkfifo(agents / "new-fifo.md")
    changes = [lsp.FileEvent((agents / n).as_uri(), lsp.FileChangeType.Changed) for n in VARIANTS]
    changes.append(lsp.FileEvent((agents / "new-fifo.md").as_uri(), lsp.FileChangeType.Created))
    changes.append(lsp.FileEvent((agents / FOLDER).as_uri(), lsp.FileChangeType.Created))
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes))
    manifest = client.root / "plug" / ".claude-plugin" / "plugin.json"  # type: ignore[attr-defined]
    manifest.parent.mkdir(parents=True)
    os.mkfifo(manifest)
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent(manifest.as_uri(), lsp.FileChangeType.Created)]
        )
    )
    assert {"helper", "reviewer"} <= await _agents(client)
    said = "\n".join(m.message for m in client.log_messages)
    assert f"{agents / 'new-fifo.md'}: not read: not a regular file (a FIFO)" in said


@pytest.mark.asyncio
async def test_requests_on_unopened_fifo_uris_answer(client: LanguageClient) -> None:
    await _agents(client)
    agents = client.root / ".claude" / "agents"  # type: ignore[attr-defined]
    for name in ("fifo.md", "zero.md", "stdin.md"):
        ident = lsp.TextDocumentIdentifier((agents / name).as_uri())
        hover = client.text_document_hover_async(lsp.HoverParams(ident, lsp.Position(1, 2)))
        symbols = client.text_document_document_symbol_async(lsp.DocumentSymbolParams(ident))
        for request in (hover, symbols):
            with contextlib.suppress(JsonRpcException):  # an error response is an answer
                await asyncio.wait_for(request, ANSWER)


@pytest.mark.asyncio
async def test_servers_stdin_is_read_by_the_server_only(client: LanguageClient) -> None:
    """``.mcp.json`` links to /dev/stdin, which the analysis of an open agent looks at, and
    the index meets ``stdin.md``: had either been read, the requests whose bytes it took
    would never be answered."""
    await _agents(client)
    reviewer = _open(client, client.root / ".claude" / "agents" / "reviewer.md")  # type: ignore[attr-defined]
    app = _open(client, client.root / "app.py", "python")  # type: ignore[attr-defined]
    requests = []
    for i in range(20):
        requests.append(
            client.text_document_hover_async(
                lsp.HoverParams(lsp.TextDocumentIdentifier(reviewer), lsp.Position(1, i % 5))
            )
        )
        requests.append(
            client.text_document_code_action_async(
                lsp.CodeActionParams(
                    lsp.TextDocumentIdentifier(app),
                    lsp.Range(lsp.Position(0, 0), lsp.Position(1, 10)),
                    lsp.CodeActionContext(diagnostics=[]),
                )
            )
        )
    answers = await asyncio.wait_for(asyncio.gather(*requests), ANSWER)
    assert len(answers) == 40
    actions = answers[1]
    assert actions and any("helper" in a.title for a in actions), actions
