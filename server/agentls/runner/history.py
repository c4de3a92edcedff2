"""A conversation's history within a token budget (pure).

Every turn re-sends the conversation: tool results (files read, searches) are most of it
and matter less as the conversation moves on. When the history's estimate passes the
budget, the oldest tool results are replaced by a note saying so, oldest first, until the
history is down to :data:`LOW_WATER` of the budget: dropping some margin at once keeps the
prefix of the next turns stable, so they still read it from the prompt cache. The current
turn (the last two messages) is never touched.
"""

from __future__ import annotations

import json
from typing import Any

from agentls.runner.context import estimate_tokens

LOW_WATER = 0.75
DROPPED_MARK = "[agentls: tool result left out"


def _tokens(block: Any) -> int:
    return estimate_tokens(json.dumps(block, ensure_ascii=False))


def history_tokens(messages: list[dict[str, Any]]) -> int:
    total = 0
    for msg in messages:
        content = msg.get("content")
        if isinstance(content, str):
            total += estimate_tokens(content)
        else:
            total += sum(_tokens(b) for b in content or [])
    return total


def bound_history(
    messages: list[dict[str, Any]], budget: int
) -> tuple[list[dict[str, Any]], int, int]:
    """``(messages, tool results dropped, their estimated tokens)``; ``messages`` itself is
    not changed."""
    total = history_tokens(messages)
    if budget <= 0 or total <= budget:
        return messages, 0, 0
    goal = int(budget * LOW_WATER)
    out = list(messages)
    dropped = saved = 0
    for i, msg in enumerate(messages[:-2]):
        if total <= goal:
            break
        content = msg.get("content")
        if msg.get("role") != "user" or not isinstance(content, list):
            continue
        new_content = []
        changed = False
        for block in content:
            if (
                total > goal
                and isinstance(block, dict)
                and block.get("type") == "tool_result"
                and not str(block.get("content", "")).startswith(DROPPED_MARK)
            ):
                before = _tokens(block)
                note = (
                    f"{DROPPED_MARK} (~{before:,} tokens) to keep the conversation within its "
                    f"history budget of {budget:,} tokens; use the tool again if you need it]"
                )
                block = {**block, "content": note}
                after = _tokens(block)
                total -= before - after
                saved += before - after
                dropped += 1
                changed = True
            new_content.append(block)
        if changed:
            out[i] = {**msg, "content": new_content}
    return out, dropped, saved
