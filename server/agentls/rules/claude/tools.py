"""`tools` and `disallowedTools`: what each entry grants (facts: tool names, legacy names, MCP
references).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from agentls.document.items import Piece, piece_range, value_pieces
from agentls.document.model import Document, Entry
from agentls.effective import ToolVerdict, classify_tool, classify_tools
from agentls.rules import codes
from agentls.rules.claude.context import ClaudeCtx
from agentls.rules.common import ListCap, remove_entry_fix, replace, replace_with_fix, value_range
from agentls.rules.registry import finding
from agentls.types import Finding, Fix, Position, Range

# --------------------------------------------------------------------------- tools


def tool_items(doc: Document, e: Entry) -> Iterator[tuple[str, Range]]:
    """Each tool-list entry with its exact range (grammar of formats.md §2.3); the whole
    value's range where the entry cannot be placed exactly."""
    for piece in value_pieces(e.node, doc.lines):
        yield piece[0], piece_range(piece, e.node.range)


def check_tools(ctx: ClaudeCtx) -> None:
    doc = ctx.doc
    facts = ctx.facts
    allowed: dict[str, Piece] = {}  # the tools of `tools`, each with its first piece
    allowed_in = Range.of(0, 0)  # the range of the value of `tools`
    listed: dict[str, list[Piece]] = {}
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
        pieces = listed[key] = value_pieces(node, doc.lines)
        if not pieces:
            if not deny:
                ctx.add(
                    finding(
                        codes.EMPTY_TOOLS,
                        value_range(e),
                        "`tools` is empty, so the agent gets no tools at all and Claude "
                        "Code refuses to spawn it. List the tools it needs, or remove "
                        "`tools` to give it every tool.",
                        [remove_entry_fix(e, "Remove `tools` (inherit every tool)", False)],
                    )
                )
            continue
        # The first occurrence of each tool granted: (its piece, the value's range).
        seen: dict[str, Piece] = {}
        capped = ListCap(ctx, f"problems with entries of `{key}`")
        verdicts = classify_tools([p[0] for p in pieces], facts, deny=deny)
        for piece, v in zip(pieces, verdicts, strict=True):
            entry, resolved = piece[0], v.resolved
            dup = resolved is not None and resolved in seen and v.status in ("ok", "alias")
            if dup:
                code = codes.DUPLICATE_TOOL
            else:
                if resolved:
                    seen[resolved] = piece
                found = _CODE_OF_STATUS.get(v.status) or _tool_code(ctx, key, entry, v)
                if found is None:
                    continue
                code = found
            if capped.full:  # counted only: no message, range or fix built
                capped.skip(code, (piece, node.range))
                continue
            rng = piece_range(piece, node.range)
            if dup:
                capped.add(
                    finding(
                        codes.DUPLICATE_TOOL,
                        rng,
                        f"`{entry}` is already listed.",
                        [f for f in (_remove_item_fix(doc, e, rng),) if f],
                        tags=("unnecessary",),
                    )
                )
            else:  # with its "did you mean"
                v = classify_tool(entry, facts, deny=deny, suggest=True)
                capped.add(_tool_finding(ctx, code, key, entry, rng, v))
        capped.close()
        if not deny:
            allowed, allowed_in = seen, node.range
        else:
            both = ListCap(ctx, "problems with entries of `tools`")
            for t in seen:
                if t in allowed:
                    both.add(
                        finding(
                            codes.TOOL_ALLOWED_AND_DENIED,
                            piece_range(allowed[t], allowed_in),
                            f"`{t}` is also in `disallowedTools`, which wins: the agent "
                            "does not get it.",
                            tags=("unnecessary",),
                        )
                    )
            both.close()
    e = doc.get("tools")
    eff = ctx.effective
    if e is not None and not e.problem and eff.loads and eff.tools == [] and listed.get("tools"):
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
        pieces = listed["tools"] if "tools" in listed else value_pieces(e.node, doc.lines)
        names = {p[0] for p in pieces}
        missing = [t for t in ("Read", "Write", "Edit") if t not in names]
        if missing:
            ctx.add(
                finding(
                    codes.MEMORY_ADDS_TOOLS,
                    m.key_range,
                    f"With `memory`, Claude Code adds {', '.join(missing)} to this "
                    "agent's tools so it can use its memory folder.",
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


# The rule an entry breaks, for the verdicts where it depends on nothing else.
_CODE_OF_STATUS = {
    "alias": codes.LEGACY_TOOL,
    "removed": codes.LEGACY_TOOL,
    "mcp-bad": codes.MALFORMED_MCP_TOOL,
    "case": codes.UNKNOWN_TOOL,
    "unknown": codes.UNKNOWN_TOOL,
}


def _tool_code(ctx: ClaudeCtx, key: str, entry: str, v: ToolVerdict) -> str | None:
    """The rule an entry of ``tools`` / ``disallowedTools`` breaks, or None (decided apart
    from the message: past the cap only the code is needed)."""
    status = v.status
    if status in _CODE_OF_STATUS:
        return _CODE_OF_STATUS[status]
    if status == "mcp":
        if ctx.mcp_servers is None or entry == "mcp__*":
            return None
        server = entry[5:].split("__", 1)[0]
        return None if server in ctx.mcp_servers else codes.MCP_SERVER_NOT_CONFIGURED
    if status in ("wildcard", "agent-list") and key == "tools":
        return codes.WILDCARD_TOOLS if status == "wildcard" else codes.AGENT_RESTRICTION_IN_SUBAGENT
    return None  # ok, pattern; `*` and `Agent(...)` in disallowedTools


def _tool_finding(
    ctx: ClaudeCtx, code: str, key: str, entry: str, rng: Range, v: ToolVerdict
) -> Finding:
    """The finding of :func:`_tool_code`'s ``code`` about one entry."""
    status = v.status
    if code == codes.MCP_SERVER_NOT_CONFIGURED:
        server = entry[5:].split("__", 1)[0]
        known = ", ".join(f"`{s}`" for s in sorted(ctx.mcp_servers or ())) or "none"
        return finding(
            code,
            rng,
            f"No MCP server `{server}` in this project's .mcp.json (configured: "
            f"{known}): Claude Code drops this entry unless the server is configured "
            "in your user settings.",
        )
    if code == codes.WILDCARD_TOOLS:
        return finding(code, rng, "`*` gives this agent every tool, the same as omitting `tools`.")
    if code == codes.AGENT_RESTRICTION_IN_SUBAGENT:
        return finding(
            code,
            rng,
            f"`{entry}`: the list of agent types is honoured only when this agent "
            "runs as the main thread (`claude --agent`); as a subagent it simply "
            "grants the Agent tool.",
        )
    if status in ("alias", "removed"):  # a legacy name; replacing an alias is safe (the
        # same tool), replacing a removed tool is not
        if status == "alias":
            text = f"`{entry}` is a legacy name of `{v.resolved}` ({v.note}). Use `{v.suggestion}`."
        else:
            sug = f" Use `{v.suggestion}`." if v.suggestion else ""
            text = f"`{entry}` no longer exists in Claude Code {ctx.facts.version}: it is dropped."
            text += sug
        fixes = replace_with_fix(rng, v.suggestion, status == "alias")
        return finding(code, rng, text, fixes, tags=("deprecated",))
    if code == codes.MALFORMED_MCP_TOOL:
        return finding(
            code,
            rng,
            f"`{entry}` is not a valid MCP tool reference ({v.note}): write "
            "`mcp__<server>`, `mcp__<server>__*` or `mcp__<server>__<tool>`.",
        )
    if status == "case":
        return finding(
            code,
            rng,
            f"`{entry}` is not a tool name: tool names are case-sensitive, so Claude "
            f"Code silently drops it. Did you mean `{v.suggestion}`?",
            replace_with_fix(rng, v.suggestion, True),
        )
    sug = f" Did you mean `{v.suggestion}`?" if v.suggestion else ""
    return finding(
        code,
        rng,
        f"Claude Code {ctx.facts.version} has no tool `{entry}`: it is silently dropped.{sug}",
        replace_with_fix(rng, v.suggestion, False),
    )


# --------------------------------------------------------------------------- the body

# "use the Edit tool", "with the `Write` tool", "the Read, Grep and Glob tools": a tool
# named (capitalised, as Claude Code spells it) right before the word "tool(s)". A name
# alone ("Read the file", "use Bash") is ordinary prose too often to count.
_NAME = r"`?([A-Z][A-Za-z]+)`?"
_TOOL_MENTION = re.compile(
    rf"\b{_NAME}((?:\s*,\s*{_NAME})*(?:,?\s+(?:and|or)\s+{_NAME})?)\s+tools?\b"
)
_ONE = re.compile(_NAME)
# A sentence that tells the agent not to use a tool is no reason to grant it.
_NEGATION = re.compile(
    r"\b(?:never|not|no|don't|do not|cannot|can't|without|avoid|instead of|rather than|"
    r"neither|nor|unavailable|lack|lacks)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?:;](?:\s|$)")


def body_tool_mentions(
    lines: list[str], start: int, known: set[str]
) -> Iterator[tuple[str, Range]]:
    """Each tool the body tells the agent to use: ``(name, range of the name)``; mentions
    in a negated sentence and in fenced code blocks are left out."""
    # The pattern needs "tool": lines after the last one cannot matter, and a body without
    # it (about half the corpus, the 64 KB agent of bench_diagnostics) has nothing to find.
    # One search of the joined body finds that: 0.08 ms where a test of every line cost
    # 0.36 ms, most of what bench_diagnostics' 64 KB keystroke had gained since 6ac1efa.
    body = "\n".join(lines[start:])
    last = body.rfind("tool")
    if last < 0:
        return
    stop = start + body.count("\n", 0, last) + 1
    fence: str | None = None
    # Only a line with "tool" or a fence mark can matter: picking them with `in` first (the
    # regex and the fence test on every line made a 64 KB body 5 ms, 85 % of the analysis)
    wanted = [
        n
        for n in range(start, stop)
        if "tool" in (line := lines[n]) or "```" in line or "~~~" in line
    ]
    for n in wanted:
        line = lines[n]
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            mark = stripped[:3]
            fence = None if fence == mark else (fence or mark)
            continue
        if fence is not None:
            continue
        for m in _TOOL_MENTION.finditer(line):
            before = line[: m.start()]
            ends = list(_SENTENCE_END.finditer(before))
            sentence = before[ends[-1].end() :] if ends else before
            if _NEGATION.search(sentence):
                continue
            for one in _ONE.finditer(line, m.start(), m.end()):
                name = one.group(1)
                if name in known:
                    yield name, Range.of(n, one.start(1), n, one.end(1))


def check_body_tools(ctx: ClaudeCtx) -> None:
    """A body that tells the agent to use a tool its ``tools`` does not grant: as a Claude
    Code sub-agent it could never do what it is told."""
    doc, eff = ctx.doc, ctx.effective
    e = doc.get("tools")
    if e is None or e.problem or not eff.loads or eff.tools is None or "*" in eff.tools:
        return
    if doc.env.close_line is None:
        return
    granted = set(eff.tools)
    denied = set(eff.disallowed_tools)
    items = list(tool_items(doc, e))
    known = set(ctx.facts.tools)
    reported: set[str] = set()
    capped = ListCap(ctx, "tools the body names that are not granted")
    for name, rng in body_tool_mentions(doc.lines, doc.env.body_start, known):
        if name in granted or name in reported:
            continue
        reported.add(name)
        if name in denied:
            capped.add(
                finding(
                    codes.BODY_TOOL_NOT_GRANTED,
                    rng,
                    f"The instructions tell the agent to use {name}, which `disallowedTools` "
                    "takes away: as a sub-agent it cannot. Remove it from `disallowedTools`, "
                    "or change the instructions.",
                )
            )
            continue
        fix = _add_tool_fix(doc, e, items, name)
        capped.add(
            finding(
                codes.BODY_TOOL_NOT_GRANTED,
                rng,
                f"The instructions tell the agent to use {name}, but `tools` does not grant "
                f"it: as a sub-agent it cannot. Add {name} to `tools`, or change the "
                "instructions.",
                [fix] if fix is not None else None,
            )
        )
    capped.close()


def _add_tool_fix(doc: Document, e: Entry, items: list[tuple[str, Range]], name: str) -> Fix | None:
    """Add ``name`` after the last entry of ``tools``: ``, Name`` in a comma-separated
    string or a flow list, a ``- Name`` line in a block list."""
    if not items:
        return None
    _, last = items[-1]
    if last.start.line != last.end.line:
        return None
    line = doc.lines[last.start.line]
    head = line[: last.start.character]
    if e.node.kind == "sequence" and head.strip() == "-":  # a block list: a line of its own
        at = Position(last.end.line + 1, 0)
        edit = replace(Range(at, at), f"{head}{name}\n")
    else:
        at = last.end
        edit = replace(Range(at, at), f", {name}")
    return Fix(f"Add {name} to `tools`", edit, False)
