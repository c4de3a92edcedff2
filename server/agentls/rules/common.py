"""What every dialect's rules share: the context a check fills, ranges, value display, and the
fixes that several rules offer (quote a value, rename a key, remove an entry...).

A dialect's checker (``rules/<dialect>.py``) makes a :class:`Ctx`, runs the shared passes of
``rules/schema_rules.py`` (envelope from rules/envelope.py, YAML syntax, unknown keys, schema)
and adds its own findings with :func:`agentls.rules.registry.finding` and a code from
``rules/codes.py``.
See docs/architecture.md, "Where to add a rule, a dialect".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from agentls.dialects.schemas import load_schema
from agentls.document.items import Piece, piece_range
from agentls.document.model import Document, Entry, SyntaxProblem, comment_cut
from agentls.document.yamltree import yaml_double_quote
from agentls.types import Finding, Fix, Position, Range, Severity, TextEdit, base_name, text_in

# Dialects read by Claude Code's frontmatter reader (with its rescue of unquoted values).
CLAUDE_READERS = frozenset(
    {"claude-agent", "claude-plugin-agent", "claude-skill", "claude-command", "claude-rule"}
)

# The tool each dialect belongs to, for messages.
TOOL_OF = {
    "claude-agent": "Claude Code",
    "claude-plugin-agent": "Claude Code",
    "claude-skill": "Claude Code",
    "agent-skill": "the Agent Skills standard",
    "claude-command": "Claude Code",
    "claude-rule": "Claude Code",
    "copilot-agent": "GitHub Copilot",
    "copilot-chatmode": "VS Code",
    "copilot-prompt": "VS Code",
    "copilot-instructions": "GitHub Copilot",
    "opencode-agent": "OpenCode",
    "gemini-agent": "Gemini CLI",
    "cursor-rule": "Cursor",
    "windsurf-rule": "Windsurf",
    "kiro-steering": "Kiro",
}

# At most this many findings of one kind per file, then one "… and N more" finding: a
# generated 1 MB file with 100,000 bad items would otherwise send 100,000 diagnostics.
MAX_FINDINGS_PER_KIND = 100


def cap_findings(findings: list[Finding]) -> list[Finding]:
    """At most MAX_FINDINGS_PER_KIND findings of each rule (in order), then one "… and N
    more" finding of that rule at the first one left out, as severe as the worst of them."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    if max(counts.values(), default=0) <= MAX_FINDINGS_PER_KIND + 1:
        return findings  # (a rule that caps itself ends with its own "… and N more")
    from agentls.rules.registry import finding

    out: list[Finding] = []
    kept: dict[str, int] = {}
    left: dict[str, list[Finding]] = {}
    for f in findings:
        n = kept.get(f.code, 0)
        if n < MAX_FINDINGS_PER_KIND or counts[f.code] <= MAX_FINDINGS_PER_KIND + 1:
            out.append(f)
            kept[f.code] = n + 1
        else:
            left.setdefault(f.code, []).append(f)
    for code, rest in left.items():
        n = sum(f.count for f in rest)
        out.append(
            finding(
                code,
                rest[0].range,
                f"… and {n:,} more findings like these (not listed one by one).",
                severity=min(f.severity for f in rest),  # the most severe
                count=n,
            )
        )
    return sort_findings(out)


def dialect_label(dialect: str) -> str:
    """A short human name: "OpenCode agent", "GitHub Copilot / VS Code custom agent"..."""
    schema = load_schema(dialect)
    title = str(schema.get("title", dialect)) if schema else dialect
    return title.removesuffix(" frontmatter")


class _Text(Protocol):
    @property
    def lines(self) -> list[str]: ...


D = TypeVar("D", bound=_Text)


@dataclass(slots=True)
class FileCtx(Generic[D]):
    """One file being checked: the document (``D``: a Markdown :class:`Document` or a
    :class:`~agentls.document.jsontree.JsonDocument`), where it is, its dialect and the
    findings so far. ``Ctx`` for Markdown dialects, ``claude_json.JsonCtx`` for JSON ones."""

    doc: D
    path: str | None
    dialect: str
    out: list[Finding] = field(default_factory=list)
    skip_keys: set[str] = field(default_factory=set)  # keys a dialect rule already reported
    hints: dict[str, str] = field(default_factory=dict)  # key -> the key probably meant

    def add(self, f: Finding) -> None:
        self.out.append(f)

    def text(self, r: Range) -> str:
        """The text of the document in ``r``."""
        return text_in(self.doc.lines, r)

    @property
    def label(self) -> str:
        return dialect_label(self.dialect)

    @property
    def tool(self) -> str:
        return TOOL_OF.get(self.dialect, "the tool")

    @property
    def lenient(self) -> bool:
        """Claude Code rescues unquoted values; strict YAML readers do not."""
        return self.dialect in CLAUDE_READERS


Ctx = FileCtx[Document]  # a Markdown dialect's file


C = TypeVar("C", bound=Ctx)


@dataclass(frozen=True, slots=True)
class SyntaxWording(Generic[C]):
    """What a family of dialects says about the YAML of its frontmatter: Claude Code agents
    (rules/claude/envelope.py) and the others (schema_rules.py). The pass over the document
    is one, :func:`check_syntax`, which builds the findings whose words the families share."""

    problem: Callable[[C, SyntaxProblem, Entry | None], None]  # a YAML problem, its findings
    not_mapping: str  # code: the frontmatter is not `key: value` entries...
    not_mapping_effect: Callable[[C], str]  # ...and what the tool makes of it
    duplicate: str  # code: a key written again...
    duplicate_effect: str  # ...and what readers make of it
    comment: str  # code: ` #` cuts a plain value
    fixes: bool  # a repeated key and a cut value get fixes (remove it; quote the whole value)
    entry: Callable[[C, Entry], None] | None = None  # more checks of each entry's value


def check_syntax(ctx: C, wording: SyntaxWording[C]) -> None:
    from agentls.rules.registry import finding

    doc = ctx.doc
    for p, e in doc.problems_with_entries():
        wording.problem(ctx, p, e)
    node = doc.not_mapping
    if node is not None:
        ctx.add(
            finding(
                wording.not_mapping,
                node.range,
                f"The frontmatter is {node.type_name}, not `key: value` entries: "
                + wording.not_mapping_effect(ctx),
            )
        )
    for e in doc.duplicates:
        first = doc.by_key[e.key].line + 1
        fixes = [remove_entry_fix(e, f"Remove this `{e.key}` entry", False)]
        ctx.add(
            finding(
                wording.duplicate,
                e.key_range,
                f"`{e.key}` appears twice (first on line {first}){wording.duplicate_effect}",
                fixes if wording.fixes else [],
            )
        )
    if wording.entry is not None:
        for e in doc.entries:
            wording.entry(ctx, e)
    for e in doc.entries:
        c0 = comment_cut(doc, e)
        if c0 is not None:
            end = e.node.range.end
            rng = Range(Position(end.line, c0), Position(end.line, len(doc.lines[end.line])))
            ctx.add(
                finding(
                    wording.comment,
                    rng,
                    f"` #` starts a YAML comment: `{e.key}` is read as "
                    f'"{short(e.node.value, 60)}" and the rest is dropped. Quote the value '
                    "if the `#` belongs to it.",
                    [quote_whole_fix(doc, e)] if wording.fixes else [],
                )
            )


class ListCap:
    """The findings of one pass over a list (tool names, keys...), in document order: the
    first ``limit`` are built, the rest only counted, and stand as one finding "… and N
    more <what>" at the first left out, as severe as the worst of them.

    With ``what`` None the pass keeps MAX_FINDINGS_PER_KIND + 1 and the one finding is only
    a count for :func:`cap_findings` (which then says "… and N more findings like these",
    as it would have of the findings one by one): the output is the same, without the
    messages, ranges and did-you-mean searches of findings that would be cut. 110,000
    unknown tool names cost 0.08 ms each with those (issue 14, class 7)."""

    def __init__(self, ctx: FileCtx[Any], what: str | None) -> None:
        self.ctx, self.what = ctx, what
        self.limit = MAX_FINDINGS_PER_KIND if what is not None else MAX_FINDINGS_PER_KIND + 1
        self.added = 0
        self.left = 0
        self._first: tuple[str, Range] | None = None
        self._codes: set[str] = set()  # of the findings left out with their rule's severity
        self._severity: Severity | None = None  # the most severe of the others

    @property
    def full(self) -> bool:
        return self.added >= self.limit

    def add(self, f: Finding | None) -> None:
        if f is None:
            return
        if self.added < self.limit:
            self.ctx.add(f)
            self.added += 1
            return
        if self._first is None:
            self._first = (f.code, f.range)
        self.left += 1
        if self._severity is None or f.severity < self._severity:
            self._severity = f.severity

    def skip(
        self, code: str, where: Range | tuple[Piece, Range], severity: Severity | None = None
    ) -> None:
        """One more finding of ``code`` past the cap, counted only: ``where`` is its range,
        or a piece of a list and the list's range (turned into a range for the first only);
        ``severity`` when it is not the rule's."""
        if self._first is None:
            rng = where if isinstance(where, Range) else piece_range(*where)
            self._first = (code, rng)
        self.left += 1
        if severity is None:
            self._codes.add(code)
        elif self._severity is None or severity < self._severity:
            self._severity = severity

    def close(self) -> None:
        if self._first is None:
            return
        from agentls.rules.registry import finding, rules

        code, rng = self._first
        n = self.left
        severities = [rules()[c].severity for c in self._codes]
        if self._severity is not None:
            severities.append(self._severity)
        message = (
            f"… and {n:,} more {self.what} (not listed one by one)."
            if self.what is not None
            else f"{n:,} more (counted for cap_findings)"
        )
        self.ctx.add(finding(code, rng, message, severity=min(severities), count=n))


# --------------------------------------------------------------------------- ranges


def line_range(doc: Document, line: int) -> Range:
    return Range(Position(line, 0), Position(line, len(doc.lines[line])))


def first_line_range(doc: Document) -> Range:
    return Range.of(0, 0, 0, len(doc.lines[0]) if doc.lines else 0)


def fence_range(doc: Document) -> Range:
    """The opening ``---`` (where findings about the frontmatter as a whole go)."""
    line = doc.env.open_line or 0
    text = doc.lines[line] if line < len(doc.lines) else ""
    start = len(text) - len(text.lstrip("\ufeff \t"))
    return Range(Position(line, start), Position(line, len(text.rstrip())))


def value_range(e: Entry) -> Range:
    """The value as written, or the key when the value is missing."""
    return e.key_range if e.missing_value else e.raw_range


def entry_lines(e: Entry) -> Range:
    """Whole lines of an entry, line break included (what removing it removes)."""
    return Range(Position(e.range.start.line, 0), Position(e.range.end.line + 1, 0))


def file_name(path: str | None) -> str:
    return base_name(path or "")


def sort_findings(out: list[Finding]) -> list[Finding]:
    out.sort(key=lambda f: (f.range.start, f.code))
    return out


# --------------------------------------------------------------------------- display


def short(v: Any, n: int = 40) -> str:
    """A value for a message: on one line, at most ``n`` characters."""
    if isinstance(v, str):
        s = v
    elif isinstance(v, int) and not isinstance(v, bool):
        s = str(v)  # never json.dumps: a huge integer's str() is its literal (yamltree)
    else:
        s = json.dumps(v, ensure_ascii=False, default=str)
    s = s.replace("\n", " ")
    return s if len(s) <= n else s[: n - 1] + "…"


def norm_key(k: str) -> str:
    """A key without case, ``-`` and ``_`` (``allowed_tools`` ~ ``allowedTools``)."""
    return k.replace("-", "").replace("_", "").lower()


# --------------------------------------------------------------------------- fixes


def replace(rng: Range, text: str) -> tuple[TextEdit, ...]:
    return (TextEdit(rng, text),)


def quote_fix(
    e: Entry, *, title: str | None = None, keep_newline_escapes: bool = False, requote: bool = False
) -> Fix | None:
    """Quote a single-line value so strict YAML reads what Claude Code reads (a value already
    in quotes only with ``requote``)."""
    if e.raw_range.start.line != e.raw_range.end.line or not e.raw.strip():
        return None
    raw = e.raw.strip()
    if not requote and raw[:1] in "\"'" and raw[-1:] == raw[:1] and len(raw) > 1:
        return None
    quoted = yaml_double_quote(raw, keep_newline_escapes=keep_newline_escapes)
    return Fix(
        title or f"Quote the `{e.key}` value",
        replace(e.raw_range, quoted),
        True,
        preserves_value=True,
    )


def replace_with_fix(rng: Range, text: str | None, safe: bool) -> list[Fix]:
    """ "Replace with `text`" as the fix of a finding, or no fix when there is no text."""
    return [Fix(f"Replace with `{text}`", replace(rng, text), safe)] if text else []


def rename_key_fix(e: Entry, new: str, safe: bool, *, title: str | None = None) -> Fix:
    return Fix(title or f"Rename `{e.key}` to `{new}`", replace(e.key_range, new), safe)


def remove_entry_fix(e: Entry, title: str, safe: bool) -> Fix:
    return Fix(title, replace(entry_lines(e), ""), safe)


def remove_before_fence_fix(doc: Document) -> Fix:
    return Fix(
        "Remove everything before the opening `---`",
        replace(Range(Position(0, 0), Position(doc.env.open_line or 0, 0)), ""),
        True,
    )


def closing_fence_fix(doc: Document, line: int) -> Fix:
    return Fix("Write the closing fence as `---`", replace(line_range(doc, line), "---"), True)


def quote_whole_fix(doc: Document, e: Entry) -> Fix:
    """A value cut by ` #` quoted with what follows, so the `#` belongs to it."""
    end = e.node.range.end
    line = doc.lines[end.line]
    full = e.raw + line[end.character :]
    return Fix(
        f"Quote the whole `{e.key}` value",
        replace(
            Range(e.raw_range.start, Position(end.line, len(line))), yaml_double_quote(full.strip())
        ),
        False,
    )


def dashes_fix(rng: Range) -> Fix:
    return Fix("Replace `---` with `—`", replace(rng, "—"), True)
