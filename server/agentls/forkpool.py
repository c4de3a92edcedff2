"""Forked worker processes that ask for work: the pool behind ``agentls check -j``.

``concurrent.futures.ProcessPoolExecutor`` costs ~20 ms to import, starts a management
thread and feeder threads, and pushes tasks to its workers ahead of time, so a batch that
turns out to be better checked here cannot always be taken back. This pool is what the
check needs and no more: each worker is forked (Linux), reads a batch from its pipe,
writes the results back, and is then idle; the parent gives an idle worker its next batch
when it polls, and checks batches itself in between. A worker that dies has its batch
checked by the parent; one that fails on a batch sends the error and the parent checks
that batch itself (so the error surfaces as it would without workers).

Messages are pickles behind an 8-byte length, over one pipe each way per worker.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_HEADER = struct.Struct("<Q")


def available() -> bool:
    """Whether workers can be forked here (Linux: fork without exec is safe for our pure
    Python workers; macOS discourages it, Windows has no fork)."""
    import sys

    return sys.platform == "linux" and hasattr(os, "fork")


def _send(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exactly(fd: int, n: int) -> bytes | None:
    parts = []
    while n > 0:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def _recv(fd: int) -> Any:
    """The next message, or EOFError when the other end has closed."""
    head = _read_exactly(fd, _HEADER.size)
    if head is None:
        raise EOFError
    body = _read_exactly(fd, _HEADER.unpack(head)[0])
    if body is None:
        raise EOFError
    return pickle.loads(body)


@dataclass(slots=True)
class _Worker:
    pid: int
    tasks: int  # parent writes batches here
    results: int  # parent reads results here
    busy: Any = None  # the batch key being worked on
    alive: bool = True


@dataclass(slots=True)
class ForkPool:
    """``n`` forked workers running ``work(batch)`` for the batches given to them."""

    n: int
    work: Callable[[Any], Any]
    workers: list[_Worker] = field(default_factory=list)

    def __enter__(self) -> ForkPool:
        for _ in range(self.n):
            self._fork()
        return self

    def _fork(self) -> None:
        task_r, task_w = os.pipe()
        res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(task_w)
            os.close(res_r)
            for w in self.workers:  # other workers' pipes: their ends of file must show
                os.close(w.tasks)
                os.close(w.results)
            self._serve(task_r, res_w)
        os.close(task_r)
        os.close(res_w)
        self.workers.append(_Worker(pid, task_w, res_r))

    def _serve(self, task_r: int, res_w: int) -> None:
        code = 0
        try:
            while True:
                try:
                    key, batch = _recv(task_r)
                except EOFError:
                    break
                try:
                    _send(res_w, (key, True, self.work(batch)))
                except Exception as exc:  # the parent checks this batch itself
                    _send(res_w, (key, False, repr(exc)))
        except BaseException:  # interrupted, or the parent is gone
            code = 1
        finally:
            os._exit(code)  # never run the parent's atexit handlers or flush its buffers

    def idle(self) -> list[_Worker]:
        return [w for w in self.workers if w.alive and w.busy is None]

    def give(self, worker: _Worker, key: Any, batch: Any) -> bool:
        """Send ``batch`` to an idle worker; False when the worker is gone."""
        try:
            _send(worker.tasks, (key, batch))
        except OSError:
            self._lost(worker)
            return False
        worker.busy = key
        return True

    def busy(self) -> int:
        return sum(1 for w in self.workers if w.alive and w.busy is not None)

    def poll(self, timeout: float | None = 0) -> list[tuple[Any, bool, Any]]:
        """Finished batches: ``(key, ok, results or error)``; a lost worker's batch comes
        back as ``(key, False, "worker lost")``. Waits up to ``timeout`` (None: until one
        finishes) when nothing is ready."""
        busy = [w for w in self.workers if w.alive and w.busy is not None]
        if not busy:
            return []
        ready, _, _ = select.select([w.results for w in busy], [], [], timeout)
        out = []
        for w in busy:
            if w.results not in ready:
                continue
            key = w.busy
            try:
                got_key, ok, payload = _recv(w.results)
            except (EOFError, OSError, pickle.UnpicklingError):
                self._lost(w)
                out.append((key, False, "worker lost"))
                continue
            w.busy = None
            out.append((got_key, ok, payload))
        return out

    def _lost(self, worker: _Worker) -> None:
        worker.alive = False
        worker.busy = None
        for fd in (worker.tasks, worker.results):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(worker.pid, 0)

    def __exit__(self, *exc: object) -> None:
        for w in self.workers:
            if w.alive:
                self._lost(w)  # closing its task pipe ends it; then reaped
