"""``agentls check --fix [--dry-run]``: apply verified safe fixes to files on disk.

Each file is fixed in rounds (at most :data:`agentls.editing.fixes.MAX_ROUNDS`) until no
verified safe fix is left; the result is written atomically (a temporary file in the same
folder, then ``os.replace``). With ``--dry-run`` nothing is written: a unified diff is
printed instead. Must not import pygls or lsprotocol (start-up time).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from agentls.check import READ_LIMIT, FileResult, check_file, configs, unreadable
from agentls.config.policy import DEFAULT, Policy
from agentls.discovery import check_candidates
from agentls.editing.fixes import fix_all
from agentls.fsread import read_file
from agentls.render import render_text
from agentls.terminal import escape
from agentls.types import Severity


def write_atomic(path: str, text: str) -> None:
    """Replace ``path`` by ``text`` (UTF-8, line endings as given) in one step."""
    target = Path(path)
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def fix_text(
    text: str, path: str, dialect: str | None = None, policy: Policy = DEFAULT
) -> tuple[str, int, FileResult]:
    """The fixed text, the number of fixes applied and what remains."""
    new, applied, analysis = fix_all(text, path, dialect, policy=policy)
    return new, len(applied), FileResult(path, analysis)


def run_fix(
    paths: list[str],
    dialect: str | None,
    *,
    dry_run: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Exit status: 2 on bad paths; 1 when a file could not be read; with ``--dry-run`` 1 if
    a file would change; otherwise 1 if errors remain after fixing, else 0."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        files = list(check_candidates(paths, dialect, configs=configs(True)))
    except FileNotFoundError as exc:
        print(f"agentls: no such file or directory: {escape(str(exc), multiline=False)}", file=err)
        return 2
    results: list[FileResult] = []
    fixed_files = 0
    fixes = 0
    unread = 0
    for f in files:
        got = read_file(f, READ_LIMIT)
        text = _utf8(got.data)
        if text is None:  # not read, or not UTF-8: its findings as `check` gives them
            why = got.problem or "it is not valid UTF-8"
            print(f"agentls: cannot fix {escape(f, multiline=False)}: {why}", file=err)
            results.append(
                check_file(f, dialect) if got.problem is None else unreadable(f, dialect, why)
            )
            unread += 1
            continue
        absolute = os.path.abspath(f)
        new, n, result = fix_text(text, absolute, dialect, configs().policy_for(absolute))
        result.path = f
        result.analysis.path = f
        results.append(result)
        if new == text:
            continue
        fixed_files += 1
        fixes += n
        if dry_run:  # for people: control characters of the file shown, not obeyed
            diff = difflib.unified_diff(
                text.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{f.lstrip('/')}",
                tofile=f"b/{f.lstrip('/')}",
            )
            out.write(escape("".join(diff)))
            if not new.endswith(("\n", "\r")):
                out.write("\n\\ No newline at end of file\n")
        else:
            write_atomic(f, new)
    verb = "Would fix" if dry_run else "Fixed"
    print(
        f"{verb} {fixes} problem{'s' * (fixes != 1)} in {fixed_files} "
        f"file{'s' * (fixed_files != 1)}.",
        file=err,
    )
    if not dry_run:
        remaining = [r for r in results if r.analysis.findings]
        if remaining:
            render_text(remaining, out)
    if dry_run:
        return 1 if fixed_files or unread else 0
    errors = any(f.severity == Severity.ERROR for r in results for f in r.analysis.findings)
    return 1 if errors or unread else 0


def _utf8(data: bytes | None) -> str | None:
    try:
        return None if data is None else data.decode("utf-8")
    except UnicodeDecodeError:
        return None
