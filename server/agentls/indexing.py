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

from collections.abc import Iterable
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


def _own_configs() -> ConfigStore:
    """The configurations of a worker process (spawned for one build: read once there)."""
    global _configs
    if _configs is None:
        from agentls.config.discovery import ConfigStore

        _configs = ConfigStore()
    return _configs


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


def _entry_of(item: tuple[str, str, str | None]) -> IndexEntry | Skipped | None:
    return read_entry(*item)


def build_index(
    folders: Iterable[str],
    *,
    user: bool = True,
    bundled: bool = True,
    jobs: int = 1,
    configs: ConfigStore | None = None,
) -> WorkspaceIndex:
    """Index every file of ``folders`` (and the user's and bundled ones); with ``jobs`` > 1
    and many files, in that many worker processes (spawned: the caller may have threads;
    each reads the configurations again). ``configs``: as :func:`read_entry`."""
    skipped: list[Skipped] = []
    items = list(index_files(folders, INDEXED, user=user, bundled=bundled, skipped=skipped))
    index = WorkspaceIndex()
    results: Iterable[IndexEntry | Skipped | None]
    if jobs > 1 and len(items) >= PARALLEL_FROM:
        from agentls.scheduling import map_spawned

        results = map_spawned(_entry_of, items, jobs)
    else:
        results = (read_entry(*item, configs=configs) for item in items)
    for e in results:  # a fresh index: no dependents to compute (put() is O(n) each)
        if isinstance(e, Skipped):
            skipped.append(e)
        elif e is not None:
            index.entries[e.path] = e
    index.skipped = skipped
    index.generation += 1
    return index
