"""Dispatch: dialect id → the checker of one file of that dialect (Claude agents excepted)."""

from __future__ import annotations

from collections.abc import Callable

from agentls.document.model import Document
from agentls.rules.claude_command import check_claude_command
from agentls.rules.claude_memory import check_claude_memory
from agentls.rules.claude_rule import check_claude_rule
from agentls.rules.claude_skill import check_agent_skill, check_claude_skill
from agentls.rules.copilot import (
    check_copilot_agent,
    check_copilot_chatmode,
    check_copilot_instructions,
    check_copilot_prompt,
)
from agentls.rules.gemini_agent import check_gemini_agent
from agentls.rules.opencode_agent import check_opencode_agent
from agentls.rules.rule_files import check_cursor_rule, check_kiro_steering, check_windsurf_rule
from agentls.types import Finding

Checker = Callable[[Document, "str | None"], list[Finding]]

CHECKERS: dict[str, Checker] = {
    "claude-skill": check_claude_skill,
    "agent-skill": check_agent_skill,
    "claude-command": check_claude_command,
    "claude-rule": check_claude_rule,
    "copilot-agent": check_copilot_agent,
    "copilot-chatmode": check_copilot_chatmode,
    "copilot-prompt": check_copilot_prompt,
    "copilot-instructions": check_copilot_instructions,
    "opencode-agent": check_opencode_agent,
    "gemini-agent": check_gemini_agent,
    "claude-memory": check_claude_memory,
    "cursor-rule": check_cursor_rule,
    "windsurf-rule": check_windsurf_rule,
    "kiro-steering": check_kiro_steering,
}


def check_dialect(dialect: str, doc: Document, path: str | None) -> list[Finding]:
    checker = CHECKERS.get(dialect)
    return checker(doc, path) if checker is not None else []
