"""The workspace index in the server: background build with ``$/progress``, watched files,
definition, references, rename, workspace symbols, ``agentls/agents``, and the findings
across files (refreshed when a file they depend on changes).

Handlers are adapters over :mod:`agentls.index`. The open-document notifications and
``initialized`` are registered by other modules; this one chains after them.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path

from agentls.lsp.convert import text_edits_for, to_lsp_range
from agentls.types import Finding, Position, TextEdit

if TYPE_CHECKING:
    from agentls.index import IndexEntry, WorkspaceIndex
    from agentls.lsp.server import AgentlsServer

log = logging.getLogger("agentls.index")

AGENTS_REQUEST = "agentls/agents"
WATCH_GLOBS = ("**/*.md", "**/.claude-plugin/plugin.json")
MANIFEST = "/.claude-plugin/plugin.json"


@dataclass
class IndexState:
    index: WorkspaceIndex = field(default_factory=lambda: _index_module().WorkspaceIndex())
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    synced: dict[str, int | None] = field(default_factory=dict)  # uri -> version indexed
    task: asyncio.Task[None] | None = None


def _warm_imports() -> None:
    """Import, off the event loop, what the first requests need and ``initialize`` did not
    wait for (the first completion would otherwise pay for it)."""
    import importlib

    for name in (
        "agentls.engine",
        "agentls.index",
        "agentls.indexing",
        "agentls.editing.completion",
        "agentls.editing.hover",
        "agentls.editing.outline",
        "agentls.editing.fixes",
    ):
        try:
            importlib.import_module(name)
        except Exception:  # the request that needs it will report the error
            log.debug("warm import of %s failed", name, exc_info=True)


def _index_module() -> Any:
    """agentls.index, imported when first needed (not before ``initialize`` is answered)."""
    import agentls.index

    return agentls.index


def _indexing() -> Any:
    """agentls.indexing (reads files for the index), imported when first needed."""
    import agentls.indexing

    return agentls.indexing


_STATES: WeakKeyDictionary[Any, IndexState] = WeakKeyDictionary()


def state(ls: AgentlsServer) -> IndexState:
    st = _STATES.get(ls)
    if st is None:
        st = _STATES[ls] = IndexState()
    return st


def _folders(ls: AgentlsServer) -> list[str]:
    out = []
    for f in ls.workspace.folders.values():
        p = to_fs_path(f.uri)
        if p:
            out.append(p)
    if not out and ls.workspace.root_path:
        out.append(ls.workspace.root_path)
    return out


def _text_of(ls: AgentlsServer, path: str) -> str:
    """The text positions in ``path`` refer to: the open document's, else the file's."""
    uri = from_fs_path(path) or path
    doc = ls.workspace.text_documents.get(uri)
    if doc is not None:
        return str(doc.source)
    return _indexing().read_text(path) or ""


def _codec_lines(ls: AgentlsServer, path: str) -> list[str]:
    from agentls.lines import lsp_lines

    return lsp_lines(_text_of(ls, path))


def _range(ls: AgentlsServer, path: str, rng: Any) -> lsp.Range:
    return to_lsp_range(ls.workspace.position_codec, _codec_lines(ls, path), rng)


# --------------------------------------------------------------------------- building


async def build(ls: AgentlsServer) -> None:
    st = state(ls)
    token = str(uuid.uuid4())
    progress = False
    caps = ls.client_capabilities.window
    if caps is not None and caps.work_done_progress:
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(
                token, lsp.WorkDoneProgressBegin(title="agentls: indexing agents", percentage=0)
            )
            progress = True
        except Exception as exc:  # the client refused: index silently
            log.info("no progress: %s", exc)
    folders = _folders(ls)
    # worker processes for large workspaces: the event loop keeps the GIL to itself
    try:
        build_index = _indexing().build_index
        index = await asyncio.to_thread(build_index, folders, jobs=os.cpu_count() or 1)
    except Exception as exc:  # requests waiting for the index must still be answered
        log.exception("building the index failed")
        _log_client(ls, lsp.MessageType.Error, f"agentls: the workspace index failed: {exc}")
        index = _index_module().WorkspaceIndex()
    _report_skipped(ls, index.skipped)
    # open documents win over the disk
    st.index = index
    st.synced.clear()
    for uri in list(ls.workspace.text_documents):
        sync_document(ls, uri)
    st.ready.set()
    if progress:
        ls.work_done_progress.end(
            token, lsp.WorkDoneProgressEnd(message=f"{len(index.entries)} definitions")
        )
    _refresh(ls, None)


MAX_SKIPPED_SHOWN = 20  # files named in the log; more are counted


def _log_client(ls: AgentlsServer, kind: lsp.MessageType, message: str) -> None:
    try:
        ls.window_log_message(lsp.LogMessageParams(type=kind, message=message))
    except Exception:  # the transport is gone: nothing to tell
        log.debug("cannot log to the client", exc_info=True)


def _report_skipped(ls: AgentlsServer, skipped: list[Any]) -> None:
    """Say which files and folders the index could not read (a FIFO, a link to a device, a
    file over the size limit, an unreadable folder), in the client's log."""
    if not skipped:
        return
    lines = [f"{s.path}: {s.reason}" for s in skipped[:MAX_SKIPPED_SHOWN]]
    more = len(skipped) - len(lines)
    if more > 0:
        lines.append(f"... and {more} more")
    _log_client(
        ls,
        lsp.MessageType.Warning,
        f"agentls: {len(skipped)} file(s) or folder(s) not indexed:\n" + "\n".join(lines),
    )


def start_build(ls: AgentlsServer) -> None:
    st = state(ls)
    if st.task is None:
        st.task = asyncio.get_running_loop().create_task(build(ls))


def sync_document(ls: AgentlsServer, uri: str) -> set[str]:
    """Bring the index up to date with an open document; return dependent paths."""
    st = state(ls)
    doc = ls.workspace.text_documents.get(uri)
    path = ls.path_of(uri)
    if doc is None or path is None:
        return set()
    if st.synced.get(uri, -1) == doc.version and path in st.index.entries:
        return set()
    st.synced[uri] = doc.version
    old = st.index.entries.get(path)
    scope = old.scope if old is not None else "project"
    cached = ls.analysis(uri)  # the diagnostics' analysis of this text: no second parse
    if cached is None:
        return set()
    return st.index.update_analysis(cached.analysis, scope)


def cross_file_findings(ls: AgentlsServer, uri: str) -> list[Finding]:
    """Findings of ``uri`` that depend on other files (empty until the index is built)."""
    st = _STATES.get(ls)
    if st is None or not st.ready.is_set():
        return []
    path = ls.path_of(uri)
    if path is None:
        return []
    sync_document(ls, uri)
    return st.index.findings_for(path)


def generation(ls: AgentlsServer) -> int:
    st = _STATES.get(ls)
    return st.index.generation if st is not None else 0


def _refresh(ls: AgentlsServer, paths: set[str] | None) -> None:
    """Re-publish diagnostics of open documents among ``paths`` (None: all open ones)."""
    from agentls.lsp.diagnostics import pull_refresh, schedule

    if pull_refresh(ls):
        return
    for uri in list(ls.workspace.text_documents):
        if paths is None or ls.path_of(uri) in paths:
            schedule(ls, uri)


def on_changed(ls: AgentlsServer, uri: str) -> None:
    st = state(ls)
    if not st.ready.is_set():
        return
    deps = sync_document(ls, uri)
    if deps:
        _refresh(ls, deps)


def on_watched(ls: AgentlsServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    st = state(ls)
    manifests = [
        p
        for ch in params.changes
        if (p := ls.path_of(ch.uri)) is not None and p.replace("\\", "/").endswith(MANIFEST)
    ]
    if manifests:
        _plugins_changed(ls, manifests)
    if not st.ready.is_set():
        return
    deps: set[str] = set()
    for ch in params.changes:
        path = ls.path_of(ch.uri)
        if path is None or ch.uri in ls.workspace.text_documents or path in manifests:
            continue  # open documents are tracked from their text
        if ch.type == lsp.FileChangeType.Deleted:
            deps |= st.index.remove(path)
            # a deleted folder: drop everything below it
            for p in [p for p in st.index.entries if p.startswith(path.rstrip(os.sep) + os.sep)]:
                deps |= st.index.remove(p)
            continue
        old = st.index.entries.get(path)
        scope = old.scope if old else "project"
        deps |= _reindex(st.index, path, scope, ls.state.settings.dialect_for(path), ls)
    if deps:
        _refresh(ls, deps)


def _reindex(
    index: WorkspaceIndex,
    path: str,
    scope: str,
    dialect: str | None,
    ls: AgentlsServer | None = None,
) -> set[str]:
    """Read ``path`` from disk again into ``index``: it leaves the index when it can no
    longer be read (said in the client's log when ``ls`` is given) or is no definition.
    The paths whose findings across files may have changed."""
    got = _indexing().read_entry(path, scope, dialect)
    if isinstance(got, _index_module().IndexEntry):
        return index.put(got)
    if got is not None and ls is not None:
        _report_skipped(ls, [got])
    return index.remove(path)


def _plugins_changed(ls: AgentlsServer, manifests: list[str]) -> None:
    """A plugin manifest was created, changed or deleted: the files below its folder may
    now be plugin agents, skills and commands, or no longer be: detect their dialects
    again, re-index them, and re-check the open documents."""
    from agentls.dialects.registry import forget_plugin_roots

    forget_plugin_roots()
    st = state(ls)
    if st.ready.is_set():
        from agentls.discovery import index_files

        indexing = _indexing()
        for manifest in manifests:
            root = os.path.dirname(os.path.dirname(manifest))
            below = root.rstrip(os.sep) + os.sep
            seen = set()
            for path, scope, dialect in index_files(
                [root], indexing.INDEXED, user=False, bundled=False
            ):
                seen.add(path)
                _reindex(st.index, path, scope, dialect)
            for path in [p for p in st.index.entries if p.startswith(below) and p not in seen]:
                st.index.remove(path)  # no longer a file of any indexed dialect
        st.synced.clear()  # open documents: re-synced from their new analyses
    from agentls.lsp.diagnostics import refresh_all

    refresh_all(ls)


# --------------------------------------------------------------------------- requests


async def _ready(ls: AgentlsServer) -> WorkspaceIndex:
    st = state(ls)
    start_build(ls)
    await st.ready.wait()
    return st.index


async def _symbol(ls: AgentlsServer, params: Any) -> tuple[WorkspaceIndex, Any]:
    """The index (once built) and the symbol at ``params``' document position, if any."""
    index = await _ready(ls)
    uri = params.text_document.uri
    path = ls.path_of(uri)
    if path is None:
        return index, None
    sync_document(ls, uri)
    lines = _codec_lines(ls, path)
    p = ls.workspace.position_codec.position_from_client_units(lines, params.position)
    return index, index.symbol_at(path, Position(p.line, p.character))


def _location(ls: AgentlsServer, e: IndexEntry) -> lsp.Location:
    rng = e.name_range
    uri = from_fs_path(e.path) or e.path
    if rng is None:
        return lsp.Location(uri, lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)))
    return lsp.Location(uri, _range(ls, e.path, rng))


def agents_payload(ls: AgentlsServer, index: WorkspaceIndex) -> dict[str, Any]:
    out = []
    for e in index.all():
        uri = from_fs_path(e.path) or e.path
        out.append(e.to_json(uri))
    return {"agents": out}


def _chain(server: AgentlsServer, method: str, after: Callable[[AgentlsServer, Any], None]) -> None:
    """Run ``after`` once the handler another module registered for ``method`` has run."""
    features = server.protocol.fm.features
    prev = features.get(method)

    async def chained(params: Any) -> None:
        if prev is not None:
            result = prev(params)
            if inspect.isawaitable(result):
                await result
        try:
            after(server, params)
        except Exception:
            log.exception("index update after %s failed", method)

    if prev is None:
        server.feature(method)(lambda ls, params: after(ls, params))
    else:
        features[method] = chained


def register(server: AgentlsServer) -> None:
    def after_initialized(ls: AgentlsServer, params: Any) -> None:
        threading.Thread(target=_warm_imports, name="agentls-warm-imports", daemon=True).start()
        ws = ls.client_capabilities.workspace
        dyn = (
            ws and ws.did_change_watched_files and ws.did_change_watched_files.dynamic_registration
        )
        if dyn:
            asyncio.get_running_loop().create_task(_register_watchers(ls))
        start_build(ls)

    _chain(server, lsp.INITIALIZED, after_initialized)
    for method in (lsp.TEXT_DOCUMENT_DID_OPEN, lsp.TEXT_DOCUMENT_DID_CHANGE):
        _chain(server, method, lambda ls, params: on_changed(ls, params.text_document.uri))

    def after_close(ls: AgentlsServer, params: Any) -> None:
        uri = params.text_document.uri
        st = state(ls)
        st.synced.pop(uri, None)
        path = ls.path_of(uri)
        if path is None or not st.ready.is_set():
            return
        old = st.index.entries.get(path)
        deps = _reindex(st.index, path, old.scope if old else "project", None)
        if deps:
            _refresh(ls, deps)

    _chain(server, lsp.TEXT_DOCUMENT_DID_CLOSE, after_close)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: AgentlsServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        on_watched(ls, params)

    @server.feature(AGENTS_REQUEST)
    async def agents(ls: AgentlsServer, params: Any) -> dict[str, Any]:
        index = await _ready(ls)
        for uri in list(ls.workspace.text_documents):
            sync_document(ls, uri)
        return agents_payload(ls, index)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: AgentlsServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
        index, sym = await _symbol(ls, params)
        if sym is None:
            return []
        return [_location(ls, e) for e in index.definitions(sym.kind, sym.name)]

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    async def references(ls: AgentlsServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
        index, sym = await _symbol(ls, params)
        if sym is None:
            return []
        out = []
        if params.context.include_declaration:
            out += [_location(ls, e) for e in index.definitions(sym.kind, sym.name)]
        for path, rng, _ in index.references(sym.kind, sym.name):
            out.append(lsp.Location(from_fs_path(path) or path, _range(ls, path, rng)))
        return out

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(
        ls: AgentlsServer, params: lsp.PrepareRenameParams
    ) -> lsp.PrepareRenamePlaceholder | None:
        index, sym = await _symbol(ls, params)
        if sym is None or not index.definitions(sym.kind, sym.name):
            return None
        path = ls.path_of(params.text_document.uri) or ""
        return lsp.PrepareRenamePlaceholder(range=_range(ls, path, sym.range), placeholder=sym.name)

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    async def rename(ls: AgentlsServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        index, sym = await _symbol(ls, params)
        if sym is None:
            return None
        new = params.new_name.strip()
        if not new or new == sym.name:
            return None
        edits, renames = index.rename_edits(sym.kind, sym.name, new)
        ws = ls.client_capabilities.workspace
        ops = ws.workspace_edit.resource_operations if ws and ws.workspace_edit else None
        can_rename = bool(ops) and lsp.ResourceOperationKind.Rename in (ops or [])
        doc_changes: list[Any] = []
        for path, items in sorted(edits.items()):
            uri = from_fs_path(path) or path
            open_doc = ls.workspace.text_documents.get(uri)
            tes: list[lsp.TextEdit | lsp.AnnotatedTextEdit | lsp.SnippetTextEdit] = []
            tes += text_edits_for(
                ls.workspace.position_codec,
                _text_of(ls, path),
                [TextEdit(rng, text) for rng, text in items],
            )
            doc_changes.append(
                lsp.TextDocumentEdit(
                    lsp.OptionalVersionedTextDocumentIdentifier(
                        uri, open_doc.version if open_doc else None
                    ),
                    tes,
                )
            )
        if can_rename:
            for old, new_path in renames:
                if not os.path.exists(new_path):
                    doc_changes.append(
                        lsp.RenameFile(
                            old_uri=from_fs_path(old) or old,
                            new_uri=from_fs_path(new_path) or new_path,
                        )
                    )
        return lsp.WorkspaceEdit(document_changes=doc_changes)

    @server.feature(lsp.WORKSPACE_SYMBOL)
    async def workspace_symbol(
        ls: AgentlsServer, params: lsp.WorkspaceSymbolParams
    ) -> list[lsp.WorkspaceSymbol]:
        index = await _ready(ls)
        kinds = {
            "agent": lsp.SymbolKind.Class,
            "copilot-agent": lsp.SymbolKind.Class,
            "skill": lsp.SymbolKind.Function,
            "command": lsp.SymbolKind.Function,
        }
        out = []
        for e in index.symbols(params.query):
            loc = _location(ls, e)
            out.append(
                lsp.WorkspaceSymbol(
                    name=e.name,
                    kind=kinds.get(e.kind, lsp.SymbolKind.Object),
                    location=loc,
                    container_name=f"{e.scope} {e.dialect}",
                )
            )
        return out


async def _register_watchers(ls: AgentlsServer) -> None:
    try:
        await ls.client_register_capability_async(
            lsp.RegistrationParams(
                registrations=[
                    lsp.Registration(
                        id="agentls-watch",
                        method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                            watchers=[lsp.FileSystemWatcher(glob_pattern=g) for g in WATCH_GLOBS]
                        ),
                    )
                ]
            )
        )
    except Exception as exc:
        log.info("watched files not registered: %s", exc)
