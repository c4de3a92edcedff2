"""Helpers for pytest-lsp tests: versioned diagnostics without races."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "agentls", "lsp"]
EDITORS = ["visual_studio_code", "neovim"]


class DiagnosticsRecorder:
    """Records every publishDiagnostics by (uri, version); ``wait`` never misses one."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.seen: dict[tuple[str, int | None], list[lsp.Diagnostic]] = {}
        self.last: dict[str, list[lsp.Diagnostic]] = {}
        self.count: dict[str, int] = {}
        self.cond = asyncio.Condition()
        fm = client.protocol.fm
        original = fm.features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

        def handler(params: lsp.PublishDiagnosticsParams) -> None:
            original(params)
            self.seen[(params.uri, params.version)] = list(params.diagnostics)
            self.last[params.uri] = list(params.diagnostics)
            self.count[params.uri] = self.count.get(params.uri, 0) + 1
            asyncio.get_running_loop().create_task(self._notify())

        fm.features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = handler

    async def _notify(self) -> None:
        async with self.cond:
            self.cond.notify_all()

    async def wait(
        self, uri: str, version: int | None, timeout: float = 20
    ) -> list[lsp.Diagnostic]:
        async def _wait() -> list[lsp.Diagnostic]:
            async with self.cond:
                await self.cond.wait_for(lambda: (uri, version) in self.seen)
                return self.seen[(uri, version)]

        return await asyncio.wait_for(_wait(), timeout)

    async def wait_count(self, uri: str, n: int, timeout: float = 20) -> list[lsp.Diagnostic]:
        async def _wait() -> list[lsp.Diagnostic]:
            async with self.cond:
                await self.cond.wait_for(lambda: self.count.get(uri, 0) >= n)
                return self.last[uri]

        return await asyncio.wait_for(_wait(), timeout)


def supports_pull(client: LanguageClient) -> bool:
    """Whether the server offered this client pull diagnostics (else it pushes them): only
    to a client that can also be asked to pull again (agentls.lsp.server.pulls_diagnostics;
    not Neovim 0.11, which is pushed them)."""
    from agentls.lsp.server import pulls_diagnostics

    return client.capabilities is not None and pulls_diagnostics(client.capabilities)


async def diagnostics(client: LanguageClient, uri: str, version: int) -> list[lsp.Diagnostic]:
    """The diagnostics of ``uri`` at ``version``: pulled, or awaited as pushed."""
    if supports_pull(client):
        report = await client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri))
        )
        assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
        return list(report.items)
    recorder: DiagnosticsRecorder = client.recorder  # type: ignore[attr-defined]
    return await recorder.wait(uri, version)


def open_text(
    client: LanguageClient,
    path: Path,
    text: str | None = None,
    language: str = "markdown",
    version: int = 1,
) -> str:
    """Open ``path`` in the client (didOpen) and return its URI. With ``text``, the file is
    written first (its folders made), so the server sees the same text on disk; without, the
    text on disk is sent."""
    if text is None:
        text = path.read_text("utf-8")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, language, version, text))
    )
    return uri


def replace_text(client: LanguageClient, uri: str, version: int, text: str) -> None:
    """Send the whole new text of an open document (didChange, full)."""
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def open_session(client: LanguageClient, editor: str, root: Path) -> None:
    """Initialize a session for ``root`` with ``editor``'s capability set (pytest-lsp's
    recorded VS Code or Neovim capabilities); the client records every diagnostic."""
    client.root = root  # type: ignore[attr-defined]
    client.editor = editor  # type: ignore[attr-defined]
    client.recorder = DiagnosticsRecorder(client)  # type: ignore[attr-defined]
    result = await client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities(editor),
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), "ws")],
        )
    )
    client.server_capabilities = result.capabilities  # type: ignore[attr-defined]


def session_fixture(
    prepare: Callable[[Path], object] | None = None,
    env: Mapping[str, str] | None = None,
    home_in_tmp: bool = False,
) -> Any:
    """A ``client`` fixture (assign it to ``client`` in the test module): the server over
    stdio, once per capability set in EDITORS, in a session opened on the workspace folder
    ``tmp_path/ws`` (its .claude/agents/ made, then ``prepare(root)`` run). ``env`` is added
    to the server's environment; ``home_in_tmp`` points its HOME at ``tmp_path``. A test that
    ends the server itself sets ``client.exited``."""

    @pytest.fixture(params=EDITORS)
    async def client(
        request: pytest.FixtureRequest, tmp_path: Path
    ) -> AsyncIterator[LanguageClient]:
        root = tmp_path / "ws"
        (root / ".claude" / "agents").mkdir(parents=True)
        if prepare is not None:
            prepare(root)
        server_env = None
        if env or home_in_tmp:
            server_env = {**os.environ, **(env or {})}
            if home_in_tmp:
                server_env["HOME"] = str(tmp_path)
        c = await ClientServerConfig(server_command=SERVER, server_env=server_env).start()
        assert isinstance(c, LanguageClient)
        await open_session(c, request.param, root)
        yield c
        if not getattr(c, "exited", False):
            await asyncio.wait_for(c.shutdown_session(), 60)  # a hang, not a figure
        await c.stop()

    return client


_RAW_IDS = itertools.count()


async def raw_request(
    client: LanguageClient, method: str, params: object, timeout: float = 60
) -> Any:
    """Send a request as raw JSON, bypassing the client's own typing of the parameters (and
    of the result: it comes back as JSON, where pygls' client would read a CodeAction that
    carries a command as a Command)."""
    msg_id = f"raw-{method}-{next(_RAW_IDS)}"
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await asyncio.wait_for(future, timeout)
