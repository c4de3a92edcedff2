"""``agentls check``: the engine over files on disk, for CI and pre-commit.

Must not import pygls or lsprotocol (start-up time).
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from agentls import __version__
from agentls.dialects.registry import ALL_DIALECTS, detect_dialect, in_claude_agents_dir
from agentls.project import mcp_servers_for, project_root
from agentls.rules.registry import finding, rule_url, rules
from agentls.types import Finding, Range, Severity

if TYPE_CHECKING:
    # The engine (PyYAML, jsonschema: ~0.2 s) is imported where files are analysed: in the
    # worker processes when there is a pool, while the parent walks the tree.
    from agentls.engine import Analysis
    from agentls.index import IndexEntry

SKIP_DIRS = frozenset(
    {
        ".git",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        "dist",
        "build",
    }
)
READ_LIMIT = 16 * 1024 * 1024


@dataclass(slots=True)
class FileResult:
    path: str
    analysis: Analysis
    # from worker processes: ``analysis.doc`` is dropped (large to send back; the renderers
    # do not read it) and the index entry the cross-file checks need is sent instead
    entry: IndexEntry | None = None
    slim: bool = False


def iter_candidates(paths: Iterable[str], forced: str | None) -> Iterator[str]:
    """Files to check: explicit files always; in directories, files recognised by path."""
    seen: set[str] = set()
    for p in paths:
        if os.path.isfile(p):
            if p not in seen:
                seen.add(p)
                yield p
            continue
        if not os.path.isdir(p):
            raise FileNotFoundError(p)
        for root, dirs, files in os.walk(p, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            # Every dialect is a .md (or Cursor .mdc) file; inside .claude/agents any file is
            # looked at (a wrong extension is a finding). The rest of a repository's files
            # are passed over without a path look-up.
            abs_root = os.path.abspath(root)
            agents_dir = in_claude_agents_dir(os.path.join(abs_root, "x"))
            for name in sorted(files):
                if not agents_dir and not name.endswith((".md", ".mdc")):
                    continue
                full = os.path.join(root, name)
                if full in seen:
                    continue
                if forced:
                    if name.endswith(".md"):
                        seen.add(full)
                        yield full
                    continue
                absolute = os.path.join(abs_root, name)
                if detect_dialect(absolute) or (
                    agents_dir and name.lower().endswith((".md", ".markdown"))
                ):
                    seen.add(full)
                    yield full


def read_bytes(path: str) -> tuple[bytes, int]:
    """Up to READ_LIMIT + 1 bytes of a regular file, and its size. One open, no buffered
    file object; opened non-blocking so that a FIFO is refused instead of waited on."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "it is not a regular file (a FIFO, socket or device)")
        limit = READ_LIMIT + 1
        parts: list[bytes] = []
        total = 0
        while total < limit:  # st_size may be stale: read to the end or the limit
            chunk = os.read(fd, min(limit - total, max(st.st_size + 1 - total, 1 << 16)))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        data = b"".join(parts)
    finally:
        os.close(fd)
    return data, (len(data) if len(data) <= READ_LIMIT else max(st.st_size, len(data)))


def check_file(path: str, forced: str | None = None) -> FileResult:
    from agentls.engine import Analysis, analyze

    absolute = os.path.abspath(path)
    try:
        data, size = read_bytes(path)
    except OSError as exc:
        a = Analysis(path, forced or detect_dialect(absolute), None)
        a.findings.append(
            finding(
                "AL109",
                Range.of(0, 0),
                f"Cannot read the file: {exc.strerror}.",
                severity=Severity.ERROR,
            )
        )
        return FileResult(path, a)
    extra: list[Finding] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        line = data[: exc.start].count(b"\n")
        extra.append(
            finding(
                "AL109",
                Range.of(line, 0),
                f"The file is not valid UTF-8 (byte {exc.start}); invalid bytes are "
                "read as replacement characters. Save it as UTF-8.",
            )
        )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00"))
        extra.append(
            finding(
                "AL109",
                Range.of(line, 0),
                "The file contains NUL bytes: it looks binary, not text.",
            )
        )
    a = analyze(text, absolute, forced, size=size, mcp_servers=mcp_servers_for(absolute))
    a.path = path
    a.findings[:0] = extra if a.dialect or a.findings else []
    return FileResult(path, a)


def _effective_json(a: Analysis) -> dict[str, object] | None:
    return a.effective.to_json() if a.effective is not None else None


def render_json(results: list[FileResult], out: TextIO) -> None:
    summary = {"files": len(results), "error": 0, "warning": 0, "information": 0, "hint": 0}
    files = []
    for r in results:
        for f in r.analysis.findings:
            summary[f.severity.label] += 1
        files.append(
            {
                "path": r.path,
                "dialect": r.analysis.dialect,
                "diagnostics": [f.to_json() for f in r.analysis.findings],
                "effective": _effective_json(r.analysis),
            }
        )
    json.dump(
        {"version": __version__, "files": files, "summary": summary},
        out,
        indent=2,
        ensure_ascii=False,
    )
    out.write("\n")


def render_text(results: list[FileResult], out: TextIO) -> None:
    counts = {s: 0 for s in Severity}
    for r in results:
        for f in r.analysis.findings:
            counts[f.severity] += 1
            s = f.range.start
            out.write(
                f"{r.path}:{s.line + 1}:{s.character + 1}: {f.severity.label}[{f.code}] "
                f"{f.message}\n"
            )
    total = sum(counts.values())
    parts = ", ".join(f"{n} {s.label}" for s, n in counts.items() if n)
    out.write(
        f"{len(results)} file{'s' if len(results) != 1 else ''} checked, "
        f"{total} finding{'s' if total != 1 else ''}{': ' + parts if parts else ''}\n"
    )


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def render_github(results: list[FileResult], out: TextIO) -> None:
    kinds = {Severity.ERROR: "error", Severity.WARNING: "warning"}
    for r in results:
        for f in r.analysis.findings:
            kind = kinds.get(f.severity, "notice")
            s, e = f.range.start, f.range.end
            props = (
                f"file={_gh_escape(r.path, True)},line={s.line + 1},col={s.character + 1},"
                f"endLine={e.line + 1},"
                + (f"endColumn={e.character + 1}," if s.line == e.line else "")
                + f"title={_gh_escape(f'agentls {f.code}', True)}"
            )
            out.write(f"::{kind} {props}::{_gh_escape(f.message)}\n")


def render_sarif(results: list[FileResult], out: TextIO) -> None:
    level = {
        Severity.ERROR: "error",
        Severity.WARNING: "warning",
        Severity.INFORMATION: "note",
        Severity.HINT: "note",
    }
    used = sorted({f.code for r in results for f in r.analysis.findings})
    reg = rules()
    sarif_rules = [
        {
            "id": rid,
            "name": reg[rid].name if rid in reg else rid,
            "shortDescription": {"text": reg[rid].summary if rid in reg else rid},
            "fullDescription": {"text": reg[rid].doc if rid in reg else rid},
            "helpUri": rule_url(rid),
            "defaultConfiguration": {
                "level": level[reg[rid].severity] if rid in reg else "warning"
            },
        }
        for rid in used
    ]
    index = {rid: i for i, rid in enumerate(used)}
    from pathlib import Path

    res = []
    for r in results:
        uri = Path(r.path).as_posix()
        for f in r.analysis.findings:
            s, e = f.range.start, f.range.end
            res.append(
                {
                    "ruleId": f.code,
                    "ruleIndex": index[f.code],
                    "level": level[f.severity],
                    "message": {"text": f.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": uri},
                                "region": {
                                    "startLine": s.line + 1,
                                    "startColumn": s.character + 1,
                                    "endLine": e.line + 1,
                                    "endColumn": e.character + 1,
                                },
                            }
                        }
                    ],
                }
            )
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "agentls",
                        "version": __version__,
                        "informationUri": "https://github.com/agentls/agentls",
                        "rules": sarif_rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": res,
            }
        ],
    }
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}


def run_check(
    paths: list[str],
    fmt: str,
    fail_on: str,
    dialect: str | None,
    out: TextIO | None = None,
    jobs: int = 1,
) -> int:
    out = out or sys.stdout
    if dialect is not None and dialect not in ALL_DIALECTS:
        sys.stderr.write(
            f"agentls check: unknown dialect {dialect!r}; one of {', '.join(ALL_DIALECTS)}\n"
        )
        return 2
    for p in paths or ["."]:
        if not (os.path.isfile(p) or os.path.isdir(p)):  # what iter_candidates accepts
            sys.stderr.write(f"agentls check: no such file or directory: {p}\n")
            return 2
    results = _check_all(iter_candidates(paths or ["."], dialect), dialect, jobs)
    add_cross_file_findings(results)
    RENDERERS[fmt](results, out)
    worst = min((f.severity for r in results for f in r.analysis.findings), default=None)
    if fail_on == "never" or worst is None:
        return 0
    threshold = Severity.ERROR if fail_on == "error" else Severity.WARNING
    return 1 if worst <= threshold else 0


def add_cross_file_findings(results: list[FileResult]) -> None:
    """Duplicate names, shadowing, references that resolve to nothing: within each project
    (the folder holding ``.claude``), never across unrelated projects."""
    from agentls.index import WorkspaceIndex, entry_from_analysis

    groups: dict[str, list[FileResult]] = {}
    for r in results:
        root = project_root(os.path.abspath(r.path))
        if root is not None and (r.analysis.doc is not None or r.slim):
            groups.setdefault(root, []).append(r)
    for group in groups.values():
        if len(group) < 2 and not any(r.analysis.dialect != "claude-agent" for r in group):
            continue
        index = WorkspaceIndex()
        for r in group:
            e = r.entry if r.slim else entry_from_analysis(r.analysis, "project")
            if e is not None:
                index.entries[e.path] = e
        for r in group:
            extra = index.findings_for(r.path)
            if extra:
                r.analysis.findings.extend(extra)
                r.analysis.findings.sort(key=lambda f: (f.range.start, f.code))


def tune_gc() -> None:
    """A check run builds many small objects and keeps its results to the end: with the
    default thresholds the collector's passes over them cost about a fifth of the run
    (0.25 s of 1.25 s over the corpus, -j1). What is loaded by now is frozen (never scanned
    again) and young collections wait for 100,000 new objects instead of 700."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 1_000)
    gc.enable()


POOL_FROM = 64  # files; fewer are checked in this process
BATCH = 32  # files per task
QUEUED = 8  # batches waiting per worker before this process checks one itself


def _check_all(files: Iterable[str], dialect: str | None, jobs: int) -> list[FileResult]:
    """Check ``files``; results in the same order. With ``jobs`` > 1 and enough files,
    ``jobs - 1`` worker processes and this one share the work while this one walks the tree.

    The workers are forked before the engine is imported, so that a worker's import and
    this process's run on two cores at once. Files are batched by kind: batches of Claude
    Code agents, which need PyYAML and the Claude rules, and batches of every other
    dialect, which also need jsonschema (~0.1 s to import). Other batches go to the
    workers first; this process checks Claude agent batches itself, and so never imports
    jsonschema unless it is worth it. On Linux the workers are a :class:`ForkPool` that
    asks for batches (:func:`_check_forked`); elsewhere a ``ProcessPoolExecutor`` whose
    batches no worker has started are taken back when the walk ends."""
    it = iter(files)
    head = list(itertools.islice(it, POOL_FROM))
    if jobs <= 1 or len(head) < POOL_FROM:
        return [check_file(f, dialect) for f in itertools.chain(head, it)]
    from agentls import forkpool

    if forkpool.available():
        return _check_forked(itertools.chain(head, it), dialect, jobs - 1)
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    # fork where it is safe (Linux; no threads here yet): workers start at once; elsewhere
    # the platform's default.
    ctx = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    workers = jobs - 1
    results: list[FileResult | None] = []
    sent: list[tuple[Future[list[FileResult]], list[int], list[str], bool]] = []
    local_schemas = False  # whether this process has checked a non-Claude file

    def local(idx: list[int], paths: list[str], claude: bool) -> None:
        nonlocal local_schemas
        local_schemas = local_schemas or not claude
        for i, p in zip(idx, paths, strict=True):
            results[i] = check_file(p, dialect)

    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:

        def dispatch(claude: bool, idx: list[int], paths: list[str]) -> None:
            queued = sum(1 for f, *_ in sent[-QUEUED * workers * 4 :] if not f.done())
            hungry = queued < QUEUED * workers
            if hungry or (not claude and not local_schemas):
                sent.append((pool.submit(_check_batch, paths, dialect), idx, paths, claude))
            else:
                local(idx, paths, claude)

        for claude, idx, paths in _kind_batches(itertools.chain(head, it), dialect, results):
            dispatch(claude, idx, paths)
        # The walk is over: take back, from the end, the batches no worker has started
        # (other dialects only when this process already has jsonschema, or there are
        # many of them).
        unstarted_other = sum(1 for f, *_r, c in sent if not c and not (f.running() or f.done()))
        for fut, idx, paths, claude in reversed(sent):
            if (claude or local_schemas or unstarted_other >= 10) and fut.cancel():
                local(idx, paths, claude)
        for fut, idx, _paths, _claude in sent:
            if not fut.cancelled():
                for i, r in zip(idx, fut.result(), strict=True):
                    results[i] = r
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def _check_forked(files: Iterator[str], dialect: str | None, workers: int) -> list[FileResult]:
    """:func:`_check_all` with :class:`agentls.forkpool.ForkPool` (Linux): workers ask for
    batches, so none waits while work is queued elsewhere, and this process takes Claude
    agent batches (and schema-dialect batches once it has jsonschema, or when many are
    left) between feeding them."""
    from collections import deque

    from agentls.forkpool import ForkPool

    results: list[FileResult | None] = []
    batches: dict[int, tuple[list[int], list[str], bool]] = {}
    pending: dict[bool, deque[int]] = {True: deque(), False: deque()}
    redo: list[int] = []
    local_schemas = False

    def work(paths: list[str]) -> list[FileResult]:
        return _check_batch(paths, dialect)

    with ForkPool(workers, work) as pool:

        def service(timeout: float | None = 0) -> None:
            for key, ok, payload in pool.poll(timeout):
                if ok:
                    for i, r in zip(batches[key][0], payload, strict=True):
                        results[i] = r
                else:  # checked here: an error then surfaces as without workers
                    redo.append(key)
            for w in pool.idle():
                queue = pending[False] or pending[True]
                if not queue:
                    break
                key = queue.popleft()
                if not pool.give(w, key, batches[key][1]):
                    queue.appendleft(key)

        def local(key: int) -> None:
            nonlocal local_schemas
            idx, paths, claude = batches[key]
            local_schemas = local_schemas or not claude
            for i, p in zip(idx, paths, strict=True):
                results[i] = check_file(p, dialect)
                service()  # keep the workers fed

        for claude, idx, paths in _kind_batches(files, dialect, results):
            batches[len(batches)] = (idx, paths, claude)
            pending[claude].append(len(batches) - 1)
            service()
        while pending[True] or pending[False] or redo or pool.busy():
            service()
            alive = bool(pool.idle()) or pool.busy() > 0
            if redo:
                local(redo.pop())
            elif pending[True]:
                local(pending[True].pop())  # from the end: workers take from the front
            elif pending[False] and (local_schemas or len(pending[False]) >= 10 or not alive):
                local(pending[False].pop())
            else:
                service(None)  # nothing for this process: wait for a worker
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def _kind_batches(
    files: Iterable[str], dialect: str | None, results: list[FileResult | None]
) -> Iterator[tuple[bool, list[int], list[str]]]:
    """``(claude, indexes, paths)``: batches of up to BATCH files of one kind (Claude Code
    agents, or the dialects checked with schemas), as the walk fills them; each file gets a
    slot in ``results`` (its index)."""
    from agentls.dialects.registry import CLAUDE_AGENT

    current: dict[bool, tuple[list[int], list[str]]] = {True: ([], []), False: ([], [])}
    for path in files:
        kind = dialect or detect_dialect(os.path.abspath(path))
        claude = kind == CLAUDE_AGENT or kind is None
        idx, paths = current[claude]
        idx.append(len(results))
        paths.append(path)
        results.append(None)
        if len(paths) >= BATCH:
            yield claude, idx, paths
            current[claude] = ([], [])
    for claude, (idx, paths) in current.items():
        if paths:
            yield claude, idx, paths


def _check_batch(paths: list[str], forced: str | None) -> list[FileResult]:
    return [_check_slim(p, forced) for p in paths]


def _check_slim(path: str, forced: str | None) -> FileResult:
    """:func:`check_file` in a worker process. Sending the document model back cost about
    as much CPU as the analysis itself (31 MB pickled for the corpus); send the index entry."""
    r = check_file(path, forced)
    if r.analysis.doc is not None:
        from agentls.index import entry_from_analysis

        r.entry = entry_from_analysis(r.analysis, "project")
        r.slim = True
        r.analysis.doc = None
    return r
