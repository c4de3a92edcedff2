"""The workspace index in the server: background build with ``$/progress``, watched files,
definition, references, rename, workspace symbols, ``agentls/agents``, and the findings
across files (refreshed when a file they depend on changes).

Handlers are adapters over :mod:`agentls.index`. Files are read from disk off the event loop
(the build, watched files, a closed document, the lines of a file a location points into).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from agentls.config import FILE_NAMES as CONFIG_FILES
from agentls.lsp.convert import text_edits_for, to_lsp_range
from agentls.lsp.features import Feature
from agentls.lsp.protocol import AGENTS, AgentInfo, AgentsParams, AgentsResult
from agentls.types import Finding, Position, TextEdit

if TYPE_CHECKING:
    from agentls.config.discovery import ConfigStore
    from agentls.discovery import Skipped
    from agentls.index import IndexEntry, WorkspaceIndex
    from agentls.lsp.documents import Cached
    from agentls.lsp.server import AgentlsServer
    from agentls.types import Range

log = logging.getLogger("agentls.index")

# Markdown (agents, skills, memory files and what they import...) and Claude Code's JSON
# files: their settings and .mcp.json meet the agents (the rules across files), a plugin
# manifest decides what the files below it are; the project configurations too
# (agentls.lsp.configuration reads them again).
WATCH_GLOBS = (
    "**/*.md",
    "**/.claude-plugin/plugin.json",
    "**/.claude-plugin/marketplace.json",
    "**/.claude/settings.json",
    "**/.claude/settings.local.json",
    "**/.mcp.json",
    *(f"**/{n}" for n in CONFIG_FILES),
)
SLICE = 0.01  # seconds of index updates between two passes of the event loop
MANIFEST = "/.claude-plugin/plugin.json"


@dataclass
class IndexState:
    index: WorkspaceIndex | None = None  # None until the first build is done
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    synced: dict[str, int | None] = field(default_factory=dict)  # uri -> version indexed
    task: asyncio.Task[None] | None = None
    # disk updates (watched files, closed documents) are applied one at a time, in order
    disk: asyncio.Lock = field(default_factory=asyncio.Lock)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    # the `dialects` setting the index was last built with
    dialects: dict[str, str] = field(default_factory=dict)
    # plugin folders of open files looked at (those outside the workspace folders were read)
    plugins: set[str] = field(default_factory=set)

    @property
    def generation(self) -> int:
        return self.index.generation if self.index is not None else 0

    def built(self) -> WorkspaceIndex | None:
        return self.index if self.ready.is_set() else None


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


def _spawn(ls: AgentlsServer, work: Awaitable[None]) -> None:
    """Run ``work`` as a task the index keeps until it is done (and logs if it fails)."""
    from agentls.lsp.lifecycle import spawn

    spawn(ls.state.index.tasks, work, log, "index update")


def _folders(ls: AgentlsServer) -> list[str]:
    out = []
    for f in ls.workspace.folders.values():
        p = ls.path_of(f.uri)
        if p:
            out.append(p)
    if not out and ls.workspace.root_path and "\x00" not in ls.workspace.root_path:
        out.append(ls.workspace.root_path)
    return out


def _read(path: str) -> str | None:
    return _indexing().read_text(path)  # type: ignore[no-any-return]


def _read_entries(
    items: Sequence[tuple[str, str, str | None]], configs: ConfigStore
) -> list[tuple[str, IndexEntry | Skipped | None]]:
    """Each (path, scope, dialect) read from disk and analysed with its project
    configuration (in a worker thread): its index entry, why it could not be read, or None
    (no definition, or excluded)."""
    read_entry = _indexing().read_entry
    return [(path, read_entry(path, scope, dialect, configs)) for path, scope, dialect in items]


async def _sliced(updates: Sequence[Callable[[], set[str]]]) -> set[str]:
    """Run index updates, handing the event loop back every ``SLICE`` seconds: each one
    looks for dependents through every entry (~10 ms with 50,000 definitions), and a branch
    switch can change thousands of files at once."""
    deps: set[str] = set()
    start = time.perf_counter()
    for update in updates:
        deps |= update()
        if time.perf_counter() - start > SLICE:
            await asyncio.sleep(0)
            start = time.perf_counter()
    return deps


async def _reindex(
    ls: AgentlsServer, index: WorkspaceIndex, got: list[tuple[str, IndexEntry | Skipped | None]]
) -> set[str]:
    """Put what :func:`_read_entries` read into ``index``: a file leaves the index when it
    can no longer be read (said in the client's log) or is no definition. The paths whose
    findings across files may have changed."""
    updates: list[Callable[[], set[str]]] = []
    skipped: list[Skipped] = []
    for path, entry in got:
        if isinstance(entry, _index_module().IndexEntry):
            updates.append(functools.partial(index.put, entry))
            continue
        if entry is not None:
            skipped.append(cast("Skipped", entry))
        updates.append(functools.partial(index.remove, path))
    _report_skipped(ls, skipped)
    return await _sliced(updates)


MAX_SKIPPED_SHOWN = 20  # files named in the log; more are counted


def _log_client(ls: AgentlsServer, kind: lsp.MessageType, message: str) -> None:
    try:
        ls.window_log_message(lsp.LogMessageParams(type=kind, message=message))
    except Exception:  # the transport is gone: nothing to tell
        log.debug("cannot log to the client", exc_info=True)


def _report_skipped(ls: AgentlsServer, skipped: Sequence[Skipped]) -> None:
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


async def _texts_of(ls: AgentlsServer, paths: Collection[str]) -> dict[str, str]:
    """The text positions in each file refer to: the open document's, else the file's (read
    off the loop)."""
    out: dict[str, str] = {}
    on_disk = []
    for path in paths:
        doc = ls.open_document(from_fs_path(path) or path)
        if doc is not None:
            out[path] = str(doc.source)
        else:
            on_disk.append(path)
    if on_disk:
        texts = await asyncio.to_thread(lambda: [_read(p) or "" for p in on_disk])
        out.update(zip(on_disk, texts, strict=True))
    return out


async def _lines_of(ls: AgentlsServer, paths: Collection[str]) -> dict[str, list[str]]:
    """The lines of each file, split as LSP splits them."""
    from agentls.lines import lsp_lines

    return {p: lsp_lines(t) for p, t in (await _texts_of(ls, paths)).items()}


def _range(ls: AgentlsServer, lines: dict[str, list[str]], path: str, rng: Range) -> lsp.Range:
    return to_lsp_range(ls.workspace.position_codec, lines.get(path, []), rng)


# --------------------------------------------------------------------------- building


async def build(ls: AgentlsServer) -> None:
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
    try:
        count = await _build(ls)
    except asyncio.CancelledError:  # replaced by a newer build (agentls.toml changed)
        if progress:
            ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message="restarted"))
        raise
    if progress:
        ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=f"{count} definitions"))


async def _build(ls: AgentlsServer) -> int:
    """Build the index and put it in place; the number of definitions."""
    st = ls.state.index
    folders = _folders(ls)
    st.dialects = dict(ls.state.settings.dialects)
    # worker processes for large workspaces: the event loop keeps the GIL to itself
    try:
        build_index = _indexing().build_index
        index = await asyncio.to_thread(
            build_index,
            folders,
            jobs=os.cpu_count() or 1,
            configs=ls.state.configs,
            dialect_for=ls.state.settings.dialect_for,
        )
    except Exception as exc:  # requests waiting for the index must still be answered
        log.exception("building the index failed")
        _log_client(ls, lsp.MessageType.Error, f"agentls: the workspace index failed: {exc}")
        index = _index_module().WorkspaceIndex()
    _report_skipped(ls, index.skipped)
    # open documents win over the disk
    st.index = index
    st.synced.clear()
    st.plugins.clear()
    for uri in ls.open_uris():
        cached = ls.state.documents.current(ls, uri)
        if cached is not None:
            sync_document(ls, uri, cached)
    st.ready.set()
    _refresh(ls, None)
    return len(index.entries)


def start_build(ls: AgentlsServer) -> None:
    st = ls.state.index
    if st.task is None:
        st.task = asyncio.get_running_loop().create_task(build(ls))


def rebuild(ls: AgentlsServer) -> None:
    """Build the index again (a project configuration changed on disk: which files are
    excluded, their dialects and what they report may all have changed). Requests keep
    the old index until the new one is done; a build under way is replaced."""
    st = ls.state.index
    if st.task is None:
        return  # the first build has not begun: it will read the configuration
    if not st.task.done():
        st.task.cancel()
    st.task = asyncio.get_running_loop().create_task(build(ls))


def sync_document(ls: AgentlsServer, uri: str, cached: Cached, *, publishing: bool = False) -> None:
    """Bring the index up to date with an open document's analysis, and re-check the open
    documents whose findings depend on it (whichever feature syncs first does it; while
    ``publishing`` the document's own diagnostics, not that document)."""
    st = ls.state.index
    index = st.built()
    path = ls.path_of(uri)
    if index is None or path is None:
        return
    if st.synced.get(uri, -1) == cached.version and path in index.entries:
        return
    st.synced[uri] = cached.version
    old = index.entries.get(path)
    scope = old.scope if old is not None else "project"
    deps = index.update_analysis(cached.analysis, scope)
    _refresh(ls, deps - {path} if publishing else deps)
    if cached.analysis.dialect in PLUGIN_DIALECTS:
        _plugin_of_open_file(ls, path)


# the files of a plugin whose findings across files read its other files (AL936)
PLUGIN_DIALECTS = frozenset({"claude-plugin", "claude-plugin-agent", "claude-command"})


def _plugin_of_open_file(ls: AgentlsServer, path: str) -> None:
    """An open file of a plugin outside the workspace folders: the index reads the plugin's
    files from disk once (the build read the workspace only), so that its manifest and the
    files its lists leave out meet (AL936), as they do inside the workspace."""
    from agentls.dialects.registry import plugin_root

    st = ls.state.index
    if path.replace("\\", "/").endswith(MANIFEST):
        root: str | None = os.path.dirname(os.path.dirname(path))
    else:
        root = plugin_root(path)
    if root is None or root in st.plugins:
        return
    st.plugins.add(root)
    if any(root == f or root.startswith(f.rstrip(os.sep) + os.sep) for f in _folders(ls)):
        return
    _spawn(ls, _read_plugin(ls, root))


async def _read_plugin(ls: AgentlsServer, root: str) -> None:
    st = ls.state.index
    async with st.disk:
        index = st.built()
        if index is None:
            return
        got = await asyncio.to_thread(_scan, ls, root)
        # open documents are tracked from their text
        got = [(p, e) for p, e in got if ls.open_document(from_fs_path(p) or p) is None]
        _refresh(ls, await _reindex(ls, index, got))


def _scan(ls: AgentlsServer, root: str) -> list[tuple[str, IndexEntry | Skipped | None]]:
    """The index entries of the files below ``root``, read from disk (in a worker thread)."""
    from agentls.discovery import index_files

    found = index_files(
        [root],
        _indexing().INDEXED,
        user=False,
        bundled=False,
        configs=ls.state.configs,
        dialect_for=ls.state.settings.dialect_for,
    )
    return _read_entries(list(found), ls.state.configs)


async def _sync_open(ls: AgentlsServer, uri: str) -> None:
    cached = await ls.analysis(uri)
    if cached is not None:
        sync_document(ls, uri, cached)


def _refresh(ls: AgentlsServer, paths: set[str] | None) -> None:
    """Re-check open documents among ``paths`` (None: all open ones)."""
    if paths is not None and not paths:
        return
    uris = None if paths is None else [u for u in ls.open_uris() if ls.path_of(u) in paths]
    if uris is None or uris:
        from agentls.lsp.lifecycle import fan_out

        fan_out(ls, lambda f: f.findings_changed(ls, uris))


async def _closed(ls: AgentlsServer, uri: str, path: str, scope: str) -> None:
    """A closed document's file, read again from disk (off the loop) into the index."""
    st = ls.state.index
    async with st.disk:
        index = st.built()
        if index is None:
            return
        got = await asyncio.to_thread(_read_entries, [(path, scope, None)], ls.state.configs)
        if ls.open_document(uri) is None:  # not reopened meanwhile
            _refresh(ls, await _reindex(ls, index, got))


async def _watched(ls: AgentlsServer, changes: Sequence[lsp.FileEvent]) -> None:
    st = ls.state.index
    async with st.disk:
        manifests = [
            p
            for ch in changes
            if (p := ls.path_of(ch.uri)) is not None and p.replace("\\", "/").endswith(MANIFEST)
        ]
        if manifests:
            await _plugins_changed(ls, manifests)
        index = st.built()
        if index is None:
            return
        deps: set[str] = set()
        reads: list[tuple[str, str, str | None]] = []
        for ch in changes:
            path = ls.path_of(ch.uri)
            if path is None or ls.open_document(ch.uri) is not None or path in manifests:
                continue  # open documents are tracked from their text
            if ch.type == lsp.FileChangeType.Deleted:
                # a deleted folder: everything below it goes too
                below = path.rstrip(os.sep) + os.sep
                gone = [path, *(p for p in index.entries if p.startswith(below))]
                deps |= await _sliced([functools.partial(index.remove, p) for p in gone])
            else:
                old = index.entries.get(path)
                scope = old.scope if old else "project"
                reads.append((path, scope, ls.state.settings.dialect_for(path)))
        if reads:
            got = await asyncio.to_thread(_read_entries, reads, ls.state.configs)
            deps |= await _reindex(ls, index, got)
        _refresh(ls, deps)


async def _plugins_changed(ls: AgentlsServer, manifests: list[str]) -> None:
    """A plugin manifest was created, changed or deleted: the files below its folder may
    now be plugin agents, skills and commands, or no longer be: detect their dialects
    again, re-index them, and re-check the open documents."""
    from agentls.dialects.registry import forget_plugin_roots

    forget_plugin_roots()
    st = ls.state.index
    index = st.built()
    if index is not None:
        for manifest in manifests:
            root = os.path.dirname(os.path.dirname(manifest))
            below = root.rstrip(os.sep) + os.sep
            got = await asyncio.to_thread(_scan, ls, root)
            await _reindex(ls, index, got)
            seen = {path for path, _ in got}
            gone = [p for p in index.entries if p.startswith(below) and p not in seen]
            # no longer files of any indexed dialect
            await _sliced([functools.partial(index.remove, p) for p in gone])
        st.synced.clear()  # open documents: re-synced from their new analyses
    ls.state.documents.clear()
    _refresh(ls, None)


# --------------------------------------------------------------------------- requests


async def _ready(ls: AgentlsServer) -> WorkspaceIndex:
    """The index once built, with the disk changes notified before this request applied
    (their tasks hold ``disk`` in the order the notifications came)."""
    st = ls.state.index
    start_build(ls)
    await st.ready.wait()
    async with st.disk:
        pass
    assert st.index is not None
    return st.index


async def _symbol(ls: AgentlsServer, params: Any) -> tuple[WorkspaceIndex, Any]:
    """The index (once built) and the symbol at ``params``' document position, if any."""
    index = await _ready(ls)
    uri = params.text_document.uri
    path = ls.path_of(uri)
    cached = await ls.analysis(uri) if path is not None else None
    if path is None or cached is None:
        return index, None
    sync_document(ls, uri, cached)
    lines = (await _lines_of(ls, [path]))[path]
    p = ls.workspace.position_codec.position_from_client_units(lines, params.position)
    return index, index.symbol_at(path, Position(p.line, p.character))


async def _import_target(ls: AgentlsServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
    """Go to the file an ``@path`` import of a memory file (CLAUDE.md, AGENTS.md) names."""
    uri = params.text_document.uri
    cached = await ls.analysis(uri)
    a = cached.analysis if cached is not None else None
    if a is None or a.doc is None or a.path is None or a.dialect != "claude-memory":
        return []
    from agentls.rules.claude_memory import links

    lines = a.doc.lines
    p = ls.workspace.position_codec.position_from_client_units(lines, params.position)
    here = Position(p.line, p.character)
    found = await asyncio.to_thread(links, a.doc, a.path)  # reads the disk
    start = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
    return [
        lsp.Location(from_fs_path(i.target) or i.target, start)
        for i in found
        if i.range.contains(here)
    ]


def _location(ls: AgentlsServer, lines: dict[str, list[str]], e: IndexEntry) -> lsp.Location:
    uri = from_fs_path(e.path) or e.path
    if e.name_range is None:
        return lsp.Location(uri, lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)))
    return lsp.Location(uri, _range(ls, lines, e.path, e.name_range))


async def _locations(ls: AgentlsServer, entries: Sequence[IndexEntry]) -> list[lsp.Location]:
    lines = await _lines_of(ls, {e.path for e in entries if e.name_range is not None})
    return [_location(ls, lines, e) for e in entries]


def agent_info(e: IndexEntry) -> AgentInfo:
    return AgentInfo(
        name=e.name,
        dialect=e.dialect,
        kind=e.kind,
        scope=e.scope,  # type: ignore[arg-type]
        uri=from_fs_path(e.path) or e.path,
        path=e.path,
        description=e.description,
        model=e.model,
        tools=e.tools,
        loads=e.loads,
        errors=e.errors,
        warnings=e.warnings,
    )


_SYMBOL_KINDS = {
    "agent": lsp.SymbolKind.Class,
    "copilot-agent": lsp.SymbolKind.Class,
    "skill": lsp.SymbolKind.Function,
    "command": lsp.SymbolKind.Function,
}


class WorkspaceIndexFeature(Feature):
    name = "index"

    def initialized(self, ls: AgentlsServer) -> None:
        threading.Thread(target=_warm_imports, name="agentls-warm-imports", daemon=True).start()
        from agentls.lsp.configuration import watches_files

        if watches_files(ls):
            _spawn(ls, _register_watchers(ls))
        start_build(ls)

    def opened(self, ls: AgentlsServer, uri: str) -> None:
        if ls.state.index.ready.is_set():
            _spawn(ls, _sync_open(ls, uri))

    changed = opened

    def closed(self, ls: AgentlsServer, uri: str) -> None:
        # What the editor held no longer counts: the entry leaves the index at once (a file
        # that never was on disk is gone for the next request), and comes back from disk.
        st = ls.state.index
        st.synced.pop(uri, None)
        index = st.built()
        path = ls.path_of(uri)
        if index is None or path is None:
            return
        old = index.entries.get(path)
        _refresh(ls, index.remove(path))
        _spawn(ls, _closed(ls, uri, path, old.scope if old else "project"))

    def watched_files_changed(self, ls: AgentlsServer, changes: Sequence[lsp.FileEvent]) -> None:
        changes = [
            c for c in changes if os.path.basename(ls.path_of(c.uri) or "") not in CONFIG_FILES
        ]
        if changes:
            _spawn(ls, _watched(ls, changes))

    def project_configuration_changed(
        self, ls: AgentlsServer, uris: Collection[str], on_disk: bool
    ) -> None:
        if on_disk:
            rebuild(ls)

    def configuration_changed(self, ls: AgentlsServer) -> None:
        # the `dialects` setting decides which files are definitions: found again
        if ls.state.settings.dialects != ls.state.index.dialects:
            rebuild(ls)

    def shutdown(self, ls: AgentlsServer) -> None:
        st = ls.state.index
        for task in [*st.tasks, *([st.task] if st.task else [])]:
            task.cancel()

    def findings(self, ls: AgentlsServer, uri: str, cached: Cached) -> Sequence[Finding]:
        """Findings of ``uri`` that depend on other files (none until the index is built)."""
        index = ls.state.index.built()
        path = ls.path_of(uri)
        if index is None or path is None:
            return []
        sync_document(ls, uri, cached, publishing=True)
        return index.findings_for(path)

    def register(self, server: AgentlsServer) -> None:
        @server.feature(AGENTS)
        async def agents(ls: AgentlsServer, params: AgentsParams | None) -> AgentsResult:
            index = await _ready(ls)
            for uri in ls.open_uris():
                cached = await ls.analysis(uri)
                if cached is not None:
                    sync_document(ls, uri, cached)
            return AgentsResult([agent_info(e) for e in index.all()])

        @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
        async def definition(ls: AgentlsServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
            index, sym = await _symbol(ls, params)
            if sym is None:
                return await _import_target(ls, params)
            return await _locations(ls, index.definitions(sym.kind, sym.name))

        @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
        async def references(ls: AgentlsServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
            index, sym = await _symbol(ls, params)
            if sym is None:
                return []
            out = []
            if params.context.include_declaration:
                out += await _locations(ls, index.definitions(sym.kind, sym.name))
            refs = index.references(sym.kind, sym.name)
            lines = await _lines_of(ls, {path for path, _, _ in refs})
            for path, rng, _ in refs:
                out.append(lsp.Location(from_fs_path(path) or path, _range(ls, lines, path, rng)))
            return out

        @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
        async def prepare_rename(
            ls: AgentlsServer, params: lsp.PrepareRenameParams
        ) -> lsp.PrepareRenamePlaceholder | None:
            index, sym = await _symbol(ls, params)
            if sym is None or not index.definitions(sym.kind, sym.name):
                return None
            path = ls.path_of(params.text_document.uri) or ""
            lines = await _lines_of(ls, [path])
            return lsp.PrepareRenamePlaceholder(
                range=_range(ls, lines, path, sym.range), placeholder=sym.name
            )

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
            texts = await _texts_of(ls, edits)
            doc_changes: list[Any] = []
            for path, items in sorted(edits.items()):
                uri = from_fs_path(path) or path
                open_doc = ls.open_document(uri)
                tes: list[lsp.TextEdit | lsp.AnnotatedTextEdit | lsp.SnippetTextEdit] = []
                tes += text_edits_for(
                    ls.workspace.position_codec,
                    texts[path],
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
                exists = await asyncio.to_thread(
                    lambda: {new_path for _, new_path in renames if os.path.exists(new_path)}
                )
                for old, new_path in renames:
                    if new_path not in exists:
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
            entries = index.symbols(params.query)
            return [
                lsp.WorkspaceSymbol(
                    name=e.name,
                    kind=_SYMBOL_KINDS.get(e.kind, lsp.SymbolKind.Object),
                    location=loc,
                    container_name=f"{e.scope} {e.dialect}",
                )
                for e, loc in zip(entries, await _locations(ls, entries), strict=True)
            ]


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
