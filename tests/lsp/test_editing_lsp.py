"""Completion, hover, quick fixes, fix-all, outline and folding over stdio, with the VS Code
(UTF-16, push) and Neovim 0.11 (UTF-8, pull) capability sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import diagnostics, open_text, session_fixture
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds"


client = session_fixture(
    lambda root: (root / ".mcp.json").write_text(
        '{"mcpServers": {"github": {"command": "gh"}}}', "utf-8"
    )
)


def _utf8(client: LanguageClient) -> bool:
    return getattr(client, "editor", "") == "neovim"


def _units(client: LanguageClient, text: str) -> int:
    if _utf8(client):
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


def _cp(client: LanguageClient, line: str, units: int) -> int:
    """Client units → code points on ``line``."""
    n = 0
    for i, ch in enumerate(line):
        if n >= units:
            return i
        n += len(ch.encode("utf-8")) if _utf8(client) else len(ch.encode("utf-16-le")) // 2
    return len(line)


def _apply(client: LanguageClient, text: str, edits: list[lsp.TextEdit]) -> str:
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def off(p: lsp.Position) -> int:
        if p.line >= len(lines):
            return len(text)
        return starts[p.line] + _cp(client, lines[p.line], p.character)

    # all edits refer to the original text; at one position they apply in array order
    order = sorted(
        range(len(edits)),
        key=lambda i: (edits[i].range.start.line, edits[i].range.start.character, i),
    )
    for e in (edits[i] for i in reversed(order)):
        text = text[: off(e.range.start)] + e.new_text + text[off(e.range.end) :]
    return text


def _open(client: LanguageClient, name: str, text: str) -> str:
    return open_text(client, client.root / ".claude" / "agents" / name, text)  # type: ignore[attr-defined]


def _pos(client: LanguageClient, text: str, marker: str = "|") -> tuple[str, lsp.Position]:
    before, after = text.split(marker, 1)
    line = before.count("\n")
    col_text = before[before.rfind("\n") + 1 :]
    return before + after, lsp.Position(line, _units(client, col_text))


async def _complete(
    client: LanguageClient, name: str, marked: str
) -> tuple[str, list[lsp.CompletionItem]]:
    text, pos = _pos(client, marked)
    uri = _open(client, name, text)
    result = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), pos)
    )
    assert isinstance(result, lsp.CompletionList)
    return text, [_with_defaults(result, i) for i in result.items]


def _with_defaults(result: lsp.CompletionList, item: lsp.CompletionItem) -> lsp.CompletionItem:
    """What a client does with the list's itemDefaults (LSP 3.17)."""
    d = result.item_defaults
    if d is None:
        return item
    if item.text_edit is None and isinstance(d.edit_range, lsp.Range):
        item.text_edit = lsp.TextEdit(d.edit_range, item.text_edit_text or item.label)
    if item.insert_text_format is None:
        item.insert_text_format = d.insert_text_format
    if item.data is None:
        item.data = d.data
    return item


async def _resolved(client: LanguageClient, item: lsp.CompletionItem) -> lsp.CompletionItem:
    """The item with its documentation, asking for it as clients with resolveSupport do."""
    if item.documentation is not None:
        return item
    return await client.completion_item_resolve_async(item)


def _accept(client: LanguageClient, text: str, item: lsp.CompletionItem) -> str:
    assert isinstance(item.text_edit, lsp.TextEdit)
    return _apply(client, text, [item.text_edit])


@pytest.mark.asyncio
async def test_tool_completion_after_non_ascii_text_exact_replace(client: LanguageClient) -> None:
    marked = (
        "---\nname: rév😀\ndescription: Relecture 😀 naïve, use when reviewing\n"
        "tools: Réad😀, Gr|\n---\nBody\n"
    )
    text, items = await _complete(client, "a.md", marked)
    grep = next(i for i in items if i.label == "Grep")
    assert _accept(client, text, grep).split("\n")[3] == "tools: Réad😀, Grep"
    assert (await _resolved(client, grep)).documentation is not None


@pytest.mark.asyncio
async def test_key_completion_in_a_broken_file_with_snippets(client: LanguageClient) -> None:
    marked = "---\nname: x\ndescription: Use when: it: breaks\n  and: more\nmo|\n---\nBody\n"
    text, items = await _complete(client, "b.md", marked)
    labels = {i.label for i in items}
    assert "model" in labels and "name" not in labels and "description" not in labels
    model = next(i for i in items if i.label == "model")
    assert model.insert_text_format == lsp.InsertTextFormat.Snippet
    assert _accept(client, text, model).split("\n")[4] == "model: ${1:inherit}"
    assert isinstance((await _resolved(client, model)).documentation, lsp.MarkupContent)


@pytest.mark.asyncio
async def test_value_completion_contexts(client: LanguageClient) -> None:
    text, items = await _complete(client, "c.md", "---\nname: x\nmodel: |\n---\n")
    sonnet = await _resolved(client, next(i for i in items if i.label == "sonnet"))
    assert isinstance(sonnet.documentation, lsp.MarkupContent)
    assert "claude-" in sonnet.documentation.value
    text, items = await _complete(client, "d.md", "---\nname: x\ntools:\n  - Read\n  - |\n---\n")
    labels = {i.label for i in items}
    assert "Read" not in labels and "mcp__github__*" in labels
    text, items = await _complete(client, "e.md", '---\nname: x\ncolor: "or|"\n---\n')
    orange = next(i for i in items if i.label == "orange")
    assert _accept(client, text, orange).split("\n")[2] == 'color: "orange"'


@pytest.mark.asyncio
async def test_hover_keys_values_and_effective_configuration(client: LanguageClient) -> None:
    text = (
        "---\nname: rev\ndescription: Use when reviewing.\nmodel: sonnet\n"
        "tools: Read, bash\n---\nB\n"
    )
    uri = _open(client, "rev.md", text)

    async def at(line: int, col: int) -> str:
        h = await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, col))
        )
        assert h is not None and isinstance(h.contents, lsp.MarkupContent)
        return h.contents.value

    eff = await at(0, 1)
    assert "Claude Code 2.1.332 loads this agent as `rev`" in eff
    assert "`bash` dropped: tool names are case-sensitive" in eff
    assert "model" in await at(3, 2)
    assert "Resolves to" in await at(3, 9)
    assert "`Read`" in await at(4, 8)


async def _actions(client: LanguageClient, uri: str, diag: lsp.Diagnostic) -> list[lsp.CodeAction]:
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri),
            range=diag.range,
            context=lsp.CodeActionContext(diagnostics=[diag]),
        )
    )
    return [
        a
        for a in actions or []
        if isinstance(a, lsp.CodeAction) and a.kind == lsp.CodeActionKind.QuickFix
    ]


def _change(
    client: LanguageClient, uri: str, text: str, version: int, edit: lsp.WorkspaceEdit
) -> tuple[str, list[lsp.TextEdit]]:
    """Apply a workspace edit the way an editor does (all edits against the same text)."""
    assert edit.document_changes
    change = edit.document_changes[0]
    assert isinstance(change, lsp.TextDocumentEdit)
    assert change.text_document.version == version - 1
    edits = [e for e in change.edits if isinstance(e, lsp.TextEdit)]
    new = _apply(client, text, edits)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [lsp.TextDocumentContentChangeWholeDocument(text=new)],
        )
    )
    return new, edits


QUICK_FIXES = [
    ("---\nname: é😀x\ndescription: Ünïcode: use when\\nneeded\n---\nB\n", "AL003", "Quote"),
    (
        "---\nname: x\ndescription: Ünïcode: use when\\nneeded\n---\nB\n",
        "AL003",
        "Make `description`",
    ),
    ("---\nname: x\ndescription: Use it\nallowed-tools: Read\n---\nB\n", "AL018", "Rename"),
    (
        "---\nname: x\ndescription: Use it 😀\ntools: Réad, grep\n---\nB\n",
        "AL021",
        "Replace with `Grep`",
    ),
    (
        "---\nname: x\ndescription: Use it\ntools: Read, LS, Task\n---\nB\n",
        "AL022",
        "Replace with `Agent`",
    ),
    ("---\nname: x\ndescription: Use it\ntools: Read, Grep, Read\n---\nB\n", "AL108", "Remove"),
    ("---\nname: x\ndescription: Use it\ncolor: Blue\n---\nB\n", "AL028", "Replace with `blue`"),
    ("---\ndescription: Use it\n---\nB\n", "AL009", "Add `name"),
    ("---\nname: x\n---\nB\n", "AL015", "Add a `description`"),
    ("notes\n---\nname: x\ndescription: Use it\n---\nB\n", "AL001", "Remove everything"),
    ("---\r\nname: x\r\ndescription: Use when: x\r\n---\r\nB\r\n", "AL004", "Convert line endings"),
    (
        "---\nname: x\ndescription: Use it\nPermissionRequest:\n  - hooks:\n      - type: command\n"
        "        command: y\n---\nB\n",
        "AL031",
        "Move",
    ),
]


@pytest.mark.asyncio
async def test_each_quick_fix_removes_its_diagnostic(client: LanguageClient) -> None:
    for n, (text, code, title) in enumerate(QUICK_FIXES):
        uri = _open(client, f"fix{n}.md", text)
        diags = await diagnostics(client, uri, 1)
        action = None
        for d in (d for d in diags if d.code == code):
            actions = await _actions(client, uri, d)
            action = next((a for a in actions if a.title.startswith(title)), None)
            if action is not None:
                break
        assert action is not None and action.edit is not None, (code, title)
        _change(client, uri, text, 2, action.edit)
        after = await diagnostics(client, uri, 2)
        assert sum(d.code == code for d in after) < sum(d.code == code for d in diags), code
        # only milder findings may appear (CRLF→LF leaves the quoting warning)
        new = {d.code for d in after} - {d.code for d in diags}
        assert new <= {"AL016", "AL013", "AL003"}, (code, new)


@pytest.mark.asyncio
async def test_fix_all_on_the_five_seeds(client: LanguageClient) -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    for n, seed in enumerate(sorted(SEEDS.iterdir())):
        uri = _open(client, f"seed{n}.md", seed.read_text("utf-8"))
        await diagnostics(client, uri, 1)
        actions = await client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri),
                range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
                context=lsp.CodeActionContext(diagnostics=[], only=["source.fixAll.agentls"]),
            )
        )
        fix_all = next(
            a
            for a in actions or []
            if isinstance(a, lsp.CodeAction) and a.kind == "source.fixAll.agentls"
        )
        assert fix_all.edit is not None
        _, edits = _change(client, uri, seed.read_text("utf-8"), 2, fix_all.edit)
        assert all(e.range.end.line - e.range.start.line <= 1 for e in edits)  # minimal edits
        after = await diagnostics(client, uri, 2)
        # AL3xx: workspace findings (three seeds share a name), for a human to settle
        left = [
            d.code
            for d in after
            if d.severity in (lsp.DiagnosticSeverity.Error, lsp.DiagnosticSeverity.Warning)
        ]
        assert [c for c in left if not str(c).startswith("AL3")] == [], (seed.name, left)


@pytest.mark.asyncio
async def test_outline_and_folding(client: LanguageClient) -> None:
    text = (
        "---\nname: x\ndescription: Use when: broken\ncolor: red\n---\n"
        "# Role\n## Steps\n<example>\na\n</example>\n"
    )
    uri = _open(client, "outline.md", text)
    syms = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
    )
    assert syms
    if isinstance(syms[0], lsp.DocumentSymbol):
        fm = syms[0]
        assert fm.name == "frontmatter" and [c.name for c in fm.children or []] == [
            "name",
            "description",
            "color",
        ]
        role = syms[1]
        assert isinstance(role, lsp.DocumentSymbol) and role.name == "Role"
        assert [c.name for c in role.children or []] == ["Steps"]
    else:
        names = [s.name for s in syms]
        assert names[:4] == ["frontmatter", "name", "description", "color"]
    folds = await client.text_document_folding_range_async(
        lsp.FoldingRangeParams(lsp.TextDocumentIdentifier(uri))
    )
    assert folds and {(f.start_line, f.end_line) for f in folds} >= {(0, 4), (7, 9)}


@pytest.mark.asyncio
async def test_completion_list_size_follows_the_client(client: LanguageClient) -> None:
    """VS Code asks for documentation on resolve: the list goes without it. Neovim 0.11
    reads itemDefaults: the shared range, text format and data are sent once."""
    text, pos = _pos(client, "---\nname: x\ntools: Read, |\n---\n")
    uri = _open(client, "size.md", text)
    result = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), pos)
    )
    assert isinstance(result, lsp.CompletionList) and len(result.items) > 20
    grep = next(i for i in result.items if i.label == "Grep")
    if _utf8(client):  # the Neovim capability set
        assert grep.documentation is not None  # no resolveSupport for documentation
        assert result.item_defaults is not None and result.item_defaults.edit_range is not None
        assert grep.text_edit is None and grep.text_edit_text == "Grep"
    else:
        assert all(i.documentation is None for i in result.items)
        item = _with_defaults(result, grep)
        resolved = await client.completion_item_resolve_async(item)
        assert isinstance(resolved.documentation, lsp.MarkupContent)
        assert "search" in resolved.documentation.value.lower()
        # an item of an older list gets nothing wrong: its documentation is left out
        again = await client.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), pos)
        )
        assert isinstance(again, lsp.CompletionList)
        stale = await client.completion_item_resolve_async(item)
        assert stale.documentation is None


@pytest.mark.asyncio
async def test_completion_inside_hooks(client: LanguageClient) -> None:
    head = "---\nname: h\ndescription: Use when checking hooks.\nhooks:\n  PreToolUse:\n"
    text, items = await _complete(
        client, "hooks1.md", head + "    - matcher: Bash\n      ho|\n---\n"
    )
    hooks = next(i for i in items if i.label == "hooks")
    assert _accept(client, text, hooks).split("\n")[6] == "      hooks:"
    text, items = await _complete(
        client, "hooks2.md", head + "    - hooks:\n        - type: |\n---\n"
    )
    command = next(i for i in items if i.label == "command")
    assert _accept(client, text, command).split("\n")[6] == "        - type: command"
    assert (await _resolved(client, command)).documentation is not None
