"""Files whose content other programs run (CI pipelines, editor tasks, agent hooks, git
hooks, build scripts): the patterns are data (``data/runs-code.json``, with sources); a
proposal to change one is confirmed apart (``agentls run``) or annotated apart (LSP)."""

from __future__ import annotations

from functools import cache

from agentls.data import load_json
from agentls.runner.globmatch import Glob


@cache
def _groups() -> tuple[tuple[str, tuple[Glob, ...]], ...]:
    data = load_json("runs-code.json")
    return tuple(
        (label, tuple(Glob.compile(g.lower()) for g in globs))
        for label, globs in data["groups"].items()
    )


def runs_code(rel: str) -> str | None:
    """What runs ``rel`` (a path relative to the workspace, ``/``-separated), as people are
    told ("a CI pipeline (runs on push)"), or ``None`` for an ordinary file."""
    low = rel.lower()
    for label, globs in _groups():
        if any(g.match(low) for g in globs):
            return label
    return None
