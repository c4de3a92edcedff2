"""initialize / initialized / configuration."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

if TYPE_CHECKING:
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


def register(server: AgentlsServer) -> None:
    @server.feature(lsp.INITIALIZE)
    def initialize(ls: AgentlsServer, params: lsp.InitializeParams) -> None:
        ls.state.settings.update(params.initialization_options or {})
        from agentls.lsp.agent_actions import apply_options

        apply_options(ls, params.initialization_options)  # the API key never enters Settings
        # The response is written before the loop runs this: see agentls.cli.main.
        asyncio.get_running_loop().call_soon(end_startup_gc)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: AgentlsServer, params: lsp.InitializedParams) -> None:
        await _pull_configuration(ls)

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: AgentlsServer, params: None) -> None:
        # pygls 2.1.1 cancels pending server->client requests while iterating over the
        # dict that the cancellation callbacks shrink ("dictionary changed size"): cancel
        # them here first, over a snapshot.
        futures = getattr(ls.protocol, "_request_futures", {})
        current = getattr(ls.protocol, "msg_id", None)  # never the shutdown request itself
        for msg_id, future in list(futures.items()):
            if msg_id != current and not future.done():
                future.cancel()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: AgentlsServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        if params.settings:
            ls.state.settings.update(params.settings)
        await _pull_configuration(ls)
        from agentls.lsp.diagnostics import refresh_all

        refresh_all(ls)


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
