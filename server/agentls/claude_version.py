"""The Claude Code on the PATH against the version agentls's facts come from.

agentls's verdicts are those of one Claude Code release (``data/claude-code.json``); Claude
Code ships almost daily. When a ``claude`` executable is on the PATH and reports another
version, the server and ``check`` say so once, as information, with the way to stay on the
version agentls knows. ``claude --version`` reads no network and takes ~0.2 s; it runs at
most once per process, never with the user's API key in its environment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache

_VERSION = re.compile(r"^\s*(\d+\.\d+\.\d+)\b")
# What `claude --version` needs: a PATH and a HOME. Nothing else of the environment (API
# keys, base URLs) is passed to it.
_KEEP = ("PATH", "HOME", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "SYSTEMROOT", "TMPDIR")
TIMEOUT_S = 5.0


def parse_version(output: str) -> str | None:
    """``2.1.332 (Claude Code)`` → ``2.1.332``."""
    m = _VERSION.match(output)
    return m.group(1) if m else None


def _cache_file() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "agentls", "claude-version.json")


@cache
def installed_version(path: str | None = None) -> str | None:
    """The version of the ``claude`` found on ``path`` (default: the PATH), or None when
    there is none or it does not answer in time.

    Remembered for the life of the process, and across processes in the user's cache folder
    keyed by the executable's path, size and modification time: ``check`` in a pre-commit
    hook takes ~40 ms and ``claude --version`` 50 to 150 ms, which only the first run pays.
    """
    exe = shutil.which("claude", path=path)
    if exe is None:
        return None
    try:
        st = os.stat(exe)
        key = f"{os.path.realpath(exe)}|{st.st_size}|{st.st_mtime_ns}"
    except OSError:
        return None
    known = _read_cache()
    if key in known:
        return known[key]
    version = _ask(exe, path)
    if version is not None:
        _write_cache({key: version})
    return version


def _read_cache() -> dict[str, str]:
    try:
        with open(_cache_file(), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def _write_cache(entries: dict[str, str]) -> None:
    target = _cache_file()
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(entries, fh)  # one entry: the executable in use now
        os.replace(tmp, target)
    except OSError:
        pass


def _env(path: str | None) -> dict[str, str]:
    env = {k: os.environ[k] for k in _KEEP if k in os.environ}
    if path is not None:
        env["PATH"] = path
    return env


def _ask(exe: str, path: str | None) -> str | None:
    env = _env(path)
    try:
        proc = subprocess.run(
            [exe, "--version"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_version(proc.stdout)


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def version_notice(installed: str | None, pinned: str, known: tuple[str, ...] = ()) -> str | None:
    """The one information message when the installed Claude Code is not the pinned one.
    ``known``: the other versions whose facts agentls carries (the configuration's
    ``claude-code-version`` can pick one of them)."""
    if installed is None or installed == pinned:
        return None
    newer = _key(installed) > _key(pinned)
    text = (
        f"Claude Code {installed} is installed; agentls's verdicts are those of Claude Code "
        f"{pinned}{' (newer releases may differ)' if newer else ''}. "
    )
    if installed in known:
        return text + (
            f'agentls knows {installed} too: `claude-code-version = "{installed}"` under '
            "[tool.agentls] in pyproject.toml (or in agentls.toml) checks against it."
        )
    return text + (
        f"To stay on {pinned}: `claude install {pinned}` and "
        '`"env": {"DISABLE_AUTOUPDATER": "1"}` in ~/.claude/settings.json.'
    )


def installed_notice(path: str | None = None) -> str | None:
    """The notice for the ``claude`` on the PATH, or None."""
    installed = installed_version(path)
    if installed is None:  # no claude: the facts are not read for nothing
        return None
    from agentls.dialects.facts import claude_facts, facts_versions

    return version_notice(installed, claude_facts().version, tuple(facts_versions()))
