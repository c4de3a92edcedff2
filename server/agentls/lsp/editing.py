"""Completion, hover, document symbols and folding ranges: thin adapters over agentls.editing."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from agentls.lsp.convert import from_lsp_position, to_lsp_range
from agentls.lsp.features import Feature

if TYPE_CHECKING:  # agentls.editing is imported when first needed: start-up time
    from pygls.workspace.position_codec import PositionCodec

    from agentls.editing.completion import Candidate
    from agentls.editing.knowledge import Workspace
    from agentls.editing.outline import Symbol
    from agentls.engine import Analysis
    from agentls.lsp.server import AgentlsServer
    from agentls.types import Effective, Position

TRIGGERS = [":", ",", " ", "-", '"']

_KINDS = {
    "property": lsp.CompletionItemKind.Property,
    "enum": lsp.CompletionItemKind.EnumMember,
    "value": lsp.CompletionItemKind.Value,
    "tool": lsp.CompletionItemKind.Function,
    "module": lsp.CompletionItemKind.Module,
    "reference": lsp.CompletionItemKind.Reference,
    "event": lsp.CompletionItemKind.Event,
}
_SYMBOL_KINDS = {
    "frontmatter": lsp.SymbolKind.Namespace,
    "key": lsp.SymbolKind.Property,
    "heading": lsp.SymbolKind.String,
}
_WS_TTL = 5.0


@dataclass
class EditingState:
    # the documentation of the newest completion list, for completionItem/resolve:
    # (list number, {label: documentation})
    completion_docs: tuple[int, dict[str, str]] = (0, {})
    # what completion knows of the workspace, by root: (when read, MCP servers, agents, skills)
    workspace: dict[str, tuple[float, tuple[str, ...], set[str], tuple[str, ...]]] = field(
        default_factory=dict
    )


def _root(ls: AgentlsServer) -> str | None:
    try:
        root = ls.workspace.root_path
    except Exception:
        return None
    return str(root) if root else None


async def workspace_info(ls: AgentlsServer) -> Workspace:
    """MCP servers (.mcp.json), agent and skill names of the workspace; what is read from
    disk is read off the event loop and kept for a few seconds."""
    from agentls.editing.knowledge import Workspace

    root = _root(ls)
    if not root:
        return Workspace()
    now = time.monotonic()
    hit = ls.state.editing.workspace.get(root)
    if hit is None or now - hit[0] >= _WS_TTL:
        servers, on_disk, skills = await asyncio.to_thread(_read_workspace, root)
        hit = ls.state.editing.workspace[root] = (now, servers, on_disk, skills)
    _, servers, on_disk, skills = hit
    agents = set(on_disk)
    for cached in list(ls.state.documents.analyses.values()):
        eff = cached.analysis.effective
        if eff is not None and eff.name and re.fullmatch(r"[\w.-]+", eff.name):
            agents.add(eff.name)
    return Workspace(servers, tuple(sorted(agents)), skills)


def _read_workspace(root: str) -> tuple[tuple[str, ...], set[str], tuple[str, ...]]:
    from agentls.discovery import definition_folders, mcp_servers

    servers = sorted(mcp_servers(root)[0] or ())
    agents: set[str] = set()
    skills: list[str] = []
    project = definition_folders(
        Path(root), user=False, bundled=False, dialects=("claude-agent", "claude-skill")
    )
    for folder in project:
        for p in folder.files():
            if folder.dialect == "claude-skill":
                skills.append(p.parent.name)
            else:
                agents.add(p.name[:-3])
    return tuple(servers), agents, tuple(skills)


def _snippets_ok(ls: AgentlsServer) -> bool:
    td = ls.client_capabilities.text_document
    ci = td.completion.completion_item if td and td.completion else None
    return bool(ci and ci.snippet_support)


def _doc_markdown_ok(ls: AgentlsServer) -> bool:
    td = ls.client_capabilities.text_document
    ci = td.completion.completion_item if td and td.completion else None
    fmt = ci.documentation_format if ci else None
    return not fmt or lsp.MarkupKind.Markdown in fmt


def _docs_on_resolve(ls: AgentlsServer) -> bool:
    """Whether the client asks for an item's documentation when it shows it
    (``completionItem/resolve``): the list then goes without (the tool list: 24 KB → 17 KB;
    9 KB with itemDefaults as well)."""
    td = ls.client_capabilities.text_document
    ci = td.completion.completion_item if td and td.completion else None
    props = ci.resolve_support.properties if ci and ci.resolve_support else []
    return "documentation" in props


def _deprecated_tag_ok(ls: AgentlsServer) -> bool:
    td = ls.client_capabilities.text_document
    ci = td.completion.completion_item if td and td.completion else None
    tags = ci.tag_support.value_set if ci and ci.tag_support else []
    return lsp.CompletionItemTag.Deprecated in tags


def plain(md: str) -> str:
    """Markdown → plain text for clients that want it."""
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", md)
    return text.replace("**", "").replace("`", "").replace("\n---\n", "\n")


def _markup(md: str, markdown: bool) -> lsp.MarkupContent:
    if markdown:
        return lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=md)
    return lsp.MarkupContent(kind=lsp.MarkupKind.PlainText, value=plain(md))


def _item(
    c: Candidate, rng: lsp.Range, markdown: bool, tag_ok: bool, data: Any = None
) -> lsp.CompletionItem:
    return lsp.CompletionItem(
        label=c.label,
        kind=_KINDS.get(c.kind, lsp.CompletionItemKind.Text),
        detail=c.detail or None,
        documentation=_markup(c.documentation, markdown)
        if c.documentation and data is None
        else None,
        data=data,
        sort_text=c.sort_text or None,
        filter_text=c.filter_text,
        text_edit=lsp.TextEdit(range=rng, new_text=c.insert_text),
        insert_text_format=lsp.InsertTextFormat.Snippet
        if c.snippet
        else lsp.InsertTextFormat.PlainText,
        tags=[lsp.CompletionItemTag.Deprecated] if c.deprecated and tag_ok else None,
        preselect=c.preselect or None,
    )


async def _analysed_at(
    ls: AgentlsServer, params: lsp.CompletionParams | lsp.HoverParams
) -> tuple[Analysis, list[str], Position, PositionCodec] | None:
    """The current analysis of the document, its lines, the position in code points and the
    codec of the client's units, if the document is analysed (Markdown or JSON)."""
    cached = await ls.analysis(params.text_document.uri)
    lines = cached.analysis.lines if cached is not None else None
    if cached is None or lines is None:
        return None
    codec = ls.workspace.position_codec
    return cached.analysis, lines, from_lsp_position(codec, lines, params.position), codec


async def _configuration_at(
    ls: AgentlsServer, params: lsp.CompletionParams | lsp.HoverParams
) -> tuple[list[str], Position, bool] | None:
    """The lines of a configuration file (agentls.toml, pyproject.toml), the position in code
    points, and whether it is a pyproject.toml; None for any other document."""
    cached = await ls.analysis(params.text_document.uri)
    if cached is None or cached.analysis.dialect != "agentls-config":
        return None
    from agentls.lines import lsp_lines

    lines = lsp_lines(cached.text)
    pos = from_lsp_position(ls.workspace.position_codec, lines, params.position)
    pyproject = (cached.analysis.path or "").replace("\\", "/").endswith("/pyproject.toml")
    return lines, pos, pyproject


async def completion(ls: AgentlsServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    config = await _configuration_at(ls, params)
    if config is not None:
        from agentls.config.editing import config_completion

        lines = config[0]
        return _completion_list(ls, lines, config_completion(*config))
    at = await _analysed_at(ls, params)
    if at is None:
        return None
    a, lines, pos, _ = at
    if a.json is not None:  # Claude Code's JSON files: keys and values from their schema
        from agentls.editing.json_editing import complete as complete_json

        cands = complete_json(a.dialect or "", a.json.text, pos)
    elif a.doc is not None:
        from agentls.editing.completion import complete

        cands = complete(
            a.doc,
            pos,
            dialect=a.dialect or "claude-agent",
            path=a.path,
            workspace=await workspace_info(ls),
            snippets=_snippets_ok(ls),
        )
    else:
        return None
    return _completion_list(ls, lines, cands)


def _completion_list(
    ls: AgentlsServer, lines: list[str], cands: list[Candidate]
) -> lsp.CompletionList | None:
    if not cands:
        return None
    codec = ls.workspace.position_codec
    markdown = _doc_markdown_ok(ls)
    tag_ok = _deprecated_tag_ok(ls)
    data: dict[str, int] | None = None
    if _docs_on_resolve(ls):
        number = ls.state.editing.completion_docs[0] + 1
        ls.state.editing.completion_docs = (
            number,
            {c.label: c.documentation for c in cands if c.documentation},
        )
        data = {"agentls": number}
    ranges: dict[tuple[int, int, int, int], lsp.Range] = {}
    items = []
    for c in cands:
        r = c.replace
        k = (r.start.line, r.start.character, r.end.line, r.end.character)
        if k not in ranges:
            ranges[k] = to_lsp_range(codec, lines, r)
        items.append(_item(c, ranges[k], markdown, tag_ok, data))
    return _with_defaults(ls, items)


def _with_defaults(ls: AgentlsServer, items: list[lsp.CompletionItem]) -> lsp.CompletionList:
    """Move what every item shares (the replaced range, the text format, ``data``) into the
    list's ``itemDefaults`` when the client reads them (LSP 3.17: VS Code, Neovim 0.11), and
    drop a ``filterText`` equal to the label."""
    td = ls.client_capabilities.text_document
    cl = td.completion.completion_list if td and td.completion else None
    supported = set(cl.item_defaults or []) if cl else set()
    defaults = lsp.CompletionItemDefaults()
    edits = [i.text_edit for i in items]
    if (
        "editRange" in supported
        and all(isinstance(e, lsp.TextEdit) for e in edits)
        and len({_range_key(e.range) for e in edits if isinstance(e, lsp.TextEdit)}) == 1
    ):
        first = edits[0]
        assert isinstance(first, lsp.TextEdit)
        defaults.edit_range = first.range
        for i in items:
            assert isinstance(i.text_edit, lsp.TextEdit)
            i.text_edit_text, i.text_edit = i.text_edit.new_text, None
    if "insertTextFormat" in supported and len({i.insert_text_format for i in items}) == 1:
        defaults.insert_text_format = items[0].insert_text_format
        for i in items:
            i.insert_text_format = None
    if "data" in supported and items and all(i.data == items[0].data for i in items):
        defaults.data = items[0].data
        for i in items:
            i.data = None
    for i in items:
        if i.filter_text == i.label:
            i.filter_text = None
    used = any(
        v is not None for v in (defaults.edit_range, defaults.insert_text_format, defaults.data)
    )
    return lsp.CompletionList(
        is_incomplete=False, items=items, item_defaults=defaults if used else None
    )


def _range_key(r: lsp.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def resolve_completion(ls: AgentlsServer, item: lsp.CompletionItem) -> lsp.CompletionItem:
    """Add the documentation left out of the list (only for items of the newest list)."""
    number, docs = ls.state.editing.completion_docs
    # the client merges itemDefaults.data into the item; some send it back unmerged
    data = item.data if isinstance(item.data, dict) else {"agentls": number}
    if data.get("agentls") == number and item.label in docs and item.documentation is None:
        item.documentation = _markup(docs[item.label], _doc_markdown_ok(ls))
    return item


def _effective(ls: AgentlsServer, uri: str, a: Analysis) -> Effective | None:
    """The file's effective configuration with what other files decide (the index): a plugin
    file its manifest's list leaves out does not load (AL936)."""
    eff = a.effective
    index = ls.state.index.built()
    path = ls.path_of(uri)
    if eff is None or not eff.loads or index is None or path is None:
        return eff
    entry = index.entries.get(path)
    if entry is None or not index.not_loaded(entry):
        return eff
    from agentls.rules.claude_plugin import NOT_LISTED_REASON

    return dataclasses.replace(eff, loads=False, reason=NOT_LISTED_REASON)


async def hover_handler(ls: AgentlsServer, params: lsp.HoverParams) -> lsp.Hover | None:
    config = await _configuration_at(ls, params)
    if config is not None:
        from agentls.config.editing import config_hover

        lines = config[0]
        h = config_hover(*config)
    else:
        at = await _analysed_at(ls, params)
        if at is None:
            return None
        a, lines, pos, _ = at
        if a.json is not None:
            from agentls.editing.json_editing import hover as hover_json

            h = hover_json(a.dialect or "", a.json, pos)
        elif a.doc is not None:
            from agentls.editing.hover import hover

            effective = _effective(ls, params.text_document.uri, a)
            h = hover(a.doc, pos, effective, dialect=a.dialect or "claude-agent")
        else:
            return None
    if h is None:
        return None
    codec = ls.workspace.position_codec
    return lsp.Hover(
        contents=_markup(h.markdown, ls.markdown_ok), range=to_lsp_range(codec, lines, h.range)
    )


def _doc_symbol(ls: AgentlsServer, lines: list[str], s: Symbol) -> lsp.DocumentSymbol:
    codec = ls.workspace.position_codec
    return lsp.DocumentSymbol(
        name=s.name,
        kind=_SYMBOL_KINDS[s.kind],
        range=to_lsp_range(codec, lines, s.range),
        selection_range=to_lsp_range(codec, lines, s.selection),
        detail=s.detail or None,
        children=[_doc_symbol(ls, lines, c) for c in s.children] or None,
    )


def _flat(
    ls: AgentlsServer, uri: str, lines: list[str], syms: list[Symbol], container: str | None
) -> list[lsp.SymbolInformation]:
    codec = ls.workspace.position_codec
    out = []
    for s in syms:
        out.append(
            lsp.SymbolInformation(
                name=s.name,
                kind=_SYMBOL_KINDS[s.kind],
                location=lsp.Location(uri, to_lsp_range(codec, lines, s.range)),
                container_name=container,
            )
        )
        out += _flat(ls, uri, lines, s.children, s.name)
    return out


async def document_symbols(
    ls: AgentlsServer, params: lsp.DocumentSymbolParams
) -> list[lsp.DocumentSymbol] | list[lsp.SymbolInformation] | None:
    uri = params.text_document.uri
    cached = await ls.analysis(uri)
    a = cached.analysis if cached is not None else None
    if a is None or a.lines is None:
        return None
    if a.json is not None:
        from agentls.editing.json_editing import symbols as json_symbols

        syms = json_symbols(a.json)
    elif a.doc is not None:
        from agentls.editing.outline import symbols

        syms = symbols(a.doc)
    else:
        return None
    td = ls.client_capabilities.text_document
    ds = td.document_symbol if td else None
    if ds is not None and ds.hierarchical_document_symbol_support:
        return [_doc_symbol(ls, a.lines, s) for s in syms]
    return _flat(ls, uri, a.lines, syms, None)


async def folding(
    ls: AgentlsServer, params: lsp.FoldingRangeParams
) -> list[lsp.FoldingRange] | None:
    cached = await ls.analysis(params.text_document.uri)
    if cached is None:
        return None
    a = cached.analysis
    if a.json is not None:
        from agentls.editing.json_editing import folding_ranges as json_folding

        found = json_folding(a.json)
    elif a.doc is not None:
        from agentls.editing.outline import folding_ranges

        found = folding_ranges(a.doc)
    else:
        return None
    return [
        lsp.FoldingRange(start_line=f.start, end_line=f.end, kind=lsp.FoldingRangeKind.Region)
        for f in found
    ]


async def document_links(
    ls: AgentlsServer, params: lsp.DocumentLinkParams
) -> list[lsp.DocumentLink] | None:
    """The ``@path`` imports of a memory file (CLAUDE.md, AGENTS.md) that name a file."""
    uri = params.text_document.uri
    cached = await ls.analysis(uri)
    a = cached.analysis if cached is not None else None
    if a is None or a.doc is None or a.path is None or a.dialect != "claude-memory":
        return None
    from agentls.rules.claude_memory import links

    found = await asyncio.to_thread(links, a.doc, a.path)  # reads the disk
    codec = ls.workspace.position_codec
    td = ls.client_capabilities.text_document
    tooltips = bool(td and td.document_link and td.document_link.tooltip_support)
    return [
        lsp.DocumentLink(
            range=to_lsp_range(codec, a.doc.lines, i.range),
            target=Path(i.target).as_uri(),
            tooltip=f"Imported by Claude Code: {i.target}" if tooltips else None,
        )
        for i in found
    ]


class Editing(Feature):
    name = "editing"

    def register(self, server: AgentlsServer) -> None:
        server.feature(
            lsp.TEXT_DOCUMENT_COMPLETION,
            lsp.CompletionOptions(trigger_characters=TRIGGERS, resolve_provider=True),
        )(completion)
        server.feature(lsp.COMPLETION_ITEM_RESOLVE)(resolve_completion)
        server.feature(lsp.TEXT_DOCUMENT_HOVER)(hover_handler)
        server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(document_symbols)
        server.feature(lsp.TEXT_DOCUMENT_FOLDING_RANGE)(folding)
        server.feature(
            lsp.TEXT_DOCUMENT_DOCUMENT_LINK, lsp.DocumentLinkOptions(resolve_provider=False)
        )(document_links)
