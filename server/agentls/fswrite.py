"""The one safe writer of workspace files: every change, or none.

Used by ``agentls run --apply`` and ``check --fix``. Each :class:`Write` names a
path inside a root, the bytes the caller read from it (``None``: it must not exist) and the
bytes to put there. :func:`write_all` first checks every write, then writes them all; when
any check fails nothing is written, and when a write fails half-way the ones already done
are put back (issue 14: 3 of 6 changes were written before a traceback).

What is kept, and why:

- **symlinks**: a symlink to a file inside the root is written through (its target
  changes, the link stays); one that leads outside the root is refused;
- **hard links**: a file with more than one link is rewritten in place, so every name keeps
  seeing the same file (an atomic replace would give this name a new file and leave the
  others with the old text); in place is not atomic, the price of keeping the link;
- **owner and mode**: the new file gets the old one's permission bits, owner and group;
  when the owner cannot be given (another user's file), the file is rewritten in place;
- **extended attributes** (POSIX ACLs are kept in ``system.posix_acl_access``, SELinux
  labels in ``security.selinux``, user tags in ``user.*``): copied to the new version;
  when one cannot be copied, the file is rewritten in place (a replace dropped them all);
- **read-only files** (no write permission) are refused, never made writable;
- **concurrent changes**: the bytes on disk are compared with those the change was made
  from when checking, and again right before replacing; a difference refuses everything;
- **atomicity**: a new version is written beside the file, fsynced, then renamed over it
  (``os.replace``); a new file is linked into place only if nothing appeared there
  meanwhile; the folders are fsynced after.

A path below an existing file (``src/app.py/evil.py``), a folder, a FIFO or a device are
refused with the reason. Every refusal is a :class:`WriteRefused` naming the file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

_READ_CHUNK = 1 << 16


class WriteRefused(Exception):
    """Nothing was written; the message says which file and why."""


@dataclass(frozen=True)
class Write:
    path: Path  # as proposed: absolute, inside the root (a symlink is written through)
    expected: bytes | None  # the bytes the change was made from; None: must not exist
    new: bytes


@dataclass
class _Plan:
    write: Write
    shown: str  # the path relative to the root, for messages
    target: Path  # the real file written (a symlink's target)
    create_dirs: list[Path] = field(default_factory=list)
    st: os.stat_result | None = None  # the existing file's status
    in_place: bool = False
    temp: Path | None = None
    during: str = "the agent was running"  # what went on since the bytes were read


def write_all(
    root: Path, writes: Sequence[Write], *, during: str = "the agent was running"
) -> list[Path]:
    """Write every change or none; the real paths written. Raises :class:`WriteRefused`.
    ``during`` says, in a refusal, what went on since ``expected`` was read."""
    root_real = Path(os.path.realpath(root))
    try:
        plans = [_check(root_real, Path(os.path.abspath(root)), w, during) for w in writes]
    except OSError as exc:  # a name too long, a folder we may not enter...
        raise WriteRefused(f"{_said(exc)}; nothing was written") from None
    targets = [p.target for p in plans]
    if len(set(targets)) != len(targets):
        raise WriteRefused("two changes name the same file (through a link); nothing was written")
    created_dirs: list[Path] = []
    done: list[_Plan] = []
    try:
        for p in plans:
            created_dirs += _make_dirs(p)
            _prepare(p)
        for p in plans:  # the last look before anything is replaced
            _verify_unchanged(p)
        for p in plans:
            _commit(p)
            done.append(p)
        for folder in {p.target.parent for p in plans}:
            _fsync_dir(folder)
    except BaseException as exc:
        for p in reversed(done):
            _undo(p)
        for p in plans:
            if p.temp is not None:
                with contextlib.suppress(OSError):
                    p.temp.unlink()
        for d in reversed(created_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        if isinstance(exc, WriteRefused):
            raise
        if isinstance(exc, OSError):
            raise WriteRefused(
                f"writing failed ({exc.strerror or exc}); nothing was changed"
            ) from None
        raise
    return targets


# --------------------------------------------------------------------------- checks


def check_target(root: Path, path: Path) -> None:
    """Refuse (:class:`WriteRefused`) a path that no write could go to: outside the root,
    below a file (``src/app.py/evil.py``), a folder or a special file. For callers that
    check a proposal when it is made; :func:`write_all` checks again before writing."""
    root_real = Path(os.path.realpath(root))
    try:
        shown, target, missing = _locate(root_real, Path(os.path.abspath(root)), path)
        if missing:
            return
        st = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WriteRefused(_said(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise WriteRefused(f"{shown} is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise WriteRefused(f"{shown} is not a regular file")


def _check_length(root: Path, path: Path, rel: Path) -> None:
    """A name or a path longer than the file system takes is refused when the change is
    proposed, not half-way through the apply (ENAMETOOLONG ended a whole agent run)."""
    name_max, path_max = _limits(str(root))
    for part in rel.parts:
        if len(os.fsencode(part)) > name_max:
            raise WriteRefused(f"a name of {len(os.fsencode(part)):,} bytes is too long")
    if len(os.fsencode(str(path))) >= path_max:
        raise WriteRefused(f"a path of {len(os.fsencode(str(path))):,} bytes is too long")


def _limits(folder: str) -> tuple[int, int]:
    """(longest name, longest path) in bytes on the file system of ``folder``."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX"), os.pathconf(folder, "PC_PATH_MAX")
    except (AttributeError, OSError, ValueError):  # Windows: MAX_PATH
        return 255, 260


def _said(exc: OSError) -> str:
    """An OS error in words, with the path it names when it names one."""
    what = (exc.strerror or str(exc)).lower()
    return f"{Path(exc.filename).name}: {what}" if exc.filename else what


def _locate(root: Path, given_root: Path, given: Path) -> tuple[str, Path, list[Path]]:
    """(the path for messages, the real file to write, the folders to create first)."""
    path = Path(os.path.abspath(given))
    rel = _relative(path, root) or _relative(path, given_root)
    if rel is None or not rel.parts:
        raise WriteRefused(f"{given} is not a file inside the workspace; nothing was written")
    shown = rel.as_posix()
    _check_length(root, path, rel)
    # every folder on the way must be a folder inside the root (or not exist yet)
    here = root
    missing: list[Path] = []
    for part in rel.parts[:-1]:
        here = here / part
        if missing:
            missing.append(here)
            continue
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            missing.append(here)
            continue
        if stat.S_ISLNK(st.st_mode):
            real = Path(os.path.realpath(here))
            if _relative(real, root) is None:
                raise WriteRefused(f"{shown}: {part} leads outside the workspace (symlink)")
            if not real.is_dir():
                raise WriteRefused(f"{shown}: {part} is not a folder")
            here = real
        elif not stat.S_ISDIR(st.st_mode):
            where = here.relative_to(root).as_posix()
            raise WriteRefused(f"{shown}: {where} is a file, not a folder; nothing was written")
    target = here / rel.parts[-1]
    if not missing and os.path.islink(target):
        target = Path(os.path.realpath(target))
        if _relative(target, root) is None:
            raise WriteRefused(f"{shown} is a symlink that leads outside the workspace")
    return shown, target, missing


def _check(root: Path, given_root: Path, w: Write, during: str) -> _Plan:
    shown, target, missing = _locate(root, given_root, w.path)
    plan = _Plan(w, shown, target, create_dirs=missing, during=during)
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        st = None
    if st is None:
        if w.expected is not None:
            raise WriteRefused(f"{shown} was deleted while {during}")
        return plan
    if stat.S_ISDIR(st.st_mode):
        raise WriteRefused(f"{shown} is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise WriteRefused(f"{shown} is not a regular file")
    if w.expected is None:
        raise WriteRefused(f"{shown} was created while {during}")
    if not (st.st_mode & stat.S_IWUSR) or not os.access(target, os.W_OK):
        raise WriteRefused(f"{shown} is read-only; agentls does not change read-only files")
    plan.st = st
    plan.in_place = st.st_nlink > 1  # keep the hard link: the same file under every name
    _verify_unchanged(plan)
    return plan


def _verify_unchanged(p: _Plan) -> None:
    if p.write.expected is None:
        if os.path.lexists(p.target):
            raise WriteRefused(f"{p.shown} was created while {p.during}")
        return
    try:
        fd = os.open(p.target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError as e:
        raise WriteRefused(f"{p.shown} cannot be read ({e.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (p.st is not None and st.st_ino != p.st.st_ino):
            raise WriteRefused(f"{p.shown} was replaced while {p.during}")
        expected = p.write.expected
        if st.st_size != len(expected) or _read_all(fd, len(expected) + 1) != expected:
            raise WriteRefused(f"{p.shown} changed while {p.during}; nothing was written")
    finally:
        os.close(fd)


def _read_all(fd: int, limit: int) -> bytes:
    chunks = []
    total = 0
    while total < limit:
        chunk = os.read(fd, min(_READ_CHUNK, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _relative(path: Path, root: Path) -> Path | None:
    try:
        return path.relative_to(root)
    except ValueError:
        return None


# --------------------------------------------------------------------------- writing


def _make_dirs(p: _Plan) -> list[Path]:
    made = []
    for d in p.create_dirs:
        os.mkdir(d)
        made.append(d)
    return made


def _prepare(p: _Plan) -> None:
    """The new version beside the file, complete and on disk, with the old one's mode and
    owner (or, when they cannot be kept, a rewrite in place instead)."""
    if p.in_place:
        return
    fd, name = tempfile.mkstemp(prefix=".agentls-", suffix=".tmp", dir=p.target.parent)
    p.temp = Path(name)
    try:
        _write_fd(fd, p.write.new)
        if p.st is not None:
            os.fchmod(fd, stat.S_IMODE(p.st.st_mode))
            if (p.st.st_uid, p.st.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.fchown(fd, p.st.st_uid, p.st.st_gid)
                except PermissionError:  # not ours to give away: keep the file itself
                    p.in_place = True
            if not p.in_place and not _copy_xattrs(p.target, fd):
                p.in_place = True
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        os.fsync(fd)
    finally:
        os.close(fd)
    if p.in_place:
        p.temp.unlink()
        p.temp = None


def _copy_xattrs(src: Path, fd: int) -> bool:
    """Give the open file ``fd`` every extended attribute of ``src``; False when one cannot
    be given (the caller then keeps the file itself). Platforms without ``os.listxattr``
    (macOS, Windows) have nothing to copy here."""
    if not hasattr(os, "listxattr"):
        return True
    try:
        names = os.listxattr(src)
    except OSError:  # a file system without extended attributes: nothing to keep
        return True
    for name in names:
        try:
            os.setxattr(fd, name, os.getxattr(src, name))
        except OSError:
            return False
    return True


def _write_fd(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _commit(p: _Plan) -> None:
    if p.in_place:
        fd = os.open(p.target, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            _write_fd(fd, p.write.new)
            os.ftruncate(fd, len(p.write.new))
            os.fsync(fd)
        finally:
            os.close(fd)
        return
    assert p.temp is not None
    if p.write.expected is None:
        os.link(p.temp, p.target)  # fails if something appeared there: never clobbered
        p.temp.unlink()
    else:
        os.replace(p.temp, p.target)
    p.temp = None


def _undo(p: _Plan) -> None:
    """Put back what ``p`` replaced (a failure later in the same :func:`write_all`)."""
    with contextlib.suppress(OSError):
        if p.write.expected is None:
            p.target.unlink()
            return
        undo = _Plan(Write(p.target, p.write.new, p.write.expected), p.shown, p.target)
        undo.st, undo.in_place = p.st, p.in_place
        _prepare(undo)
        _commit(undo)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
