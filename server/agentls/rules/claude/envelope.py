"""Whether a Claude Code agent's frontmatter YAML reads, for strict readers and after Claude
Code's rescue; the fixes that rewrite how a value is written. (Where the frontmatter is, the
envelope, is rules/envelope.py's one pass for every dialect.)
"""

from __future__ import annotations

from agentls.document.model import Document, Entry, SyntaxProblem, claude_rescue
from agentls.document.yamltree import yaml_double_quote
from agentls.rules import codes
from agentls.rules.claude.context import ClaudeCtx, last_line
from agentls.rules.common import (
    SyntaxWording,
    quote_fix,
    replace,
    short,
    value_range,
)
from agentls.rules.registry import finding
from agentls.types import Fix, Position, Range, TextEdit

# --------------------------------------------------------------------------- YAML syntax


def _rescuable(doc: Document, e: Entry) -> bool:
    if e.range.start.line != last_line(doc, e):
        return False
    _, keys = claude_rescue(doc.lines[e.line])  # Claude Code's own line pattern decides
    return bool(keys)


def _indicator(ctx: ClaudeCtx, e: Entry) -> None:
    """`&anchor text` / `!tag text`: valid YAML that silently drops the first word."""
    if e.problem or e.missing_value or e.node.kind != "scalar":
        return
    raw = e.raw
    lead = raw[:1]
    if lead in ("&", "!") and " " in raw and e.raw_range.start.line == e.line:
        line = ctx.doc.lines[e.line]
        start = e.raw_range.start.character
        word = raw.split(" ", 1)[0]
        kind = "an anchor" if lead == "&" else "a tag"
        full = line[start:].rstrip()
        value = Range(Position(e.line, start), Position(e.line, len(line.rstrip())))
        ctx.add(
            finding(
                codes.INDICATOR_SWALLOWS_TEXT,
                Range(Position(e.line, start), Position(e.line, start + len(word))),
                f"`{word}` is read as {kind}, so `{e.key}` is "
                f'"{short(str(e.node.value), 60)}" and `{word}` is lost. Quote the value.',
                [Fix(f"Quote the `{e.key}` value", replace(value, yaml_double_quote(full)), True)],
            )
        )


def _syntax_problem(ctx: ClaudeCtx, p: SyntaxProblem, e: Entry | None) -> None:
    claude_ok = ctx.doc.claude_reads
    doc = ctx.doc
    if p.cause == "tab" and claude_ok:
        ctx.add(finding(codes.TAB_INDENTATION, p.range, p.message))
        return
    if e is not None and _rescuable(doc, e):
        crlf = doc.env.endings[e.line] == "\r\n"
        where = _where(p)
        fix = quote_fix(e, keep_newline_escapes=e.key == "description")
        if crlf:  # the same value, but Claude Code does not rescue it: another rule
            code, other = codes.CRLF_NO_RESCUE, _crlf_fix(doc)
            text = (
                f"`{e.key}` needs quotes ({where}). Claude Code rescues such values "
                "only in files with LF line endings; this file uses CRLF, so Claude "
                "Code skips it. Quote the value (or convert to LF)."
            )
        else:
            code, other = codes.NEEDS_QUOTING, literal_block_fix(e)
            text = (
                f"`{e.key}` needs quotes: {where}. Claude Code rescues this line by "
                "quoting it itself, but strict YAML readers (VS Code, GitHub, linters) "
                "reject the whole file, and with CRLF line endings Claude Code does too."
            )
        ctx.add(finding(code, value_range(e), text, [f for f in (fix, other) if f]))
        return
    loads = (
        "loads no agent"
        if ctx.plugin is None
        else f"loads the agent as `{ctx.stem}` without its settings"
    )
    consequence = f" Claude Code cannot read the frontmatter and {loads}." if not claude_ok else ""
    fixes: list[Fix] = []
    if e is not None:
        bf = block_scalar_fix(doc, e)
        if bf:
            fixes.append(bf)
    ctx.add(finding(codes.YAML_SYNTAX, p.range, p.message + consequence, fixes))


# the YAML-syntax pass of Claude Code agents: common.check_syntax(ctx, CLAUDE_SYNTAX)
CLAUDE_SYNTAX: SyntaxWording[ClaudeCtx] = SyntaxWording(
    _syntax_problem,
    codes.FRONTMATTER_NOT_MAPPING,
    lambda ctx: "Claude Code reads it as empty and loads no agent.",
    codes.DUPLICATE_KEY,
    ". Claude Code keeps the last one; strict YAML readers reject the file. Remove one.",
    codes.COMMENT_IN_VALUE,
    fixes=True,
    entry=_indicator,
)


def _where(p: SyntaxProblem) -> str:
    col = p.range.start.character + 1
    if p.cause == "colon-space":
        return f"the `: ` at column {col} makes strict YAML read a mapping"
    if p.cause == "flow-unclosed":
        return "it starts with a bracket, so strict YAML reads a malformed list or mapping"
    return p.why or p.message.rstrip(".")


def _crlf_fix(doc: Document) -> Fix | None:
    edits = []
    for i, ending in enumerate(doc.env.endings):
        if ending == "\r\n":
            edits.append(TextEdit(Range(Position(i, len(doc.lines[i])), Position(i + 1, 0)), "\n"))
    if not edits:
        return None
    return Fix("Convert line endings to LF", tuple(edits), False)


def literal_block_fix(e: Entry) -> Fix | None:
    """A one-line description as a literal block scalar; its ``\\n`` become real line breaks."""
    if e.key != "description" or e.raw_range.start.line != e.raw_range.end.line:
        return None
    value = e.raw.strip()
    if not value or value[:1] in "\"'" or value.endswith("\\n"):
        return None
    lines = value.replace("\\n", "\n").split("\n")
    if any(ln != ln.rstrip() for ln in lines):
        return None
    header = "|2-" if lines[0][:1] in (" ", "\t") else "|-"
    text = header + "\n" + "\n".join(("  " + ln) if ln else "" for ln in lines)
    title = "Make `description` a literal block scalar (`|-`)"
    return Fix(title, replace(e.raw_range, text), True, preserves_value=True)


def block_scalar_fix(doc: Document, e: Entry) -> Fix | None:
    """Turn a broken (multi-line) plain value into a folded block scalar."""
    first, last = e.line, last_line(doc, e)
    parts = [doc.lines[first][e.raw_range.start.character :].strip()]
    parts += [doc.lines[j].strip() for j in range(first + 1, last + 1)]
    parts = [p for p in parts if p]
    if not parts or any(p.startswith(("- ", "#")) for p in parts):
        return None
    indent = "  "
    text = ">-\n" + "\n".join(indent + p for p in parts)
    rng = Range(e.raw_range.start, Position(last, len(doc.lines[last])))
    title = f"Make `{e.key}` a folded block scalar (`>-`)"
    return Fix(title, replace(rng, text), True, preserves_value=True)
