"""The one safe writer (issue 14, class 9): all or nothing, links, owner, mode, read-only
files, concurrent changes, paths that cannot hold a file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from agentls import fswrite
from agentls.fswrite import Write, WriteRefused, check_target, write_all


@pytest.fixture
def root(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / "src").mkdir(parents=True)
    for i in range(6):
        (ws / "src" / f"f{i}.py").write_bytes(f"x = {i}\r\n".encode())
    return ws


def _snapshot(root: Path) -> dict[str, bytes | None]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def _six(root: Path) -> list[Write]:
    return [
        Write(root / "src" / f"f{i}.py", f"x = {i}\r\n".encode(), f"x = {i * 10}\r\n".encode())
        for i in range(6)
    ]


def test_writes_every_change(root: Path) -> None:
    writes = [*_six(root), Write(root / "new" / "deep" / "g.py", None, b"new\n")]
    write_all(root, writes)
    assert (root / "src" / "f5.py").read_bytes() == b"x = 50\r\n"
    assert (root / "new" / "deep" / "g.py").read_bytes() == b"new\n"
    assert not list(root.rglob(".agentls-*"))  # no temporary file left


@pytest.mark.parametrize("spoil", range(6))
def test_one_change_that_cannot_be_made_writes_nothing(root: Path, spoil: int) -> None:
    (root / "src" / f"f{spoil}.py").write_bytes(b"edited meanwhile\n")  # a concurrent edit
    before = _snapshot(root)
    with pytest.raises(WriteRefused, match=f"f{spoil}.py changed while the agent was running"):
        write_all(root, [*_six(root), Write(root / "brand" / "new.py", None, b"x")])
    assert _snapshot(root) == before  # no file, no folder


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("src/f0.py/evil.py", "src/f0.py is a file, not a folder"),
        ("src/f0.py/a/b/evil.py", "src/f0.py is a file, not a folder"),
        ("src", "is a folder"),
        ("../outside.py", "not a file inside the workspace"),
    ],
)
def test_paths_that_cannot_hold_the_file(root: Path, path: str, why: str) -> None:
    before = _snapshot(root)
    with pytest.raises(WriteRefused, match=why):
        check_target(root, root / path)
    with pytest.raises(WriteRefused, match=why):
        write_all(root, [*_six(root), Write(root / path, None, b"evil")])
    assert _snapshot(root) == before


def test_special_files_are_refused(root: Path) -> None:
    os.mkfifo(root / "src" / "pipe")
    with pytest.raises(WriteRefused, match="not a regular file"):
        write_all(root, [Write(root / "src" / "pipe", b"", b"x")])


def test_created_or_deleted_meanwhile(root: Path) -> None:
    (root / "src" / "late.py").write_bytes(b"someone else\n")
    with pytest.raises(WriteRefused, match="created while"):
        write_all(root, [Write(root / "src" / "late.py", None, b"mine\n")])
    with pytest.raises(WriteRefused, match="deleted while"):
        write_all(root, [Write(root / "src" / "gone.py", b"old\n", b"new\n")])
    assert (root / "src" / "late.py").read_bytes() == b"someone else\n"


def test_symlink_inside_is_written_through(root: Path) -> None:
    (root / "link.py").symlink_to(root / "src" / "f1.py")
    write_all(root, [Write(root / "link.py", b"x = 1\r\n", b"through\n")])
    assert (root / "link.py").is_symlink()
    assert (root / "src" / "f1.py").read_bytes() == b"through\n"


def test_symlink_outside_is_refused(root: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.py").write_bytes(b"out\n")
    (root / "out.py").symlink_to(tmp_path / "outside.py")
    (root / "outdir").symlink_to(tmp_path)
    with pytest.raises(WriteRefused, match="outside the workspace"):
        write_all(root, [Write(root / "out.py", b"out\n", b"x")])
    with pytest.raises(WriteRefused, match="outside the workspace"):
        write_all(root, [Write(root / "outdir" / "new.py", None, b"x")])
    assert (tmp_path / "outside.py").read_bytes() == b"out\n"
    assert not (tmp_path / "new.py").exists()


def test_two_names_for_one_file_are_refused(root: Path) -> None:
    (root / "alias.py").symlink_to(root / "src" / "f2.py")
    with pytest.raises(WriteRefused, match="same file"):
        write_all(
            root,
            [
                Write(root / "alias.py", b"x = 2\r\n", b"a"),
                Write(root / "src" / "f2.py", b"x = 2\r\n", b"b"),
            ],
        )


def test_hard_link_is_kept(root: Path) -> None:
    os.link(root / "src" / "f3.py", root / "twin.py")
    inode = (root / "src" / "f3.py").stat().st_ino
    write_all(root, [Write(root / "src" / "f3.py", b"x = 3\r\n", b"both names\n")])
    assert (root / "twin.py").read_bytes() == b"both names\n"
    assert (root / "src" / "f3.py").stat().st_ino == inode
    assert (root / "src" / "f3.py").stat().st_nlink == 2


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o2775, 0o664])
def test_mode_is_kept(root: Path, mode: int) -> None:
    p = root / "src" / "f4.py"
    os.chmod(p, mode)
    write_all(root, [Write(p, b"x = 4\r\n", b"y\n")])
    assert stat.S_IMODE(p.stat().st_mode) == mode
    assert p.read_bytes() == b"y\n"


def test_owner_is_kept(root: Path) -> None:
    p = root / "src" / "f4.py"
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    os.chown(p, 4242, 4343)
    write_all(root, [Write(p, b"x = 4\r\n", b"y\n")])
    st = p.stat()
    assert (st.st_uid, st.st_gid) == (4242, 4343)


def test_new_file_gets_the_umask_mode(root: Path) -> None:
    old = os.umask(0o027)
    try:
        write_all(root, [Write(root / "n.py", None, b"x")])
    finally:
        os.umask(old)
    assert stat.S_IMODE((root / "n.py").stat().st_mode) == 0o640


def test_read_only_file_is_refused(root: Path) -> None:
    p = root / "src" / "f0.py"
    os.chmod(p, 0o444)
    before = _snapshot(root)
    with pytest.raises(WriteRefused, match="read-only"):
        write_all(root, _six(root))
    assert _snapshot(root) == before
    assert stat.S_IMODE(p.stat().st_mode) == 0o444


def test_change_between_the_check_and_the_replace_writes_nothing(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare = fswrite._prepare
    calls = []

    def racing(p: fswrite._Plan) -> None:
        prepare(p)
        calls.append(p)
        if len(calls) == 4:  # another program edits f1 while the new versions are made
            (root / "src" / "f1.py").write_bytes(b"x = 1\r\n# theirs\n")

    monkeypatch.setattr(fswrite, "_prepare", racing)
    with pytest.raises(WriteRefused, match=r"f1\.py changed"):
        write_all(root, _six(root))
    assert (root / "src" / "f0.py").read_bytes() == b"x = 0\r\n"
    assert (root / "src" / "f1.py").read_bytes() == b"x = 1\r\n# theirs\n"
    assert not list(root.rglob(".agentls-*"))


def test_failure_half_way_puts_everything_back(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(root)
    replace = os.replace
    count = [0]

    def failing(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> None:
        count[0] += 1
        if count[0] == 4:
            raise OSError(28, "No space left on device")
        replace(a, b)

    monkeypatch.setattr(fswrite.os, "replace", failing)
    writes = [Write(root / "made" / "new.py", None, b"n"), *_six(root)]
    with pytest.raises(WriteRefused, match=r"No space left on device.*nothing was changed"):
        write_all(root, writes)
    monkeypatch.setattr(fswrite.os, "replace", replace)
    assert _snapshot(root) == before  # 3 replaced files restored, the new one and its folder gone


def _xattrs_work(p: Path) -> bool:
    try:
        os.setxattr(p, "user.agentls-probe", b"1")
        os.removexattr(p, "user.agentls-probe")
    except (AttributeError, OSError):
        return False
    return True


def test_extended_attributes_are_kept(root: Path) -> None:
    """Issue 14 class 8, second attack: the replace gave the file a new inode without its
    extended attributes (user tags, and POSIX ACLs, which live in system.posix_acl_access)."""
    p = root / "src" / "f2.py"
    if not _xattrs_work(p):
        pytest.skip("no user extended attributes on this file system")
    os.setxattr(p, "user.origin", b"downloaded")
    os.setxattr(p, "user.tag", b"\x00binary\xff")
    write_all(root, [Write(p, b"x = 2\r\n", b"y\n")])
    assert p.read_bytes() == b"y\n"
    assert os.getxattr(p, "user.origin") == b"downloaded"
    assert os.getxattr(p, "user.tag") == b"\x00binary\xff"


def test_an_attribute_that_cannot_be_copied_keeps_the_file(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = root / "src" / "f2.py"
    if not _xattrs_work(p):
        pytest.skip("no user extended attributes on this file system")
    os.setxattr(p, "user.origin", b"downloaded")
    inode = p.stat().st_ino

    def refuse(*args: object) -> None:
        raise PermissionError("not allowed")

    monkeypatch.setattr(os, "setxattr", refuse)
    write_all(root, [Write(p, b"x = 2\r\n", b"y\n")])
    assert p.read_bytes() == b"y\n" and p.stat().st_ino == inode  # rewritten in place
    assert os.getxattr(p, "user.origin") == b"downloaded"
