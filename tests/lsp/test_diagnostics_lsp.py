"""End-to-end diagnostics over stdio, with the VS Code (push, UTF-16) and Neovim 0.11 (UTF-8;
pushed too: it pulls but cannot be asked to pull again) capability sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import (
    DiagnosticsRecorder,
    diagnostics,
    open_text,
    session_fixture,
    supports_pull,
)
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

BROKEN = (
    "---\n"
    "name: reviewer\n"
    "description: Relecture du code 😀 — use when: reviewing\n"
    "color: gold\n"
    "tools: Read, grep\n"
    "---\n"
    "You review code.\n"
)


client = session_fixture()


def _encoding_len(client: LanguageClient, text: str) -> int:
    if getattr(client, "editor", "") == "neovim":  # negotiated UTF-8
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


def _open(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    return open_text(client, path, text, version=version)


@pytest.mark.asyncio
async def test_broken_description_and_colour_both_reported(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    uri = _open(client, root / ".claude/agents/reviewer.md", BROKEN)
    diags = await diagnostics(client, uri, 1)
    by_code = {d.code: d for d in diags}
    assert {"AL003", "AL028", "AL021"} <= set(by_code), [d.code for d in diags]
    for d in diags:
        assert d.source == "agentls"
        assert d.code_description is not None and d.code_description.href.startswith("https://")
    # the description value starts after "description: " on line 2
    desc = by_code["AL003"]
    assert desc.range.start == lsp.Position(2, 13)
    line = BROKEN.splitlines()[2]
    assert desc.range.end == lsp.Position(2, _encoding_len(client, line))
    gold = by_code["AL028"]
    assert (gold.range.start, gold.range.end) == (lsp.Position(3, 7), lsp.Position(3, 11))
    grep = by_code["AL021"]
    assert (grep.range.start, grep.range.end) == (lsp.Position(4, 13), lsp.Position(4, 17))
    assert "Grep" in grep.message


@pytest.mark.asyncio
async def test_positions_after_non_ascii_text(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    text = (
        "---\nname: héllo-😀\ndescription: Use when naïve: “quoted” 😀 text\n"
        "model: fabel\n---\nBody\n"
    )
    uri = _open(client, root / ".claude/agents/uni.md", text)
    diags = await diagnostics(client, uri, 1)
    by_code = {d.code: d for d in diags}
    line2 = text.splitlines()[2]
    d = by_code["AL003"]
    assert d.range.start.character == _encoding_len(client, "description: ")
    assert d.range.end.character == _encoding_len(client, line2)
    name = by_code["AL012"]
    assert name.range.end.character == _encoding_len(client, "name: héllo-😀")


@pytest.mark.asyncio
async def test_typing_updates_diagnostics_per_version(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    text = "---\nname: typer\ndescription: Use when typing.\ncolor: gold\n---\nBody\n"
    uri = _open(client, root / ".claude/agents/typer.md", text)
    diags = await diagnostics(client, uri, 1)
    assert [d.code for d in diags] == ["AL028"]
    # replace "gold" by "blue" in two incremental edits: "gol" -> "", then insert "blue"
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(lsp.Position(3, 7), lsp.Position(3, 11)), text=""
                )
            ],
        )
    )
    diags = await diagnostics(client, uri, 2)
    assert [(d.code, d.range.start.line) for d in diags] == [("AL107", 3)]  # `color:` empty
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=3),
            [
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(lsp.Position(3, 7), lsp.Position(3, 7)), text="blue"
                )
            ],
        )
    )
    diags = await diagnostics(client, uri, 3)
    assert diags == []
    # break the YAML: an unindented continuation line
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=4),
            [
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(lsp.Position(3, 0), lsp.Position(3, 0)), text="and more\n"
                )
            ],
        )
    )
    diags = await diagnostics(client, uri, 4)
    assert [(d.code, d.range.start.line) for d in diags] == [("AL002", 3)]
    assert diags[0].severity == lsp.DiagnosticSeverity.Error


@pytest.mark.asyncio
async def test_close_clears_and_other_files_get_nothing(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    other = _open(client, root / "notes/readme.md", "---\ncolor: gold\n---\n")
    py = _open(client, root / "app.py", "def f():\n    return 1\n")
    assert await diagnostics(client, other, 1) == []
    assert await diagnostics(client, py, 1) == []
    uri = _open(client, root / ".claude/agents/x.md", "no frontmatter\n")
    diags = await diagnostics(client, uri, 1)
    assert [d.code for d in diags] == ["AL001"]
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
    if not supports_pull(client):
        recorder: DiagnosticsRecorder = client.recorder  # type: ignore[attr-defined]
        assert await recorder.wait(uri, None) == []  # the clearing publish has no version


@pytest.mark.asyncio
async def test_quick_fix_removes_its_diagnostic(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    text = "---\nname: fixer\ndescription: Use when: fixing\ncolor: Blue\n---\nBody\n"
    uri = _open(client, root / ".claude/agents/fixer.md", text)
    diags = await diagnostics(client, uri, 1)
    assert {d.code for d in diags} == {"AL003", "AL028"}
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri),
            range=lsp.Range(lsp.Position(3, 8), lsp.Position(3, 8)),
            context=lsp.CodeActionContext(diagnostics=diags),
        )
    )
    assert actions
    fix = next(
        a for a in actions if isinstance(a, lsp.CodeAction) and a.title == "Replace with `blue`"
    )
    assert fix.is_preferred
    assert fix.edit and fix.edit.document_changes
    change = fix.edit.document_changes[0]
    assert isinstance(change, lsp.TextDocumentEdit)
    assert change.text_document.version == 1
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                lsp.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
                for e in change.edits
            ],
        )
    )
    diags = await diagnostics(client, uri, 2)
    assert {d.code for d in diags} == {"AL003"}
