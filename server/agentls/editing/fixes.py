"""Apply fixes to text and verify them by re-running the engine.

A fix is *verified* when, on the fixed text:

* its finding is gone (one finding fewer of that rule);
* it adds no finding of severity warning or worse where it edited, and no new error anywhere;
* the agent still loads if it loaded before;
* a fix that only rewrites how a value is written (quoting, block scalar) leaves unchanged
  what Claude Code reads for that key.

Findings that a fix *unmasks* elsewhere (for example the tool names under a renamed
``allowed-tools``) are real and allowed; hints and information notes are allowed too.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agentls.config.policy import DEFAULT, Policy
from agentls.engine import Analysis, analyze
from agentls.lines import split_lines
from agentls.types import Finding, Fix, Position, Range, Severity, TextEdit

MAX_ROUNDS = 5


def _offsets(text: str) -> list[int]:
    lines, endings = split_lines(text)
    out = [0]
    for line, ending in zip(lines, endings, strict=True):
        out.append(out[-1] + len(line) + len(ending))
    return out


def _offset(starts: list[int], text: str, p: Position) -> int:
    if p.line >= len(starts) - 1:
        return len(text)
    line_start, content_end = starts[p.line], starts[p.line + 1]
    while content_end > line_start and text[content_end - 1] in "\r\n":
        content_end -= 1
    return min(line_start + max(p.character, 0), content_end)


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits (code-point positions) to ``text``."""
    starts = _offsets(text)
    spans = sorted(
        (_offset(starts, text, e.range.start), _offset(starts, text, e.range.end), i, e.new_text)
        for i, e in enumerate(edits)
    )  # edits at the same place keep their order
    out: list[str] = []
    pos = 0
    for s, t, _, new in spans:
        if s < pos:
            raise ValueError("overlapping edits")
        out.append(text[pos:s])
        out.append(new)
        pos = max(t, s)
    out.append(text[pos:])
    return "".join(out)


def _after_ranges(text: str, edits: Sequence[TextEdit]) -> list[tuple[int, int]]:
    """Line spans (inclusive) the edits occupy in the new text."""
    shift = 0
    spans = []
    for e in sorted(edits, key=lambda e: e.range.start):
        start = e.range.start.line + shift
        added = e.new_text.count("\n") + e.new_text.count("\r") - e.new_text.count("\r\n")
        removed = e.range.end.line - e.range.start.line
        spans.append((start, start + added))
        shift += added - removed
    return spans


def _exact_after_range(edits: Sequence[TextEdit]) -> Range | None:
    """Where a single one-line edit's new text sits in the fixed text."""
    if len(edits) != 1 or "\n" in edits[0].new_text or "\r" in edits[0].new_text:
        return None
    e = edits[0]
    if e.range.start.line != e.range.end.line:
        return None
    start = e.range.start
    return Range(start, Position(start.line, start.character + len(e.new_text)))


@dataclass(slots=True)
class Verdict:
    ok: bool
    text: str
    analysis: Analysis | None
    why: str = ""


def _claude_value(a: Analysis, key: str) -> object:
    doc = a.doc
    if doc is None or doc.claude.data is None:
        return None
    v = doc.claude.data.get(key)
    if key == "description" and isinstance(v, str):
        return v.replace("\\n", "\n")
    return v


def _entry_key_at(a: Analysis, line: int) -> str | None:
    if a.doc is None:
        return None
    for e in a.doc.entries:
        if e.range.start.line <= line <= e.range.end.line:
            return e.key
    return None


def verify_fix(
    text: str,
    path: str | None,
    dialect: str | None,
    before: Analysis,
    target: Finding,
    fix: Fix,
) -> Verdict:
    try:
        new_text = apply_edits(text, fix.edits)
    except ValueError:
        return Verdict(False, text, None, "overlapping edits")
    # a rename is judged where the file will be (its finding is about the name)
    after = analyze(
        new_text, fix.rename_to or path, dialect or before.dialect, policy=before.policy
    )
    return judge(before, after, new_text, [(target, fix)])


def _weighed(findings: Iterable[Finding]) -> Counter[str]:
    """Problems per rule, a capped rule's "… and N more" counting for N."""
    out: Counter[str] = Counter()
    for f in findings:
        out[f.code] += f.count
    return out


def judge(
    before: Analysis, after: Analysis, new_text: str, applied: Sequence[tuple[Finding, Fix]]
) -> Verdict:
    b = _weighed(before.findings)
    a = _weighed(after.findings)
    removed = Counter(f.code for f, _ in applied)
    for code, n in removed.items():
        if a[code] > b[code] - n:
            return Verdict(False, new_text, after, f"{code} is still reported")
    b_err = Counter(f.code for f in before.findings if f.severity == Severity.ERROR)
    a_err = Counter(f.code for f in after.findings if f.severity == Severity.ERROR)
    for code, n in a_err.items():
        if n > b_err[code]:
            return Verdict(False, new_text, after, f"it adds an error ({code})")
    if (
        before.effective
        and before.effective.loads
        and after.effective
        and not after.effective.loads
    ):
        return Verdict(False, new_text, after, "the agent would no longer load")
    edits = [e for _, fx in applied for e in fx.edits]
    spans = _after_ranges(new_text, edits)
    exact = _exact_after_range(edits)
    for f in after.findings:
        if f.severity > Severity.WARNING:
            continue
        if a[f.code] <= b[f.code] - removed[f.code]:
            continue  # not new
        if all(t.severity < f.severity for t, _ in applied):
            continue  # a milder finding replaces the one fixed (an error becomes a warning)
        if exact is not None:
            if not (f.range.end < exact.start or exact.end < f.range.start):
                return Verdict(False, new_text, after, f"it adds {f.code} where it edits")
        elif any(s <= f.range.start.line <= t for s, t in spans):
            return Verdict(False, new_text, after, f"it adds {f.code} where it edits")
    for target, fix in applied:
        if fix.preserves_value and before.doc and before.doc.claude.data:
            key = _entry_key_at(before, target.range.start.line)
            if (
                key
                and key in before.doc.claude.data
                and _claude_value(before, key) != _claude_value(after, key)
            ):
                return Verdict(False, new_text, after, f"it changes what Claude reads in {key}")
    return Verdict(True, new_text, after)


# From this many candidate fixes on, they are verified in batches: a batch is applied and
# judged with one engine run, and split in halves only where it fails. One by one, 1,000
# `grep` -> `Grep` fixes cost 1,000 runs over the whole file (11 s in a code action); as a
# batch, one. Below it each fix is judged alone, which is stricter (in a batch, a finding
# one fix adds can be offset by one another removes).
BATCH_FROM = 8
# Engine runs one verification may spend on batches; fixes still unjudged then are not
# offered (and counted, so that the caller can say so).
MAX_VERIFY_RUNS = 16
# Findings whose fixes one code-action request verifies, in document order.
MAX_OFFERED_FINDINGS = 50


class _Spans:
    """The ranges edits take, merged into disjoint spans in document order: an overlap test
    is one binary search (a fix-all over 100,000 entries compared every pair before)."""

    def __init__(self) -> None:
        self._starts: list[Position] = []
        self._ends: list[Position] = []

    def overlaps(self, fix: Fix) -> bool:
        """Whether an edit of ``fix`` shares a position with a span (touching counts)."""
        for e in fix.edits:
            i = bisect.bisect_right(self._starts, e.range.end) - 1
            if i >= 0 and self._ends[i] >= e.range.start:
                return True
        return False

    def add(self, fix: Fix) -> None:
        for e in fix.edits:
            start, end = e.range.start, e.range.end
            i = bisect.bisect_right(self._starts, end) - 1
            j = i
            while j >= 0 and self._ends[j] >= start:  # the spans it touches: merged
                start, end = min(start, self._starts[j]), max(end, self._ends[j])
                j -= 1
            del self._starts[j + 1 : i + 1], self._ends[j + 1 : i + 1]
            self._starts.insert(j + 1, start)
            self._ends.insert(j + 1, end)


def _judged_together(
    text: str,
    path: str | None,
    dialect: str | None,
    before: Analysis,
    pairs: list[tuple[Finding, Fix]],
    budget: list[int],
) -> tuple[list[tuple[Finding, Fix]], list[tuple[Finding, Fix]]]:
    """(accepted, unjudged): non-overlapping ``pairs`` applied together and judged; a
    failing batch is split in halves, within ``budget[0]`` engine runs."""
    if not pairs:
        return [], []
    if budget[0] <= 0:
        return [], pairs
    budget[0] -= 1
    new_text = apply_edits(text, [e for _, fx in pairs for e in fx.edits])
    after = analyze(new_text, path, dialect or before.dialect, policy=before.policy)
    if judge(before, after, new_text, pairs).ok:
        return pairs, []
    if len(pairs) == 1:
        return [], []
    mid = len(pairs) // 2
    ok1, left1 = _judged_together(text, path, dialect, before, pairs[:mid], budget)
    ok2, left2 = _judged_together(text, path, dialect, before, pairs[mid:], budget)
    return ok1 + ok2, left1 + left2


def verified_fixes(
    text: str, path: str | None, dialect: str | None, before: Analysis, findings: Iterable[Finding]
) -> list[tuple[Finding, Fix]]:
    """Every fix of ``findings`` that passes :func:`verify_fix`."""
    return offered_fixes(text, path, dialect, before, findings, limit=None)[0]


def offered_fixes(
    text: str,
    path: str | None,
    dialect: str | None,
    before: Analysis,
    findings: Iterable[Finding],
    *,
    limit: int | None = MAX_OFFERED_FINDINGS,
) -> tuple[list[tuple[Finding, Fix]], int]:
    """The verified fixes of (the first ``limit``) ``findings``, in order, and how many
    fixes were left unverified (findings past the limit, runs past the budget)."""
    with_fixes = [f for f in findings if f.fixes]
    skipped = sum(len(f.fixes) for f in with_fixes[limit:]) if limit is not None else 0
    pairs = [(f, fx) for f in with_fixes[:limit] for fx in f.fixes]
    # a rename changes the path every other fix is judged at: judged alone, first
    renames = [(f, fx) for f, fx in pairs if fx.rename_to is not None]
    renamed = [(f, fx) for f, fx in renames if verify_fix(text, path, dialect, before, f, fx).ok]
    pairs = [(f, fx) for f, fx in pairs if fx.rename_to is None]
    if len(pairs) < BATCH_FROM:
        ok = [(f, fx) for f, fx in pairs if verify_fix(text, path, dialect, before, f, fx).ok]
        return renamed + ok, skipped
    # layers of non-overlapping fixes (a finding's alternatives go to later layers)
    accepted: set[int] = set()
    budget = [MAX_VERIFY_RUNS]
    rest = pairs
    while rest:
        spans, layer, later = _Spans(), [], []
        used: set[int] = set()
        for f, fx in rest:
            if id(f) in used or spans.overlaps(fx):
                later.append((f, fx))
                continue
            used.add(id(f))
            spans.add(fx)
            layer.append((f, fx))
        ok, left = _judged_together(text, path, dialect, before, layer, budget)
        accepted.update(id(fx) for _, fx in ok)
        skipped += len(left)
        rest = later
        if budget[0] <= 0:
            skipped += len(rest)
            break
    return renamed + [(f, fx) for f, fx in pairs if id(fx) in accepted], skipped


def fix_round(
    text: str, path: str | None, dialect: str | None, before: Analysis
) -> tuple[str, list[tuple[Finding, Fix]], Analysis]:
    """Apply every verified safe fix that does not overlap another one; one round. Renames
    are left to the caller (:func:`safe_renames`): the text is fixed where it is."""
    candidates = [
        (f, [fx for fx in f.fixes if fx.safe and fx.rename_to is None])
        for f in sorted(before.findings, key=lambda f: f.range.start)
    ]
    candidates = [(f, fixes) for f, fixes in candidates if fixes]
    chosen: list[tuple[Finding, Fix]] = []
    spans = _Spans()
    if len(candidates) < BATCH_FROM:
        for f, fixes in candidates:
            for fix in fixes:
                if spans.overlaps(fix):
                    continue
                if not verify_fix(text, path, dialect, before, f, fix).ok:
                    continue
                chosen.append((f, fix))
                spans.add(fix)
                break
    else:
        for f, fixes in candidates:
            first = next((fx for fx in fixes if not spans.overlaps(fx)), None)
            if first is not None:
                chosen.append((f, first))
                spans.add(first)
        chosen = _batch_of_round(text, path, dialect, before, chosen)
    if not chosen:
        return text, [], before
    new_text = apply_edits(text, [e for _, fx in chosen for e in fx.edits])
    after = analyze(new_text, path, dialect or before.dialect, policy=before.policy)
    if not judge(before, after, new_text, chosen).ok:
        # together they interfere: keep the first one only
        chosen = chosen[:1]
        new_text = apply_edits(text, chosen[0][1].edits)
        after = analyze(new_text, path, dialect or before.dialect, policy=before.policy)
    return new_text, chosen, after


def _batch_of_round(
    text: str,
    path: str | None,
    dialect: str | None,
    before: Analysis,
    pairs: list[tuple[Finding, Fix]],
) -> list[tuple[Finding, Fix]]:
    """The fixes of one fix-all round: all of them when they pass together, else those of
    one rule, the first whose batch passes. Fixes of two rules can undo each other's count:
    after 100 `grep` -> `Grep`, the next round removes duplicate Greps (AL108) while the
    rest of its `grep` -> `Grep` fixes add new ones, so every mixed half failed and a fix-all
    over 1,000 `grep` entries spent 57 engine runs on halves to fix 104 entries (2.2 s at
    load 4, 25 s at load 10); one rule per round needs 2-3 runs."""
    budget = [MAX_VERIFY_RUNS]
    together, _ = _judged_together(text, path, dialect, before, pairs, [1])
    budget[0] -= 1
    if together:
        return together
    by_code: dict[str, list[tuple[Finding, Fix]]] = {}
    for f, fix in pairs:
        by_code.setdefault(f.code, []).append((f, fix))
    if len(by_code) == 1:
        return _judged_together(text, path, dialect, before, pairs, budget)[0]
    for group in by_code.values():
        accepted, _ = _judged_together(text, path, dialect, before, group, budget)
        if accepted or budget[0] <= 0:
            return accepted
    return []


def fix_all(
    text: str,
    path: str | None,
    dialect: str | None = None,
    *,
    max_rounds: int = MAX_ROUNDS,
    policy: Policy = DEFAULT,
) -> tuple[str, list[tuple[Finding, Fix]], Analysis]:
    """Apply verified safe fixes until none is left (at most ``max_rounds`` rounds); a rule
    the configuration turns off, or a finding a suppression comment covers, is not fixed."""
    a = analyze(text, path, dialect, policy=policy)
    applied: list[tuple[Finding, Fix]] = []
    for _ in range(max_rounds):
        text, chosen, a = fix_round(text, path, dialect, a)
        if not chosen:
            break
        applied.extend(chosen)
    return text, applied, a


def safe_renames(
    text: str, path: str | None, dialect: str | None, after: Analysis
) -> list[tuple[Finding, Fix]]:
    """The verified safe renames of a file whose text fixes are done (``fix_all``'s result)."""
    pairs = [(f, fx) for f in after.findings for fx in f.fixes if fx.safe and fx.rename_to]
    return [(f, fx) for f, fx in pairs if verify_fix(text, path, dialect, after, f, fx).ok][:1]


def with_suppression_fixes(
    a: Analysis,
    findings: Iterable[Finding],
    seen: set[tuple[str, tuple[TextEdit, ...]]] | None = None,
) -> list[Finding]:
    """``findings`` with their "Ignore … on this line / in this file" fixes after their own
    (agentls.config.quickfix); copies: the analysis' findings are left as they are. A
    suppression already given to another finding (the same comment: a rule reported many
    times on one line, or "in this file") is offered once, with the first of them; ``seen``
    carries that across calls."""
    from agentls.config.quickfix import suppression_fixes

    seen = set() if seen is None else seen
    out = []
    for f in findings:
        more = []
        for fix in suppression_fixes(a, f):
            key = (fix.title, fix.edits)
            if key not in seen:
                seen.add(key)
                more.append(fix)
        out.append(dataclasses.replace(f, fixes=[*f.fixes, *more]) if more else f)
    return out


def _moved(target: Finding, edits: Sequence[TextEdit]) -> Finding:
    """``target`` where it is after ``edits`` (lines added or removed before it)."""
    delta = 0
    for e in edits:
        if e.range.end <= target.range.start:
            added = e.new_text.count("\n") + e.new_text.count("\r") - e.new_text.count("\r\n")
            delta += added - (e.range.end.line - e.range.start.line)
    if not delta:
        return target
    r = target.range
    moved = Range(
        Position(r.start.line + delta, r.start.character),
        Position(r.end.line + delta, r.end.character),
    )
    return dataclasses.replace(target, range=moved)


def verify_suppression_of_extra(
    text: str, path: str | None, dialect: str | None, before: Analysis, target: Finding, fix: Fix
) -> bool:
    """Whether the suppression ``fix`` silences ``target``, a finding across files (the
    index's, not the engine's on this text): the engine runs on the fixed text, ``target``
    (moved with the lines the fix adds above it) is settled with the new comments as the
    server settles it, and the result is judged like any fix (:func:`judge`)."""
    from agentls.config.policy import settle_more

    try:
        new_text = apply_edits(text, fix.edits)
    except ValueError:
        return False
    after = analyze(new_text, path, dialect or before.dialect, policy=before.policy)
    kept, _ = settle_more(after.findings, after.settled, [_moved(target, fix.edits)])
    whole_before = dataclasses.replace(before, findings=[*before.findings, target])
    whole_after = dataclasses.replace(after, findings=kept)
    return judge(whole_before, whole_after, new_text, [(target, fix)]).ok


def diff_edits(old: str, new: str) -> list[TextEdit]:
    """Line-level edits turning ``old`` into ``new`` (only the changed lines are touched)."""
    a = _keepends(old)
    b = _keepends(new)
    edits: list[TextEdit] = []
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        end = Position(i2, 0)
        if i2 == len(a) and a and not a[-1].endswith(("\n", "\r")):
            end = Position(i2 - 1, len(a[-1]))
        edits.append(TextEdit(Range(Position(i1, 0), end), "".join(b[j1:j2])))
    return edits


def _keepends(text: str) -> list[str]:
    lines, endings = split_lines(text)
    out = [line + ending for line, ending in zip(lines, endings, strict=True)]
    return out[:-1] if out and out[-1] == "" else out
