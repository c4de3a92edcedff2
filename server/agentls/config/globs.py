"""The globs of the configuration (``exclude``, ``per-file-ignores``, ``dialects``).

One syntax for every key, the one people know from ``.gitignore`` and ruff:

- a pattern is matched against the path of the file relative to the folder of the
  configuration file that holds it, with ``/`` between folders;
- ``*`` is any run of characters but ``/``, ``?`` one character but ``/``, ``[abc]`` /
  ``[!abc]`` one character of (not of) a set, ``**`` any number of folders
  (``a/**/b``, ``**/b``, ``a/**``);
- a pattern without ``/`` (``*.draft.md``, ``legacy``) matches a file or folder name at any
  depth; with a ``/`` it is anchored to the configuration's folder (a leading ``/`` or
  ``./`` is allowed and changes nothing);
- a pattern that matches a folder matches every file below it (``drafts`` and ``drafts/``
  cover ``drafts/a/b.md``).

Matching is case-sensitive, as Claude Code's own paths are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class GlobError(ValueError):
    """The pattern cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Glob:
    pattern: str
    regex: re.Pattern[str]

    def matches(self, relative: str) -> bool:
        """Whether the ``/``-separated path ``relative`` (no leading ``/``) matches."""
        return self.regex.match(relative) is not None


def compile_glob(pattern: str) -> Glob:
    text = pattern.strip()
    if not text:
        raise GlobError("an empty pattern matches nothing")
    if "\\" in text:
        raise GlobError("write `/` between folders (a `\\` is not a separator here)")
    anchored = "/" in text.rstrip("/")
    if text.startswith("./"):
        text = text[2:]
    text = text.lstrip("/").rstrip("/")
    if not text:
        raise GlobError("the pattern names no file or folder")
    body = _translate(text)
    prefix = "" if anchored else "(?:.*/)?"
    # the path itself, or anything below a folder that matches
    return Glob(pattern, re.compile(f"{prefix}{body}(?:/.*)?\\Z", re.DOTALL))


def _translate(text: str) -> str:
    out: list[str] = []
    parts = text.split("/")
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        if part == "**":
            # "a/**/b": zero or more folders; "a/**": everything below (added by the caller)
            out.append("(?:.*/)?" if not last else ".*")
            continue
        if "**" in part:
            raise GlobError(f"`**` must be a whole path part (`a/**/b`), not `{part}`")
        out.append(_part(part) + ("" if last else "/"))
    return "".join(out)


def _part(part: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(part):
        c = part[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = part.find("]", i + 2 if part[i + 1 : i + 2] in ("!", "^") else i + 1)
            if j < 0:
                raise GlobError("`[` opens a set of characters that no `]` closes")
            inner = part[i + 1 : j]
            negate = inner[:1] in ("!", "^")
            if negate:
                inner = inner[1:]
            inner = inner.replace("\\", "\\\\").replace("^", "\\^")
            out.append(f"[{'^/' if negate else ''}{inner}]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def relative_to(path: str, folder: str) -> str | None:
    """``path`` relative to ``folder`` with ``/`` separators; None when it is not below it.
    Both are absolute; string work only (no file system access)."""
    p = path.replace("\\", "/")
    f = folder.replace("\\", "/").rstrip("/")
    if not p.startswith(f + "/"):
        return None
    return p[len(f) + 1 :]
