"""Checks for one Claude Code sub-agent file (formats.md §11, rules 1–32 and 35–37)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from agentls.dialects.facts import ClaudeFacts, claude_facts
from agentls.dialects.registry import CLAUDE_AGENT
from agentls.dialects.schemas import boolean_keys
from agentls.document.items import value_items
from agentls.document.model import Document, Entry, SyntaxProblem, claude_rescue, comment_cut
from agentls.document.yamltree import YNode, decimal_text, yaml_double_quote
from agentls.effective import (
    TOP_LEVEL_FATAL_HOOKS,
    ToolVerdict,
    classify_tool,
    hooks_problems,
    name_problem,
    nearest,
)
from agentls.rules import codes
from agentls.rules.common import (
    MAX_FINDINGS_PER_KIND,
    Ctx,
    closing_fence_fix,
    dashes_fix,
    fence_range,
    line_range,
    norm_key,
    quote_fix,
    remove_before_fence_fix,
    rename_key_fix,
    replace,
    short,
    value_range,
)
from agentls.rules.registry import finding, rules
from agentls.types import (
    Effective,
    Finding,
    Fix,
    Position,
    Range,
    Severity,
    TextEdit,
    base_name,
)

DATED_MODEL = re.compile(r"-\d{8}$")
PLAUSIBLE_MODEL = re.compile(
    r"^(?:(?:[a-z]+\.)?anthropic\.)?claude-[a-z0-9]+(?:-[a-z0-9]+)*(?:-v\d+(?::\d+)?)?(?:@\d{8})?(?:\[1m\])?$"
)
ALLOWED_TOOLS_KEYS = ("allowed-tools", "allowedTools", "allowed_tools", "allowedtools")
LARGE_FILE = 1_048_576
MAX_UNKNOWN_KEY_FINDINGS = 100


@dataclass(slots=True)
class ClaudeCtx(Ctx):
    """A Claude Code agent being checked: the facts, what Claude Code loads from it, and the
    project's MCP servers (None when unknown)."""

    facts: ClaudeFacts = field(default_factory=claude_facts)
    effective: Effective = field(default_factory=lambda: Effective(False))
    mcp_servers: frozenset[str] | None = None
    # a plugin agent (formats.md §2.6): the plugin's name; its `name` falls back to the file
    # name, its description to `when_to_use`, then to "Agent from <plugin> plugin"
    plugin: str | None = None

    def add(self, f: Finding) -> None:
        if self.plugin is not None and f.code == codes.MISSING_NAME:
            return  # the name falls back to the file name
        self.out.append(f)

    @property
    def known_keys(self) -> frozenset[str]:
        if self.plugin is None:
            return self.facts.agent_keys
        return self.facts.agent_keys | frozenset(self.facts.raw.get("pluginAgentExtraKeys", ()))

    @property
    def stem(self) -> str:
        return _file_stem(self.path) or "agent"


def check_claude_agent(
    doc: Document,
    path: str | None,
    effective: Effective,
    size: int | None = None,
    *,
    mcp_servers: frozenset[str] | None = None,
    plugin: str | None = None,
) -> list[Finding]:
    """Findings for one Claude Code sub-agent file. ``mcp_servers``: the project's configured
    MCP servers (None when unknown); ``plugin``: the plugin's name, for a plugin agent."""
    ctx = ClaudeCtx(
        doc,
        path,
        CLAUDE_AGENT,
        facts=claude_facts(),
        effective=effective,
        mcp_servers=mcp_servers,
        plugin=plugin,
    )
    _envelope(ctx, size)
    if doc.too_large is not None:
        ctx.add(
            finding(
                codes.FRONTMATTER_TOO_LARGE,
                fence_range(doc),
                f"The frontmatter has {doc.too_large:,} lines; agentls checks frontmatters of up "
                "to 5,000 lines (real ones have a few dozen). Is a closing `---` missing?",
            )
        )
        return ctx.out
    if doc.has_frontmatter:
        _syntax(ctx)
        _keys(ctx)
        _identity(ctx)
        _description(ctx)
        _tools(ctx)
        _enums(ctx)
        _hooks(ctx)
        _mcp(ctx)
        _types(ctx)
        _body(ctx)
    ctx.out.sort(key=lambda f: (f.range.start, f.code))
    return ctx.out


# --------------------------------------------------------------------------- envelope


def _envelope(ctx: ClaudeCtx, size: int | None) -> None:
    doc = ctx.doc
    env = doc.env
    if size is not None and size > LARGE_FILE:
        ctx.add(
            finding(
                codes.FILE_TOO_LARGE,
                Range.of(0, 0, 0, min(3, len(doc.lines[0]))),
                f"This file is {size:,} bytes: Claude Code skips agent files over "
                f"1 MiB (1,048,576 bytes). Shorten it.",
            )
        )
    if env.has_bom:
        ctx.add(
            finding(
                codes.BYTE_ORDER_MARK,
                Range.of(0, 0, 0, 1),
                "The file starts with a byte order mark (BOM). Claude Code strips it, "
                "but some other readers then miss the opening `---`. Save as UTF-8 "
                "without BOM.",
            )
        )
    for p in env.problems:
        rng = Range(Position(p.line, p.start), Position(p.end_line, p.end))
        if p.kind == "no-frontmatter" and ctx.plugin is not None:
            ctx.add(
                finding(
                    codes.PLUGIN_AGENT_FALLBACK,
                    line_range(doc, 0) if doc.lines[0] else Range.of(0, 0),
                    f"No frontmatter: Claude Code loads this plugin agent as `{ctx.stem}` with "
                    f'the description "Agent from {ctx.plugin} plugin". Add `name` and '
                    "`description`.",
                )
            )
        elif p.kind == "no-frontmatter":
            ctx.add(
                finding(
                    codes.NO_FRONTMATTER,
                    line_range(doc, 0) if doc.lines[0] else Range.of(0, 0),
                    "No frontmatter: an agent file must start with a `---` line, then "
                    "`name:` and `description:`, then `---`. Claude Code treats this file "
                    "as documentation and loads no agent.",
                )
            )
        elif p.kind == "leading-content":
            what = "blank lines" if p.detail == "blank" else "text"
            fix = remove_before_fence_fix(doc)
            ctx.add(
                finding(
                    codes.NO_FRONTMATTER,
                    rng,
                    f"There are {what} before the opening `---`: the frontmatter must "
                    "start on the very first line. Claude Code sees no frontmatter and "
                    "loads no agent.",
                    [fix],
                )
            )
        elif p.kind == "code-fence":
            ctx.add(
                finding(
                    codes.NO_FRONTMATTER,
                    rng,
                    f"The frontmatter is wrapped in a code fence (`{p.detail}`): Claude "
                    "Code sees no frontmatter and loads no agent. Remove the fence so the "
                    "file starts with `---`.",
                )
            )
        elif p.kind == "indented-fence":
            ctx.add(
                finding(
                    codes.NO_FRONTMATTER,
                    line_range(doc, p.line),
                    "The frontmatter is indented: the opening `---` must start at column 1 "
                    "of the first line. Claude Code sees no frontmatter and loads no "
                    "agent.",
                )
            )
        elif p.kind == "unterminated":
            ctx.add(
                finding(
                    codes.NO_FRONTMATTER,
                    fence_range(doc),
                    "The frontmatter is never closed: add a `---` line after the last "
                    "key. Claude Code sees no frontmatter and loads no agent.",
                )
            )
        elif p.kind == "irregular-close":
            if p.detail == "...":
                msg = (
                    "`...` is YAML's document end, not a frontmatter fence: strict readers stop "
                    "here, Claude Code does not. Remove it."
                )
                ctx.add(finding(codes.IRREGULAR_CLOSING_FENCE, rng, msg))
            else:
                line = doc.lines[p.line]
                ctx.add(
                    finding(
                        codes.IRREGULAR_CLOSING_FENCE,
                        rng,
                        f"The closing fence is `{line}`, not exactly `---`; tools disagree "
                        "on where the frontmatter ends. Write `---`.",
                        [closing_fence_fix(doc, p.line)],
                    )
                )
        elif p.kind == "dashes-in-value":
            lost = [e.key for e in doc.entries if e.line > p.line]
            lost_text = ", ".join(f"`{k}`" for k in lost) if lost else "the rest of the frontmatter"
            extra = ""
            if "tools" in lost:
                extra = " Losing `tools` gives the agent every tool."
            ctx.add(
                finding(
                    codes.DASHES_IN_FRONTMATTER,
                    rng,
                    f"`---` inside the frontmatter: Claude Code ends the frontmatter here, "
                    f"so {lost_text} become part of the prompt and are ignored.{extra} "
                    "Replace these dashes (for example with `—`).",
                    [dashes_fix(rng)],
                )
            )


# --------------------------------------------------------------------------- YAML syntax


_RESCUE_LINE = re.compile(r"^([A-Za-z0-9_-]+):[ \t]+(.+)$")


def _rescuable(doc: Document, e: Entry) -> bool:
    if e.range.start.line != _last_line(doc, e):
        return False
    line = doc.lines[e.line]
    m = _RESCUE_LINE.match(line)
    if not m:
        return False
    _, keys = claude_rescue(line)
    return bool(keys)


def _last_line(doc: Document, e: Entry) -> int:
    end = e.range.end.line
    while end > e.line and not doc.lines[end].strip():
        end -= 1
    return end


def _syntax(ctx: ClaudeCtx) -> None:
    doc = ctx.doc
    for p, e in doc.problems_with_entries():
        _syntax_problem(ctx, p, e)
    if doc.not_mapping is not None:
        ctx.add(
            finding(
                codes.FRONTMATTER_NOT_MAPPING,
                doc.not_mapping.range,
                f"The frontmatter is {doc.not_mapping.type_name}, not `key: value` "
                "entries: Claude Code reads it as empty and loads no agent.",
            )
        )
    for e in doc.duplicates:
        first = doc.by_key[e.key]
        ctx.add(
            finding(
                codes.DUPLICATE_KEY,
                e.key_range,
                f"`{e.key}` appears twice (first on line {first.line + 1}). Claude Code "
                "keeps the last one; strict YAML readers reject the file. Remove one.",
                [
                    Fix(
                        f"Remove this `{e.key}` entry",
                        replace(
                            Range(
                                Position(e.range.start.line, 0), Position(e.range.end.line + 1, 0)
                            ),
                            "",
                        ),
                        False,
                    )
                ],
            )
        )
    # `&anchor text` / `!tag text`: valid YAML that silently drops the first word
    for e in doc.entries:
        if e.problem or e.missing_value or e.node.kind != "scalar":
            continue
        raw = e.raw
        lead = raw[:1]
        if lead in ("&", "!") and " " in raw and e.raw_range.start.line == e.line:
            line = doc.lines[e.line]
            start = e.raw_range.start.character
            word = raw.split(" ", 1)[0]
            kind = "an anchor" if lead == "&" else "a tag"
            full = line[start:].rstrip()
            ctx.add(
                finding(
                    codes.INDICATOR_SWALLOWS_TEXT,
                    Range(Position(e.line, start), Position(e.line, start + len(word))),
                    f"`{word}` is read as {kind}, so `{e.key}` is "
                    f'"{short(str(e.node.value), 60)}" and `{word}` is lost. Quote the value.',
                    [
                        Fix(
                            f"Quote the `{e.key}` value",
                            replace(
                                Range(
                                    Position(e.line, start), Position(e.line, len(line.rstrip()))
                                ),
                                yaml_double_quote(full),
                            ),
                            True,
                        )
                    ],
                )
            )
    # ` #` in a plain value: the rest is a comment
    for e in doc.entries:
        c0 = comment_cut(doc, e)
        if c0 is not None:
            end = e.node.range.end
            line = doc.lines[end.line]
            full = e.raw + line[end.character :]
            fix = Fix(
                f"Quote the whole `{e.key}` value",
                replace(
                    Range(e.raw_range.start, Position(end.line, len(line))),
                    yaml_double_quote(full.strip()),
                ),
                False,
            )
            ctx.add(
                finding(
                    codes.COMMENT_IN_VALUE,
                    Range(Position(end.line, c0), Position(end.line, len(line))),
                    f"` #` starts a YAML comment: `{e.key}` is read as "
                    f'"{short(e.node.value, 60)}" and the rest is dropped. Quote the value '
                    "if the `#` belongs to it.",
                    [fix],
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
        if crlf:
            ctx.add(
                finding(
                    codes.CRLF_NO_RESCUE,
                    value_range(e),
                    f"`{e.key}` needs quotes ({where}). Claude Code rescues such values "
                    "only in files with LF line endings; this file uses CRLF, so Claude "
                    "Code skips it. Quote the value (or convert to LF).",
                    [f for f in (fix, _crlf_fix(doc)) if f],
                )
            )
            return
        ctx.add(
            finding(
                codes.NEEDS_QUOTING,
                value_range(e),
                f"`{e.key}` needs quotes: {where}. Claude Code rescues this line by "
                "quoting it itself, but strict YAML readers (VS Code, GitHub, linters) "
                "reject the whole file, and with CRLF line endings Claude Code does too.",
                [f for f in (fix, literal_block_fix(e)) if f],
            )
        )
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


def _where(p: SyntaxProblem) -> str:
    col = p.range.start.character + 1
    if p.cause == "colon-space":
        return f"the `: ` at column {col} makes strict YAML read a mapping"
    if p.cause == "flow-unclosed":
        return "it starts with a bracket, so strict YAML reads a malformed list or mapping"
    if p.cause in (
        "alias-start",
        "anchor-start",
        "tag-start",
        "directive-start",
        "reserved-start",
        "block-indicator",
    ):
        first = p.message.split(": ", 1)[-1].rstrip(".")
        return first
    return p.message.rstrip(".")


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
    first, last = e.line, _last_line(doc, e)
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


# --------------------------------------------------------------------------- keys


def _keys(ctx: ClaudeCtx) -> None:
    facts = ctx.facts
    present = {e.key for e in ctx.doc.entries}
    unknown = 0
    for e in ctx.doc.entries:
        k = e.key
        if k in ctx.known_keys:
            continue
        unknown += 1
        if unknown > MAX_UNKNOWN_KEY_FINDINGS:
            rest = sum(1 for x in ctx.doc.entries if x.key not in ctx.known_keys) - unknown + 1
            ctx.add(
                finding(
                    codes.UNKNOWN_KEY,
                    e.key_range,
                    f"… and {rest:,} more keys that Claude Code does not recognise (not listed "
                    "one by one).",
                    count=rest,
                )
            )
            break
        if k in ALLOWED_TOOLS_KEYS:
            safe = "tools" not in present
            ctx.add(
                finding(
                    codes.ALLOWED_TOOLS_IN_AGENT,
                    e.key_range,
                    f"`{k}` is not an agent key: Claude Code ignores it and this agent "
                    "gets every tool. Did you mean `tools`?",
                    [rename_key_fix(e, "tools", safe)],
                )
            )
            continue
        if k in TOP_LEVEL_FATAL_HOOKS:
            ctx.add(
                finding(
                    codes.MALFORMED_HOOKS,
                    e.key_range,
                    f"`{k}` is a hook event written at the top level: Claude Code rejects "
                    f"the whole agent. Move it under `hooks:`.",
                    [f for f in (_move_under_hooks(ctx.doc, e),) if f],
                )
            )
            continue
        if k in facts.hook_events:
            ctx.add(
                finding(
                    codes.UNKNOWN_KEY,
                    e.key_range,
                    f"`{k}` is a hook event, not an agent key: Claude Code ignores it. "
                    "Move it under `hooks:`.",
                    [f for f in (_move_under_hooks(ctx.doc, e),) if f],
                )
            )
            continue
        other = facts.other_dialect_keys.get(k)
        if other is not None:
            ctx.add(
                finding(
                    codes.OTHER_DIALECT_KEY,
                    e.key_range,
                    f"`{k}` is a key of {other}, not of Claude Code agents: Claude Code "
                    "ignores it. Is this file meant for another tool?",
                )
            )
            continue
        hint = _key_hint(k, facts)
        if hint:
            safe = norm_key(hint) == norm_key(k) and hint not in present
            ctx.add(
                finding(
                    codes.UNKNOWN_KEY,
                    e.key_range,
                    f"Claude Code does not recognise `{k}` and ignores it. Did you mean `{hint}`?",
                    [rename_key_fix(e, hint, safe)],
                )
            )
        else:
            ctx.add(
                finding(
                    codes.UNKNOWN_KEY,
                    e.key_range,
                    f"Claude Code does not recognise `{k}` and ignores it. Agent keys are "
                    f"{', '.join(sorted(facts.agent_keys, key=str.lower)[:6])}, …",
                )
            )


def _move_under_hooks(doc: Document, e: Entry) -> Fix | None:
    """Move a top-level hook event entry under ``hooks:`` (not safe: the hooks then run)."""
    if e.problem:
        return None
    first, last = e.line, _last_line(doc, e)
    hooks = doc.get("hooks")
    title = f"Move `{e.key}` under `hooks`"
    if hooks is None:
        edits = [TextEdit(Range.of(first, 0), "hooks:\n")]
        edits += [
            TextEdit(Range.of(j, 0), "  ") for j in range(first, last + 1) if doc.lines[j].strip()
        ]
        return Fix(title, tuple(edits), False)
    if hooks.problem or hooks.node.kind != "mapping" or hooks.node.flow:
        return None
    h_last = _last_line(doc, hooks)
    moved = "".join(
        ("  " + doc.lines[j] if doc.lines[j].strip() else "") + "\n" for j in range(first, last + 1)
    )
    return Fix(
        title,
        (
            TextEdit(Range.of(h_last + 1, 0), moved),
            TextEdit(Range(Position(first, 0), Position(last + 1, 0)), ""),
        ),
        False,
    )


def _key_hint(k: str, facts: ClaudeFacts) -> str | None:
    return _key_hint_cached(k) if facts is claude_facts() else _key_hint_uncached(k, facts)


@lru_cache(maxsize=4096)
def _key_hint_cached(k: str) -> str | None:
    return _key_hint_uncached(k, claude_facts())


@lru_cache(maxsize=4)
def _keys_by_norm(keys: frozenset[str]) -> dict[str, str]:
    return {norm_key(a): a for a in keys}


def _key_hint_uncached(k: str, facts: ClaudeFacts) -> str | None:
    if k in facts.unknown_key_no_hint:
        return None
    norm = norm_key(k)
    if norm in facts.unknown_key_hints:
        return facts.unknown_key_hints[norm]
    by_norm = _keys_by_norm(facts.agent_keys)
    if norm in by_norm:
        return by_norm[norm]
    near = nearest(norm, list(by_norm), max_distance=2 if len(norm) > 4 else 1)
    return by_norm[near] if near else None


# --------------------------------------------------------------------------- identity


def _file_stem(path: str | None) -> str | None:
    if not path:
        return None
    name = base_name(path)
    return name[:-3] if name.endswith(".md") else name.rsplit(".", 1)[0]


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "my-agent"


def _insert_after_fence(doc: Document, text: str) -> tuple[TextEdit, ...]:
    line = (doc.env.open_line or 0) + 1
    return (TextEdit(Range.of(line, 0), text + "\n"),)


def _identity(ctx: ClaudeCtx) -> None:
    doc = ctx.doc
    e = doc.get("name")
    stem = _file_stem(ctx.path)
    if e is None:
        if doc.strict_error and not doc.entries:
            return  # the YAML error already says it all
        new = _slug(stem or "my-agent")
        ctx.add(
            finding(
                codes.MISSING_NAME,
                fence_range(doc),
                "No `name`: Claude Code silently ignores this agent. Add `name:` with "
                "lowercase letters and hyphens.",
                [Fix(f"Add `name: {new}`", _insert_after_fence(doc, f"name: {new}"), True)],
            )
        )
        return
    node = e.node
    if e.problem:
        return
    if node.kind == "mapping" and node.range.start.line > e.line:
        ctx.add(
            finding(
                codes.DESCRIPTION_NESTED_MAPPING,
                node.range,
                "The name continues on an indented line containing `: `, so YAML reads "
                "a mapping, not a string: Claude Code does not load the agent. Put the "
                "name on one line.",
            )
        )
        return
    value = node.value if node.kind == "scalar" else None
    if not isinstance(value, str):
        fixes = []
        if node.kind == "scalar" and value is not None:
            fixes.append(Fix("Quote the name", replace(node.range, yaml_double_quote(e.raw)), True))
        what = node.type_name
        ctx.add(
            finding(
                codes.NAME_NOT_STRING
                if value is not None or node.kind != "scalar"
                else codes.MISSING_NAME,
                value_range(e),
                f"`name` is {what}, not a string: Claude Code does not load the agent."
                + (" Quote it." if fixes else " Write the agent's name."),
                fixes,
            )
        )
        return
    why = name_problem(value, ctx.facts)
    if why:
        ctx.add(
            finding(
                codes.INVALID_NAME,
                node.range,
                f"`name` {why}: Claude Code does not load the agent. Use lowercase "
                "letters, digits and hyphens.",
                [Fix(f"Rename to `{_slug(value)}`", replace(node.range, _slug(value)), False)],
            )
        )
        return
    if not value.strip():
        blank = value != ""
        ctx.add(
            finding(
                codes.NAME_CONVENTION if blank else codes.MISSING_NAME,
                node.range,
                "`name` is only spaces: it loads, but nobody can mention or dispatch it. Write "
                "the agent's name."
                if blank
                else "`name` is empty: Claude Code does not load the agent. Write its name.",
                severity=Severity.WARNING if blank else None,
            )
        )
        return
    conventional = ctx.facts.name_pattern.match(value) is not None
    if not conventional:
        ctx.add(
            finding(
                codes.NAME_CONVENTION,
                node.range,
                f"`{value}` is not lowercase-with-hyphens: it loads, but it is awkward to "
                f"mention (`@agent-{value}`) and breaks the convention. Use "
                f"`{_slug(value)}`.",
                [Fix(f"Rename to `{_slug(value)}`", replace(node.range, _slug(value)), False)],
            )
        )
    if stem and value != stem and conventional and ctx.effective.name is not None:
        ctx.add(
            finding(
                codes.NAME_FILENAME_MISMATCH,
                node.range,
                f"The agent is named `{value}` but its file is `{stem}.md`. Claude Code "
                "uses the name; people and tools often look for the file name.",
            )
        )


# --------------------------------------------------------------------------- description


_WHEN_WORDS = re.compile(r"\b(use|when|proactive|proactively|invoke|delegate|for)\b", re.I)


def _description(ctx: ClaudeCtx) -> None:
    doc = ctx.doc
    e = doc.get("description")
    if e is None and ctx.plugin is not None:
        if doc.strict_error and not doc.entries:
            return
        if not any(k in doc.by_key for k in ctx.facts.raw.get("pluginAgentExtraKeys", ())):
            ctx.add(
                finding(
                    codes.PLUGIN_AGENT_FALLBACK,
                    fence_range(doc),
                    "No `description`: Claude Code describes this plugin agent as "
                    f'"Agent from {ctx.plugin} plugin", which does not tell when to use it. '
                    "Add `description:`.",
                )
            )
        return
    if e is None:
        if doc.strict_error and not doc.entries:
            return
        ctx.add(
            finding(
                codes.MISSING_DESCRIPTION,
                fence_range(doc),
                "No `description`: Claude Code does not load this agent. Add a "
                "`description:` saying when to use it.",
                [
                    Fix(
                        "Add a `description`",
                        _insert_after_fence(doc, 'description: "Use this agent when …"'),
                        False,
                    )
                ],
            )
        )
        return
    if e.problem:
        return
    node = e.node
    if node.kind == "mapping" and node.range.start.line > e.line:
        ctx.add(
            finding(
                codes.DESCRIPTION_NESTED_MAPPING,
                node.range,
                "The description continues on an indented line that contains `: `, so "
                "YAML reads a mapping, not text: Claude Code does not load the agent. "
                "Write `description: >` and indent the text below it, or quote it.",
                [f for f in (_mapping_to_block(doc, e),) if f],
            )
        )
        return
    value = node.value if node.kind == "scalar" else None
    if isinstance(value, str) and value and not value.strip():
        ctx.add(
            finding(
                codes.MISSING_DESCRIPTION,
                value_range(e),
                "`description` is blank: Claude Code loads the agent but has nothing to decide "
                "when to use it. Write a sentence saying when to use it.",
                severity=Severity.WARNING,
            )
        )
        return
    if not isinstance(value, str) or not value.strip():
        what = "empty" if node.kind == "scalar" and value in (None, "") else node.type_name
        ctx.add(
            finding(
                codes.MISSING_DESCRIPTION,
                value_range(e),
                f"`description` is {what}: Claude Code does not load the agent. Write a "
                "sentence saying when to use it."
                if what == "empty"
                else f"`description` is {what}, not text: Claude Code does not load the "
                "agent. Quote it.",
            )
        )
        return
    text = value.replace("\\n", "\n")
    if len(text) > 3000:
        ctx.add(
            finding(
                codes.DESCRIPTION_QUALITY,
                node.range,
                f"The description is {len(text):,} characters long. It is sent in every "
                "conversation that can delegate to this agent; keep examples short.",
            )
        )
    elif not _WHEN_WORDS.search(text):
        ctx.add(
            finding(
                codes.DESCRIPTION_QUALITY,
                node.range,
                "The description does not say when to use the agent. Claude delegates by "
                'reading it: start with "Use when…" (add "use proactively" for '
                "automatic delegation).",
            )
        )


def _mapping_to_block(doc: Document, e: Entry) -> Fix | None:
    last = _last_line(doc, e)
    parts = [doc.lines[j].strip() for j in range(e.line + 1, last + 1) if doc.lines[j].strip()]
    if not parts:
        return None
    rng = Range(
        Position(e.line, e.key_range.end.character + 1), Position(last, len(doc.lines[last]))
    )
    return Fix(
        "Make the description a folded block scalar (`>-`)",
        replace(rng, " >-\n" + "\n".join("  " + p for p in parts)),
        True,
        preserves_value=True,
    )


# --------------------------------------------------------------------------- tools


def tool_items(doc: Document, e: Entry) -> Iterator[tuple[str, Range]]:
    """Each tool-list entry with its exact range (grammar of formats.md §2.3); the whole
    value's range where the entry cannot be placed exactly."""
    for piece, rng in value_items(e.node, doc.lines):
        yield piece, rng if rng is not None else e.node.range


def _tools(ctx: ClaudeCtx) -> None:
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


# --------------------------------------------------------------------------- enumerations


def _scalar(e: Entry) -> Any:
    return e.node.value if e.node.kind == "scalar" else e.node


def _enum_fix(e: Entry, options: list[str], value: str) -> list[Fix]:
    near = nearest(value, options, max_distance=max(2, len(value) // 2))
    if near is None:
        return []
    safe = near.lower() == value.lower()
    return [Fix(f"Replace with `{near}`", replace(e.node.range, near), safe)]


def _enums(ctx: ClaudeCtx) -> None:
    doc, facts = ctx.doc, ctx.facts
    for e in doc.entries:
        if e.problem or e.key not in facts.agent_keys:
            continue
        if e.missing_value and e.key not in (
            "tools",
            "disallowedTools",
            "hooks",
            "name",
            "description",
        ):
            ctx.add(
                finding(
                    _invalid_value_code(e.key),
                    e.key_range,
                    f"`{e.key}` has no value: Claude Code ignores it. Give it a value or "
                    "remove it.",
                )
            )
            continue
        v = _scalar(e)
        k = e.key
        if k == "color":
            if not isinstance(v, str) or v not in facts.colors:
                ctx.add(
                    finding(
                        codes.INVALID_COLOR,
                        value_range(e),
                        f"`{_show(v)}` is not a Claude Code colour: it is silently "
                        f"dropped. Use one of {', '.join(facts.colors)}.",
                        _enum_fix(e, list(facts.colors), str(v)),
                    )
                )
        elif k == "model":
            _model(ctx, e, v)
        elif k == "permissionMode":
            if isinstance(v, str) and v in facts.permission_mode_aliases:
                target = facts.permission_mode_aliases[v]
                ctx.add(
                    finding(
                        codes.PERMISSION_MODE_ALIAS,
                        e.node.range,
                        f"`{v}` is an alias of `{target}`.",
                        [Fix(f"Write `{target}`", replace(e.node.range, target), True)],
                    )
                )
            elif not isinstance(v, str) or v not in facts.permission_modes:
                ctx.add(
                    finding(
                        codes.INVALID_FIELD_VALUE,
                        value_range(e),
                        f"`permissionMode: {_show(v)}` is not a permission mode: Claude "
                        "Code drops it and the agent inherits the parent's mode. Use "
                        f"one of {', '.join(facts.permission_modes)}.",
                        _enum_fix(e, list(facts.permission_modes), str(v)),
                    )
                )
            elif v == "bypassPermissions":
                ctx.add(
                    finding(
                        codes.BYPASS_PERMISSIONS,
                        e.node.range,
                        "`bypassPermissions` lets this agent run every tool, shell "
                        "commands and file writes included, without asking. Make sure "
                        "that is intended.",
                    )
                )
        elif k in ("memory", "isolation"):
            options = facts.memory if k == "memory" else facts.isolation
            if not isinstance(v, str) or v not in options:
                ctx.add(
                    finding(
                        codes.INVALID_FIELD_VALUE,
                        value_range(e),
                        f"`{k}: {_show(v)}` is not valid: Claude Code drops it. Use one of "
                        f"{', '.join(options)}.",
                        _enum_fix(e, list(options), str(v)),
                    )
                )
        elif k == "effort":
            ok = (isinstance(v, int) and not isinstance(v, bool)) or (
                isinstance(v, str)
                and (v.lower() in facts.effort or v.lower() in facts.effort_aliases)
            )
            if not ok:
                ctx.add(
                    finding(
                        codes.INVALID_FIELD_VALUE,
                        value_range(e),
                        f"`effort: {_show(v)}` is not valid: Claude Code drops it. Use one "
                        f"of {', '.join(facts.effort)} or a number.",
                        _enum_fix(e, list(facts.effort), str(v)),
                    )
                )
        elif k == "maxTurns":
            if not _positive_int(v):
                ctx.add(
                    finding(
                        codes.INVALID_FIELD_VALUE,
                        value_range(e),
                        f"`maxTurns: {_show(v)}` is not a positive whole number: Claude "
                        "Code drops it and the agent's turns are unlimited.",
                    )
                )
        elif k == "autoCompactWindow":
            n = _whole_number(v)
            if n is None or n < facts.auto_compact_min:
                ctx.add(
                    finding(
                        codes.INVALID_FIELD_VALUE,
                        value_range(e),
                        f"`autoCompactWindow: {_show(v)}` must be a whole number of at "
                        f"least {facts.auto_compact_min:,}: Claude Code drops it.",
                    )
                )
        elif k in boolean_keys(CLAUDE_AGENT) and not (
            isinstance(v, bool) or v in facts.boolean_values
        ):
            ctx.add(
                finding(
                    _invalid_value_code(k),
                    value_range(e),
                    f"`{k}: {_show(v)}` is not `true` or `false`: Claude Code drops it.",
                    _enum_fix(e, list(facts.boolean_values), str(v)),
                )
            )


def _invalid_value_code(key: str) -> str:
    """AL030 for the fields its registry entry names (Claude Code drops the field), AL107
    for the other keys (a value of the wrong type)."""
    return (
        codes.INVALID_FIELD_VALUE
        if key in rules()[codes.INVALID_FIELD_VALUE].keys
        else codes.INVALID_TYPE
    )


def _whole_number(v: Any) -> int | None:
    """An integer, or a string of digits (Claude Code reads both), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    return decimal_text(v) if isinstance(v, str) else None


def _positive_int(v: Any) -> bool:
    n = _whole_number(v)
    return n is not None and n > 0


def _show(v: Any) -> str:
    if isinstance(v, YNode):
        return v.type_name
    if v is None:
        return "(empty)"
    if isinstance(v, bool):
        return "true" if v else "false"
    return short(str(v), 40)


def _model(ctx: ClaudeCtx, e: Entry, v: Any) -> None:
    facts = ctx.facts
    if not isinstance(v, str):
        ctx.add(
            finding(
                codes.INVALID_TYPE,
                value_range(e),
                f"`model` is {e.node.type_name}, not a model name: Claude Code ignores "
                "it and uses the parent's model.",
            )
        )
        return
    s = v.strip()
    if not s:
        return
    if facts.model_alias(s) is not None:
        return
    if s in facts.known_model_ids or PLAUSIBLE_MODEL.match(s):
        if s in facts.deprecated_model_ids or DATED_MODEL.search(s):
            alias = next((a for a in ("opus", "sonnet", "haiku", "fable") if a in s), None)
            ctx.add(
                finding(
                    codes.DATED_MODEL,
                    e.node.range,
                    f"`{s}` is a pinned model ID; it fails once the model is retired or "
                    f"unavailable on the user's provider."
                    + (f" `{alias}` always means the current model." if alias else ""),
                    [Fix(f"Use `{alias}`", replace(e.node.range, alias), False)] if alias else [],
                )
            )
        return
    aliases = [a for a in facts.model_aliases]
    near = nearest(s, aliases + sorted(facts.known_model_ids), max_distance=4)
    hint = ""
    low = s.lower()
    for a in ("opus", "sonnet", "haiku", "fable"):
        if a in low:
            near = a
            break
    if near:
        hint = f" Did you mean `{near}`?"
    ctx.add(
        finding(
            codes.INVALID_MODEL,
            e.node.range,
            f"`{s}` is not a Claude model alias or ID. Claude Code passes it through, and "
            'spawning the agent fails with "There\'s an issue with the selected model". '
            f"Use sonnet, opus, haiku, inherit or a full model ID.{hint}",
            [Fix(f"Replace with `{near}`", replace(e.node.range, near), False)] if near else [],
        )
    )


# --------------------------------------------------------------------------- hooks, MCP, types


def _hooks(ctx: ClaudeCtx) -> None:
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
                    [
                        Fix(
                            f"Replace with `{near}`",
                            replace(k.range, near),
                            near.lower() == k.value.lower(),
                        )
                    ]
                    if near
                    else [],
                )
            )


def _mcp(ctx: ClaudeCtx) -> None:
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


def _types(ctx: ClaudeCtx) -> None:
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


def _body(ctx: ClaudeCtx) -> None:
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
