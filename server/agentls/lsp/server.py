"""The pygls 2 language server: its typed state, and the features added through one point.

Each feature (:mod:`~agentls.lsp.configuration`, :mod:`~agentls.lsp.diagnostics`,
:mod:`~agentls.lsp.editing`, :mod:`~agentls.lsp.workspace_index`,
:mod:`~agentls.lsp.code_actions`, the agent runs' :mod:`~agentls.lsp.agent_runs`,
:mod:`~agentls.lsp.agent_proposals`, :mod:`~agentls.lsp.agent_conversations` and
:mod:`~agentls.lsp.agent_actions` (sharing :mod:`~agentls.lsp.agent_common`),
:mod:`~agentls.lsp.claude_version`) is a :class:`~agentls.lsp.features.Feature` added with
:meth:`AgentlsServer.add_feature`; :mod:`~agentls.lsp.lifecycle` fans the session and
document events out to them. docs/architecture.md tells where to add one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from agentls import __version__
from agentls.lsp.agent_actions import AgentActions
from agentls.lsp.agent_common import RunsState
from agentls.lsp.agent_conversations import AgentConversations
from agentls.lsp.agent_proposals import AgentProposals
from agentls.lsp.agent_runs import AgentRuns
from agentls.lsp.claude_version import ClaudeVersionNotice, ClaudeVersionState
from agentls.lsp.code_actions import CodeActions
from agentls.lsp.configuration import ConfigurationState, ProjectConfiguration
from agentls.lsp.diagnostics import Diagnostics, DiagnosticsState
from agentls.lsp.documents import Cached, DocumentStore
from agentls.lsp.editing import Editing, EditingState
from agentls.lsp.guard import AgentlsProtocol
from agentls.lsp.protocol import converter_factory
from agentls.lsp.workspace_index import IndexState, WorkspaceIndexFeature
from agentls.settings import Settings

if TYPE_CHECKING:
    from pygls.workspace import TextDocument

    from agentls.config.discovery import ConfigStore
    from agentls.lsp.features import Feature

log = logging.getLogger("agentls")


@dataclass
class ServerState:
    """Everything the server keeps, one typed field per concern."""

    settings: Settings = field(default_factory=Settings)
    documents: DocumentStore = field(default_factory=DocumentStore)
    diagnostics: DiagnosticsState = field(default_factory=DiagnosticsState)
    editing: EditingState = field(default_factory=EditingState)
    index: IndexState = field(default_factory=IndexState)
    runs: RunsState = field(default_factory=RunsState)
    configuration: ConfigurationState = field(default_factory=ConfigurationState)
    _configs: ConfigStore | None = None

    @property
    def configs(self) -> ConfigStore:
        """The project configurations (agentls.toml...), read when first needed: the first
        analysis imports them with the engine, not ``initialize``."""
        if self._configs is None:
            from agentls.config.discovery import ConfigStore

            self._configs = ConfigStore()
        return self._configs

    claude_version: ClaudeVersionState = field(default_factory=ClaudeVersionState)


def pulls_diagnostics(caps: lsp.ClientCapabilities) -> bool:
    """Whether diagnostics are pulled by a client with ``caps``: it asks for them
    (``textDocument/diagnostic``) and can be asked to ask again
    (``workspace/diagnostic/refresh``). A client that pulls but cannot be asked again (Neovim
    0.10 and 0.11) pulls a buffer's diagnostics only when that buffer changes: after a
    configuration or another file changed, the other open buffers would keep what they had.
    Such a client is not offered pull diagnostics (``initialize``) and is pushed them."""
    td = caps.text_document
    ws = caps.workspace
    refresh = ws is not None and ws.diagnostics is not None and ws.diagnostics.refresh_support
    return td is not None and td.diagnostic is not None and bool(refresh)


class AgentlsServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "agentls",
            __version__,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
            protocol_cls=AgentlsProtocol,
            converter_factory=converter_factory,
        )
        self.state = ServerState()
        self.features: list[Feature] = []

    def add_feature(self, feature: Feature) -> None:
        """The one registration point: the feature's requests, and its lifecycle hooks."""
        self.features.append(feature)
        feature.register(self)

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """Serve over stdio with agentls' chunked reader (see agentls.lsp.transport)."""
        import sys

        stdin = stdin or sys.stdin.buffer
        try:
            stdin.fileno()
        except (AttributeError, OSError, ValueError):  # not a real file: pygls' own reader
            super().start_io(stdin, stdout)
            return
        from agentls.lsp.transport import start_io

        start_io(self, stdin, stdout or sys.stdout.buffer)

    # ----------------------------------------------------------------- capabilities

    @property
    def supports_pull(self) -> bool:
        """Whether this client pulls its diagnostics (see :func:`pulls_diagnostics`)."""
        return pulls_diagnostics(self.client_capabilities)

    @property
    def markdown_ok(self) -> bool:
        td = self.client_capabilities.text_document
        fmt = td.hover.content_format if td and td.hover else None
        return not fmt or lsp.MarkupKind.Markdown in fmt

    # ----------------------------------------------------------------- documents

    def open_document(self, uri: str) -> TextDocument | None:
        """The document the client has opened at ``uri`` (pygls keys them unquoted)."""
        doc: TextDocument | None = self.workspace.text_documents.get(unquote(uri))
        return doc

    def open_uris(self) -> list[str]:
        return list(self.workspace.text_documents)

    def path_of(self, uri: str) -> str | None:
        return _path_of(uri)

    async def analysis(self, uri: str) -> Cached | None:
        """The analysis of the current text of ``uri`` (see agentls.lsp.documents)."""
        return await self.state.documents.analysis(self, uri)


@lru_cache(maxsize=4096)
def _path_of(uri: str) -> str | None:
    """The file path of ``uri`` (None: not a file, or a path no system call takes). A pure
    function of the URI string, asked about 5 times per keystroke for the same URI: pygls'
    to_fs_path (urlparse, unquote) costs ~15 us at a load of 6, a cached answer ~0.1 us.
    Bounded: 4,096 URIs."""
    try:
        path = to_fs_path(uri)
    except Exception:
        return None
    return path if path and "\x00" not in path else None


def default_features() -> list[Feature]:
    return [
        ProjectConfiguration(),
        Diagnostics(),
        Editing(),
        WorkspaceIndexFeature(),
        CodeActions(),
        AgentRuns(),
        AgentProposals(),
        AgentConversations(),
        AgentActions(),
        ClaudeVersionNotice(),
    ]


def create_server(features: Sequence[Feature] | None = None) -> AgentlsServer:
    server = AgentlsServer()
    from agentls.lsp import guard, lifecycle

    guard.install(server)
    lifecycle.register(server)
    for feature in default_features() if features is None else features:
        server.add_feature(feature)
    return server


def start(tcp: str | None = None, log_file: str | None = None, verbose: int = 0) -> int:
    import sys

    # Background threads (the index build, agent runs, analyses of large documents) hand
    # the GIL back to the event loop after 1 ms instead of 5: requests wait less behind them.
    sys.setswitchinterval(0.001)
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    if log_file:
        logging.basicConfig(
            filename=log_file, level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    else:
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    from agentls.runner.redact import install_log_redaction

    install_log_redaction()
    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0
