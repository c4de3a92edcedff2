"""Building the workspace index from the files on disk: found by :mod:`agentls.discovery`,
read by :mod:`agentls.fsread`, analysed by the engine; in worker processes for large
workspaces. The files that could not be read are kept with the reason
(:attr:`agentls.index.WorkspaceIndex.skipped`), so that ``agentls agents`` and the server
say so instead of leaving them out without a word.

Each file is analysed with its project configuration, as ``check`` analyses it: a file the
configuration excludes is no entry, ``dialects`` and ``claude-code-version`` apply, and the
counts of errors and warnings are of what is reported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from agentls.discovery import Skipped, index_files
from agentls.engine import analyze
from agentls.fsread import read_file
from agentls.index import INDEXED, IndexEntry, WorkspaceIndex, entry_from_analysis

if TYPE_CHECKING:
    from agentls.config.discovery import ConfigStore

# Larger files are not indexed (Claude Code skips agent files over 1 MiB; the engine
# analyses at most 4 MiB of characters).
MAX_FILE = 2 * 1024 * 1024
PARALLEL_FROM = 1000  # files; below this, starting worker processes costs more than it saves


def read_text(path: str) -> str | None:
    """The text of a file the index reads (None: not read, see :func:`read_entry`)."""
    return read_file(path, MAX_FILE).text()


_configs: ConfigStore | None = None
# a worker's configurations, with the editor texts they were given (see _entry_with)
_worker: tuple[tuple[tuple[str, str], ...], ConfigStore] | None = None


def _own_configs() -> ConfigStore:
    """The configurations of this process when the caller has none (``agentls agents``)."""
    global _configs
    if _configs is None:
        from agentls.config.discovery import ConfigStore

        _configs = ConfigStore()
    return _configs


def _worker_configs(texts: tuple[tuple[str, str], ...]) -> ConfigStore:
    """The configurations of a worker process (spawned for one build: read once there),
    holding the configuration texts the server's editor buffers hold: a worker reads the
    rest from disk, as the server does."""
    global _worker
    if _worker is None or _worker[0] != texts:
        from agentls.config.discovery import ConfigStore

        store = ConfigStore()
        for path, text in texts:
            store.set_text(path, text)
        _worker = (texts, store)
    return _worker[1]


def read_entry(
    path: str,
    scope: str = "project",
    dialect: str | None = None,
    configs: ConfigStore | None = None,
) -> IndexEntry | Skipped | None:
    """The index entry of the file ``path``, or why it could not be read (None: it is not a
    file of an indexed dialect, or it is excluded). ``configs``: where the project
    configurations are read (the server's own; by default this process')."""
    policy = (configs or _own_configs()).policy_for(path)
    if policy.excluded is not None:
        return None  # not even read
    got = read_file(path, MAX_FILE)
    text = got.text()
    if text is None:
        return Skipped(path, f"not read: {got.problem}")
    return entry_from_analysis(analyze(text, path, dialect, policy=policy), scope)


def _entry_with(
    texts: tuple[tuple[str, str], ...], item: tuple[str, str, str | None]
) -> IndexEntry | Skipped | None:
    return read_entry(*item, configs=_worker_configs(texts))


def build_index(
    folders: Iterable[str],
    *,
    user: bool = True,
    bundled: bool = True,
    jobs: int = 1,
    configs: ConfigStore | None = None,
    dialect_for: Callable[[str], str | None] | None = None,
) -> WorkspaceIndex:
    """Index every file of ``folders`` (and the user's and bundled ones); with ``jobs`` > 1
    and many files, in that many worker processes (spawned: the caller may have threads;
    each reads the configurations again, with the texts ``configs`` holds from editor
    buffers). ``configs``: as :func:`read_entry`; ``dialect_for``: the editor's ``dialects``
    setting (see :func:`agentls.discovery.index_files`)."""
    if configs is None:
        from agentls.config.discovery import ConfigStore

        configs = ConfigStore()  # read once for this build
    store = configs
    skipped: list[Skipped] = []
    found = index_files(
        folders,
        INDEXED,
        user=user,
        bundled=bundled,
        skipped=skipped,
        configs=store,
        dialect_for=dialect_for,
    )
    items = list(found)
    index = WorkspaceIndex()
    results: Iterable[IndexEntry | Skipped | None]
    if jobs > 1 and len(items) >= PARALLEL_FROM:
        from agentls.scheduling import map_spawned

        texts = tuple(sorted(store.editor_texts().items()))
        results = map_spawned(functools.partial(_entry_with, texts), items, jobs)
    else:
        results = (read_entry(*item, configs=store) for item in items)
    for e in results:  # a fresh index: no dependents to compute (put() is O(n) each)
        if isinstance(e, Skipped):
            skipped.append(e)
        elif e is not None:
            index.entries[e.path] = e
    index.skipped = skipped
    index.generation += 1
    return index
