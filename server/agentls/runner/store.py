"""Runs on disk: every run's record (transcript, proposals, usage) and its result document.

One folder per workspace, the same for ``agentls run`` and the language server:
``<cache>/agentls/runs/<workspace name>-<hash of its real path>/`` (``<cache>``:
``$XDG_CACHE_HOME``, else ``~/.cache``; ``~/Library/Caches`` on macOS,
``%LOCALAPPDATA%`` on Windows) — never inside the user's repository. A run is two files named
``<UTC time>-<run id>``: ``.json``, the record (format :data:`FORMAT`), and ``.md``, the
result document people read. Folders are made ``0700`` and files ``0600`` (they hold the
code that was sent), each written whole (a temporary file renamed over it). The newest
:data:`MAX_RUNS` runs of a workspace are kept.

Beside the records, ``conversations.json`` (:data:`INDEX`) tells each record's conversation,
so that finding a conversation's runs reads its records only, not all of them (up to
:data:`MAX_RUNS` JSON files on every follow-up and ``agentls/conversation``). Saving and
pruning keep it current; a record it does not know (written by another process at the same
moment, by an older agentls, or the index lost) is read once and added, a name it knows that
is gone is dropped, so a missing, unreadable or stale index is rebuilt where it is wrong.

The record holds the messages as they were sent and received (tool calls and results
included), so that a follow-up sends the same prefix again (and reads it from the prompt
cache); known secrets (the API key...) are masked in them. Proposals are kept exactly
(they are applied byte for byte later, by ``agentls apply``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agentls.runner.redact import mask_known_secrets, redact

FORMAT = "agentls-run/1"
MAX_RUNS = 500
_STAMP = re.compile(r"^(\d{8}T\d{6}\.\d{6}Z)-([A-Za-z0-9_-]{1,64})\.json$")
INDEX = "conversations.json"  # not a record name: _STAMP never matches it
INDEX_FORMAT = "agentls-run-index/1"


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/agentls`` (or the platform's cache folder)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        base = Path(xdg)
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path.home() / ".cache"
    return base / "agentls"


def runs_dir() -> Path:
    return cache_dir() / "runs"


def workspace_dir(workspace: Path) -> Path:
    real = os.path.realpath(workspace)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(real).name or "root")[:40]
    digest = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return runs_dir() / f"{name}-{digest}"


@dataclass
class Proposal:
    path: str  # relative to the workspace, "/"-separated
    original: str | None  # None: a new file
    new: str
    runs_code: str | None = None


@dataclass
class RunRecord:
    id: str
    conversation: str
    workspace: str
    agent: dict[str, Any]  # name, path, scope
    task: str
    file: str
    selection: dict[str, Any]  # LSP range, 0-based
    model: str
    status: str  # done | incomplete | failed | cancelled
    created: str = ""  # UTC to the microsecond (runs a moment apart sort), 20261130T031516.250000Z
    parent: str | None = None
    prompt: str | None = None
    language: str | None = None
    file_sha256: str | None = None
    source: str = "cli"  # cli | lsp
    system: list[dict[str, Any]] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)  # the tools offered
    tool_calls: list[str] = field(default_factory=list)  # one line per call, as shown
    messages: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    requests: list[dict[str, int]] = field(default_factory=list)
    cost_usd: float | None = None
    prices_as_of: str | None = None
    wall_seconds: float = 0.0
    turns: int = 0
    stop: str | None = None
    error: dict[str, str] | None = None
    text: str = ""
    applied: bool | None = None
    format: str = FORMAT

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("messages", "system", "notes", "text", "error", "prompt", "tool_calls"):
            data[key] = mask_known_secrets(data[key])
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> RunRecord:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a run record of format {FORMAT}")
        raw = dict(data)
        raw["proposals"] = [Proposal(**p) for p in raw.get("proposals") or []]
        known = set(RunRecord.__dataclass_fields__)
        return RunRecord(**{k: v for k, v in raw.items() if k in known})

    @property
    def lines(self) -> tuple[int, int]:
        """1-based first and last selected line (a selection ending at column 0 of a line
        does not include it)."""
        s, e = self.selection["start"], self.selection["end"]
        last = e["line"]
        if last > s["line"] and e["character"] == 0:
            last -= 1
        return s["line"] + 1, last + 1


class RunNotFound(LookupError):
    pass


def _stamp(t: float | None = None) -> str:
    t = time.time() if t is None else t
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def record_path(workspace: Path, record: RunRecord) -> Path:
    if not record.created:
        record.created = _stamp()
    return workspace_dir(workspace) / f"{record.created}-{record.id}.json"


def save(record: RunRecord, markdown: str | None = None) -> Path:
    """Write the record (and its result document); the record's path."""
    ws = Path(record.workspace)
    path = record_path(ws, record)
    _write(path, json.dumps(record.to_json(), ensure_ascii=False, indent=1).encode("utf-8"))
    if markdown is not None:
        _write(path.with_suffix(".md"), redact(markdown).encode("utf-8"))
    _index(ws, prune(ws), {path.name: record.conversation})
    return path


def document_path(workspace: Path, record: RunRecord) -> Path:
    return record_path(workspace, record).with_suffix(".md")


def _files(workspace: Path) -> list[tuple[str, str, Path]]:
    """``(stamp, id, path)`` of every record, newest first."""
    folder = workspace_dir(workspace)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    out = []
    for name in names:
        m = _STAMP.match(name)
        if m:
            out.append((m.group(1), m.group(2), folder / name))
    out.sort(reverse=True)
    return out


def load_path(path: Path) -> RunRecord:
    with open(path, encoding="utf-8") as fh:
        return RunRecord.from_json(json.load(fh))


def load(workspace: Path, run_id: str) -> RunRecord:
    """The run ``run_id`` of this workspace (a unique prefix of 4 characters or more will
    do); :class:`RunNotFound` otherwise."""
    files = _files(workspace)
    exact = [f for f in files if f[1] == run_id]
    if not exact and len(run_id) >= 4:
        exact = [f for f in files if f[1].startswith(run_id)]
    if len(exact) > 1:
        raise RunNotFound(f"{run_id!r} names {len(exact)} runs; give more of the id")
    if not exact:
        raise RunNotFound(f"no run {run_id!r} in this workspace ({workspace})")
    try:
        return load_path(exact[0][2])
    except (OSError, ValueError, TypeError) as e:
        raise RunNotFound(f"run {run_id!r} cannot be read: {e}") from None


def recent(workspace: Path, limit: int = 20) -> list[RunRecord]:
    """The newest runs of this workspace, newest first (unreadable records passed over)."""
    return newest(workspace, limit)[0]


def newest(workspace: Path, limit: int) -> tuple[list[RunRecord], int]:
    """The ``limit`` newest readable runs of this workspace, newest first, and how many
    records among the newer ones could not be read (passed over)."""
    out: list[RunRecord] = []
    skipped = 0
    for _, _, path in _files(workspace):
        if len(out) >= limit:
            break
        try:
            out.append(load_path(path))
        except (OSError, ValueError, TypeError):
            skipped += 1
    return out, skipped


def latest(workspace: Path, *, with_proposals: bool = False) -> RunRecord | None:
    for _, _, path in _files(workspace):
        try:
            rec = load_path(path)
        except (OSError, ValueError, TypeError):
            continue
        if not with_proposals or rec.proposals:
            return rec
    return None


def named_or_latest(
    workspace: Path, run_id: str | None, missing: str, *, with_proposals: bool = False
) -> RunRecord:
    """The run ``run_id`` (see :func:`load`), else the newest run of the workspace (with
    proposals, if asked); :class:`RunNotFound` (``missing`` when there is no run at all)."""
    if run_id:
        return load(workspace, run_id)
    found = latest(workspace, with_proposals=with_proposals)
    if found is None:
        raise RunNotFound(missing)
    return found


def conversation_runs(workspace: Path, conversation: str, limit: int = MAX_RUNS) -> list[RunRecord]:
    """The runs of ``conversation`` (the id of its first run), oldest first, among the
    ``limit`` newest: only its records are read (the index says which they are)."""
    files = _files(workspace)[:limit]
    index = _index(workspace, files)
    out: list[RunRecord] = []
    for _, _, path in reversed(files):
        if index.get(path.name) == conversation:
            with contextlib.suppress(OSError, ValueError, TypeError):
                rec = load_path(path)
                if rec.conversation == conversation:
                    out.append(rec)
    return out


def newest_of_conversation(record: RunRecord) -> RunRecord:
    """The newest run of ``record``'s conversation (a follow-up continues from there)."""
    runs = conversation_runs(Path(record.workspace), record.conversation)
    return runs[-1] if runs else record


def prune(workspace: Path, keep: int = MAX_RUNS) -> list[tuple[str, str, Path]]:
    """Remove all but the ``keep`` newest runs; the records left, newest first (the index
    forgets the others when it is next written)."""
    files = _files(workspace)
    for _, _, path in files[keep:]:
        for p in (path, path.with_suffix(".md")):
            with contextlib.suppress(OSError):
                p.unlink()
    return files[:keep]


def _read_index(folder: Path) -> dict[str, str]:
    """Record file name -> conversation id, as the index last said (empty: no index, or one
    that cannot be read)."""
    try:
        with open(folder / INDEX, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
        return {}
    runs = data.get("runs")
    if not isinstance(runs, dict):
        return {}
    return {k: v for k, v in runs.items() if isinstance(k, str) and isinstance(v, str)}


def _index(
    workspace: Path, files: list[tuple[str, str, Path]], known: dict[str, str] | None = None
) -> dict[str, str]:
    """The conversation of each record of ``files`` (``(stamp, id, path)``, as
    :func:`_files` gives them): from the index, and from ``known`` (a record just written);
    a record neither knows is read (an unreadable one is noted with no conversation, so
    that it is not read again). The index is written back when it changed."""
    folder = workspace_dir(workspace)
    indexed = _read_index(folder)
    out: dict[str, str] = {}
    for _, _, path in files:
        name = path.name
        conversation = (known or {}).get(name, indexed.get(name))
        if conversation is None:
            try:
                conversation = load_path(path).conversation
            except (OSError, ValueError, TypeError):
                conversation = ""
        out[name] = conversation if isinstance(conversation, str) else ""
    if out != indexed:
        data = {"format": INDEX_FORMAT, "runs": out}
        with contextlib.suppress(OSError):  # a lookup works without it, reading more
            _write(folder / INDEX, json.dumps(data, separators=(",", ":")).encode("utf-8"))
    return out


def mark_applied(workspace: Path, record: RunRecord, applied: bool) -> None:
    record.applied = applied
    path = record_path(workspace, record)
    _write(path, json.dumps(record.to_json(), ensure_ascii=False, indent=1).encode("utf-8"))
