"""Find the frontmatter block of a Markdown file, the way a careful reader and Claude Code do.

Two views are computed:

* the *intended* frontmatter: the block between an opening ``---`` line and the first
  closing line that is ``---`` (leniently found even when something precedes the opening
  fence, when it is indented or wrapped in a code fence), used for editing and checks;
* *Claude Code's* frontmatter: only when the file starts with ``---`` (after a BOM), ending
  at the first ``---`` anywhere after the opening fence (formats.md §1).

Both are pure functions of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agentls.lines import split_lines  # LSP's line breaks: the one place

BOM = "\ufeff"

# How far we look for an opening fence that does not start the file.
_LOOKAHEAD_LINES = 40


@dataclass(frozen=True, slots=True)
class EnvelopeProblem:
    kind: str  # see KINDS below
    line: int
    start: int
    end_line: int
    end: int
    detail: str = ""


# kinds:
#   no-frontmatter         the file has no frontmatter at all
#   leading-content        text or blank lines before the opening fence
#   indented-fence         the opening fence is indented
#   code-fence             the frontmatter is wrapped in a ``` code fence
#   unterminated           no closing fence
#   irregular-close        the closing fence is not exactly ``---`` (e.g. ``--- `` or ``----``)
#   dashes-in-value        a ``---`` inside the frontmatter ends it early for Claude Code
#   bom                    a byte order mark (information only)


@dataclass(slots=True)
class Envelope:
    lines: list[str]  # without line terminators
    endings: list[str]  # "\n", "\r\n", "\r" or "" per line
    has_bom: bool
    # Intended frontmatter: lines open_line+1 .. close_line-1 (close_line None: unterminated)
    open_line: int | None = None
    close_line: int | None = None
    indent: int = 0  # indentation of the fences (indented frontmatter)
    problems: list[EnvelopeProblem] = field(default_factory=list)
    # Claude Code's view
    claude_has_frontmatter: bool = False
    claude_yaml: str = ""  # the text Claude Code hands to its YAML parser
    claude_cut: tuple[int, int] | None = None  # (line, col) where Claude's frontmatter ends early
    claude_body_at: int = 0  # offset in the text just after the dashes that end it

    @property
    def has_frontmatter(self) -> bool:
        return self.open_line is not None

    @property
    def content_start(self) -> int:
        """First line of the frontmatter content."""
        return (self.open_line or 0) + 1

    @property
    def content_end(self) -> int:
        """One past the last line of the frontmatter content."""
        if self.open_line is None:
            return 0
        return self.close_line if self.close_line is not None else len(self.lines)

    @property
    def body_start(self) -> int:
        if self.open_line is None:
            return 0
        if self.close_line is None:
            return len(self.lines)
        return self.close_line + 1

    @property
    def line_ending(self) -> str:
        """'lf', 'crlf', 'mixed' or 'none'."""
        kinds = {e for e in self.endings if e}
        if not kinds:
            return "none"
        if kinds == {"\n"}:
            return "lf"
        if kinds == {"\r\n"}:
            return "crlf"
        return "mixed"


def _is_fence(line: str) -> bool:
    return line.rstrip() == "---"


def _fence_like(line: str) -> bool:
    s = line.strip()
    return s.startswith("---") and set(s) == {"-"}


def parse_envelope(text: str) -> Envelope:
    has_bom = text.startswith(BOM)
    lines, endings = split_lines(text)
    env = Envelope(lines=lines, endings=endings, has_bom=has_bom)
    first = lines[0][1:] if has_bom else lines[0]

    if _is_fence(first) or (first.startswith("---") and first[3:].strip() == ""):
        env.open_line = 0
    else:
        _find_displaced_opening(env, first)
        if env.open_line is None:
            env.problems.append(EnvelopeProblem("no-frontmatter", 0, 0, 0, len(lines[0])))
            _claude_view(env, text)
            return env

    _find_close(env)
    _claude_view(env, text)
    return env


def _find_displaced_opening(env: Envelope, first: str) -> None:
    lines = env.lines
    limit = min(len(lines), _LOOKAHEAD_LINES)
    for i in range(limit):
        raw = first if i == 0 else lines[i]
        stripped = raw.strip()
        if stripped != "---":
            continue
        # Need a closing fence with the same shape further down.
        indent = len(raw) - len(raw.lstrip())
        closing = None
        for j in range(i + 1, len(lines)):
            if lines[j].strip() == "---":
                closing = j
                break
        if closing is None:
            continue
        if not _looks_like_frontmatter(lines, i, closing, indent):
            # A Markdown horizontal rule, not a displaced frontmatter: stop looking.
            return
        before_text = [k for k in range(i) if lines[k].strip()]
        if len(before_text) > 8:
            return
        env.open_line = i
        env.indent = indent
        before = [k for k in range(i) if lines[k].strip()]
        fenced = any(lines[k].strip().startswith(("```", "~~~")) for k in range(i))
        if fenced:
            k = max(k for k in range(i) if lines[k].strip().startswith(("```", "~~~")))
            env.problems.append(
                EnvelopeProblem("code-fence", k, 0, k, len(lines[k]), lines[k].strip())
            )
        elif before or i > 0:
            last = i - 1
            env.problems.append(
                EnvelopeProblem(
                    "leading-content", 0, 0, last, len(lines[last]), "blank" if not before else ""
                )
            )
        if indent and not fenced:
            env.problems.append(EnvelopeProblem("indented-fence", i, 0, i, indent))
        elif indent and fenced:
            pass
        return


_KEY_START = re.compile(r"^[ \t]*[\"']?[A-Za-z_][\w.-]*[\"']?[ \t]*:(?:[ \t]|$)")


def _looks_like_frontmatter(lines: list[str], open_line: int, close_line: int, indent: int) -> bool:
    """The block between two fences starts with a ``key:`` line (YAML, not prose)."""
    for k in range(open_line + 1, close_line):
        text = lines[k]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        return bool(_KEY_START.match(text))
    return False


def _find_close(env: Envelope) -> None:
    assert env.open_line is not None
    lines = env.lines
    start = env.open_line + 1
    for j in range(start, len(lines)):
        line = lines[j]
        if env.indent:
            if line.strip() == "---":
                env.close_line = j
                return
            continue
        if _is_fence(line):
            env.close_line = j
            if line != "---":
                env.problems.append(
                    EnvelopeProblem("irregular-close", j, 3, j, len(line), "trailing whitespace")
                )
            return
        if _fence_like(line) and not line.startswith(" "):
            env.close_line = j
            env.problems.append(EnvelopeProblem("irregular-close", j, 0, j, len(line), line))
            return
        if line.rstrip() == "...":
            # YAML's document end marker: strict readers end here, Claude Code does not.
            env.problems.append(EnvelopeProblem("irregular-close", j, 0, j, len(line), "..."))
    env.problems.append(
        EnvelopeProblem("unterminated", env.open_line, 0, env.open_line, len(lines[env.open_line]))
    )


_CLAUDE_OPEN = re.compile(r"---[ \t]*\r?\n")


def _claude_view(env: Envelope, text: str) -> None:
    """Claude Code: BOM stripped, must begin with ``---``, ends at the next ``---`` anywhere."""
    src = text[1:] if env.has_bom else text
    m = _CLAUDE_OPEN.match(src)
    if not m:
        return
    rest_start = m.end()
    idx = src.find("---", rest_start)
    if idx < 0:
        return
    env.claude_has_frontmatter = True
    env.claude_yaml = src[rest_start:idx]
    env.claude_body_at = idx + 3 + (1 if env.has_bom else 0)
    # Where does it end, in line/column of the original text?
    offset = idx + (1 if env.has_bom else 0)
    # count line ends as split_lines does: "\r\n", "\n" and a lone "\r" (mixes included)
    line = text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count("\r\n", 0, offset)
    col = offset - (max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1)
    if env.close_line is None or line < env.close_line or (line == env.close_line and col > 0):
        env.claude_cut = (line, col)
        if env.close_line is not None and line < env.close_line and env.open_line is not None:
            env.problems.append(EnvelopeProblem("dashes-in-value", line, col, line, col + 3))
