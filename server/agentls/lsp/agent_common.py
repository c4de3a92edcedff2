"""What the agent-run features share: their state, where a run may read, the agents that
load, finding a kept run, and the small exchanges with the client (messages, capabilities,
open documents).

The features: :mod:`~agentls.lsp.agent_runs` (a run: start, stream, progress, cancel),
:mod:`~agentls.lsp.agent_proposals` (edit proposals sent for confirmation, kept ones applied
later), :mod:`~agentls.lsp.agent_conversations` (kept runs as the protocol gives them,
``agentls/conversation``) and :mod:`~agentls.lsp.agent_actions` (the code actions that offer
the tasks).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from agentls.runner.redact import redact

if TYPE_CHECKING:
    from agentls.discovery import RunRoot
    from agentls.lsp.server import AgentlsServer
    from agentls.runner.definitions import AgentDef
    from agentls.runner.store import RunRecord

AGENT_CACHE_SECONDS = 3.0


@dataclass
class RunsState:
    """The agent runtime's state (the key is kept here, never in settings)."""

    api_key: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    runs: dict[str, asyncio.Task[Any]] = field(default_factory=dict)  # run id -> run
    tokens: dict[lsp.ProgressToken, str] = field(default_factory=dict)  # progress -> run id
    agents: tuple[float, Path | None, dict[str, AgentDef]] | None = None
    discovering: dict[Path | None, asyncio.Task[dict[str, AgentDef]]] = field(default_factory=dict)
    known: dict[str, Path] = field(default_factory=dict)  # run id -> its workspace (this session)

    def __repr__(self) -> str:  # never show the key
        return f"RunsState(api_key={'set' if self.api_key else None}, runs={list(self.runs)})"


def run_root_of(server: LanguageServer, uri: str | None = None) -> RunRoot:
    """The root an agent run on ``uri`` may read: the workspace folder holding it, else its
    project below ``$HOME``, else its own folder (said in the note); never ``/`` nor
    ``$HOME`` (:func:`agentls.discovery.run_root`). Without a URI: the first workspace
    folder that may be one."""
    from agentls.discovery import RunRoot, forbidden_root, run_root

    ws = server.workspace
    folders = [p for f in (ws.folders or {}).values() if (p := to_fs_path(f.uri))]
    if not folders and ws.root_path:
        folders = [ws.root_path]
    path = to_fs_path(uri) if uri else None
    if path:
        return run_root(Path(path), folders)
    for f in folders:
        if not forbidden_root(Path(f)):
            return RunRoot(Path(f), "workspace folder")
    return RunRoot(None, "none", "no workspace folder an agent may read")


def workspace_root(server: LanguageServer, uri: str | None = None) -> Path | None:
    return run_root_of(server, uri).root


async def available_agents(ls: AgentlsServer, root: Path | None) -> dict[str, AgentDef]:
    """The agents that load, by name (read off the loop, kept a few seconds)."""
    rt = ls.state.runs
    now = time.monotonic()
    if rt.agents is not None and rt.agents[1] == root and now - rt.agents[0] < AGENT_CACHE_SECONDS:
        return rt.agents[2]
    task = rt.discovering.get(root)
    if task is None:
        from agentls.runner.definitions import discover_agents  # python-frontmatter: lazily

        task = rt.discovering[root] = asyncio.ensure_future(
            asyncio.to_thread(discover_agents, root)
        )
        task.add_done_callback(lambda _: rt.discovering.pop(root, None))
    agents = await asyncio.shield(task)
    rt.agents = (time.monotonic(), root, agents)
    return agents


class Refused(ValueError):
    """A run that cannot start; the message says why (shown, and the answer's ``message``)."""


def run_roots(ls: AgentlsServer, uri: str | None, first: list[Path]) -> list[Path]:
    """Where kept runs are looked for: ``first``, the run root of ``uri``, then every
    workspace folder (else the root path), each once."""
    roots = list(first)
    if uri:
        root = run_root_of(ls, uri).root
        if root is not None:
            roots.append(root)
    folders = [p for f in (ls.workspace.folders or {}).values() if (p := to_fs_path(f.uri))]
    if not folders and ls.workspace.root_path:
        folders = [ls.workspace.root_path]
    roots.extend(Path(f) for f in folders)
    return list(dict.fromkeys(roots))


def find_record(ls: AgentlsServer, run_id: str, uri: str | None = None) -> RunRecord:
    """The kept run ``run_id`` (or a unique prefix): looked up in the workspace a run of
    this session had, the run root of ``uri``, then every workspace folder."""
    from agentls.runner.store import RunNotFound, load

    known = ls.state.runs.known.get(run_id)
    why = f"no run {run_id!r} in this workspace"
    for root in run_roots(ls, uri, [] if known is None else [known]):
        try:
            return load(root, run_id)
        except RunNotFound as e:
            why = str(e)
    raise Refused(why)


def client_supports(server: LanguageServer, *path: str) -> bool:
    node: Any = server.client_capabilities
    for part in path:
        node = getattr(node, part, None)
        if node is None:
            return False
    return bool(node)


def show(server: LanguageServer, kind: lsp.MessageType, message: str) -> None:
    server.window_show_message(lsp.ShowMessageParams(type=kind, message=redact(message)))


def uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def open_doc_at(server: LanguageServer, real: Path) -> Any:
    """The open document whose file is ``real`` (a resolved path), else None."""
    for d in server.workspace.text_documents.values():
        p = to_fs_path(d.uri)
        if p and Path(os.path.realpath(p)) == real:
            return d
    return None
