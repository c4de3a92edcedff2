"""Diagnostics: pushed after open/change/save (debounced, versioned), or pulled.

A document's diagnostics are its analysis' findings and what other features contribute
(:meth:`~agentls.lsp.features.Feature.findings`: the index's findings across files), the
latter settled by the file's configuration and suppression comments as ``agentls check``
settles them (agentls.config.policy.settle_more).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from agentls.lsp.convert import to_diagnostic
from agentls.lsp.features import Feature

if TYPE_CHECKING:
    from agentls.lsp.documents import Cached
    from agentls.lsp.server import AgentlsServer
    from agentls.types import Finding

log = logging.getLogger("agentls")


@dataclass
class DiagnosticsState:
    # a publication waiting for its debounce delay, or computing
    pending: dict[str, asyncio.TimerHandle | asyncio.Task[None]] = field(default_factory=dict)


def _convert(ls: AgentlsServer, cached: Cached, findings: list[Finding]) -> list[lsp.Diagnostic]:
    codec = ls.workspace.position_codec
    a = cached.analysis
    lines = a.lines if a.lines is not None else cached.text.split("\n")
    return [to_diagnostic(codec, lines, f) for f in findings]


def reported_findings(ls: AgentlsServer, uri: str, cached: Cached) -> list[Finding]:
    """What ``uri`` reports: its analysis' findings and the other features' (across files),
    the latter settled with the analysis' policy and comments."""
    extra: list[Finding] = []
    for feature in ls.features:
        extra.extend(feature.findings(ls, uri, cached))
    a = cached.analysis
    if not extra:
        return list(a.findings)
    from agentls.config.policy import settle_more

    return settle_more(a.findings, a.settled, extra)[0]


def result_id(ls: AgentlsServer, version: int | None, generation: int) -> str:
    """Changes with the text, the index and what else decides the findings (settings,
    project configurations: ``generation``, read before the analysis began), so that a
    client that pulls never keeps a stale report."""
    return f"{version}:{ls.state.index.generation}:{generation}"


async def diagnostics_for(ls: AgentlsServer, uri: str) -> tuple[int | None, list[lsp.Diagnostic]]:
    cached = await ls.analysis(uri)
    if cached is None or (cached.analysis.lines is None and not cached.analysis.findings):
        return (cached.version if cached else None), []
    findings = reported_findings(ls, uri, cached)
    # thousands of findings (an adversarial file) are converted off the loop
    diags = await ls.state.documents.run(uri, cached.text, _convert, ls, cached, findings)
    return cached.version, diags


async def publish(ls: AgentlsServer, uri: str) -> None:
    try:
        if ls.open_document(uri) is None:
            return
        try:
            version, diags = await diagnostics_for(ls, uri)
        except Exception:  # never let one document take the server down
            log.exception("analysis of %s failed", uri)
            return
        if ls.open_document(uri) is not None:
            ls.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=version)
            )
    finally:
        if ls.state.diagnostics.pending.get(uri) is asyncio.current_task():
            del ls.state.diagnostics.pending[uri]


def _cancel(ls: AgentlsServer, uri: str) -> None:
    old = ls.state.diagnostics.pending.pop(uri, None)
    if old is not None:
        old.cancel()


def schedule(ls: AgentlsServer, uri: str) -> None:
    """Validate soon; a burst of changes is validated once, for its last version."""
    if ls.supports_pull:
        return
    _cancel(ls, uri)
    loop = asyncio.get_running_loop()
    delay = ls.state.settings.debounce_ms / 1000
    pending = ls.state.diagnostics.pending
    if delay > 0:

        def start() -> None:
            pending[uri] = loop.create_task(publish(ls, uri))

        pending[uri] = loop.call_later(delay, start)
    else:
        pending[uri] = loop.create_task(publish(ls, uri))


def pull_refresh(ls: AgentlsServer) -> bool:
    """For a client that pulls diagnostics: ask it to pull again (when it supports the
    refresh request) and return True; False for a client that is pushed diagnostics."""
    if not ls.supports_pull:
        return False
    ws = ls.client_capabilities.workspace
    if ws and ws.diagnostics and ws.diagnostics.refresh_support:
        ls.workspace_diagnostic_refresh(None)
    return True


def refresh(ls: AgentlsServer, uris: Collection[str] | None = None) -> None:
    """Publish again the diagnostics of these open documents (None: all of them)."""
    if pull_refresh(ls):
        return
    for uri in ls.open_uris():
        if uris is None or uri in uris:
            schedule(ls, uri)


class Diagnostics(Feature):
    name = "diagnostics"

    def opened(self, ls: AgentlsServer, uri: str) -> None:
        schedule(ls, uri)

    def changed(self, ls: AgentlsServer, uri: str) -> None:
        schedule(ls, uri)

    def saved(self, ls: AgentlsServer, uri: str) -> None:
        schedule(ls, uri)

    def closed(self, ls: AgentlsServer, uri: str) -> None:
        _cancel(ls, uri)
        if not ls.supports_pull:
            ls.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def configuration_changed(self, ls: AgentlsServer) -> None:
        refresh(ls)

    def watched_files_changed(self, ls: AgentlsServer, changes: Sequence[lsp.FileEvent]) -> None:
        # Some files' findings read other files (a memory file's imports, the paths of a
        # plugin manifest, the .mcp.json of an agent): their analyses are made again.
        from pygls.uris import to_fs_path

        from agentls.dialects.registry import reads_changed

        changed = [to_fs_path(c.uri) or c.uri for c in changes]
        documents = ls.state.documents
        uris = [
            uri
            for uri in ls.open_uris()
            if (c := documents.analyses.get(uri)) is not None
            and reads_changed(c.analysis.dialect, changed)
        ]
        for uri in uris:
            documents.forget(uri)
        if uris:  # (a pull client would be asked to pull everything again)
            refresh(ls, uris)

    def findings_changed(self, ls: AgentlsServer, uris: Collection[str] | None) -> None:
        refresh(ls, uris)

    def project_configuration_changed(
        self, ls: AgentlsServer, uris: Collection[str], on_disk: bool
    ) -> None:
        if uris:
            refresh(ls, uris)

    def register(self, server: AgentlsServer) -> None:
        @server.feature(
            lsp.TEXT_DOCUMENT_DIAGNOSTIC,
            lsp.DiagnosticOptions(
                identifier="agentls", inter_file_dependencies=True, workspace_diagnostics=False
            ),
        )
        async def pull(
            ls: AgentlsServer, params: lsp.DocumentDiagnosticParams
        ) -> lsp.DocumentDiagnosticReport:
            generation = ls.state.documents.generation
            version, diags = await diagnostics_for(ls, params.text_document.uri)
            rid = result_id(ls, version, generation)
            if params.previous_result_id is not None and params.previous_result_id == rid:
                return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=rid)
            return lsp.RelatedFullDocumentDiagnosticReport(items=diags, result_id=rid)
