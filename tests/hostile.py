"""Hostile surroundings for the tests of issue 14.

- :func:`hostile_entries`: entries that are not regular files, or never end (class 4): each
  reader of agentls must pass over them, say why, and never wait or run out of memory.
- :func:`fill_home`: a ``$HOME`` with credentials and private files (class 1) that no agent
  run may read; every one of them holds :data:`SECRET`.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

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
