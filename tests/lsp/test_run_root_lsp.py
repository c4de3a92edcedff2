"""The root of an agent run in the language server (issue 14, class 1): with ``$HOME`` opened
as the workspace folder, or a file outside every workspace folder, no scripted Read, Grep or
Glob reaches ``~/.claude/.credentials.json`` and the other private files of ``$HOME``; a
file in no project runs with its own folder only, and the result and a message say so."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from fakes import fake_messages_api as fake
from fakes.fake_messages_api import FakeMessagesAPI
from hostile import SCRIPTED_TOOLS, SECRET, fill_home

SERVER = [sys.executable, "-m", "agentls", "lsp"]
SEL = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}


async def _start(folder: Path) -> LanguageClient:
    c = await ClientServerConfig(server_command=SERVER, server_env=dict(os.environ)).start()
    assert isinstance(c, LanguageClient)
    await c.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual_studio_code"),
            root_uri=folder.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(folder.as_uri(), "ws")],
        )
    )
    return c


@pytest.fixture
def home(isolated_home: Path) -> Path:
    return fill_home(isolated_home)


@pytest.fixture
async def opened_home(fake_api: FakeMessagesAPI, home: Path) -> AsyncIterator[LanguageClient]:
    """A server whose workspace folder is $HOME itself (the user opened ~)."""
    c = await _start(home)
    yield c
    await c.shutdown_session()
    await c.stop()


async def _run(c: LanguageClient, file: Path) -> Any:
    uri = file.as_uri()
    c.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, file.read_text()))
    )
    params = {"agent": "backend-engineer", "task": "review", "uri": uri, "range": SEL}
    return await c.protocol.send_request_async("agentls/runAgent", params)


def _field(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _sent(api: FakeMessagesAPI) -> str:
    return "\n".join(json.dumps(r.body) for r in api.requests)


async def test_file_in_downloads_with_home_opened(
    opened_home: LanguageClient, fake_api: FakeMessagesAPI, home: Path
) -> None:
    fake_api.script(*[fake.tool_use(n, a) for n, a in SCRIPTED_TOOLS], fake.text("Done."))
    res = await _run(opened_home, home / "Downloads" / "script.py")
    assert _field(res, "status") == "done", res
    note = f"the agent may read {home / 'Downloads'} only"
    assert note in _field(res, "message")
    assert any(note in m.message for m in opened_home.messages)
    assert len(fake_api.requests) == len(SCRIPTED_TOOLS) + 1
    sent = _sent(fake_api)
    assert "script.py" in sent and SECRET not in sent, sent


async def test_file_directly_in_home_with_home_opened(
    opened_home: LanguageClient, fake_api: FakeMessagesAPI, home: Path
) -> None:
    res = await _run(opened_home, home / "notes.py")
    assert _field(res, "status") == "failed" and "your home folder" in _field(res, "message")
    assert fake_api.requests == []


async def test_file_outside_every_workspace_folder(fake_api: FakeMessagesAPI, home: Path) -> None:
    """~/notes.py while ~/proj is the workspace: its parent ($HOME) used to be the root."""
    proj = home / "proj"
    (proj / ".git").mkdir(parents=True)
    c = await _start(proj)
    try:
        res = await _run(c, home / "notes.py")
        assert _field(res, "status") == "failed" and "your home folder" in _field(res, "message")
        assert fake_api.requests == []
        fake_api.script(*[fake.tool_use(n, a) for n, a in SCRIPTED_TOOLS], fake.text("ok"))
        res = await _run(c, home / "Downloads" / "script.py")
        assert _field(res, "status") == "done"
        assert SECRET not in _sent(fake_api)
    finally:
        await c.shutdown_session()
        await c.stop()


async def test_claude_folder_opened_as_the_workspace(fake_api: FakeMessagesAPI, home: Path) -> None:
    """Issue 14 class 1, second attack: the user opens ~/.claude (a git repository) to edit
    their agents; a run on one of them may read its own folder only, never the prompt
    history, transcripts or settings.json of ~/.claude."""
    claude = home / ".claude"
    (claude / ".git").mkdir()
    (claude / "history.jsonl").write_text('{"display": "SECRET-PROMPT-HISTORY"}\n')
    (claude / "projects" / "p").mkdir(parents=True)
    (claude / "projects" / "p" / "s.jsonl").write_text('{"t": "SECRET-TRANSCRIPT"}\n')
    (claude / "settings.json").write_text('{"env": {"KEY": "SECRET-SETTINGS-ENV"}}\n')
    c = await _start(claude)
    try:
        tools = [
            ("Grep", {"pattern": "SECRET"}),
            ("Read", {"file_path": str(claude / "history.jsonl")}),
            ("Glob", {"pattern": "**/*.json*"}),
        ]
        fake_api.script(*[fake.tool_use(n, a) for n, a in tools], fake.text("Done."))
        res = await _run(c, claude / "agents" / "mine.md")
        assert _field(res, "status") == "done", res
        assert f"the agent may read {claude / 'agents'} only" in _field(res, "message")
        sent = _sent(fake_api)
        for secret in ("PROMPT-HISTORY", "TRANSCRIPT", "SETTINGS-ENV", "OAUTH-TOKEN"):
            assert f"SECRET-{secret}" not in sent, secret
    finally:
        await c.shutdown_session()
        await c.stop()
