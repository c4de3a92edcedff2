"""Adversarial documents (issue 14, class 7): each at a size n and at 4n, so that the ratio of
the two times says whether the work is linear (~4x) or worse (~16x for quadratic). The tests
assert counts of work for these cases (tests/unit/test_adversarial.py, test_worst_case.py);
the times are here, since a timed assertion fails on a loaded machine.

Each case runs in its own process with a time budget (a quadratic case on the old engine
takes minutes); a case that raises prints the exception instead of a time. The reference
of each figure is the same case at n, from the same run.

    python bench/bench_worst_case.py [--quick] [--budget 60] [--only NAME]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable

AGENT = "/ws/.claude/agents/a.md"
UNKNOWN_PATH = "/ws/notes/a.md"  # no dialect by path: content sniffing


def _fm(*lines: str) -> str:
    return (
        "---\nname: a\ndescription: Use when x\n" + "".join(f"{ln}\n" for ln in lines) + "---\nB\n"
    )


def _analyze(text: str, path: str) -> Callable[[], object]:
    from agentls.engine import analyze

    return lambda: analyze(text, path)


def _offered(text: str) -> Callable[[], object]:
    from agentls.editing import fixes
    from agentls.engine import analyze

    before = analyze(text, AGENT)
    if hasattr(fixes, "offered_fixes"):
        return lambda: fixes.offered_fixes(text, AGENT, None, before, before.findings)
    # the old code action: every fix of every finding verified on its own
    return lambda: fixes.verified_fixes(text, AGENT, None, before, before.findings)


def _fix_all(text: str) -> Callable[[], object]:
    from agentls.editing.fixes import fix_all

    return lambda: fix_all(text, AGENT)


def _unresolved(n: int) -> Callable[[], object]:
    """An index of ``n`` skills, and an agent that names ``n`` skills that do not exist (one
    letter off): the cross-file rules of that agent, with their "did you mean"."""
    from agentls.index import WorkspaceIndex
    from agentls.rules.cross_file import cross_file_findings

    index = WorkspaceIndex()
    for i in range(n):
        index.update(f"/ws/.claude/skills/skill-{i:05d}/SKILL.md", "---\ndescription: x\n---\nB\n")
    refs = ", ".join(f"skil-{i:05d}" for i in range(n))
    index.update(AGENT, f"---\nname: a\ndescription: Use when x\nskills: {refs}\n---\nB\n")
    return lambda: cross_file_findings(index, AGENT)


def _alias_chain(levels: int) -> str:
    """Each anchor a list of nine aliases of the one before (9^levels values if expanded)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return _fm(*lines)


# name -> (what n counts, n for the full run, the work for n)
CASES: dict[str, tuple[str, int, Callable[[int], Callable[[], object]]]] = {
    # the documents of tests/unit/test_adversarial.py (which counts their work instead)
    "adversarial: alias chain": ("levels", 45, lambda n: _analyze(_alias_chain(n), AGENT)),
    "adversarial: lines of 100 chars": (
        "lines",
        25_000,  # x4 = 10 MB
        lambda n: _analyze(_fm() + ("x" * 99 + "\n") * n, AGENT),
    ),
    "adversarial: long frontmatter": (
        "keys",
        25_000,
        lambda n: _analyze(_fm(*(f"k{i}: v" for i in range(n))), AGENT),
    ),
    "adversarial: nested flow": (
        "levels",
        1_250,
        lambda n: _analyze(_fm("tools: " + "[" * n + "]" * n), AGENT),
    ),
    "adversarial: unclosed flow": (
        "levels",
        750,
        lambda n: _analyze(_fm("hooks: " + "{a: [" * n), AGENT),
    ),
    "unknown tools": (
        "names",
        27_500,  # x4 = 110,000 names, ~880 KB
        lambda n: _analyze(_fm("tools: " + ", ".join(f"t{i}" for i in range(n))), AGENT),
    ),
    "space run, sniffed": (
        "spaces",
        60_000,
        lambda n: _analyze(_fm("k: a" + " " * n + "b"), UNKNOWN_PATH),
    ),
    "space run before #, sniffed": (
        "spaces",
        60_000,
        lambda n: _analyze(_fm("k: v" + " " * n + "#"), UNKNOWN_PATH),
    ),
    "space run in a broken key": (
        "spaces",
        60_000,
        lambda n: _analyze(_fm("k" + " " * n + "x"), AGENT),
    ),
    "huge maxTurns": ("digits", 250_000, lambda n: _analyze(_fm("maxTurns: " + "9" * n), AGENT)),
    "unknown keys, Copilot agent": (
        "keys",
        1_000,
        lambda n: _analyze(_fm(*(f"k{i}: v" for i in range(n))), "/ws/.github/agents/a.agent.md"),
    ),
    "code action over grep entries": (
        "entries",
        250,
        lambda n: _offered(_fm("tools:", *(["  - grep"] * n))),
    ),
    "unresolved skills, did you mean": ("skills and references", 1_000, _unresolved),
    "fix-all over grep entries": (
        "entries",
        250,
        lambda n: _fix_all(_fm("tools:", *(["  - grep"] * n))),
    ),
}


def run_one(name: str, n: int) -> None:
    """Child process: prepare the case, then time one run of it (after a warm-up of a
    small one, so that imports and caches are not counted)."""
    make = CASES[name][2]
    make(10)()
    work = make(n)
    t = time.perf_counter()
    work()
    print(f"{time.perf_counter() - t:.6f}")


def measure(name: str, n: int, budget: float) -> str:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", name, str(n)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=budget)
    except subprocess.TimeoutExpired:
        return f">{budget:.0f} s"
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        return f"fails: {last[:60]}"
    return f"{float(p.stdout.strip()):.3f} s"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="sizes / 20 (CI keeps it working)")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per case and size")
    ap.add_argument("--only", default=None)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_one(args.child[0], int(args.child[1]))
        return
    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'case':32} {'n':>16} {'time n':>12} {'time 4n':>12}  ratio (4 = linear)")
    for name, (unit, full, _) in CASES.items():
        if args.only and args.only not in name:
            continue
        n = max(1, full // 20) if args.quick else full
        a = measure(name, n, args.budget)
        b = measure(name, 4 * n, args.budget)
        ratio = ""
        if a.endswith(" s") and b.endswith(" s") and not a.startswith(">"):
            ta, tb = float(a[:-2]), float(b[:-2]) if not b.startswith(">") else float("inf")
            ratio = f"{tb / ta:.1f}x" if ta > 0 else ""
        print(f"{name:32} {f'{n:,} {unit}':>16} {a:>12} {b:>12}  {ratio}")


if __name__ == "__main__":
    main()
