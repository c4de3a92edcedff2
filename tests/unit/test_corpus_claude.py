"""Every Claude sub-agent of ../shared/corpus: no crash, and every YAML failure reported at
its real position (skipped when the corpus is absent)."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from agentls.engine import analyze
from testdata import CORPUS, corpus_manifest

YAML_CODES = {"AL002", "AL003", "AL004", "AL007", "AL008"}

ROWS = [rel for dialect, rel in corpus_manifest() if dialect == "claude-subagent"]


def _strict_error_line(text: str, fm_first_line: int) -> int | None:
    """Line (0-based, in the file) where strict YAML fails on the frontmatter, or None."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip("\r").lstrip("\ufeff") != "---":
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        return None
    fm = "\n".join(lines[1:end])
    try:
        yaml.compose(fm, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return (mark.line if mark else 0) + fm_first_line
    return None


@pytest.mark.corpus
@pytest.mark.skipif(not ROWS, reason="../shared/corpus is not present")
def test_every_claude_subagent_of_the_corpus() -> None:
    codes: Counter[str] = Counter()
    yaml_failures = 0
    misplaced: list[str] = []
    for rel in ROWS:
        data = (CORPUS / rel).read_bytes()
        text = data.decode("utf-8", errors="replace")
        a = analyze(text, "/corpus/.claude/agents/x.md", "claude-agent", size=len(data))
        assert a.effective is not None
        codes.update(f.code for f in a.findings)
        line = _strict_error_line(text, 1)
        if line is None:
            continue
        yaml_failures += 1
        found = [f for f in a.findings if f.code in YAML_CODES]
        if not found:
            misplaced.append(f"{rel}: strict YAML fails on line {line + 1}, no YAML finding")
            continue
        if not any(f.range.start.line <= line <= f.range.end.line + 1 for f in found):
            where = ", ".join(f"{f.code}@{f.range.start.line + 1}" for f in found)
            misplaced.append(f"{rel}: strict YAML fails on line {line + 1}; we say {where}")
    print(f"\n{len(ROWS)} Claude sub-agents, {yaml_failures} strict-YAML failures")
    for code, n in sorted(codes.items()):
        print(f"  {code}: {n}")
    assert not misplaced, "\n".join(misplaced[:20])
