"""The Claude Code plugin's PostToolUse hook (editors/claude-code): wall time of one call,
as Claude Code makes it (the hook script, the tool call's JSON on stdin), on a file agentls
does not check and on an agent file with problems.

Claude Code waits for the hook after every ``Write`` and ``Edit``: the figure that matters is
the call on a file that is *not* an agent (most writes), which should cost about a Python
start. References measured in the same run, alternating with the hook: ``python -c pass``
(the floor of any Python tool) and ``agentls check FILE`` on the agent file (what a hook
written without agentls's help would run).

    python bench/bench_hook.py [--runs 30] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
HOOK = BENCH.parent / "editors" / "claude-code" / "hooks" / "check-written-file"
AGENT = "---\nname: reviewer\ndescription: Use when: reviewing\ncolor: gold\n---\nBody\n"


def _event(project: Path, rel: str) -> bytes:
    path = str(project / rel)
    return json.dumps(
        {
            "session_id": "bench",
            "cwd": str(project),
            "hook_event_name": "PostToolUse",
            "tool_name": "Write",
            "tool_input": {"file_path": path, "content": "x"},
            "tool_response": {"type": "create", "filePath": path},
        }
    ).encode()


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(
    cmd: list[str], stdin: bytes, env: dict[str, str], cwd: Path
) -> tuple[float, float, bytes]:
    """(wall s, CPU s of the child, its stdout); check's exit status 1 (findings) is fine."""
    cpu, start = _cpu(), time.perf_counter()
    out = subprocess.run(cmd, input=stdin, env=env, cwd=cwd, capture_output=True)
    if out.returncode not in (0, 1):
        raise RuntimeError(f"{cmd} exited with {out.returncode}: {out.stderr.decode()}")
    return time.perf_counter() - start, _cpu() - cpu, out.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / ".git").mkdir()
        (project / ".claude" / "agents").mkdir(parents=True)
        (project / ".claude" / "agents" / "reviewer.md").write_text(AGENT)
        (project / "src").mkdir()
        (project / "src" / "app.py").write_text("print('hello')\n")
        cases = {
            "hook, not an agent file": ([str(HOOK)], _event(project, "src/app.py")),
            "hook, agent file": ([str(HOOK)], _event(project, ".claude/agents/reviewer.md")),
            "python -c pass": ([sys.executable, "-c", "pass"], b""),
            "agentls check FILE": (
                [sys.executable, "-m", "agentls", "check", ".claude/agents/reviewer.md"],
                b"",
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        outputs: dict[str, bytes] = {}
        for cmd, stdin in cases.values():  # warm the file system caches
            _timed(cmd, stdin, env, project)
        for _ in range(runs):
            for name, (cmd, stdin) in cases.items():
                wall, cpu, outputs[name] = _timed(cmd, stdin, env, project)
                times[name].append(wall)
                cpus[name].append(cpu)
    assert outputs["hook, not an agent file"] == b"", outputs["hook, not an agent file"]
    assert json.loads(outputs["hook, agent file"])["decision"] == "block"
    floor = statistics.median(times["python -c pass"])
    cpu_floor = statistics.median(cpus["python -c pass"])
    print(f"runs {runs}, cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    for name in cases:
        p50 = statistics.median(times[name])
        cpu = statistics.median(cpus[name])
        print(
            f"{name:26s} p50 {p50 * 1000:7.1f} ms ({p50 / floor:5.2f}x)   "
            f"CPU {cpu * 1000:6.1f} ms ({cpu / cpu_floor:5.2f}x python -c pass)"
        )
    print("goal: the hook on a file that is not an agent within 3x python -c pass")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
