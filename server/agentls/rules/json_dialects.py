"""The checker of each Claude Code JSON dialect."""

from __future__ import annotations

from agentls.dialects.registry import plugin_root
from agentls.document.jsontree import JsonDocument
from agentls.types import Finding


def check_json(dialect: str, doc: JsonDocument, path: str | None) -> list[Finding]:
    """The findings of one JSON file, in document order."""
    findings: list[Finding] = []
    if dialect == "claude-mcp":
        from agentls.rules.claude_mcp import check_claude_mcp

        findings = check_claude_mcp(doc, path, plugin=_in_plugin(path))
    elif dialect == "claude-settings":
        from agentls.rules.claude_settings import check_claude_settings

        findings = check_claude_settings(doc, path)
    elif dialect == "claude-plugin":
        from agentls.rules.claude_plugin import check_claude_plugin

        findings = check_claude_plugin(doc, path)
    elif dialect == "claude-marketplace":
        from agentls.rules.claude_plugin import check_claude_marketplace

        findings = check_claude_marketplace(doc, path)
    elif dialect == "claude-plugin-hooks":
        from agentls.rules.claude_plugin import check_plugin_hooks

        findings = check_plugin_hooks(doc, path)
    findings.sort(key=lambda f: (f.range.start, f.code))
    return findings


def _in_plugin(path: str | None) -> bool:
    """Whether the file sits at the root of a plugin (beside ``.claude-plugin/``)."""
    if not path:
        return False
    import os

    folder = os.path.dirname(os.path.abspath(path))
    return os.path.isdir(os.path.join(folder, ".claude-plugin")) or plugin_root(path) is not None
