"""Push diagnostics (didOpen/didChange/didSave/didClose) and pull diagnostics."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from agentls.lsp.convert import to_diagnostic

if TYPE_CHECKING:
    from agentls.lsp.server import AgentlsServer

log = logging.getLogger("agentls")


def diagnostics_for(ls: AgentlsServer, uri: str) -> tuple[int | None, list[lsp.Diagnostic]]:
    cached = ls.analysis(uri)
    if cached is None or (cached.analysis.doc is None and not cached.analysis.findings):
        return (cached.version if cached else None), []
    codec = ls.workspace.position_codec
    a = cached.analysis
    lines = a.doc.lines if a.doc is not None else cached.text.split("\n")
    from agentls.lsp.workspace_index import cross_file_findings  # findings across files

    findings = [*a.findings, *cross_file_findings(ls, uri)]
    return cached.version, [to_diagnostic(codec, lines, f) for f in findings]


def publish(ls: AgentlsServer, uri: str) -> None:
    ls.state.pending.pop(uri, None)
    if uri not in ls.workspace.text_documents:
        return
    try:
        version, diags = diagnostics_for(ls, uri)
    except Exception:  # never let one document take the server down
        log.exception("analysis of %s failed", uri)
        return
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=version)
    )


def schedule(ls: AgentlsServer, uri: str) -> None:
    """Validate soon; a burst of changes is validated once, for its last version."""
    if ls.supports_pull:
        return
    old = ls.state.pending.pop(uri, None)
    if old is not None:
        old.cancel()
    loop = asyncio.get_running_loop()
    delay = ls.state.settings.debounce_ms / 1000
    if delay > 0:
        ls.state.pending[uri] = loop.call_later(delay, publish, ls, uri)
    else:
        ls.state.pending[uri] = loop.call_soon(publish, ls, uri)


def pull_refresh(ls: AgentlsServer) -> bool:
    """For a client that pulls diagnostics: ask it to pull again (when it supports the
    refresh request) and return True; False for a client that is pushed diagnostics."""
    if not ls.supports_pull:
        return False
    ws = ls.client_capabilities.workspace
    if ws and ws.diagnostics and ws.diagnostics.refresh_support:
        ls.workspace_diagnostic_refresh(None)
    return True


def refresh_all(ls: AgentlsServer) -> None:
    ls.state.analyses.clear()
    if pull_refresh(ls):
        return
    for uri in list(ls.workspace.text_documents):
        schedule(ls, uri)


def register(server: AgentlsServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: AgentlsServer, params: lsp.DidOpenTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: AgentlsServer, params: lsp.DidChangeTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: AgentlsServer, params: lsp.DidSaveTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: AgentlsServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        pending = ls.state.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        ls.state.analyses.pop(uri, None)
        if not ls.supports_pull:
            ls.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    @server.feature(
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        lsp.DiagnosticOptions(
            identifier="agentls", inter_file_dependencies=True, workspace_diagnostics=False
        ),
    )
    def pull(
        ls: AgentlsServer, params: lsp.DocumentDiagnosticParams
    ) -> lsp.DocumentDiagnosticReport:
        uri = params.text_document.uri
        version, diags = diagnostics_for(ls, uri)
        from agentls.lsp.workspace_index import generation

        result_id = f"{version}:{generation(ls)}"
        if params.previous_result_id is not None and params.previous_result_id == result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(items=diags, result_id=result_id)
