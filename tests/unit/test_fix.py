"""Verified fixes, fix-all and ``agentls check --fix`` (incl. the seeds and the corpus)."""

from __future__ import annotations

import io
import os
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

from agentls.editing.fixes import apply_edits, diff_edits, fix_all, verify_fix
from agentls.engine import analyze
from agentls.fix import run_fix
from agentls.types import Range, Severity, TextEdit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from testdata import CORPUS, corpus_manifest

PATH = "/ws/.claude/agents/helper.md"
HOOK_AT_TOP = (
    "---\nname: helper\ndescription: Use it\nPreToolUse:\n  - matcher: Bash\n    hooks:\n"
    "      - type: command\n        command: x\n---\nB\n"
)
HUMAN = {"AL012", "AL013", "AL016", "AL129"}  # need a person's judgement


def _fix(text: str, code: str, title_start: str = "") -> str:
    a = analyze(text, PATH)
    f = next(f for f in a.findings if f.code == code)
    fix = next(x for x in f.fixes if x.title.startswith(title_start))
    v = verify_fix(text, PATH, None, a, f, fix)
    assert v.ok, v.why
    assert v.analysis is not None
    assert sum(g.code == code for g in v.analysis.findings) < sum(
        g.code == code for g in a.findings
    )
    return v.text


def test_apply_and_diff_edits_round_trip() -> None:
    assert apply_edits("ab\ncd\n", [TextEdit(Range.of(1, 0, 1, 1), "X")]) == "ab\nXd\n"
    assert apply_edits("a\r\nb", [TextEdit(Range.of(0, 9, 1, 0), "-")]) == "a-b"
    for old, new in [("a\nb\nc", "a\nB\nc"), ("a\r\nb\r\n", "x\r\nb\r\n"), ("", "x\n")]:
        assert apply_edits(old, diff_edits(old, new)) == new


def test_quote_keeps_what_claude_reads_newlines_and_quotes() -> None:
    text = "---\nname: helper\ndescription: Use when: a\\nb \"c\" 'd'\n---\nBody\n"
    fixed = _fix(text, "AL003", "Quote")
    assert fixed.split("\n")[2] == 'description: "Use when: a\\nb \\"c\\" \'d\'"'
    before, after = analyze(text, PATH).effective, analyze(fixed, PATH).effective
    assert (
        before and after and before.description == after.description == "Use when: a\nb \"c\" 'd'"
    )


def test_literal_block_turns_backslash_n_into_line_breaks() -> None:
    text = "---\nname: helper\ndescription: Use when: a\\n\\n  b\n---\nBody\n"
    fixed = _fix(text, "AL003", "Make `description` a literal")
    assert "description: |-\n  Use when: a\n\n    b\n---" in fixed
    assert analyze(fixed, PATH).effective.description == "Use when: a\n\n  b"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "code", "expect"),
    [
        (
            "---\nname: helper\ndescription: Use it\nallowed-tools: Read\n---\nB\n",
            "AL018",
            "tools: Read",
        ),
        (
            "---\nname: helper\ndescription: Use it\ntools: Read, grep\n---\nB\n",
            "AL021",
            "tools: Read, Grep",
        ),
        (
            "---\nname: helper\ndescription: Use it\ntools: Read, Task\n---\nB\n",
            "AL022",
            "tools: Read, Agent",
        ),
        (
            "---\nname: helper\ndescription: Use it\ntools: Read, Grep, Read\n---\nB\n",
            "AL108",
            "tools: Read, Grep\n",
        ),
        (
            "---\nname: helper\ndescription: Use it\ntools:\n  - Read\n  - Read\n---\nB\n",
            "AL108",
            "tools:\n  - Read\n---",
        ),
        ("---\nname: helper\ndescription: Use it\ncolor: Blue\n---\nB\n", "AL028", "color: blue"),
        ("---\ndescription: Use it\n---\nB\n", "AL009", "---\nname: helper\n"),
        ("notes\n---\nname: helper\ndescription: Use it\n---\nB\n", "AL001", "---\nname: helper"),
        (
            HOOK_AT_TOP,
            "AL031",
            "hooks:\n  PreToolUse:\n    - matcher: Bash",
        ),
        (
            "---\r\nname: helper\r\ndescription: Use when: x\r\n---\r\nB\r\n",
            "AL004",
            'description: "Use when: x"',
        ),
    ],
)
def test_each_quick_fix_removes_its_finding(text: str, code: str, expect: str) -> None:
    assert expect in _fix(text, code)


def test_crlf_to_lf_fix() -> None:
    text = "---\r\nname: helper\r\ndescription: Use when: x\r\n---\r\nB\r\n"
    fixed = _fix(text, "AL004", "Convert line endings")
    assert "\r" not in fixed


def test_fix_all_on_the_seeds_leaves_only_what_needs_a_human(seeds_dir: Path) -> None:
    for seed in sorted(seeds_dir.iterdir()):
        text = seed.read_text("utf-8")
        new, applied, after = fix_all(text, f"/ws/.claude/agents/{seed.stem}.md")
        assert applied, seed.name
        left = {f.code for f in after.findings if f.severity <= Severity.WARNING}
        assert not left, (seed.name, left)
        assert {f.code for f in after.findings} <= HUMAN
        assert after.doc is not None and after.doc.strict_error is None  # strict YAML reads it
        before = analyze(text, f"/ws/.claude/agents/{seed.stem}.md").effective
        assert before is not None and after.effective is not None
        assert after.effective.loads and after.effective.description == before.description
        assert fix_all(new, f"/ws/.claude/agents/{seed.stem}.md")[1] == []  # idempotent


def test_check_fix_dry_run_and_write(tmp_path: Path, seeds_dir: Path) -> None:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    seed = sorted(seeds_dir.iterdir())[-1]
    target = agents / "backend.md"
    target.write_bytes(seed.read_bytes())
    os.chmod(target, 0o640)
    out, err = io.StringIO(), io.StringIO()
    assert run_fix([str(tmp_path)], None, dry_run=True, out=out, err=err) == 1
    assert "-allowed-tools:\n+tools:\n" in out.getvalue()
    assert target.read_bytes() == seed.read_bytes()
    out = io.StringIO()
    assert run_fix([str(tmp_path)], None, out=out, err=err) == 0
    assert "tools:\n  - Read" in target.read_text("utf-8")
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in agents.iterdir()] == ["backend.md"]  # no temporary file left
    out = io.StringIO()
    assert run_fix([str(tmp_path)], None, dry_run=True, out=out, err=io.StringIO()) == 0
    assert out.getvalue() == ""


def _corpus_files() -> list[Path]:
    rows = corpus_manifest()
    if not rows:
        return []
    agents = [CORPUS / rel for d, rel in rows if d == "claude-subagent"]
    others = [CORPUS / rel for d, rel in rows if d != "claude-subagent"]
    # every sub-agent file, and a fixed sample of the rest read as agents (keeps this < 60 s)
    random.Random(3).shuffle(others)
    return agents + others[: len(others) // 6]


@pytest.mark.corpus
def test_corpus_every_fix_is_verified_and_fix_all_parses() -> None:
    files = _corpus_files()
    if not files:
        pytest.skip("../shared/corpus is not present")
    stats: Counter[str] = Counter()
    for p in files:
        try:
            text = p.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        path = f"/ws/.claude/agents/{p.stem.removesuffix('.agent')}.md"
        a = analyze(text, path, "claude-agent")
        fixable = [f for f in a.findings if f.fixes]
        if not fixable:
            continue
        stats["files"] += 1
        syntax = {"AL002", "AL003", "AL004"}
        for f in fixable:
            for fix in f.fixes:
                v = verify_fix(text, path, "claude-agent", a, f, fix)
                stats["verified" if v.ok else "rejected"] += 1
                if v.ok:
                    assert v.analysis is not None
                    after = Counter(g.code for g in v.analysis.findings)
                    assert after[f.code] < sum(g.code == f.code for g in a.findings)
                    assert sum(after[c] for c in syntax) <= sum(
                        g.code in syntax for g in a.findings
                    ), (p, fix.title)
        _, _, after_a = fix_all(text, path, "claude-agent")
        if not any(
            g.code in {"AL002", "AL003", "AL004", "AL001", "AL005"} for g in after_a.findings
        ):
            assert after_a.doc is not None and after_a.doc.strict_error is None, p
        if a.effective and a.effective.loads:
            assert after_a.effective is not None and after_a.effective.loads, p
    assert stats["files"] > 100
    print(dict(stats))


def test_value_check_is_for_fixes_that_only_rewrite_how_a_value_is_written() -> None:
    # What a fix does is said by the fix itself (``preserves_value``), never read from its
    # title: a quote that changes what Claude reads on purpose is offered.
    name = "---\nname: 42\ndescription: Use when x\n---\nB\n"
    assert 'name: "42"' in _fix(name, "AL010", "Quote")
    anchor = "---\nname: helper\ndescription: Use when x\ninitialPrompt: &first go\n---\nB\n"
    assert 'initialPrompt: "&first go"' in _fix(anchor, "AL110", "Quote")
    comment = "---\nname: helper\ndescription: Use when fixing bugs #urgent\n---\nB\n"
    assert '"Use when fixing bugs #urgent"' in _fix(comment, "AL006", "Quote")
    rescued = "---\nname: helper\ndescription: Use when: x\n---\nB\n"
    a = analyze(rescued, PATH)
    quote = next(x for f in a.findings for x in f.fixes if x.title.startswith("Quote"))
    assert quote.preserves_value
