"""One way to read a file of the workspace: regular files only, never blocking, bounded.

Every file agentls reads but does not own goes through :func:`read_file`: agent files
(``check``, ``check --fix``, ``agents``, the index and its worker processes, the runner's
definitions), ``.mcp.json``, plugin manifests, the files a watched-files notification names,
and the runner's Read/Grep tools. A workspace is not trusted: a symbolic link to
``/dev/zero`` or ``/dev/stdin``, a FIFO named ``x.md``, a 100 GB sparse file must neither
hang the caller (a FIFO without a writer blocks ``open``; one with a writer, ``/dev/zero``
and ``/dev/urandom`` never end; ``/dev/stdin`` in the server is the LSP stream itself) nor
exhaust its memory.

How: the path is looked at with ``stat`` (links resolved) before it is opened, so that no
device is ever opened (opening a serial port or a tape has effects of its own); only a
regular file is opened, with ``O_NONBLOCK | O_NOCTTY``, and checked again on the descriptor
(``fstat``: it may have been replaced meanwhile). Files of the kernel's pseudo file systems
(``/proc``, ``/sys``) claim to be regular files of size 0 and are refused too
(``/proc/self/environ`` holds the API key). At most ``limit`` bytes are read; a larger file
is not read at all.

The outcome is data: :class:`FileData` with the bytes, or the reason the file was not read
in words a finding can show ("not a regular file (a FIFO)", "larger than 16,777,216 bytes").
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from dataclasses import dataclass
from functools import cache

# What a reason is about, for callers that act on it (never on the words).
MISSING = "missing"  # no such file, a dangling link
SPECIAL = "special"  # a FIFO, socket, device or pseudo-file
FOLDER = "folder"
TOO_LARGE = "too-large"
OUTSIDE = "outside"  # a link out of the given root
REFUSED_LINK = "link"  # a final symbolic link or a hard link, where the caller refuses them
ERROR = "error"  # permission denied, I/O error, symbolic link loop...

_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class FileData:
    """What reading one file gave: its bytes, or why it was not read."""

    path: str
    data: bytes | None
    size: int = 0  # the file's size in bytes when known (also when it was too large)
    problem: str | None = None  # why it was not read, in words for a message
    kind: str | None = None  # MISSING, SPECIAL, FOLDER, TOO_LARGE, OUTSIDE, REFUSED_LINK, ERROR

    @property
    def ok(self) -> bool:
        return self.data is not None

    def text(self) -> str | None:
        """The content as text (UTF-8, invalid bytes replaced); None when not read."""
        return None if self.data is None else self.data.decode("utf-8", "replace")


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def describe_mode(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def _refused(path: str, kind: str, problem: str, size: int = 0) -> FileData:
    return FileData(path, None, size, problem, kind)


def _special(path: str, mode: int) -> FileData:
    kind = FOLDER if stat.S_ISDIR(mode) else SPECIAL
    return _refused(path, kind, f"not a regular file ({describe_mode(mode)})")


@cache
def _pseudo_devices() -> frozenset[int]:
    """Devices of the kernel's pseudo file systems: their files say they are regular."""
    out = set()
    for p in ("/proc", "/sys"):
        with contextlib.suppress(OSError):
            out.add(os.stat(p).st_dev)
    return frozenset(out)


def _stat_problem(path: str, exc: OSError) -> FileData:
    if exc.errno == errno.ENOENT:
        try:
            os.lstat(path)
        except OSError:
            return _refused(path, MISSING, "no such file")
        return _refused(path, MISSING, "a symbolic link to nothing (dangling)")
    if exc.errno == errno.ELOOP:
        return _refused(path, ERROR, "a symbolic link loop")
    if exc.errno == errno.ENOTDIR:
        return _refused(path, MISSING, "no such file (a part of the path is not a folder)")
    if exc.errno == errno.ENAMETOOLONG:
        return _refused(path, ERROR, "the path is too long")
    reason = (exc.strerror or str(exc)).lower()
    return _refused(path, ERROR, reason)


def _within(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def read_file(
    path: str,
    limit: int,
    *,
    root: str | None = None,
    final_link: bool = True,
    hard_links: bool = True,
) -> FileData:
    """Read ``path`` if it is a regular file of at most ``limit`` bytes, without blocking.

    ``root``: the file must resolve (links followed) to a place inside it.
    ``final_link=False``: a symbolic link as the last part of the path is refused.
    ``hard_links=False``: a file with more than one name is refused (one of its names may be
    outside the root)."""
    if "\x00" in path:
        return _refused(path, ERROR, "the path contains a NUL byte")
    try:
        st = os.stat(path) if final_link else os.lstat(path)
    except OSError as exc:
        return _stat_problem(path, exc)
    except ValueError:
        return _refused(path, ERROR, "the path cannot be used")
    if not final_link and stat.S_ISLNK(st.st_mode):
        return _refused(path, REFUSED_LINK, "a symbolic link")
    unfit = _unfit(path, st, limit, hard_links)
    if unfit is not None:
        return unfit
    if root is not None:
        real = os.path.realpath(path)
        if not _within(real, os.path.realpath(root)):
            return _refused(path, OUTSIDE, f"outside the workspace (it leads to {real})")
    flags = _FLAGS | (0 if final_link else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not final_link:
            return _refused(path, REFUSED_LINK, "a symbolic link")
        return _stat_problem(path, exc)
    try:
        st = os.fstat(fd)  # what was opened, which may not be what was looked at
        unfit = _unfit(path, st, limit, hard_links)
        if unfit is not None:
            return unfit
        parts: list[bytes] = []
        total = 0
        while total <= limit:  # st_size may be stale: read to the end or past the limit
            want = min(limit + 1 - total, max(st.st_size + 1 - total, _CHUNK))
            try:
                chunk = os.read(fd, want)
            except BlockingIOError:  # a regular file never says so; be safe anyway
                break
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
    except OSError as exc:
        return _refused(path, ERROR, (exc.strerror or str(exc)).lower())
    finally:
        os.close(fd)
    if total > limit:
        return _too_large(path, limit, max(total, st.st_size))
    data = parts[0] if len(parts) == 1 else b"".join(parts)
    return FileData(path, data, len(data))


def _unfit(path: str, st: os.stat_result, limit: int, hard_links: bool) -> FileData | None:
    """Why a file with this status is not read (None: it may be)."""
    if not stat.S_ISREG(st.st_mode):
        return _special(path, st.st_mode)
    if st.st_dev in _pseudo_devices():
        return _refused(path, SPECIAL, "not a regular file (a file of the kernel's /proc or /sys)")
    if not hard_links and st.st_nlink > 1:
        return _refused(path, REFUSED_LINK, "hard-linked (another name may be outside)")
    if st.st_size > limit:
        return _too_large(path, limit, st.st_size)
    return None


def _too_large(path: str, limit: int, size: int) -> FileData:
    return _refused(path, TOO_LARGE, f"larger than {limit:,} bytes ({size:,} bytes)", size)


def read_text(path: str, limit: int) -> str | None:
    """The file as text (UTF-8, invalid bytes replaced), or None when it was not read."""
    return read_file(path, limit).text()
