"""``agentls check``: the engine over files on disk, for CI and pre-commit.

Files are found by :mod:`agentls.discovery`, read by :mod:`agentls.fsread`, spread over
processes by :mod:`agentls.scheduling` and printed by :mod:`agentls.render`. Must not import
pygls or lsprotocol (start-up time).
"""

from __future__ import annotations

import gc
import itertools
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from agentls.config.discovery import ConfigStore
from agentls.config.policy import settle_more
from agentls.dialects.registry import ALL_DIALECTS, detect_dialect
from agentls.discovery import (
    Skipped,
    check_candidates,
    mcp_servers,
    mcp_servers_for,
    project_root,
)
from agentls.fsread import read_file
from agentls.rules import codes
from agentls.rules.registry import finding
from agentls.terminal import escape
from agentls.types import Finding, Range, Severity

if TYPE_CHECKING:
    # The engine (PyYAML, jsonschema: ~0.2 s) is imported where files are analysed: in the
    # worker processes when there is a pool, while the parent walks the tree.
    from agentls.engine import Analysis
    from agentls.index import IndexEntry, WorkspaceIndex

# Larger files are not checked (Claude Code skips agent files over 1 MiB; the engine
# analyses at most 4 MiB of characters).
READ_LIMIT = 16 * 1024 * 1024


@dataclass(slots=True)
class FileResult:
    path: str
    analysis: Analysis
    # from worker processes: ``analysis.doc`` is dropped (large to send back; the renderers
    # do not read it) and the index entry the cross-file checks need is sent instead
    entry: IndexEntry | None = None
    slim: bool = False


def unreadable(path: str, forced: str | None, problem: str) -> FileResult:
    """The result of a file that could not be read: one AL112 finding naming why."""
    from agentls.engine import Analysis

    a = Analysis(path, forced or detect_dialect(os.path.abspath(path)), None)
    a.findings.append(finding("AL112", Range.of(0, 0), f"Not checked: the file is {problem}."))
    return FileResult(path, a)


_configs: ConfigStore | None = None


def configs(fresh: bool = False) -> ConfigStore:
    """The configurations of this check run (``fresh``: a new run reads them again). A
    worker process forked from the run shares what was read before it started."""
    global _configs
    if _configs is None or fresh:
        _configs = ConfigStore()
    return _configs


def check_file(path: str, forced: str | None = None) -> FileResult:
    from agentls.engine import analyze

    absolute = os.path.abspath(path)
    policy = configs().policy_for(absolute)
    got = read_file(path, READ_LIMIT)
    if got.data is None:
        return unreadable(path, forced, got.problem or "not readable")
    data = got.data
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
    a = analyze(
        text,
        absolute,
        forced,
        size=got.size,
        mcp_servers=mcp_servers_for(absolute),
        policy=policy,
    )
    a.path = path
    if extra and (a.dialect or a.findings):
        a.findings, a.settled = settle_more(a.findings, a.settled, extra)
        a.findings.sort(key=lambda f: f.code != "AL109")  # the reading's findings first
    return FileResult(path, a)


def run_check(
    paths: list[str],
    fmt: str,
    fail_on: str,
    dialect: str | None,
    out: TextIO | None = None,
    jobs: int = 1,
    *,
    statistics: bool = False,
    show_suppressed: bool = False,
) -> int:
    """Exit status: 1 when a reported finding reaches ``fail_on`` (what the configuration
    or a suppression comment silenced never counts), 2 for bad usage."""
    out = out or sys.stdout
    if dialect is not None and dialect not in ALL_DIALECTS:
        sys.stderr.write(
            f"agentls check: unknown dialect {escape(dialect, multiline=False)}; "
            f"one of {', '.join(ALL_DIALECTS)}\n"
        )
        return 2
    for p in paths or ["."]:
        if not os.path.lexists(p):  # what check_candidates accepts
            shown = escape(p, multiline=False)
            sys.stderr.write(f"agentls check: no such file or directory: {shown}\n")
            return 2
    from agentls.render import RENDERERS, render_statistics, say_skipped
    from agentls.scheduling import check_all

    skipped: list[Skipped] = []
    excluded: list[Skipped] = []
    candidates = check_candidates(paths or ["."], dialect, skipped, configs(True), excluded)
    results = add_configurations(check_all(candidates, dialect, jobs))
    add_cross_file_findings(results)
    skipped += unread_project_files(results)
    say_skipped(skipped, "check")
    if statistics:
        render_statistics(results, out, fmt, show_suppressed)
    else:
        RENDERERS[fmt](results, out, skipped, excluded if show_suppressed else None)
    from agentls.claude_version import installed_notice

    notice = installed_notice()
    if notice:  # on stderr: stdout stays the chosen format
        sys.stderr.write(f"agentls check: note: {escape(notice)}\n")
    worst = min((f.severity for r in results for f in r.analysis.findings), default=None)
    if fail_on == "never" or worst is None:
        return 0
    threshold = Severity.ERROR if fail_on == "error" else Severity.WARNING
    return 1 if worst <= threshold else 0


def add_cross_file_findings(results: list[FileResult]) -> None:
    """Duplicate names, shadowing, references that resolve to nothing, agents against their
    project's settings and .mcp.json: within each project (the folder holding ``.claude``),
    never across unrelated projects. A plugin outside a project is a group of its own, for
    the rules that a plugin alone decides (:data:`PLUGIN_CODES`)."""
    from agentls.index import WorkspaceIndex, config_project, entry_from_analysis

    groups: dict[str, list[FileResult]] = {}
    plugins: set[str] = set()
    for r in results:
        absolute = os.path.abspath(r.path)
        root = config_project(absolute)
        if root is None:
            root = _plugin_folder(absolute)
            if root is not None:
                plugins.add(root)
        a = r.analysis
        if root is not None and (a.doc is not None or a.json is not None or r.slim):
            groups.setdefault(root, []).append(r)
    for root, group in groups.items():
        index = WorkspaceIndex()
        for r in group:
            e = r.entry if r.slim else entry_from_analysis(r.analysis, "project")
            if e is not None:
                index.entries[e.path] = e
        around = _around(root, index) + _plugin_around(index)
        # one agent alone (pre-commit names the changed files): its references to other
        # definitions cannot be judged, its project's configuration can
        alone = len(group) < 2 and not any(r.analysis.dialect != "claude-agent" for r in group)
        if alone and not around:
            continue
        for r in group:
            extra = index.findings_for(r.path)
            if alone:
                extra = [f for f in extra if f.code in CONFIG_CODES]
            elif root in plugins:
                extra = [f for f in extra if f.code in PLUGIN_CODES]
            if extra:
                a = r.analysis
                if a.effective is not None and any(f.code in NOT_LOADED_CODES for f in extra):
                    _not_loaded(a)
                a.findings, a.settled = settle_more(a.findings, a.settled, extra)
                a.findings.sort(key=lambda f: (f.range.start, f.code))


def add_configurations(results: list[FileResult]) -> list[FileResult]:
    """The results without the ``pyproject.toml`` files that hold no agentls configuration
    (they are looked at because they might), and with the configuration files the checked
    files used that were not checked themselves, when they have problems: a broken
    configuration is never silent."""
    from agentls.dialects.registry import CONFIG_DIALECT

    kept = [
        r
        for r in results
        if not (r.analysis.dialect == CONFIG_DIALECT and r.analysis.config is None)
        or r.analysis.findings
    ]
    checked = {os.path.abspath(r.path) for r in kept}
    used = sorted(
        {
            r.analysis.policy.config_path
            for r in kept
            if r.analysis.policy.config_path and r.analysis.policy.config_path not in checked
        }
    )
    for path in used:
        r = check_file(os.path.relpath(path) if not os.path.isabs(kept[0].path) else path)
        if r.analysis.findings:
            kept.append(r)
    return kept


# The project's configuration, read from disk when it was not among the files checked (a
# pre-commit run names the changed files only): the rules across files need it.
PROJECT_CONFIG = (".mcp.json", ".claude/settings.json", ".claude/settings.local.json")
# The rules across files that read only an agent and its project's configuration.
CONFIG_CODES = frozenset({codes.MCP_SERVER_DISABLED, codes.AGENT_TOOLS_ALL_DENIED})
# The rules across files a plugin decides alone: two of its agents of one name, its manifest
# and the files it leaves out. Its references are not judged: they may name the user's
# agents and skills, or other plugins', which a check of the plugin does not see.
PLUGIN_CODES = frozenset({codes.DUPLICATE_NAME, codes.PLUGIN_COMPONENT_NOT_LISTED})
# Findings across files that mean the file is not loaded (its effective configuration says so)
NOT_LOADED_CODES = frozenset({codes.PLUGIN_COMPONENT_NOT_LISTED})
# Files of a plugin's `agents/` or `commands/` folder read to judge its manifest when they
# were not checked themselves (a pre-commit run that names the manifest only), per folder.
MAX_PLUGIN_AROUND = 1_000


def _plugin_folder(path: str) -> str | None:
    """The plugin ``path`` belongs to (its manifest, or a file of its folders), if any."""
    from agentls.dialects.registry import plugin_root

    if path.replace(os.sep, "/").endswith("/.claude-plugin/plugin.json"):
        return os.path.dirname(os.path.dirname(path))
    return plugin_root(path)


def _not_loaded(a: Analysis) -> None:
    from agentls.rules.claude_plugin import NOT_LISTED_REASON

    assert a.effective is not None
    a.effective.loads = False
    a.effective.reason = NOT_LISTED_REASON


def _plugin_around(index: WorkspaceIndex) -> int:
    """Add the plugin files ``index`` lacks that AL936 reads: the manifest of each plugin
    file, and the files of the folders a manifest's list replaces; return how many."""
    from agentls.dialects.registry import plugin_root
    from agentls.discovery import walk
    from agentls.index import PLUGIN
    from agentls.rules.claude_plugin import MANIFEST

    wanted: list[str] = []
    for p, e in list(index.entries.items()):
        if e.kind == PLUGIN:
            folder = os.path.dirname(os.path.dirname(os.path.abspath(p)))
            for key, (listed, _) in e.lists.items():
                if listed is None:
                    continue
                files = (
                    os.path.join(absolute, name)
                    for _, absolute, names in walk(os.path.join(folder, key))
                    for name in names
                    if name.endswith(".md")
                )
                wanted += itertools.islice(files, MAX_PLUGIN_AROUND)
        elif e.dialect in ("claude-plugin-agent", "claude-command"):
            root = plugin_root(os.path.abspath(p))
            if root is not None:
                wanted.append(os.path.join(root, MANIFEST))
    return _read_into(index, dict.fromkeys(wanted))


def _around(root: str, index: WorkspaceIndex) -> int:
    """Add the settings and .mcp.json of the project ``root`` that ``index`` lacks, and its
    agents when a settings file is checked (its findings name them); return how many."""
    from agentls.index import SETTINGS

    wanted = [os.path.join(root, rel) for rel in PROJECT_CONFIG]
    if any(e.kind == SETTINGS for e in index.entries.values()):
        agents = os.path.join(root, ".claude", "agents")
        from agentls.discovery import walk

        wanted += [
            os.path.join(folder, name)
            for folder, _, files in walk(agents)
            for name in files
            if name.endswith(".md")
        ]
    return _read_into(index, wanted)


def _read_into(index: WorkspaceIndex, paths: Iterable[str]) -> int:
    """Read the files of ``paths`` that ``index`` lacks from disk into it; how many."""
    from agentls.indexing import read_entry

    have = {os.path.abspath(p) for p in index.entries}
    added = 0
    for path in paths:
        if path in have or not os.path.lexists(path):
            continue
        e = read_entry(path)
        if e is not None and not isinstance(e, Skipped):
            index.entries[e.path] = e
            added += 1
    return added


def unread_project_files(results: list[FileResult]) -> list[Skipped]:
    """The ``.mcp.json`` files of the projects checked that exist but could not be read
    (a FIFO, a link to a device, too large): the MCP server names were then unknown."""
    out: list[Skipped] = []
    seen: set[str] = set()
    for r in results:
        root = project_root(os.path.abspath(r.path))
        if root is not None and root not in seen:
            seen.add(root)
            problem = mcp_servers(root)[1]
            if problem is not None:
                out.append(problem)
    return out


def tune_gc() -> None:
    """A check run builds many small objects and keeps its results to the end: with the
    default thresholds the collector's passes over them cost about a fifth of the run
    (0.25 s of 1.25 s over the corpus, -j1). What is loaded by now is frozen (never scanned
    again) and young collections wait for 100,000 new objects instead of 700."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 1_000)
    gc.enable()
