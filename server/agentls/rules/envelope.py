"""Where the frontmatter is (the envelope): one pass for every Markdown dialect.

document/envelope.py finds the problems (no frontmatter, text or a code fence before it, an
indented or unclosed fence, a closing fence other than ``---``, ``---`` inside a value);
:func:`check_envelope` turns them into findings. What differs between Claude Code agents and
the other dialects is data, an :class:`EnvelopeWording`: the codes, the messages, the range of
an indented fence (Claude Code agents: the whole line; the others: the indent) and whether a
``...`` close gets the fence fix (not for Claude Code agents, which read past it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic

from agentls.document.envelope import EnvelopeProblem
from agentls.document.model import Document
from agentls.rules import codes
from agentls.rules.claude.context import ClaudeCtx
from agentls.rules.common import (
    C,
    Ctx,
    closing_fence_fix,
    dashes_fix,
    fence_range,
    line_range,
    remove_before_fence_fix,
)
from agentls.rules.registry import finding
from agentls.types import Position, Range, Severity

Message = Callable[[C, EnvelopeProblem], str]


@dataclass(frozen=True, slots=True)
class EnvelopeWording(Generic[C]):
    """What a family of dialects says about where its frontmatter is."""

    misplaced: str  # code: its tool sees no frontmatter (displaced, fenced, never closed)
    irregular_close: str  # code: a closing fence other than `---`
    dashes: str  # code: `---` inside a value (only dialects Claude Code reads: ctx.lenient)
    missing: Callable[[C], tuple[str, str]]  # the code and message of a file without one
    messages: Mapping[str, Message[C]]  # the message of every other problem kind
    indented_line: bool  # an indented fence: the whole line (True) or the indent
    dots_fix: bool  # a `...` close gets "Write the closing fence as `---`"
    bom: str | None = None  # the message of a byte order mark (None: not reported)


def check_envelope(
    ctx: C,
    wording: EnvelopeWording[C],
    *,
    required: bool = True,
    missing_severity: Severity | None = None,
) -> None:
    """The envelope's findings. ``required``: whether a file without frontmatter is a problem
    (``missing_severity``: its severity when not the rule's)."""
    doc = ctx.doc
    if wording.bom is not None and doc.env.has_bom:
        ctx.add(finding(codes.BYTE_ORDER_MARK, Range.of(0, 0, 0, 1), wording.bom))
    for p in doc.env.problems:
        if p.kind == "no-frontmatter":
            if required:
                code, message = wording.missing(ctx)
                first = line_range(doc, 0) if doc.lines and doc.lines[0] else Range.of(0, 0)
                ctx.add(finding(code, first, message, severity=missing_severity))
            continue
        words = wording.messages.get(p.kind)
        if words is None or (p.kind == "dashes-in-value" and not ctx.lenient):
            continue
        rng = Range(Position(p.line, p.start), Position(p.end_line, p.end))
        if p.kind == "irregular-close":
            fixes = (
                [closing_fence_fix(doc, p.line)] if wording.dots_fix or p.detail != "..." else []
            )
            ctx.add(finding(wording.irregular_close, rng, words(ctx, p), fixes))
        elif p.kind == "dashes-in-value":
            ctx.add(finding(wording.dashes, rng, words(ctx, p), [dashes_fix(rng)]))
        else:
            if p.kind == "unterminated":
                rng = fence_range(doc)
            elif p.kind == "indented-fence" and wording.indented_line:
                rng = line_range(doc, p.line)
            fixes = [remove_before_fence_fix(doc)] if p.kind == "leading-content" else []
            ctx.add(finding(wording.misplaced, rng, words(ctx, p), fixes))


def lost_keys(doc: Document, p: EnvelopeProblem) -> tuple[list[str], str]:
    """The keys after ``---`` inside a value (Claude Code reads them as the body), and how a
    message names them."""
    lost = [e.key for e in doc.entries if e.line > p.line]
    return lost, ", ".join(f"`{k}`" for k in lost) if lost else "the rest of the frontmatter"


# --------------------------------------------------------------------------- Claude Code agents

_SEES_NONE = "Claude Code sees no frontmatter and loads no agent."


def _claude_missing(ctx: ClaudeCtx) -> tuple[str, str]:
    if ctx.plugin is not None:
        return codes.PLUGIN_AGENT_FALLBACK, (
            f"No frontmatter: Claude Code loads this plugin agent as `{ctx.stem}` with "
            f'the description "Agent from {ctx.plugin} plugin". Add `name` and `description`.'
        )
    return codes.NO_FRONTMATTER, (
        "No frontmatter: an agent file must start with a `---` line, then `name:` and "
        "`description:`, then `---`. Claude Code treats this file as documentation and loads "
        "no agent."
    )


def _claude_close(ctx: ClaudeCtx, p: EnvelopeProblem) -> str:
    if p.detail == "...":
        return (
            "`...` is YAML's document end, not a frontmatter fence: strict readers stop here, "
            "Claude Code does not. Remove it."
        )
    return (
        f"The closing fence is `{ctx.doc.lines[p.line]}`, not exactly `---`; tools disagree on "
        "where the frontmatter ends. Write `---`."
    )


def _claude_dashes(ctx: ClaudeCtx, p: EnvelopeProblem) -> str:
    lost, named = lost_keys(ctx.doc, p)
    extra = " Losing `tools` gives the agent every tool." if "tools" in lost else ""
    return (
        f"`---` inside the frontmatter: Claude Code ends the frontmatter here, so {named} "
        f"become part of the prompt and are ignored.{extra} Replace these dashes (for example "
        "with `—`)."
    )


CLAUDE_ENVELOPE: EnvelopeWording[ClaudeCtx] = EnvelopeWording(
    misplaced=codes.NO_FRONTMATTER,
    irregular_close=codes.IRREGULAR_CLOSING_FENCE,
    dashes=codes.DASHES_IN_FRONTMATTER,
    missing=_claude_missing,
    messages={
        "leading-content": lambda ctx, p: (
            f"There are {'blank lines' if p.detail == 'blank' else 'text'} before the opening "
            f"`---`: the frontmatter must start on the very first line. {_SEES_NONE}"
        ),
        "code-fence": lambda ctx, p: (
            f"The frontmatter is wrapped in a code fence (`{p.detail}`): {_SEES_NONE} Remove the "
            "fence so the file starts with `---`."
        ),
        "indented-fence": lambda ctx, p: (
            "The frontmatter is indented: the opening `---` must start at column 1 of the first "
            f"line. {_SEES_NONE}"
        ),
        "unterminated": lambda ctx, p: (
            f"The frontmatter is never closed: add a `---` line after the last key. {_SEES_NONE}"
        ),
        "irregular-close": _claude_close,
        "dashes-in-value": _claude_dashes,
    },
    indented_line=True,
    dots_fix=False,
    bom=(
        "The file starts with a byte order mark (BOM). Claude Code strips it, but some other "
        "readers then miss the opening `---`. Save as UTF-8 without BOM."
    ),
)

# --------------------------------------------------------------------------- the other dialects


def _missing(ctx: Ctx) -> tuple[str, str]:
    return codes.COMMON_NO_FRONTMATTER, (
        f"No frontmatter: a {ctx.label} starts with a `---` line, its `key: value` settings, "
        "then `---`."
    )


def _not_seen(why: str) -> Message[Ctx]:
    return lambda ctx, p: (
        f"{why}: {ctx.tool} sees no frontmatter and ignores these settings. The file must start "
        "with `---`."
    )


def _dashes(ctx: Ctx, p: EnvelopeProblem) -> str:
    return (
        "`---` inside the frontmatter: Claude Code ends the frontmatter here, so "
        f"{lost_keys(ctx.doc, p)[1]} become part of the body and are ignored. Replace these "
        "dashes."
    )


SCHEMA_ENVELOPE: EnvelopeWording[Ctx] = EnvelopeWording(
    misplaced=codes.COMMON_NO_FRONTMATTER,
    irregular_close=codes.COMMON_IRREGULAR_CLOSING_FENCE,
    dashes=codes.COMMON_DASHES_IN_FRONTMATTER,
    missing=_missing,
    messages={
        "leading-content": _not_seen("There is text or a blank line before the opening `---`"),
        "code-fence": _not_seen("The frontmatter is wrapped in a code fence"),
        "indented-fence": _not_seen("The frontmatter is indented"),
        "unterminated": _not_seen("The frontmatter is never closed by a `---` line"),
        "irregular-close": lambda ctx, p: (
            f"The closing fence is `{ctx.doc.lines[p.line].strip()}`, not exactly `---`; "
            "readers disagree on where the frontmatter ends. Write `---`."
        ),
        "dashes-in-value": _dashes,
    },
    indented_line=False,
    dots_fix=True,
)
