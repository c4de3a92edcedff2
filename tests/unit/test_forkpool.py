"""agentls.forkpool: forked workers that ask for batches (the pool of ``agentls check -j``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.unit.test_cli import _many

import agentls.check as check
import agentls.scheduling as scheduling
from agentls import forkpool
from agentls.forkpool import ForkPool

pytestmark = pytest.mark.skipif(not forkpool.available(), reason="fork pool: Linux only")


def _drain(pool: ForkPool, batches: dict[int, Any]) -> dict[int, tuple[bool, Any]]:
    todo = list(batches)
    done: dict[int, tuple[bool, Any]] = {}
    while todo or pool.busy():
        for w in pool.idle():
            if todo:
                key = todo.pop(0)
                assert pool.give(w, key, batches[key])
        for key, ok, payload in pool.poll(None):
            done[key] = (ok, payload)
    return done


def _square_all(xs: list[int]) -> list[int]:
    if -1 in xs:
        raise ValueError("bad batch")
    if -2 in xs:
        os._exit(3)  # the worker dies
    return [x * x for x in xs]


def test_results_errors_and_a_lost_worker() -> None:
    batches: dict[int, Any] = {i: list(range(i * 10, i * 10 + 10)) for i in range(20)}
    batches[5] = [1, -1]
    batches[9] = [2, -2]
    with ForkPool(2, _square_all) as pool:
        pids = [w.pid for w in pool.workers]
        done = _drain(pool, batches)
        assert done[5] == (False, "ValueError('bad batch')")
        assert done[9] == (False, "worker lost")
        for key, xs in batches.items():
            if key not in (5, 9):
                assert done[key] == (True, [x * x for x in xs])
        assert len(pool.idle()) == 1  # one worker died, the other goes on
    for pid in pids:  # every worker has been reaped: no zombies left
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_large_results_pass_through_the_pipe() -> None:
    with ForkPool(1, lambda n: "x" * n) as pool:
        done = _drain(pool, {0: 5_000_000, 1: 10})
    assert done[0] == (True, "x" * 5_000_000) and done[1] == (True, "x" * 10)


def _checked(ws: Path, jobs: int, capsys: pytest.CaptureFixture[str]) -> str:
    assert check.run_check([str(ws)], "json", "error", None, jobs=jobs) == 1
    return capsys.readouterr().out


def test_check_survives_a_worker_that_dies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = _many(tmp_path, 200, others=64)
    alone = _checked(ws, 1, capsys)
    original = scheduling._check_batch

    def dies(paths: list[str], forced: str | None) -> list[Any]:
        if any(p.endswith("f007.md") for p in paths):
            os._exit(9)
        return original(paths, forced)

    monkeypatch.setattr(scheduling, "_check_batch", dies)
    assert _checked(ws, 3, capsys) == alone


def test_the_executor_path_where_fork_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = _many(tmp_path, 150, others=40)
    alone = _checked(ws, 1, capsys)
    monkeypatch.setattr(forkpool, "available", lambda: False)
    assert _checked(ws, 2, capsys) == alone
