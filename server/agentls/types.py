"""Plain data types shared by the engine, the CLI and the LSP adapter.

Nothing here imports pygls or lsprotocol. Positions are 0-based; ``character`` counts
Unicode code points. The LSP layer converts to the negotiated encoding at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple


# Position and Range are named tuples: immutable, hashable and ordered like the frozen
# dataclasses they were, and built at C speed. The YAML tree gives every node a range, a
# tool list every entry: 4,000 unknown keys spent a fifth of their analysis in these
# constructors (issue 14, class 7).
class Position(NamedTuple):
    line: int
    character: int


class Range(NamedTuple):
    start: Position
    end: Position

    @staticmethod
    def of(line: int, start: int, end_line: int | None = None, end: int | None = None) -> Range:
        """``Range.of(l, c1, l2, c2)``; with two arguments an empty range at (l, c1)."""
        el = line if end_line is None else end_line
        ec = start if end is None else end
        return Range(Position(line, start), Position(el, ec))

    def contains(self, pos: Position) -> bool:
        return self.start <= pos <= self.end

    def overlaps(self, other: Range) -> bool:
        """Whether the two ranges share a position (touching ends count)."""
        return not (self.end < other.start or other.end < self.start)

    def to_json(self) -> dict[str, dict[str, int]]:
        return {
            "start": {"line": self.start.line, "character": self.start.character},
            "end": {"line": self.end.line, "character": self.end.character},
        }


class Severity(IntEnum):
    """Same numbering as LSP's DiagnosticSeverity."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        aliases = {"info": "information", "warn": "warning"}
        return cls[aliases.get(text.lower(), text.lower()).upper()]


@dataclass(frozen=True, slots=True)
class TextEdit:
    range: Range
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A quick fix. ``safe`` fixes are applied by ``check --fix`` and marked preferred.

    ``preserves_value``: the fix only changes how a value is written (quoting, a block
    scalar), so its verification also requires that what Claude Code reads stays the same.

    ``rename_to``: the fix renames the file to this path (after its edits, if any); it is
    verified by analysing the text at the new path. ``check --fix`` renames only when no
    other file has that name; the editor gets an LSP ``RenameFile``.
    """

    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True
    preserves_value: bool = False
    rename_to: str | None = None


@dataclass(frozen=True, slots=True)
class Related:
    """A location in another (or the same) file that explains a finding."""

    path: str
    range: Range
    message: str


@dataclass(slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    range: Range
    fixes: list[Fix] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    tags: tuple[str, ...] = ()  # "unnecessary", "deprecated"
    count: int = 1  # how many problems it stands for ("… and 900 more" stands for 900)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "range": self.range.to_json(),
            "severity": self.severity.label,
            "code": self.code,
            "message": self.message,
        }
        if self.related:  # the other end of a finding across files (LSP relatedInformation)
            out["related"] = [
                {"path": r.path, "range": r.range.to_json(), "message": r.message}
                for r in self.related
            ]
        return out


@dataclass(slots=True)
class Effective:
    """What Claude Code will load from an agent file.

    ``tools`` is ``None`` when the agent gets every tool; ``model`` is ``None`` when the
    frontmatter sets none (Claude Code then uses ``inherit``).
    """

    loads: bool
    reason: str | None = None  # why it does not load
    name: str | None = None
    description: str | None = None
    tools: list[str] | None = None
    disallowed_tools: list[str] = field(default_factory=list)
    model: str | None = None
    dropped_tools: list[tuple[str, str]] = field(default_factory=list)  # (entry, why)
    color: str | None = None
    ignored_keys: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        # ``disallowedTools`` beside ``tools``: ``"tools": null`` alone would read "every tool"
        # where the agent gets every tool except these (what hover says).
        return {
            "loads": self.loads,
            "name": self.name,
            "description": self.description,
            "tools": self.tools,
            "disallowedTools": list(self.disallowed_tools),
            "model": self.model,
        }


def text_in(lines: list[str], r: Range) -> str:
    """The text of ``lines`` (a document's, without line breaks) in ``r``, lines joined by
    ``\n``."""
    if r.start.line == r.end.line:
        return lines[r.start.line][r.start.character : r.end.character]
    parts = [lines[r.start.line][r.start.character :]]
    parts += lines[r.start.line + 1 : r.end.line]
    parts.append(lines[r.end.line][: r.end.character])
    return "\n".join(parts)


# ------------------------------------------------------------------- path names
# String functions instead of pathlib: they run for every file of a check, and building a
# PurePosixPath costs more than the rest of the name logic. Both separators are accepted.


def _parts(path: str) -> list[str]:
    return [p for p in path.replace("\\", "/").split("/") if p and p != "."]


def base_name(path: str) -> str:
    """The last component (``PurePosixPath(path).name`` for "/" or "\\\\" separators)."""
    parts = _parts(path)
    return parts[-1] if parts else ""


def parent_name(path: str) -> str:
    """The name of the folder holding ``path`` (``PurePosixPath(path).parent.name``)."""
    parts = _parts(path)
    return parts[-2] if len(parts) >= 2 else ""
