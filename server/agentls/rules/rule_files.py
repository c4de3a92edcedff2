"""Rule files of other coding agents: Cursor (``.cursor/rules/**/*.mdc``), Windsurf
(``.windsurf/rules/*.md``), Kiro (``.kiro/steering/*.md``).

Each is Markdown with a YAML frontmatter whose few keys decide when the agent reads the file
(data/rule-files.json, with the documentation each fact comes from). The shared checks of
every frontmatter dialect apply (envelope, YAML, unknown keys, types); these add what each
tool does with a combination of keys: a mode without the key it needs never triggers.
"""

from __future__ import annotations

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


def _mode_needs(ctx: Ctx, key: str, needs: dict[str, str], code: str, effect: str) -> None:
    """A mode (``key``'s value) without the key it needs (``needs[mode]``) never applies."""
    mode = _value(ctx.doc, key)
    if isinstance(mode, str) and mode in needs and _blank(_value(ctx.doc, needs[mode])):
        message = f"`{key}: {mode}` without `{needs[mode]}`: {effect}"
        ctx.out.append(finding(code, _key_range(ctx.doc, key), message))


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


def check_windsurf_rule(doc: Document, path: str | None) -> list[Finding]:
    ctx = _checked(doc, path, "windsurf-rule")
    _mode_needs(
        ctx,
        "trigger",
        {"glob": "globs", "model_decision": "description"},
        codes.WINDSURF_TRIGGER_INCOMPLETE,
        "Windsurf never applies this rule by itself.",
    )
    limit = int(load_json("rule-files.json")["windsurf-rule"]["charLimit"])
    if len(doc.text) > limit:
        ctx.out.append(
            finding(
                codes.WINDSURF_RULE_TOO_LONG,
                Range(Position(0, 0), Position(0, 0)),
                f"The rule has {len(doc.text):,} characters: Windsurf reads {limit:,} per rule "
                "file and truncates the rest.",
            )
        )
    return sort_findings(ctx.out)


def check_kiro_steering(doc: Document, path: str | None) -> list[Finding]:
    ctx = _checked(doc, path, "kiro-steering")
    _mode_needs(
        ctx,
        "inclusion",
        {"fileMatch": "fileMatchPattern", "auto": "description"},
        codes.KIRO_INCLUSION_INCOMPLETE,
        "Kiro never includes this file by itself.",
    )
    return sort_findings(ctx.out)
