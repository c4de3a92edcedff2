"""Rule files of other coding agents: Cursor (``.cursor/rules/**/*.mdc``), Windsurf
(``.windsurf/rules/*.md``), Kiro (``.kiro/steering/*.md``).

Each is Markdown with a YAML frontmatter whose few keys decide when the agent reads the file
(data/rule-files.json, with the documentation each fact comes from). The shared checks of
every frontmatter dialect apply (envelope, YAML, unknown keys, types); these add what each
tool does with a combination of keys: a mode without the key it needs never triggers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agentls.data import load_json
from agentls.document.model import Document
from agentls.rules import codes
from agentls.rules.registry import finding
from agentls.rules.schema_rules import Ctx, check_common, sort_findings
from agentls.types import Finding, Position, Range, Severity

# Keys people add as notes (collections of rule files carry them): not read, and harmless.
_NOTES = frozenset({"title", "tags", "category", "version", "author", "labels", "keywords"})


def _checked(doc: Document, path: str | None, dialect: str) -> Ctx:
    """The shared checks of every frontmatter dialect, where an unknown key that is a note
    (``title``, ``tags``, ``version``...) is information, not a warning, and not a hint that
    the file belongs to another tool."""
    ctx = Ctx(doc, path, dialect)
    check_common(ctx, frontmatter_required=False)
    notes = {e.key_range: e.key for e in ctx.doc.entries if e.key in _NOTES}
    kept: list[Finding] = []
    for f in ctx.out:
        key = notes.get(f.range)
        if key is None or f.code not in (codes.COMMON_UNKNOWN_KEY, codes.COMMON_OTHER_DIALECT_KEY):
            kept.append(f)
            continue
        kept.append(
            finding(
                codes.COMMON_UNKNOWN_KEY,
                f.range,
                f"`{key}` is not read by {ctx.tool} (fine as a note; it changes nothing).",
                severity=Severity.INFORMATION,
            )
        )
    ctx.out = kept
    return ctx


def _value(doc: Document, key: str) -> object:
    """The key's value; as written when strict YAML cannot read it (these tools read their
    frontmatter leniently: Cursor documents ``globs: **/*.ts`` unquoted)."""
    e = doc.get(key)
    if e is None:
        return None
    return e.raw if e.problem is not None else e.value


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or v == []


def _key_range(doc: Document, key: str) -> Range:
    e = doc.get(key)
    if e is not None:
        return e.key_range
    return Range(Position(0, 0), Position(0, 3))


def check_cursor_rule(doc: Document, path: str | None) -> list[Finding]:
    ctx = _checked(doc, path, "cursor-rule")
    entry = doc.get("globs")
    if entry is not None:  # Cursor documents `globs: **/*.ts, src/*.js` unquoted, and reads it
        ctx.out = [
            f
            for f in ctx.out
            if not (f.code == codes.COMMON_NEEDS_QUOTING and entry.range.contains(f.range.start))
        ]
    if doc.has_frontmatter:
        always = _value(doc, "alwaysApply")
        globs = _value(doc, "globs")
        description = _value(doc, "description")
        if always is True and not _blank(globs):
            ctx.out.append(
                finding(
                    codes.CURSOR_GLOBS_IGNORED,
                    _key_range(doc, "globs"),
                    "`globs` is ignored: with `alwaysApply: true` Cursor includes the rule in "
                    "every request.",
                    severity=Severity.INFORMATION,
                    tags=("unnecessary",),
                )
            )
        if always is not True and _blank(globs) and _blank(description):
            ctx.out.append(
                finding(
                    codes.CURSOR_MANUAL_ONLY,
                    Range(Position(0, 0), Position(0, 3)),
                    "Cursor applies this rule only when it is @-mentioned: it has no "
                    "`alwaysApply: true`, no `globs` and no `description`.",
                    severity=Severity.INFORMATION,
                )
            )
    elif not doc.has_frontmatter:
        ctx.out.append(
            finding(
                codes.CURSOR_MANUAL_ONLY,
                Range(Position(0, 0), Position(0, 0)),
                "Cursor applies this rule only when it is @-mentioned: it has no frontmatter "
                "(`alwaysApply`, `globs` or `description` make it apply by itself).",
                severity=Severity.INFORMATION,
            )
        )
    return sort_findings(ctx.out)


@dataclass(frozen=True)
class _ModeWording:
    """What agentls says of a tool whose mode key (data/rule-files.json ``modeKey``) needs
    another key in some modes (``modeNeeds``)."""

    tool: str
    incomplete: str  # the code of a mode without the key it needs
    never: str  # what then follows, after the tool's name
    too_long: str | None = None  # the code of a file over the tool's ``charLimit``


_MODE_TOOLS = {
    "windsurf-rule": _ModeWording(
        "Windsurf",
        codes.WINDSURF_TRIGGER_INCOMPLETE,
        "never applies this rule by itself.",
        codes.WINDSURF_RULE_TOO_LONG,
    ),
    "kiro-steering": _ModeWording(
        "Kiro", codes.KIRO_INCLUSION_INCOMPLETE, "never includes this file by itself."
    ),
}


def _mode_rule(dialect: str) -> Callable[[Document, str | None], list[Finding]]:
    """The checker of a rule file whose mode key decides when the tool reads it (Windsurf's
    ``trigger``, Kiro's ``inclusion``): a mode without the key it needs never applies."""
    wording = _MODE_TOOLS[dialect]

    def check(doc: Document, path: str | None) -> list[Finding]:
        ctx = _checked(doc, path, dialect)
        facts = load_json("rule-files.json")[dialect]
        key: str = facts["modeKey"]
        needs: dict[str, str] = facts["modeNeeds"]
        mode = _value(doc, key)
        if isinstance(mode, str) and mode in needs and _blank(_value(doc, needs[mode])):
            message = f"`{key}: {mode}` without `{needs[mode]}`: {wording.tool} {wording.never}"
            ctx.out.append(finding(wording.incomplete, _key_range(doc, key), message))
        limit = facts.get("charLimit")
        if wording.too_long is not None and limit is not None and len(doc.text) > limit:
            ctx.out.append(
                finding(
                    wording.too_long,
                    Range(Position(0, 0), Position(0, 0)),
                    f"The rule has {len(doc.text):,} characters: {wording.tool} reads "
                    f"{limit:,} per rule file and truncates the rest.",
                )
            )
        return sort_findings(ctx.out)

    return check


check_windsurf_rule = _mode_rule("windsurf-rule")
check_kiro_steering = _mode_rule("kiro-steering")
