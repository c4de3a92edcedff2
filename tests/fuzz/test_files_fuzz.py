"""Property test of the readers of workspace files (issue 14, class 4): random workspaces
whose agent, skill, command and Copilot files, ``.mcp.json`` and user agents are regular
files, links to devices (/dev/zero, /dev/urandom, /dev/stdin), to /proc/self/environ, to
other entries, to nothing, to themselves or to a folder above, FIFOs (with and without a
writer), folders and huge sparse files.

For each: ``check`` (JSON), ``check --fix --dry-run``, the index and the runner's discovery
finish (an alarm stops a read that would wait); a file ``check`` looked at has an AL112
finding exactly when it is not a regular file within the size limit, and the index passes
over exactly those. ``AGENTLS_FUZZ_EXAMPLES`` / 4 examples (``bench/fuzz_long.py``: more)."""

from __future__ import annotations

import io
import json
import os
import stat
import tempfile
from pathlib import Path

import fuzz_strategies as fs
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agentls.check import READ_LIMIT, run_check
from agentls.discovery import project_root
from agentls.fix import run_fix
from agentls.indexing import MAX_FILE, build_index
from agentls.runner.definitions import discover_agents
from hostile import alarm, make_entry

EXAMPLES = int(os.environ.get("AGENTLS_FUZZ_EXAMPLES", "300"))
ALARM = 30  # seconds for one workspace; a blocked read is interrupted and fails the example

PLACES = [
    ".claude/agents/{}.md",
    ".claude/agents/team/{}.md",
    ".claude/skills/{}/SKILL.md",
    ".claude/commands/{}.md",
    ".github/agents/{}.agent.md",
    "home/.claude/agents/{}.md",
    ".mcp.json",
]
KINDS = [
    "text",
    "zero",
    "urandom",
    "stdin",
    "environ",
    "fifo",
    "fifo-writer",
    "dangling",
    "loop",
    "link-earlier",
    "link-up",
    "folder",
    "sparse",
]
entries = st.lists(
    st.tuples(
        st.sampled_from(PLACES),
        st.sampled_from(KINDS),
        st.sampled_from(["a", "b", "c"]),
        fs.agent_files(),
    ),
    min_size=1,
    max_size=8,
)


def _make(root: Path, spec: list[tuple[str, str, str, str]], writers: list[int]) -> None:
    made: list[Path] = []
    for place, kind, name, text in spec:
        path = root / place.format(name)
        if os.path.lexists(path):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "link-earlier" and not made:
            kind = "text"
        data = text.encode("utf-8", "replace")
        make_entry(path, kind, data, writers, made[-1] if made else None, up=root)
        made.append(path)


def _readable(path: str, limit: int) -> bool:
    """What agentls may read: a regular file, not of /proc, within ``limit`` bytes."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    proc = os.stat("/proc").st_dev
    return stat.S_ISREG(st.st_mode) and st.st_dev != proc and st.st_size <= limit


@settings(
    max_examples=max(10, EXAMPLES // 4),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spec=entries)
@example(  # found by the fuzzer: that .mcp.json is not the project's (the project is home/)
    spec=[("home/.claude/agents/{}.md", "text", "a", "---\n---"), (".mcp.json", "zero", "a", "")]
)
def test_readers_finish_and_name_what_they_pass_over(spec: list[tuple[str, str, str, str]]) -> None:
    writers: list[int] = []
    with tempfile.TemporaryDirectory(prefix="agentls-files-fuzz-") as tmp:
        root = Path(tmp) / "ws"
        root.mkdir()
        try:
            _make(root, spec, writers)
            with alarm(ALARM):
                out = io.StringIO()
                run_check([str(root)], "json", "never", None, out=out, jobs=1)
                doc = json.loads(out.getvalue())
                for f in doc["files"]:
                    unread = any(d["code"] == "AL112" for d in f["diagnostics"])
                    assert unread == (not _readable(f["path"], READ_LIMIT)), f
                mcp = root / ".mcp.json"
                said = {s["path"] for s in doc.get("skipped", [])}
                if os.path.lexists(mcp) and doc["files"]:
                    has_project = any(project_root(f["path"]) == str(root) for f in doc["files"])
                    expect = has_project and os.path.exists(mcp) and not _readable(str(mcp), 10**6)
                    assert (str(mcp) in said) == expect, (said, doc["files"])
                index = build_index([str(root)], user=False, bundled=False)
                for s in index.skipped:
                    assert not _readable(s.path, MAX_FILE), s
                for path in index.entries:
                    assert _readable(path, MAX_FILE), path
                discover_agents(root, include_broken=True)
                run_fix([str(root)], None, dry_run=True, out=io.StringIO(), err=io.StringIO())
        finally:
            for fd in writers:
                os.close(fd)
