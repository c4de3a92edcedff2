"""`hooks`, `mcpServers`, keys that take a string or a mapping, and the body."""

from __future__ import annotations

from agentls.effective import hooks_problems, nearest
from agentls.rules import codes
from agentls.rules.claude.context import ClaudeCtx
from agentls.rules.common import line_range, replace_with_fix, value_range
from agentls.rules.registry import finding

# --------------------------------------------------------------------------- hooks, MCP, types


def check_hooks(ctx: ClaudeCtx) -> None:
    e = ctx.doc.get("hooks")
    if e is None or e.problem or e.missing_value:
        return
    node = e.node
    why, warnings = hooks_problems(node.to_python(), ctx.facts)
    if why:
        ctx.add(
            finding(
                codes.MALFORMED_HOOKS,
                value_range(e),
                f"Malformed `hooks`: {why}. Claude Code rejects the whole agent.",
            )
        )
        return
    for w in warnings:
        ctx.add(finding(codes.UNKNOWN_HOOK_EVENT, value_range(e), w[0].upper() + w[1:] + "."))
    for k, _v in node.pairs:
        if isinstance(k.value, str) and k.value not in ctx.facts.hook_events:
            near = nearest(k.value, ctx.facts.hook_events)
            ctx.add(
                finding(
                    codes.UNKNOWN_HOOK_EVENT,
                    k.range,
                    f"`{k.value}` is not a hook event: Claude Code drops these hooks."
                    + (f" Did you mean `{near}`?" if near else ""),
                    replace_with_fix(k.range, near, (near or "").lower() == k.value.lower()),
                )
            )


def check_mcp(ctx: ClaudeCtx) -> None:
    e = ctx.doc.get("mcpServers")
    if e is None or e.problem or e.missing_value:
        return
    node = e.node
    if node.kind != "sequence":
        ctx.add(
            finding(
                codes.INVALID_MCP_SERVER,
                value_range(e),
                "`mcpServers` must be a list of server names or `{name: {config}}` "
                f"entries; got {node.type_name}. Claude Code ignores it.",
            )
        )
        return
    for item in node.items:
        ok = (item.kind == "scalar" and isinstance(item.value, str)) or (
            item.kind == "mapping" and len(item.pairs) == 1 and item.pairs[0][1].kind == "mapping"
        )
        if not ok:
            ctx.add(
                finding(
                    codes.INVALID_MCP_SERVER,
                    item.range,
                    "Each `mcpServers` item is a configured server's name or a one-key "
                    "map `{name: {type, command or url, …}}`. Claude Code drops this one.",
                )
            )


def check_types(ctx: ClaudeCtx) -> None:
    for e in ctx.doc.entries:
        if e.problem or e.missing_value:
            continue
        node = e.node
        k = e.key
        if k in ("initialPrompt", "observer", "observerMessage") and not (
            node.kind == "scalar" and isinstance(node.value, str)
        ):
            ctx.add(
                finding(
                    codes.INVALID_TYPE,
                    value_range(e),
                    f"`{k}` must be a string; got {node.type_name}. Claude Code ignores it.",
                )
            )
        elif k == "skills" and not (
            node.kind == "sequence" or (node.kind == "scalar" and isinstance(node.value, str))
        ):
            ctx.add(
                finding(
                    codes.INVALID_TYPE,
                    value_range(e),
                    f"`skills` must be a skill name, a comma-separated string or a list; "
                    f"got {node.type_name}.",
                )
            )
        elif k == "experimental" and node.kind != "mapping":
            ctx.add(
                finding(
                    codes.INVALID_TYPE,
                    value_range(e),
                    f"`experimental` must be a mapping; got {node.type_name}.",
                )
            )


def check_body(ctx: ClaudeCtx) -> None:
    doc = ctx.doc
    env = doc.env
    if env.close_line is None:
        return
    if ctx.doc.claude.has_frontmatter and ctx.doc.env.claude_cut is not None:
        return
    if not doc.body.strip():
        line = env.close_line
        ctx.add(
            finding(
                codes.EMPTY_BODY,
                line_range(doc, line),
                "The body is empty, so the agent has no system prompt. Write its "
                "instructions below the `---`.",
            )
        )
