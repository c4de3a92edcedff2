"""The one registration point of the server's features.

A feature (diagnostics, editing, the workspace index, code actions, agent runs) is a
:class:`Feature`: it registers the requests it answers once, in :meth:`Feature.register`, and
reacts to the life of the session and of documents through the hooks below, which
:mod:`agentls.lsp.lifecycle` calls on every feature in turn. No feature registers a lifecycle
notification itself, and none relies on running before or after another: a hook only
schedules its own work (the analysis they share is computed once per version by
:class:`agentls.lsp.documents.DocumentStore`), so the order in which features are added
changes nothing (tests/lsp/test_features.py runs the server with them reversed).

The shape follows esbonio's language features: a class per feature, the server fanning out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from lsprotocol import types as lsp

    from agentls.lsp.documents import Cached
    from agentls.lsp.server import AgentlsServer
    from agentls.types import Finding


class Feature:
    """A feature of the server; every hook does nothing unless the feature overrides it."""

    name: ClassVar[str] = "feature"

    def register(self, server: AgentlsServer) -> None:
        """Register the requests this feature answers (``server.feature`` / ``server.command``)."""

    # -- the session

    def initialize(self, ls: AgentlsServer, params: lsp.InitializeParams) -> None:
        """``initialize``: read initialization options (settings are already read)."""

    def initialized(self, ls: AgentlsServer) -> None:
        """``initialized``, after the client's configuration was pulled."""

    def configuration_changed(self, ls: AgentlsServer) -> None:
        """The settings changed (``workspace/didChangeConfiguration``)."""

    def watched_files_changed(self, ls: AgentlsServer, changes: Sequence[lsp.FileEvent]) -> None:
        """Files changed on disk (``workspace/didChangeWatchedFiles``); never blocks the loop."""

    def project_configuration_changed(
        self, ls: AgentlsServer, uris: Collection[str], on_disk: bool
    ) -> None:
        """A project configuration (agentls.toml...) changed: in an editor's buffer, or on
        disk (``on_disk``); these open documents are below it (their analyses are gone)."""

    def progress_cancelled(self, ls: AgentlsServer, token: lsp.ProgressToken) -> None:
        """The user cancelled the work-done progress ``token``."""

    def shutdown(self, ls: AgentlsServer) -> None:
        """``shutdown``: stop background work."""

    # -- documents (only documents the client has opened)

    def opened(self, ls: AgentlsServer, uri: str) -> None:
        """``textDocument/didOpen``."""

    def changed(self, ls: AgentlsServer, uri: str) -> None:
        """``textDocument/didChange``."""

    def saved(self, ls: AgentlsServer, uri: str) -> None:
        """``textDocument/didSave``."""

    def closed(self, ls: AgentlsServer, uri: str) -> None:
        """``textDocument/didClose`` (the document is no longer open)."""

    # -- between features

    def findings_changed(self, ls: AgentlsServer, uris: Collection[str] | None) -> None:
        """What :meth:`findings` contributes to these open documents changed (None: to all)."""

    # -- contributions to requests another feature answers

    def findings(self, ls: AgentlsServer, uri: str, cached: Cached) -> Sequence[Finding]:
        """Findings of ``uri`` beyond its own analysis (the diagnostics publish them too)."""
        return ()

    async def code_actions(
        self, ls: AgentlsServer, params: lsp.CodeActionParams
    ) -> Sequence[lsp.CodeAction]:
        """Code actions for ``params`` (the code-action feature answers the request)."""
        return ()
