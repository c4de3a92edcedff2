"""Which memory files and imports reach Claude Code's request (recorded with a loopback
capture, record.py --surface) against what agentls says Claude Code reads."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import cc_surface as cs
import pytest

from agentls.rules.claude_memory import files_read, imports

CASES = [o for o in cs.load() if "memory" in o]
MARK = re.compile(r"MARK-[A-Za-z0-9_-]+")
ENTRY = ("CLAUDE.md", ".claude/CLAUDE.md", "CLAUDE.local.md")


@pytest.mark.parametrize("obs", CASES, ids=[o["case"] for o in CASES])
def test_the_files_agentls_says_claude_code_reads(
    obs: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = tmp_path / "proj"
    shutil.copytree(cs.CASES / str(obs["case"]), proj)
    home = tmp_path / "home"
    if (proj / "_home").is_dir():  # the case's HOME, as the recorder lays it out
        shutil.move(proj / "_home", home)
    else:
        home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    subprocess.run(["git", "init", "-q", str(proj)], check=True)
    entries = [proj / e for e in ENTRY if (proj / e).is_file()]
    if not entries and (proj / "AGENTS.md").is_file():
        entries = [proj / "AGENTS.md"]  # read only without CLAUDE.md
    if (home / ".claude" / "CLAUDE.md").is_file():  # the user's memory, read in every project
        entries.append(home / ".claude" / "CLAUDE.md")
    read: set[str] = set()
    for entry in entries:
        for f in files_read(str(entry)):
            read.update(MARK.findall(Path(f).read_text("utf-8")))
    assert read == set(obs["memory"]["reached"]), os.linesep.join(
        sorted(read ^ set(obs["memory"]["reached"]))
    )  # type: ignore[index]


@pytest.mark.parametrize("obs", CASES, ids=[o["case"] for o in CASES])
def test_agentls_says_why_what_is_pointed_at_is_not_read(
    obs: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file of the case whose words did not reach the request, and that a read file
    imports (or an AGENTS.md beside a CLAUDE.md), gets a finding of agentls that names it:
    too deep (AL941), not text (AL943), outside the project (AL944), not read (AL946). A file
    nothing imports (an `@` in code, a comment, a mail address) needs none: agentls does not
    read it either (the test above)."""
    proj = tmp_path / "proj"
    shutil.copytree(cs.CASES / str(obs["case"]), proj)
    home = tmp_path / "home"
    if (proj / "_home").is_dir():
        shutil.move(proj / "_home", home)
    else:
        home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    subprocess.run(["git", "init", "-q", str(proj)], check=True)
    reached = set(obs["memory"]["reached"])  # type: ignore[index]
    entries = [proj / e for e in ENTRY if (proj / e).is_file()]
    read = {f for e in entries for f in files_read(str(e))}
    pointed: set[str] = set()
    for f in read:
        pointed.update(i.target for i in imports(Path(f).read_text("utf-8"), f))
    if entries and (proj / "AGENTS.md").is_file():
        pointed.add(str(proj / "AGENTS.md"))
    said = " ".join(
        f"{r.path} {f.message}" for r in cs.agentls_results(proj) for f in r.analysis.findings
    )
    for target in sorted(pointed - read):
        p = Path(target)
        words = set(MARK.findall(p.read_text("utf-8", "replace"))) if p.is_file() else set()
        if words and not words & reached:
            assert p.name in said, f"{obs['case']}: nothing says why {p.name} is not read"
