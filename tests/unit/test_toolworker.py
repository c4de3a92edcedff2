"""Grep and Glob with bounds (issue 14, class 5): a runaway regular expression is stopped
at its time budget or at once when cancelled, a glob never backtracks, caps are said."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from agentls.runner.globmatch import Glob, GlobError
from agentls.runner.sandbox import MAX_FILES_SCANNED, Sandbox
from agentls.runner.toolworker import ToolWorkers
from procs import alive

# Patterns that backtrack exponentially on the line below (each a known ReDoS shape).
REDOS = [
    "(.*.*)*=",
    "(a+)+$",
    "(a|a)*b",
    "(a|aa)+$",
    "(x+x+)+y",
    r"^(\w+\s?)*$",
    "(a*)*b",
    "((a+)+)+c",
    r"(\d+)*x",
    "(.*a){25}",
]
LINE = "a" * 40 + "!\n" + "1" * 40 + "!\n" + "x" * 40 + "\n" + "word " * 20 + "!\n"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "slow.txt").write_text(LINE)
    (root / "ok.py").write_text("x = 1\n")
    return root


@pytest.mark.parametrize("pattern", REDOS)
async def test_runaway_regex_is_stopped_at_the_budget(ws: Path, pattern: str) -> None:
    workers = ToolWorkers(budget=1.0)
    try:
        out, is_error = await workers.call("grep", ws, {"pattern": pattern})
        assert is_error and "took longer than 1 s and was stopped" in out, out
        # the next search gets a fresh worker and works
        out, is_error = await workers.call("grep", ws, {"pattern": "x = 1"})
        assert not is_error and out.startswith("ok.py:1:x = 1")
    finally:
        await workers.aclose()


async def test_cancel_stops_a_runaway_search(ws: Path) -> None:
    workers = ToolWorkers(budget=60.0)
    task = asyncio.ensure_future(workers.call("grep", ws, {"pattern": "(.*.*)*="}))
    while not workers.pids():  # the worker has started
        await asyncio.sleep(0)
    [pid] = workers.pids()
    await asyncio.sleep(0.3)  # well inside the regular expression by now
    t0 = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # killed by the cancel, not by the budget (60 s): within half of it (the time is a
    # figure of bench/bench_tools.py: a wall-time bound fails on a loaded machine)
    while alive(pid) and time.monotonic() - t0 < 30:
        await asyncio.sleep(0.001)
    print(f"runaway Grep stopped {(time.monotonic() - t0) * 1000:.1f} ms after the cancel")
    assert not alive(pid)
    assert workers.pids() == []
    await workers.aclose()


async def test_worker_is_reused_and_closed(ws: Path) -> None:
    workers = ToolWorkers()
    await workers.call("glob", ws, {"pattern": "*.py"})
    [pid] = workers.pids()
    out, _ = await workers.call("glob", ws, {"pattern": "*.py"})
    assert out == "ok.py" and workers.pids() == [pid]
    await workers.aclose()
    assert not alive(pid)


async def test_errors_come_back_as_answers(ws: Path) -> None:
    workers = ToolWorkers()
    try:
        out, is_error = await workers.call("grep", ws, {"pattern": "("})
        assert is_error and "invalid regular expression" in out
        out, is_error = await workers.call("grep", ws, {"pattern": "x", "path": "../"})
        assert is_error and "refused" in out
    finally:
        await workers.aclose()


# ---------------------------------------------------------------- globs

GLOB_BOMBS = [
    "*?" * 12 + "Z",
    "*a" * 20 + "b",
    "**/" * 12 + "*x",
    "*" * 200 + "z",
    "?*" * 30,
    "a*b*c*d*e*f*g*h*i*j*k*l*m*n*o*p*q*r*s*t*u*v*w*x*y*z",
    "{a,b}*{a,b}*{a,b}*{a,b}*{a,b}*{a,b}*{a,b}*z",
]


@pytest.mark.parametrize("pattern", GLOB_BOMBS)
def test_glob_patterns_never_backtrack(tmp_path: Path, pattern: str) -> None:
    root = tmp_path / "ws"
    deep = root / "/".join(["a" * 30] * 8)
    deep.mkdir(parents=True)
    (deep / ("ab" * 60 + ".txt")).write_text("x")
    (root / ("a" * 200)).write_text("x")
    t0 = time.perf_counter()
    out = Sandbox(root).glob(pattern)
    elapsed = time.perf_counter() - t0
    assert elapsed < 60, (pattern, elapsed)  # backtracking over these names takes hours
    assert out.startswith(("No files found", "a"))


def test_glob_semantics() -> None:
    cases = [
        ("**/*.py", "src/a/b.py", True),
        ("**/*.py", "a.py", True),
        ("*.py", "src/a.py", True),  # no slash: the file name
        ("src/*.py", "src/a/b.py", False),
        ("src/**/*.py", "src/b.py", True),
        ("src/**/test_*.py", "src/x/y/test_z.py", True),
        ("*.{py,ts}", "web/app.ts", True),
        ("a?c", "abc", True),
        ("a?c", "a/c", False),
        ("src/**", "src/a/b", True),
        ("src/**/*.ts", "lib/a.ts", False),
    ]
    for pattern, rel, want in cases:
        assert Glob.compile(pattern).match(rel) is want, (pattern, rel)
    with pytest.raises(GlobError, match="alternatives"):
        Glob.compile("{a,b}" * 9)


# ---------------------------------------------------------------- caps are said


def test_caps_are_said_not_silent(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "many").mkdir(parents=True)
    for i in range(MAX_FILES_SCANNED + 50):
        (root / "many" / f"f{i:05}.txt").write_text("nothing here\n")
    box = Sandbox(root)
    out = box.glob("**/*.py")
    assert out == "No files found\n[stopped after 5,000 files: narrow the path or the pattern]"
    assert "stopped after 5,000 files" in box.grep("needle")
    assert box.grep("needle").startswith("No matches found")
    listed = box.glob("**/*.txt")
    assert listed.endswith("[results capped at 300: narrow the search]")
    past = time.monotonic() - 1  # a deadline already passed: partial results, said
    assert "ran out of time" in box.grep("nothing", deadline=past)
