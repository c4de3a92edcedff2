"""Values of the enumerated and numeric keys (colour, model, permission mode, memory, effort,
maxTurns...).
"""

from __future__ import annotations

from typing import Any

from agentls.dialects.registry import CLAUDE_AGENT
from agentls.dialects.schemas import boolean_keys
from agentls.document.model import Entry
from agentls.document.yamltree import decimal_text
from agentls.effective import nearest
from agentls.rules import codes
from agentls.rules.claude.context import (
    DATED_MODEL,
    PLAUSIBLE_MODEL,
    ClaudeCtx,
    enum_fix,
    invalid_value_code,
    scalar,
    show,
)
from agentls.rules.common import replace, replace_with_fix, value_range
from agentls.rules.registry import finding
from agentls.types import Fix

# --------------------------------------------------------------------------- enumerations


def check_values(ctx: ClaudeCtx) -> None:
    doc, facts = ctx.doc, ctx.facts
    for e in doc.entries:
        if e.problem or e.key not in facts.agent_keys:
            continue
        if e.missing_value and e.key not in (
            "tools",
            "disallowedTools",
            "hooks",
            "name",
            "description",
        ):
            ctx.add(
                finding(
                    invalid_value_code(e.key),
                    e.key_range,
                    f"`{e.key}` has no value: Claude Code ignores it. Give it a value or "
                    "remove it.",
                )
            )
            continue
        v = scalar(e)
        k = e.key
        if k == "color":
            if not isinstance(v, str) or v not in facts.colors:
                ctx.add(
                    finding(
                        codes.INVALID_COLOR,
                        value_range(e),
                        f"`{show(v)}` is not a Claude Code colour: it is silently "
                        f"dropped. Use one of {', '.join(facts.colors)}.",
                        enum_fix(e, list(facts.colors), str(v)),
                    )
                )
        elif k == "model":
            _model(ctx, e, v)
        elif k == "permissionMode":
            modes = facts.enum_values(k) or {}
            if isinstance(v, str) and v in facts.permission_mode_aliases:
                target = facts.permission_mode_aliases[v]
                ctx.add(
                    finding(
                        codes.PERMISSION_MODE_ALIAS,
                        e.node.range,
                        f"`{v}` is an alias of `{target}`.",
                        [Fix(f"Write `{target}`", replace(e.node.range, target), True)],
                    )
                )
            elif not isinstance(v, str) or v not in modes:
                ctx.add(
                    finding(
                        codes.INVALID_FIELD_VALUE,
                        value_range(e),
                        f"`permissionMode: {show(v)}` is not a permission mode: Claude "
                        "Code drops it and the agent inherits the parent's mode. Use "
                        f"one of {', '.join(modes)}.",
                        enum_fix(e, list(modes), str(v)),
                    )
                )
            elif v == "bypassPermissions":
                ctx.add(
                    finding(
                        codes.BYPASS_PERMISSIONS,
                        e.node.range,
                        "`bypassPermissions` lets this agent run every tool, shell "
                        "commands and file writes included, without asking. Make sure "
                        "that is intended.",
                    )
                )
        elif k in ("memory", "isolation", "effort"):
            options = facts.enum_values(k) or {}
            if k == "effort":  # a number too, and the levels in any case or by alias
                ok = (isinstance(v, int) and not isinstance(v, bool)) or (
                    isinstance(v, str)
                    and (v.lower() in options or v.lower() in facts.effort_aliases)
                )
            else:
                ok = isinstance(v, str) and v in options
            if not ok:
                ctx.add(
                    finding(
                        codes.INVALID_FIELD_VALUE,
                        value_range(e),
                        f"`{k}: {show(v)}` is not valid: Claude Code drops it. Use one of "
                        f"{', '.join(options)}{' or a number' if k == 'effort' else ''}.",
                        enum_fix(e, list(options), str(v)),
                    )
                )
        elif k == "maxTurns":
            if not _positive_int(v):
                ctx.add(
                    finding(
                        codes.INVALID_FIELD_VALUE,
                        value_range(e),
                        f"`maxTurns: {show(v)}` is not a positive whole number: Claude "
                        "Code drops it and the agent's turns are unlimited.",
                    )
                )
        elif k == "autoCompactWindow":
            n = _whole_number(v)
            if n is None or n < facts.auto_compact_min:
                ctx.add(
                    finding(
                        codes.INVALID_FIELD_VALUE,
                        value_range(e),
                        f"`autoCompactWindow: {show(v)}` must be a whole number of at "
                        f"least {facts.auto_compact_min:,}: Claude Code drops it.",
                    )
                )
        elif k in boolean_keys(CLAUDE_AGENT) and not (
            isinstance(v, bool) or v in facts.boolean_values
        ):
            ctx.add(
                finding(
                    invalid_value_code(k),
                    value_range(e),
                    f"`{k}: {show(v)}` is not `true` or `false`: Claude Code drops it.",
                    enum_fix(e, list(facts.boolean_values), str(v)),
                )
            )


def _whole_number(v: Any) -> int | None:
    """An integer, or a string of digits (Claude Code reads both), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    return decimal_text(v) if isinstance(v, str) else None


def _positive_int(v: Any) -> bool:
    n = _whole_number(v)
    return n is not None and n > 0


def _model(ctx: ClaudeCtx, e: Entry, v: Any) -> None:
    facts = ctx.facts
    if not isinstance(v, str):
        ctx.add(
            finding(
                codes.INVALID_TYPE,
                value_range(e),
                f"`model` is {e.node.type_name}, not a model name: Claude Code ignores "
                "it and uses the parent's model.",
            )
        )
        return
    s = v.strip()
    if not s:
        return
    if facts.model_alias(s) is not None:
        return
    if s in facts.known_model_ids or PLAUSIBLE_MODEL.match(s):
        if s in facts.deprecated_model_ids or DATED_MODEL.search(s):
            alias = next((a for a in ("opus", "sonnet", "haiku", "fable") if a in s), None)
            ctx.add(
                finding(
                    codes.DATED_MODEL,
                    e.node.range,
                    f"`{s}` is a pinned model ID; it fails once the model is retired or "
                    f"unavailable on the user's provider."
                    + (f" `{alias}` always means the current model." if alias else ""),
                    [Fix(f"Use `{alias}`", replace(e.node.range, alias), False)] if alias else [],
                )
            )
        return
    aliases = [a for a in facts.model_aliases]
    near = nearest(s, aliases + sorted(facts.known_model_ids), max_distance=4)
    hint = ""
    low = s.lower()
    for a in ("opus", "sonnet", "haiku", "fable"):
        if a in low:
            near = a
            break
    if near:
        hint = f" Did you mean `{near}`?"
    ctx.add(
        finding(
            codes.INVALID_MODEL,
            e.node.range,
            f"`{s}` is not a Claude model alias or ID. Claude Code passes it through, and "
            'spawning the agent fails with "There\'s an issue with the selected model". '
            f"Use sonnet, opus, haiku, inherit or a full model ID.{hint}",
            replace_with_fix(e.node.range, near, False),
        )
    )
