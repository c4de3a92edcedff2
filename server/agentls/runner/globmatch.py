"""Glob patterns matched without backtracking blow-up.

A glob translated to a regular expression (``*`` → ``[^/]*``) backtracks: ``*?*?*?…Z``
(26 characters) took more than a minute on one file name (issue 14). Here a path is split
into folder names; ``**`` as a whole name matches any number of them (a set of reachable
positions, as a finite automaton does); within a name, ``*`` and ``?`` are matched by the
greedy algorithm that keeps only the last star to return to: at most (name length ×
pattern length) steps, whatever the pattern. ``{a,b}`` alternatives are expanded first
(at most :data:`MAX_ALTERNATIVES`). A pattern without ``/`` matches the file name only.

Semantics: ``*`` any run of characters but ``/``, ``?`` one such character, ``**`` a whole
run of folders (``src/**/*.py`` matches ``src/a.py`` and ``src/a/b/c.py``; ``**`` inside a
name is ``*``), anything else itself (case-sensitive).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ALTERNATIVES = 256


class GlobError(ValueError):
    """A pattern that cannot be used; the message is for the model."""


def expand_braces(pattern: str) -> list[str]:
    """``a{b,c}d`` → ``abd``, ``acd``; braces without a closing one are literal."""
    out = [""]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        j = pattern.find("}", i) if c == "{" else -1
        if j > i:
            alts = pattern[i + 1 : j].split(",")
            out = [o + a for o in out for a in alts]
            if len(out) > MAX_ALTERNATIVES:
                raise GlobError(f"the pattern expands to more than {MAX_ALTERNATIVES} alternatives")
            i = j + 1
        else:
            out = [o + c for o in out]
            i += 1
    return out


def _name_match(name: str, pat: str) -> bool:
    """``*`` and ``?`` within one name, in O(len(name) × len(pat)) at worst."""
    n = p = 0
    star = -1
    mark = 0
    while n < len(name):
        if p < len(pat) and (pat[p] == "?" or pat[p] == name[n]) and pat[p] != "*":
            n += 1
            p += 1
        elif p < len(pat) and pat[p] == "*":
            star = p
            mark = n
            p += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            n = mark
        else:
            return False
    while p < len(pat) and pat[p] == "*":
        p += 1
    return p == len(pat)


@dataclass(frozen=True)
class Glob:
    """A compiled glob: ``Glob.compile("src/**/*.py").match("src/a/b.py")``."""

    alternatives: tuple[tuple[str, ...], ...]
    name_only: bool

    @staticmethod
    def compile(pattern: str) -> Glob:
        if not pattern or "\x00" in pattern:
            raise GlobError("a glob pattern is required")
        alts = []
        for alt in expand_braces(pattern):
            parts = tuple(
                "**" if part == "**" else part.replace("**", "*")
                for part in alt.split("/")
                if part not in ("", ".")
            )
            alts.append(parts)
        return Glob(tuple(alts), "/" not in pattern)

    def match(self, rel: str) -> bool:
        """Whether the ``/``-separated relative path ``rel`` matches."""
        if self.name_only:
            name = rel.rsplit("/", 1)[-1]
            return any(len(a) == 1 and _name_match(name, a[0]) for a in self.alternatives)
        names = [n for n in rel.split("/") if n]
        return any(_path_match(names, a) for a in self.alternatives)


def _path_match(names: list[str], parts: tuple[str, ...]) -> bool:
    # the positions in `names` reachable after each part (a set, so never exponential)
    here = {0}
    for part in parts:
        if part == "**":
            low = min(here)
            here = set(range(low, len(names) + 1))
        else:
            here = {i + 1 for i in here if i < len(names) and _name_match(names[i], part)}
        if not here:
            return False
    return len(names) in here
