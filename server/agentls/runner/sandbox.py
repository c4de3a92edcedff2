"""Read, Grep and Glob for agents, confined to one workspace root.

Every path is checked twice: as written (no NUL, no Windows drive or backslash, no URL, no
denied name such as ``.env`` or ``.git``) and as resolved (symlinks followed, the result must
stay under the resolved root and must not be denied either). Files are opened without
following a final symlink and without blocking, then checked on the open descriptor: only
regular files, not hard-linked (a hard link can point out of the workspace), under the size
cap. Outputs are capped. Errors are :class:`SandboxError` with a message for the model.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agentls import fsread
from agentls.lines import line_texts
from agentls.runner.deny import denied_name, denied_part
from agentls.runner.globmatch import Glob, GlobError

MAX_READ_BYTES = 256 * 1024
MAX_GREP_FILE_BYTES = 1024 * 1024
MAX_GREP_TOTAL_BYTES = 32 * 1024 * 1024
MAX_LINES = 2000
MAX_LINE_CHARS = 2000
MAX_OUTPUT_CHARS = 60_000
MAX_RESULTS = 300
MAX_FILES_SCANNED = 5000
MAX_PATTERN = 500

_TEXT_CONTROLS = "\t\n\r\f\v\x1b"  # control characters that text files do hold
_SKIP_WALK = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox"}


class SandboxError(Exception):
    """A refused or failed tool call; the message goes back to the model."""


class NotUtf8(SandboxError):
    """A file whose bytes are not UTF-8: readable (with replacement), never edited."""


class UnsafeRoot(SandboxError):
    """The root asked for is ``/``, the home folder or a folder above it."""


def _homes() -> set[Path]:
    """The home folder as the environment says and as the password database says (a
    changed ``$HOME`` does not move the real one's credentials)."""
    homes = {os.path.expanduser("~")}
    try:
        import pwd

        homes.add(pwd.getpwuid(os.getuid()).pw_dir)
    except (ImportError, KeyError, OSError):  # Windows, or a uid without an entry
        pass
    return {Path(os.path.realpath(h)) for h in homes if h and os.path.isabs(h)}


def check_root(root: Path) -> Path:
    """The real path of ``root``, or :class:`UnsafeRoot` when it may not be an agent's
    workspace (:func:`agentls.discovery.root_refusal`) for the home folder as the
    environment or the password database says it: agents never get the run of the user's
    credentials, whatever folder a caller chose (defence in depth: the callers choose a
    project folder)."""
    from agentls.discovery import root_refusal

    real = Path(os.path.realpath(root))
    for home in sorted(_homes()):
        why = root_refusal(real, home)
        if why is not None:
            raise UnsafeRoot(
                f"refused: {why}; agents run in a project folder (open one, or pass --workspace)"
            )
    return real


@dataclass
class Sandbox:
    root: Path
    given_root: Path = Path()
    #: the root's components below the home folder that holds it (none when outside every
    #: home): the deny list's path patterns are matched across them too (``.config/gcloud``
    #: with the root ``~/.config/...``)
    context: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.given_root = Path(os.path.abspath(self.root))
        self.root = check_root(self.root)
        self.context = next(
            (self.root.relative_to(h).parts for h in _homes() if self.root.is_relative_to(h)),
            (),
        )

    # ------------------------------------------------------------------ paths

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return path.name

    def resolve(self, raw: str | None, *, allow_root: bool = True) -> Path:
        """The real path for ``raw`` inside the root, or :class:`SandboxError`."""
        if raw is None or raw.strip() in {"", "."}:
            if allow_root:
                return self.root
            raise SandboxError("a file path is required")
        if not isinstance(raw, str):
            raise SandboxError("the path must be a string")
        if "\x00" in raw:
            raise SandboxError("refused: the path contains a NUL byte")
        if "\\" in raw or re.match(r"^[A-Za-z]:", raw):
            raise SandboxError("refused: Windows-style paths are not accepted; use / separators")
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", raw):
            raise SandboxError("refused: URLs are not paths")
        if raw.startswith("~"):
            raise SandboxError("refused: paths outside the workspace are not readable")
        given = PurePosixPath(raw)
        if ".." in given.parts:
            raise SandboxError("refused: '..' is not allowed in paths")
        candidate = Path(raw) if given.is_absolute() else self.root / raw
        # Lexically inside first (an absolute path must name the workspace).
        lexical = Path(os.path.normpath(candidate))
        if _within(lexical, self.root):
            parts = lexical.relative_to(self.root).parts
        elif _within(lexical, self.given_root):
            parts = lexical.relative_to(self.given_root).parts
        else:
            raise SandboxError("refused: the path is outside the workspace")
        _refuse_denied(parts, self.context)
        real = Path(os.path.realpath(candidate))
        if not _within(real, self.root):
            raise SandboxError("refused: the path leads outside the workspace (symlink)")
        _refuse_denied(real.relative_to(self.root).parts, self.context)
        return real

    # ------------------------------------------------------------------ files

    def _read_bytes(self, real: Path, cap: int) -> bytes:
        """The bytes of a workspace file, read as every workspace file is
        (:func:`agentls.fsread.read_file`), with the sandbox's extra rules: no final symbolic
        link, no hard link, nothing outside the root."""
        got = fsread.read_file(
            str(real), cap, root=str(self.root), final_link=False, hard_links=False
        )
        if got.data is not None:
            return got.data
        rel = self.rel(real)
        if got.kind == fsread.MISSING:
            raise SandboxError(f"no such file: {rel}")
        if got.kind == fsread.FOLDER:
            raise SandboxError(f"{rel} is a directory; use Glob to list it")
        if got.kind == fsread.TOO_LARGE:
            raise SandboxError(f"{rel} is too large ({got.size} bytes; the limit is {cap})")
        if got.kind == fsread.OUTSIDE:
            raise SandboxError("refused: the path leads outside the workspace (symlink)")
        if got.kind in (fsread.SPECIAL, fsread.REFUSED_LINK):
            raise SandboxError(f"refused: {rel} is {got.problem}")
        raise SandboxError(f"cannot open {rel}: {got.problem}")

    def read(self, file_path: str, offset: int | None = None, limit: int | None = None) -> str:
        """The file with line numbers (``cat -n`` style), like Claude Code's Read; lines as
        LSP counts them, so that the numbers are the editor's."""
        real = self.resolve(file_path, allow_root=False)
        data = self._read_bytes(real, MAX_READ_BYTES)
        note = ""
        try:
            text = self._decode_exact(real, data)
        except NotUtf8:
            text = data.decode("utf-8", "replace")
            note = (
                f"\n[{self.rel(real)} is not UTF-8 text: bytes that are not UTF-8 are shown "
                "as \ufffd; agentls cannot propose changes to it]"
            )
        lines = line_texts(text)
        start = max(1, int(offset or 1))
        count = max(1, min(int(limit or MAX_LINES), MAX_LINES))
        out = []
        for n in range(start, min(len(lines), start + count - 1) + 1):
            line = lines[n - 1]
            if len(line) > MAX_LINE_CHARS:
                line = line[:MAX_LINE_CHARS] + " [line truncated]"
            out.append(f"{n:6}\t{line}")
        if not lines:
            return f"({self.rel(real)} is empty)"
        if not out:  # an offset past the end used to give an empty answer
            return f"({self.rel(real)} has {len(lines)} lines: offset {start} is past its end)"
        result = "\n".join(out)
        if start + count - 1 < len(lines):
            result += f"\n[{len(lines) - (start + count - 1)} more lines; use offset to read on]"
        return _cap(result) + note

    def read_text(self, file_path: str) -> str:
        """The exact text of a workspace file, for edit proposals: UTF-8 only, so that the
        text turns back into the same bytes (BOM, CR LF, mixed breaks, no final newline
        kept); anything else is refused with the reason, for the model and the user."""
        real = self.resolve(file_path, allow_root=False)
        return self._decode_exact(real, self._read_bytes(real, MAX_READ_BYTES))

    def _decode_exact(self, real: Path, data: bytes) -> str:
        rel = self.rel(real)
        if b"\x00" in data:
            raise SandboxError(f"{rel} is a binary file (it contains NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise NotUtf8(
                f"{rel} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); "
                "agentls changes UTF-8 files only, byte for byte, so it cannot propose a "
                "change to this one: describe the change in your answer instead"
            ) from None
        sample = text[:8192]
        controls = sum(1 for c in sample if c < " " and c not in _TEXT_CONTROLS)
        if controls > max(8, len(sample) // 100):
            raise SandboxError(
                f"{rel} looks like a binary file ({controls} control characters in its first "
                f"{len(sample)} characters)"
            )
        return text

    # ------------------------------------------------------------------ walking

    def _walk(self, base: Path, stop: _Stop) -> list[Path]:
        """The readable files below ``base``, in order; at most ``MAX_FILES_SCANNED`` (then
        ``stop.files_capped``), and none once the deadline has passed (``stop.timed_out``)."""
        files: list[Path] = []
        if base.is_file():
            return [base]
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            here = Path(dirpath).relative_to(self.root).parts
            stop.skipped_dirs.update(
                "/".join((*here, d)) for d in dirnames if d in _SKIP_WALK and not denied_name(d)
            )
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in _SKIP_WALK
                and not denied_name(d)
                and denied_part((*here, d), self.context) is None
            )
            for name in sorted(filenames):
                if stop.expired():
                    return files
                if denied_name(name):
                    continue
                p = Path(dirpath) / name
                try:
                    real = Path(os.path.realpath(p))
                except OSError:
                    continue
                if not _within(real, self.root):
                    continue
                written = (*here, name)
                resolved = real.relative_to(self.root).parts
                if denied_part(written, self.context) or (
                    resolved != written and denied_part(resolved, self.context)
                ):
                    continue
                files.append(p)
                if len(files) >= MAX_FILES_SCANNED:
                    stop.files_capped = True
                    return files
        return files

    def glob(self, pattern: str, path: str | None = None, deadline: float | None = None) -> str:
        """Files whose path below ``path`` matches ``pattern`` (:mod:`globmatch`)."""
        if not pattern or len(pattern) > MAX_PATTERN:
            raise SandboxError(f"the pattern must have 1 to {MAX_PATTERN} characters")
        if pattern.startswith("/") or ".." in PurePosixPath(pattern).parts or "\\" in pattern:
            raise SandboxError("refused: the pattern must be relative, without '..'")
        matcher = _compile_glob(pattern)
        base = self.resolve(path)
        if not base.is_dir():
            raise SandboxError(f"{self.rel(base)} is not a directory")
        stop = _Stop(deadline)
        hits = []
        for p in self._walk(base, stop):
            if matcher.match(p.relative_to(base).as_posix()):
                hits.append(self.rel(p))
                if len(hits) >= MAX_RESULTS:
                    stop.results_capped = True
                    break
        return _answer(hits, "No files found", stop)

    def grep(
        self,
        pattern: str,
        path: str | None = None,
        glob: str | None = None,
        case_insensitive: bool = False,
        output_mode: str = "content",
        deadline: float | None = None,
    ) -> str:
        """``path:line:text`` of the lines matching ``pattern`` (LSP lines, as Read numbers
        them), or the files with a match. A regular expression that backtracks for ever is
        stopped by the caller (the tool worker), not here."""
        if not pattern or len(pattern) > MAX_PATTERN:
            raise SandboxError(f"the pattern must have 1 to {MAX_PATTERN} characters")
        try:
            rx = re.compile(pattern, re.IGNORECASE if case_insensitive else 0)
        except (re.error, RecursionError, OverflowError) as e:
            raise SandboxError(f"invalid regular expression: {e}") from None
        matcher = _compile_glob(glob) if glob else None
        base = self.resolve(path)
        stop = _Stop(deadline)
        out: list[str] = []
        files_with: list[str] = []
        total = 0
        for p in self._walk(base, stop):
            rel = self.rel(p)
            if matcher is not None and not matcher.match(rel):
                continue
            try:
                data = self._read_bytes(p, MAX_GREP_FILE_BYTES)
            except SandboxError:
                stop.skipped += 1
                continue
            if b"\x00" in data:
                stop.binary += 1
                continue
            total += len(data)
            if total > MAX_GREP_TOTAL_BYTES:
                stop.bytes_capped = True
                break
            hit = False
            for n, line in enumerate(line_texts(data.decode("utf-8", "replace")), 1):
                line = line[:MAX_LINE_CHARS]
                if rx.search(line):
                    hit = True
                    if output_mode == "content":
                        out.append(f"{rel}:{n}:{line}")
                        if len(out) >= MAX_RESULTS:
                            break
            if hit:
                files_with.append(rel)
            if len(out) >= MAX_RESULTS or len(files_with) >= MAX_RESULTS:
                stop.results_capped = True
                break
            if stop.expired():
                break
        return _answer(out if output_mode == "content" else files_with, "No matches found", stop)


@dataclass
class _Stop:
    """Why a search ended early: each reason is said in the answer, never silently."""

    deadline: float | None
    timed_out: bool = False
    files_capped: bool = False
    results_capped: bool = False
    bytes_capped: bool = False
    skipped: int = 0  # files not searched: too large or unreadable
    binary: int = 0  # files not searched: they hold NUL bytes
    skipped_dirs: set[str] = field(default_factory=set)  # node_modules, .venv...: not walked

    def expired(self) -> bool:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.timed_out = True
        return self.timed_out

    def notes(self) -> list[str]:
        out = []
        if self.timed_out:
            out.append("the search ran out of time and was stopped: results so far")
        if self.files_capped:
            out.append(f"stopped after {MAX_FILES_SCANNED:,} files: narrow the path or the pattern")
        if self.bytes_capped:
            out.append(f"stopped after reading {MAX_GREP_TOTAL_BYTES // 2**20} MB of files")
        if self.results_capped:
            out.append(f"results capped at {MAX_RESULTS}: narrow the search")
        if self.skipped:
            out.append(
                f"{self.skipped} file(s) not searched (over {MAX_GREP_FILE_BYTES // 2**20} MB, "
                "not regular files, or unreadable)"
            )
        if self.binary:
            out.append(f"{self.binary} binary file(s) not searched")
        if self.skipped_dirs:
            shown = sorted(self.skipped_dirs)
            more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
            out.append(
                f"not looked into: {', '.join(d + '/' for d in shown[:5])}{more} "
                "(dependency and build folders; give one as the path to search it)"
            )
        return out


def _answer(lines: list[str], nothing: str, stop: _Stop) -> str:
    notes = "".join(f"\n[{n}]" for n in stop.notes())
    if not lines:
        return nothing + notes
    return _cap("\n".join(lines) + notes)


def _compile_glob(pattern: str) -> Glob:
    try:
        return Glob.compile(pattern)
    except GlobError as e:
        raise SandboxError(str(e)) from None


def _refuse_denied(parts: tuple[str, ...], context: tuple[str, ...]) -> None:
    part = denied_part(parts, context)
    if part is not None:
        raise SandboxError(
            f"refused: {part!r} is a protected file or folder (credentials, keys, tokens, "
            "histories and state files are never read or written by agents)"
        )


def _within(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _cap(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    return text[:MAX_OUTPUT_CHARS] + "\n[output truncated]"
