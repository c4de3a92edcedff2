"""``check --fix`` and the files it writes (issue 14, class 8): a symlinked agent file is
written through to its target (one leading outside the folder checked is refused), hard
links, owner and mode are kept, read-only files are refused, and an edit made while the fix
runs is kept (the fix is refused). Every refusal is named and the exit status is 1."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import agentls.fix as fix
from agentls.fix import run_fix

BROKEN = "---\nname: fixme\ndescription: Use when: reviewing\n---\nBody\n"
FIXED = '---\nname: fixme\ndescription: "Use when: reviewing"\n---\nBody\n'


@pytest.fixture
def agents(tmp_path: Path) -> Path:
    d = tmp_path / "ws" / ".claude" / "agents"
    d.mkdir(parents=True)
    return d


def _fix(*paths: Path) -> tuple[int, str]:
    err = io.StringIO()
    status = run_fix([str(p) for p in paths], None, out=io.StringIO(), err=err)
    return status, err.getvalue()


def test_the_fix_itself(agents: Path) -> None:
    (agents / "a.md").write_text(BROKEN)
    assert _fix(agents.parent.parent)[0] == 0
    assert (agents / "a.md").read_text() == FIXED


def test_a_symlink_is_written_through(agents: Path) -> None:
    ws = agents.parent.parent
    (ws / "shared").mkdir()
    real = ws / "shared" / "real.md"
    real.write_text(BROKEN)
    link = agents / "link.md"
    link.symlink_to(Path("..") / ".." / "shared" / "real.md")
    status, err = _fix(ws)
    assert status == 0, err
    assert link.is_symlink() and os.readlink(link) == "../../shared/real.md"
    assert real.read_text() == FIXED


def test_a_symlink_out_of_the_folder_checked_is_refused(agents: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text(BROKEN)
    (agents / "link.md").symlink_to(outside)
    status, err = _fix(agents.parent.parent)
    assert status == 1 and "link.md" in err and "outside" in err, err
    assert outside.read_text() == BROKEN and (agents / "link.md").is_symlink()


def test_hard_links_are_kept(agents: Path) -> None:
    a = agents / "a.md"
    a.write_text(BROKEN)
    other = agents.parent.parent / "backup-of-a.txt"
    os.link(a, other)
    assert _fix(a)[0] == 0
    assert a.read_text() == other.read_text() == FIXED
    assert os.stat(a).st_ino == os.stat(other).st_ino


def test_owner_group_and_mode_are_kept(agents: Path) -> None:
    a = agents / "a.md"
    a.write_text(BROKEN)
    a.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(a, 4321, 4322)
    before = os.stat(a)
    assert _fix(a)[0] == 0
    after = os.stat(a)
    assert a.read_text() == FIXED
    assert (after.st_uid, after.st_gid, after.st_mode) == (
        before.st_uid,
        before.st_gid,
        before.st_mode,
    )


def test_read_only_files_are_refused(agents: Path) -> None:
    a = agents / "a.md"
    a.write_text(BROKEN)
    a.chmod(0o444)
    status, err = _fix(a)
    assert status == 1 and "a.md" in err and "read-only" in err, err
    assert a.read_text() == BROKEN and (os.stat(a).st_mode & 0o777) == 0o444


def test_an_edit_made_while_fixing_is_kept(agents: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = agents / "a.md"
    a.write_text(BROKEN)
    original = fix.fix_text
    mine = BROKEN.replace("Body", "Body I am typing")

    def meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = original(*args, **kwargs)
        a.write_text(mine)  # the user saves while the fix is computed
        return result

    monkeypatch.setattr(fix, "fix_text", meanwhile)
    status, err = _fix(a)
    assert status == 1 and "a.md" in err and "changed" in err, err
    assert a.read_text() == mine


def test_extended_attributes_are_kept(agents: Path) -> None:
    """Issue 14 class 8, second attack: ``check --fix`` dropped a file's extended
    attributes (and with them its POSIX ACL)."""
    a = agents / "a.md"
    a.write_text(BROKEN)
    try:
        os.setxattr(a, "user.origin", b"kept")
    except (AttributeError, OSError):
        pytest.skip("no user extended attributes on this file system")
    assert _fix(a)[0] == 0
    assert a.read_text() == FIXED and os.getxattr(a, "user.origin") == b"kept"
