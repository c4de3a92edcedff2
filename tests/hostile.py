"""Hostile surroundings for the tests of issue 14.

- :func:`hostile_entries`: entries that are not regular files, or never end (class 4): each
  reader of agentls must pass over them, say why, and never wait or run out of memory.
- :func:`make_entry`: one entry of a kind (a FIFO, a link out, a device...), for the fuzzers
  that build random workspaces of them; :func:`alarm` stops a reader or writer that waits.
- :func:`fill_home`: a ``$HOME`` with credentials and private files (class 1) that no agent
  run may read; every one of them holds :data:`SECRET`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

CHAR_DEVICE = "not a regular file (a character device)"
FIFO = "not a regular file (a FIFO)"

# file name -> (how it is made, part of what agentls says about it)
VARIANTS: dict[str, str] = {
    "zero.md": CHAR_DEVICE,  # a link to /dev/zero: never ends
    "urandom.md": CHAR_DEVICE,  # a link to /dev/urandom: never ends
    "stdin.md": "not a regular file",  # a link to /dev/stdin: the reader's own input
    "fifo.md": FIFO,  # a FIFO nobody writes to: open() blocks
    "fifo-writer.md": FIFO,  # a FIFO held open for writing, with data in it
    "socket.md": "not a regular file (a socket)",
    "loop.md": "a symbolic link loop",
    "dangling.md": "a symbolic link to nothing (dangling)",
    "sparse.md": "larger than",  # 100 GB, sparse
    "environ.md": "/proc or /sys",  # a link to /proc/self/environ (the API key)
}
FOLDER = "folder.md"  # a folder named like an agent file: not a file, never reported


def make_entry(
    path: Path,
    kind: str,
    data: bytes,
    writers: list[int],
    earlier: Path | None = None,
    outside: Path | None = None,
    up: Path | None = None,
) -> None:
    """Make ``path`` an entry of ``kind`` holding ``data`` where it holds anything:

    ``text``, ``readonly``, ``latin1`` (``data`` and a byte that is never UTF-8); links to
    ``earlier`` (``link-earlier``), to a file written in ``outside`` (``link-out``), to the
    folder ``up`` (``link-up``), to nothing (``dangling``), to itself (``loop``), to a device
    (``zero``, ``urandom``, ``stdin``) or to ``/proc/self/environ`` (``environ``); a hard link
    to a file of ``outside`` (``hardlink-out``); a FIFO (``fifo``; ``fifo-writer``: held open
    for writing, its descriptor appended to ``writers`` for the caller to close); a folder
    (``folder``); a 10 GB sparse file (``sparse``)."""
    if kind in ("text", "readonly", "latin1"):
        path.write_bytes(data + (b"caf\xe9\n" if kind == "latin1" else b""))
        if kind == "readonly":
            path.chmod(0o444)
    elif kind in ("link-out", "hardlink-out"):
        assert outside is not None
        target = outside / f"{'out' if kind == 'link-out' else 'hard'}-{path.name}"
        target.write_bytes(data)
        if kind == "link-out":
            path.symlink_to(target)
        else:
            os.link(target, path)
    elif kind in ("zero", "urandom", "stdin"):
        path.symlink_to(f"/dev/{kind}")
    elif kind == "environ":
        path.symlink_to("/proc/self/environ")
    elif kind in ("fifo", "fifo-writer"):
        os.mkfifo(path)
        if kind == "fifo-writer":
            # O_RDWR on a FIFO does not wait for a reader (Linux): the FIFO then has a writer
            writers.append(os.open(path, os.O_RDWR | os.O_NONBLOCK))
            os.write(writers[-1], data[:4096])
    elif kind == "dangling":
        path.symlink_to(path.parent / "missing.md")
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "link-earlier":
        assert earlier is not None
        path.symlink_to(earlier)
    elif kind == "link-up":
        assert up is not None
        path.symlink_to(up, target_is_directory=True)
    elif kind == "folder":
        path.mkdir()
    elif kind == "sparse":
        with open(path, "wb") as fh:
            fh.truncate(10 * 1024**3)
    else:
        raise ValueError(kind)


@contextlib.contextmanager
def alarm(seconds: int) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (SIGALRM): a read or write that would wait
    forever fails the test instead of hanging it."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("a reader or writer waited: interrupted by the alarm")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def hostile_entries(folder: Path) -> Iterator[dict[str, str]]:
    """Make every variant of :data:`VARIANTS` (and :data:`FOLDER`) in ``folder``; yield
    ``{name: what agentls says}``. The FIFO writer is closed on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "zero.md").symlink_to("/dev/zero")
    (folder / "urandom.md").symlink_to("/dev/urandom")
    (folder / "stdin.md").symlink_to("/dev/stdin")
    os.mkfifo(folder / "fifo.md")
    os.mkfifo(folder / "fifo-writer.md")
    # O_RDWR on a FIFO does not wait for a reader (Linux): the FIFO then has a writer
    writer = os.open(folder / "fifo-writer.md", os.O_RDWR | os.O_NONBLOCK)
    os.write(writer, b"---\nname: fifo\n---\n" * 100)
    sock = socket.socket(socket.AF_UNIX)
    cwd = os.getcwd()
    try:
        os.chdir(folder)  # a socket path is limited to 108 bytes: bind by a short name
        sock.bind("socket.md")
    finally:
        os.chdir(cwd)
    (folder / "loop.md").symlink_to(folder / "loop.md")
    (folder / "dangling.md").symlink_to(folder / "nothing-here.md")
    with open(folder / "sparse.md", "wb") as fh:
        fh.truncate(100 * 1024**3)
    (folder / "environ.md").symlink_to("/proc/self/environ")
    (folder / FOLDER).mkdir()
    try:
        yield dict(VARIANTS)
    finally:
        os.close(writer)
        sock.close()


def agent(name: str, extra: str = "") -> str:
    """A clean Claude Code agent file."""
    return f"---\nname: {name}\ndescription: Use it when {name} is needed.\n{extra}---\nBody\n"


SECRET = "SECRET-"
HOME_FILES = {
    ".claude/.credentials.json": '{"claudeAiOauth": {"accessToken": "SECRET-OAUTH-TOKEN"}}',
    ".git-credentials": "https://user:SECRET-GIT-PASSWORD@github.com\n",
    ".bash_history": "export TOKEN=SECRET-IN-HISTORY\n",
    ".ssh/id_ed25519": "SECRET-SSH-KEY\n",
    ".claude/agents/mine.md": "---\nname: mine\ndescription: Use it.\n---\nSECRET-AGENT-BODY\n",
    "notes.txt": "SECRET-HOME-NOTES\n",
}
# What a model would try: by path from a root that might be $HOME, by pattern, by content.
SCRIPTED_TOOLS: list[tuple[str, dict[str, str]]] = [
    ("Read", {"file_path": ".claude/.credentials.json"}),
    ("Read", {"file_path": ".git-credentials"}),
    ("Read", {"file_path": "notes.txt"}),
    ("Read", {"file_path": ".bash_history"}),
    ("Read", {"file_path": "../notes.txt"}),
    ("Glob", {"pattern": "**/*"}),
    ("Glob", {"pattern": "**/.credentials.json"}),
    ("Grep", {"pattern": "SECRET"}),
    ("Grep", {"pattern": "SECRET", "path": ".claude"}),
]


def fill_home(home: Path) -> Path:
    """Put :data:`HOME_FILES` in ``home``, with ``Downloads/script.py`` (in no project) and
    ``notes.py`` (directly in ``home``)."""
    for rel, text in HOME_FILES.items():
        p = home / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, "utf-8")
    (home / "Downloads").mkdir(exist_ok=True)
    (home / "Downloads" / "script.py").write_text("def f(a, b):\n    return a + b\n", "utf-8")
    (home / "notes.py").write_text("x = 1\n", "utf-8")
    return home
