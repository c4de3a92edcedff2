"""``agentls check --fix [--dry-run]``: apply verified safe fixes to files on disk.

Each file is fixed in rounds (at most :data:`agentls.editing.fixes.MAX_ROUNDS`) until no
verified safe fix is left; the result is written by :func:`agentls.fswrite.write_all`: through
a symbolic link to its target (one that leads out of the folder the fix may write in is
refused), hard links, owner and mode kept, read-only files refused, and nothing written over
an edit made since the file was read. The folder a fix may write in is the current folder
for the files below it (unless it is ``/`` or ``$HOME``), else the file's own folder.
With ``--dry-run`` nothing is written: a unified diff is printed instead. Must not import
pygls or lsprotocol (start-up time).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
from pathlib import Path
from typing import TextIO

from agentls.check import READ_LIMIT, FileResult, check_file, configs, unreadable
from agentls.config.policy import DEFAULT, Policy
from agentls.discovery import check_candidates
from agentls.editing.fixes import fix_all, safe_renames
from agentls.fsread import read_file
from agentls.render import render_text
from agentls.terminal import escape
from agentls.types import Severity


def write_root(path: str, folders: list[str]) -> Path:
    """The folder a fix of ``path`` may write in (a symbolic link leading out of it is
    refused): the broadest of the folders named on the command line and the current folder
    that holds the file, never ``/`` or ``$HOME`` (or above); else the file's own folder."""
    from agentls.discovery import forbidden_root

    absolute = os.path.abspath(path)
    holding = [
        d
        for d in {os.path.abspath(f) for f in [*folders, os.getcwd()]}
        if absolute.startswith(d.rstrip(os.sep) + os.sep) and not forbidden_root(Path(d))
    ]
    return Path(min(holding, key=len) if holding else os.path.dirname(absolute))


def write_fixed(root: Path, path: str, before: bytes, text: str) -> str | None:
    """Write the fixed ``text`` over ``path``, which held ``before``, inside ``root``
    (:func:`write_root`); None when written, else why not."""
    from agentls.fswrite import Write, WriteRefused, write_all

    new = text.encode("utf-8")
    try:
        write_all(root, [Write(Path(os.path.abspath(path)), before, new)], during="fixing")
    except WriteRefused as exc:
        return str(exc)
    return None


def rename_file(old: str, new: str) -> str | None:
    """Rename ``old`` to ``new`` without ever replacing another file; the problem, or None.

    A hard link claims the new name only when it is free (``os.rename`` would replace what
    is there); a rename that only changes the case on a case-insensitive file system (the
    two names are one file) goes through a temporary name."""
    try:
        os.link(old, new)
    except FileExistsError:
        try:
            same = os.path.samefile(old, new)
        except OSError:
            same = False
        if not same:
            return f"{os.path.basename(new)} already exists"
        tmp = f"{new}.agentls-{os.getpid()}.tmp"
        try:
            os.rename(old, tmp)
            os.rename(tmp, new)
        except OSError as exc:
            return exc.strerror or str(exc)
        return None
    except OSError:  # no hard links here (some file systems): rename if the name is free
        if os.path.lexists(new):
            return f"{os.path.basename(new)} already exists"
        try:
            os.rename(old, new)
        except OSError as exc:
            return exc.strerror or str(exc)
        return None
    try:
        os.unlink(old)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def move_file(old: str, new: str) -> str | None:
    """:func:`rename_file`, into a folder of its own when that folder is new (a loose skill
    file moved to ``<name>/SKILL.md``, AL507): one level is created, and removed again when
    the move fails."""
    folder = os.path.dirname(new)
    made = False
    if not os.path.lexists(folder):
        try:
            os.mkdir(folder)
        except OSError as exc:
            return exc.strerror or str(exc)
        made = True
    problem = rename_file(old, new)
    if problem is not None and made:
        with contextlib.suppress(OSError):
            os.rmdir(folder)
    return problem


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
    """Exit status: 2 on bad paths; 1 when a file could not be read or written; with
    ``--dry-run`` 1 if a file would change; otherwise 1 if errors remain after fixing, else 0."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        files = list(check_candidates(paths, dialect, configs=configs(True)))
    except FileNotFoundError as exc:
        print(f"agentls: no such file or directory: {escape(str(exc), multiline=False)}", file=err)
        return 2
    folders = [p for p in paths if os.path.isdir(p)]
    results: list[FileResult] = []
    fixed_files = 0
    fixes = 0
    unread = 0  # files not read, or not written
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
        renames = safe_renames(new, absolute, dialect, result.analysis)
        if new == text and not renames:
            continue
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
        elif (
            new != text
            and (refused := write_fixed(write_root(f, folders), f, got.data or b"", new))
            is not None
        ):
            shown = escape(f, multiline=False)
            print(f"agentls: not fixed {shown}: {escape(refused, multiline=False)}", file=err)
            results[-1] = check_file(f, dialect)  # what is on disk now
            unread += 1
            continue
        fixed_files += 1
        fixes += n + len(renames)
        for _, fix in renames:  # (a file name: the fix is certain, see rules.md)
            assert fix.rename_to is not None
            # the new name as ``f`` is given (relative or not): a move into a new folder too
            moved = os.path.join(
                os.path.dirname(f), os.path.relpath(fix.rename_to, os.path.dirname(absolute))
            )
            shown = escape(f"{f} -> {moved}", multiline=False)
            if dry_run:
                out.write(f"rename {shown}\n")
                continue
            problem = move_file(absolute, fix.rename_to)
            if problem is not None:
                print(f"agentls: cannot rename {shown}: {problem}", file=err)
                fixes -= 1
                continue
            results[-1] = check_file(moved, dialect)  # its findings at its new place
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
