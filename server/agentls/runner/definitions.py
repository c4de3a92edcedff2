"""Agent definitions for the runtime: load one file, discover them all with precedence.

Whether a file loads, and its effective name, tools and model, come from the engine
(``agentls.engine.analyze``), so the runtime agrees with the diagnostics. The body (the
system prompt) comes from python-frontmatter, with a fallback that follows Claude Code's
own split when the YAML is too broken for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import frontmatter

SCOPES = ("project", "user", "bundled")
MAX_AGENT_FILE = 1024 * 1024  # Claude Code skips agent files over 1 MiB

_FENCE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)---[^\n]*(?:\r?\n|\Z)", re.S)


@dataclass
class AgentDef:
    name: str
    path: Path
    scope: str  # "project" | "user" | "bundled"
    body: str
    loads: bool = True
    reason: str | None = None
    description: str | None = None
    tools: list[str] | None = None  # None = every tool
    model: str | None = None
    max_turns: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def split_body(text: str) -> tuple[dict[str, Any], str]:
    """Frontmatter metadata (best effort) and the body of an agent file."""
    try:
        post = frontmatter.loads(text)
        meta = dict(post.metadata) if isinstance(post.metadata, dict) else {}
        return meta, str(post.content)
    except Exception:
        m = _FENCE.match(text)
        if m is None:
            return {}, text
        return {}, text[m.end() :].lstrip("\r\n")


def _max_turns(meta: dict[str, Any]) -> int | None:
    value = meta.get("maxTurns")
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    return None


def load_agent(path: Path, scope: str, text: str | None = None) -> AgentDef | None:
    """Read one agent file; ``None`` when it cannot be read at all."""
    from agentls.engine import analyze

    if text is None:
        try:
            if path.stat().st_size > MAX_AGENT_FILE:
                return None
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    size = len(text.encode("utf-8", "surrogatepass"))
    analysis = analyze(text, str(path), "claude-agent", size=size)
    eff = analysis.effective
    if eff is None:
        return None
    meta, body = split_body(text)
    return AgentDef(
        name=eff.name or path.stem,
        path=path,
        scope=scope,
        body=body.strip(),
        loads=bool(eff.loads),
        reason=eff.reason,
        description=eff.description,
        tools=None if eff.tools is None else list(eff.tools),
        model=eff.model,
        max_turns=_max_turns(meta),
        metadata=meta,
    )


def bundled_agents_dir() -> Path | None:
    """The bundled agents: package data in a wheel, ``agents/`` in a source checkout."""
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


def user_agent_dirs() -> list[Path]:
    dirs: list[Path] = []
    cfg = os.environ.get("CLAUDE_CONFIG_DIR")
    if cfg:
        dirs.append(Path(cfg).expanduser() / "agents")
    dirs.append(Path("~").expanduser() / ".claude" / "agents")
    seen: set[Path] = set()
    out = []
    for d in dirs:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def agent_dirs(workspace: Path | None) -> list[tuple[str, Path]]:
    """Where agents come from, highest precedence first."""
    out: list[tuple[str, Path]] = []
    if workspace is not None:
        out.append(("project", workspace / ".claude" / "agents"))
    out += [("user", d) for d in user_agent_dirs()]
    bundled = bundled_agents_dir()
    if bundled is not None:
        out.append(("bundled", bundled))
    return out


def _md_files(folder: Path) -> Iterable[Path]:
    try:
        return sorted(p for p in folder.rglob("*.md") if p.is_file())
    except OSError:
        return []


def discover_agents(workspace: Path | None, *, include_broken: bool = False) -> dict[str, AgentDef]:
    """Every agent by name; the first scope that defines a name wins.

    Agents that do not load are left out unless ``include_broken``; a broken file does not
    shadow a lower-precedence agent of the same name.
    """
    found: dict[str, AgentDef] = {}
    for scope, folder in agent_dirs(workspace):
        if not folder.is_dir():
            continue
        for path in _md_files(folder):
            agent = load_agent(path, scope)
            if agent is None or (not agent.loads and not include_broken):
                continue
            if agent.name not in found:
                found[agent.name] = agent
    return found


def find_agent(name: str, workspace: Path | None) -> AgentDef | None:
    """The agent called ``name``, or one whose file is ``name`` (a path)."""
    as_path = Path(name).expanduser()
    if name.endswith(".md") and as_path.is_file():
        return load_agent(as_path.resolve(), "project")
    return discover_agents(workspace).get(name)
