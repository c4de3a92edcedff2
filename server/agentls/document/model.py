"""Text → positioned, recovering frontmatter model (pure; no LSP types).

``parse_document(text)`` returns a :class:`Document` with

* the envelope (where the frontmatter is, problems with it, Claude Code's view of it);
* the top-level entries, each with the exact span of its key and value. When strict YAML
  fails, entries are read one by one: every key that can still be read is read, a broken
  value is kept as raw text (``Entry.node`` is then a recovered string node) and the
  cause is named precisely (``Entry.problem``);
* what Claude Code's YAML reading gives (:class:`ClaudeView`): its rescue of single-line
  values (formats.md §1.3) is modelled, so we know whether it loads the file and with what.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from agentls.document.envelope import Envelope, parse_envelope
from agentls.document.nodes import SyntaxProblem as SyntaxProblem
from agentls.document.yamltree import YamlError, YNode, compose
from agentls.types import Position, Range


@dataclass(slots=True)
class Entry:
    key: str
    key_range: Range
    node: YNode  # the value; a recovered plain string when ``problem`` is set
    raw: str  # the value as written (without the key)
    raw_range: Range
    range: Range  # the whole entry
    problem: SyntaxProblem | None = None
    missing_value: bool = False  # ``key:`` with nothing after it

    @property
    def line(self) -> int:
        return self.key_range.start.line

    @property
    def value(self) -> Any:
        return self.node.to_python()


@dataclass(slots=True)
class ClaudeView:
    """What Claude Code's frontmatter reader produces."""

    has_frontmatter: bool = False
    data: dict[str, Any] | None = None  # None: no frontmatter, or the YAML failed
    rescued: bool = False  # the YAML only parsed after Claude Code's rescue
    rescued_keys: list[str] = field(default_factory=list)
    failed: bool = False  # the YAML failed even after the rescue
    error: YamlError | None = None
    not_mapping: bool = False


@dataclass(slots=True)
class Document:
    text: str
    env: Envelope
    entries: list[Entry] = field(default_factory=list)
    by_key: dict[str, Entry] = field(default_factory=dict)
    duplicates: list[Entry] = field(default_factory=list)
    strict_error: YamlError | None = None  # strict YAML failed on the intended frontmatter
    not_mapping: YNode | None = None  # frontmatter parsed but is not a mapping
    problems: list[SyntaxProblem] = field(default_factory=list)
    claude: ClaudeView = field(default_factory=ClaudeView)
    too_large: int | None = None  # frontmatter line count when over MAX_FRONTMATTER_LINES

    @property
    def lines(self) -> list[str]:
        return self.env.lines

    @property
    def has_frontmatter(self) -> bool:
        return self.env.has_frontmatter

    @property
    def body(self) -> str:
        start = self.env.body_start
        return "\n".join(self.env.lines[start:])

    @property
    def claude_body(self) -> str:
        """The body as Claude Code reads it: everything after the dashes that end its
        frontmatter, trimmed (formats.md §1.7); an agent's system prompt."""
        if not self.env.claude_has_frontmatter:
            return self.text.removeprefix("\ufeff").strip()
        return self.text[self.env.claude_body_at :].strip()

    def get(self, key: str) -> Entry | None:
        return self.by_key.get(key)

    def problems_with_entries(self) -> list[tuple[SyntaxProblem, Entry | None]]:
        """Each syntax problem with the entry whose value it broke (None: not an entry's)."""
        of = {id(e.problem): e for e in self.entries if e.problem is not None}
        return [(p, of.get(id(p))) for p in self.problems]

    @property
    def claude_reads(self) -> bool:
        """Whether Claude Code's reader gets a frontmatter out of this file (after its rescue)."""
        return self.claude.has_frontmatter and not self.claude.failed

    def frontmatter_text(self) -> str:
        env = self.env
        return "".join(
            env.lines[i] + env.endings[i] for i in range(env.content_start, env.content_end)
        )


MAX_FRONTMATTER_LINES = 5_000


def parse_document(text: str) -> Document:
    env = parse_envelope(text)
    doc = Document(text=text, env=env)
    fm_lines = env.content_end - env.content_start if env.has_frontmatter else 0
    if fm_lines > MAX_FRONTMATTER_LINES:
        # Real frontmatters have tens of lines; reading 100,000 would take seconds.
        doc.too_large = fm_lines
        doc.claude.has_frontmatter = env.claude_has_frontmatter
        return doc
    key = _frontmatter_key(env) if _PARSED.enabled else None
    hit = _PARSED.get(key) if key is not None else None
    if hit is not None:
        hit.fill(doc)
        return doc
    if env.has_frontmatter:
        fm = doc.frontmatter_text()
        _read_entries(doc, fm)
    _claude_view(doc)
    if key is not None:
        _PARSED.put(key, _Parsed.of(doc))
    return doc


def reuse_frontmatter_parses(enabled: bool = True) -> None:
    """Keep the parses of the last few frontmatters for documents being edited (the
    language server turns this on; a check of many files would only pay for the keys)."""
    _PARSED.enabled = enabled
    if not enabled:
        _PARSED.clear()


# ------------------------------------------------------------ parses of unchanged frontmatter
#
# While someone types in the body of an agent, its frontmatter does not change: the entries
# and Claude Code's view of the last few frontmatters are kept and shared (the model is
# never changed once built). The key is everything they are computed from: the text up to
# the end of the frontmatter content and the envelope's findings about it.


@dataclass(frozen=True, slots=True)
class _Parsed:
    entries: list[Entry]
    by_key: dict[str, Entry]
    duplicates: list[Entry]
    strict_error: YamlError | None
    not_mapping: YNode | None
    problems: list[SyntaxProblem]
    claude: ClaudeView

    @staticmethod
    def of(doc: Document) -> _Parsed:
        return _Parsed(
            doc.entries,
            doc.by_key,
            doc.duplicates,
            doc.strict_error,
            doc.not_mapping,
            doc.problems,
            doc.claude,
        )

    def fill(self, doc: Document) -> None:
        doc.entries = self.entries
        doc.by_key = self.by_key
        doc.duplicates = self.duplicates
        doc.strict_error = self.strict_error
        doc.not_mapping = self.not_mapping
        doc.problems = self.problems
        doc.claude = self.claude


def _frontmatter_key(env: Envelope) -> tuple[object, ...]:
    end = env.content_end
    lines, endings = env.lines[:end], env.endings[:end]
    head = "".join([line + ending for line, ending in zip(lines, endings, strict=True)])
    return (
        head,
        env.open_line,
        env.close_line,
        env.indent,
        env.claude_has_frontmatter,
        env.claude_yaml,
        env.claude_cut,
    )


class _LastParsed:
    """A small, thread-safe most-recently-used map (the index builds in a thread)."""

    def __init__(self, size: int) -> None:
        self.enabled = False
        self._size = size
        self._items: dict[tuple[object, ...], _Parsed] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> _Parsed | None:
        with self._lock:
            hit = self._items.pop(key, None)
            if hit is not None:
                self._items[key] = hit  # now the most recent
            return hit

    def put(self, key: tuple[object, ...], value: _Parsed) -> None:
        with self._lock:
            self._items.pop(key, None)
            self._items[key] = value
            while len(self._items) > self._size:
                del self._items[next(iter(self._items))]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_PARSED = _LastParsed(8)


# --------------------------------------------------------------------------- entries


def _read_entries(doc: Document, fm: str) -> None:
    env = doc.env
    offset = env.content_start
    if env.indent:
        # Indented frontmatter: read it dedented so that keys sit at column 0.
        fm = "".join(
            (line[env.indent :] if line[: env.indent].strip() == "" else line) + ending
            for line, ending in zip(
                env.lines[env.content_start : env.content_end],
                env.endings[env.content_start : env.content_end],
                strict=True,
            )
        )
    if not fm.strip():
        return
    root, err = compose(fm, offset)
    if err is None and root is not None:
        if root.kind != "mapping":
            doc.not_mapping = root
            return
        _entries_from_mapping(doc, root)
    else:
        doc.strict_error = err
        _recover(doc, offset)
    if env.indent:
        _shift_columns(doc, env.indent)
    for entry in doc.entries:
        if entry.key in doc.by_key:
            doc.duplicates.append(entry)
        else:
            doc.by_key[entry.key] = entry


def _shift_columns(doc: Document, n: int) -> None:
    lines = doc.env.lines

    def col(line: int, c: int) -> int:
        # Only lines that were dedented move back right; never past the end of the line.
        if not 0 <= line < len(lines):
            return c
        text = lines[line]
        return min(c + n if text[:n].strip() == "" else c, len(text))

    def sh(r: Range) -> Range:
        return Range(
            Position(r.start.line, col(r.start.line, r.start.character)),
            Position(r.end.line, col(r.end.line, r.end.character)),
        )

    def shift_node(node: YNode, seen: set[int]) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        node.range = sh(node.range)
        for item in node.items:
            shift_node(item, seen)
        for k, v in node.pairs:
            shift_node(k, seen)
            shift_node(v, seen)

    seen: set[int] = set()
    for e in doc.entries:
        e.key_range = sh(e.key_range)
        e.raw_range = sh(e.raw_range)
        e.range = sh(e.range)
        shift_node(e.node, seen)
        if e.problem:
            e.problem = dataclasses.replace(e.problem, range=sh(e.problem.range))
    doc.problems = [dataclasses.replace(p, range=sh(p.range)) for p in doc.problems]


def comment_cut(doc: Document, e: Entry) -> int | None:
    """Column where a ` #` comment cuts a plain string value short on its last line, if any."""
    if e.problem or e.missing_value or e.node.kind != "scalar" or e.node.style is not None:
        return None
    if not isinstance(e.node.value, str):
        return None
    end = e.node.range.end
    m = re.match(r"[ \t]+#", doc.lines[end.line][end.character :])
    if m is None:
        return None
    if _SUPPRESSION.match(doc.lines[end.line], end.character + m.end() - 1) and not (
        doc.claude.rescued and e.key in doc.claude.rescued_keys
    ):
        # meant as a comment: an agentls suppression (agentls.config.suppress). Unless
        # Claude Code's rescue quotes this line, which makes the comment part of the value.
        return None
    return end.character + m.end() - 1


_SUPPRESSION = re.compile(r"#[ \t]*agentls:")


def _key_text(node: YNode) -> str:
    v = node.value
    if node.kind != "scalar":
        return "<complex key>"
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _entries_from_mapping(doc: Document, root: YNode) -> None:
    lines = doc.env.lines
    pairs = root.pairs
    for i, (k, v) in enumerate(pairs):
        start_line = k.range.start.line
        next_line = pairs[i + 1][0].range.start.line if i + 1 < len(pairs) else doc.env.content_end
        end_line = max(start_line, _last_content_line(lines, start_line, next_line))
        missing = v.kind == "scalar" and v.value is None and v.range.start == v.range.end
        if missing:
            raw_range = Range(k.range.end, k.range.end)
            raw = ""
        else:
            raw_range = v.range
            raw = _slice(lines, v.range)
        doc.entries.append(
            Entry(
                key=_key_text(k),
                key_range=k.range,
                node=v,
                raw=raw,
                raw_range=raw_range,
                range=Range(Position(start_line, 0), Position(end_line, len(lines[end_line]))),
                missing_value=missing,
            )
        )


def _last_content_line(lines: list[str], start: int, stop: int) -> int:
    end = stop - 1
    while end > start and (not lines[end].strip() or lines[end].lstrip().startswith("#")):
        end -= 1
    return end


def _slice(lines: list[str], r: Range) -> str:
    if r.start.line == r.end.line:
        return lines[r.start.line][r.start.character : r.end.character]
    parts = [lines[r.start.line][r.start.character :]]
    parts.extend(lines[r.start.line + 1 : r.end.line])
    if r.end.line < len(lines):
        parts.append(lines[r.end.line][: r.end.character])
    return "\n".join(parts)


# A top-level key: a quoted key, or a plain key running up to the first ": " / ":" at EOL.
# The plain key is lazy and directly followed by the colon (its trailing spaces are stripped
# after): with `[ \t]*` between them, each lazy step rescanned the run of spaces that
# follows (2.8 s for a 20,000-space line); this way the match stops at the first ": ",
# which matters for hover and completion, which read the key of many long lines.
_KEY_LINE = re.compile(
    r"""^(?:(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^']|'')*)')[ \t]*"""
    r"""|(?P<plain>[^\s#:'"\[\]{},&*!|>%@`-][^\r\n]*?|-[^\s:][^\r\n]*?)):(?=[ \t]|$)"""
)


def top_level_key(line: str) -> tuple[str, int] | None:
    """The key a top-level ``key: value`` line starts with (plain or quoted, as YAML reads
    it) and the column after its colon, or None. The one reader of keys from raw lines:
    the recovery of broken YAML, content sniffing and the editing features use it."""
    if not line or line[0] in " \t":
        return None
    m = _KEY_LINE.match(line)
    if m is None:
        return None
    key = m.group("dq") if m.group("dq") is not None else m.group("sq")
    return (m.group("plain").rstrip() if key is None else key), m.end()


def _recover(doc: Document, offset: int) -> None:
    """Strict YAML failed: read each top-level entry on its own."""
    env = doc.env
    lines = env.lines
    start, stop = env.content_start, env.content_end
    if env.indent:
        lines = (
            [(ln[env.indent :] if ln[: env.indent].strip() == "" else ln) for ln in lines[:start]]
            + [
                (ln[env.indent :] if ln[: env.indent].strip() == "" else ln)
                for ln in lines[start:stop]
            ]
            + lines[stop:]
        )
    # Group lines into entries.
    groups: list[tuple[int, int, re.Match[str] | None]] = []  # (first line, last+1, key match)
    cur: list[Any] | None = None
    for i in range(start, stop):
        line = lines[i]
        m = _KEY_LINE.match(line) if line and line[0] not in " \t" else None
        if m is not None:
            if cur is not None:
                groups.append((cur[0], i, cur[1]))
            cur = [i, m]
            continue
        if cur is None:
            if line.strip() and not line.lstrip().startswith("#"):
                # Content before the first key that is not a key.
                doc.problems.append(_diagnose_orphan(line, i))
            continue
    if cur is not None:
        groups.append((cur[0], stop, cur[1]))

    for first, end, m in groups:
        assert m is not None
        last = _last_content_line(lines, first, end)
        chunk = "".join(lines[j] + "\n" for j in range(first, last + 1))
        key = m.group("dq") if m.group("dq") is not None else m.group("sq")
        if key is None:
            key = m.group("plain").rstrip()
        key_range = Range(Position(first, 0), Position(first, m.end() - 1))
        # the colon is at m.end()-1; the key text ends before trailing spaces
        key_end = len(m.group(0)) - 1
        while key_end > 0 and m.group(0)[key_end - 1] in " \t":
            key_end -= 1
        key_range = Range(Position(first, 0), Position(first, key_end))
        value_col = m.end()
        head = lines[first][value_col:]
        value_col += len(head) - len(head.lstrip(" \t"))
        raw_lines = [lines[first][value_col:]] + [lines[j] for j in range(first + 1, last + 1)]
        raw = "\n".join(raw_lines).strip()
        end_col = len(lines[last]) if last > first else max(value_col, len(lines[first].rstrip()))
        raw_range = Range(Position(first, value_col), Position(last, end_col))
        entry_range = Range(Position(first, 0), Position(last, len(lines[last])))
        root, err = compose(chunk, first)
        if err is None and root is not None and root.kind == "mapping" and len(root.pairs) == 1:
            k, v = root.pairs[0]
            missing = v.kind == "scalar" and v.value is None and v.range.start == v.range.end
            doc.entries.append(
                Entry(
                    key=_key_text(k),
                    key_range=k.range,
                    node=v,
                    raw="" if missing else _slice(lines, v.range),
                    raw_range=Range(k.range.end, k.range.end) if missing else v.range,
                    range=entry_range,
                    missing_value=missing,
                )
            )
            continue
        if err is None and root is not None and root.kind == "mapping" and len(root.pairs) > 1:
            # e.g. an unindented line that happens to look like a key: keep the first
            k, v = root.pairs[0]
            doc.entries.append(
                Entry(_key_text(k), k.range, v, _slice(lines, v.range), v.range, entry_range)
            )
            continue
        problem = diagnose(lines, first, last, value_col, err)
        recovered = YNode("scalar", raw_range, _recovered_value(raw), None, "")
        entry = Entry(key, key_range, recovered, raw, raw_range, entry_range, problem)
        doc.entries.append(entry)
        doc.problems.append(problem)
    if not doc.problems and doc.strict_error is not None:
        e = doc.strict_error
        line_len = len(lines[e.line]) if e.line < len(lines) else 0
        doc.problems.append(
            SyntaxProblem(
                "other",
                f"YAML error: {e.message}",
                Range(Position(e.line, min(e.column, line_len)), Position(e.line, line_len)),
            )
        )


def _recovered_value(raw: str) -> str:
    """A broken value, read the way Claude Code's rescue reads a single-line value."""
    text = raw
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _diagnose_orphan(line: str, i: int) -> SyntaxProblem:
    return SyntaxProblem(
        "unindented",
        "This line is not a `key: value` entry. If it continues the value above, indent it; "
        "otherwise remove it.",
        Range(Position(i, 0), Position(i, len(line))),
    )


_SPECIAL_START = {
    "*": ("alias-start", "YAML reads a value starting with `*` as an alias (a reference)"),
    "&": ("anchor-start", "YAML reads a value starting with `&` as an anchor"),
    "!": ("tag-start", "YAML reads a value starting with `!` as a tag"),
    "%": ("directive-start", "a value cannot start with `%` (a YAML directive indicator)"),
    "@": ("reserved-start", "a value cannot start with `@` (reserved in YAML)"),
    "`": ("reserved-start", "a value cannot start with a backtick (reserved in YAML)"),
    "|": ("block-indicator", "`|` starts a block scalar: the text must begin on the next line"),
    ">": (
        "block-indicator",
        "`>` starts a folded block scalar: the text must begin on the next line",
    ),
}


def diagnose(
    lines: list[str], first: int, last: int, value_col: int, err: YamlError | None
) -> SyntaxProblem:
    """Name the precise cause of a YAML failure inside one top-level entry."""
    # 1. tabs in indentation
    for j in range(first, last + 1):
        line = lines[j]
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in lead:
            col = lead.index("\t")
            return SyntaxProblem(
                "tab",
                "Tab used for indentation: YAML allows only spaces here (Claude Code turns "
                "leading tabs into spaces, other readers reject the file). Use spaces.",
                Range(Position(j, col), Position(j, len(lead))),
            )
    head = lines[first][value_col:]
    stripped = head.rstrip()
    # 2. special first character
    first_char = stripped[:1]
    if (
        first_char
        and first_char in _SPECIAL_START
        and not (stripped[:1] in "|>" and re.fullmatch(r"[|>][-+0-9]*\s*(#.*)?", stripped))
    ):
        cause, why = _SPECIAL_START[stripped[:1]]
        return SyntaxProblem(
            cause,
            f"This value needs quotes: {why}.",
            Range(Position(first, value_col), Position(first, value_col + 1)),
            why,
        )
    if first_char and first_char in "[{":
        return SyntaxProblem(
            "flow-unclosed",
            f"This value starts with `{stripped[0]}`, so YAML reads a "
            f"{'list' if stripped[0] == '[' else 'mapping'} that is not well formed. "
            "Quote the value if it is text.",
            Range(Position(first, value_col), Position(first, value_col + len(stripped))),
        )
    if first_char and first_char in "\"'":
        q = stripped[0]
        close = _closing_quote(stripped, q)
        if close is None:
            return SyntaxProblem(
                "quote",
                f"The quoted value has no closing `{q}`.",
                Range(Position(first, value_col), Position(first, value_col + 1)),
            )
        if stripped[close + 1 :].strip() and not stripped[close + 1 :].lstrip().startswith("#"):
            c = value_col + close + 1
            return SyntaxProblem(
                "quote",
                "Text after the closing quote: quote the whole value.",
                Range(Position(first, c), Position(first, value_col + len(stripped))),
            )
    # 3. colon-space in a plain scalar (first line)
    if first_char not in ('"', "'"):
        m = re.search(r":(\s|$)", stripped)
        if m is not None and not stripped.startswith("-"):
            c = value_col + m.start()
            return SyntaxProblem(
                "colon-space",
                "`: ` inside an unquoted value: YAML reads it as the start of a mapping. "
                "Quote the value or use a block scalar (`|` or `>`).",
                Range(Position(first, c), Position(first, c + 1)),
            )
    # 4. continuation lines
    for j in range(first + 1, last + 1):
        line = lines[j]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] not in " \t-":
            return SyntaxProblem(
                "unindented",
                "This line continues the value above but is not indented, so YAML cannot read "
                "it. Indent it, or put the whole value in a block scalar (`|` or `>`).",
                Range(Position(j, 0), Position(j, len(line))),
            )
        if first_char not in ('"', "'"):
            m = re.search(r":(\s|$)", line.strip())
            # With the value starting on the next line, `key: value` lines may be a real
            # nested mapping; blame only prose (text with spaces before the colon).
            prose = m is not None and (bool(head.strip()) or " " in line.strip()[: m.start()])
            if m is not None and prose and not line.strip().startswith("-"):
                c = len(line) - len(line.lstrip()) + m.start()
                return SyntaxProblem(
                    "colon-space",
                    "`: ` inside a multi-line unquoted value: YAML reads it as a mapping. "
                    "Use a block scalar (`description: >`) or quote the value.",
                    Range(Position(j, c), Position(j, c + 1)),
                )
    # 5. fall back on the parser's own words
    if err is not None:
        line_no = min(max(err.line, first), last)
        text = lines[line_no]
        col = min(err.column, len(text)) if err.line == line_no else 0
        return SyntaxProblem(
            "other",
            f"YAML error: {err.message}.",
            Range(Position(line_no, col), Position(line_no, max(col + 1, len(text.rstrip())))),
        )
    return SyntaxProblem(
        "other",
        "YAML cannot read this entry.",
        Range(Position(first, 0), Position(last, len(lines[last]))),
    )


def _closing_quote(s: str, q: str) -> int | None:
    i = 1
    while i < len(s):
        c = s[i]
        if q == '"' and c == "\\":
            i += 2
            continue
        if c == q:
            if q == "'" and i + 1 < len(s) and s[i + 1] == "'":
                i += 2
                continue
            return i
        i += 1
    return None


# --------------------------------------------------------------------------- Claude's view

# The rescue (formats.md §1.3): top-level single-line ``key: value`` lines whose value
# holds one of these characters (or ": ") are wrapped in double quotes.
_RESCUE_LINE = re.compile(r"^([A-Za-z0-9_-]+):[ \t]+(.+)$")
_RESCUE_CHARS = re.compile(r"[{}\[\]*&#!|>%@`]|: ")
_FLOW_LIST = re.compile(r"^\[.*\]$")


def rescue_value(value: str) -> str:
    """How Claude Code quotes a value it rescues."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def claude_rescue(yaml_text: str) -> tuple[str, list[str]]:
    """Apply Claude Code's retry transformation; return the new text and the rescued keys."""
    out: list[str] = []
    keys: list[str] = []
    for line in yaml_text.split("\n"):
        if line.startswith("\t"):
            n = len(line) - len(line.lstrip("\t"))
            line = "  " * n + line[n:]
        if line.endswith("\r"):
            out.append(line)
            continue
        m = _RESCUE_LINE.match(line)
        if m is not None:
            value = m.group(2)
            if (
                _RESCUE_CHARS.search(value)
                and not (value[0] in "\"'" and value.rstrip()[-1:] == value[0])
                and not _FLOW_LIST.match(value.strip())
            ):
                line = f"{m.group(1)}: {rescue_value(value)}"
                keys.append(m.group(1))
        out.append(line)
    return "\n".join(out), keys


def _claude_view(doc: Document) -> None:
    env = doc.env
    view = doc.claude
    if not env.claude_has_frontmatter:
        return
    view.has_frontmatter = True
    text = env.claude_yaml
    if not text.strip():
        view.data = {}
        return
    root: YNode | None
    same_as_strict = (
        env.claude_cut is None and env.open_line == 0 and not env.indent and not doc.strict_error
    )
    if same_as_strict and doc.entries:
        root = None
        data: dict[str, Any] = {}
        memo: dict[int, Any] = {}  # one for the document: each alias converted once
        for e in doc.entries:
            data[e.key] = e.node.to_python(0, memo)
        view.data = data
        return
    root, err = compose(text)
    if err is not None:
        rescued, keys = claude_rescue(text)
        root2, err2 = compose(rescued)
        if err2 is not None:
            view.failed = True
            view.error = err
            return
        root = root2
        view.rescued = True
        view.rescued_keys = keys
    if root is None:
        view.data = {}
        return
    if root.kind != "mapping":
        view.not_mapping = True
        view.data = {}
        return
    data = {}
    memo = {}
    for k, v in root.pairs:
        data[_key_text(k)] = v.to_python(0, memo)
    view.data = data
