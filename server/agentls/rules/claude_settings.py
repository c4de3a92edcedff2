"""Claude Code settings files: ``.claude/settings.json``, ``.claude/settings.local.json``,
``~/.claude/settings.json``, ``managed-settings.json``.

What Claude Code 2.1.332 does with them (``claude doctor``, observed): a syntax error and the
whole file is ignored; a value of the wrong type is reported and not used; an unknown key is
ignored without a word; a permission rule it cannot read "was skipped"; an unknown hook event
is ignored; an invalid hook entry is dropped, except in ``PreToolUse``, ``PermissionRequest``
and ``PreSkillShellCommand``, where an unloadable hook "may be what guards the permissions
declared beside it, so nothing it sits in is applied".
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from agentls.dialects.facts import claude_facts
from agentls.document.jsontree import JsonDocument
from agentls.document.yamltree import YNode
from agentls.effective import nearest
from agentls.rules import codes
from agentls.rules.claude_json import JsonCtx, check_common, hook_grade, hook_guards
from agentls.rules.claude_mcp import check_server
from agentls.rules.registry import finding
from agentls.rules.schema_walk import Path
from agentls.types import Finding, Fix, Position, Range, TextEdit

_RULE = re.compile(r"^(?P<tool>[^(]*)(?:\((?P<content>.*)\))?$", re.DOTALL)


def effect(path: Path) -> str:
    """What Claude Code does with a bad value at ``path`` of a settings file."""
    if path[:1] == ("hooks",) and len(path) >= 2:
        if path[1] in hook_guards() and len(path) >= 3:
            return (
                f"an unloadable `{path[1]}` hook may be what guards the permissions beside it, "
                "so Claude Code applies nothing it sits in until it is fixed."
            )
        return "Claude Code ignores this hook entry."
    if path[:1] == ("permissions",) and len(path) >= 3 and path[1] in ("allow", "ask", "deny"):
        return "Claude Code skips this rule."
    if path[:1] == ("managedMcpServers",) and len(path) >= 2:
        return f"Claude Code skips the server `{path[1]}`."
    return "Claude Code reports it (`claude doctor`) and does not use this value."


def check_claude_settings(doc: JsonDocument, path: str | None) -> list[Finding]:
    ctx = JsonCtx(doc, path, "claude-settings")
    root = doc.root
    if not check_common(ctx, effect, grade=hook_grade) or root is None:
        return ctx.out
    shared = bool(path) and not str(path).replace("\\", "/").endswith("settings.local.json")
    version = claude_facts().version
    for key, value in root.pairs:
        if key.value == "permissions" and value.kind == "mapping":
            for k, v in value.pairs:
                if k.value in ("allow", "ask", "deny") and v.kind == "sequence":
                    for item in v.items:
                        # the rules Claude Code reads are passed over here, without a call
                        # each (~400 rules in a 20 KB file, read again on every keystroke)
                        if (
                            item.kind == "scalar"
                            and isinstance(item.value, str)
                            and not _rule_is_fine(item.value, version)
                        ):
                            check_rule(ctx, item, str(k.value))
        elif key.value == "managedMcpServers" and value.kind == "mapping":
            for name, server in value.pairs:
                if server.kind == "mapping":
                    check_server(ctx, name, server, committed=shared)
        elif key.value == "env" and value.kind == "mapping" and shared:
            _env_secrets(ctx, value)
    return ctx.out


# --------------------------------------------------------------------------- permission rules


def rule_problem(rule: str) -> tuple[str, str | None] | None:
    """Why Claude Code skips a permission rule, and the rule it suggests; None when it reads
    it. The checks and their wording follow the program's (2.1.332, `claude doctor`)."""
    m = _RULE.match(rule)
    if "(" in rule and (m is None or not rule.endswith(")")):
        return (
            "a malformed `Tool(content)` rule: a rule is `Tool` or `Tool(content)` and ends at "
            "its closing `)`",
            None,
        )
    assert m is not None
    tool, content = m["tool"], m["content"]
    if content == "" and "(" in rule:
        if not tool:
            return "empty parentheses with no tool name", None
        return f"empty parentheses: write `{tool}` alone or give a pattern", tool
    if tool.startswith("mcp__") and content is not None:
        return f"MCP rules take no pattern in parentheses: write `{tool}`", tool
    if not tool:
        return "the tool name is empty", None
    if "_" not in tool and tool[0] != tool[0].upper():
        fixed = tool[0].upper() + tool[1:]
        return f"tool names start with a capital letter: `{fixed}`", rule.replace(tool, fixed, 1)
    if tool in ("Bash", "PowerShell") and content is not None and content.strip() == ":*":
        return "the command prefix before `:*` is empty", None
    return None


def _known_tool(tool: str) -> bool:
    f = claude_facts()
    return tool in f.tools or tool in f.legacy_tools or tool.startswith("mcp__") or tool == "*"


@lru_cache(maxsize=8192)
def _rule_is_fine(rule: str, version: str) -> bool:
    """A rule Claude Code reads, naming a tool it has (remembered per facts version: the
    ~400 rules of a large settings file are checked again on every keystroke)."""
    return rule_problem(rule) is None and _known_tool(rule.split("(", 1)[0])


def check_rule(ctx: JsonCtx, node: YNode, which: str) -> None:
    rule: str = node.value
    if _rule_is_fine(rule, claude_facts().version):
        return
    problem = rule_problem(rule)
    if problem is not None:
        why, suggestion = problem
        fixes = (
            [Fix(f"Change to `{suggestion}`", (TextEdit(node.range, json.dumps(suggestion)),))]
            if suggestion
            else []
        )
        ctx.add(
            finding(
                codes.PERMISSION_RULE_UNREADABLE,
                node.range,
                f"Claude Code skips the {which} rule `{rule}`: {why}.",
                fixes,
            )
        )
        return
    tool = rule.split("(", 1)[0]
    if _known_tool(tool):
        return
    f = claude_facts()
    near = f.tools_lower.get(tool.lower()) or nearest(tool, [*f.tools, *f.legacy_tools])
    message = f"`{tool}` is not a Claude Code tool: the {which} rule `{rule}` matches nothing."
    fixes = []
    if near:
        message += f" Did you mean `{near}`?"
        fixed = near + rule[len(tool) :]
        fixes.append(
            Fix(f"Change to `{fixed}`", (TextEdit(node.range, json.dumps(fixed)),), safe=False)
        )
    start = node.range.start
    rng = (
        Range(
            Position(start.line, start.character + 1),
            Position(start.line, start.character + 1 + len(tool)),
        )
        if node.range.start.line == node.range.end.line
        and ctx.text(node.range)[1:].startswith(tool)
        else node.range
    )
    ctx.add(finding(codes.PERMISSION_RULE_UNKNOWN_TOOL, rng, message, fixes))


def _env_secrets(ctx: JsonCtx, env: YNode) -> None:
    from agentls.rules.claude_mcp import _is_secret, _secret

    for k, v in env.pairs:
        if isinstance(v.value, str) and _is_secret(str(k.value), v.value):
            ctx.add(_secret("settings", "env", k, v))
