"""Claude Code plugin agents (``<plugin>/agents/**/*.md``, formats.md §2.6).

They are Claude Code agents with differences: ``name`` falls back to the file name (also
when the YAML does not parse), the description falls back to ``when_to_use`` and then to
"Agent from <plugin> plugin", and some keys are ignored for security.
"""

from __future__ import annotations

import copy
import os

from agentls.dialects.facts import claude_facts
from agentls.document.model import Document
from agentls.effective import compute_effective
from agentls.rules import codes
from agentls.rules.claude_agent import check_claude_agent
from agentls.rules.registry import finding
from agentls.rules.schema_rules import file_name, sort_findings
from agentls.types import Effective, Finding, Range

# The frontmatter's own problems (AL001-AL008): they break the YAML whatever key they sit in.
_SYNTAX = frozenset(
    {
        codes.NO_FRONTMATTER,
        codes.YAML_SYNTAX,
        codes.NEEDS_QUOTING,
        codes.CRLF_NO_RESCUE,
        codes.DASHES_IN_FRONTMATTER,
        codes.COMMENT_IN_VALUE,
        codes.TAB_INDENTATION,
        codes.DESCRIPTION_NESTED_MAPPING,
    }
)
DOC_STEMS = frozenset(
    {"readme", "changelog", "license", "contributing", "index", "notes", "todo", "overview"}
)


def plugin_name(path: str | None) -> str | None:
    """The ``name`` of the plugin's manifest (``.claude-plugin/plugin.json``) above ``path``."""
    from agentls.dialects.registry import plugin_root

    root = plugin_root(path)
    if root is None:
        return None
    from agentls.discovery import read_plugin_manifest

    data = read_plugin_manifest(root)
    name = data.get("name") if data is not None else None
    return name if isinstance(name, str) and name else os.path.basename(root)


def looks_like_docs(path: str | None) -> bool:
    stem = file_name(path).rsplit(".", 1)[0].lower()
    return stem in DOC_STEMS


def docs_in_agents_folder(doc: Document, path: str | None, tool: str, outcome: str) -> Finding:
    return finding(
        codes.DOCS_IN_AGENTS_FOLDER,
        Range.of(0, 0, 0, len(doc.lines[0]) if doc.lines else 0),
        f"`{file_name(path)}` looks like documentation, but {tool} loads every `.md` file in "
        f"this folder as an agent: {outcome}. Move it out of the folder.",
    )


def check_claude_plugin_agent(
    doc: Document, path: str | None, effective: Effective, size: int | None = None
) -> list[Finding]:
    stem = file_name(path).removesuffix(".md")
    plugin = plugin_name(path) or "<plugin>"
    if not doc.has_frontmatter and looks_like_docs(path):
        return [
            docs_in_agents_folder(
                doc,
                path,
                "Claude Code",
                f"it becomes an agent named `{stem}` with this text as prompt",
            )
        ]
    ignored = claude_facts().raw["pluginAgentIgnoredKeys"]
    # What an ignored key holds is never read: a `hooks: []` or `permissionMode:
    # bypassPermissions` there neither drops the agent nor widens it (a --plugin-dir session
    # of Claude Code 2.1.332 loads both agents and warns only that the key is ignored,
    # surface case plugin-agent-permission-mode). The frontmatter's syntax still counts.
    spans = [e.range for e in doc.entries if e.key in ignored]
    out = [
        f
        for f in check_claude_agent(doc, path, effective, size, plugin=plugin)
        if f.code in _SYNTAX or not any(s.contains(f.range.start) for s in spans)
    ]
    for e in doc.entries:
        if e.key in ignored:
            out.append(
                finding(
                    codes.PLUGIN_IGNORED_KEY,
                    e.key_range,
                    f"`{e.key}` is ignored in plugin agents (Claude Code drops it with a "
                    "warning, for security). Move the agent to `.claude/agents` if it needs it.",
                )
            )
    return sort_findings(out)


def plugin_effective(doc: Document, path: str | None) -> Effective:
    """What Claude Code loads from a plugin agent: name and description have fallbacks."""
    stem = file_name(path).removesuffix(".md")
    view = copy.copy(doc.claude)
    data = dict(view.data or {}) if not view.failed and not view.not_mapping else {}
    if not isinstance(data.get("name"), str) or not data["name"]:
        data["name"] = stem
    if not isinstance(data.get("description"), str) or not data["description"]:
        for k in claude_facts().raw["pluginAgentExtraKeys"]:  # when_to_use, when-to-use
            if isinstance(data.get(k), str) and data[k].strip():
                data["description"] = data[k]
                break
        else:
            data["description"] = f"Agent from {plugin_name(path) or 'its'} plugin"
    view.has_frontmatter, view.failed, view.not_mapping, view.data = True, False, False, data
    shadow = copy.copy(doc)
    shadow.claude = view
    return compute_effective(shadow)
