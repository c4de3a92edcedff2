"""The session and document events, each registered once and fanned out to every feature.

The server's own part of each event runs first (settings, the document store), then every
feature's hook (agentls.lsp.features), in the order the features were added; a hook that
raises is logged and the others still run.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

if TYPE_CHECKING:
    from agentls.lsp.features import Feature
    from agentls.lsp.server import AgentlsServer

log = logging.getLogger("agentls")


def end_startup_gc() -> None:
    """Turn the collector back on after start-up, with what start-up built frozen.

    Frozen objects (the modules and classes of lsprotocol, pygls and agentls) are never
    scanned again, so later collections, and with them latency spikes, are shorter.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def fan_out(ls: AgentlsServer, hook: Callable[[Feature], Any]) -> None:
    """Call ``hook`` on every feature; one that fails does not stop the others."""
    for feature in ls.features:
        try:
            hook(feature)
        except Exception:
            log.exception("the %s feature failed to handle an event", feature.name)


def spawn(
    tasks: set[asyncio.Task[Any]], work: Awaitable[None], logger: logging.Logger, what: str
) -> None:
    """Run ``work`` as a task kept in ``tasks`` until it is done (a feature cancels them at
    shutdown); a failure is logged as ``what`` failed, never raised into the loop."""

    async def guarded() -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s failed", what)

    task = asyncio.get_running_loop().create_task(guarded())
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def register(server: AgentlsServer) -> None:
    @server.feature(lsp.INITIALIZE)
    def initialize(ls: AgentlsServer, params: lsp.InitializeParams) -> None:
        ls.state.settings.update(params.initialization_options or {})
        fan_out(ls, lambda f: f.initialize(ls, params))
        # The response is written before the loop runs this: see agentls.cli.main.
        asyncio.get_running_loop().call_soon(end_startup_gc)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: AgentlsServer, params: lsp.InitializedParams) -> None:
        await _pull_configuration(ls)
        fan_out(ls, lambda f: f.initialized(ls))

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: AgentlsServer, params: None) -> None:
        fan_out(ls, lambda f: f.shutdown(ls))
        ls.state.documents.shutdown()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: AgentlsServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        if params.settings:
            ls.state.settings.update(params.settings)
        await _pull_configuration(ls)
        ls.state.documents.clear()  # the dialect of a path may have changed
        fan_out(ls, lambda f: f.configuration_changed(ls))

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: AgentlsServer, params: lsp.DidChangeWatchedFilesParams
    ) -> None:
        changes = [ch for ch in params.changes if ls.path_of(ch.uri) is not None]
        if len(changes) < len(params.changes):
            log.info("ignored %d watched-file events without a file path", len(params.changes))
        if changes:
            fan_out(ls, lambda f: f.watched_files_changed(ls, changes))

    @server.feature(lsp.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def progress_cancel(ls: AgentlsServer, params: lsp.WorkDoneProgressCancelParams) -> None:
        fan_out(ls, lambda f: f.progress_cancelled(ls, params.token))

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AgentlsServer, params: lsp.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.state.documents.forget(uri)  # a reopened document starts afresh
        fan_out(ls, lambda f: f.opened(ls, uri))

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AgentlsServer, params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        fan_out(ls, lambda f: f.changed(ls, uri))

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AgentlsServer, params: lsp.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.open_document(uri) is None:
            log.info("ignored didSave of %s: the document is not open", uri)
            return
        fan_out(ls, lambda f: f.saved(ls, uri))

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AgentlsServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.state.documents.forget(uri)
        fan_out(ls, lambda f: f.closed(ls, uri))


async def _pull_configuration(ls: AgentlsServer) -> None:
    ws = ls.client_capabilities.workspace
    if not ws or not ws.configuration:
        return
    try:
        result = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="agentls")])
        )
    except Exception as exc:
        log.info("workspace/configuration failed: %s", exc)
        return
    if result and isinstance(result[0], dict):
        ls.state.settings.update(result[0])
