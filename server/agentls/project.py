"""Facts about the project around a file that the engine needs (read from disk, cached)."""

from __future__ import annotations

import json
import os
from functools import lru_cache


def project_root(path: str | None) -> str | None:
    """The folder holding the ``.claude`` folder that contains ``path``, if any."""
    if not path:
        return None
    p = path.replace("\\", "/")
    i = p.rfind("/.claude/")
    return p[:i] if i > 0 else None


def mcp_servers_for(path: str | None) -> frozenset[str] | None:
    """Names of the MCP servers of the project's ``.mcp.json``; None when unknown."""
    root = project_root(path)
    if root is None:
        return None
    cfg = os.path.join(root, ".mcp.json")
    try:
        st = os.stat(cfg)
    except OSError:
        return None
    return _read_mcp(cfg, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _read_mcp(cfg: str, _mtime: int, size: int) -> frozenset[str] | None:
    if size > 1_000_000:
        return None
    try:
        with open(cfg, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    if not isinstance(servers, dict):
        return None
    return frozenset(str(k) for k in servers)
