"""Spawn → ``initialize`` answered: agentls against the trivial pygls 2 server.

Each run starts the server process, writes an ``initialize`` request at once (as editors
do) and stops the clock when the response has been read; then ``shutdown``/``exit``. Runs of
the two servers alternate, so that the load of a busy machine falls on both alike. Also
printed, for scale: a bare ``python -c pass`` and the ``import lsprotocol.types`` that both
servers need.

    python bench/bench_startup.py [--runs 30] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SERVERS = {
    "agentls": [sys.executable, "-m", "agentls", "lsp"],
    "trivial": [sys.executable, str(BENCH / "trivial_server.py")],
}
FLOORS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import lsprotocol.types": [sys.executable, "-c", "import lsprotocol.types"],
}


def _frame(obj: dict[str, object]) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _read_message(stream: object) -> dict[str, object]:
    length = 0
    while True:
        line = stream.readline()  # type: ignore[attr-defined]
        if not line:
            raise EOFError("server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return dict(json.loads(stream.read(length)))  # type: ignore[attr-defined]


def spawn_to_initialize(cmd: list[str], root: Path) -> float:
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
        },
    }
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(_frame(init))
    proc.stdin.flush()
    while True:
        msg = _read_message(proc.stdout)
        if msg.get("id") == 1:
            break
    elapsed = (time.perf_counter() - t0) * 1000
    if "result" not in msg:
        raise RuntimeError(f"{cmd}: initialize failed: {msg}")
    proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
    proc.stdin.flush()
    proc.stdin.close()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return elapsed


def run_plain(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="few runs (CI: it runs, no goal)")
    args = ap.parse_args()
    quick = args.quick or bool(os.environ.get("AGENTLS_BENCH_QUICK"))
    runs = 3 if quick else args.runs
    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, runs {runs} each")
    times: dict[str, list[float]] = {k: [] for k in [*SERVERS, *FLOORS]}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for cmd in SERVERS.values():  # warm the file cache and .pyc files
            spawn_to_initialize(cmd, root)
        for i in range(runs):
            order = list(SERVERS.items()) if i % 2 == 0 else list(reversed(SERVERS.items()))
            for name, cmd in order:
                times[name].append(spawn_to_initialize(cmd, root))
            for name, cmd in FLOORS.items():
                times[name].append(run_plain(cmd))
    med = {k: statistics.median(v) for k, v in times.items()}
    for k in FLOORS:
        print(f"{k:24s} median {med[k]:7.1f} ms   (for scale)")
    print(f"{'trivial pygls':24s} median {med['trivial']:7.1f} ms")
    ratio = med["agentls"] / med["trivial"]
    print(f"{'agentls':24s} median {med['agentls']:7.1f} ms   ratio {ratio:.2f}x")
    print("goal: <= 1.15x the trivial server")


if __name__ == "__main__":
    main()
