"""Scheduling the analyses of many files over processes: ``agentls check -j`` (forked workers
that ask for batches, or a process pool elsewhere) and the index build (spawned workers).

Results come back in the order of the files, so the output does not depend on the schedule.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from agentls.check import FileResult, check_file
from agentls.dialects.registry import detect_dialect

T = TypeVar("T")
R = TypeVar("R")

POOL_FROM = 64  # files; fewer are checked in this process
BATCH = 32  # files per task
QUEUED = 8  # batches waiting per worker before this process checks one itself


def check_all(files: Iterable[str], dialect: str | None, jobs: int) -> list[FileResult]:
    """Check ``files``; results in the same order. With ``jobs`` > 1 and enough files,
    ``jobs - 1`` worker processes and this one share the work while this one walks the tree.

    The workers are forked before the engine is imported, so that a worker's import and
    this process's run on two cores at once. Files are batched by kind: batches of Claude
    Code agents, which need PyYAML and the Claude rules, and batches of every other
    dialect, which also need jsonschema (~0.1 s to import). Other batches go to the
    workers first; this process checks Claude agent batches itself, and so never imports
    jsonschema unless it is worth it. On Linux the workers are a :class:`ForkPool` that
    asks for batches (:func:`_check_forked`); elsewhere a ``ProcessPoolExecutor`` whose
    batches no worker has started are taken back when the walk ends."""
    it = iter(files)
    head = list(itertools.islice(it, POOL_FROM))
    if jobs <= 1 or len(head) < POOL_FROM:
        return [check_file(f, dialect) for f in itertools.chain(head, it)]
    from agentls import forkpool

    if forkpool.available():
        return _check_forked(itertools.chain(head, it), dialect, jobs - 1)
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    # fork where it is safe (Linux; no threads here yet): workers start at once; elsewhere
    # the platform's default.
    ctx = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    workers = jobs - 1
    results: list[FileResult | None] = []
    sent: list[tuple[Future[list[FileResult]], list[int], list[str], bool]] = []
    local_schemas = False  # whether this process has checked a non-Claude file

    def local(idx: list[int], paths: list[str], claude: bool) -> None:
        nonlocal local_schemas
        local_schemas = local_schemas or not claude
        for i, p in zip(idx, paths, strict=True):
            results[i] = check_file(p, dialect)

    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:

        def dispatch(claude: bool, idx: list[int], paths: list[str]) -> None:
            queued = sum(1 for f, *_ in sent[-QUEUED * workers * 4 :] if not f.done())
            hungry = queued < QUEUED * workers
            if hungry or (not claude and not local_schemas):
                sent.append((pool.submit(_check_batch, paths, dialect), idx, paths, claude))
            else:
                local(idx, paths, claude)

        for claude, idx, paths in _kind_batches(itertools.chain(head, it), dialect, results):
            dispatch(claude, idx, paths)
        # The walk is over: take back, from the end, the batches no worker has started
        # (other dialects only when this process already has jsonschema, or there are
        # many of them).
        unstarted_other = sum(1 for f, *_r, c in sent if not c and not (f.running() or f.done()))
        for fut, idx, paths, claude in reversed(sent):
            if (claude or local_schemas or unstarted_other >= 10) and fut.cancel():
                local(idx, paths, claude)
        for fut, idx, _paths, _claude in sent:
            if not fut.cancelled():
                for i, r in zip(idx, fut.result(), strict=True):
                    results[i] = r
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def _check_forked(files: Iterator[str], dialect: str | None, workers: int) -> list[FileResult]:
    """:func:`check_all` with :class:`agentls.forkpool.ForkPool` (Linux): workers ask for
    batches, so none waits while work is queued elsewhere, and this process takes Claude
    agent batches (and schema-dialect batches once it has jsonschema, or when many are
    left) between feeding them."""
    from collections import deque

    from agentls.forkpool import ForkPool

    results: list[FileResult | None] = []
    batches: dict[int, tuple[list[int], list[str], bool]] = {}
    pending: dict[bool, deque[int]] = {True: deque(), False: deque()}
    redo: list[int] = []
    local_schemas = False

    def work(paths: list[str]) -> list[FileResult]:
        return _check_batch(paths, dialect)

    with ForkPool(workers, work) as pool:

        def service(timeout: float | None = 0) -> None:
            for key, ok, payload in pool.poll(timeout):
                if ok:
                    for i, r in zip(batches[key][0], payload, strict=True):
                        results[i] = r
                else:  # checked here: an error then surfaces as without workers
                    redo.append(key)
            for w in pool.idle():
                queue = pending[False] or pending[True]
                if not queue:
                    break
                key = queue.popleft()
                if not pool.give(w, key, batches[key][1]):
                    queue.appendleft(key)

        def local(key: int) -> None:
            nonlocal local_schemas
            idx, paths, claude = batches[key]
            local_schemas = local_schemas or not claude
            for i, p in zip(idx, paths, strict=True):
                results[i] = check_file(p, dialect)
                service()  # keep the workers fed

        for claude, idx, paths in _kind_batches(files, dialect, results):
            batches[len(batches)] = (idx, paths, claude)
            pending[claude].append(len(batches) - 1)
            service()
        while pending[True] or pending[False] or redo or pool.busy():
            service()
            alive = bool(pool.idle()) or pool.busy() > 0
            if redo:
                local(redo.pop())
            elif pending[True]:
                local(pending[True].pop())  # from the end: workers take from the front
            elif pending[False] and (local_schemas or len(pending[False]) >= 10 or not alive):
                local(pending[False].pop())
            else:
                service(None)  # nothing for this process: wait for a worker
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def _kind_batches(
    files: Iterable[str], dialect: str | None, results: list[FileResult | None]
) -> Iterator[tuple[bool, list[int], list[str]]]:
    """``(claude, indexes, paths)``: batches of up to BATCH files of one kind (Claude Code
    agents, or the dialects checked with schemas), as the walk fills them; each file gets a
    slot in ``results`` (its index)."""
    from agentls.dialects.registry import CLAUDE_AGENT

    current: dict[bool, tuple[list[int], list[str]]] = {True: ([], []), False: ([], [])}
    for path in files:
        kind = dialect or detect_dialect(os.path.abspath(path))
        claude = kind == CLAUDE_AGENT or kind is None
        idx, paths = current[claude]
        idx.append(len(results))
        paths.append(path)
        results.append(None)
        if len(paths) >= BATCH:
            yield claude, idx, paths
            current[claude] = ([], [])
    for claude, (idx, paths) in current.items():
        if paths:
            yield claude, idx, paths


def _check_batch(paths: list[str], forced: str | None) -> list[FileResult]:
    return [_check_slim(p, forced) for p in paths]


def _check_slim(path: str, forced: str | None) -> FileResult:
    """:func:`check_file` in a worker process. Sending the document model back cost about
    as much CPU as the analysis itself (31 MB pickled for the corpus); send the index entry."""
    r = check_file(path, forced)
    if r.analysis.doc is not None:
        from agentls.index import entry_from_analysis

        r.entry = entry_from_analysis(r.analysis, "project")
        r.slim = True
        r.analysis.doc = None
        r.analysis.json = None
    return r


def map_spawned(fn: Callable[[T], R], items: list[T], jobs: int) -> list[R]:
    """``[fn(x) for x in items]`` in ``jobs`` spawned worker processes (spawned, not forked:
    the caller may have threads, e.g. the language server's index thread); in this process
    when a pool cannot start (a ``__main__`` that cannot be imported again)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("spawn")
    chunk = max(16, len(items) // (jobs * 8))
    try:
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            return list(pool.map(fn, items, chunksize=chunk))
    except (BrokenProcessPool, OSError):
        return [fn(x) for x in items]
