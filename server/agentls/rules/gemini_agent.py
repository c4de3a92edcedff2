"""Gemini CLI subagents (``.gemini/agents/*.md``, formats.md §8)."""

from __future__ import annotations

from agentls.document.model import Document
from agentls.rules.schema_rules import Ctx, check_common, sort_findings
from agentls.types import Finding, Severity


def check_gemini_agent(doc: Document, path: str | None) -> list[Finding]:
    ctx = Ctx(doc, path, "gemini-agent")
    check_common(
        ctx,
        frontmatter_required=True,
        missing_severity=Severity.ERROR,
        required_message=lambda k: f"No `{k}`: Gemini CLI requires `{k}` in a subagent.",
        required_severity=Severity.ERROR,
    )
    return sort_findings(ctx.out)
