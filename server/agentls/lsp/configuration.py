"""The project configuration in the server (``[tool.agentls]``, ``agentls.toml``,
``.agentls.toml``: docs/configuration.md), applied as ``agentls check`` applies it.

- Every analysis is settled by the configuration of its file and its suppression comments
  (agentls.lsp.documents asks the server's one :class:`~agentls.config.discovery.ConfigStore`);
  the findings across files are settled the same way (agentls.lsp.diagnostics), and the index
  reads each file with its configuration (agentls.indexing).
- A configuration file open in the editor *is* the configuration: its buffer, from each
  ``didOpen`` and ``didChange`` until ``didClose``; so what its own diagnostics say and what
  the other files are held to never disagree.
- When a configuration changes (in a buffer, on ``didSave``, or on disk:
  ``workspace/didChangeWatchedFiles``), the open documents below its folder are analysed and
  their diagnostics published again (:meth:`Feature.project_configuration_changed`); a
  change on disk also rebuilds the index. A ``pyproject.toml`` that has nothing to do with
  agentls (no ``[tool.agentls]`` before or after) changes nothing.
- A client that cannot watch files for the server (Neovim 0.11 on Linux) tells it nothing
  of a configuration changed on disk: the configurations are read again whenever it opens a
  document, so that a file opened after the change is checked with it.
- The problems of a configuration that an open document uses are published on the
  configuration file even when it is not open (``check`` reports it even outside the paths
  it was given), and cleared once they are gone: a broken configuration is never silent.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from agentls.config import FILE_NAMES
from agentls.lsp.features import Feature

if TYPE_CHECKING:
    from agentls.lsp.server import AgentlsServer

log = logging.getLogger("agentls")


@dataclass
class ConfigurationState:
    # configuration files not open whose problems were published: path -> what was sent
    published: dict[str, list[lsp.Diagnostic]] = field(default_factory=dict)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)


def is_configuration(path: str | None) -> bool:
    return path is not None and os.path.basename(path) in FILE_NAMES


def watches_files(ls: AgentlsServer) -> bool:
    """Whether the client watches files for the server (agentls.lsp.workspace_index
    registers the watchers, configuration files among them)."""
    ws = ls.client_capabilities.workspace
    w = ws.did_change_watched_files if ws else None
    return bool(w and w.dynamic_registration)


def _below(path: str, folders: Iterable[str]) -> bool:
    return any(path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def configuration_changed(ls: AgentlsServer, folders: Collection[str], on_disk: bool) -> None:
    """A configuration of these folders changed: every analysis is forgotten (a configuration
    may now apply, or no longer, to any file below them) and the features are told which open
    documents it concerns."""
    ls.state.documents.clear()
    uris = [u for u in ls.open_uris() if _below(ls.path_of(u) or "", folders)]
    from agentls.lsp.lifecycle import fan_out

    fan_out(ls, lambda f: f.project_configuration_changed(ls, uris, on_disk))
    st = ls.state.configuration
    for path in list(st.published):
        if _below(path, folders):
            _spawn(ls, _publish_unopened(ls, path))
    for uri in uris:
        _spawn(ls, _publish_configuration_of(ls, uri))


def _spawn(ls: AgentlsServer, work: Awaitable[None]) -> None:
    from agentls.lsp.lifecycle import spawn

    spawn(ls.state.configuration.tasks, work, log, "publishing a configuration's problems")


async def _publish_configuration_of(ls: AgentlsServer, uri: str) -> None:
    """The problems of the configuration ``uri`` uses, on the configuration file, when it is
    not open (an open one gets its diagnostics like any document)."""
    cached = await ls.analysis(uri)
    path = cached.analysis.policy.config_path if cached is not None else None
    if path is not None and path != ls.path_of(uri):
        await _publish_unopened(ls, path)


async def _publish_unopened(ls: AgentlsServer, path: str) -> None:
    from agentls.lsp.diagnostics import diagnostics_for

    uri = from_fs_path(path) or path
    st = ls.state.configuration
    if ls.open_document(uri) is not None:
        return
    diags: list[lsp.Diagnostic] = []
    if os.path.exists(path):
        diags = (await diagnostics_for(ls, uri))[1]
    if ls.open_document(uri) is not None:
        return  # opened meanwhile: its own diagnostics win
    if st.published.get(path, []) == diags:
        return
    if diags:
        st.published[path] = diags
    else:
        st.published.pop(path, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diags))


class ProjectConfiguration(Feature):
    name = "project configuration"

    def _buffer(self, ls: AgentlsServer, uri: str, text: str | None, on_disk: bool) -> None:
        path = ls.path_of(uri)
        if not is_configuration(path):
            return
        assert path is not None
        if ls.state.configs.set_text(path, text) or on_disk:
            configuration_changed(ls, [os.path.dirname(path)], on_disk)

    def opened(self, ls: AgentlsServer, uri: str) -> None:
        if not watches_files(ls):
            ls.state.configs.forget()  # the open ones stay their buffers
        doc = ls.open_document(uri)
        path = ls.path_of(uri)
        if doc is not None and is_configuration(path):
            assert path is not None
            if ls.state.configuration.published.pop(path, None) is not None and ls.supports_pull:
                # what was pushed while it was closed would stand beside what is pulled now
                ls.text_document_publish_diagnostics(
                    lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
                )
            self._buffer(ls, uri, doc.source, False)
        _spawn(ls, _publish_configuration_of(ls, uri))

    def changed(self, ls: AgentlsServer, uri: str) -> None:
        doc = ls.open_document(uri)
        if doc is not None:
            self._buffer(ls, uri, doc.source, False)

    def saved(self, ls: AgentlsServer, uri: str) -> None:
        doc = ls.open_document(uri)
        if doc is not None:
            self._buffer(ls, uri, doc.source, True)

    def closed(self, ls: AgentlsServer, uri: str) -> None:
        path = ls.path_of(uri)
        if not is_configuration(path):
            return
        # the disk counts again; the documents below it publish its problems on disk
        self._buffer(ls, uri, None, False)

    def watched_files_changed(self, ls: AgentlsServer, changes: Sequence[lsp.FileEvent]) -> None:
        configs = ls.state.configs
        folders = {
            os.path.dirname(p)
            for ch in changes
            if is_configuration(p := ls.path_of(ch.uri)) and p is not None and configs.concerns(p)
        }
        if folders:
            ls.state.configs.forget()  # the open ones stay their buffers
            configuration_changed(ls, folders, True)

    def shutdown(self, ls: AgentlsServer) -> None:
        for task in list(ls.state.configuration.tasks):
            task.cancel()
