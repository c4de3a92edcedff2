"""Analysing one file in a unit test: the dialect it must get, and a fix applied only once the
engine verified it (as the editor and ``check --fix`` do)."""

from __future__ import annotations

from agentls.editing.fixes import apply_edits, verify_fix
from agentls.engine import Analysis, analyze
from agentls.types import Finding


def analysed(text: str, path: str, dialect: str) -> Analysis:
    """The analysis of ``text`` at ``path``, which must be read as ``dialect``."""
    a = analyze(text, path)
    assert a.dialect == dialect, a.dialect
    return a


def fixed(text: str, path: str, f: Finding, n: int = 0) -> str:
    """``text`` with the ``n``-th fix of ``f`` applied, once the engine verified it."""
    verdict = verify_fix(text, path, None, analyze(text, path), f, f.fixes[n])
    assert verdict.ok, verdict.why
    return apply_edits(text, f.fixes[n].edits)
