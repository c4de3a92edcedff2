"""The quick fixes "Ignore AL013 on this line" and "Ignore AL013 in this file".

They write the suppression comments of :mod:`agentls.config.suppress`, in the form that
fits where the finding is:

- in frontmatter (and in the TOML configuration): ``# agentls: ignore[AL013]`` alone on a
  line above the finding's line, indented like it; for the file,
  ``# agentls: ignore-file[AL013]`` as the first frontmatter line. YAML comments are not
  part of what Claude Code sends to the model;
- in a Markdown body: ``<!-- agentls-disable AL016 -->`` before the line and
  ``<!-- agentls-enable AL016 -->`` after it; for a file without frontmatter,
  ``<!-- agentls-disable-file AL016 -->`` as its first line. (A body's comments are part of
  an agent's prompt: the frontmatter form is used whenever there is a frontmatter.)

A comment that already suppresses other rules there gets the code added. The fixes are not
*safe* (``check --fix`` and fix-all never silence a finding); like every fix, the code
action verifies them by re-running the engine (agentls.editing.fixes.verify_fix).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agentls.config.suppress import OWN_CODES
from agentls.types import Finding, Fix, Position, Range, TextEdit

if TYPE_CHECKING:
    from agentls.engine import Analysis

_OWN_LINE_IGNORE = re.compile(r"^([ \t]*)#[ \t]*agentls:[ \t]*ignore(-file)?\[([^\]]*)\][ \t]*$")


def suppression_fixes(a: Analysis, f: Finding) -> list[Fix]:
    """The two suppression fixes of ``f`` (none for findings about suppressions, or for files
    without comments: Claude Code's JSON files)."""
    if f.code in OWN_CODES:
        return []
    lines, endings, hash_lines, body = _layout(a)
    if lines is None:
        return []
    line = min(f.range.start.line, len(lines) - 1)
    out: list[Fix] = []
    here = _on_line(f.code, line, lines, endings, hash_lines, body)
    if here is not None:
        out.append(Fix(f"Ignore {f.code} on this line", here, safe=False))
    whole = _in_file(f.code, lines, endings, hash_lines)
    if whole is not None:
        out.append(Fix(f"Ignore {f.code} in this file", whole, safe=False))
    return out


def _layout(a: Analysis) -> tuple[list[str] | None, list[str], range, range]:
    """The lines, their endings, the lines that take ``#`` comments and the body's lines."""
    if a.config is not None or a.dialect == "agentls-config":
        lines = list(a.config.lines) if a.config is not None else []
        if not lines:
            return None, [], range(0), range(0)
        endings = ["\n"] * (len(lines) - 1) + [""]
        return lines, endings, range(len(lines)), range(0)
    if a.doc is None:
        return None, [], range(0), range(0)
    env = a.doc.env
    return (
        env.lines,
        env.endings,
        range(env.content_start, env.content_end),
        range(env.body_start, len(env.lines)),
    )


def _eol(endings: list[str], line: int) -> str:
    e = endings[line] if line < len(endings) else ""
    return e or next((x for x in endings if x), "\n")


def _insert(line: int, text: str) -> TextEdit:
    return TextEdit(Range(Position(line, 0), Position(line, 0)), text)


def _add_code(line: int, lines: list[str], code: str) -> TextEdit | None:
    """Add ``code`` to the own-line ``#`` suppression on ``line``, if that is one."""
    m = _OWN_LINE_IGNORE.match(lines[line])
    if m is None:
        return None
    codes = [c for c in re.split(r"[\s,]+", m.group(3)) if c]
    if code in codes:
        return None
    end = m.end(3)
    sep = ", " if codes else ""
    return TextEdit(Range(Position(line, end), Position(line, end)), f"{sep}{code}")


def _on_line(
    code: str,
    line: int,
    lines: list[str],
    endings: list[str],
    hash_lines: range,
    body: range,
) -> tuple[TextEdit, ...] | None:
    if line in hash_lines:
        above = line - 1
        if above in hash_lines:
            m = _OWN_LINE_IGNORE.match(lines[above])
            if m is not None and not m.group(2):
                add = _add_code(above, lines, code)
                return (add,) if add is not None else None
        indent = re.match(r"[ \t]*", lines[line])
        pad = indent.group() if indent else ""
        return (_insert(line, f"{pad}# agentls: ignore[{code}]{_eol(endings, line)}"),)
    if line in body:
        eol = _eol(endings, line)
        after = line + 1
        close = f"<!-- agentls-enable {code} -->"
        if after < len(lines):
            end_edit = _insert(after, close + eol)
        else:  # the last line: the comment goes after it
            end_edit = TextEdit(
                Range(Position(line, len(lines[line])), Position(line, len(lines[line]))),
                eol + close,
            )
        return (_insert(line, f"<!-- agentls-disable {code} -->{eol}"), end_edit)
    return None


def _in_file(
    code: str, lines: list[str], endings: list[str], hash_lines: range
) -> tuple[TextEdit, ...] | None:
    if len(hash_lines) or (hash_lines.start > 0 and hash_lines.start == hash_lines.stop):
        first = hash_lines.start
        if first < len(lines):
            m = _OWN_LINE_IGNORE.match(lines[first])
            if m is not None and m.group(2):
                add = _add_code(first, lines, code)
                return (add,) if add is not None else None
        return (_insert(first, f"# agentls: ignore-file[{code}]{_eol(endings, first)}"),)
    return (_insert(0, f"<!-- agentls-disable-file {code} -->{_eol(endings, 0)}"),)
