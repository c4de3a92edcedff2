"""Claude Code slash commands (``.claude/commands/**/*.md``, formats.md §4)."""

from __future__ import annotations

from agentls.document.model import Document
from agentls.rules import codes
from agentls.rules.registry import finding
from agentls.rules.schema_rules import Ctx, check_common, file_name, sort_findings
from agentls.types import Finding

IGNORED = ("name", "paths")


def command_name(path: str | None) -> str:
    """``commands/sub/nested.md`` → ``sub:nested``."""
    p = (path or "").replace("\\", "/")
    i = p.rfind("/commands/")
    rel = p[i + len("/commands/") :] if i >= 0 else file_name(p)
    return rel.removesuffix(".md").replace("/", ":")


def check_claude_command(doc: Document, path: str | None) -> list[Finding]:
    ctx = Ctx(doc, path, "claude-command", hints={"tools": "allowed-tools"})
    for e in doc.entries:
        if e.key in IGNORED:
            ctx.skip_keys.add(e.key)
            what = (
                f"the command is `/{command_name(path)}`, from its file path"
                if e.key == "name"
                else "a command always loads on request"
            )
            ctx.add(
                finding(
                    codes.COMMAND_IGNORED_KEY,
                    e.key_range,
                    f"`{e.key}` is ignored in slash commands ({what}). It works in skills "
                    "(`.claude/skills/<name>/SKILL.md`).",
                    tags=("unnecessary",),
                )
            )
    check_common(ctx, frontmatter_required=False)
    return sort_findings(ctx.out)
