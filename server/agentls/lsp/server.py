"""The pygls 2 language server: state, settings and feature registration.

Feature modules (``diagnostics``, ``code_actions``, ``agent_actions``, ...) each expose
``register(server)``; their handlers are thin adapters over the engine.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from agentls import __version__
from agentls.settings import Settings

if TYPE_CHECKING:
    from agentls.engine import Analysis  # imported when first needed: start-up time

log = logging.getLogger("agentls")


@dataclass(slots=True)
class Cached:
    version: int | None
    text: str
    analysis: Analysis


@dataclass
class ServerState:
    settings: Settings = field(default_factory=Settings)
    analyses: dict[str, Cached] = field(default_factory=dict)
    pending: dict[str, asyncio.Handle | asyncio.TimerHandle] = field(default_factory=dict)
    # the documentation of the newest completion list, for completionItem/resolve:
    # (list number, {label: documentation})
    completion_docs: tuple[int, dict[str, str]] = (0, {})


class AgentlsServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "agentls", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental
        )
        self.state = ServerState()

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
        td = self.client_capabilities.text_document
        return td is not None and td.diagnostic is not None

    @property
    def markdown_ok(self) -> bool:
        td = self.client_capabilities.text_document
        fmt = td.hover.content_format if td and td.hover else None
        return not fmt or lsp.MarkupKind.Markdown in fmt

    # ----------------------------------------------------------------- analyses

    def path_of(self, uri: str) -> str | None:
        try:
            return to_fs_path(uri)
        except Exception:
            return None

    def analysis(self, uri: str) -> Cached | None:
        """The analysis of the current text of ``uri`` (computed now if stale)."""
        doc = self.workspace.get_text_document(uri)
        try:
            text = doc.source
        except (OSError, UnicodeDecodeError):
            return None
        cached = self.state.analyses.get(uri)
        if cached is not None and cached.version == doc.version and cached.text is text:
            return cached
        path = self.path_of(uri)
        dialect = self.state.settings.dialect_for(path)
        from agentls.discovery import mcp_servers_for
        from agentls.document.model import reuse_frontmatter_parses
        from agentls.engine import analyze

        reuse_frontmatter_parses()  # documents being edited: see agentls.document.model

        a = analyze(text, path, dialect, mcp_servers=mcp_servers_for(path))
        cached = Cached(doc.version, text, a)
        self.state.analyses[uri] = cached
        return cached


def create_server() -> AgentlsServer:
    server = AgentlsServer()
    from agentls.lsp import code_actions, diagnostics, guard, lifecycle

    guard.install(server)
    lifecycle.register(server)
    diagnostics.register(server)
    code_actions.register(server)
    for name in ("agentls.lsp.agent_actions", "agentls.lsp.editing", "agentls.lsp.workspace_index"):
        _register_optional(server, name)
    return server


def _register_optional(server: AgentlsServer, module: str) -> None:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return
        raise
    register: Any = getattr(mod, "register", None)
    if register is not None:
        register(server)


def start(tcp: str | None = None, log_file: str | None = None, verbose: int = 0) -> int:
    import sys

    # Background threads (the index build, agent runs) hand the GIL back to the event loop
    # after 1 ms instead of 5: requests wait less behind them.
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
