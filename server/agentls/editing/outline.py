"""Document symbols (frontmatter keys, Markdown headings) and folding ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agentls.document.model import Document
from agentls.types import Position, Range


@dataclass(slots=True)
class Symbol:
    name: str
    kind: str  # "frontmatter" | "key" | "heading"
    range: Range
    selection: Range
    detail: str = ""
    children: list[Symbol] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Fold:
    start: int
    end: int
    kind: str  # "region" | "comment"


_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _short(s: str, n: int = 60) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _line_range(doc: Document, a: int, b: int) -> Range:
    b = max(a, min(b, len(doc.lines) - 1))
    return Range(Position(a, 0), Position(b, len(doc.lines[b])))


def symbols(doc: Document) -> list[Symbol]:
    out: list[Symbol] = []
    env = doc.env
    if env.open_line is not None:
        close = env.close_line if env.close_line is not None else len(doc.lines) - 1
        fm = Symbol(
            "frontmatter",
            "frontmatter",
            _line_range(doc, env.open_line, close),
            _line_range(doc, env.open_line, env.open_line),
        )
        for e in doc.entries:
            detail = _short(e.raw) if e.node.kind == "scalar" or e.problem else e.node.type_name
            fm.children.append(Symbol(e.key, "key", e.range, e.key_range, detail))
        out.append(fm)
    out.extend(headings(doc))
    return out


def headings(doc: Document) -> list[Symbol]:
    start = doc.env.body_start
    lines = doc.lines
    flat: list[tuple[int, int, str]] = []  # (level, line, title)
    fence: str | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        m = _FENCE.match(line)
        if m:
            mark = m.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence):
                fence = None
            continue
        if fence is not None:
            continue
        h = _HEADING.match(line)
        if h:
            flat.append((len(h.group(1)), i, h.group(2) or "(untitled)"))
    last = len(lines) - 1
    while last > 0 and not lines[last].strip():
        last -= 1
    roots: list[Symbol] = []
    stack: list[tuple[int, Symbol]] = []
    for idx, (level, i, title) in enumerate(flat):
        end = last
        for lv2, j, _ in flat[idx + 1 :]:
            if lv2 <= level:
                end = j - 1
                while end > i and not lines[end].strip():
                    end -= 1
                break
        sym = Symbol(title, "heading", _line_range(doc, i, max(i, end)), _line_range(doc, i, i))
        sym.detail = "#" * level
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(sym)
        stack.append((level, sym))
    return roots


def folding_ranges(doc: Document) -> list[Fold]:
    out: list[Fold] = []
    env = doc.env
    if env.open_line is not None and env.close_line is not None and env.close_line > env.open_line:
        out.append(Fold(env.open_line, env.close_line, "region"))
    open_at: list[int] = []
    for i, line in enumerate(doc.lines):
        for m in re.finditer(r"<(/?)example>", line):
            if not m.group(1):
                open_at.append(i)
            elif open_at:
                s = open_at.pop()
                if i > s:
                    out.append(Fold(s, i, "region"))
    out.sort(key=lambda f: (f.start, -f.end))
    return out
