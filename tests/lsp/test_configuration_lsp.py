"""The project configuration in the language server, over stdio, with the VS Code and
Neovim 0.11 capability sets (both pushed: Neovim pulls but cannot be asked to pull again):
the diagnostics are those ``agentls check`` reports for the same files, a change to a
configuration file (in its buffer, saved, or on disk) publishes the documents below it
again, the configuration's own problems are published on it even when it is not open, and
"Ignore …" quick fixes are code actions."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from lsp_helpers import (
    SERVER,
    DiagnosticsRecorder,
    open_session,
    open_text,
    replace_text,
    session_fixture,
    supports_pull,
)
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

AGENT = "---\nname: painter\ndescription: Use when painting.\ncolor: gold\n---\nBody\n"
# AL013: the file name is not the agent's name; AL028: not a Claude Code colour
RENAMED = "---\nname: other\ndescription: Use when painting.\ncolor: gold\n---\nBody\n"


# .git marks the project root: the search for a configuration stops there
client = session_fixture(lambda root: (root / ".git").mkdir())


def _root(client: LanguageClient) -> Path:
    return client.root  # type: ignore[attr-defined,no-any-return]


def _on_disk(client: LanguageClient, path: Path, kind: lsp.FileChangeType) -> None:
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams([lsp.FileEvent(path.as_uri(), kind)])
    )


Codes = Callable[[list[str]], bool]


async def settled(client: LanguageClient, uri: str, want: Codes) -> list[lsp.Diagnostic]:
    """The diagnostics of the open document ``uri`` once they satisfy ``want``: pulled (the
    server has handled every notification sent before the request), or awaited as pushed."""
    if supports_pull(client):
        report = await client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri))
        )
        assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
        items = list(report.items)
        assert want([str(d.code) for d in items]), [d.code for d in items]
        return items
    return await pushed(client, uri, want)


async def pushed(client: LanguageClient, uri: str, want: Codes) -> list[lsp.Diagnostic]:
    recorder: DiagnosticsRecorder = client.recorder  # type: ignore[attr-defined]

    def ok() -> bool:
        return uri in recorder.last and want([str(d.code) for d in recorder.last[uri]])

    async def wait() -> list[lsp.Diagnostic]:
        async with recorder.cond:
            await recorder.cond.wait_for(ok)
            return recorder.last[uri]

    try:
        return await asyncio.wait_for(wait(), 20)
    except TimeoutError:
        raise AssertionError(
            f"never published as wanted: {[d.code for d in recorder.last.get(uri, [])]}"
        ) from None


def codes_are(*expected: str) -> Codes:
    return lambda got: sorted(got) == sorted(expected)


@pytest.mark.asyncio
async def test_the_configuration_on_disk_applies_like_check(client: LanguageClient) -> None:
    root = _root(client)
    (root / "agentls.toml").write_text(
        'ignore = ["AL028"]\nseverity = { AL013 = "error" }\n'
        '[per-file-ignores]\n".claude/agents/legacy/*.md" = ["AL013"]\n'
    )
    uri = open_text(client, root / ".claude/agents/painter-x.md", RENAMED)
    diags = await settled(client, uri, codes_are("AL013"))
    assert diags[0].severity == lsp.DiagnosticSeverity.Error
    legacy = open_text(
        client, root / ".claude/agents/legacy/old.md", RENAMED.replace("other", "ot")
    )
    await settled(client, legacy, codes_are())
    # agentls check says the same of the same files
    out = subprocess.run(
        [sys.executable, "-m", "agentls", "check", "--format", "json", "--fail-on", "never", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    files = {
        os.path.normpath(f["path"]): [(d["code"], d["severity"]) for d in f["diagnostics"]]
        for f in json.loads(out)["files"]
    }
    assert files[os.path.join(".claude", "agents", "painter-x.md")] == [("AL013", "error")]
    assert files[os.path.join(".claude", "agents", "legacy", "old.md")] == []


@pytest.mark.asyncio
async def test_suppression_comments_and_exclude(client: LanguageClient) -> None:
    root = _root(client)
    (root / "agentls.toml").write_text('exclude = ["drafts"]\n')
    text = AGENT.replace(
        "color: gold", "# agentls: ignore[AL028]\ncolor: gold\n# agentls: ignore[AL016]"
    )
    uri = open_text(client, root / ".claude/agents/painter.md", text)
    diags = await settled(client, uri, codes_are("AL994"))  # AL016: nothing to silence
    assert diags[0].severity == lsp.DiagnosticSeverity.Information
    draft = open_text(client, root / "drafts/.claude/agents/x.md", "no frontmatter\n")
    await settled(client, draft, codes_are())


@pytest.mark.asyncio
async def test_editing_the_open_configuration_republishes(client: LanguageClient) -> None:
    root = _root(client)
    uri = open_text(client, root / ".claude/agents/painter.md", AGENT)
    await settled(client, uri, codes_are("AL028"))
    config = open_text(client, root / "agentls.toml", "", "toml")
    await settled(client, config, codes_are())
    # typed, not saved: the buffer is the configuration
    replace_text(client, config, 2, 'ignore = ["color"]\n')
    diags = await settled(client, config, codes_are("AL993"))  # `color` is no rule name
    assert diags[0].range.start == lsp.Position(0, 10)
    await settled(client, uri, codes_are("AL028"))
    replace_text(client, config, 3, 'ignore = ["invalid-color"]\n')
    await settled(client, config, codes_are())
    await settled(client, uri, codes_are())
    # closed unsaved: the disk (empty) counts again
    client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(config))
    )
    await settled(client, uri, codes_are("AL028"))


@pytest.mark.asyncio
async def test_a_configuration_changed_on_disk_republishes(client: LanguageClient) -> None:
    root = _root(client)
    uri = open_text(client, root / ".claude/agents/painter.md", AGENT)
    await settled(client, uri, codes_are("AL028"))
    pyproject = root / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n\n[tool.agentls]\nignore = ["AL028"]\n')
    _on_disk(client, pyproject, lsp.FileChangeType.Created)
    await settled(client, uri, codes_are())
    pyproject.unlink()
    _on_disk(client, pyproject, lsp.FileChangeType.Deleted)
    await settled(client, uri, codes_are("AL028"))


@pytest.mark.asyncio
async def test_every_open_document_is_published_again(client: LanguageClient) -> None:
    """A configuration changed on disk (watched files) and an editor setting changed
    (didChangeConfiguration) publish every open document they concern again, none of them
    edited. Neovim 0.11 pulls a buffer's diagnostics only when that buffer changes and cannot
    be asked to pull again: it is not offered pull diagnostics and is pushed them."""
    root = _root(client)
    caps: lsp.ServerCapabilities = client.server_capabilities  # type: ignore[attr-defined]
    if client.editor == "neovim":  # type: ignore[attr-defined]
        assert caps.diagnostic_provider is None
    one = open_text(client, root / ".claude/agents/painter.md", AGENT)
    two = open_text(client, root / ".claude/agents/brush.md", AGENT.replace("painter", "brush"))
    note = open_text(client, root / "notes/sketch.md", "---\nname: sketch\n---\nBody\n")
    # not open: found by the index only when the setting makes notes/*.md agents
    (root / "notes" / "ink.md").write_text("---\nname: sketch\ndescription: Use it.\n---\nx\n")
    for uri in (one, two):
        await pushed(client, uri, codes_are("AL028"))
    await pushed(client, note, codes_are())  # not an agent here
    (root / "agentls.toml").write_text('ignore = ["AL028"]\n')
    _on_disk(client, root / "agentls.toml", lsp.FileChangeType.Created)
    for uri in (one, two):
        await pushed(client, uri, codes_are())
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(
            settings={"agentls": {"dialects": {"notes/*.md": "claude-agent"}}}
        )
    )
    # an agent without a description, named like notes/ink.md: the index was built again
    await pushed(client, note, codes_are("AL015", "AL301"))


@pytest.mark.asyncio
async def test_saving_the_configuration_republishes(client: LanguageClient) -> None:
    root = _root(client)
    uri = open_text(client, root / ".claude/agents/painter.md", AGENT)
    await settled(client, uri, codes_are("AL028"))
    config = open_text(client, root / ".agentls.toml", 'ignore = ["AL028"]\n', "toml")
    await settled(client, uri, codes_are())
    replace_text(
        client, config, 2, 'select = ["AL0"]\nignore = ["AL02"]\nextend-select = ["AL028"]\n'
    )
    (root / ".agentls.toml").write_text(
        'select = ["AL0"]\nignore = ["AL02"]\nextend-select = ["AL028"]\n'
    )
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(config)))
    await settled(client, uri, codes_are("AL028"))


@pytest.mark.asyncio
async def test_problems_of_a_closed_configuration_are_published_on_it(
    client: LanguageClient,
) -> None:
    root = _root(client)
    config = root / "agentls.toml"
    config.write_text('ignore = ["AL028"]\nbogus = 1\n')
    uri = open_text(client, root / ".claude/agents/painter.md", AGENT)
    await settled(client, uri, codes_are())
    # pushed to a file that is not open, as check reports it outside the paths given
    diags = await pushed(client, config.as_uri(), codes_are("AL991"))
    assert diags[0].range.start.line == 1
    config.write_text('ignore = ["AL028"]\n')
    _on_disk(client, config, lsp.FileChangeType.Changed)
    await pushed(client, config.as_uri(), codes_are())


def _actions(result: object) -> list[lsp.CodeAction]:
    assert isinstance(result, list | tuple)
    return [a for a in result if isinstance(a, lsp.CodeAction)]


async def _apply(client: LanguageClient, uri: str, version: int, action: lsp.CodeAction) -> None:
    assert action.edit and action.edit.document_changes
    change = action.edit.document_changes[0]
    assert isinstance(change, lsp.TextDocumentEdit)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [
                lsp.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
                for e in change.edits
            ],
        )
    )


@pytest.mark.asyncio
async def test_ignore_quick_fixes(client: LanguageClient) -> None:
    root = _root(client)
    uri = open_text(client, root / ".claude/agents/painter.md", AGENT)
    diags = await settled(client, uri, codes_are("AL028"))
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri),
            range=diags[0].range,
            context=lsp.CodeActionContext(diagnostics=diags),
        )
    )
    by_title = {a.title: a for a in _actions(result)}
    assert {"Ignore AL028 on this line", "Ignore AL028 in this file"} <= set(by_title)
    action = by_title["Ignore AL028 on this line"]
    assert action.kind == lsp.CodeActionKind.QuickFix and not action.is_preferred
    assert action.edit and action.edit.document_changes
    change = action.edit.document_changes[0]
    assert isinstance(change, lsp.TextDocumentEdit)
    assert [(e.range.start, e.new_text) for e in change.edits] == [
        (lsp.Position(3, 0), "# agentls: ignore[AL028]\n")
    ]
    await _apply(client, uri, 2, action)
    await settled(client, uri, codes_are())


@pytest.mark.asyncio
async def test_findings_across_files_are_settled_and_can_be_ignored(
    client: LanguageClient,
) -> None:
    root = _root(client)
    (root / ".claude/agents/painter.md").write_text(AGENT.replace("color: gold", "color: blue"))
    (root / ".claude/agents/sub").mkdir()
    await client.protocol.send_request_async("agentls/agents", {})  # the index is built
    two = open_text(
        client,
        root / ".claude/agents/sub/painter.md",
        AGENT.replace("color: gold", "color: blue"),
    )
    diags = await settled(client, two, codes_are("AL301"))  # two agents named `painter`
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(two),
            range=diags[0].range,
            context=lsp.CodeActionContext(diagnostics=diags),
        )
    )
    by_title = {a.title: a for a in _actions(result)}
    assert "Ignore AL301 in this file" in by_title, sorted(by_title)
    await _apply(client, two, 2, by_title["Ignore AL301 in this file"])
    await settled(client, two, codes_are())
    one = open_text(
        client, root / ".claude/agents/painter.md", AGENT.replace("color: gold", "color: blue")
    )
    await settled(client, one, codes_are("AL301"))
    # the configuration settles them too
    (root / "agentls.toml").write_text(
        '[per-file-ignores]\n".claude/agents/painter.md" = ["AL301"]\n'
    )
    _on_disk(client, (root / "agentls.toml"), lsp.FileChangeType.Created)
    await settled(client, one, codes_are())


@pytest.mark.asyncio
async def test_a_client_that_does_not_watch_files_gets_it_on_the_nextopen_text(
    client: LanguageClient,
) -> None:
    root = _root(client)
    uri = open_text(client, root / ".claude/agents/painter.md", AGENT)
    await settled(client, uri, codes_are("AL028"))
    (root / "agentls.toml").write_text('ignore = ["AL028"]\n')  # no event: not watched
    if client.editor != "neovim":  # type: ignore[attr-defined]
        return  # VS Code watches files: it would send the event (tested above)
    second = open_text(client, root / ".claude/agents/other/painter.md", AGENT)
    await settled(client, second, lambda got: "AL028" not in got)


@pytest.mark.asyncio
async def test_completion_and_hover_in_the_configuration(client: LanguageClient) -> None:
    root = _root(client)
    text = 'ignore = ["AL0"]\nseverity = { AL013 = "" }\n'
    config = open_text(client, root / "agentls.toml", text, "toml")
    result = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(config), lsp.Position(0, 14))
    )
    assert isinstance(result, lsp.CompletionList)
    by_label = {i.label: i for i in result.items}
    assert {"AL013", "invalid-color", "ALL"} <= set(by_label)
    result = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(config), lsp.Position(1, 22))
    )
    assert isinstance(result, lsp.CompletionList)
    assert [i.label for i in result.items] == ["error", "warning", "information", "hint"]
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(config), lsp.Position(1, 3))
    )
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert hover.contents.value.startswith("**severity**")
    assert hover.range == lsp.Range(lsp.Position(1, 0), lsp.Position(1, 8))


@pytest.mark.asyncio
async def test_a_pyproject_without_agentls_changes_nothing(client: LanguageClient) -> None:
    root = _root(client)
    uri = open_text(client, root / ".claude/agents/painter.md", AGENT)
    await settled(client, uri, codes_are("AL028"))
    if supports_pull(client):
        return  # what is counted below are publications
    recorder: DiagnosticsRecorder = client.recorder  # type: ignore[attr-defined]
    published = recorder.count[uri]
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    _on_disk(client, root / "pyproject.toml", lsp.FileChangeType.Created)
    (root / "agentls.toml").write_text('ignore = ["AL028"]\n')
    _on_disk(client, root / "agentls.toml", lsp.FileChangeType.Created)
    await pushed(client, uri, codes_are())
    # the events are handled in order: only the second one published the agent again
    assert recorder.count[uri] == published + 1


@pytest.mark.asyncio
async def test_dialects_and_comment_regions_in_the_editor(client: LanguageClient) -> None:
    root = _root(client)
    (root / "agentls.toml").write_text('[dialects]\n"prompts/*.md" = "claude-agent"\n')
    body = "x " * 20
    text = (
        "---\nname: helper\ndescription: Use when helping.\ncolor: gold\n---\n"
        "<!-- agentls-disable-file AL028 -->\n" + body + "\n"
    )
    uri = open_text(client, root / "prompts/helper.md", text)
    await settled(client, uri, codes_are())  # an agent here, its AL028 silenced
    replace_text(client, uri, 2, text.replace("<!-- agentls-disable-file AL028 -->\n", ""))
    await settled(client, uri, codes_are("AL028"))
    # a configuration that cannot be read is reported on it, and none of it applies
    config = open_text(client, root / "agentls.toml", 'ignore = ["AL028"\n', "toml")
    diags = await settled(client, config, codes_are("AL990"))
    assert diags[0].severity == lsp.DiagnosticSeverity.Error
    replace_text(client, config, 2, 'ignore = ["AL028"]\nseverity = { AL013 = "loud" }\n')
    diags = await settled(client, config, codes_are("AL992"))
    assert diags[0].range.start.line == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("editor", ["visual_studio_code", "neovim"])
async def test_files_the_configuration_maps_are_in_the_index(tmp_path: Path, editor: str) -> None:
    """A file that only the configuration's ``dialects`` makes an agent (not its path) is
    found by the index build: agentls/agents lists it and the rules across files see it."""
    root = tmp_path / "ws"
    (root / ".git").mkdir(parents=True)
    (root / "agentls.toml").write_text('dialects = { "prompts/*.txt" = "claude-agent" }\n')
    (root / "prompts").mkdir()
    (root / "prompts" / "painter.txt").write_text(AGENT)
    (root / ".claude" / "agents").mkdir(parents=True)
    (root / ".claude" / "agents" / "painter.md").write_text(AGENT)
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    env.pop("CLAUDE_CONFIG_DIR", None)
    client = await ClientServerConfig(server_command=SERVER, server_env=env).start()
    assert isinstance(client, LanguageClient)
    try:
        await open_session(client, editor, root)
        result = await client.protocol.send_request_async("agentls/agents", {})
        paths = {
            Path(a["path"] if isinstance(a, dict) else a.path).relative_to(root).as_posix()
            for a in (result["agents"] if isinstance(result, dict) else result.agents)
            if (a["scope"] if isinstance(a, dict) else a.scope) == "project"
        }
        assert paths == {"prompts/painter.txt", ".claude/agents/painter.md"}
        uri = open_text(client, root / ".claude/agents/painter.md", AGENT)
        await settled(client, uri, codes_are("AL028", "AL301"))  # two agents named painter
    finally:
        await client.shutdown_session()
        await client.stop()
