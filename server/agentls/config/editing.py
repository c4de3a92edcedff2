"""Completion and hover in a configuration file (``agentls.toml``, ``.agentls.toml``, the
``[tool.agentls]`` tables of ``pyproject.toml``), from what the schema is generated from:
the keys (agentls.config.model.KEYS), the rule registry, the severities, the dialect
registry and the Claude Code versions agentls has facts for. Pure; the language server
converts the candidates (agentls.lsp.editing).

Where the cursor is comes from the lines alone, as TOML reads them: the table of the last
``[header]`` above it, the key of its line (``key = value``), and whether it is inside a
string or an inline table. A file being typed is rarely valid TOML, so the parser is not
asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentls.config.model import KEYS, Key
from agentls.editing.completion import Candidate
from agentls.editing.hover import HoverText
from agentls.types import Position, Range

SEVERITIES = ("error", "warning", "information", "hint")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(r'^\s*(?:"([^"]*)"|([A-Za-z0-9_.-]+))\s*=')
_WORD = re.compile(r"[A-Za-z0-9_.:-]")  # a rule code or name, a dialect, a version
_BY_NAME = {k.name: k for k in KEYS}
_TABLE_DOC = "**[tool.agentls]**: the agentls configuration of this project (docs/configuration.md)"


@dataclass(frozen=True, slots=True)
class _Where:
    table: str | None  # "" the agentls table itself, "severity"... a sub-table; None: not ours
    key: str | None  # the key of the line, when the cursor is after its `=`
    in_string: bool
    in_inline_table: bool  # after `{` of an inline table on this line (`severity = { … }`)
    after_inline_eq: bool  # after the `=` of an entry of that inline table


def _table(lines: list[str], line: int, pyproject: bool) -> str | None:
    """The agentls table the line belongs to: "" for the configuration's own table, the
    sub-table name for ``[tool.agentls.severity]`` / ``[severity]``, None when not ours."""
    current: str | None = None if pyproject else ""
    for text in lines[:line]:
        m = _HEADER.match(text)
        if m is None:
            continue
        name = re.sub(r"\s*\.\s*", ".", m.group(1).replace('"', ""))
        if pyproject:
            if name == "tool.agentls":
                current = ""
            elif name.startswith("tool.agentls."):
                current = name.removeprefix("tool.agentls.")
            else:
                current = None
        else:
            current = name
    return current


def _where(lines: list[str], pos: Position, pyproject: bool) -> _Where:
    text = lines[pos.line][: pos.character] if pos.line < len(lines) else ""
    table = _table(lines, pos.line, pyproject)
    m = _KEY_LINE.match(text)
    key = (m.group(1) if m.group(1) is not None else m.group(2)) if m else None
    value = text[m.end() :] if m else ""
    in_string = value.count('"') % 2 == 1 if m else text.count('"') % 2 == 1
    brace = value.rfind("{")
    inline = brace >= 0 and "}" not in value[brace:]
    return _Where(table, key, in_string, inline, inline and _after_entry_eq(value[brace + 1 :]))


def _after_entry_eq(inline: str) -> bool:
    """Whether the end of ``inline`` (the text after an inline table's ``{``) is in the value
    of an entry: after its ``=``, or inside a list."""
    depth, quoted, seen_eq = 0, False, False
    for ch in inline:
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            seen_eq = False
        elif ch == "=" and depth == 0:
            seen_eq = True
    return seen_eq or depth > 0


def _word_range(line: str, pos: Position) -> Range:
    start = pos.character
    while start > 0 and _WORD.match(line[start - 1]):
        start -= 1
    end = pos.character
    while end < len(line) and _WORD.match(line[end]):
        end += 1
    return Range(Position(pos.line, start), Position(pos.line, end))


def _key_doc(k: Key) -> str:
    kinds = {
        "rules": "list of rules",
        "globs": "list of globs",
        "table": "table",
        "string": "string",
    }
    return f"**{k.name}** ({kinds.get(k.kind, k.kind)})\n\n{k.summary}"


def _rule_doc(code: str) -> str:
    from agentls.rules.registry import rule_url, rules

    r = rules()[code]
    return (
        f"**{r.id}** `{r.name}` ({r.severity.label})\n\n{r.summary}\n\n[{r.id}]({rule_url(r.id)})"
    )


def _rule_candidates(rng: Range, quote: bool) -> list[Candidate]:
    from agentls.config.model import rule_names
    from agentls.rules.registry import rules

    q = '"' if quote else ""
    out = [
        Candidate(
            r.id,
            "enum",
            rng,
            f"{q}{r.id}{q}",
            detail=r.name,
            documentation=_rule_doc(r.id),
            sort_text=f"0{r.id}",
        )
        for r in rules().values()
    ]
    for name, codes in sorted(rule_names().items()):
        out.append(
            Candidate(
                name,
                "enum",
                rng,
                f"{q}{name}{q}",
                detail=", ".join(sorted(codes)),
                documentation=_rule_doc(min(codes)),
                sort_text=f"1{name}",
            )
        )
    out.append(Candidate("ALL", "enum", rng, f"{q}ALL{q}", detail="every rule", sort_text="2"))
    return out


def _values(values: list[tuple[str, str]], rng: Range, quote: bool) -> list[Candidate]:
    q = '"' if quote else ""
    return [
        Candidate(v, "enum", rng, f"{q}{v}{q}", detail=detail, sort_text=f"{i:03d}")
        for i, (v, detail) in enumerate(values)
    ]


def _dialects() -> list[tuple[str, str]]:
    from agentls.dialects.registry import ALL_DIALECTS

    return [(d, "dialect") for d in ALL_DIALECTS]


def _versions() -> list[tuple[str, str]]:
    from agentls.dialects.facts import facts_versions

    return [(v, f"facts: {f}") for v, f in facts_versions().items()]


def config_completion(lines: list[str], pos: Position, pyproject: bool) -> list[Candidate]:
    """What may be written at ``pos`` of a configuration file."""
    if pos.line >= len(lines):
        return []
    line = lines[pos.line]
    w = _where(lines, pos, pyproject)
    rng = _word_range(line, pos)
    quote = not w.in_string
    header = _HEADER.match(line[: pos.character] + "]")
    if header is not None and line.lstrip().startswith("["):
        prefix = "tool.agentls." if pyproject else ""
        where = Range(Position(pos.line, line.index("[") + 1), rng.end)
        out = [
            Candidate(
                f"{prefix}{k.name}",
                "property",
                where,
                f"{prefix}{k.name}",
                documentation=_key_doc(k),
            )
            for k in KEYS
            if k.kind == "table"
        ]
        if pyproject:
            out.insert(
                0,
                Candidate(
                    "tool.agentls", "property", where, "tool.agentls", documentation=_TABLE_DOC
                ),
            )
        return out
    if w.table is None:
        return []
    sub = w.table
    if sub == "" and w.key is None:  # a key of the table
        return [
            Candidate(
                k.name,
                "property",
                rng,
                k.name,
                detail=k.kind,
                documentation=_key_doc(k),
            )
            for k in KEYS
        ]
    # the key whose value is written: the line's, or the sub-table's for its entries
    key = w.key if sub == "" else sub
    at_value = w.key is not None and (sub != "" or not w.in_inline_table or w.after_inline_eq)
    if key in ("select", "ignore", "extend-select"):
        return _rule_candidates(rng, quote)
    if key == "per-file-ignores":
        return _rule_candidates(rng, quote) if at_value else []
    if key == "severity":
        if at_value:
            return _values([(s, "severity") for s in SEVERITIES], rng, quote)
        return _rule_candidates(rng, False)  # a table's key: bare (AL013, invalid-color)
    if key == "dialects":
        return _values(_dialects(), rng, quote) if at_value else []
    if key == "claude-code-version":
        return _values(_versions(), rng, quote)
    return []


def config_hover(lines: list[str], pos: Position, pyproject: bool) -> HoverText | None:
    """What the key, rule, severity or dialect at ``pos`` is."""
    if pos.line >= len(lines):
        return None
    line = lines[pos.line]
    rng = _word_range(line, pos)
    word = line[rng.start.character : rng.end.character]
    if not word:
        return None
    table = _table(lines, pos.line, pyproject)
    header = _HEADER.match(line)
    if header is not None:
        name = word.rsplit(".", 1)[-1]
        k = _BY_NAME.get(name)
        if k is not None and (not pyproject or word.startswith("tool.agentls.")):
            return HoverText(_key_doc(k), rng)
        if pyproject and word == "tool.agentls":
            return HoverText(_TABLE_DOC, rng)
        return None
    if table is None:
        return None
    m = _KEY_LINE.match(line)
    if (
        table == ""
        and m is not None
        and m.group(2)
        and m.start(2) <= rng.start.character < m.end(2)
    ):
        k = _BY_NAME.get(word)
        return HoverText(_key_doc(k), rng) if k is not None else None
    from agentls.config.model import rule_names
    from agentls.rules.registry import rules

    if word in rules():
        return HoverText(_rule_doc(word), rng)
    codes = rule_names().get(word)
    if codes:
        return HoverText("\n\n---\n\n".join(_rule_doc(c) for c in sorted(codes)), rng)
    return None
