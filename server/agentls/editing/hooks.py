"""Where the cursor is inside a ``hooks:`` block, read from the raw lines (pure).

``hooks`` nests three levels: events (``PreToolUse:``), each a list of matcher groups
(``- matcher: Bash`` / ``hooks:``), each with a list of handlers (``- type: command`` /
``command: ...``). The YAML around the cursor is often incomplete while it is typed, so
the structure is read from indentation, the way a person reads it: block sequences may be
indented under their key or written at its column (``PreToolUse:`` / ``- matcher: x``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

EVENTS = "events"  # the mapping under ``hooks:``: its keys are events
GROUP = "group"  # a matcher group: ``matcher``, ``hooks``
HANDLER = "handler"  # a handler: ``type``, ``command``, ``prompt``...
OTHER = "other"  # anything deeper (``headers:`` of an http handler...)

_LINE = re.compile(
    r"^(?P<indent>[ ]*)(?P<dash>-(?:[ ]+|$))?"
    r"(?P<key>[A-Za-z_][\w-]*)?(?P<colon>[ \t]*:)?(?P<rest>.*)$"
)


@dataclass(slots=True)
class _Frame:
    col: int | None  # the column of this mapping's keys (None: not seen yet)
    level: str
    item: bool  # the mapping started with a "- " item
    keys: set[str] = field(default_factory=set)
    last_key: str | None = None
    last_empty: bool = False  # the last key has nothing after its colon (a nested block)


@dataclass(frozen=True, slots=True)
class HookSpot:
    """The cursor's place: the level of the mapping it is in, the keys that mapping already
    has, and, when it sits in a value, whose (``value_of``) and the text typed so far."""

    level: str
    keys: frozenset[str]
    prefix: str
    start: int  # column where ``prefix`` starts
    value_of: str | None = None


def _child(frame: _Frame) -> str:
    if not frame.last_empty:
        return OTHER
    if frame.level == EVENTS:
        return GROUP
    if frame.level == GROUP and frame.last_key == "hooks":
        return HANDLER
    return OTHER


def _place(frames: list[_Frame], dash: int | None, col: int) -> _Frame | None:
    """The frame a line with its key at ``col`` (after a dash at ``dash``) belongs to,
    pushing a new one for a new item or a nested mapping."""
    if dash is not None:
        while len(frames) > 1 and frames[-1].col is not None and frames[-1].col > dash:
            frames.pop()
        owner = frames[-1]
        if owner.col is None:  # "- x" right under "hooks:": not a mapping of events
            return None
        level = _child(owner)
        frames.append(_Frame(col, level, True))
        return frames[-1]
    while len(frames) > 1 and frames[-1].col is not None and frames[-1].col > col:
        frames.pop()
    top = frames[-1]
    if top.col is None:
        top.col = col
        return top
    if top.col == col:
        return top
    frames.append(_Frame(col, _child(top), False))
    return frames[-1]


def hook_spot(lines: list[str], hooks_line: int, line: int, col: int) -> HookSpot | None:
    """Where ``(line, col)`` is in the ``hooks:`` block that starts on ``hooks_line``; None
    when it is not inside one (or on the events' level, completed elsewhere)."""
    frames = [_Frame(None, EVENTS, False)]
    for i in range(hooks_line + 1, line):
        text = lines[i]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not text.startswith((" ", "-")) or "\t" in text[: len(text) - len(text.lstrip())]:
            return None  # the block has ended (or tabs: no reliable columns)
        m = _LINE.match(text)
        if m is None:
            continue
        dash = len(m["indent"]) if m["dash"] else None
        kcol = m.start("key") if m["key"] else m.end("dash") if m["dash"] else len(m["indent"])
        frame = _place(frames, dash, kcol)
        if frame is None:
            return None
        if m["key"] and m["colon"]:
            frame.keys.add(m["key"])
            frame.last_key = m["key"]
            rest = m["rest"].strip()
            frame.last_empty = not rest or rest.startswith("#")
    before = lines[line][:col]
    m = _LINE.match(before)
    if m is None or not before.startswith((" ", "-")):
        return None
    dash = len(m["indent"]) if m["dash"] else None
    kcol = m.start("key") if m["key"] else (m.end("dash") if m["dash"] else len(m["indent"]))
    frame = _place(frames, dash, kcol)
    if frame is None or frame.level == EVENTS:
        return None
    if m["colon"]:  # in a value
        rest = m["rest"]
        lead = len(rest) - len(rest.lstrip(" \t"))
        value = rest[lead:]
        start = m.start("rest") + lead
        if value[:1] in ("'", '"'):
            value, start = value[1:], start + 1
        return HookSpot(frame.level, frozenset(frame.keys), value, start, value_of=m["key"])
    word = m["key"] or ""
    return HookSpot(frame.level, frozenset(frame.keys), word, kcol)
