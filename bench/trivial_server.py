"""A trivial pygls 2 server: the floor of what any Python LSP server costs over stdio.

It keeps documents in sync, answers completion with a fixed list of 50 items carrying text
edits, and hover with a fixed Markdown text. Benchmarks compare agentls against it.

    python bench/trivial_server.py
"""

from __future__ import annotations

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

server = LanguageServer(
    "trivial", "0", text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental
)
NAMES = [f"Item{i}" for i in range(50)]


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[":", ","]))
def completion(ls: LanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    doc = ls.workspace.get_text_document(params.text_document.uri)
    _ = doc.lines[params.position.line]
    p = params.position
    rng = lsp.Range(p, p)
    return lsp.CompletionList(
        is_incomplete=False,
        items=[
            lsp.CompletionItem(
                label=n,
                kind=lsp.CompletionItemKind.Function,
                detail="item",
                documentation=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=f"`{n}`"),
                text_edit=lsp.TextEdit(range=rng, new_text=n),
            )
            for n in NAMES
        ],
    )


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: lsp.HoverParams) -> lsp.Hover:
    doc = ls.workspace.get_text_document(params.text_document.uri)
    _ = doc.lines[params.position.line]
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="**hover**"))


if __name__ == "__main__":
    server.start_io()
