"""Start-up: the collector is off while lsprotocol/pygls load and back on (with the start-up
objects frozen) once ``initialize`` has been answered. Left off, memory would only grow."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

SCRIPT = r"""
import gc, sys
import agentls.lsp.lifecycle as lc
from agentls.cli import main

original = lc.end_startup_gc

def probe():
    before = gc.isenabled()
    original()
    sys.stderr.write(f"PROBE {before} {gc.isenabled()} {gc.get_freeze_count()}\n")
    sys.stderr.flush()

lc.end_startup_gc = probe
sys.stderr.write(f"AT-START {gc.isenabled()}\n")
raise SystemExit(main(["lsp"]))
"""


def _frame(obj: dict[str, object]) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def test_collector_is_back_on_after_initialize(tmp_path: object) -> None:
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": os.getpid(), "rootUri": None, "capabilities": {}},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=b"".join(_frame(m) for m in messages),
        capture_output=True,
        timeout=60,
    )
    err = r.stderr.decode()
    assert b'"id": 1' in r.stdout or b'"id":1' in r.stdout, err
    assert "AT-START True" in err  # only the `lsp` command turns it off
    probe = next(line for line in err.splitlines() if line.startswith("PROBE"))
    _, before, after, frozen = probe.split()
    assert (before, after) == ("False", "True")
    assert int(frozen) > 10_000  # lsprotocol's classes and the rest of start-up


def test_end_startup_gc_leaves_an_enabled_collector_alone() -> None:
    assert gc.isenabled()
    from agentls.lsp.lifecycle import end_startup_gc

    frozen = gc.get_freeze_count()
    end_startup_gc()
    assert gc.isenabled() and gc.get_freeze_count() == frozen
