"""Processes seen through /proc (Linux): the tool workers of a server or a CLI run."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed but not yet collected, has stopped)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def tool_workers(parent: int) -> list[int]:
    """The running ``agentls.runner.searchworker`` children of ``parent``."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[-1].split()[1])
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmd = fh.read()
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        if ppid == parent and b"agentls.runner.searchworker" in cmd and alive(int(name)):
            out.append(int(name))
    return out
