"""`tools` and `disallowedTools`: what each entry grants (facts: tool names, legacy names, MCP
references).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from agentls.document.items import value_items
from agentls.document.model import Document, Entry
from agentls.effective import ToolVerdict, classify_tool
from agentls.rules import codes
from agentls.rules.claude.context import ClaudeCtx
from agentls.rules.common import MAX_FINDINGS_PER_KIND, replace, value_range
from agentls.rules.registry import finding
from agentls.types import Finding, Fix, Position, Range

# --------------------------------------------------------------------------- tools


def tool_items(doc: Document, e: Entry) -> Iterator[tuple[str, Range]]:
    """Each tool-list entry with its exact range (grammar of formats.md §2.3); the whole
    value's range where the entry cannot be placed exactly."""
    for piece, rng in value_items(e.node, doc.lines):
        yield piece, rng if rng is not None else e.node.range


def check_tools(ctx: ClaudeCtx) -> None:
    doc = ctx.doc
    facts = ctx.facts
    allowed: dict[str, Range] = {}
    for key in ("tools", "disallowedTools"):
        e = doc.get(key)
        if e is None or e.problem:
            continue
        node = e.node
        deny = key == "disallowedTools"
        if node.kind not in ("scalar", "sequence") or (
            node.kind == "scalar" and node.value is not None and not isinstance(node.value, str)
        ):
            if deny:
                msg = (
                    f"`{key}` must be a comma-separated string or a list of tool names; "
                    f"got {node.type_name}. Claude Code ignores it."
                )
                ctx.add(finding(codes.INVALID_TYPE, value_range(e), msg))
            else:
                ctx.add(
                    finding(
                        codes.EMPTY_TOOLS,
                        value_range(e),
                        f"`tools` must be a comma-separated string or a list of tool names; got "
                        f"{node.type_name}, which Claude Code reads as no tools at all (while "
                        'the agent listing says "All tools"), so it refuses to spawn the agent.',
                    )
                )
            continue
        items = list(tool_items(doc, e))
        if not items:
            if not deny:
                ctx.add(
                    finding(
                        codes.EMPTY_TOOLS,
                        value_range(e),
                        "`tools` is empty, so the agent gets no tools at all and Claude "
                        "Code refuses to spawn it. List the tools it needs, or remove "
                        "`tools` to give it every tool.",
                        [
                            Fix(
                                "Remove `tools` (inherit every tool)",
                                replace(
                                    Range(
                                        Position(e.range.start.line, 0),
                                        Position(e.range.end.line + 1, 0),
                                    ),
                                    "",
                                ),
                                False,
                            )
                        ],
                    )
                )
            continue
        seen: dict[str, Range] = {}
        capped = _Capped(ctx, key)
        for entry, rng in items:
            v = classify_tool(entry, facts, deny=deny, suggest=not capped.full)
            f: Finding | None
            if v.resolved and v.resolved in seen and v.status in ("ok", "alias"):
                f = finding(
                    codes.DUPLICATE_TOOL,
                    rng,
                    f"`{entry}` is already listed.",
                    [f for f in (_remove_item_fix(doc, e, rng),) if f],
                    tags=("unnecessary",),
                )
            else:
                if v.resolved:
                    seen[v.resolved] = rng
                f = _tool_verdict(ctx, key, entry, rng, v)
            capped.add(f)
        capped.close()
        if not deny:
            allowed = seen
        else:
            both = _Capped(ctx, "tools")
            for t in seen:
                if t in allowed:
                    both.add(
                        finding(
                            codes.TOOL_ALLOWED_AND_DENIED,
                            allowed[t],
                            f"`{t}` is also in `disallowedTools`, which wins: the agent "
                            "does not get it.",
                            tags=("unnecessary",),
                        )
                    )
            both.close()
    e = doc.get("tools")
    eff = ctx.effective
    if (
        e is not None
        and not e.problem
        and eff.loads
        and eff.tools == []
        and list(tool_items(doc, e))
    ):
        ctx.add(
            finding(
                codes.NO_TOOL_RESOLVES,
                value_range(e),
                "None of these tools resolves, so the agent has no tools and Claude Code "
                "refuses to spawn it. Fix the tool names.",
            )
        )
    m = doc.get("memory")
    if (
        e is not None
        and m is not None
        and eff.tools is not None
        and isinstance(m.value, str)
        and m.value in facts.memory
    ):
        listed = {t for t, _ in tool_items(doc, e)}
        missing = [t for t in ("Read", "Write", "Edit") if t not in listed]
        if missing:
            ctx.add(
                finding(
                    codes.MEMORY_ADDS_TOOLS,
                    m.key_range,
                    f"With `memory`, Claude Code adds {', '.join(missing)} to this "
                    "agent's tools so it can use its memory folder.",
                )
            )


class _Capped:
    """The findings about the entries of one list, at most MAX_FINDINGS_PER_KIND of them,
    then one "… and N more" (a 1 MB list of 110,000 unknown names would otherwise send as
    many diagnostics, each with a "did you mean" search)."""

    def __init__(self, ctx: ClaudeCtx, key: str) -> None:
        self.ctx, self.key = ctx, key
        self.added = 0
        self.rest: list[Finding] = []

    @property
    def full(self) -> bool:
        return self.added >= MAX_FINDINGS_PER_KIND

    def add(self, f: Finding | None) -> None:
        if f is None:
            return
        if self.full:
            self.rest.append(f)
        else:
            self.ctx.add(f)
            self.added += 1

    def close(self) -> None:
        if not self.rest:
            return
        first = self.rest[0]
        self.ctx.add(
            finding(
                first.code,
                first.range,
                f"… and {len(self.rest):,} more problems with entries of `{self.key}` (not "
                "listed one by one).",
                severity=min(f.severity for f in self.rest),  # the most severe
                count=len(self.rest),
            )
        )


def _remove_item_fix(doc: Document, e: Entry, rng: Range) -> Fix | None:
    line = doc.lines[rng.start.line]
    s, t = rng.start.character, rng.end.character
    if rng.start.line != rng.end.line or not line[s:t].strip():
        return None
    if re.fullmatch(r"\s*-\s+" + re.escape(line[s:t]) + r"\s*", line):  # a block list item
        return Fix(
            "Remove the repeated tool",
            replace(Range(Position(rng.start.line, 0), Position(rng.start.line + 1, 0)), ""),
            True,
        )
    # eat a preceding ", " or following ", "
    left = line[:s].rstrip()
    if left.endswith(","):
        s = len(left) - 1
    else:
        rest = line[t:]
        m = re.match(r"\s*,\s*", rest)
        if m:
            t += m.end()
    return Fix(
        "Remove the repeated tool",
        replace(Range.of(rng.start.line, s, rng.start.line, t), ""),
        True,
    )


def _tool_verdict(
    ctx: ClaudeCtx, key: str, entry: str, rng: Range, v: ToolVerdict
) -> Finding | None:
    """The finding about one entry of ``tools`` / ``disallowedTools``, or None."""
    status = v.status
    if status == "mcp" and ctx.mcp_servers is not None and entry != "mcp__*":
        server = entry[5:].split("__", 1)[0]
        if server not in ctx.mcp_servers:
            known = ", ".join(f"`{s}`" for s in sorted(ctx.mcp_servers)) or "none"
            return finding(
                codes.MCP_SERVER_NOT_CONFIGURED,
                rng,
                f"No MCP server `{server}` in this project's .mcp.json (configured: "
                f"{known}): Claude Code drops this entry unless the server is configured "
                "in your user settings.",
            )
        return None
    if status in ("ok", "mcp", "pattern"):
        return None
    if status == "wildcard":
        if key == "tools":
            return finding(
                codes.WILDCARD_TOOLS,
                rng,
                "`*` gives this agent every tool, the same as omitting `tools`.",
            )
        return None
    if status == "agent-list":
        if key == "tools":
            return finding(
                codes.AGENT_RESTRICTION_IN_SUBAGENT,
                rng,
                f"`{entry}`: the list of agent types is honoured only when this agent "
                "runs as the main thread (`claude --agent`); as a subagent it simply "
                "grants the Agent tool.",
            )
        return None
    if status == "alias":
        return finding(
            codes.LEGACY_TOOL,
            rng,
            f"`{entry}` is a legacy name of `{v.resolved}` ({v.note}). Use `{v.suggestion}`.",
            [Fix(f"Replace with `{v.suggestion}`", replace(rng, str(v.suggestion)), True)],
            tags=("deprecated",),
        )
    if status == "removed":
        sug = f" Use `{v.suggestion}`." if v.suggestion else ""
        return finding(
            codes.LEGACY_TOOL,
            rng,
            f"`{entry}` no longer exists in Claude Code {ctx.facts.version}: it is dropped.{sug}",
            [Fix(f"Replace with `{v.suggestion}`", replace(rng, v.suggestion), False)]
            if v.suggestion
            else [],
            tags=("deprecated",),
        )
    if status == "mcp-bad":
        return finding(
            codes.MALFORMED_MCP_TOOL,
            rng,
            f"`{entry}` is not a valid MCP tool reference ({v.note}): write "
            "`mcp__<server>`, `mcp__<server>__*` or `mcp__<server>__<tool>`.",
        )
    if status == "case":
        return finding(
            codes.UNKNOWN_TOOL,
            rng,
            f"`{entry}` is not a tool name: tool names are case-sensitive, so Claude "
            f"Code silently drops it. Did you mean `{v.suggestion}`?",
            [Fix(f"Replace with `{v.suggestion}`", replace(rng, str(v.suggestion)), True)],
        )
    sug = f" Did you mean `{v.suggestion}`?" if v.suggestion else ""
    return finding(
        codes.UNKNOWN_TOOL,
        rng,
        f"Claude Code {ctx.facts.version} has no tool `{entry}`: it is silently dropped.{sug}",
        [Fix(f"Replace with `{v.suggestion}`", replace(rng, v.suggestion), False)]
        if v.suggestion
        else [],
    )
