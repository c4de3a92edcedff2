"""The long fuzz run: ``python bench/fuzz_long.py [EXAMPLES]`` (default 10,000).

Runs tests/fuzz with ``AGENTLS_FUZZ_EXAMPLES=EXAMPLES``: that many examples for each engine
property and for each edit-position property (every edit the server sends, over every
line-break character: test_edit_positions.py), a quarter for the on-disk check, fix-all, the
workspaces of links, FIFOs, devices and sparse files that every reader must pass over
(test_files_fuzz.py), a tenth for ``check --fix`` writing for real over agent files
with every line-break character that are regular, read-only, not UTF-8, symbolic links in
and out, hard links out and FIFOs (test_writes_fuzz.py), and each LSP client (whose
examples are whole edit sequences against a live server), shrinking failures
(``AGENTLS_FUZZ_SHRINK=1``), and prints hypothesis' statistics. CI runs the same tests
with the default of 300.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "10000"
    env = dict(os.environ, AGENTLS_FUZZ_EXAMPLES=examples, AGENTLS_FUZZ_SHRINK="1")
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--hypothesis-show-statistics",
        str(ROOT / "tests" / "fuzz"),
        *sys.argv[2:],
    ]
    return subprocess.call(cmd, cwd=ROOT, env=env)


if __name__ == "__main__":
    raise SystemExit(main())
