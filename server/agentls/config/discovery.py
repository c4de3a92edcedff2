"""Which configuration applies to a file: the nearest one, looking up from its folder.

From the folder of the file upwards, the first folder that holds a configuration gives it;
the search stops after the project root (the first folder holding ``.git`` or ``.hg``) or at
the file system's root. In one folder, ``.agentls.toml`` wins over ``agentls.toml``, which
wins over a ``pyproject.toml`` with a ``[tool.agentls]`` table (a ``pyproject.toml`` without
one is no configuration and the search goes on). One configuration applies; files are not
merged (ruff's rule: what applies is in one place). A configuration that loses to another in
its folder is reported (config-not-used) when it is checked.

``check`` and the language server ask the same :class:`ConfigStore`: one per check run,
one per server (told by watched-file events when a configuration changes). In the server, a
configuration file open in the editor is read from its buffer (:meth:`ConfigStore.set_text`):
what its own diagnostics say and what the other files are held to are the same text.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from agentls.config import FILE_NAMES, PROJECT_MARKERS, PYPROJECT
from agentls.config.model import Config, read_config
from agentls.config.policy import DEFAULT, Policy, policy_for
from agentls.fsread import read_file
from agentls.rules import codes
from agentls.rules.registry import finding
from agentls.types import Range

# bytes; a configuration is a few hundred. A larger file is not read (and says so).
MAX_CONFIG_SIZE = 1_000_000


@dataclass(frozen=True, slots=True)
class _Read:
    stamp: tuple[int, int]  # (mtime_ns, size)
    config: Config | None


class ConfigStore:
    """Configurations by folder, read once (and again when :meth:`forget` is told)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._nearest: dict[str, str | None] = {}  # folder -> configuration file or None
        self._files: dict[str, _Read | None] = {}  # configuration file -> what it holds
        self._texts: dict[str, str] = {}  # configuration file -> the text an editor holds
        # bumped by every change: a reading that began before one is not kept
        self.generation = 0
        # the pyproject.toml files last read with a [tool.agentls] table (kept by forget())
        self._with_table: set[str] = set()

    def forget(self) -> None:
        """A configuration file was created, changed or deleted."""
        with self._lock:
            self.generation += 1
            self._nearest.clear()
            self._files.clear()

    def set_text(self, path: str, text: str | None) -> bool:
        """The configuration file ``path`` is open in an editor with ``text`` (None: it
        was closed, the disk counts again). Whether what is read may have changed."""
        path = os.path.abspath(path)
        with self._lock:
            if text is None:
                changed = self._texts.pop(path, None) is not None
            else:
                changed = self._texts.get(path) != text
                self._texts[path] = text
            if changed:
                self.generation += 1
                self._nearest.clear()
                self._files.clear()
        return changed

    def editor_texts(self) -> dict[str, str]:
        """The configuration files open in an editor, with their texts (what a worker
        process must be given to read the configurations as this store does)."""
        with self._lock:
            return dict(self._texts)

    def concerns(self, path: str) -> bool:
        """Whether a change on disk to the file ``path`` (named like a configuration) may
        change what is read: an ``agentls.toml`` or ``.agentls.toml`` always; a
        ``pyproject.toml`` only when it held an agentls configuration or now mentions
        agentls. Most pyproject.toml changes are a project's dependencies: reading every
        configuration again and rebuilding the index for each would be waste."""
        path = os.path.abspath(path)
        if os.path.basename(path) != PYPROJECT:
            return True
        with self._lock:
            if path in self._with_table or path in self._texts:
                return True
        got = read_file(path, MAX_CONFIG_SIZE)  # a few hundred bytes; never waits (fsread)
        return got.data is not None and b"agentls" in got.data

    # ------------------------------------------------------------------ look-ups

    def config_for(self, path: str | None) -> Config | None:
        """The configuration of the file at ``path`` (absolute), if any."""
        if not path:
            return None
        folder = os.path.dirname(os.path.abspath(path))
        found = self._nearest_file(folder)
        return self._config(found) if found else None

    def policy_for(self, path: str | None) -> Policy:
        config = self.config_for(path)
        return policy_for(config, os.path.abspath(path)) if path and config else DEFAULT

    def winner_in(self, folder: str) -> str | None:
        """The configuration file that applies in ``folder`` itself (not above it)."""
        for name in FILE_NAMES:
            candidate = os.path.join(folder, name)
            if self._config(candidate) is not None:
                return candidate
        return None

    def _nearest_file(self, folder: str) -> str | None:
        seen: list[str] = []
        found: str | None = None
        current = folder
        generation = self.generation
        while True:
            with self._lock:
                if current in self._nearest:
                    found = self._nearest[current]
                    break
            seen.append(current)
            found = self.winner_in(current)
            if found is not None or _is_project_root(current):
                break
            up = os.path.dirname(current)
            if up == current:
                break
            current = up
        with self._lock:
            if generation == self.generation:
                for f in seen:
                    self._nearest[f] = found
        return found

    def _config(self, path: str) -> Config | None:
        with self._lock:
            if path in self._files:
                hit = self._files[path]
                return hit.config if hit else None
            text = self._texts.get(path)
            generation = self.generation
        read: _Read | None
        if text is not None:
            read = _Read((0, len(text)), read_config(path, os.path.dirname(path), text))
        else:
            try:
                st = os.stat(path)
            except OSError:
                read = None
            else:
                read = _Read((st.st_mtime_ns, st.st_size), _load(path))
        with self._lock:
            if generation == self.generation:
                self._files[path] = read
            if os.path.basename(path) == PYPROJECT:
                if read is not None and read.config is not None:
                    self._with_table.add(path)
                else:
                    self._with_table.discard(path)
        return read.config if read else None


def _is_project_root(folder: str) -> bool:
    return any(os.path.exists(os.path.join(folder, m)) for m in PROJECT_MARKERS)


def _load(path: str) -> Config | None:
    folder = os.path.dirname(path)
    got = read_file(path, MAX_CONFIG_SIZE)  # a FIFO or device named like one: refused
    if got.data is None:
        return _unreadable(path, folder, f"it is {got.problem}")
    try:
        text = got.data.decode("utf-8")
    except UnicodeDecodeError:
        return _unreadable(path, folder, "it is not UTF-8 text")
    return read_config(path, folder, text)


def _unreadable(path: str, folder: str, why: str) -> Config | None:
    if os.path.basename(path) == PYPROJECT:
        return None  # most likely not ours
    problem = finding(
        codes.CONFIG_SYNTAX,
        Range.of(0, 0),
        f"agentls cannot read this configuration: {why}. None of it applies.",
    )
    return Config(path, folder, "", findings=(problem,), valid=False)
