"""Claude Code rules (``.claude/rules/**/*.md``, formats.md §5): only ``paths``."""

from __future__ import annotations

from agentls.document.model import Document
from agentls.rules.schema_rules import Ctx, check_common, sort_findings
from agentls.types import Finding

# VS Code reads `.claude/rules` as instructions files: these keys are used there.
VSCODE_KEYS = frozenset({"applyTo", "description", "name", "excludeAgent"})


def check_claude_rule(doc: Document, path: str | None) -> list[Finding]:
    ctx = Ctx(doc, path, "claude-rule")
    ctx.skip_keys |= {e.key for e in doc.entries if e.key in VSCODE_KEYS}
    check_common(ctx, frontmatter_required=False)
    return sort_findings(ctx.out)
