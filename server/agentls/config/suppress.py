"""Suppression comments: where a file says that a finding is accepted.

Forms (docs/configuration.md):

- in YAML frontmatter and in the TOML configuration, a ``#`` comment
  ``# agentls: ignore[AL013]`` (several: ``ignore[AL013, AL016]``) at the end of the line
  whose findings it silences, or alone on the line above it; ``# agentls: ignore-file[AL013]``
  anywhere in them silences the rule in the whole file (a YAML comment is not part of the
  prompt Claude Code sends, where a Markdown body's HTML comment is);
- in a Markdown body, ``<!-- agentls-disable AL016 -->`` … ``<!-- agentls-enable AL016 -->``
  (a region: every line from the one comment to the other; without an ``enable`` to the end
  of the file) and ``<!-- agentls-disable-file AL016 -->`` (the whole file, frontmatter
  included). ``<!-- agentls-enable -->`` without rules closes every open region. Comments
  inside fenced code blocks are text, not comments.

Each form names its rules (codes or names); a comment without rules is reported
(malformed-suppression) and silences nothing, so that nothing is hidden by accident.
Strict JSON has no comments: for Claude Code's JSON files, ``per-file-ignores`` in the
configuration is the way.

Parsing is pure and costs nothing for a file that does not contain ``agentls`` (checked
first: 2,700 corpus files, none of which has one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agentls.rules import codes
from agentls.rules.registry import finding, rules
from agentls.types import Finding, Position, Range

UNUSED_SUPPRESSION = codes.UNUSED_SUPPRESSION
UNKNOWN_SUPPRESSION_RULE = codes.UNKNOWN_SUPPRESSION_RULE
MALFORMED_SUPPRESSION = codes.MALFORMED_SUPPRESSION
# findings about the suppressions themselves are never silenced by a suppression
OWN_CODES = frozenset({UNUSED_SUPPRESSION, UNKNOWN_SUPPRESSION_RULE, MALFORMED_SUPPRESSION})

LINE, REGION, FILE = "line", "region", "file"
EVERY_LINE = 1 << 30

# `# agentls: ignore[...]`, and what looks like an attempt at it
_HASH = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*agentls\b[^\n]*")
_HASH_OK = re.compile(
    r"#[ \t]*agentls:[ \t]*ignore(?P<file>-file)?\[(?P<codes>[^\]\n]*)\][ \t]*(?P<rest>.*)"
)
_HTML = re.compile(r"<!--[ \t]*agentls-(?P<verb>[A-Za-z-]*)(?P<codes>.*?)-->")
_HTML_OPEN = re.compile(r"<!--[ \t]*agentls\b")
_CODE = re.compile(r"[^\s,]+")
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class Mark:
    """One rule named in a suppression comment."""

    text: str  # as written
    codes: frozenset[str]  # the rules it stands for (empty: none, reported)
    range: Range


@dataclass(frozen=True, slots=True)
class Suppression:
    form: str  # LINE, REGION or FILE
    comment: Range  # the whole comment
    first: int  # first line silenced (0-based)
    last: int  # last line silenced (inclusive)
    marks: tuple[Mark, ...]
    own_line: bool  # the comment is alone on its line (removing it removes the line)
    source: str  # the text of the comment's line (for messages and the removal fix)
    last_line: bool  # the comment's line is the last of the file

    def covers(self, line: int) -> bool:
        return self.first <= line <= self.last

    def describe(self) -> str:
        """The comment as written, and where, for ``--show-suppressed``."""
        c = self.comment
        text = self.source[c.start.character : c.end.character]
        return f"`{text.strip()}` (line {c.start.line + 1})"


# an open `agentls-disable`: (its line, the comment, the rules still open, alone on its line)
Region = tuple[int, Range, list[Mark], bool]


@dataclass(frozen=True, slots=True)
class Suppressions:
    items: tuple[Suppression, ...] = ()
    problems: tuple[Finding, ...] = ()


NONE = Suppressions()


def parse_suppressions(
    lines: list[str], hash_lines: range, html_lines: range | None
) -> Suppressions:
    """The suppressions of a file: ``#`` comments on ``hash_lines`` (frontmatter, TOML),
    HTML comments on ``html_lines`` (a Markdown body)."""
    items: list[Suppression] = []
    problems: list[Finding] = []
    for n in hash_lines:
        line = lines[n]
        if "agentls" not in line:
            continue
        m = _HASH.search(line)
        if m is None:
            continue
        _hash_comment(lines, n, m.start(), line[m.start() :].rstrip(), items, problems)
    if html_lines is not None:
        _html_comments(lines, html_lines, items, problems)
    return Suppressions(tuple(items), tuple(problems))


def _hash_comment(
    lines: list[str],
    n: int,
    col: int,
    text: str,
    items: list[Suppression],
    problems: list[Finding],
) -> None:
    where = Range(Position(n, col), Position(n, col + len(text)))
    ok = _HASH_OK.fullmatch(text)
    if ok is None or ok.group("rest").strip()[:1] not in ("", "#"):
        problems.append(
            finding(
                MALFORMED_SUPPRESSION,
                where,
                "This comment silences nothing: agentls reads `# agentls: ignore[AL013]` and "
                "`# agentls: ignore-file[AL013]` (rule codes or names in square brackets, "
                "separated by commas).",
            )
        )
        return
    marks = _marks(n, col + ok.start("codes"), ok.group("codes"), problems)
    if not marks:
        problems.append(
            finding(
                MALFORMED_SUPPRESSION,
                where,
                "This comment names no rule, so it silences nothing: write the codes, "
                "`# agentls: ignore[AL013]`.",
            )
        )
        return
    own_line = not lines[n][:col].strip()
    if ok.group("file"):
        items.append(Suppression(FILE, where, 0, EVERY_LINE, marks, own_line, *_src(lines, n)))
        return
    target = _next_content_line(lines, n) if own_line else n
    items.append(Suppression(LINE, where, target, target, marks, own_line, *_src(lines, n)))


def _next_content_line(lines: list[str], n: int) -> int:
    """The line an own-line ``#`` comment speaks for: the next one that is neither blank nor
    a comment."""
    for k in range(n + 1, len(lines)):
        s = lines[k].strip()
        if s and not s.startswith("#"):
            return k
    return n


def _html_comments(
    lines: list[str], span: range, items: list[Suppression], problems: list[Finding]
) -> None:
    fence: str | None = None
    open_regions: list[Region] = []
    for n in span:
        line = lines[n]
        f = _FENCE.match(line)
        if f is not None:
            mark = f.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not line[f.end() :].strip():
                fence = None
            continue
        if fence is not None or "agentls" not in line:
            continue
        for m in _HTML_OPEN.finditer(line):
            full = _HTML.match(line, m.start())
            end = full.end() if full else len(line.rstrip())
            where = Range(Position(n, m.start()), Position(n, end))
            own = not line[: m.start()].strip() and not line[end:].strip()
            verb = full.group("verb") if full else ""
            if full is None or verb not in ("disable", "enable", "disable-file"):
                problems.append(
                    finding(
                        MALFORMED_SUPPRESSION,
                        where,
                        "This comment silences nothing: agentls reads "
                        "`<!-- agentls-disable AL016 -->` … `<!-- agentls-enable AL016 -->` "
                        "and `<!-- agentls-disable-file AL016 -->`.",
                    )
                )
                continue
            found = _marks(n, full.start("codes"), full.group("codes"), problems)
            if verb == "enable":
                _close(lines, open_regions, n, found, items, problems)
                continue
            if not found:
                problems.append(
                    finding(
                        MALFORMED_SUPPRESSION,
                        where,
                        f"`agentls-{verb}` names no rule, so it silences nothing: write the "
                        f"codes, `<!-- agentls-{verb} AL016 -->`.",
                    )
                )
                continue
            if verb == "disable-file":
                items.append(Suppression(FILE, where, 0, EVERY_LINE, found, own, *_src(lines, n)))
            else:
                open_regions.append((n, where, list(found), own))
    for start, where, marks, own in open_regions:
        items.append(_region(lines, start, EVERY_LINE, where, marks, own))


def _region(
    lines: list[str], start: int, end: int, where: Range, marks: Sequence[Mark], own: bool
) -> Suppression:
    return Suppression(REGION, where, start, end, tuple(marks), own, *_src(lines, start))


def _src(lines: list[str], n: int) -> tuple[str, bool]:
    return lines[n], n == len(lines) - 1


def _close(
    lines: list[str],
    open_regions: list[Region],
    n: int,
    marks: tuple[Mark, ...],
    items: list[Suppression],
    problems: list[Finding],
) -> None:
    """``agentls-enable``: end the regions of the rules it names (all of them without)."""
    if not marks:
        for start, w, ms, own in open_regions:
            items.append(_region(lines, start, n, w, ms, own))
        open_regions.clear()
        return
    for want in (m for m in marks if m.codes):
        closed = False
        for region in list(open_regions):
            start, w, ms, own = region
            hit = [m for m in ms if m.codes & want.codes]
            if not hit:
                continue
            closed = True
            items.append(_region(lines, start, n, w, hit, own))
            rest = [m for m in ms if m not in hit]
            open_regions.remove(region)
            if rest:
                open_regions.append((start, w, rest, own))
        if not closed:
            problems.append(
                finding(
                    MALFORMED_SUPPRESSION,
                    want.range,
                    f"No `agentls-disable {want.text}` is open here, so this "
                    f"`agentls-enable` ends nothing.",
                )
            )


def _marks(line: int, col: int, text: str, problems: list[Finding]) -> tuple[Mark, ...]:
    out = []
    for m in _CODE.finditer(text):
        word = m.group()
        rng = Range(Position(line, col + m.start()), Position(line, col + m.end()))
        codes = resolve(word)
        if not codes:
            problems.append(finding(UNKNOWN_SUPPRESSION_RULE, rng, _unknown(word)))
        out.append(Mark(word, codes, rng))
    return tuple(out)


def resolve(word: str) -> frozenset[str]:
    """The rules a code or name stands for (a name may stand for rules of several dialects)."""
    reg = rules()
    if word in reg:
        return frozenset((word,))
    from agentls.config.model import selector

    sel = selector(word)
    if sel is None or sel.specificity < 100:  # prefixes and ALL are for the configuration
        return frozenset()
    return sel.codes


def _unknown(word: str) -> str:
    import difflib

    from agentls.config.model import rule_choices

    near = difflib.get_close_matches(word, rule_choices(), 1, 0.7)
    hint = f" Did you mean `{near[0]}`?" if near else ""
    return (
        f"`{word}` is no agentls rule, so this suppression silences nothing for it.{hint} "
        "Write a rule code (`AL016`) or name (`description-quality`)."
    )
