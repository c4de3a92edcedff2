"""What the command line prints: ``agentls check`` findings (text, JSON, SARIF, GitHub
annotations) and the ``agentls agents`` listing. JSON and SARIF are exact JSON; everything
for people (text, GitHub annotations, the agents table, stderr lines) shows control
characters visibly (:func:`agentls.terminal.escape`): a ``name`` or ``model`` holding an
OSC title sequence or ``ESC [2J`` must not act on the terminal or the Actions log.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from agentls import __version__
from agentls.rules.registry import rule_url, rules
from agentls.terminal import escape
from agentls.types import Finding, Range, Severity

if TYPE_CHECKING:
    from agentls.check import FileResult
    from agentls.config.policy import Suppressed
    from agentls.discovery import Skipped
    from agentls.engine import Analysis
    from agentls.index import IndexEntry


def _effective_json(a: Analysis) -> dict[str, object] | None:
    return a.effective.to_json() if a.effective is not None else None


def render_json(
    results: list[FileResult],
    out: TextIO,
    skipped: Sequence[Skipped] = (),
    excluded: Sequence[Skipped] | None = None,
) -> None:
    """``excluded`` (not None with ``--show-suppressed``): the files the configuration
    excludes; each file then lists what was silenced, and why."""
    summary = {"files": len(results), "error": 0, "warning": 0, "information": 0, "hint": 0}
    files = []
    for r in results:
        for f in r.analysis.findings:
            summary[f.severity.label] += 1
        entry: dict[str, object] = {
            "path": r.path,
            "dialect": r.analysis.dialect,
            "diagnostics": [f.to_json() for f in r.analysis.findings],
            "effective": _effective_json(r.analysis),
        }
        if excluded is not None:
            entry["suppressed"] = [s.to_json() for s in r.analysis.suppressed]
        files.append(entry)
    if excluded is not None:
        summary["suppressed"] = sum(len(r.analysis.suppressed) for r in results)
    doc: dict[str, object] = {"version": __version__, "files": files, "summary": summary}
    if skipped:  # present only when something could not be read
        doc["skipped"] = [s.to_json() for s in skipped]
    if excluded is not None:
        doc["excluded"] = [s.to_json() for s in excluded]
    json.dump(
        doc,
        out,
        indent=2,
        ensure_ascii=False,
    )
    out.write("\n")


def render_text(
    results: list[FileResult],
    out: TextIO,
    skipped: Sequence[Skipped] = (),
    excluded: Sequence[Skipped] | None = None,
) -> None:
    """One line per finding and a summary; what could not be read is said on stderr. With
    ``--show-suppressed`` (``excluded`` not None), a line for each silenced finding, with
    what silenced it, and one for each excluded file."""
    counts = {s: 0 for s in Severity}
    silenced = 0
    for r in results:
        path = escape(r.path, multiline=False)
        for f in r.analysis.findings:
            counts[f.severity] += 1
            s = f.range.start
            out.write(
                f"{path}:{s.line + 1}:{s.character + 1}: {f.severity.label}[{f.code}] "
                f"{escape(f.message, multiline=False)}\n"
            )
        silenced += len(r.analysis.suppressed)
        if excluded is not None:
            for quiet in r.analysis.suppressed:
                f, at = quiet.finding, quiet.finding.range.start
                out.write(
                    f"{path}:{at.line + 1}:{at.character + 1}: suppressed {f.severity.label}"
                    f"[{f.code}] {escape(f.message, multiline=False)} "
                    f"(by {escape(quiet.reason, multiline=False)})\n"
                )
    for x in excluded or ():
        out.write(f"{escape(x.path, multiline=False)}: {escape(x.reason, multiline=False)}\n")
    total = sum(counts.values())
    parts = ", ".join(f"{n} {s.label}" for s, n in counts.items() if n)
    tail = ""
    if silenced:
        tail = f"; {silenced} suppressed" + (
            "" if excluded is not None else " (--show-suppressed lists them)"
        )
    out.write(
        f"{len(results)} file{'s' if len(results) != 1 else ''} checked, "
        f"{total} finding{'s' if total != 1 else ''}{': ' + parts if parts else ''}{tail}\n"
    )


def render_statistics(
    results: list[FileResult], out: TextIO, fmt: str, show_suppressed: bool
) -> None:
    """``--statistics``: how many findings each rule reported (and, with
    ``--show-suppressed``, how many were silenced), most frequent first."""
    reported: dict[str, int] = {}
    silenced: dict[str, int] = {}
    for r in results:
        for f in r.analysis.findings:
            reported[f.code] = reported.get(f.code, 0) + 1
        for x in r.analysis.suppressed:
            silenced[x.finding.code] = silenced.get(x.finding.code, 0) + 1
    codes = set(reported) | (set(silenced) if show_suppressed else set())
    order = sorted(codes, key=lambda c: (-reported.get(c, 0), -silenced.get(c, 0), c))
    reg = rules()
    rows = []
    for code in order:
        rule = reg.get(code)
        row: dict[str, object] = {
            "code": code,
            "name": rule.name if rule else code,
            "severity": rule.severity.label if rule else "",
            "count": reported.get(code, 0),
        }
        if show_suppressed:
            row["suppressed"] = silenced.get(code, 0)
        rows.append(row)
    if fmt == "json":
        json.dump({"version": __version__, "statistics": rows}, out, indent=2)
        out.write("\n")
        return
    head = ["count", "code", "name", "severity"] + (["suppressed"] if show_suppressed else [])
    table = [head] + [[str(row[k]) for k in head] for row in rows]
    widths = [max(len(t[i]) for t in table) for i in range(len(head))]
    for t in table:
        cells = [t[0].rjust(widths[0])]
        cells += [c.ljust(w) for c, w in zip(t[1:], widths[1:], strict=True)]
        out.write("  ".join(cells).rstrip() + "\n")
    total = sum(reported.values())
    out.write(f"{total} finding{'s' if total != 1 else ''} of {len(reported)} rules\n")


def _gh_escape(s: str, prop: bool = False) -> str:
    """A workflow command's value: control characters shown (the log viewer obeys ANSI
    sequences), then ``%``, CR and LF percent-encoded (and ``:``, ``,`` in properties)."""
    s = escape(s).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def render_github(
    results: list[FileResult],
    out: TextIO,
    skipped: Sequence[Skipped] = (),
    excluded: Sequence[Skipped] | None = None,
) -> None:
    """Workflow commands that annotate a pull request; what could not be read is said on
    stderr. Silenced findings are never annotations."""
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


def render_sarif(
    results: list[FileResult],
    out: TextIO,
    skipped: Sequence[Skipped] = (),
    excluded: Sequence[Skipped] | None = None,
) -> None:
    """SARIF 2.1.0. With ``--show-suppressed`` (``excluded`` not None) silenced findings are
    results too, each with SARIF's ``suppressions`` (``inSource`` for a comment in the file,
    ``external`` for the configuration), which code scanning shows as dismissed."""
    level = {
        Severity.ERROR: "error",
        Severity.WARNING: "warning",
        Severity.INFORMATION: "note",
        Severity.HINT: "note",
    }
    shown: list[tuple[FileResult, Finding, Suppressed | None]] = [
        (r, f, None) for r in results for f in r.analysis.findings
    ]
    if excluded is not None:
        shown += [(r, x.finding, x) for r in results for x in r.analysis.suppressed]
    used = sorted({f.code for _, f, _ in shown})
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
    res: list[dict[str, object]] = []
    for r, f, why in shown:
        result: dict[str, object] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": level[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(r.path)},
                        "region": _region(f.range),
                    }
                }
            ],
        }
        if f.related:  # the other end of a finding across files
            result["relatedLocations"] = [
                {
                    "id": i,
                    "message": {"text": rel.message},
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(rel.path)},
                        "region": _region(rel.range),
                    },
                }
                for i, rel in enumerate(f.related)
            ]
        if why is not None:
            kind = "inSource" if why.in_source else "external"
            result["suppressions"] = [{"kind": kind, "justification": why.reason}]
        res.append(result)
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
    if skipped:  # SARIF's place for what the tool could not do
        doc["runs"][0]["invocations"] = [  # type: ignore[index]
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "message": {"text": s.reason},
                        "locations": [
                            {"physicalLocation": {"artifactLocation": {"uri": _uri(s.path)}}}
                        ],
                    }
                    for s in skipped
                ],
            }
        ]
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}


def _region(r: Range) -> dict[str, int]:
    return {
        "startLine": r.start.line + 1,
        "startColumn": r.start.character + 1,
        "endLine": r.end.line + 1,
        "endColumn": r.end.character + 1,
    }


def _uri(path: str) -> str:
    from pathlib import Path

    return Path(path).as_posix()


def render_agents_json(
    entries: list[IndexEntry], out: TextIO, skipped: Sequence[Skipped] = ()
) -> None:
    doc: dict[str, object] = {"agents": [e.to_json() for e in entries]}
    if skipped:  # present only when something could not be read
        doc["skipped"] = [s.to_json() for s in skipped]
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


def render_agents_text(
    entries: list[IndexEntry], out: TextIO, skipped: Sequence[Skipped] = ()
) -> None:
    """A table: name, kind, dialect, scope, whether Claude Code loads it, errors/warnings,
    model and path (relative to the current folder for project files). What could not be
    read is said on stderr."""
    cwd = os.getcwd()
    rows: list[tuple[str, ...]] = [
        ("NAME", "KIND", "DIALECT", "SCOPE", "LOADS", "E/W", "MODEL", "PATH")
    ]
    for e in entries:
        rel = os.path.relpath(e.path, cwd) if e.scope == "project" else e.path
        row = (
            e.name,
            e.kind,
            e.dialect,
            e.scope,
            "yes" if e.loads else "no",
            f"{e.errors}/{e.warnings}",
            e.model or "-",
            rel,
        )
        rows.append(tuple(escape(c, multiline=False) for c in row))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        out.write(
            "  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1] + "\n"
        )
    out.write(f"{len(entries)} definitions\n")


def say_skipped(skipped: list[Skipped], command: str, err: TextIO | None = None) -> None:
    """One line on stderr for each file or folder that could not be read."""
    err = err or sys.stderr
    for s in skipped:
        err.write(
            f"agentls {command}: {escape(s.path, multiline=False)}: "
            f"{escape(s.reason, multiline=False)}\n"
        )
