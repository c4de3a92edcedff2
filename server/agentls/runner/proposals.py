"""Edit/Write tool calls become proposals: checked now, applied only after confirmation.

A proposal is checked when the tool is called (the sandbox's path rules, a real place for a
file: not below another file, not a folder; UTF-8 text; its size) and again, all of it,
before anything is written (:func:`write_changes`: all or nothing, through
:mod:`agentls.fswrite`). Proposals are bounded: :data:`MAX_FILE_BYTES` per file,
:data:`MAX_TOTAL_BYTES` and :data:`MAX_FILES` per run (a ``replace_all`` Edit once made a
160 MB proposal). A change to a file that other programs run (:mod:`runscode`) carries
what runs it, so that the user confirms it apart.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from agentls.fswrite import Write, WriteRefused, check_target, write_all
from agentls.lines import lsp_lines
from agentls.runner.runscode import runs_code
from agentls.runner.sandbox import Sandbox, SandboxError

MAX_FILE_BYTES = 1 << 20  # a proposed file, in UTF-8
MAX_TOTAL_BYTES = 4 << 20  # every proposed file of a run together
MAX_FILES = 50  # files one run may propose to change


@dataclass
class FileChange:
    rel: str
    path: Path
    original: str | None  # None: a new file
    new: str
    #: what runs this file ("a CI pipeline (runs on push)"), or None for an ordinary file
    runs_code: str | None = None

    @property
    def created(self) -> bool:
        return self.original is None


@dataclass
class Proposals:
    """The files an agent proposes to change, as their proposed full text."""

    sandbox: Sandbox
    #: The selected document: its path and its text at the selected version.
    doc_path: Path
    doc_text: str
    changes: dict[str, FileChange] = field(default_factory=dict)
    #: texts of other open documents (path -> text), preferred over the disk
    open_texts: dict[Path, str] = field(default_factory=dict)

    def _current(self, real: Path) -> tuple[str, str | None]:
        rel = self.sandbox.rel(real)
        if rel in self.changes:
            ch = self.changes[rel]
            return rel, ch.new
        if real == self.doc_path:
            return rel, self.doc_text
        if real in self.open_texts:
            return rel, self.open_texts[real]
        if os.path.exists(real):
            return rel, self.sandbox.read_text(rel)
        return rel, None

    def _original(self, real: Path, rel: str) -> str | None:
        if rel in self.changes:
            return self.changes[rel].original
        if real == self.doc_path:
            return self.doc_text
        if real in self.open_texts:
            return self.open_texts[real]
        return self.sandbox.read_text(rel) if os.path.exists(real) else None

    def edit(
        self, file_path: str, old_string: str, new_string: str, replace_all: bool = False
    ) -> str:
        real = self.sandbox.resolve(file_path, allow_root=False)
        rel, current = self._current(real)
        if current is None:
            raise SandboxError(f"{rel} does not exist; use Write to propose a new file")
        if not old_string:
            raise SandboxError("old_string must not be empty (use Write for a new file)")
        if old_string == new_string:
            raise SandboxError("old_string and new_string are identical")
        _check_text(new_string, "new_string")
        count = current.count(old_string)
        if count == 0 and "\n" in old_string and "\r" not in old_string and "\r\n" in current:
            # Read shows lines without their CR: match the file's CR LF breaks and give the
            # new text the same ones, so that the file keeps its line endings
            crlf = old_string.replace("\n", "\r\n")
            if crlf in current:
                old_string = crlf
                new_string = new_string.replace("\r\n", "\n").replace("\n", "\r\n")
                count = current.count(old_string)
        if count == 0:
            raise SandboxError(
                f"old_string was not found in {rel}; copy it exactly (without line numbers)"
            )
        if count > 1 and not replace_all:
            raise SandboxError(
                f"old_string occurs {count} times in {rel}; add context to make it unique "
                "or set replace_all"
            )
        times = count if replace_all else 1
        # refused before the text is built: 160 MB is too late to notice
        self._check_size(rel, len(current) + times * (len(new_string) - len(old_string)))
        new = (
            current.replace(old_string, new_string)
            if replace_all
            else current.replace(old_string, new_string, 1)
        )
        self._record(rel, real, new)
        return (
            f"Edit to {rel} recorded as a proposal; the user will review it before it is applied."
        )

    def write(self, file_path: str, content: str) -> str:
        if file_path.rstrip().endswith("/"):  # `src/new/` became a file named `new`
            raise SandboxError(f"refused: {file_path} names a folder; Write takes a file's path")
        real = self.sandbox.resolve(file_path, allow_root=False)
        _check_text(content, "content")
        self._check_size(self.sandbox.rel(real), len(content))
        try:
            check_target(self.sandbox.root, real)
        except WriteRefused as e:
            raise SandboxError(f"refused: {e}") from None
        rel, _ = self._current(real)
        self._check_place(rel)
        self._record(rel, real, content)
        what = "new file" if self.changes[rel].created else "replacement"
        return f"{what.capitalize()} {rel} recorded as a proposal; the user will review it."

    def _record(self, rel: str, real: Path, new: str) -> None:
        size = len(new.encode("utf-8"))
        self._check_size(rel, size)
        if rel not in self.changes and len(self.changes) >= MAX_FILES:
            raise SandboxError(
                f"refused: a run proposes changes to {MAX_FILES} files at most; "
                "propose the most important ones"
            )
        others = sum(len(c.new.encode("utf-8")) for r, c in self.changes.items() if r != rel)
        if others + size > MAX_TOTAL_BYTES:
            raise SandboxError(
                f"refused: the proposals of this run would total {others + size:,} bytes; "
                f"they are limited to {MAX_TOTAL_BYTES:,} bytes together"
            )
        original = self._original(real, rel)
        self.changes[rel] = FileChange(rel, real, original, new, runs_code(rel))

    def _check_place(self, rel: str) -> None:
        """A proposed file cannot be a folder of another proposal, nor below one: the apply
        would refuse all of them at the end, with a misleading reason ("created while the
        agent was running"); the model is told now instead."""
        for other in self.changes:
            if rel.startswith(other + "/"):
                raise SandboxError(f"refused: {other} is proposed as a file, so {rel} cannot be")
            if other.startswith(rel + "/"):
                raise SandboxError(f"refused: {rel} is a folder of the proposed {other}")

    @staticmethod
    def _check_size(rel: str, size: int) -> None:
        if size > MAX_FILE_BYTES:
            raise SandboxError(
                f"refused: the change would make {rel} {size:,} bytes or more; a proposed "
                f"file is limited to {MAX_FILE_BYTES:,} bytes (make a smaller change)"
            )

    def list(self) -> list[FileChange]:
        return [c for c in self.changes.values() if c.new != c.original]


def recheck(sandbox: Sandbox, changes: list[FileChange]) -> None:
    """Check every change's path again, as at the tool call (:class:`WriteRefused`): the
    sandbox's rules, then a real place for a file. A link may have been swapped since."""
    for ch in changes:
        try:
            real = sandbox.resolve(ch.rel, allow_root=False)
        except SandboxError as e:
            raise WriteRefused(f"{ch.rel}: {e}; nothing was written") from None
        if real != ch.path:
            raise WriteRefused(f"{ch.rel} now leads elsewhere (a link changed); nothing written")
        check_target(sandbox.root, real)


def write_changes(sandbox: Sandbox, changes: list[FileChange]) -> None:
    """Write every change or none (:class:`WriteRefused`): each path checked again
    (:func:`recheck`), then by the writer, which also makes sure every file still holds the
    bytes the change was made from."""
    recheck(sandbox, changes)
    writes = [
        Write(
            ch.path, None if ch.original is None else ch.original.encode("utf-8"), ch.new.encode()
        )
        for ch in changes
    ]
    write_all(sandbox.root, writes)


def _check_text(text: str, what: str) -> None:
    """Proposed text must become UTF-8 text: no lone surrogate (JSON can carry one, UTF-8
    cannot), no NUL (the file would turn binary)."""
    if "\x00" in text:
        raise SandboxError(f"{what} contains a NUL character; text files cannot hold one")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        bad = ord(text[e.start])
        raise SandboxError(
            f"{what} contains a lone surrogate (U+{bad:04X}) at character {e.start}; "
            "UTF-8 text cannot hold one"
        ) from None


def unified_diff(change: FileChange) -> str:
    a = lsp_lines(change.original or "")  # the editor's lines (a form feed ends none)
    b = lsp_lines(change.new)
    lines = list(
        difflib.unified_diff(
            a,
            b,
            fromfile="/dev/null" if change.created else f"a/{change.rel}",
            tofile=f"b/{change.rel}",
        )
    )
    return "".join(_diff_line(line) for line in lines)


def _diff_line(line: str) -> str:
    if line.endswith("\n"):
        return line
    if line.endswith("\r"):  # a CR-only break: the diff's own line ends after it
        return line + "\n"
    return line + "\n\\ No newline at end of file\n"
