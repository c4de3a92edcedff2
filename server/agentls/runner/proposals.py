"""Edit/Write tool calls become proposals: checked now, applied only after confirmation."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from agentls.runner.sandbox import Sandbox, SandboxError


@dataclass
class FileChange:
    rel: str
    path: Path
    original: str | None  # None: a new file
    new: str

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
        if real.exists():
            return rel, self.sandbox.read_text(rel)
        return rel, None

    def _original(self, real: Path, rel: str) -> str | None:
        if rel in self.changes:
            return self.changes[rel].original
        if real == self.doc_path:
            return self.doc_text
        if real in self.open_texts:
            return self.open_texts[real]
        return self.sandbox.read_text(rel) if real.exists() else None

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
        new = (
            current.replace(old_string, new_string)
            if replace_all
            else current.replace(old_string, new_string, 1)
        )
        self.changes[rel] = FileChange(rel, real, self._original(real, rel), new)
        return (
            f"Edit to {rel} recorded as a proposal; the user will review it before it is applied."
        )

    def write(self, file_path: str, content: str) -> str:
        real = self.sandbox.resolve(file_path, allow_root=False)
        _check_text(content, "content")
        if real.is_dir():
            raise SandboxError(f"{self.sandbox.rel(real)} is a directory")
        rel, _ = self._current(real)
        self.changes[rel] = FileChange(rel, real, self._original(real, rel), content)
        what = "new file" if self.changes[rel].created else "replacement"
        return f"{what.capitalize()} {rel} recorded as a proposal; the user will review it."

    def list(self) -> list[FileChange]:
        return [c for c in self.changes.values() if c.new != c.original]


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
    a = (change.original or "").splitlines(keepends=True)
    b = change.new.splitlines(keepends=True)
    lines = list(
        difflib.unified_diff(
            a,
            b,
            fromfile="/dev/null" if change.created else f"a/{change.rel}",
            tofile=f"b/{change.rel}",
        )
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
