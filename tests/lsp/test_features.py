"""Features added through one registration point, in any order, behave the same.

The same session (diagnostics across files, an edit that changes what another open document
is told, completion, code actions, the agent list) runs against the server as `agentls lsp`
builds it and against one whose features were added in the reverse order; the transcripts
must be equal.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from lsp_helpers import DiagnosticsRecorder, open_text
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "workspaces" / "crossfile"
DEFAULT = [sys.executable, "-m", "agentls", "lsp"]
REVERSED = [
    sys.executable,
    "-c",
    "from agentls.lsp.server import create_server, default_features\n"
    "create_server(list(reversed(default_features()))).start_io()",
]


def _open(c: LanguageClient, root: Path, rel: str) -> str:
    return open_text(c, root / rel)


def _codes(diags: list[lsp.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diags)


async def _session(command: list[str], tmp: Path, editor: str) -> dict[str, Any]:
    root = tmp / "ws"
    shutil.copytree(FIXTURE, root)
    home = tmp / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    env.pop("CLAUDE_CONFIG_DIR", None)
    c = await ClientServerConfig(server_command=command, server_env=env).start()
    assert isinstance(c, LanguageClient)
    rec = DiagnosticsRecorder(c)
    caps = client_capabilities(editor)
    assert caps.text_document is not None
    caps.text_document.diagnostic = None  # pushed diagnostics: they show the refreshes
    await c.initialize_session(
        lsp.InitializeParams(
            capabilities=caps,
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), "ws")],
            initialization_options={"agentListLimit": 2},
        )
    )
    out: dict[str, Any] = {}
    try:
        await c.protocol.send_request_async("agentls/agents", {})  # the index is built
        a = _open(c, root, ".claude/agents/reviewer.md")
        b = _open(c, root, ".claude/agents/reviewer-copy.md")
        out["a"] = _codes(await rec.wait(a, 1))
        out["b"] = _codes(await rec.wait(b, 1))
        # `a` no longer shares b's name: b's duplicate finding goes (a refresh of b)
        n = rec.count[b]
        c.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(version=2, uri=a),
                [
                    lsp.TextDocumentContentChangePartial(
                        range=lsp.Range(lsp.Position(1, 6), lsp.Position(1, 14)), text="critic"
                    )
                ],
            )
        )
        out["a2"] = _codes(await rec.wait(a, 2))
        out["b2"] = _codes(await rec.wait_count(b, n + 1))
        items = await c.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(a), lsp.Position(3, 7))
        )
        assert isinstance(items, lsp.CompletionList)
        out["completion"] = sorted(i.label for i in items.items)
        actions = await c.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(a),
                lsp.Range(lsp.Position(0, 0), lsp.Position(5, 0)),
                lsp.CodeActionContext(diagnostics=[]),
            )
        )
        out["actions"] = sorted(x.title for x in actions or [])
        agents = await c.protocol.send_request_async("agentls/agents", {})
        out["agents"] = sorted((x.name, x.scope) for x in agents.agents)
    finally:
        await c.shutdown_session()
        await c.stop()
    return out


@pytest.mark.parametrize("editor", ["visual_studio_code", "neovim"])
async def test_features_in_reverse_order_behave_the_same(tmp_path: Path, editor: str) -> None:
    first = await _session(DEFAULT, tmp_path / "default", editor)
    second = await _session(REVERSED, tmp_path / "reversed", editor)
    assert first == second
    assert "AL301" in first["a"] and "AL301" in first["b"]  # a duplicate name, on both sides
    assert "AL301" not in first["a2"] and "AL301" not in first["b2"]  # refreshed by the edit
    assert "Bash" in first["completion"]
    assert "backend-engineer: Review" in first["actions"]
    assert ("critic", "project") in first["agents"]
