"""Proposals as a patch that ``git apply`` takes (``agentls run --patch FILE``).

Lines are split as git splits them (at LF only: a CR stays in its line, so CR LF files
round-trip); a file without a final newline gets git's ``\\ No newline at end of file``;
a new file gets ``new file mode 100644`` and ``--- /dev/null``; a name with a quote, a
backslash or a control character is C-quoted as git quotes it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from agentls.runner.proposals import FileChange

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _quote(path: str) -> str:
    if not any(c in _ESCAPES or ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return path
    out = []
    for c in path:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\{ord(c):03o}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _split_lf(text: str) -> list[str]:
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def file_patch(change: FileChange) -> str:
    a = [] if change.original is None else _split_lf(change.original)
    b = _split_lf(change.new)
    old = "/dev/null" if change.created else _quote(f"a/{change.rel}")
    new = _quote(f"b/{change.rel}")
    head = [f"diff --git {_quote('a/' + change.rel)} {new}\n"]
    if change.created:
        head.append("new file mode 100644\n")
    body = list(difflib.unified_diff(a, b, fromfile=old, tofile=new, lineterm="\n"))
    if not body:
        return ""
    body[0], body[1] = f"--- {old}\n", f"+++ {new}\n"
    out = head + body[:2]
    for line in body[2:]:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def git_patch(changes: Iterable[FileChange]) -> str:
    """One patch for every change, in order."""
    return "".join(file_patch(ch) for ch in changes)
