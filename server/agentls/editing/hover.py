"""Hover text for a frontmatter position: key docs, value meanings, effective configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentls.document.model import Document
from agentls.editing.context import LIST_KEYS, frontmatter_lines, line_key, owner_key
from agentls.editing.knowledge import facts, key_infos, tool_doc, value_doc
from agentls.types import Effective, Position, Range


@dataclass(frozen=True, slots=True)
class HoverText:
    markdown: str
    range: Range


def effective_markdown(eff: Effective | None) -> str:
    version = facts().version
    if eff is None:
        return f"Claude Code {version}: not an agent file."
    if not eff.loads:
        return f"**Claude Code {version} does not load this agent:** {eff.reason}."
    parts = [f"**Claude Code {version} loads this agent as `{eff.name}`**"]
    parts.append(f"model {eff.model or 'inherit'}")
    if eff.tools is None:
        tools = "every tool"
        if eff.disallowed_tools:
            tools += " except " + ", ".join(eff.disallowed_tools)
    elif not eff.tools:
        tools = "no tools"
    else:
        tools = "tools " + ", ".join(eff.tools)
    if eff.dropped_tools:
        tools += " (" + "; ".join(f"`{e}` dropped: {why}" for e, why in eff.dropped_tools) + ")"
    parts.append(tools)
    text = ", ".join(parts) + "."
    if eff.color:
        text += f" Colour {eff.color}."
    if eff.ignored_keys:
        text += " Ignored keys: " + ", ".join(f"`{k}`" for k in eff.ignored_keys) + "."
    return text


def _word_at(line: str, col: int, pattern: str = r"[^\s,\[\]\"']+") -> tuple[str, int, int] | None:
    for m in re.finditer(pattern, line):
        if m.start() <= col <= m.end():
            return m.group(0), m.start(), m.end()
    return None


def _key_markdown(key: str, dialect: str) -> str | None:
    info = key_infos(dialect).get(key)
    f = facts()
    if info is None:
        return None
    out = [f"**`{key}`** — {info.summary}", "", info.markdown]
    meta = []
    if info.types:
        meta.append("**Type:** " + " or ".join(info.types))
    if info.values:
        meta.append("**Values:** " + ", ".join(f"`{v}`" for v, _ in info.values[:12]))
    if info.has_default:
        d = info.default
        meta.append(f"**Default:** `{str(d).lower() if isinstance(d, bool) else d}`")
    if meta and not all(m.split(":**")[0] in info.markdown for m in meta):
        out += ["", " · ".join(meta)]
    if f.docs_url:
        out += ["", f"[Claude Code documentation]({f.docs_url})"]
    return "\n".join(out)


def hover(
    doc: Document,
    pos: Position,
    effective: Effective | None = None,
    *,
    dialect: str = "claude-agent",
) -> HoverText | None:
    span = frontmatter_lines(doc)
    if span is None:
        return None
    env = doc.env
    line_no = pos.line
    if line_no == env.open_line:
        text = doc.lines[line_no]
        return HoverText(effective_markdown(effective), Range.of(line_no, 0, line_no, len(text)))
    if not (span[0] <= line_no < span[1]):
        return None
    line = doc.lines[line_no]
    col = pos.character
    ind = env.indent if line[: env.indent].strip() == "" else 0
    text = line[ind:]
    c = col - ind
    lk = line_key(text)
    if lk is not None and text[:1] not in " \t":
        key, after = lk
        key_end = text.index(":") if ":" in text else len(text)
        if lk[0] == "name":
            md = effective_markdown(effective)
            if c < key_end:
                km = _key_markdown(key, dialect)
                md += "\n\n---\n\n" + (km or "")
            return HoverText(md, Range.of(line_no, ind, line_no, len(line)))
        if c <= key_end:
            md = _key_markdown(key, dialect) or _unknown_key(key)
            return HoverText(md, Range.of(line_no, ind, line_no, ind + key_end))
        if c >= after:
            return _value_hover(key, text, c, line_no, ind)
        return None
    owner = owner_key(doc, line_no)
    if owner is None:
        return None
    key = owner[0]
    m = re.match(r"^\s*-\s*", text)
    if m is not None and c >= m.end() and key in LIST_KEYS:
        return _value_hover(key, text, c, line_no, ind)
    if key == "hooks":
        w = _word_at(text, c, r"[A-Za-z]+")
        if w and w[0] in facts().hook_events:
            return HoverText(
                f"`{w[0]}`: a hook event; its matchers run while this agent is active.",
                Range.of(line_no, ind + w[1], line_no, ind + w[2]),
            )
    return None


def _unknown_key(key: str) -> str:
    return (
        f"`{key}` is not a key Claude Code {facts().version} reads in an agent file; it is ignored."
    )


def _value_hover(key: str, text: str, c: int, line_no: int, ind: int) -> HoverText | None:
    w = _word_at(text, c)
    if w is None:
        return None
    word, s, e = w
    if key in LIST_KEYS and key != "skills":
        base = word.split("(", 1)[0]
        md = tool_doc(word) or tool_doc(base)
        if md is None:
            md = f"`{word}` is not a Claude Code {facts().version} tool: it is dropped."
    else:
        colon = text.find(":")  # a list item under the key has none
        value = (text[colon + 1 :] if colon >= 0 else text.lstrip(" -")).strip().strip("\"'")
        md = value_doc(key, value) if value else None
        if md is None:
            return None
        s = text.index(value, text.index(":") + 1)
        e = s + len(value)
    return HoverText(md, Range.of(line_no, ind + s, line_no, ind + e))
