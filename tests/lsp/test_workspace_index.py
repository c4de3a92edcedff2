"""The workspace index over stdio: agentls/agents, definition, references, rename, duplicates
with related information, and watched-file changes (VS Code capabilities, push diagnostics)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from lsp_helpers import DiagnosticsRecorder, open_text
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "agentls", "lsp"]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "workspaces" / "crossfile"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[LanguageClient]:
    root = tmp_path / "ws"
    shutil.copytree(FIXTURE, root)
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    env.pop("CLAUDE_CONFIG_DIR", None)
    c = await ClientServerConfig(server_command=SERVER, server_env=env).start()
    assert isinstance(c, LanguageClient)
    c.root = root  # type: ignore[attr-defined]
    c.recorder = DiagnosticsRecorder(c)  # type: ignore[attr-defined]
    await c.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual_studio_code"),
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), "ws")],
        )
    )
    await c.protocol.send_request_async("agentls/agents", {})  # waits for the index
    yield c
    await c.shutdown_session()
    await c.stop()


def _open(c: LanguageClient, rel: str) -> str:
    return open_text(c, c.root / rel)  # type: ignore[attr-defined]


def _field(obj: object, name: str) -> object:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


@pytest.mark.asyncio
async def test_agents_request_lists_the_index(client: LanguageClient) -> None:
    result = await client.protocol.send_request_async("agentls/agents", {})
    agents = _field(result, "agents")
    names = {(_field(a, "name"), _field(a, "dialect"), _field(a, "scope")) for a in agents}  # type: ignore[union-attr]
    assert ("helper", "claude-agent", "project") in names
    assert ("lint-rules", "claude-skill", "project") in names
    assert ("planner", "copilot-agent", "project") in names
    assert ("backend-engineer", "claude-agent", "bundled") in names


@pytest.mark.asyncio
async def test_definition_and_references(client: LanguageClient) -> None:
    uri = _open(client, ".claude/agents/reviewer.md")
    # line 3: "tools: Read, Grep, Agent(helper, missing-one)"; "helper" starts at 25
    defs = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(3, 27))
    )
    assert isinstance(defs, list) and len(defs) == 1
    assert defs[0].uri.endswith(".claude/agents/helper.md")
    assert defs[0].range.start == lsp.Position(1, 6)
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            context=lsp.ReferenceContext(include_declaration=True),
            text_document=lsp.TextDocumentIdentifier(uri),
            position=lsp.Position(3, 27),
        )
    )
    assert refs is not None
    where = sorted((r.uri.rsplit("/", 1)[1], r.range.start.line) for r in refs)
    assert where == [("deploy.md", 2), ("helper.md", 1), ("reviewer.md", 3), ("reviewer.md", 6)]


@pytest.mark.asyncio
async def test_rename_edits_name_references_and_file(client: LanguageClient) -> None:
    uri = _open(client, ".claude/agents/helper.md")
    prep = await client.text_document_prepare_rename_async(
        lsp.PrepareRenameParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 8))
    )
    assert prep is not None
    edit = await client.text_document_rename_async(
        lsp.RenameParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 8), "assistant")
    )
    assert edit is not None and edit.document_changes is not None
    changes: dict[str, list[tuple[int, int, str]]] = {}
    renames = []
    for ch in edit.document_changes:
        if isinstance(ch, lsp.RenameFile):
            renames.append((ch.old_uri.rsplit("/", 1)[1], ch.new_uri.rsplit("/", 1)[1]))
        else:
            assert isinstance(ch, lsp.TextDocumentEdit)
            name = ch.text_document.uri.rsplit("/", 1)[1]
            for e in ch.edits:
                changes.setdefault(name, []).append(
                    (e.range.start.line, e.range.start.character, e.new_text)
                )
    assert changes == {
        "helper.md": [(1, 6, "assistant")],
        "reviewer.md": [(3, 25, "assistant"), (6, 28, "assistant")],
        "deploy.md": [(2, 7, "assistant")],
    }
    assert renames == [("helper.md", "assistant.md")]


@pytest.mark.asyncio
async def test_duplicates_on_both_sides_with_related_information(client: LanguageClient) -> None:
    rec: DiagnosticsRecorder = client.recorder  # type: ignore[attr-defined]
    a = _open(client, ".claude/agents/reviewer.md")
    b = _open(client, ".claude/agents/reviewer-copy.md")
    for uri, other in ((a, "reviewer-copy.md"), (b, "reviewer.md")):
        diags = await rec.wait(uri, 1)
        dup = [d for d in diags if d.code == "AL301"]
        assert len(dup) == 1, [d.code for d in diags]
        assert dup[0].related_information
        assert dup[0].related_information[0].location.uri.endswith(other)
    codes = {d.code for d in await rec.wait(a, 1)}
    assert {"AL303", "AL304"} <= codes


@pytest.mark.asyncio
async def test_watched_file_change_refreshes_dependents(client: LanguageClient) -> None:
    rec: DiagnosticsRecorder = client.recorder  # type: ignore[attr-defined]
    uri = _open(client, ".claude/agents/reviewer.md")
    diags = await rec.wait(uri, 1)
    assert any(d.code == "AL303" and "`nope`" in d.message for d in diags)
    n = rec.count[uri]
    skill = client.root / ".claude/skills/nope/SKILL.md"  # type: ignore[attr-defined]
    skill.parent.mkdir(parents=True)
    skill.write_text("---\nname: nope\ndescription: Use when nothing else helps.\n---\nBody.\n")
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams([lsp.FileEvent(skill.as_uri(), lsp.FileChangeType.Created)])
    )
    diags = await rec.wait_count(uri, n + 1)
    assert not any(d.code == "AL303" and "`nope`" in d.message for d in diags)


async def _agents(client: LanguageClient) -> set[tuple[object, object, object]]:
    result = await client.protocol.send_request_async("agentls/agents", {})
    return {
        (_field(a, "name"), _field(a, "dialect"), _field(a, "scope"))
        for a in _field(result, "agents")  # type: ignore[union-attr]
    }


@pytest.mark.asyncio
async def test_a_plugin_manifest_created_and_deleted_while_running(client: LanguageClient) -> None:
    """Files below a new .claude-plugin/plugin.json become plugin agents at once (index and
    open documents), and stop being them when it is deleted: no restart needed."""
    rec: DiagnosticsRecorder = client.recorder  # type: ignore[attr-defined]
    root: Path = client.root  # type: ignore[attr-defined]
    agent = root / "tools-plugin" / "agents" / "linter.md"
    agent.parent.mkdir(parents=True)
    agent.write_text("---\ndescription: Use when linting.\ncolor: gold\n---\nLint.\n")
    uri = _open(client, "tools-plugin/agents/linter.md")
    await rec.wait(uri, 1)
    n = rec.count[uri]
    assert not any(d.code == "AL028" for d in rec.last[uri])  # not an agent file yet
    assert not any(name == "linter" for name, _, _ in await _agents(client))

    manifest = root / "tools-plugin" / ".claude-plugin" / "plugin.json"
    manifest.parent.mkdir()
    manifest.write_text('{"name": "tools"}')
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent(manifest.as_uri(), lsp.FileChangeType.Created)]
        )
    )
    diags = await rec.wait_count(uri, n + 1)
    assert any(d.code == "AL028" for d in diags)  # checked as a plugin agent now
    assert ("linter", "claude-plugin-agent", "plugin") in await _agents(client)

    n = rec.count[uri]
    manifest.unlink()
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent(manifest.as_uri(), lsp.FileChangeType.Deleted)]
        )
    )
    diags = await rec.wait_count(uri, n + 1)
    assert not any(d.code == "AL028" for d in diags)
    assert not any(name == "linter" for name, _, _ in await _agents(client))
