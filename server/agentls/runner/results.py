"""Result documents: Markdown files under the user's cache directory."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

from agentls.runner.proposals import unified_diff
from agentls.runner.redact import redact
from agentls.runner.runtime import RunRequest, RunResult


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/agentls`` (or the platform's cache folder)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        base = Path(xdg)
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path.home() / ".cache"
    return base / "agentls"


def runs_dir() -> Path:
    return cache_dir() / "runs"


def render_result(req: RunRequest, res: RunResult) -> str:
    lines = [
        f"# {req.agent.name}: {req.task.title} — {req.rel_path}",
        "",
        f"- Selection: lines {req.selection.start.line + 1}-{req.selection.end.line + 1}",
        f"- Model: `{res.model}`; tokens in/out: {res.usage.get('input_tokens', 0)}/"
        f"{res.usage.get('output_tokens', 0)}; status: {res.status}",
        "",
        res.text.strip() or "_(no text)_",
        "",
    ]
    if res.error is not None:
        lines += ["", f"> **Failed:** {res.error.message}", ""]
    if res.changes:
        lines += ["## Proposed changes", ""]
        for ch in res.changes:
            diff = unified_diff(ch)
            fence = "````" if "```" in diff else "```"
            lines += [f"### {ch.rel}", "", f"{fence}diff", diff.rstrip("\n"), fence, ""]
    return redact("\n".join(lines))


def write_result(req: RunRequest, res: RunResult) -> Path:
    folder = runs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{req.agent.name}-{req.task.id}")[:60]
    path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{slug}-{res.run_id}.md"
    path.write_text(render_result(req, res), "utf-8")
    return path
