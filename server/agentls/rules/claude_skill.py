"""Skills: Claude Code ``SKILL.md`` (formats.md §3.1) and the Agent Skills standard (§3.2)."""

from __future__ import annotations

import os

from agentls.document.model import Document
from agentls.rules import codes
from agentls.rules.registry import finding
from agentls.rules.schema_rules import (
    Ctx,
    check_common,
    fence_range,
    replace,
    schema_keys,
    sort_findings,
)
from agentls.types import Finding, Fix, Range, Severity, base_name, parent_name

LISTING_LIMIT = 1536


def _spec_description_limit() -> int:
    """The Agent Skills standard's description limit: its schema's ``maxLength`` (one copy)."""
    from agentls.rules.schema_rules import load_schema

    prop = (load_schema("agent-skill") or {}).get("properties", {}).get("description", {})
    return int(prop.get("maxLength", 1024))


def first_line_range(doc: Document) -> Range:
    return Range.of(0, 0, 0, len(doc.lines[0]) if doc.lines else 0)


def skill_dir_name(path: str | None) -> str | None:
    if not path:
        return None
    parent = parent_name(path)
    return parent or None


def in_plugin_root(path: str | None) -> bool:
    """A plugin's root ``SKILL.md`` or ``<plugin>/skills/<name>/SKILL.md``."""
    from agentls.dialects.registry import plugin_root

    return plugin_root(path) is not None


MANIFEST = "SKILL.md"


def misnamed(ctx: Ctx, tool: str) -> None:
    """A skill manifest that is not named exactly SKILL.md is never loaded (observed: neither
    ``claude plugin validate`` nor the loader says a word, 2.1.332)."""
    name = base_name(ctx.path or "")
    if not ctx.path or not name or name == MANIFEST:
        return
    folder = os.path.dirname(ctx.path)
    try:
        beside = MANIFEST in os.listdir(folder)  # exact names, whatever the file system's case
    except OSError:
        beside = False
    rng = Range.of(0, 0, 0, len(ctx.doc.lines[0]) if ctx.doc.lines else 0)
    if beside:
        message = (
            f"{tool} never loads this file: the skill's manifest is the `{MANIFEST}` beside "
            f"it, and `{name}` is not read."
        )
        ctx.add(finding(codes.SKILL_MANIFEST_MISNAMED, rng, message))
        return
    rename = Fix(
        f"Rename `{name}` to `{MANIFEST}`",
        (),
        safe=True,
        rename_to=os.path.join(folder, MANIFEST),
    )
    message = (
        f"{tool} never loads this skill: its manifest must be named exactly `{MANIFEST}`, "
        f"not `{name}`. Rename the file."
    )
    ctx.add(finding(codes.SKILL_MANIFEST_MISNAMED, rng, message, [rename]))


def loose(ctx: Ctx) -> None:
    """A skill written as a file directly in ``skills/``: Claude Code looks only for
    ``skills/<name>/SKILL.md`` (observed 2.1.332: a plugin's ``skills/flat.md`` is left out
    without a word). The fix moves it into a folder of its own, named after the file."""
    path = ctx.path or ""
    name = base_name(path)
    stem = name[: -len(".md")] if name.lower().endswith(".md") else name
    written = ctx.doc.by_key.get("name")
    if stem.lower() in ("skill", "skills"):  # SKILL.md loose in skills/: named by `name`
        stem = str(written.value or "").strip() if written is not None else ""
    rng = Range.of(0, 0, 0, len(ctx.doc.lines[0]) if ctx.doc.lines else 0)
    message = (
        f"Claude Code never reads this file: a skill is a folder, `skills/<name>/{MANIFEST}`, "
        f"and a `.md` directly in `skills/` is not one."
    )
    target = os.path.join(os.path.dirname(path), stem, MANIFEST) if stem else ""
    if not stem or "/" in stem or "\\" in stem or stem in (".", "..") or os.path.lexists(target):
        if stem and os.path.lexists(target):
            message += f" A `{stem}/{MANIFEST}` is already there: merge the two by hand."
        ctx.add(finding(codes.SKILL_FILE_LOOSE, rng, message))
        return
    move = Fix(f"Move to `{stem}/{MANIFEST}`", (), safe=True, rename_to=target)
    ctx.add(
        finding(codes.SKILL_FILE_LOOSE, rng, f"{message} Move it to `{stem}/{MANIFEST}`.", [move])
    )


def check_claude_skill(doc: Document, path: str | None) -> list[Finding]:
    ctx = Ctx(doc, path, "claude-skill", hints={"tools": "allowed-tools"})
    from agentls.dialects.registry import loose_in_skills

    is_loose = loose_in_skills(path)
    if is_loose:
        if not doc.has_frontmatter or base_name(path or "").lower() == "readme.md":
            return []  # documentation beside the skills, not a skill: nothing to say
        loose(ctx)
    else:
        misnamed(ctx, "Claude Code")
    check_common(ctx, frontmatter_required=False)
    d = doc.by_key
    desc = d.get("description")
    if desc is None and "when_to_use" not in d:
        first = next(
            (ln.strip().lstrip("#").strip() for ln in doc.body.splitlines() if ln.strip()), ""
        )
        ctx.add(
            finding(
                codes.SKILL_NO_DESCRIPTION,
                fence_range(doc) if doc.has_frontmatter else first_line_range(doc),
                "No `description`: Claude Code uses the first line of the body"
                + (f' ("{first[:60]}")' if first else "")
                + " to decide when to use this skill. Add `description:` saying when to use it.",
            )
        )
    total = sum(
        len(e.value)
        for k in ("description", "when_to_use")
        if (e := d.get(k)) and isinstance(e.value, str)
    )
    if total > LISTING_LIMIT and desc is not None:
        ctx.add(
            finding(
                codes.SKILL_DESCRIPTION_TRUNCATED,
                desc.key_range,
                f"`description` and `when_to_use` are {total:,} characters together; Claude Code "
                f"truncates them at {LISTING_LIMIT:,} in the skill listing.",
            )
        )
    spec_limit = _spec_description_limit()
    if desc is not None and isinstance(desc.value, str) and len(desc.value) > spec_limit:
        ctx.add(
            finding(
                codes.SKILL_DESCRIPTION_NOT_PORTABLE,
                desc.key_range,
                f"`description` has {len(desc.value):,} characters: Claude Code accepts it, but "
                f"the Agent Skills standard allows {spec_limit:,}, so claude.ai upload, the "
                "Skills API and other Agent Skills tools reject the skill.",
            )
        )
    name = d.get("name")
    folder = None if is_loose else skill_dir_name(path)  # a loose file has no folder yet
    if (
        name is not None
        and isinstance(name.value, str)
        and folder
        and not in_plugin_root(path)
        and name.value != folder
    ):
        ctx.add(
            finding(
                codes.SKILL_NAME_DIRECTORY,
                name.raw_range,
                f"The skill is invoked as `/{folder}` (its folder); `name: {name.value}` is "
                "only a display label in Claude Code, and the Agent Skills standard requires "
                "it to equal the folder name.",
                [Fix(f"Set `name` to `{folder}`", replace(name.raw_range, folder), False)],
            )
        )
    spec = schema_keys("agent-skill")
    extra = [e for e in doc.entries if e.key not in spec and e.key in schema_keys("claude-skill")]
    if extra:
        keys = ", ".join(f"`{e.key}`" for e in extra)
        ctx.add(
            finding(
                codes.SKILL_NOT_PORTABLE,
                extra[0].key_range,
                f"{keys} {'is' if len(extra) == 1 else 'are'} Claude Code only: claude.ai upload, "
                "the Skills API and other Agent Skills tools reject the file. Fine for a skill "
                "used only in Claude Code.",
            )
        )
    return sort_findings(ctx.out)


def check_agent_skill(doc: Document, path: str | None) -> list[Finding]:
    ctx = Ctx(doc, path, "agent-skill")
    misnamed(ctx, "No Agent Skills tool")
    check_common(
        ctx,
        frontmatter_required=True,
        missing_severity=Severity.ERROR,
        required_message=lambda k: f"No `{k}`: the Agent Skills standard requires `{k}`.",
        required_severity=Severity.ERROR,
    )
    name = doc.by_key.get("name")
    folder = skill_dir_name(path)
    if name is not None and isinstance(name.value, str) and folder and name.value != folder:
        ctx.add(
            finding(
                codes.SKILL_NAME_DIRECTORY,
                name.raw_range,
                f"`name` must equal the skill's folder name (`{folder}`) in the Agent Skills "
                f"standard; got `{name.value}`.",
                [Fix(f"Set `name` to `{folder}`", replace(name.raw_range, folder), False)],
                severity=Severity.ERROR,
            )
        )
    return sort_findings(ctx.out)
