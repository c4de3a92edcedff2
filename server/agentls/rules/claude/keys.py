"""Keys Claude Code does not know: typos, `allowed-tools`, hook events at the top level, keys
of other tools.
"""

from __future__ import annotations

from functools import lru_cache

from agentls.dialects.facts import ClaudeFacts, claude_facts
from agentls.document.model import Document, Entry
from agentls.effective import TOP_LEVEL_FATAL_HOOKS, nearest
from agentls.rules import codes
from agentls.rules.claude.context import (
    ALLOWED_TOOLS_KEYS,
    MAX_UNKNOWN_KEY_FINDINGS,
    ClaudeCtx,
    last_line,
)
from agentls.rules.common import norm_key, rename_key_fix
from agentls.rules.registry import finding
from agentls.types import Fix, Position, Range, TextEdit

# --------------------------------------------------------------------------- keys


def check_keys(ctx: ClaudeCtx) -> None:
    facts = ctx.facts
    present = {e.key for e in ctx.doc.entries}
    unknown = 0
    for e in ctx.doc.entries:
        k = e.key
        if k in ctx.known_keys:
            continue
        unknown += 1
        if unknown > MAX_UNKNOWN_KEY_FINDINGS:
            rest = sum(1 for x in ctx.doc.entries if x.key not in ctx.known_keys) - unknown + 1
            ctx.add(
                finding(
                    codes.UNKNOWN_KEY,
                    e.key_range,
                    f"… and {rest:,} more keys that Claude Code does not recognise (not listed "
                    "one by one).",
                    count=rest,
                )
            )
            break
        if k in ALLOWED_TOOLS_KEYS:
            safe = "tools" not in present
            ctx.add(
                finding(
                    codes.ALLOWED_TOOLS_IN_AGENT,
                    e.key_range,
                    f"`{k}` is not an agent key: Claude Code ignores it and this agent "
                    "gets every tool. Did you mean `tools`?",
                    [rename_key_fix(e, "tools", safe)],
                )
            )
            continue
        if k in TOP_LEVEL_FATAL_HOOKS:
            ctx.add(
                finding(
                    codes.MALFORMED_HOOKS,
                    e.key_range,
                    f"`{k}` is a hook event written at the top level: Claude Code rejects "
                    f"the whole agent. Move it under `hooks:`.",
                    [f for f in (move_under_hooks(ctx.doc, e),) if f],
                )
            )
            continue
        if k in facts.hook_events:
            ctx.add(
                finding(
                    codes.UNKNOWN_KEY,
                    e.key_range,
                    f"`{k}` is a hook event, not an agent key: Claude Code ignores it. "
                    "Move it under `hooks:`.",
                    [f for f in (move_under_hooks(ctx.doc, e),) if f],
                )
            )
            continue
        other = facts.other_dialect_keys.get(k)
        if other is not None:
            ctx.add(
                finding(
                    codes.OTHER_DIALECT_KEY,
                    e.key_range,
                    f"`{k}` is a key of {other}, not of Claude Code agents: Claude Code "
                    "ignores it. Is this file meant for another tool?",
                )
            )
            continue
        hint = _key_hint(k, facts)
        if hint:
            safe = norm_key(hint) == norm_key(k) and hint not in present
            ctx.add(
                finding(
                    codes.UNKNOWN_KEY,
                    e.key_range,
                    f"Claude Code does not recognise `{k}` and ignores it. Did you mean `{hint}`?",
                    [rename_key_fix(e, hint, safe)],
                )
            )
        else:
            ctx.add(
                finding(
                    codes.UNKNOWN_KEY,
                    e.key_range,
                    f"Claude Code does not recognise `{k}` and ignores it. Agent keys are "
                    f"{', '.join(sorted(facts.agent_keys, key=str.lower)[:6])}, …",
                )
            )


def move_under_hooks(doc: Document, e: Entry) -> Fix | None:
    """Move a top-level hook event entry under ``hooks:`` (not safe: the hooks then run)."""
    if e.problem:
        return None
    first, last = e.line, last_line(doc, e)
    hooks = doc.get("hooks")
    title = f"Move `{e.key}` under `hooks`"
    if hooks is None:
        edits = [TextEdit(Range.of(first, 0), "hooks:\n")]
        edits += [
            TextEdit(Range.of(j, 0), "  ") for j in range(first, last + 1) if doc.lines[j].strip()
        ]
        return Fix(title, tuple(edits), False)
    if hooks.problem or hooks.node.kind != "mapping" or hooks.node.flow:
        return None
    h_last = last_line(doc, hooks)
    moved = "".join(
        ("  " + doc.lines[j] if doc.lines[j].strip() else "") + "\n" for j in range(first, last + 1)
    )
    return Fix(
        title,
        (
            TextEdit(Range.of(h_last + 1, 0), moved),
            TextEdit(Range(Position(first, 0), Position(last + 1, 0)), ""),
        ),
        False,
    )


def _key_hint(k: str, facts: ClaudeFacts) -> str | None:
    return _key_hint_cached(k) if facts is claude_facts() else _key_hint_uncached(k, facts)


@lru_cache(maxsize=4096)
def _key_hint_cached(k: str) -> str | None:
    return _key_hint_uncached(k, claude_facts())


@lru_cache(maxsize=4)
def _keys_by_norm(keys: frozenset[str]) -> dict[str, str]:
    return {norm_key(a): a for a in keys}


def _key_hint_uncached(k: str, facts: ClaudeFacts) -> str | None:
    if k in facts.unknown_key_no_hint:
        return None
    norm = norm_key(k)
    if norm in facts.unknown_key_hints:
        return facts.unknown_key_hints[norm]
    by_norm = _keys_by_norm(facts.agent_keys)
    if norm in by_norm:
        return by_norm[norm]
    near = nearest(norm, list(by_norm), max_distance=2 if len(norm) > 4 else 1)
    return by_norm[near] if near else None
