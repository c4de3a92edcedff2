"""Grep and Glob in a worker process that can be stopped.

A regular expression can backtrack for longer than anyone waits (``(.*.*)*=`` on a
2-line file froze the server for 90 s, issue 14), and Python cannot interrupt ``re`` from
another thread: the thread that ran it kept running after a cancel, and ``asyncio.run``
then waited for it at exit, so Ctrl-C did nothing. A process can be killed. Each search
runs in a worker (``python -m agentls.runner.searchworker``: requests and answers are JSON
lines on its stdin and stdout) with a time budget: past it, or as soon as the awaiting task
is cancelled (``$/cancelRequest``, ``window/workDoneProgress/cancel``, Ctrl-C in
``agentls run``), the worker is killed (SIGKILL: a few milliseconds) and the model is told.
Inside the budget the worker stops on its own a little earlier, between files, and answers
with what it found so far.

Why a process rather than the ``regex`` module's timeout or RE2: no new dependency, every
Python regular expression keeps working, and a slow file system walk is bounded the same
way. Cost: the first search of a run starts the worker (~60 ms, once per run, while the
model waits for the answer anyway); each search after that pays one pipe round trip
(measured in bench/bench_tools.py). The worker runs in its own session, so a terminal's
Ctrl-C reaches agentls and not the worker, which agentls then kills.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_BUDGET = 15.0  # seconds a Grep or Glob may take, worker start included
SOFT_MARGIN = 0.8  # the worker answers with partial results at this share of the budget
MAX_IDLE = 2  # workers kept for the next search of the same run

_OPS = ("grep", "glob")


class ToolWorkers:
    """The search workers of one run; :meth:`aclose` kills them (await it when the run
    ends: a cancelled search's worker is killed at once and collected there)."""

    def __init__(self, budget: float = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self._idle: list[asyncio.subprocess.Process] = []
        self._busy: set[asyncio.subprocess.Process] = set()
        self._dying: set[asyncio.subprocess.Process] = set()
        self._next_id = 0

    async def call(self, op: str, root: Path, args: dict[str, Any]) -> tuple[str, bool]:
        """``(answer for the model, is_error)`` of ``Sandbox(root).<op>(**args)``."""
        if op not in _OPS:
            raise ValueError(op)
        start = time.monotonic()
        self._next_id += 1
        request = {
            "id": self._next_id,
            "op": op,
            "root": str(root),
            "args": args,
            "soft": self.budget * SOFT_MARGIN,
        }
        proc: asyncio.subprocess.Process | None = None
        try:
            proc = await asyncio.wait_for(self._take(), self.budget)
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(request).encode("ascii") + b"\n")
            await proc.stdin.drain()
            left = max(0.0, self.budget - (time.monotonic() - start))
            line = await asyncio.wait_for(proc.stdout.readline(), left)
        except TimeoutError:
            self._kill(proc)
            await self.aclose()
            return (
                f"The {op.capitalize()} took longer than {self.budget:g} s and was stopped. "
                "Simplify the pattern (nested repetitions such as (a*)* backtrack without end) "
                "or narrow the path.",
                True,
            )
        except BaseException:  # cancelled (or the pipe broke): the search stops now
            self._kill(proc)
            raise
        if not line:  # the worker died
            self._kill(proc)
            return f"The {op.capitalize()} failed: its worker process ended unexpectedly.", True
        self._release(proc)
        reply = json.loads(line)
        if "error" in reply:
            return str(reply["error"]), True
        return str(reply["out"]), False

    async def _take(self) -> asyncio.subprocess.Process:
        while self._idle:
            proc = self._idle.pop()
            if proc.returncode is None:
                self._busy.add(proc)
                return proc
        proc = await _spawn()
        self._busy.add(proc)
        return proc

    def _release(self, proc: asyncio.subprocess.Process) -> None:
        self._busy.discard(proc)
        if len(self._idle) < MAX_IDLE:
            self._idle.append(proc)
        else:
            self._kill(proc)

    def _kill(self, proc: asyncio.subprocess.Process | None) -> None:
        if proc is None:
            return
        self._busy.discard(proc)
        with contextlib.suppress(ProcessLookupError, OSError):
            proc.kill()
        self._dying.add(proc)

    def pids(self) -> list[int]:
        """The worker processes alive now (for tests and benchmarks)."""
        return [p.pid for p in (*self._idle, *self._busy) if p.returncode is None]

    async def aclose(self) -> None:
        """Kill every worker and collect its exit (SIGKILL: milliseconds; no zombie)."""
        for proc in [*self._idle, *self._busy]:
            self._kill(proc)
        self._idle.clear()
        dying, self._dying = self._dying, set()
        for proc in dying:
            with contextlib.suppress(ProcessLookupError, OSError):
                await proc.wait()


async def _spawn() -> asyncio.subprocess.Process:
    package_parent = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-S",  # the worker needs the standard library and agentls only: no site (~30 ms)
        "-m",
        "agentls.runner.searchworker",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
        start_new_session=True,  # a terminal's Ctrl-C goes to agentls, which kills us
    )
