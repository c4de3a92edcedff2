"""Adversarial inputs: each analysed within 100 MB (measured with tracemalloc), with a
diagnostic, and with work that grows linearly with the input (Python calls counted, which
load does not change). Their times are figures in bench/bench_worst_case.py ("adversarial:
..."), not assertions: a loaded machine fails a wall-time bound. Claude Code skips agent
files over 1 MiB; we still analyse the first 4 MiB of characters and say that Claude Code
will not load the file."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import pytest

from agentls.check import check_file, run_check
from agentls.engine import analyze

HANG_S = 60.0  # only a hang fails on time: each case takes well under a second alone
LIMIT_BYTES = 100 * 1024 * 1024
AGENT = "/ws/.claude/agents/evil.md"


def measured(fn: Callable[[], object]) -> tuple[object, float, int]:
    """Run ``fn`` once; return its result, the seconds and the peak bytes it allocated."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        result = fn()
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, elapsed, peak


def calls(fn: Callable[[], object]) -> int:
    """The Python and built-in function calls ``fn`` makes: a count of its work."""
    n = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal n
        if event == "call" or event == "c_call":
            n += 1

    sys.setprofile(count)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return n


def alias_bomb(levels: int = 10) -> str:
    """Each anchor a list of nine aliases of the one before: 9^levels values if expanded."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "---\nname: bomb\ndescription: Use it never.\n" + "\n".join(lines) + "\n---\nBody\n"


def ten_mb(lines: int = 100_000) -> str:
    return "---\nname: big\ndescription: Use it for size.\n---\n" + ("x" * 99 + "\n") * lines


def long_frontmatter(keys: int = 100_000) -> str:
    body = "".join(f"k{i}: v\n" for i in range(keys))
    return "---\nname: long\ndescription: Use it for length.\n" + body + "---\nBody\n"


def nested_flow(depth: int = 5000) -> str:
    return (
        "---\nname: deep\ndescription: Use it deep.\ntools: "
        + "[" * depth
        + "]" * depth
        + "\n---\n"
    )


def nested_flow_unclosed(depth: int = 3000) -> str:
    return "---\nname: deep\ndescription: Use it deep.\nhooks: " + "{a: [" * depth + "\n---\n"


def nul_bytes(lines: int = 1) -> str:
    return "---\nname: n\x00ul\ndescription: Use it \x00 for NUL.\n---\n" + "\x00\x00body\n" * lines


# name: (the text for a size n, the size of the full case, codes of which at least one must
# be reported, the size at which the work is counted: n and 2n)
CASES: dict[str, tuple[Callable[[int], str], int, set[str], int]] = {
    "alias bomb": (alias_bomb, 10, set(), 40),
    "alias chain deeper than the tree's limit": (alias_bomb, 400, {"AL003"}, 400),
    "10 MB file": (ten_mb, 100_000, set(), 10_000),
    "100,000-line frontmatter": (long_frontmatter, 100_000, {"AL111"}, 2_000),
    "deeply nested flow": (nested_flow, 5_000, set(), 1_000),
    "deeply nested unclosed flow": (nested_flow_unclosed, 3_000, set(), 600),
    "NUL bytes": (nul_bytes, 1, set(), 1_000),
}


@pytest.mark.parametrize("name", list(CASES))
def test_engine_answers_small_with_a_diagnostic(name: str) -> None:
    make, full, codes, _ = CASES[name]
    text = make(full)
    analyze(text[:1000], AGENT)  # warm imports and caches outside the measurement
    result, elapsed, peak = measured(lambda: analyze(text, AGENT))
    findings = result.findings  # type: ignore[attr-defined]
    print(f"{name}: {elapsed * 1000:.0f} ms, peak {peak / 1e6:.1f} MB, {len(findings)} findings")
    assert elapsed < HANG_S, f"{name}: {elapsed:.2f} s"
    assert peak < LIMIT_BYTES, f"{name}: {peak / 1e6:.0f} MB"
    assert findings, f"{name}: no diagnostic"
    if codes:
        assert codes & {f.code for f in findings}, [f.code for f in findings]


@pytest.mark.parametrize("name", list(CASES))
def test_engine_work_grows_linearly(name: str) -> None:
    """Twice the input, at most 2.5 times the calls (quadratic work makes 4 times). The
    alias chain took 386,201 calls at 160 levels and crashed past 200 (each top-level value
    converted with a fresh memo: O(levels^2)); 25,797 calls now."""
    make, _, _, n = CASES[name]
    analyze(make(n // 10 or 1), AGENT)
    small = calls(lambda: analyze(make(n), AGENT))
    large = calls(lambda: analyze(make(2 * n), AGENT))
    print(f"{name}: {small:,} calls at {n:,}, {large:,} at {2 * n:,}")
    assert large <= 2.5 * small, (small, large)


def test_ten_mb_says_claude_code_skips_it() -> None:
    text = ten_mb()
    a = analyze(text, AGENT, size=len(text.encode()))
    assert a.effective is not None and a.effective.loads is False
    assert "1 MiB" in (a.effective.reason or "")


# ----------------------------------------------------------------- on disk (agentls check)


@pytest.fixture
def agents(tmp_path: Path) -> Path:
    d = tmp_path / ".claude" / "agents"
    d.mkdir(parents=True)
    return d


def test_invalid_utf8_on_disk(agents: Path) -> None:
    p = agents / "bad.md"
    p.write_bytes(b"---\nname: bad\ndescription: Use \xff\xfe it.\n---\nBody \xc3\n")
    r, elapsed, peak = measured(lambda: check_file(str(p)))
    codes = [f.code for f in r.analysis.findings]  # type: ignore[attr-defined]
    assert "AL109" in codes and elapsed < HANG_S and peak < LIMIT_BYTES


def test_nul_bytes_on_disk(agents: Path) -> None:
    p = agents / "nul.md"
    p.write_bytes(b"---\nname: nul\ndescription: Use it.\n---\n\x00\x00\x00")
    r = check_file(str(p))
    assert any("NUL" in f.message for f in r.analysis.findings)


def test_symlink_loop_in_workspace(agents: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (agents / "a.md").symlink_to(agents / "b.md")
    (agents / "b.md").symlink_to(agents / "a.md")
    (agents / "dir").symlink_to(agents, target_is_directory=True)  # a directory loop too
    (agents / "ok.md").write_text("---\nname: ok\ndescription: Use it when ok.\n---\nBody\n")
    t0 = time.perf_counter()
    status = run_check([str(agents.parent.parent)], "text", "error", None)
    out = capsys.readouterr().out
    assert time.perf_counter() - t0 < HANG_S  # a loop followed would never end
    assert "a.md" in out and "AL112" in out and "a symbolic link loop" in out
    assert status == 1


def test_fifo_in_workspace_does_not_hang(agents: Path) -> None:
    """A FIFO named like an agent file: reading it would block forever."""
    fifo = agents / "pipe.md"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "agentls", "check", str(agents.parent.parent)],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert "pipe.md" in proc.stdout and proc.returncode == 1, proc.stdout + proc.stderr


def test_unreadable_file(tmp_path: Path) -> None:
    """chmod 000 does not stop root: as root the check runs as ``nobody`` (uid 65534)."""
    base = Path(tempfile.mkdtemp(prefix="agentls-unreadable-"))
    try:
        agents = base / ".claude" / "agents"
        agents.mkdir(parents=True)
        for d in (base, base / ".claude", agents):
            d.chmod(0o755)
        p = agents / "secret.md"
        p.write_text("---\nname: secret\ndescription: Use it.\n---\nBody\n")
        p.chmod(0)
        user = 65534 if os.geteuid() == 0 else None
        env = dict(os.environ, HOME=str(base))
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "agentls", "check", str(p)],
                capture_output=True,
                text=True,
                timeout=20,
                user=user,
                env=env,
            )
        except PermissionError:
            pytest.skip("running as root and the interpreter is not executable by nobody")
        assert "AL112" in proc.stdout and "permission denied" in proc.stdout, proc.stdout
        assert proc.returncode == 1
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=False)


def test_unreadable_directory_named_like_an_agent(agents: Path) -> None:
    """Readable by no one, even root: a directory given as a file."""
    (agents / "dir.md").mkdir()
    r = check_file(str(agents / "dir.md"))
    assert [f.code for f in r.analysis.findings] == ["AL112"]


def test_read_stops_at_the_limit_and_reports_the_real_size(agents: Path) -> None:
    from agentls.fsread import TOO_LARGE, read_file

    p = agents / "big.md"
    p.write_bytes(b"---\nname: big\ndescription: Use it.\n---\n" + b"x" * 5000)
    got = read_file(str(p), 1000)
    assert got.data is None and got.kind == TOO_LARGE and got.size == p.stat().st_size
    assert got.problem == f"larger than 1,000 bytes ({p.stat().st_size:,} bytes)"
    got = read_file(str(p), 100_000)
    assert got.data == p.read_bytes() and got.size == len(got.data)
    empty = agents / "empty.md"
    empty.write_bytes(b"")
    assert read_file(str(empty), 10).data == b""
    assert read_file(str(agents), 10).problem == "not a regular file (a folder)"
