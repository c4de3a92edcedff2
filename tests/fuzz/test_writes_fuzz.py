"""Property test of the writers of workspace files (issue 14, classes 2, 3, 4 and 8): random
workspaces whose agent files hold every line-break character (CR, LF, CR LF, VT, FF, FS,
GS, RS, NEL, LS, PS) around fixable findings, and are regular files, read-only files,
symbolic links to another agent file, to a file outside the folder checked or to nothing,
hard links to a file outside, FIFOs (with and without a writer), or not UTF-8.

``check --fix`` (for real, not ``--dry-run``) must finish (an alarm stops a write that would
wait) and:

- write each regular, writable UTF-8 file (or the file inside its link leads to) to exactly
  what the engine's fix-all makes of its text: a line break LSP does not count never moves
  an edit;
- leave every other entry as it was: read-only files, files that are not UTF-8, FIFOs stay
  FIFOs, links stay links, and nothing outside the folder checked changes but through a
  hard link (which is kept on purpose).

``AGENTLS_FUZZ_EXAMPLES`` / 10 examples: 30 in CI, 1,000 in ``bench/fuzz_long.py``."""

from __future__ import annotations

import io
import os
import stat
import tempfile
from pathlib import Path

import fuzz_strategies as fs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentls.editing.fixes import fix_all
from agentls.fix import run_fix
from hostile import alarm, make_entry

EXAMPLES = int(os.environ.get("AGENTLS_FUZZ_EXAMPLES", "300"))
ALARM = 30  # seconds for one workspace; a blocked open or read fails the example
BREAKS = ["\r", "\n", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
# fixable findings: a lower-case tool name, a description that needs quotes, a colour
FIXABLE = ["tools: grep, Read\n", "description: Use it when: reviewing\n", "color: Red\n"]
KINDS = [
    "text",
    "text",
    "readonly",
    "latin1",
    "link-earlier",
    "link-out",
    "hardlink-out",
    "dangling",
    "fifo",
    "fifo-writer",
]


@st.composite
def agent_texts(draw: st.DrawFn) -> str:
    """An agent file with fixable findings and line-break characters in its values, its
    body and its frontmatter lines."""
    brk = draw(st.sampled_from(BREAKS))
    odd = draw(st.sampled_from(BREAKS))
    lines = ["---\n", "name: fuzz\n", *draw(st.permutations(FIXABLE))]
    at = draw(st.integers(1, len(lines) - 1))
    lines[at] = lines[at].replace(": ", f": x{odd}", 1) if draw(st.booleans()) else lines[at]
    lines += ["---\n", draw(fs.agent_files()).replace("\n", brk), f"body{odd}end\n"]
    return "".join(lines)


entries = st.lists(
    st.tuples(st.sampled_from(KINDS), agent_texts()),
    min_size=1,
    max_size=6,
)


def _make(
    agents: Path, outside: Path, spec: list[tuple[str, str]], writers: list[int]
) -> dict[Path, str]:
    """The entries; returns the regular, writable UTF-8 files and their text (what the fix
    must rewrite: an entry's own file, or the one inside its link leads to)."""
    expected: dict[Path, str] = {}
    made: list[Path] = []
    for i, (kind, text) in enumerate(spec):
        path = agents / f"a{i}.md"
        if kind == "link-earlier" and not made:
            kind = "text"
        make_entry(path, kind, text.encode(), writers, made[-1] if made else None, outside)
        if kind in ("text", "hardlink-out"):
            expected[path] = text
        if kind == "text":
            made.append(path)
    return expected


def _state(folder: Path) -> dict[str, tuple[str, bytes | None]]:
    """What each entry below ``folder`` is, and the bytes of regular files."""
    out: dict[str, tuple[str, bytes | None]] = {}
    for p in sorted(folder.rglob("*")):
        st_ = os.lstat(p)
        kind = "link" if stat.S_ISLNK(st_.st_mode) else "fifo" if stat.S_ISFIFO(st_.st_mode) else ""
        data = p.read_bytes() if stat.S_ISREG(st_.st_mode) else None
        out[p.relative_to(folder).as_posix()] = (kind or "file", data)
    return out


@settings(
    max_examples=max(10, EXAMPLES // 10),  # each example writes a workspace: CI stays short
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spec=entries)
def test_fix_writes_exactly_the_fixed_text_and_nothing_else(spec: list[tuple[str, str]]) -> None:
    writers: list[int] = []
    with tempfile.TemporaryDirectory(prefix="agentls-writes-fuzz-") as tmp:
        root = Path(tmp) / "ws"
        agents = root / ".claude" / "agents"
        agents.mkdir(parents=True)
        outside = Path(tmp) / "outside"
        outside.mkdir()
        try:
            expected = _make(agents, outside, spec, writers)
            before_out = _state(outside)
            before = _state(agents)
            with alarm(ALARM):
                run_fix([str(root)], None, out=io.StringIO(), err=io.StringIO())
            after = _state(agents)
            for path, text in expected.items():
                want = fix_all(text, str(path))[0].encode()
                assert path.read_bytes() == want, (path.name, text)
            fixed = {p.relative_to(agents).as_posix() for p in expected}
            for name, (kind, data) in before.items():
                assert after[name][0] == kind, name  # links stay links, FIFOs stay FIFOs
                if name not in fixed and kind == "file":
                    assert after[name][1] == data, name  # read-only, not UTF-8
            after_out = _state(outside)
            for name, (_, data) in before_out.items():
                if not name.startswith("hard"):  # a hard link is the same file: kept
                    assert after_out[name][1] == data, name
        finally:
            for fd in writers:
                os.close(fd)
