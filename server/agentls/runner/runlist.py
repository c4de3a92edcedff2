"""The kept runs of a workspace as a list shows them (``agentls/runs``): newest first,
bounded, each run in a few fields (who, what, where, when, how it ended, what it cost).

Pure over :mod:`agentls.runner.store`: the records are read there (the newest ``limit`` of
each workspace, so a long history costs no more than the list shown); a record that
cannot be read, or whose fields are not what a record holds, is left out and counted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentls.runner import store
from agentls.runner.pricing import USAGE_KEYS, format_cost
from agentls.runner.redact import redact

RUNS_LIMIT = 50  # a list people read; the request may ask for up to store.MAX_RUNS
PROMPT_CHARS = 120  # of the user's prompt, on one line


@dataclass(frozen=True)
class RunSummary:
    id: str
    conversation: str
    parent: str | None
    agent: str
    task: str
    prompt: str | None  # one line, at most PROMPT_CHARS
    workspace: Path
    file: str  # relative to the workspace, "/"-separated
    selection: dict[str, Any]  # LSP range, 0-based
    lines: tuple[int, int]  # 1-based
    started: str  # ISO 8601, UTC
    status: str  # done | incomplete | cancelled | failed
    model: str
    source: str  # cli | lsp
    proposals: int
    applied: bool | None
    usage: dict[str, int]
    cost_usd: float | None
    cost: str | None  # format_cost(cost_usd)
    prices_as_of: str | None
    wall_seconds: float
    turns: int


def short_prompt(text: str | None, limit: int = PROMPT_CHARS) -> str | None:
    """``text`` on one line (runs of white space made one space), cut at ``limit``
    characters with an ellipsis; secrets masked."""
    if not text:
        return None
    one = " ".join(redact(text).split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"


def started_at(stamp: str) -> str:
    """The record's time (``20261130T031516.250000Z``) in ISO 8601
    (``2026-11-30T03:15:16.250000Z``)."""
    if len(stamp) < 15:
        return stamp
    return f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:]}"


_STATUSES = ("done", "incomplete", "cancelled", "failed")


def summary_of(record: store.RunRecord) -> RunSummary:
    """A record in a list's fields; ``ValueError`` when it does not hold what a record
    does (a hand-edited or broken file)."""
    try:
        first, last = record.lines
        sel = record.selection
        selection = {
            end: {"line": int(sel[end]["line"]), "character": int(sel[end]["character"])}
            for end in ("start", "end")
        }
        usage = {k: int(record.usage.get(k, 0) or 0) for k in USAGE_KEYS}
        cost = None if record.cost_usd is None else float(record.cost_usd)
        summary = RunSummary(
            id=str(record.id),
            conversation=str(record.conversation or record.id),
            parent=None if record.parent is None else str(record.parent),
            agent=str(record.agent.get("name", "")),
            task=str(record.task),
            prompt=short_prompt(record.prompt if isinstance(record.prompt, str) else None),
            workspace=Path(record.workspace),
            file=str(record.file),
            selection=selection,
            lines=(int(first), int(last)),
            started=started_at(str(record.created)),
            status=record.status if record.status in _STATUSES else "failed",
            model=str(record.model),
            source="cli" if record.source == "cli" else "lsp",
            proposals=len(record.proposals),
            applied=record.applied if isinstance(record.applied, bool) else None,
            usage=usage,
            cost_usd=cost,
            cost=None if cost is None else format_cost(cost),
            prices_as_of=None if record.prices_as_of is None else str(record.prices_as_of),
            wall_seconds=float(record.wall_seconds or 0.0),
            turns=int(record.turns or 0),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ValueError(f"run record {record.id!r} is malformed: {e}") from None
    return summary


def list_runs(workspaces: Iterable[Path], limit: int = RUNS_LIMIT) -> tuple[list[RunSummary], int]:
    """The ``limit`` newest runs kept for these workspaces (each one's folder read once),
    newest first, and how many records were left out because they cannot be read."""
    limit = max(1, min(limit, store.MAX_RUNS))
    seen: set[Path] = set()
    found: list[RunSummary] = []
    skipped = 0
    for ws in workspaces:
        folder = store.workspace_dir(Path(os.path.realpath(ws)))
        if folder in seen:
            continue
        seen.add(folder)
        records, unreadable = store.newest(ws, limit)
        skipped += unreadable
        for record in records:
            try:
                found.append(summary_of(record))
            except ValueError:
                skipped += 1
    # the stamps sort as times; ties (runs a microsecond apart) by id, as the store does
    found.sort(key=lambda r: (r.started, r.id), reverse=True)
    return found[:limit], skipped
