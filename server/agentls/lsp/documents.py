"""The analysis of each document, computed once per version, and never a long one on the loop.

Every feature asks :meth:`DocumentStore.analysis` for the analysis of a document's current
text. A document that is small and was quick to analyse last time is analysed on the event
loop, as before (a thread hop would add ~0.1–0.2 ms to every keystroke of a 6 KB agent); a
large one (over ``INLINE_CHARS``) or one whose last analysis took longer than ``SLOW`` goes
to a worker thread, so that requests on other documents keep being answered: the analysis is
Python code, which hands the GIL back to the loop every millisecond (``sys.setswitchinterval``
in :func:`agentls.lsp.server.start`). A 1 MB agent with 110,000 unknown tool names took
34 s to analyse while a hover on another document waited 72 s; see bench/bench_responsive.py
for the figures now.

Versioning: an analysis is stored for the text it was computed from; a request for a newer
version cancels the older one if it has not started (one worker: they queue) and a finished
stale one is never stored over a newer one. Documents the client has not opened are read from
disk in the worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from agentls.config.discovery import ConfigStore
    from agentls.engine import Analysis  # imported when first needed: start-up time
    from agentls.lsp.server import AgentlsServer

log = logging.getLogger("agentls")

T = TypeVar("T")

INLINE_CHARS = 128 * 1024  # the 64 KB agent of bench_diagnostics stays on the loop
SLOW = 0.03  # seconds: an analysis this long goes to the worker next time


@dataclass(slots=True)
class Cached:
    version: int | None
    text: str
    analysis: Analysis
    seconds: float = 0.0  # how long the analysis took


@dataclass(slots=True)
class _Job:
    version: int | None
    text: str
    future: asyncio.Future[Cached | None]


@dataclass
class DocumentStore:
    analyses: dict[str, Cached] = field(default_factory=dict)
    cost: dict[str, float] = field(default_factory=dict)  # uri -> seconds of the last analysis
    _jobs: dict[str, _Job] = field(default_factory=dict)
    _generation: int = 0  # bumped when settings change: older results are not stored
    _pool: ThreadPoolExecutor | None = None
    _warm: bool = False

    # ----------------------------------------------------------------- reading

    def current(self, ls: AgentlsServer, uri: str) -> Cached | None:
        """The stored analysis of ``uri`` if it is of the current text (never computes)."""
        cached = self.analyses.get(uri)
        doc = ls.open_document(uri)
        if cached is None or doc is None:
            return None
        return cached if cached.version == doc.version and cached.text is doc.source else None

    def on_loop(self, uri: str, text: str, times: int = 1) -> bool:
        """Whether ``times`` analyses of ``text`` are cheap enough for the event loop."""
        return len(text) <= INLINE_CHARS and self.cost.get(uri, 0.0) * max(times, 1) < SLOW

    async def analysis(self, ls: AgentlsServer, uri: str) -> Cached | None:
        """The analysis of the current text of ``uri`` (None: it cannot be read)."""
        doc = ls.open_document(uri)
        if doc is None:
            return await self._from_disk(ls, uri)
        text, version = doc.source, doc.version
        cached = self.analyses.get(uri)
        if cached is not None and cached.version == version and cached.text is text:
            return cached
        job = self._jobs.get(uri)
        if job is not None:
            if job.version == version and job.text is text:
                return await asyncio.shield(job.future)
            job.future.cancel()  # superseded; a running analysis finishes unstored
        path = ls.path_of(uri)
        dialect = ls.state.settings.dialect_for(path)
        configs = ls.state.configs
        if self.on_loop(uri, text):
            cached = _analyze(text, version, path, dialect, configs)
            return self._store(uri, cached, self._generation)
        generation = self._generation
        future = asyncio.get_running_loop().run_in_executor(
            self._executor(), _analyze, text, version, path, dialect, configs
        )
        job = self._jobs[uri] = _Job(version, text, asyncio.ensure_future(future))
        try:
            result = await asyncio.shield(job.future)
        finally:
            if self._jobs.get(uri) is job:
                del self._jobs[uri]
        return self._store(uri, result, generation) if result is not None else None

    async def run(self, uri: str, text: str, fn: Callable[..., T], *args: Any, times: int = 1) -> T:
        """``fn(*args)``, which costs about ``times`` analyses of ``text``: on the loop when
        that is cheap, else in the worker."""
        if self.on_loop(uri, text, times):
            return fn(*args)
        return await asyncio.get_running_loop().run_in_executor(self._executor(), fn, *args)

    # ----------------------------------------------------------------- forgetting

    def forget(self, uri: str) -> None:
        self.analyses.pop(uri, None)
        self.cost.pop(uri, None)
        job = self._jobs.pop(uri, None)
        if job is not None:
            job.future.cancel()

    @property
    def generation(self) -> int:
        """Bumped whenever what decides an analysis besides the text changed."""
        return self._generation

    def clear(self) -> None:
        """Forget every analysis (the settings that decide dialects, or a project
        configuration, changed)."""
        self._generation += 1
        self.analyses.clear()

    def shutdown(self) -> None:
        for job in self._jobs.values():
            job.future.cancel()
        self._jobs.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    # ----------------------------------------------------------------- computing

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            # one worker: analyses of large documents queue instead of sharing the GIL
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="agentls-analysis")
        return self._pool

    def _store(self, uri: str, cached: Cached, generation: int) -> Cached:
        if self._warm:
            self.cost[uri] = cached.seconds
        self._warm = True  # the first analysis also loads the engine and its data: not a cost
        if generation != self._generation:
            return cached  # computed under settings since replaced
        old = self.analyses.get(uri)
        if old is None or old.version is None or (cached.version or 0) >= old.version:
            self.analyses[uri] = cached
        return cached

    async def _from_disk(self, ls: AgentlsServer, uri: str) -> Cached | None:
        path = ls.path_of(uri)
        if path is None:
            return None
        dialect = ls.state.settings.dialect_for(path)
        configs = ls.state.configs

        def read_and_analyze() -> Cached | None:
            text = read_unopened(path)
            return None if text is None else _analyze(text, None, path, dialect, configs)

        return await asyncio.get_running_loop().run_in_executor(self._executor(), read_and_analyze)


def read_unopened(path: str) -> str | None:
    """A file the client has not opened, read like every workspace file (regular files
    only, size-capped: agentls.fsread); call it off the event loop."""
    from agentls.fsread import read_text
    from agentls.lsp.guard import MAX_UNOPENED_BYTES

    return read_text(path, MAX_UNOPENED_BYTES)


def _analyze(
    text: str, version: int | None, path: str | None, dialect: str | None, configs: ConfigStore
) -> Cached:
    """The analysis of ``text``, settled by the project configuration of ``path`` and the
    file's suppression comments exactly as ``agentls check`` settles it."""
    from agentls.discovery import mcp_servers_for
    from agentls.document.jsontree import reuse_json_parses
    from agentls.document.model import reuse_frontmatter_parses
    from agentls.engine import analyze

    reuse_frontmatter_parses()  # documents being edited: see agentls.document.model
    reuse_json_parses()  # and agentls.document.jsontree
    start = time.perf_counter()
    policy = configs.policy_for(path)
    a = analyze(text, path, dialect, mcp_servers=mcp_servers_for(path), policy=policy)
    return Cached(version, text, a, time.perf_counter() - start)
