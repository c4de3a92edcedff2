"""The files around agents in the editor (issue 18): Claude Code's JSON files (settings,
.mcp.json, plugins), memory files and misnamed skill manifests, over stdio with the VS Code
(UTF-16, push) and Neovim 0.11 (UTF-8, pull) capability sets: diagnostics at their
position, verified quick fixes (a file rename too), completion and hover from the schema,
outline, links on @imports, and findings across files published again when either file
changes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from lsp_helpers import SERVER, diagnostics, open_session, open_text, replace_text, session_fixture
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

AGENT = (
    "---\nname: reviewer\ndescription: Reviews code.\n"
    "tools: Read, mcp__github__get_issue\n---\nBody\n"
)
SERVERS = '{"mcpServers": {"github": {"command": "gh"}, "jira": {"command": "jira"}}}\n'


client = session_fixture(lambda root: (root / ".mcp.json").write_text(SERVERS, "utf-8"))


def _open(client: LanguageClient, rel: str, text: str, language: str = "json") -> str:
    return open_text(client, client.root / rel, text, language)  # type: ignore[attr-defined]


async def _until(client: LanguageClient, uri: str, version: int, pred, tries: int = 50):  # type: ignore[no-untyped-def]
    """The diagnostics of ``uri`` once ``pred`` holds (findings across files are published
    again when the other file changes: pulled again, or pushed again)."""
    for _ in range(tries):
        if client.capabilities.text_document.diagnostic is not None:  # type: ignore[union-attr]
            diags = await diagnostics(client, uri, version)
        else:
            recorder = client.recorder  # type: ignore[attr-defined]
            await recorder.wait(uri, version)
            diags = recorder.last.get(uri, [])
        if pred(diags):
            return diags
        await asyncio.sleep(0.1)  # a pull client is told to pull again; poll its answer
    raise AssertionError(f"never: {[d.code for d in diags]}")


@pytest.mark.asyncio
async def test_json_syntax_error_at_its_character_and_its_fix(client: LanguageClient) -> None:
    text = '{\n  "model": "sonnet",\n}\n'
    uri = _open(client, ".claude/settings.json", text)
    diags = await diagnostics(client, uri, 1)
    [d] = [d for d in diags if d.code == "AL900"]
    assert (d.range.start.line, d.range.start.character) == (1, 19)
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri), d.range, lsp.CodeActionContext(diagnostics=[d])
        )
    )
    assert actions
    titles = [a.title for a in actions if isinstance(a, lsp.CodeAction)]
    assert "Remove the trailing comma" in titles


@pytest.mark.asyncio
async def test_a_json_file_too_large_to_analyse_says_so(client: LanguageClient) -> None:
    from agentls.engine import MAX_ANALYSED_CHARS

    head, tail = '{"env": {"X": "', '"}}'
    text = head + "a" * (MAX_ANALYSED_CHARS + 1 - len(head) - len(tail)) + tail
    uri = _open(client, ".claude/settings.json", text)
    [d] = await diagnostics(client, uri, 1)
    assert d.code == "AL907" and d.severity == lsp.DiagnosticSeverity.Warning
    assert (d.range.start.line, d.range.start.character, d.range.end.character) == (0, 0, 1)
    replace_text(client, uri, 2, '{"modle": "sonnet"}')  # back under the cap: checked again
    assert [d.code for d in await diagnostics(client, uri, 2)] == ["AL903"]


@pytest.mark.asyncio
async def test_completion_hover_and_outline_from_the_schema(client: LanguageClient) -> None:
    text = '{\n  "permissions": {\n    "defaultMode": ""\n  }\n}\n'
    uri = _open(client, ".claude/settings.json", text)
    await diagnostics(client, uri, 1)
    got = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(2, 20))
    )
    items = got.items if isinstance(got, lsp.CompletionList) else got or []
    labels = {i.label for i in items}
    assert {"acceptEdits", "plan", "bypassPermissions"} <= labels
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 5))
    )
    assert hover is not None and "allow" in str(hover.contents)
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
    )
    assert symbols and symbols[0].name == "permissions"


@pytest.mark.asyncio
async def test_memory_import_links_and_definition(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    (root / "docs").mkdir()
    (root / "docs" / "guide.md").write_text("The guide.\n", "utf-8")
    text = "Read @docs/guide.md and @docs/gone.md first.\n"
    uri = _open(client, "CLAUDE.md", text, "markdown")
    diags = await diagnostics(client, uri, 1)
    assert [d.code for d in diags] == ["AL940"]
    links = await client.text_document_document_link_async(
        lsp.DocumentLinkParams(lsp.TextDocumentIdentifier(uri))
    )
    assert links and [link.target for link in links] == [(root / "docs" / "guide.md").as_uri()]
    defs = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(0, 10))
    )
    assert isinstance(defs, list) and defs[0].uri == (root / "docs" / "guide.md").as_uri()
    # the missing file appears: the import is read again
    (root / "docs" / "gone.md").write_text("Back.\n", "utf-8")
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent((root / "docs" / "gone.md").as_uri(), lsp.FileChangeType.Created)]
        )
    )
    await _until(client, uri, 1, lambda ds: not ds)


@pytest.mark.asyncio
async def test_misnamed_skill_is_renamed_by_its_quick_fix(client: LanguageClient) -> None:
    text = "---\nname: lint\ndescription: Use when linting.\n---\nBody\n"
    uri = _open(client, ".claude/skills/lint/skill.md", text, "markdown")
    diags = await diagnostics(client, uri, 1)
    [d] = [d for d in diags if d.code == "AL506"]
    # the rename, then the configuration's "Ignore AL506 ..." actions
    title, change = await _file_action(client, uri, d, "Rename")
    assert title == "Rename `skill.md` to `SKILL.md`"
    assert change.new_uri.endswith("/.claude/skills/lint/SKILL.md")
    assert change.options is not None and change.options.overwrite is False


async def _file_action(
    client: LanguageClient, uri: str, d: lsp.Diagnostic, prefix: str
) -> tuple[str, lsp.RenameFile]:
    """The one code action for ``d`` whose title starts with ``prefix``: its title and the
    file rename that is its whole edit."""
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri), d.range, lsp.CodeActionContext(diagnostics=[d])
        )
    )
    [action] = [
        a for a in actions or [] if isinstance(a, lsp.CodeAction) and a.title.startswith(prefix)
    ]
    assert action.edit is not None
    [change] = action.edit.document_changes or []
    assert isinstance(change, lsp.RenameFile)
    return action.title, change


@pytest.mark.asyncio
async def test_a_loose_skill_file_is_moved_into_its_folder_by_its_quick_fix(
    client: LanguageClient,
) -> None:
    text = "---\nname: tidy\ndescription: Use when tidying.\n---\nBody\n"
    uri = _open(client, ".claude/skills/tidy.md", text, "markdown")
    [d] = [d for d in await diagnostics(client, uri, 1) if d.code == "AL507"]
    assert d.severity == lsp.DiagnosticSeverity.Warning
    title, change = await _file_action(client, uri, d, "Move")
    assert title == "Move to `tidy/SKILL.md`"
    assert change.new_uri.endswith("/.claude/skills/tidy/SKILL.md")
    assert change.options is not None and change.options.overwrite is False
    # a README beside the skills is no skill: nothing said
    readme = _open(client, ".claude/skills/README.md", text, "markdown")
    assert await diagnostics(client, readme, 1) == []


@pytest.mark.asyncio
async def test_across_files_both_ends_and_either_change(client: LanguageClient) -> None:
    agent_uri = _open(client, ".claude/agents/reviewer.md", AGENT, "markdown")
    settings = '{"disabledMcpjsonServers": ["github"]}\n'
    settings_uri = _open(client, ".claude/settings.json", settings)
    at_agent = await _until(client, agent_uri, 1, lambda ds: "AL306" in [d.code for d in ds])
    [d] = [d for d in at_agent if d.code == "AL306"]
    assert d.related_information and d.related_information[0].location.uri == settings_uri
    at_settings = await _until(client, settings_uri, 1, lambda ds: "AL306" in [d.code for d in ds])
    assert [d.severity for d in at_settings if d.code == "AL306"] == [
        lsp.DiagnosticSeverity.Information
    ]
    replace_text(client, settings_uri, 2, '{"disabledMcpjsonServers": ["jira"]}\n')
    await _until(client, agent_uri, 1, lambda ds: "AL306" not in [d.code for d in ds])
    replace_text(client, settings_uri, 3, settings)
    await _until(client, agent_uri, 1, lambda ds: "AL306" in [d.code for d in ds])
    replace_text(client, agent_uri, 2, AGENT.replace("mcp__github__get_issue", "Grep"))
    await _until(client, settings_uri, 3, lambda ds: "AL306" not in [d.code for d in ds])


@pytest.mark.asyncio
async def test_settings_naming_agents_appear_and_clear_as_either_file_changes(
    client: LanguageClient,
) -> None:
    def al304(ds: list[lsp.Diagnostic]) -> list[tuple[int, int]]:
        return [(d.range.start.line, d.range.start.character) for d in ds if d.code == "AL304"]

    settings = '{"agent": "helper", "permissions": {"allow": ["Agent(helper)"]}}\n'
    settings_uri = _open(client, ".claude/settings.json", settings)
    await _until(client, settings_uri, 1, lambda ds: al304(ds) == [(0, 11), (0, 53)])
    helper = "---\nname: helper\ndescription: Helps.\n---\nBody\n"
    agent_uri = _open(client, ".claude/agents/helper.md", helper, "markdown")
    await _until(client, settings_uri, 1, lambda ds: not al304(ds))  # the agent appeared
    replace_text(client, agent_uri, 2, helper.replace("name: helper", "name: helpr"))
    await _until(client, settings_uri, 1, lambda ds: len(al304(ds)) == 2)  # renamed away
    replace_text(client, settings_uri, 2, settings.replace("helper", "helpr"))
    await _until(client, settings_uri, 2, lambda ds: not al304(ds))  # the settings follow


@pytest.mark.asyncio
async def test_the_replaced_plugin_agent_and_the_skill_not_preloaded_are_told(
    client: LanguageClient,
) -> None:
    """AL302 and AL303 on their other end: the plugin agent a project agent replaces, the
    skill an agent lists but cannot preload; each appears and clears as the agent changes,
    unsaved."""

    def codes(code: str) -> Callable[[list[lsp.Diagnostic]], list[tuple[int, int]]]:
        return lambda ds: [
            (d.range.start.line, d.range.start.character) for d in ds if d.code == code
        ]

    root: Path = client.root  # type: ignore[attr-defined]
    (root / "kit" / ".claude-plugin").mkdir(parents=True)
    (root / "kit" / ".claude-plugin" / "plugin.json").write_text('{"name": "kit"}\n')
    helper = "---\nname: helper\ndescription: Helps.\n---\nBody\n"
    plugin_uri = _open(client, "kit/agents/helper.md", helper, "markdown")
    skill = "---\nname: tidy\ndescription: Tidies.\ndisable-model-invocation: true\n---\nB\n"
    skill_uri = _open(client, ".claude/skills/tidy/SKILL.md", skill, "markdown")
    await _until(client, skill_uri, 1, lambda ds: not codes("AL303")(ds))
    agent = helper.replace("Helps.", "Helps.\nskills: [tidy]")
    agent_uri = _open(client, ".claude/agents/helper.md", agent, "markdown")
    await _until(client, plugin_uri, 1, lambda ds: codes("AL302")(ds) == [(1, 6)])
    diags = await _until(client, skill_uri, 1, lambda ds: codes("AL303")(ds) == [(3, 0)])
    [d] = [d for d in diags if d.code == "AL303"]
    assert d.severity == lsp.DiagnosticSeverity.Information
    assert [r.location.uri for r in d.related_information or []] == [agent_uri]
    # the project agent renamed and its skills left out, unsaved: both ends clear
    replace_text(client, agent_uri, 2, helper.replace("name: helper", "name: aide"))
    await _until(client, plugin_uri, 1, lambda ds: not codes("AL302")(ds))
    await _until(client, skill_uri, 1, lambda ds: not codes("AL303")(ds))


@pytest.mark.asyncio
async def test_a_plugin_file_the_manifest_leaves_out_both_ends(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    manifest = '{"name": "lint", "agents": ["./agents/one.md"]}'
    helper = "---\nname: two\ndescription: Helps.\n---\nBody\n"
    (root / "plugins" / "lint" / "agents").mkdir(parents=True)
    (root / "plugins" / "lint" / "agents" / "one.md").write_text(helper.replace("two", "one"))
    manifest_uri = _open(client, "plugins/lint/.claude-plugin/plugin.json", manifest)
    two_uri = _open(client, "plugins/lint/agents/two.md", helper, "markdown")
    # findings across files: once the index is built (published again then)
    at_agent = await _until(client, two_uri, 1, lambda ds: bool(_al936(ds)))
    [at_agent] = [d for d in at_agent if d.code == "AL936"]
    assert at_agent.related_information is not None
    [rel] = at_agent.related_information
    assert rel.location.uri == manifest_uri
    assert (rel.location.range.start.character, rel.location.range.end.character) == (27, 46)
    at_manifest = await _until(client, manifest_uri, 1, lambda ds: bool(_al936(ds)))
    [at_manifest] = [d for d in at_manifest if d.code == "AL936"]
    assert at_manifest.related_information is not None
    assert [r.location.uri for r in at_manifest.related_information] == [two_uri]
    # the list takes the file in, unsaved: the manifest clears at once; saved, nothing changes
    listed = manifest.replace('"]', '", "./agents/two.md"]')
    replace_text(client, manifest_uri, 2, listed)
    assert "AL936" not in [d.code for d in await diagnostics(client, manifest_uri, 2)]
    path = root / "plugins" / "lint" / ".claude-plugin" / "plugin.json"
    path.write_text(listed, "utf-8")
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams([lsp.FileEvent(path.as_uri(), lsp.FileChangeType.Changed)])
    )
    await _until(client, two_uri, 1, lambda ds: "AL936" not in [d.code for d in ds])


@pytest.mark.asyncio
async def test_a_claude_of_another_version_is_named_once(tmp_path: Path) -> None:
    """Point 8: a ``claude`` on the PATH that is not the release of the facts is said once
    per session (window/showMessage), with the way to pin a version."""
    from agentls.dialects.facts import claude_facts

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "claude"
    exe.write_text('#!/bin/sh\necho "9.9.9 (Claude Code)"\n', "utf-8")
    exe.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    c = await ClientServerConfig(server_command=SERVER, server_env=env).start()
    assert isinstance(c, LanguageClient)
    try:
        root = tmp_path / "ws"
        root.mkdir()
        shown = c.wait_for_notification(lsp.WINDOW_SHOW_MESSAGE)
        await open_session(c, "visual_studio_code", root)
        await shown
        uri = (root / ".mcp.json").as_uri()
        c.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "json", 1, SERVERS))
        )
        await diagnostics(c, uri, 1)  # the session goes on: nothing more is said
        said = [m.message for m in c.messages if "Claude Code 9.9.9" in m.message]
        assert len(said) == 1
        assert f"Claude Code {claude_facts().version}" in said[0]
        assert "DISABLE_AUTOUPDATER" in said[0]
        await c.shutdown_session()
    finally:
        await c.stop()


def _al936(ds: list[lsp.Diagnostic]) -> list[str]:
    return [d.message for d in ds if d.code == "AL936"]


@pytest.mark.asyncio
async def test_a_plugin_file_that_appears_reaches_the_open_manifest(client: LanguageClient) -> None:
    """Issue 18 point 6: a file new in the plugin's `agents/` (on disk, or opened) re-publishes
    the open manifest that leaves it out; the manifest is not edited."""
    root: Path = client.root  # type: ignore[attr-defined]
    agents = root / "plugins" / "lint" / "agents"
    agents.mkdir(parents=True)
    helper = "---\nname: one\ndescription: Helps.\n---\nBody\n"
    (agents / "one.md").write_text(helper, "utf-8")
    manifest = '{"name": "lint", "agents": ["./agents/one.md"]}'
    manifest_uri = _open(client, "plugins/lint/.claude-plugin/plugin.json", manifest)
    assert not _al936(await diagnostics(client, manifest_uri, 1))
    (agents / "two.md").write_text(helper.replace("one", "two"), "utf-8")
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent((agents / "two.md").as_uri(), lsp.FileChangeType.Created)]
        )
    )
    await _until(client, manifest_uri, 1, lambda ds: any("two.md" in m for m in _al936(ds)))
    (agents / "two.md").unlink()
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent((agents / "two.md").as_uri(), lsp.FileChangeType.Deleted)]
        )
    )
    await _until(client, manifest_uri, 1, lambda ds: not _al936(ds))
    # a file the editor creates (opened, no watched-file event): both ends at once
    three_uri = _open(
        client, "plugins/lint/agents/three.md", helper.replace("one", "three"), "markdown"
    )
    await _until(client, three_uri, 1, lambda ds: bool(_al936(ds)))
    await _until(client, manifest_uri, 1, lambda ds: any("three.md" in m for m in _al936(ds)))


@pytest.mark.asyncio
async def test_an_unsaved_manifest_edit_reaches_the_file_it_leaves_out(
    client: LanguageClient,
) -> None:
    """Issue 18 point 6: the open manifest's text, not the disk's, decides the agent's end:
    it appears and clears as the list is edited, nothing saved."""
    root: Path = client.root  # type: ignore[attr-defined]
    agents = root / "plugins" / "lint" / "agents"
    agents.mkdir(parents=True)
    helper = "---\nname: two\ndescription: Helps.\n---\nBody\n"
    (agents / "one.md").write_text(helper.replace("two", "one"), "utf-8")
    (agents / "two.md").write_text(helper, "utf-8")
    listed = '{"name": "lint", "agents": ["./agents/one.md", "./agents/two.md"]}'
    (root / "plugins" / "lint" / ".claude-plugin").mkdir()
    (root / "plugins" / "lint" / ".claude-plugin" / "plugin.json").write_text(listed, "utf-8")
    manifest_uri = _open(client, "plugins/lint/.claude-plugin/plugin.json", listed)
    two_uri = _open(client, "plugins/lint/agents/two.md", helper, "markdown")
    assert not _al936(await diagnostics(client, two_uri, 1))
    replace_text(client, manifest_uri, 2, listed.replace(', "./agents/two.md"', ""))
    at_agent = await _until(client, two_uri, 1, lambda ds: bool(_al936(ds)))
    [d] = [d for d in at_agent if d.code == "AL936"]
    assert d.related_information and d.related_information[0].location.uri == manifest_uri
    assert _al936(await diagnostics(client, manifest_uri, 2))
    replace_text(client, manifest_uri, 3, listed)
    await _until(client, two_uri, 1, lambda ds: not _al936(ds))


@pytest.mark.asyncio
async def test_deleting_the_manifest_clears_the_files_end(client: LanguageClient) -> None:
    """Issue 18 point 6: the files' end of AL936 goes with the manifest (deleted on disk: a
    watched-file event, the index drops it and publishes its files again). While it is
    there, hover on the agent says Claude Code does not load it (the index decides)."""
    root: Path = client.root  # type: ignore[attr-defined]
    agents = root / "plugins" / "lint" / "agents"
    agents.mkdir(parents=True)
    helper = "---\nname: two\ndescription: Helps.\n---\nBody\n"
    (agents / "one.md").write_text(helper.replace("two", "one"), "utf-8")
    manifest = root / "plugins" / "lint" / ".claude-plugin" / "plugin.json"
    manifest.parent.mkdir()
    manifest.write_text('{"name": "lint", "agents": ["./agents/one.md"]}', "utf-8")
    two_uri = _open(client, "plugins/lint/agents/two.md", helper, "markdown")
    await _until(client, two_uri, 1, lambda ds: bool(_al936(ds)))
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(two_uri), lsp.Position(0, 1))
    )
    assert hover is not None
    text = hover.contents.value if isinstance(hover.contents, lsp.MarkupContent) else hover.contents
    assert "does not load this agent" in str(text) and "does not list it" in str(text)
    manifest.unlink()
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent(manifest.as_uri(), lsp.FileChangeType.Deleted)]
        )
    )
    await _until(client, two_uri, 1, lambda ds: not _al936(ds))


@pytest.mark.asyncio
async def test_a_plugin_outside_the_workspace_meets_its_manifest(client: LanguageClient) -> None:
    """A file of a plugin outside the workspace folders, opened alone: the index reads its
    plugin from disk (the build read the workspace only), so AL936 is on both ends there
    too, as the file's own analysis gave it when it read the disk itself."""
    root: Path = client.root  # type: ignore[attr-defined]
    plugin = root.parent / "elsewhere" / "lint"
    (plugin / "agents").mkdir(parents=True)
    (plugin / ".claude-plugin").mkdir()
    helper = "---\nname: two\ndescription: Helps.\n---\nBody\n"
    (plugin / "agents" / "one.md").write_text(helper.replace("two", "one"), "utf-8")
    (plugin / "agents" / "two.md").write_text(helper, "utf-8")
    manifest = plugin / ".claude-plugin" / "plugin.json"
    manifest.write_text('{"name": "lint", "agents": ["./agents/one.md"]}', "utf-8")
    two_uri = open_text(client, plugin / "agents" / "two.md")
    at_agent = await _until(client, two_uri, 1, lambda ds: bool(_al936(ds)))
    [d] = [d for d in at_agent if d.code == "AL936"]
    assert d.related_information and d.related_information[0].location.uri == manifest.as_uri()
    manifest_uri = open_text(client, manifest, language="json")
    await _until(client, manifest_uri, 1, lambda ds: any("two.md" in m for m in _al936(ds)))
