"""Start-up: the collector is off while lsprotocol/pygls load and back on (with the start-up
objects frozen) once ``initialize`` has been answered (left off, memory would only grow);
nothing heavy is imported before that answer."""

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
HEAVY = ("argparse", "yaml", "jsonschema", "anthropic", "frontmatter", "agentls.engine",
         "agentls.document.model", "agentls.index", "agentls.editing.knowledge",
         "agentls.runner.prompt", "importlib.resources")

def probe():
    before = gc.isenabled()
    original()
    sys.stderr.write(f"PROBE {before} {gc.isenabled()} {gc.get_freeze_count()}\n")
    heavy = [m for m in HEAVY if m in sys.modules]
    sys.stderr.write(f"LOADED {','.join(heavy) or '-'}\n")
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
    loaded = next(line for line in err.splitlines() if line.startswith("LOADED"))
    assert loaded == "LOADED -"  # all imported when first needed, after the answer


def test_end_startup_gc_leaves_an_enabled_collector_alone() -> None:
    assert gc.isenabled()
    from agentls.lsp.lifecycle import end_startup_gc

    frozen = gc.get_freeze_count()
    end_startup_gc()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_lsp_options_without_argparse() -> None:
    from agentls.cli import _lsp_options, build_parser

    forms = [
        [],
        ["--stdio"],
        ["--tcp", "127.0.0.1:9000"],
        ["--tcp=:9000", "-vv"],
        ["--log-file", "/tmp/x.log", "-v", "--verbose"],
        ["--log-file=/tmp/y.log", "--stdio", "-vvv"],
    ]
    parser = build_parser(full=False)
    for args in forms:
        fast = _lsp_options(args)
        ns = parser.parse_args(["lsp", *args])
        assert fast == {"tcp": ns.tcp, "log_file": ns.log_file, "verbose": ns.verbose}, args
    for other in (["--help"], ["--tcp"], ["--tcp", "-v"], ["--port", "1"], ["x"], ["-vx"]):
        assert _lsp_options(other) is None, other  # argparse answers (help, usage errors)
