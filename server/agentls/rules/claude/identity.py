"""`name` and `description`: whether Claude Code loads the agent, and whether Claude can tell
when to use it.
"""

from __future__ import annotations

import re

from agentls.document.model import Document, Entry
from agentls.document.yamltree import yaml_double_quote
from agentls.effective import name_problem
from agentls.rules import codes
from agentls.rules.claude.context import ClaudeCtx, file_stem, insert_after_fence, last_line, slug
from agentls.rules.common import fence_range, replace, value_range
from agentls.rules.registry import finding
from agentls.types import Fix, Position, Range, Severity

# --------------------------------------------------------------------------- identity


def check_name(ctx: ClaudeCtx) -> None:
    doc = ctx.doc
    e = doc.get("name")
    stem = file_stem(ctx.path)
    if e is None:
        if doc.strict_error and not doc.entries:
            return  # the YAML error already says it all
        new = slug(stem or "my-agent")
        ctx.add(
            finding(
                codes.MISSING_NAME,
                fence_range(doc),
                "No `name`: Claude Code silently ignores this agent. Add `name:` with "
                "lowercase letters and hyphens.",
                [Fix(f"Add `name: {new}`", insert_after_fence(doc, f"name: {new}"), True)],
            )
        )
        return
    node = e.node
    if e.problem:
        return
    if node.kind == "mapping" and node.range.start.line > e.line:
        ctx.add(
            finding(
                codes.DESCRIPTION_NESTED_MAPPING,
                node.range,
                "The name continues on an indented line containing `: `, so YAML reads "
                "a mapping, not a string: Claude Code does not load the agent. Put the "
                "name on one line.",
            )
        )
        return
    value = node.value if node.kind == "scalar" else None
    if not isinstance(value, str):
        fixes = []
        if node.kind == "scalar" and value is not None:
            fixes.append(Fix("Quote the name", replace(node.range, yaml_double_quote(e.raw)), True))
        what = node.type_name
        ctx.add(
            finding(
                codes.NAME_NOT_STRING
                if value is not None or node.kind != "scalar"
                else codes.MISSING_NAME,
                value_range(e),
                f"`name` is {what}, not a string: Claude Code does not load the agent."
                + (" Quote it." if fixes else " Write the agent's name."),
                fixes,
            )
        )
        return
    why = name_problem(value, ctx.facts)
    if why:
        ctx.add(
            finding(
                codes.INVALID_NAME,
                node.range,
                f"`name` {why}: Claude Code does not load the agent. Use lowercase "
                "letters, digits and hyphens.",
                [Fix(f"Rename to `{slug(value)}`", replace(node.range, slug(value)), False)],
            )
        )
        return
    if not value.strip():
        blank = value != ""
        ctx.add(
            finding(
                codes.NAME_CONVENTION if blank else codes.MISSING_NAME,
                node.range,
                "`name` is only spaces: it loads, but nobody can mention or dispatch it. Write "
                "the agent's name."
                if blank
                else "`name` is empty: Claude Code does not load the agent. Write its name.",
                severity=Severity.WARNING if blank else None,
            )
        )
        return
    conventional = ctx.facts.name_pattern.match(value) is not None
    if not conventional:
        ctx.add(
            finding(
                codes.NAME_CONVENTION,
                node.range,
                f"`{value}` is not lowercase-with-hyphens: it loads, but it is awkward to "
                f"mention (`@agent-{value}`) and breaks the convention. Use "
                f"`{slug(value)}`.",
                [Fix(f"Rename to `{slug(value)}`", replace(node.range, slug(value)), False)],
            )
        )
    if stem and value != stem and conventional and ctx.effective.name is not None:
        ctx.add(
            finding(
                codes.NAME_FILENAME_MISMATCH,
                node.range,
                f"The agent is named `{value}` but its file is `{stem}.md`. Claude Code "
                "uses the name; people and tools often look for the file name.",
            )
        )


# --------------------------------------------------------------------------- description


_WHEN_WORDS = re.compile(r"\b(use|when|proactive|proactively|invoke|delegate|for)\b", re.I)


def check_description(ctx: ClaudeCtx) -> None:
    doc = ctx.doc
    e = doc.get("description")
    if e is None and ctx.plugin is not None:
        if doc.strict_error and not doc.entries:
            return
        if not any(k in doc.by_key for k in ctx.facts.raw.get("pluginAgentExtraKeys", ())):
            ctx.add(
                finding(
                    codes.PLUGIN_AGENT_FALLBACK,
                    fence_range(doc),
                    "No `description`: Claude Code describes this plugin agent as "
                    f'"Agent from {ctx.plugin} plugin", which does not tell when to use it. '
                    "Add `description:`.",
                )
            )
        return
    if e is None:
        if doc.strict_error and not doc.entries:
            return
        ctx.add(
            finding(
                codes.MISSING_DESCRIPTION,
                fence_range(doc),
                "No `description`: Claude Code does not load this agent. Add a "
                "`description:` saying when to use it.",
                [
                    Fix(
                        "Add a `description`",
                        insert_after_fence(doc, 'description: "Use this agent when …"'),
                        False,
                    )
                ],
            )
        )
        return
    if e.problem:
        return
    node = e.node
    if node.kind == "mapping" and node.range.start.line > e.line:
        ctx.add(
            finding(
                codes.DESCRIPTION_NESTED_MAPPING,
                node.range,
                "The description continues on an indented line that contains `: `, so "
                "YAML reads a mapping, not text: Claude Code does not load the agent. "
                "Write `description: >` and indent the text below it, or quote it.",
                [f for f in (_mapping_to_block(doc, e),) if f],
            )
        )
        return
    value = node.value if node.kind == "scalar" else None
    if isinstance(value, str) and value and not value.strip():
        ctx.add(
            finding(
                codes.MISSING_DESCRIPTION,
                value_range(e),
                "`description` is blank: Claude Code loads the agent but has nothing to decide "
                "when to use it. Write a sentence saying when to use it.",
                severity=Severity.WARNING,
            )
        )
        return
    if not isinstance(value, str) or not value.strip():
        what = "empty" if node.kind == "scalar" and value in (None, "") else node.type_name
        ctx.add(
            finding(
                codes.MISSING_DESCRIPTION,
                value_range(e),
                f"`description` is {what}: Claude Code does not load the agent. Write a "
                "sentence saying when to use it."
                if what == "empty"
                else f"`description` is {what}, not text: Claude Code does not load the "
                "agent. Quote it.",
            )
        )
        return
    text = value.replace("\\n", "\n")
    if len(text) > 3000:
        ctx.add(
            finding(
                codes.DESCRIPTION_QUALITY,
                node.range,
                f"The description is {len(text):,} characters long. It is sent in every "
                "conversation that can delegate to this agent; keep examples short.",
            )
        )
    elif not _WHEN_WORDS.search(text):
        ctx.add(
            finding(
                codes.DESCRIPTION_QUALITY,
                node.range,
                "The description does not say when to use the agent. Claude delegates by "
                'reading it: start with "Use when…" (add "use proactively" for '
                "automatic delegation).",
            )
        )


def _mapping_to_block(doc: Document, e: Entry) -> Fix | None:
    last = last_line(doc, e)
    parts = [doc.lines[j].strip() for j in range(e.line + 1, last + 1) if doc.lines[j].strip()]
    if not parts:
        return None
    rng = Range(
        Position(e.line, e.key_range.end.character + 1), Position(last, len(doc.lines[last]))
    )
    return Fix(
        "Make the description a folded block scalar (`>-`)",
        replace(rng, " >-\n" + "\n".join("  " + p for p in parts)),
        True,
        preserves_value=True,
    )
