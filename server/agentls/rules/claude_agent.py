"""Checks for one Claude Code sub-agent file (formats.md §11, rules 1–32 and 35–37).

The checks live in ``rules/claude/``, one module per concern: envelope and YAML syntax,
keys, identity (name, description), tools, values, structure (hooks, MCP servers, types,
body); this module runs them in order.
"""

from __future__ import annotations

from agentls.dialects.facts import claude_facts
from agentls.dialects.registry import CLAUDE_AGENT
from agentls.document.model import Document
from agentls.rules import codes
from agentls.rules.claude.context import LARGE_FILE, ClaudeCtx
from agentls.rules.claude.envelope import CLAUDE_SYNTAX, block_scalar_fix, literal_block_fix
from agentls.rules.claude.identity import check_description, check_name
from agentls.rules.claude.keys import check_keys
from agentls.rules.claude.structure import check_body, check_hooks, check_mcp, check_types
from agentls.rules.claude.tools import check_body_tools, check_tools, tool_items
from agentls.rules.claude.values import check_values
from agentls.rules.common import check_syntax, fence_range
from agentls.rules.envelope import CLAUDE_ENVELOPE, check_envelope
from agentls.rules.registry import finding
from agentls.types import Effective, Finding, Range

__all__ = ["ClaudeCtx", "block_scalar_fix", "check_claude_agent", "literal_block_fix", "tool_items"]


def check_claude_agent(
    doc: Document,
    path: str | None,
    effective: Effective,
    size: int | None = None,
    *,
    mcp_servers: frozenset[str] | None = None,
    plugin: str | None = None,
) -> list[Finding]:
    """Findings for one Claude Code sub-agent file. ``mcp_servers``: the project's configured
    MCP servers (None when unknown); ``plugin``: the plugin's name, for a plugin agent."""
    ctx = ClaudeCtx(
        doc,
        path,
        CLAUDE_AGENT,
        facts=claude_facts(),
        effective=effective,
        mcp_servers=mcp_servers,
        plugin=plugin,
    )
    if size is not None and size > LARGE_FILE:
        ctx.add(
            finding(
                codes.FILE_TOO_LARGE,
                Range.of(0, 0, 0, min(3, len(doc.lines[0]))),
                f"This file is {size:,} bytes: Claude Code skips agent files over "
                f"1 MiB (1,048,576 bytes). Shorten it.",
            )
        )
    check_envelope(ctx, CLAUDE_ENVELOPE)
    if doc.too_large is not None:
        ctx.add(
            finding(
                codes.FRONTMATTER_TOO_LARGE,
                fence_range(doc),
                f"The frontmatter has {doc.too_large:,} lines; agentls checks frontmatters of up "
                "to 5,000 lines (real ones have a few dozen). Is a closing `---` missing?",
            )
        )
        return ctx.out
    if doc.has_frontmatter:
        check_syntax(ctx, CLAUDE_SYNTAX)
        check_keys(ctx)
        check_name(ctx)
        check_description(ctx)
        check_tools(ctx)
        check_values(ctx)
        check_hooks(ctx)
        check_mcp(ctx)
        check_types(ctx)
        check_body(ctx)
        check_body_tools(ctx)
    ctx.out.sort(key=lambda f: (f.range.start, f.code))
    return ctx.out
