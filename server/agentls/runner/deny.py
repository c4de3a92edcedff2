"""The deny list of agent tools: credential, key, token, history and state files by pattern.

The patterns are data (``data/denied-paths.json``, with their sources); this module matches
them. Every component of a path is checked (a denied folder denies all below it), in lower
case, as written and with editor and backup decorations taken off (``.env~``, ``#.env#``,
``id_rsa.bak``), plus runs of components for the path patterns (``.config/gcloud``). The
sandbox checks the path as written and again after resolving links.

All single-component globs are compiled into one regular expression (fnmatch's translation
has no nested quantifiers, so it cannot blow up): a Glob or Grep walk checks 5,000 names in
a few milliseconds.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from agentls.data import load_json

_MAX_STRIPS = 4  # decorations taken off one name, at most (`#.env.bak#~`)
_VIM_SWAP = frozenset((".swp", ".swo", ".swn", ".swx"))


@dataclass(frozen=True)
class _DenyList:
    names: re.Pattern[str]
    paths: tuple[tuple[re.Pattern[str], ...], ...]
    #: the first components of ``paths`` in one expression: most paths hold none of them
    heads: re.Pattern[str]
    suffixes: tuple[str, ...]
    prefixes: tuple[str, ...]
    enclosing: tuple[tuple[str, str], ...]


@cache
def _deny_list() -> _DenyList:
    data = load_json("denied-paths.json")
    parts = [fnmatch.translate(g.lower()) for group in data["names"].values() for g in group]
    parts += [f"(?:{rx})\\Z" for rx in data["nameRegexes"].values()]
    paths = tuple(
        tuple(re.compile(fnmatch.translate(c.lower())) for c in p.split("/"))
        for group in data["paths"].values()
        for p in group
    )
    backup = data["backup"]
    heads = {fnmatch.translate(p.split("/")[0].lower()) for g in data["paths"].values() for p in g}
    return _DenyList(
        names=re.compile("|".join(f"(?:{p})" for p in parts)),
        paths=paths,
        heads=re.compile("|".join(f"(?:{h})" for h in sorted(heads))),
        suffixes=tuple(s.lower() for s in backup["suffixes"]),
        prefixes=tuple(p.lower() for p in backup["prefixes"]),
        enclosing=tuple((a, b) for a, b in backup["enclosing"]),
    )


def _undecorated(name: str, dl: _DenyList) -> set[str]:
    """``name`` and what it is a copy of: without backup suffixes and prefixes, ``#...#``,
    vim's swap-file dot, trailing dots and spaces (ignored by Windows)."""
    seen = {name}
    todo = [name]
    for _ in range(_MAX_STRIPS):
        nxt = [o for n in todo for o in _strip_once(n, dl) if o not in seen]
        if not nxt:
            break
        seen.update(nxt)
        todo = nxt
    return seen


def _strip_once(n: str, dl: _DenyList) -> list[str]:
    out = []
    if n.endswith((".", " ")) and n.rstrip(". "):
        out.append(n.rstrip(". "))
    if n.endswith(dl.suffixes):  # one C call for the common case: no decoration
        for s in dl.suffixes:
            if n.endswith(s) and len(n) > len(s):
                base = n[: -len(s)]
                out.append(base)
                if s in _VIM_SWAP and base.startswith("."):
                    out.append(base[1:])  # vim: `.notes.txt.swp` for `notes.txt`
    if n.startswith(dl.prefixes):
        out += [n[len(p) :] for p in dl.prefixes if n.startswith(p) and len(n) > len(p)]
    for a, b in dl.enclosing:
        if n.startswith(a) and n.endswith(b) and len(n) > len(a) + len(b):
            out.append(n[len(a) : -len(b)])
    return out


@lru_cache(maxsize=16384)  # folder names repeat for every file below them
def denied_name(name: str) -> bool:
    """Whether one path component is a denied file or folder name."""
    dl = _deny_list()
    low = name.lower()
    if dl.names.match(low):
        return True
    return any(dl.names.match(n) for n in _undecorated(low, dl) if n != low)


def denied_part(parts: Sequence[str], context: Sequence[str] = ()) -> str | None:
    """The first denied component of ``parts`` (or run of components, joined with ``/``),
    or ``None`` when every component may be read.

    ``context``: the components above ``parts`` (the root's path below ``$HOME``): the path
    patterns are matched across both, so that ``.config/gcloud`` is denied when the root
    is ``~/.config`` and ``parts`` start at ``gcloud``. Names are checked in ``parts`` only:
    a project kept in a folder such as ``~/secrets.d/app`` stays usable."""
    for part in parts:
        if denied_name(part):
            return part
    dl = _deny_list()
    whole = [*context, *parts]
    forms = [_forms(p) for p in whole]
    starts = [i for i, fs in enumerate(forms) if any(dl.heads.match(f) for f in fs)]
    for i in starts:  # the common case: none, one regular expression per component
        for pattern in dl.paths:
            n = len(pattern)
            if i + n <= len(forms) and all(
                any(rx.match(f) for f in forms[i + k]) for k, rx in enumerate(pattern)
            ):
                return "/".join(whole[i : i + n])
    return None


@lru_cache(maxsize=16384)
def _forms(name: str) -> tuple[str, ...]:
    """``name`` in lower case and undecorated (``settings.xml.bak`` -> ``settings.xml``),
    for the path patterns: a backup of ``.m2/settings.xml`` is denied like the file."""
    low = name.lower()
    return (low, *sorted(_undecorated(low, _deny_list()) - {low}))
