"""What a colleague would need besides the selection, within a budget (pure functions).

- the **enclosing definitions**: the class, function or method headers above the selection
  (found by indentation, which brace languages keep too; a closing ``}`` / ``end`` at the
  header's indentation ends a definition), at most :data:`MAX_DEFINITIONS`; the innermost
  one in full when it has at most :data:`MAX_DEFINITION_LINES` lines;
- the file's **imports** (``import``, ``from … import``, ``#include``, ``use``,
  ``require``...), from its first :data:`IMPORT_SCAN_LINES` lines;
- the workspace's **project memory** as Claude Code gives it (``data/claude-code-memory.json``):
  ``CLAUDE.md``, ``.claude/CLAUDE.md`` and ``CLAUDE.local.md`` of the workspace root and of
  every folder down to the file's, ``AGENTS.md`` where a folder has none of those, and their
  ``@`` imports (inside the workspace only, read through the sandbox: the deny list holds);
  left out when the agent sets ``omitClaudeMd: true``;
- a short **tree** of the workspace (two levels, :data:`MAX_TREE_ENTRIES` entries; the
  folders :data:`agentls.discovery.SKIP_DIRS` and the denied names left out).

Everything is measured in estimated tokens (:func:`estimate_tokens`, 4 characters each: no
tokenizer is available offline; the API's usage gives the real figures afterwards) and kept
within a budget; what was left out is said, in the prompt and in the transcript.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

CHARS_PER_TOKEN = 4
MAX_DEFINITIONS = 3
MAX_DEFINITION_LINES = 150  # the innermost definition is given in full up to this size
MAX_HEADER_LINES = 6  # a multi-line signature
IMPORT_SCAN_LINES = 300
MAX_IMPORT_LINES = 60
MAX_TREE_ENTRIES = 60
MAX_MEMORY_TOKENS = 4000  # of the budget, for project memory at most
MAX_LINE_SCAN = 300  # characters of a line the header test reads


def estimate_tokens(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def _indent(line: str) -> int:
    stripped = line.lstrip(" \t")
    return len(line[: len(line) - len(stripped)].expandtabs(4))


# A line that starts a definition: a keyword of one of the common languages, or (brace
# languages) a signature: a name followed by "(" on a line that ends by opening a block.
_KEYWORD = re.compile(
    r"^\s*(?:(?:export|default|public|private|protected|internal|static|final|abstract|"
    r"override|virtual|sealed|async|pub|unsafe|extern|inline|open|data|suspend)\s+)*"
    r"(?:def|class|function\*?|func|fn|fun|struct|enum|trait|impl|interface|module|"
    r"namespace|object|record|protocol|extension|union|sub|proc|procedure|defmodule|defp|"
    r"defn|mixin|type)\b"
)
_CONTROL = re.compile(
    r"^\s*(?:}\s*)?(?:if|else|elif|elsif|for|foreach|while|do|switch|case|catch|try|finally|"
    r"return|with|match|when|unless|until|loop|select|using|lock|synchronized|defer|go)\b"
)
_OPENS = re.compile(r"(?:\{|:|=>|\bdo)\s*(?://[^\n]*|#[^\n]*)?$")
_ASSIGNED_FUNCTION = re.compile(
    r"^\s*(?:export\s+)?(?:const|let|var)\s+\w+\s*=\s*(?:async\s+)?(?:function\b|\(|\w+\s*=>)"
)


def is_header(line: str) -> bool:
    text = line[:MAX_LINE_SCAN]
    if _CONTROL.match(text):
        return False
    if _KEYWORD.match(text) or _ASSIGNED_FUNCTION.match(text):
        return True
    stripped = text.strip()
    return "(" in stripped and bool(_OPENS.search(stripped)) and not stripped.startswith(("}", ")"))


def _closes(stripped: str) -> bool:
    return stripped[:1] in ("}", "]", ")") or stripped == "end" or stripped.startswith("end ")


def definition_end(lines: list[str], start: int) -> int:
    """The last line of the definition whose header is ``lines[start]``."""
    ind = _indent(lines[start])
    end = start
    for j in range(start + 1, len(lines)):
        line = lines[j]
        stripped = line.strip()
        if not stripped:
            continue
        if _indent(line) <= ind:
            if _closes(stripped):
                end = j
                if _OPENS.search(stripped):  # "):" ending a long signature, "} else {"
                    continue
            break
        end = j
    return end


@dataclass(frozen=True)
class Definition:
    start: int  # 0-based, decorators / annotations included
    header_end: int  # last line of the signature
    end: int  # last line of the body

    @property
    def size(self) -> int:
        return self.end - self.start + 1


def enclosing_definitions(
    lines: list[str], first: int, last: int, limit: int = MAX_DEFINITIONS
) -> list[Definition]:
    """The definitions that enclose lines ``first..last`` (0-based), innermost first."""
    sel = [
        _indent(lines[i]) for i in range(first, min(last, len(lines) - 1) + 1) if lines[i].strip()
    ]
    if not sel:
        return []
    target = min(sel)
    out: list[Definition] = []
    for j in range(min(first, len(lines)) - 1, -1, -1):
        line = lines[j]
        if not line.strip():
            continue
        ind = _indent(line)
        if ind >= target:
            continue
        if is_header(line):
            end = definition_end(lines, j)
            if end >= last:
                start = j
                while start > 0 and lines[start - 1].strip().startswith(("@", "#[", "[")):
                    if _indent(lines[start - 1]) != ind:
                        break
                    start -= 1
                header_end = j
                for k in range(j, min(j + MAX_HEADER_LINES, end + 1)):
                    header_end = k
                    if _OPENS.search(lines[k].strip()):
                        break
                out.append(Definition(start, header_end, end))
                if len(out) >= limit:
                    break
        target = ind
        if ind == 0:
            break
    return out


_IMPORT = re.compile(
    r"^\s*(?:import\s|from\s+\S+\s+import\b|#\s*include\s|#\s*import\s|@import\s|"
    r"using\s+[\w.]+(?:\s*=\s*[\w.]+)?\s*;|use\s+[\w\\:{}]|require(?:_once)?\s*[(\s'\"]|"
    r"include(?:_once)?\s*[(\s'\"]|(?:const|let|var)\s+[\w{}\s,]+=\s*require\s*\(|"
    r"package\s+[\w.]+|extern\s+crate\s|library\s*\(|open\s+[A-Z])"
)
_OPEN_BRACKETS = {"(": ")", "{": "}", "[": "]"}


def import_lines(lines: list[str]) -> list[int]:
    """0-based numbers of the import statements among the first lines (a statement over
    several lines, ``from x import (`` … ``)``, counted whole)."""
    out: list[int] = []
    i = 0
    n = min(len(lines), IMPORT_SCAN_LINES)
    while i < n and len(out) < MAX_IMPORT_LINES:
        line = lines[i][:MAX_LINE_SCAN]
        if _IMPORT.match(line):
            out.append(i)
            depth = _bracket_depth(line)
            while depth > 0 and i + 1 < len(lines) and len(out) < MAX_IMPORT_LINES:
                i += 1
                out.append(i)
                depth += _bracket_depth(lines[i][:MAX_LINE_SCAN])
        i += 1
    return out


def _bracket_depth(line: str) -> int:
    opened = sum(line.count(c) for c in _OPEN_BRACKETS)
    closed = sum(line.count(c) for c in _OPEN_BRACKETS.values())
    return opened - closed


# --------------------------------------------------------------------------- project memory


@dataclass(frozen=True)
class MemoryFile:
    rel: str
    text: str


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?^ {0,3}\1[^\n]*$", re.M | re.S)
_SPAN = re.compile(r"`[^`\n]*`")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def memory_imports(text: str) -> list[str]:
    """The paths a memory file imports with ``@path`` (Claude Code's pattern, outside code
    blocks, code spans and HTML comments; ``#fragment`` dropped, ``\\ `` a space)."""
    from agentls.data import load_json

    facts = load_json("claude-code-memory.json")["import"]
    plain = _COMMENT.sub(" ", _SPAN.sub(" ", _FENCE.sub(" ", text)))
    out = []
    for m in re.finditer(facts["pattern"], plain):
        raw = m.group(1).split("#", 1)[0].replace("\\ ", " ")
        if not raw or raw == "/" or raw[0] in "@#%^&*()":
            continue
        if raw not in out:
            out.append(raw)
    return out


Reader = Callable[[str], str]  # the exact text of a workspace path, or an exception


def memory_files(
    root: Path, file_rel: str, read: Reader, exists: Callable[[str], bool]
) -> list[MemoryFile]:
    """The project memory of a file ``file_rel`` of the workspace ``root``, in the order
    Claude Code reads it (the root first), with their imports after each."""
    from agentls.data import load_json

    facts = load_json("claude-code-memory.json")
    project = [*facts["files"]["project"], facts["files"]["local"]]
    agents = list(facts["files"]["agents"])
    max_depth = int(facts["import"]["maxDepth"])
    folders = [""]
    parts = PurePosixPath(file_rel).parts[:-1]
    for k in range(1, len(parts) + 1):
        folders.append("/".join(parts[:k]))
    seen: set[str] = set()
    out: list[MemoryFile] = []

    def add(rel: str, depth: int) -> None:
        if rel in seen or depth >= max_depth:
            return
        seen.add(rel)
        try:
            text = read(rel)
        except Exception:  # denied, binary, not UTF-8, gone: Claude Code skips it too
            return
        out.append(MemoryFile(rel, text))
        base = PurePosixPath(rel).parent
        for imp in memory_imports(text):
            if imp.startswith("~") or os.path.isabs(imp):
                continue  # outside the workspace: agentls reads only the workspace
            target = os.path.normpath((base / imp).as_posix())
            if target.startswith("..") or target == ".":
                continue
            if exists(target):
                add(target, depth + 1)

    for folder in folders:
        names = [f"{folder}/{n}" if folder else n for n in project]
        found = [n for n in names if exists(n)]
        if not found:
            found = [n for n in (f"{folder}/{a}" if folder else a for a in agents) if exists(n)]
        for rel in found:
            add(rel, 0)
    return out


# --------------------------------------------------------------------------- workspace tree


def workspace_tree(
    root: Path, skip: Callable[[str], bool], limit: int = MAX_TREE_ENTRIES
) -> list[str]:
    """Two levels of the workspace, folders first (``name/``), at most ``limit`` lines;
    ``skip(name)`` leaves a name out (skipped folders, denied names)."""
    out: list[str] = []

    def entries(folder: Path) -> tuple[list[str], list[str]]:
        dirs: list[str] = []
        files: list[str] = []
        try:
            with os.scandir(folder) as it:
                for e in it:
                    if skip(e.name):
                        continue
                    try:
                        is_dir = e.is_dir(follow_symlinks=False)
                    except OSError:
                        continue
                    (dirs if is_dir else files).append(e.name)
        except OSError:
            pass
        return sorted(dirs), sorted(files)

    dirs, files = entries(root)
    total, shown = len(dirs) + len(files), 0
    for d in dirs:
        if len(out) >= limit:
            break
        shown += 1
        sub_dirs, sub_files = entries(root / d)
        count = len(sub_dirs) + len(sub_files)
        if count and (count > 12 or len(out) + 1 + count > limit):
            out.append(f"{d}/ ({count} entries)")
            continue
        out.append(f"{d}/")
        out += [f"  {s}/" for s in sub_dirs] + [f"  {f}" for f in sub_files]
    for f in files:
        if len(out) >= limit:
            break
        shown += 1
        out.append(f)
    if shown < total:
        out.append(f"… ({total - shown} more)")
    return out


# --------------------------------------------------------------------------- the budget


@dataclass
class Budget:
    """Estimated tokens: what each part took, what was left out and why."""

    limit: int
    used: dict[str, int] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.used.values())

    @property
    def left(self) -> int:
        return max(0, self.limit - self.total)

    def take(self, part: str, tokens: int) -> bool:
        """Count ``part`` when it fits (the selection always does)."""
        if part != "selection" and tokens > self.left:
            self.left_out.append(f"{part} (~{tokens:,} tokens)")
            return False
        self.used[part] = self.used.get(part, 0) + tokens
        return True

    def summary(self) -> str:
        parts = ", ".join(f"{k} {v:,}" for k, v in self.used.items())
        text = f"~{self.total:,} of {self.limit:,} tokens ({parts})"
        if self.left_out:
            text += "; left out for the budget: " + ", ".join(self.left_out)
        return text
