"""Memory files: ``CLAUDE.md``, ``CLAUDE.local.md``, ``.claude/CLAUDE.md``, ``AGENTS.md`` and
``~/.claude/CLAUDE.md``, and the files they import with ``@path``.

What Claude Code 2.1.332 does (read from the program; observed with a capture of the request,
tests/conformance/surface): an ``@path`` outside code spans, fenced blocks and HTML comments,
after a line start or white space, imports that file, relative to the importing file's folder
(``~/`` is the home folder, ``#...`` is dropped, ``\\ `` is a space). An import that names no
file, a non-text file or a file outside the project (until approved) is skipped without a
word. Imports are followed 4 levels deep: the file itself is level 0 and an import at level 5
is not read. A file already read is not read again. ``AGENTS.md`` is only read where there is
no ``CLAUDE.md``. Above 40,000 characters (5 % of a 200k context), Claude Code warns that a
large instruction file "will impact performance".
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

from agentls.data import load_json
from agentls.document.model import Document
from agentls.rules import codes
from agentls.rules.registry import finding
from agentls.types import Finding, Position, Range, Related, Severity

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MAX_READ = 4 * 1024 * 1024  # Claude Code skips instruction files over 4 MiB


@dataclass(frozen=True, slots=True)
class Import:
    """One ``@path`` of a memory file: where it is written and the file it names."""

    written: str  # as written after "@"
    target: str  # the absolute path it names
    range: Range  # the "@path" in the file


def _facts() -> dict[str, object]:
    data: dict[str, object] = load_json("claude-code-memory.json")
    return data


def _text_extensions() -> frozenset[str]:
    exts = _facts().get("textExtensions")
    return frozenset(exts) if isinstance(exts, list) else frozenset()


def imports(text: str, path: str) -> list[Import]:
    """The imports of a memory file, in order (each target once)."""
    pattern = re.compile(str(_facts()["import"]["pattern"]))  # type: ignore[index]
    folder = os.path.dirname(path)
    out: list[Import] = []
    seen: set[str] = set()
    in_fence: str | None = None
    masked = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    for n, line in enumerate(masked.split("\n")):
        fence = _FENCE.match(line)
        if fence:
            mark = fence.group(1)[0]
            if in_fence is None:
                in_fence = mark
            elif in_fence == mark:
                in_fence = None
            continue
        if in_fence is not None:
            continue
        clean = _CODE_SPAN.sub(lambda m: " " * len(m.group()), line)
        for m in pattern.finditer(clean):
            written = m.group(1)
            name = written.split("#", 1)[0].replace("\\ ", " ")
            if not name or not _accepted(name):
                continue
            target = os.path.normpath(
                os.path.expanduser(name) if name.startswith("~/") else os.path.join(folder, name)
            )
            if target in seen:
                continue
            seen.add(target)
            start = m.start(1) - 1
            out.append(Import(written, target, Range(Position(n, start), Position(n, m.end(1)))))
    return out


def _accepted(name: str) -> bool:
    """Claude Code's test of what counts as a file name after "@"."""
    if name.startswith(("./", "~/")) or (name.startswith("/") and name != "/"):
        return True
    return (
        not name.startswith("@")
        and not re.match(r"^[#%^&*()]+", name)
        and bool(re.match(r"^[a-zA-Z0-9._-]", name))
    )


def _looks_like_a_file(name: str) -> bool:
    """A name written as a path (``./x``, ``docs/a.md``, ``README.md``), not a mention
    (``@claude``, ``@tanstack/react-query``): only those are worth a warning when missing."""
    base = name.split("#", 1)[0]
    if base.startswith(("./", "../", "~/", "/")):
        return True
    last = base.rsplit("/", 1)[-1]
    return "." in last.strip(".") and not base.startswith("@")


def _read(path: str) -> str | None:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _MAX_READ:
            return None
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def _same_text(memory: str, text: str) -> bool:
    """Whether ``memory`` holds ``text`` (a link to the AGENTS.md, or a copy of it: a common
    way of serving both tools, where Claude Code reads the same words through CLAUDE.md)."""
    held = _read(memory)  # read with universal newlines: compare lines, not line breaks
    return held is not None and held.splitlines() == text.splitlines()


def _imports_file(memory: str, target: str) -> bool:
    text = _read(memory)
    return text is not None and any(i.target == target for i in imports(text, memory))


def project_root(path: str) -> str:
    """The git root above ``path`` (where Claude Code stops looking), or its folder."""
    folder = os.path.dirname(os.path.abspath(path))
    here = folder
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        up = os.path.dirname(here)
        if up == here:
            return folder
        here = up


def check_claude_memory(doc: Document, path: str | None) -> list[Finding]:
    if not path:
        return []
    text = doc.text
    out: list[Finding] = []
    facts = _facts()
    limit = int(facts.get("largeFileWarningMinChars", 40000))  # type: ignore[call-overload]
    folder = os.path.dirname(path)
    # beside a SKILL.md, the file is the skill's own document (read when the skill is used),
    # not an instruction file Claude Code loads when it starts, and it is no part of the
    # warning: the three AL945 findings of the hand review over real files were all there
    if len(text) > limit and not os.path.isfile(os.path.join(folder, "SKILL.md")):
        out.append(
            finding(
                codes.MEMORY_FILE_LARGE,
                Range(Position(0, 0), Position(0, len(doc.lines[0]) if doc.lines else 0)),
                f"{os.path.basename(path)} has {len(text):,} characters: Claude Code warns that "
                f'an instruction file over {limit:,} (with a 200k-token context) "will impact '
                'performance", and every conversation pays for it. Move details into files that '
                "agents or skills read when they need them.",
            )
        )
    base = os.path.basename(path)
    if base == "AGENTS.md":
        for other in ("CLAUDE.md", os.path.join(".claude", "CLAUDE.md"), "CLAUDE.local.md"):
            beside = os.path.join(folder, other)
            if os.path.isfile(beside):
                if _imports_file(beside, os.path.abspath(path)) or _same_text(beside, text):
                    break  # read through the import, or its text is what CLAUDE.md says
                out.append(
                    finding(
                        codes.AGENTS_MD_NOT_READ,
                        Range(Position(0, 0), Position(0, 0)),
                        f"Claude Code does not read this AGENTS.md: {other} is beside it (it "
                        f"only reads AGENTS.md where there is no CLAUDE.md). Import it from "
                        f"{other} with `@AGENTS.md` if Claude Code should read it.",
                        severity=Severity.INFORMATION,
                        related=[
                            Related(
                                beside,
                                Range(Position(0, 0), Position(0, 0)),
                                f"{other}, read instead",
                            )
                        ],
                    )
                )
                break
    root = project_root(path)
    exts = _text_extensions()
    max_depth = int(facts["import"]["maxDepth"])  # type: ignore[index]
    for imp in imports(text, path):
        out.extend(_check_import(imp, path, root, exts, max_depth))
    return out


def _check_import(
    imp: Import, path: str, root: str, exts: frozenset[str], max_depth: int
) -> list[Finding]:
    name = os.path.basename(imp.target)
    ext = os.path.splitext(name)[1].lower()
    if not os.path.isfile(imp.target):
        if not _looks_like_a_file(imp.written):
            return []
        return [
            finding(
                codes.MEMORY_IMPORT_MISSING,
                imp.range,
                f"`@{imp.written}` names no file ({_shown(imp.target, path)}): Claude Code "
                "skips it without a word.",
            )
        ]
    if ext and exts and ext not in exts:
        return [
            finding(
                codes.MEMORY_IMPORT_NOT_TEXT,
                imp.range,
                f'`@{imp.written}` is not a text file: Claude Code skips it ("Skipping '
                'non-text file in @include").',
                related=[
                    Related(imp.target, Range(Position(0, 0), Position(0, 0)), "the file skipped")
                ],
            )
        ]
    if not _inside(imp.target, root) and not imp.written.startswith("~/"):
        return [
            finding(
                codes.MEMORY_IMPORT_OUTSIDE_PROJECT,
                imp.range,
                f"`@{imp.written}` is outside the project: Claude Code reads it only after you "
                "approve external imports (and never in a non-interactive run).",
                severity=Severity.INFORMATION,
                related=[
                    Related(
                        imp.target,
                        Range(Position(0, 0), Position(0, 0)),
                        "the file outside the project",
                    )
                ],
            )
        ]
    back = _back_to(imp.target, os.path.abspath(path), root, exts, 1, max_depth, set())
    if back is not None:
        shown = " → ".join(os.path.basename(p) for p in [*back, path])
        return [
            finding(
                codes.MEMORY_IMPORT_CYCLE,
                imp.range,
                f"`@{imp.written}` leads back to this file ({shown}): Claude Code reads each "
                "file once, so the cycle adds nothing; an import that only closes a cycle can "
                "go.",
                severity=Severity.INFORMATION,
                related=[Related(back[-1], Range(Position(0, 0), Position(0, 0)), "imports it")],
            )
        ]
    chain = _too_deep(imp.target, root, exts, 1, max_depth, {os.path.abspath(path)})
    if chain is not None:
        deepest = chain[-1]
        return [
            finding(
                codes.MEMORY_IMPORT_TOO_DEEP,
                imp.range,
                f"Claude Code follows imports {max_depth - 1} levels deep: through this one it "
                f"skips `{os.path.basename(deepest)}` (level {max_depth}) and what that imports.",
                related=[Related(deepest, Range(Position(0, 0), Position(0, 0)), "not read")],
            )
        ]
    return []


def _back_to(
    target: str,
    home: str,
    root: str,
    exts: frozenset[str],
    depth: int,
    max_depth: int,
    seen: set[str],
) -> list[str] | None:
    """The chain of files from ``target`` to one that imports ``home`` again, within the
    depth Claude Code follows, if any."""
    if target in seen or depth >= max_depth:
        return None
    text = _read(target)
    if text is None:
        return None
    seen.add(target)
    found = imports(text, target)
    if any(i.target == home for i in found):
        return [target]
    for imp in found:
        ext = os.path.splitext(imp.target)[1].lower()
        if (ext and exts and ext not in exts) or not _inside(imp.target, root):
            continue
        deeper = _back_to(imp.target, home, root, exts, depth + 1, max_depth, seen)
        if deeper is not None:
            return [target, *deeper]
    return None


def _too_deep(
    target: str, root: str, exts: frozenset[str], depth: int, max_depth: int, seen: set[str]
) -> list[str] | None:
    """The chain of files from ``target`` down to the first one at ``max_depth``, if any."""
    if target in seen:
        return None
    if depth >= max_depth:
        return [target]
    text = _read(target)
    if text is None:
        return None
    seen = seen | {target}
    for imp in imports(text, target):
        ext = os.path.splitext(imp.target)[1].lower()
        if not os.path.isfile(imp.target) or (ext and exts and ext not in exts):
            continue
        if not _inside(imp.target, root):
            continue
        deeper = _too_deep(imp.target, root, exts, depth + 1, max_depth, seen)
        if deeper is not None:
            return [target, *deeper]
    return None


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([os.path.abspath(path), root]) == root
    except ValueError:
        return False


def _shown(target: str, path: str) -> str:
    rel = os.path.relpath(target, os.path.dirname(path))
    return rel if not rel.startswith("../../..") else target


def links(doc: Document, path: str) -> list[Import]:
    """The imports that name an existing file: document links and go-to-definition."""
    return [i for i in imports(doc.text, path) if os.path.isfile(i.target)]


def files_read(path: str) -> list[str]:
    """The files Claude Code reads for the memory file at ``path``: it and its imports, as far
    as it follows them (depth, text files, inside the project, each once)."""
    root = project_root(path)
    exts = _text_extensions()
    max_depth = int(_facts()["import"]["maxDepth"])  # type: ignore[index]
    out: list[str] = []

    def visit(target: str, depth: int) -> None:
        if target in out or depth >= max_depth:
            return
        text = _read(target)
        if text is None:
            return
        out.append(target)
        for imp in imports(text, target):
            ext = os.path.splitext(imp.target)[1].lower()
            if ext and exts and ext not in exts:
                continue
            if not _inside(imp.target, root) and not imp.written.startswith("~/"):
                continue
            visit(imp.target, depth + 1)

    visit(os.path.abspath(path), 0)
    return out
