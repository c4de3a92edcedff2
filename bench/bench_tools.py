"""Grep and Glob of agent runs in their worker process: what the worker costs, how fast a
runaway search stops.

- **per call**: a Grep of one file, a normal Grep (a word over 300 small files) and a Glob
  (``**/*.py``), through
  the worker (warm: the run's second search onwards) against the same call in this process
  (what agentls did before the worker, in a thread); the difference is the worker's
  overhead per call (one pipe round trip, JSON both ways);
- **first call**: the same Grep when the run's worker has to start first (once per run);
- **stop**: a Grep with ``(.*.*)*=`` (backtracks for minutes) is cancelled while it runs;
  the time from ``cancel()`` to the awaiting task's end, and to the worker's exit;
- **stream**: a run whose reply stream stalls (the fake Messages API) is cancelled; the time
  from ``cancel()`` to the API seeing the connection dropped.

    python bench/bench_tools.py [--runs 30] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from agentls.runner.sandbox import Sandbox  # noqa: E402
from agentls.runner.toolworker import ToolWorkers  # noqa: E402
from procs import alive, tool_workers  # noqa: E402


def _workspace(root: Path) -> None:
    for i in range(30):
        pkg = root / f"pkg{i}"
        pkg.mkdir(parents=True)
        for j in range(10):
            body = "".join(f"def f{k}(x):\n    return x + {k}\n" for k in range(20))
            (pkg / f"mod{j}.py").write_text(body + ("# needle\n" if j == 3 else ""))
    (root / "slow.txt").write_text("a" * 40 + "!\n")


def _ms(xs: list[float]) -> str:
    return f"median {statistics.median(xs) * 1000:.2f} ms, p95 {_p95(xs) * 1000:.2f} ms"


def _p95(xs: list[float]) -> float:
    return sorted(xs)[min(len(xs) - 1, int(len(xs) * 0.95))]


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        _workspace(ws)
        box = Sandbox(ws)
        workers = ToolWorkers()
        one = "pkg0/mod3.py"
        calls = {
            "grep, 1 file": (
                "grep",
                {"pattern": "needle", "path": one},
                lambda: box.grep("needle", one),
            ),
            "grep, 300 files": ("grep", {"pattern": "needle"}, lambda: box.grep("needle")),
            "glob, 300 files": ("glob", {"pattern": "**/*.py"}, lambda: box.glob("**/*.py")),
        }
        await workers.call("grep", ws, {"pattern": "warm"})
        for name, (op, args, direct) in calls.items():
            inproc, worker = [], []
            for _ in range(runs):  # interleaved, so drift weighs on both alike
                t0 = time.perf_counter()
                await asyncio.to_thread(direct)
                inproc.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                await workers.call(op, ws, args)
                worker.append(time.perf_counter() - t0)
            extra = statistics.median(worker) - statistics.median(inproc)
            print(f"{name:16} in this process (thread): {_ms(inproc)}")
            print(f"{name:16} in the warm worker:       {_ms(worker)}")
            print(f"{name:16} worker overhead per call: median {extra * 1000:+.2f} ms")
        await workers.aclose()

        first = []
        for _ in range(max(3, runs // 5)):
            fresh = ToolWorkers()
            t0 = time.perf_counter()
            await fresh.call("grep", ws, {"pattern": "needle"})
            first.append(time.perf_counter() - t0)
            await fresh.aclose()
        print(f"grep, first call of a run (worker start): {_ms(first)}")

        ended, gone = [], []
        for _ in range(max(3, runs // 3)):
            fresh = ToolWorkers(budget=120)
            task = asyncio.ensure_future(fresh.call("grep", ws, {"pattern": "(.*.*)*="}))
            while not tool_workers(os.getpid()):
                await asyncio.sleep(0.005)
            [pid] = tool_workers(os.getpid())
            await asyncio.sleep(0.2)  # inside the regular expression
            t0 = time.perf_counter()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            ended.append(time.perf_counter() - t0)
            while alive(pid):
                await asyncio.sleep(0.0005)
            gone.append(time.perf_counter() - t0)
            await fresh.aclose()
        print(f"runaway grep, cancel -> task ended:  {_ms(ended)}")
        print(f"runaway grep, cancel -> worker gone: {_ms(gone)}")
        print(f"stalled stream, cancel -> dropped:  {_ms(await _stream_cancel(ws, runs))}")


async def _stream_cancel(ws: Path, runs: int) -> list[float]:
    """Seconds from cancelling a run to the API seeing its stalled stream dropped."""
    from agentls.runner.definitions import AgentDef
    from agentls.runner.runtime import RunEvent, RunRequest, RunSettings, run_agent
    from agentls.types import Range
    from fakes import fake_messages_api as fake

    (ws / "src").mkdir(exist_ok=True)
    (ws / "src" / "app.py").write_text("".join(f"x{i} = {i}\n" for i in range(8)))
    agent = AgentDef("reviewer", Path("reviewer.md"), "project", "Review.", tools=["Read"])
    req = RunRequest.make(
        agent,
        "review",
        workspace=ws,
        file=ws / "src" / "app.py",
        text=(ws / "src" / "app.py").read_text(),
        selection=Range.of(3, 0, 6, 0),
        language="python",
        version=1,
    )
    out = []
    with fake.FakeMessagesAPI() as api:
        settings = RunSettings(api_key=fake.FAKE_KEY, base_url=api.base_url, max_retries=0)
        for i in range(max(3, runs // 3)):
            api.script(fake.text("partial ", stall_after=3))
            got = asyncio.Event()

            def sink(ev: RunEvent, got: asyncio.Event = got) -> None:
                if ev.kind == "delta":
                    got.set()

            task = asyncio.ensure_future(run_agent(req, settings, sink))
            await asyncio.wait_for(got.wait(), 30)
            t0 = time.monotonic()  # the fake API stamps the drop with time.monotonic()
            task.cancel()
            dropped = await api.wait_disconnect(i, timeout=60)
            with contextlib.suppress(asyncio.CancelledError):
                await task
            out.append(dropped - t0)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="a few runs only (CI)")
    ns = parser.parse_args()
    asyncio.run(main(5 if ns.quick else ns.runs))
