"""OpenCode agents (``.opencode/agent(s)/**/*.md``, formats.md §7)."""

from __future__ import annotations

from agentls.document.model import Document
from agentls.rules import codes
from agentls.rules.registry import finding
from agentls.rules.schema_rules import (
    Ctx,
    check_common,
    fence_range,
    short,
    sort_findings,
    value_range,
)
from agentls.types import Finding, Severity


def check_opencode_agent(doc: Document, path: str | None) -> list[Finding]:
    ctx = Ctx(doc, path, "opencode-agent")
    model = doc.by_key.get("model")
    if model is not None and isinstance(model.value, str) and "/" not in model.value:
        ctx.skip_keys.add("model")
        ctx.add(
            finding(
                codes.OPENCODE_MODEL_FORMAT,
                value_range(model),
                "OpenCode model ids are `provider/model` (for example "
                f"`anthropic/claude-sonnet-4-5`); got `{short(model.value)}`.",
            )
        )
    check_common(
        ctx,
        frontmatter_required=False,
        required_message=None,
        open_message="OpenCode does not know `{key}`: it passes unknown keys to the model "
        "provider as options, which may reject them. Move provider options under `options:`.",
        open_severity=Severity.INFORMATION,
    )
    if doc.has_frontmatter and "description" not in doc.by_key and not doc.strict_error:
        ctx.add(
            finding(
                codes.OPENCODE_NO_DESCRIPTION,
                fence_range(doc),
                "No `description`: OpenCode's documentation requires one, and it is how the "
                "main agent decides when to use this subagent. Add `description:`.",
            )
        )
    return sort_findings(ctx.out)
