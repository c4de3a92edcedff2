"""``agentls check`` over a whole folder against agnix on the same folder: wall time and
peak memory.

The folder is ../shared/corpus beside the repository (about 2,700 real agent files) when it
is there, otherwise a generated workspace (``bench/inputs/generate.py``). Commands:

    agentls check --format json --fail-on never FOLDER        (a process pool on >= 64 files)
    agentls check -j1 --format json --fail-on never FOLDER    (one process, for scale)
    agnix --format json .                                      (in FOLDER; PyPI ``agnix``)

Runs alternate between the tools; the figure is the median. CPU time (user + system, with
children) is printed too: on a busy machine it is steadier than wall time. Peak memory is
the largest sum of the resident set sizes of the process and all its children, sampled every
5 ms from /proc (Linux), and the largest single process's peak (``ru_maxrss`` from
``wait4``). When agnix is not installed, its side is skipped with a message.

    python bench/bench_check.py [--runs 5] [--quick] [--folder DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH / "inputs"))

from generate import workspace  # noqa: E402

CORPUS = BENCH.parent / ".." / "shared" / "corpus"
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (0 where /proc is not there)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(cmd: list[str], cwd: Path) -> tuple[float, int, int, float]:
    """(wall s, peak tree RSS bytes, largest single-process RSS bytes, CPU s) of one run."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                done.wait(0.005)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        th.join()
        if proc.returncode not in (0, 1):
            err.seek(0)
            raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {err.read()[-500:]!r}")
    return wall, peak, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def find_agnix() -> str | None:
    here = Path(sys.executable).parent / "agnix"
    return str(here) if here.exists() else shutil.which("agnix")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="one run (CI: it runs, no goal)")
    ap.add_argument("--folder", type=Path, help="check this folder instead of the corpus")
    args = ap.parse_args()
    quick = args.quick or bool(os.environ.get("AGENTLS_BENCH_QUICK"))
    runs = 1 if quick else args.runs
    tmp = None
    folder = args.folder
    if folder is None and CORPUS.is_dir():
        folder = CORPUS.resolve()
    if folder is None:
        tmp = tempfile.TemporaryDirectory()
        folder = Path(tmp.name)
        counts = workspace(folder, 300 if quick else 3000)
        print(f"no corpus at {CORPUS}: generated workspace {counts}")
    nfiles = sum(len(f) for _, _, f in os.walk(folder))
    print(
        f"folder {folder} ({nfiles} files), cpu count {os.cpu_count()}, "
        f"load average {os.getloadavg()[0]:.1f}, runs {runs}"
    )
    agentls = [sys.executable, "-m", "agentls", "check", "--format", "json", "--fail-on", "never"]
    tools: dict[str, list[str]] = {
        "agentls": [*agentls, str(folder)],
        "agentls -j1": [*agentls, "-j1", str(folder)],
    }
    agnix = find_agnix()
    if agnix is None:
        print("agnix: not installed (pip install agnix); its side is skipped")
    else:
        tools["agnix"] = [agnix, "--format", "json", "."]
    res: dict[str, list[tuple[float, int, int, float]]] = {k: [] for k in tools}
    for cmd in tools.values():  # warm the file cache
        measure(cmd, folder)
    for i in range(runs):
        order = list(tools.items())
        for name, cmd in order if i % 2 == 0 else reversed(order):
            res[name].append(measure(cmd, folder))
    wall = {k: statistics.median(r[0] for r in v) for k, v in res.items()}
    tree = {k: max(r[1] for r in v) for k, v in res.items()}
    single = {k: max(r[2] for r in v) for k, v in res.items()}
    cpu = {k: statistics.median(r[3] for r in v) for k, v in res.items()}
    ref = "agnix" if "agnix" in res else None
    for name in tools:
        line = (
            f"{name:12s} wall median {wall[name]:6.2f} s  (CPU {cpu[name]:5.2f} s)  peak RSS "
            f"{tree[name] / 2**20:6.1f} MB all processes, {single[name] / 2**20:5.1f} MB largest"
        )
        if ref and name != ref:
            line += (
                f"   ratio wall {wall[name] / wall[ref]:.2f}x  CPU {cpu[name] / cpu[ref]:.2f}x  "
                f"memory {tree[name] / tree[ref]:.2f}x"
            )
        print(line)
    print("goal: agentls wall <= 1.0x agnix" + ("" if ref else " (not measured: no agnix)"))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
