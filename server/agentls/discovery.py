"""Where agentls looks for files: one answer for ``check``, the index, the runner and completion.

- the folders never walked (:data:`SKIP_DIRS`) and the walk itself (:func:`walk`), which says
  which folders it could not read;
- the files ``check`` looks at (:func:`check_candidates`) and the files the index reads
  (:func:`index_files`);
- the folders of definitions outside a project tree: the user's (``$CLAUDE_CONFIG_DIR``,
  ``~/.claude``) and the bundled ones (:func:`definition_folders`), in Claude Code's order of
  precedence;
- the project around a file (:func:`project_root`) and its ``.mcp.json``
  (:func:`mcp_servers_for`);
- the root an agent run may read (:func:`run_root`): never ``$HOME``, ``/`` or a folder above
  ``$HOME``.

Plugin folders are found by dialect detection (:func:`agentls.dialects.registry.plugin_root`).
Files are read by :mod:`agentls.fsread`. Must not import the engine (``check``'s start-up).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from agentls.config import FILE_NAMES as CONFIG_FILES
from agentls.dialects.registry import detect_dialect, in_claude_agents_dir, suffix_of
from agentls.fsread import read_file

if TYPE_CHECKING:
    from agentls.config.discovery import ConfigStore

# Folders no agent definition lives in, and which can be large: never walked.
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
MCP_CONFIG = ".mcp.json"
# bytes; a larger .mcp.json or plugin manifest is not read (its servers or name are unknown)
MAX_MCP_CONFIG = 1_000_000


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or folder that could not be read, and why (for a line the user sees)."""

    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


# --------------------------------------------------------------------------- walking


def walk(folder: str, skipped: list[Skipped] | None = None) -> Iterator[tuple[str, str, list[str]]]:
    """``(folder as walked, its absolute path, its file names sorted)`` of ``folder`` and
    every folder below it, skipping :data:`SKIP_DIRS`, without following links to folders.
    Folders that cannot be listed are added to ``skipped``."""

    def unreadable(exc: OSError) -> None:
        if skipped is not None:
            reason = (exc.strerror or str(exc)).lower()
            skipped.append(Skipped(str(exc.filename or folder), f"folder not read: {reason}"))

    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        yield root, os.path.abspath(root), sorted(files)


# A skill manifest in any case (SKILLS.MD is never loaded, and said so: AL506).
SKILL_NAMES = frozenset({"skill.md", "skills.md"})


def check_candidates(
    paths: Iterable[str],
    forced: str | None,
    skipped: list[Skipped] | None = None,
    configs: ConfigStore | None = None,
    excluded: list[Skipped] | None = None,
) -> Iterator[str]:
    """Files ``check`` looks at: whatever is named on the command line and is not a folder
    (a FIFO or a dangling link too: reading it says why it cannot be checked); in folders,
    the files recognised by their path (with ``forced``, every file of that dialect's kind:
    ``.md``, Cursor's ``.mdc``, or ``.json`` for Claude Code's JSON files), agentls's
    configuration files, and the files the configuration's ``dialects`` names. A file the
    configuration excludes is left out, named on the command line or not (a pre-commit hook
    names every file), and added to ``excluded`` with the reason."""
    seen: set[str] = set()

    def is_excluded(path: str) -> bool:
        if configs is None:
            return False
        why = configs.policy_for(os.path.abspath(path)).excluded
        if why is not None and excluded is not None:
            excluded.append(Skipped(path, f"excluded by {why}"))
        return why is not None

    for p in paths:
        if not os.path.isdir(p):
            if not os.path.lexists(p):
                raise FileNotFoundError(p)
            if p not in seen and not is_excluded(p):  # a file, or a FIFO...: reading says why
                seen.add(p)
                yield p
            continue
        for root, abs_root, files in walk(p, skipped):
            # Every dialect is a .md (Cursor .mdc) file or one of Claude Code's JSON files;
            # inside .claude/agents any file is looked at (a wrong extension is a finding).
            # The rest of a repository's files are passed over without a path look-up,
            # unless the configuration of the folder maps paths to dialects or excludes some.
            agents_dir = in_claude_agents_dir(os.path.join(abs_root, "x"))
            config = configs.config_for(os.path.join(abs_root, "x")) if configs else None
            mapped = config is not None and bool(config.dialects)
            for name in files:
                if (
                    not agents_dir
                    and not name.endswith((".md", ".mdc", ".json"))
                    and name.lower() not in SKILL_NAMES
                    and name not in CONFIG_FILES
                    and not mapped
                ):
                    continue
                full = os.path.join(root, name)
                if full in seen:
                    continue
                absolute = os.path.join(abs_root, name)
                policy = configs.policy_for(absolute) if configs and config else None
                if policy is not None and policy.excluded is not None:
                    if excluded is not None:
                        excluded.append(Skipped(full, f"excluded by {policy.excluded}"))
                    continue
                if forced:
                    if name.endswith(suffix_of(forced)):
                        seen.add(full)
                        yield full
                    continue
                if (
                    detect_dialect(absolute)
                    or (policy is not None and policy.dialect)
                    or (agents_dir and name.lower().endswith((".md", ".markdown")))
                ):
                    seen.add(full)
                    yield full


# --------------------------------------------------------------------------- definitions


@dataclass(frozen=True, slots=True)
class DefinitionFolder:
    """A folder of Claude Code definitions of one kind, outside a project's tree walk."""

    scope: str  # "project" | "user" | "bundled"
    folder: Path
    dialect: str  # how its files are read: claude-agent, claude-command or claude-skill

    def files(self) -> list[Path]:
        """Its definition files, sorted (a skill is ``<name>/SKILL.md``; agents and commands
        are ``**/*.md``; bundled agents ``*.md``). Entries that are not regular files are
        listed too (reading them says why they cannot be read), folders are not."""
        pattern = {"claude-skill": "*/SKILL.md"}.get(self.dialect, "**/*.md")
        if self.scope == "bundled":
            pattern = "*.md"
        try:
            return sorted(p for p in self.folder.glob(pattern) if not p.is_dir())
        except OSError:
            return []


_SUBFOLDERS = (
    ("agents", "claude-agent"),
    ("commands", "claude-command"),
    ("skills", "claude-skill"),
)


def user_dirs() -> list[Path]:
    """The user's Claude Code folders: ``$CLAUDE_CONFIG_DIR`` (when set), then ``~/.claude``."""
    out: list[Path] = []
    cfg = os.environ.get("CLAUDE_CONFIG_DIR")
    if cfg:
        out.append(Path(cfg).expanduser())
    home = Path("~").expanduser() / ".claude"
    if home not in out:
        out.append(home)
    return out


def bundled_agents_dir() -> Path | None:
    """The bundled agents: package data in a wheel, ``agents/`` in a source checkout."""
    from importlib import resources  # ~10 ms: not for the language server's start-up

    try:
        res = resources.files("agentls").joinpath("bundled_agents")
        if res.is_dir():
            return Path(str(res))
    except (ModuleNotFoundError, OSError):
        pass
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "agents"
        if (parent / "pyproject.toml").is_file() and cand.is_dir():
            return cand
    return None


def definition_folders(
    workspace: Path | None = None,
    *,
    user: bool = True,
    bundled: bool = True,
    dialects: Iterable[str] = ("claude-agent", "claude-command", "claude-skill"),
) -> list[DefinitionFolder]:
    """Folders of definitions of ``dialects``, highest precedence first: the workspace's
    ``.claude/`` (when given), the user's, the bundled agents. Folders that do not exist
    are left out."""
    wanted = set(dialects)
    bases: list[tuple[str, Path]] = []
    if workspace is not None:
        bases.append(("project", workspace / ".claude"))
    if user:
        bases += [("user", d) for d in user_dirs()]
    out = [
        DefinitionFolder(scope, base / sub, dialect)
        for scope, base in bases
        for sub, dialect in _SUBFOLDERS
        if dialect in wanted and (base / sub).is_dir()
    ]
    b = bundled_agents_dir() if bundled and "claude-agent" in wanted else None
    if b is not None:
        out.append(DefinitionFolder("bundled", b, "claude-agent"))
    return out


def index_files(
    folders: Iterable[str],
    dialects: frozenset[str],
    *,
    user: bool = True,
    bundled: bool = True,
    skipped: list[Skipped] | None = None,
    configs: ConfigStore | None = None,
    dialect_for: Callable[[str], str | None] | None = None,
) -> Iterator[tuple[str, str, str | None]]:
    """``(path, scope, forced dialect)`` of every file the index reads: the files of
    ``dialects`` in ``folders`` (agents, skills, commands... and their settings and
    ``.mcp.json`` files), then the user's and the bundled definitions. A file's dialect is
    the one the engine gives it: ``dialect_for`` (the editor's ``dialects`` setting, forced),
    else the project configuration's ``dialects`` (from ``configs``), else its path. A file
    the configuration excludes is left out (the engine would give it no entry)."""
    for folder in folders:
        for root, abs_root, files in walk(folder, skipped):
            # Only .md and .json files are recognised by their path; any file may be mapped.
            config = configs.config_for(os.path.join(abs_root, "x")) if configs else None
            mapped = dialect_for is not None or (config is not None and bool(config.dialects))
            for name in files:
                if not mapped and not name.endswith((".md", ".json")):
                    continue
                full = os.path.join(root, name)
                forced = dialect_for(full) if dialect_for is not None else None
                policy = (
                    configs.policy_for(os.path.join(abs_root, name))
                    if configs is not None and config is not None
                    else None
                )
                if policy is not None and policy.excluded is not None:
                    continue
                dialect = forced or (policy.dialect if policy else None) or detect_dialect(full)
                if dialect in dialects:
                    yield full, "project", forced
    for d in definition_folders(None, user=user, bundled=bundled):
        for p in d.files():
            yield str(p), d.scope, d.dialect


# --------------------------------------------------------------------------- the project


def project_root(path: str | None) -> str | None:
    """The folder holding the ``.claude`` folder that contains ``path``, if any."""
    if not path:
        return None
    p = path.replace("\\", "/")
    i = p.rfind("/.claude/")
    return p[:i] if i > 0 else None


def mcp_servers_for(path: str | None) -> frozenset[str] | None:
    """Names of the MCP servers of the ``.mcp.json`` of the project of ``path`` (see
    :func:`project_root`); None when unknown."""
    root = project_root(path)
    return None if root is None else mcp_servers(root)[0]


def mcp_servers(root: str) -> tuple[frozenset[str] | None, Skipped | None]:
    """The MCP server names of ``root``'s ``.mcp.json`` (None when unknown), and why it
    could not be read when it exists but was not read (not a regular file, too large...)."""
    cfg = os.path.join(root, MCP_CONFIG)
    try:
        st = os.stat(cfg)
    except OSError:
        return None, None
    return _read_mcp(cfg, st.st_mtime_ns, st.st_size, st.st_ino)


@lru_cache(maxsize=64)
def _read_mcp(
    cfg: str, _mtime: int, _size: int, _ino: int
) -> tuple[frozenset[str] | None, Skipped | None]:
    got = read_file(cfg, MAX_MCP_CONFIG)
    if got.data is None:
        return None, Skipped(cfg, f"not read: {got.problem}")
    try:
        data = json.loads(got.data)
    except ValueError:
        return None, None
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    if not isinstance(servers, dict):
        return None, None
    return frozenset(str(k) for k in servers), None


def read_plugin_manifest(root: str) -> dict[str, object] | None:
    """The ``.claude-plugin/plugin.json`` of the plugin folder ``root`` (None: unreadable
    or not a JSON object)."""
    got = read_file(os.path.join(root, ".claude-plugin", "plugin.json"), MAX_MCP_CONFIG)
    if got.data is None:
        return None
    try:
        data = json.loads(got.data)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


# --------------------------------------------------------------------------- run roots

# What makes a folder a project, for the root of an agent run. Version-control roots and
# Claude Code's own project folder first (the whole repository is what an author means);
# build manifests only where no repository is found (a folder of its own).
VCS_MARKERS = (".git", ".hg", ".svn", ".jj", ".claude")
BUILD_MARKERS = (
    "pyproject.toml",
    "setup.py",
    "package.json",
    "Cargo.toml",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "composer.json",
    "Gemfile",
    "mix.exs",
    "deno.json",
    "CMakeLists.txt",
    "Makefile",
)


@dataclass(frozen=True, slots=True)
class RunRoot:
    """The folder an agent run may read (None: none may be), and what to tell the user."""

    root: Path | None
    why: str  # "workspace folder", "project (.git)", "the file's folder"
    note: str | None = None  # said to the user (a fallback or a refusal)


def _home() -> Path:
    return Path(os.path.realpath(Path("~").expanduser()))


def forbidden_root(folder: Path, home: Path | None = None) -> bool:
    """Whether ``folder`` must never be a run's root (:func:`root_refusal`)."""
    return root_refusal(folder, home) is not None


# Where programs keep their settings, state and credentials, when set to a folder of its own
_STATE_VARIABLES = (
    "CLAUDE_CONFIG_DIR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "XDG_CACHE_HOME",
)


def root_refusal(folder: Path, home: Path | None = None, *, resolved: bool = False) -> str | None:
    """Why ``folder`` must never be a run's root, in words (None: it may be one): ``/``,
    ``$HOME`` or a folder above it (a root there hands the agent ``~/.ssh``, ``~/.claude/
    .credentials.json``...), and the folders where programs keep their state: a hidden
    folder directly in ``$HOME`` (``~/.claude`` holds every transcript and
    ``settings.json`` with its ``env``; ``~/.config`` holds ``gh`` and Copilot tokens),
    ``$CLAUDE_CONFIG_DIR`` and the XDG base folders. A project below one of them
    (``~/.config/nvim``) may still be a root: the deny list's path patterns cover the
    state kept there (:mod:`agentls.runner.deny`)."""
    home = home or _home()
    # ``resolved``: ``folder`` is a real path already (a parent of one): realpath walks every
    # component, and run_root asks for each parent of a file, O(depth^2): a codeAction on a
    # file 2,000 folders deep took 100 s (issue 14 class 12, second attack)
    real = folder if resolved else Path(os.path.realpath(folder))
    # compared as strings: Path.is_relative_to parses its argument again, every part of it
    at, home_at = str(real), str(home)
    parent, _, name = at.rpartition(os.sep)
    if real == real.parent:
        return f"{real} is the file system root"
    if at == home_at:
        return f"{real} is your home folder, where credentials live"
    if home_at.startswith(at.rstrip(os.sep) + os.sep):
        return f"{real} is a folder above your home folder ({home})"
    if parent == home_at and name.startswith("."):
        return f"{real} is where programs keep their settings, state and credentials"
    for var in _STATE_VARIABLES:
        value = os.environ.get(var)
        if value and os.path.isabs(value) and at == os.path.realpath(value):
            return f"{real} is ${var}, where programs keep their settings, state and credentials"
    return None


def _has_marker(folder: Path, names: Iterable[str], user_config: frozenset[Path]) -> str | None:
    base = str(folder)  # strings: a Path per marker parses every part of a deep folder again
    for name in names:
        cand = os.path.join(base, name)
        if name == ".claude":
            if os.path.isdir(cand) and Path(os.path.realpath(cand)) not in user_config:
                return name
        elif os.path.exists(cand):
            return name
    return None


def run_root(
    file: Path,
    folders: Iterable[Path | str] = (),
    *,
    home: Path | None = None,
    is_allowed: Callable[[Path], bool] | None = None,
) -> RunRoot:
    """The root of an agent run on ``file``.

    1. the deepest workspace folder (``folders``) holding the file;
    2. else the nearest folder above the file, below ``$HOME`` (or below ``/`` for files
       outside it), with a version-control folder or a project ``.claude/`` (not
       ``~/.claude``); else the nearest one with a build manifest (:data:`BUILD_MARKERS`);
    3. else the file's own folder, said in the note;

    never ``/``, ``$HOME`` or a folder above ``$HOME`` (:func:`forbidden_root`), nor a
    top-level folder such as ``/tmp`` for a file without a project. When nothing is left,
    ``root`` is None and the note says why."""
    home = Path(os.path.realpath(home)) if home is not None else _home()
    allowed = is_allowed or (lambda d: root_refusal(d, home, resolved=True) is None)
    real = Path(os.path.realpath(file))
    inside = [
        Path(os.path.realpath(f)) for f in folders if f and real.is_relative_to(os.path.realpath(f))
    ]
    for f in sorted(inside, key=lambda p: len(p.parts), reverse=True):
        if allowed(f):
            return RunRoot(f, "workspace folder")
    user_config = frozenset(Path(os.path.realpath(d)) for d in user_dirs()) | {home / ".claude"}
    above: list[Path] = []
    for d in real.parents:
        if not allowed(d):
            break  # $HOME, `/`: nothing above is a project of this file
        above.append(d)
    for markers in (VCS_MARKERS, BUILD_MARKERS):
        for d in above:
            marker = _has_marker(d, markers, user_config)
            if marker is not None:
                return RunRoot(d, f"project ({marker})")
    own = real.parent
    if above and above[0] == own and len(own.parts) > 2:
        return RunRoot(
            own,
            "the file's folder",
            f"{real.name} is in no project (no {', '.join(VCS_MARKERS[:2])}, "
            f"{BUILD_MARKERS[0]}, {BUILD_MARKERS[2]}...): the agent may read {own} only",
        )
    where = "your home folder" if own == home else str(own)
    return RunRoot(
        None,
        "none",
        f"{real.name} is in no project and its folder is {where}: an agent is not given "
        "that folder to read. Put the file in a project (a folder with .git) or open its "
        "project's folder",
    )
