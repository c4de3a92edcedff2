"""GitHub Copilot / VS Code files (formats.md §6): custom agents, chat modes, prompt files,
instructions files."""

from __future__ import annotations

from typing import Any

from agentls.document.model import Document
from agentls.rules import codes
from agentls.rules.claude_plugin_agent import docs_in_agents_folder, looks_like_docs
from agentls.rules.registry import finding
from agentls.rules.schema_rules import (
    Ctx,
    check_common,
    file_name,
    line_range,
    replace,
    sort_findings,
)
from agentls.types import Finding, Fix, Range, Severity

BODY_LIMIT = 30_000
AGENT_TOOL_ALIASES = frozenset(
    {"agent", "custom-agent", "task", "agent/runsubagent", "runsubagent"}
)


def _tool_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    if isinstance(value, list):
        return [t.strip() for t in value if isinstance(t, str)]
    return []


def check_copilot_agent(doc: Document, path: str | None) -> list[Finding]:
    if (
        not doc.has_frontmatter
        and not file_name(path).endswith(".agent.md")
        and looks_like_docs(path)
    ):
        return [
            docs_in_agents_folder(
                doc, path, "VS Code", "it shows up as a custom agent with this text as instructions"
            )
        ]
    ctx = Ctx(doc, path, "copilot-agent")
    check_common(
        ctx,
        frontmatter_required=True,
        missing_severity=Severity.WARNING,
        required_message=lambda k: (
            f"No `{k}`: GitHub Copilot requires `{k}` for custom agents "
            "(VS Code shows it as the chat input placeholder). Add `description:`."
        ),
        required_severity=Severity.ERROR,
    )
    d = doc.by_key
    agents = d.get("agents")
    tools = d.get("tools")
    if agents is not None and tools is not None:
        names = {t.lower() for t in _tool_names(tools.value)}
        if not names & AGENT_TOOL_ALIASES and "*" not in names:
            ctx.add(
                finding(
                    codes.AGENTS_WITHOUT_AGENT_TOOL,
                    agents.key_range,
                    "`agents` only takes effect when `tools` includes `agent`: this agent "
                    "cannot call any subagent. Add `agent` to `tools`.",
                )
            )
    body_len = len(doc.body)
    if body_len > BODY_LIMIT:
        ctx.add(
            finding(
                codes.COPILOT_BODY_TOO_LONG,
                line_range(doc, doc.env.body_start)
                if doc.env.body_start < len(doc.lines)
                else Range.of(0, 0),
                f"The instructions are {body_len:,} characters long; GitHub Copilot accepts at "
                f"most {BODY_LIMIT:,}.",
            )
        )
    target = d.get("target")
    tv = target.value if target is not None else None
    only = {
        "vscode": (("mcp-servers", "metadata"), "GitHub Copilot", "VS Code"),
        "github-copilot": (
            ("handoffs", "argument-hint", "agents", "hooks"),
            "VS Code",
            "GitHub Copilot",
        ),
    }
    if isinstance(tv, str) and tv in only:
        keys, owner, this = only[tv]
        for k in keys:
            if k in d:
                ctx.add(
                    finding(
                        codes.COPILOT_TARGET_IGNORES_KEY,
                        d[k].key_range,
                        f"`{k}` is only used by {owner}; with `target: {tv}` this agent runs in "
                        f"{this}, which ignores it.",
                        tags=("unnecessary",),
                    )
                )
    return sort_findings(ctx.out)


def check_copilot_chatmode(doc: Document, path: str | None) -> list[Finding]:
    ctx = Ctx(doc, path, "copilot-chatmode")
    check_common(ctx, frontmatter_required=False)
    stem = file_name(path).removesuffix(".chatmode.md") or "name"
    ctx.add(
        finding(
            codes.LEGACY_CHATMODE,
            Range.of(0, 0, 0, len(doc.lines[0]) if doc.lines else 0),
            "Chat modes are the legacy form of custom agents: move this file to "
            f"`.github/agents/{stem}.agent.md` (same frontmatter).",
            tags=("deprecated",),
        )
    )
    return sort_findings(ctx.out)


def check_copilot_prompt(doc: Document, path: str | None) -> list[Finding]:
    ctx = Ctx(doc, path, "copilot-prompt")
    mode = doc.by_key.get("mode")
    if mode is not None:
        ctx.skip_keys.add("mode")
        fixes = []
        if "agent" not in doc.by_key:
            fixes.append(Fix("Rename `mode` to `agent`", replace(mode.key_range, "agent"), True))
        ctx.add(
            finding(
                codes.PROMPT_MODE,
                mode.key_range,
                "`mode` is the old name of `agent` in prompt files (`ask`, `agent`, `plan` or a "
                "custom agent's name). Rename it to `agent`.",
                fixes,
                tags=("deprecated",),
            )
        )
    check_common(ctx, frontmatter_required=False)
    return sort_findings(ctx.out)


def check_copilot_instructions(doc: Document, path: str | None) -> list[Finding]:
    ctx = Ctx(doc, path, "copilot-instructions")
    check_common(ctx, frontmatter_required=False)
    if "applyTo" not in doc.by_key and not doc.strict_error:
        ctx.add(
            finding(
                codes.INSTRUCTIONS_NO_APPLY_TO,
                Range.of(0, 0, 0, len(doc.lines[0]) if doc.lines else 0),
                "No `applyTo`: these instructions are never applied automatically, only when "
                'attached by hand. Add `applyTo: "**"` (every file) or a glob.',
            )
        )
    return sort_findings(ctx.out)
