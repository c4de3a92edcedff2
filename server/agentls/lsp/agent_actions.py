"""Run agents on the selection: code actions, ``agentls.runAgent`` and ``agentls/runAgent``.

A thin adapter over :mod:`agentls.runner`: it turns the typed parameters
(:class:`~agentls.lsp.protocol.RunAgentParams`) into a
:class:`~agentls.runner.runtime.RunRequest`, streams ``$/progress`` and ``agentls/runOutput``,
opens the result document (``window/showDocument``) and sends edit proposals as one versioned,
annotated ``workspace/applyEdit`` that needs confirmation.

Runs are known by their run id: the client may choose it (``runId``, so that it can match the
output of a run it started before the server answered), else the server does. Cancellation:
the request by ``$/cancelRequest`` (pygls cancels the handler's task); the command, which
pygls does not cancel, through ``window/workDoneProgress/cancel`` on its progress token.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from agentls.fsread import read_file
from agentls.lsp.convert import from_lsp_range, text_edits_for
from agentls.lsp.features import Feature
from agentls.lsp.protocol import (
    APPLY_PROPOSAL,
    CONVERSATION,
    RUN_AGENT,
    RUN_AGENT_COMMAND,
    RUN_ID,
    RUN_OUTPUT,
    SET_API_KEY,
    ApplyProposalParams,
    ApplyProposalResult,
    ConversationParams,
    ConversationResult,
    ProposalInfo,
    RunAgentParams,
    RunAgentResult,
    RunOutputParams,
    SetApiKeyParams,
    Usage,
)
from agentls.runner.redact import install_log_redaction, redact, register_secret

if TYPE_CHECKING:  # the runtime imports the anthropic SDK: only load it when a run starts
    from agentls.discovery import RunRoot
    from agentls.lsp.server import AgentlsServer
    from agentls.runner.definitions import AgentDef
    from agentls.runner.proposals import FileChange
    from agentls.runner.runtime import RunEvent, RunRequest, RunResult, RunSettings
    from agentls.runner.store import RunRecord

log = logging.getLogger("agentls.agents")

ACTION_KIND = "refactor.agentls"
AGENT_CACHE_SECONDS = 3.0
PROGRESS_INTERVAL = 0.1
RUNNER_OPTION_KEYS = ("maxTurns", "timeout", "baseUrl")
MAX_ORIGINAL_BYTES = 16 * 1024 * 1024  # a proposal's file, read again to see if it changed
# Agents offered on a selection, whatever agentListLimit says: 50,000 agents once made one
# codeAction answer of 200,004 actions (67 MB). The others are a "more" entry away.
MAX_OFFERED_AGENTS = 25


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


def set_api_key(ls: AgentlsServer, key: str | None) -> None:
    """Set (a string) or clear (``None``/empty) the API key used for runs."""
    rt = ls.state.runs
    if isinstance(key, str) and key.strip():
        rt.api_key = key.strip()
        register_secret(rt.api_key)
    else:
        rt.api_key = None


def apply_options(ls: AgentlsServer, options: Any) -> None:
    """Read ``apiKey`` and runner options from initialization options."""
    opts = options
    if not isinstance(opts, dict):
        return
    if isinstance(opts.get("agentls"), dict):
        opts = opts["agentls"]
    if "apiKey" in opts:
        key = opts.get("apiKey")
        set_api_key(ls, key if isinstance(key, str) else None)
    for k in RUNNER_OPTION_KEYS:
        if k in opts:
            ls.state.runs.options[k] = opts[k]


# --------------------------------------------------------------------------- helpers


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


def offered_agent_names(ls: AgentlsServer, agents: dict[str, AgentDef]) -> list[str]:
    """The agents the code actions offer, ``backend-engineer`` first (all of them: the
    caller bounds the list)."""
    wanted = ls.state.settings.agents
    names = [n for n in agents if wanted is None or n in wanted]
    names.sort(key=lambda n: (n != "backend-engineer", n))
    return names


def run_settings(ls: AgentlsServer, p: RunAgentParams | None = None) -> RunSettings:
    from agentls.runner.runtime import RunSettings

    s = RunSettings()
    cfg = ls.state.settings
    s.models = dict(cfg.models)
    s.default_model = cfg.default_model
    s.max_tokens = cfg.max_tokens
    s.context_lines = cfg.context_lines
    extra = RunSettings.from_options(ls.state.runs.options)
    s.max_turns, s.timeout, s.base_url = extra.max_turns, extra.timeout, extra.base_url
    s.api_key = ls.state.runs.api_key
    if p is not None:  # this run's own limits
        if p.max_tokens is not None and p.max_tokens > 0:
            s.max_tokens = p.max_tokens
        if p.max_turns is not None and p.max_turns > 0:
            s.turns_override = p.max_turns
    return s


# --------------------------------------------------------------------------- code actions


async def agent_code_actions(
    ls: AgentlsServer, params: lsp.CodeActionParams
) -> list[lsp.CodeAction]:
    """Review / Explain / Improve / Write tests for each offered agent, on a selection."""
    rng = params.range
    if rng.start == rng.end:
        return []
    only = params.context.only
    if only and not any(
        ACTION_KIND.startswith(str(k)) or str(k).startswith(ACTION_KIND) for k in only
    ):
        return []
    uri = params.text_document.uri
    doc = ls.open_document(uri)
    version = doc.version if doc is not None else None
    agents = await available_agents(ls, workspace_root(ls, uri))
    names = offered_agent_names(ls, agents)
    limit = min(ls.state.settings.agent_list_limit or MAX_OFFERED_AGENTS, MAX_OFFERED_AGENTS)
    from agentls.runner.prompt import tasks_for

    out = []
    for name in names[:limit]:
        # the tasks the agent can do as it is defined (no Improve for a read-only agent); a
        # task that needs the user's words (ask) is the client's to offer, with a box for them
        for task in (t for t in tasks_for(agents[name]) if not t.needs_prompt):
            args = RunAgentParams(agent=name, task=task.id, uri=uri, range=rng, version=version)
            title = f"{name}: {task.title}"
            out.append(
                lsp.CodeAction(
                    title=title,
                    kind=f"{ACTION_KIND}.{task.id}",
                    command=lsp.Command(title=title, command=RUN_AGENT_COMMAND, arguments=[args]),
                )
            )
    if len(names) > limit and (ls.state.settings.agent_list_limit or 0) != limit:
        from agentls.lsp.code_actions import more_entry

        more = len(names) - limit
        out.append(
            more_entry(
                ls,
                f"… and {more:,} more agents (choose which with the `agents` setting)",
                ACTION_KIND,
                f"agentls offers {MAX_OFFERED_AGENTS} agents per request",
            )
        )
    return out


# --------------------------------------------------------------------------- a run


class _Progress:
    """``$/progress`` for one run, throttled, always ended."""

    def __init__(self, server: LanguageServer, token: lsp.ProgressToken | None, title: str) -> None:
        self.server = server
        self.token = token
        self.title = title
        self.last = 0.0
        self.ended = False

    def begin(self) -> None:
        if self.token is not None:
            self.server.work_done_progress.begin(
                self.token,
                lsp.WorkDoneProgressBegin(title=self.title, cancellable=True, message="starting"),
            )

    def report(self, text: str, usage: dict[str, int] | None, force: bool = False) -> None:
        now = time.monotonic()
        if self.token is None or self.ended or (not force and now - self.last < PROGRESS_INTERVAL):
            return
        self.last = now
        tokens = ""
        if usage:
            tokens = f"{usage.get('input_tokens', 0)} in / {usage.get('output_tokens', 0)} out · "
        tail = " ".join(text[-120:].split())
        self.server.work_done_progress.report(
            self.token, lsp.WorkDoneProgressReport(message=redact(tokens + tail), cancellable=True)
        )

    def end(self, message: str) -> None:
        if self.token is not None and not self.ended:
            self.ended = True
            self.server.work_done_progress.end(
                self.token, lsp.WorkDoneProgressEnd(message=redact(message))
            )


def _client_supports(server: LanguageServer, *path: str) -> bool:
    node: Any = server.client_capabilities
    for part in path:
        node = getattr(node, part, None)
        if node is None:
            return False
    return bool(node)


def _show(server: LanguageServer, kind: lsp.MessageType, message: str) -> None:
    server.window_show_message(lsp.ShowMessageParams(type=kind, message=redact(message)))


def usage_of(usage: dict[str, int] | None) -> Usage | None:
    if usage is None:
        return None
    return Usage(
        usage.get("input_tokens", 0),
        usage.get("output_tokens", 0),
        usage.get("cache_read_input_tokens", 0),
        usage.get("cache_creation_input_tokens", 0),
    )


def _output(
    ls: AgentlsServer, req: RunRequest, ev: RunEvent, conversation: str | None = None
) -> None:
    kind: Any = ev.kind
    params = RunOutputParams(
        req.run_id,
        req.agent.name,
        req.task.id,
        kind,
        redact(ev.text),
        usage_of(ev.usage),
        conversation,
        ev.turn,
    )
    ls.protocol.notify(RUN_OUTPUT, params)


def _reply(
    run_id: str,
    status: str,
    text: str = "",
    applied: bool | None = None,
    message: str | None = None,
) -> RunAgentResult:
    return RunAgentResult(
        run_id=run_id,
        status=status,  # type: ignore[arg-type]
        text=redact(text),
        applied=applied,
        message=redact(message) if message else None,
    )


def _uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def result_of(record: RunRecord, message: str | None = None) -> RunAgentResult:
    """A kept run as the protocol gives it (``agentls/runAgent``'s answer, one run of
    ``agentls/conversation``)."""
    from agentls.runner.proposals import FileChange, unified_diff
    from agentls.runner.store import document_path

    root = Path(record.workspace)
    sel = record.selection
    if message is None and record.error is not None:
        message = record.error.get("message")
    proposals = [
        ProposalInfo(
            path=p.path,
            uri=_uri_of(root / p.path),
            diff=redact(unified_diff(FileChange(p.path, root / p.path, p.original, p.new))),
            created=p.original is None,
            runs_code=p.runs_code,
        )
        for p in record.proposals
    ]
    reply = _reply(record.id, record.status, record.text, record.applied, message)
    reply.conversation = record.conversation
    reply.parent = record.parent
    reply.agent = str(record.agent.get("name", ""))
    reply.task = record.task
    reply.prompt = redact(record.prompt) if record.prompt else None
    reply.uri = _uri_of(root / record.file)
    reply.range = lsp.Range(
        lsp.Position(sel["start"]["line"], sel["start"]["character"]),
        lsp.Position(sel["end"]["line"], sel["end"]["character"]),
    )
    reply.usage = usage_of(record.usage)
    reply.cost_usd = record.cost_usd
    reply.prices_as_of = record.prices_as_of
    reply.wall_seconds = record.wall_seconds
    reply.turns = record.turns
    reply.stop = record.stop
    reply.tools = [redact(t) for t in record.tool_calls]
    reply.notes = [redact(n) for n in record.notes]
    reply.proposals = proposals
    reply.document = _uri_of(document_path(root, record))
    return reply


async def _document(ls: AgentlsServer, uri: str) -> TextDocument | None:
    """The open document, else the file read off the loop (None: it cannot be read)."""
    doc = ls.open_document(uri)
    if doc is not None:
        return doc
    path = ls.path_of(uri)
    if path is None:
        return None
    from agentls.lsp.documents import read_unopened
    from agentls.lsp.guard import LspTextDocument

    text = await asyncio.to_thread(read_unopened, path)
    return None if text is None else LspTextDocument(uri, source=text)


class _Refused(ValueError):
    """A run that cannot start; the message says why (shown, and the answer's ``message``)."""


def _find_record(ls: AgentlsServer, run_id: str, uri: str | None = None) -> RunRecord:
    """The kept run ``run_id`` (or a unique prefix): looked up in the workspace a run of
    this session had, the run root of ``uri``, then every workspace folder."""
    from agentls.runner.store import RunNotFound, load

    roots: list[Path] = []
    known = ls.state.runs.known.get(run_id)
    if known is not None:
        roots.append(known)
    if uri:
        root = run_root_of(ls, uri).root
        if root is not None:
            roots.append(root)
    for f in (ls.workspace.folders or {}).values():
        path = to_fs_path(f.uri)
        if path:
            roots.append(Path(path))
    if not roots and ls.workspace.root_path:
        roots.append(Path(ls.workspace.root_path))
    why = f"no run {run_id!r} in this workspace"
    for root in dict.fromkeys(roots):
        try:
            return load(root, run_id)
        except RunNotFound as e:
            why = str(e)
    raise _Refused(why)


def _latest_of(record: RunRecord) -> RunRecord:
    """The newest run of ``record``'s conversation (a follow-up continues from there)."""
    from agentls.runner.store import conversation_runs

    runs = conversation_runs(Path(record.workspace), record.conversation)
    return runs[-1] if runs else record


async def _new_request(ls: AgentlsServer, p: RunAgentParams) -> tuple[RunRequest, str, str | None]:
    """``(request, the document's URI, a note about the run root)`` of a new run."""
    from agentls.runner.prompt import cannot_do, get_task

    if not p.agent:
        raise _Refused("`agent` must be an agent name")
    if not p.uri or p.range is None:
        raise _Refused("`uri` and `range` say what the agent runs on")
    task_def = get_task(p.task or ("ask" if p.prompt else ""))
    if task_def.needs_prompt and not (p.prompt or "").strip():
        raise _Refused(f"the {task_def.title} task needs `prompt`: what to ask the agent")
    doc = await _document(ls, p.uri)
    if doc is None:
        raise _Refused(f"cannot read {p.uri}")
    if p.version is not None and doc.version is not None and doc.version != p.version:
        raise _Refused("the document changed since the selection was made; select again and retry")
    choice = run_root_of(ls, p.uri)
    root, path = choice.root, ls.path_of(p.uri)
    if root is None or not path:
        raise _Refused(choice.note or "agents run on files of a workspace folder")
    agent = (await available_agents(ls, root)).get(p.agent)
    if agent is None:
        raise _Refused(f"no loadable agent named {p.agent!r}")
    why = cannot_do(agent, task_def)
    if why is not None:
        raise _Refused(f"{why}; ask it to review or explain instead")
    from agentls.runner.runtime import RunRequest

    codec = ls.workspace.position_codec
    req = RunRequest.make(
        agent,
        task_def.id,
        workspace=root,
        file=Path(path),
        text=doc.source,
        selection=from_lsp_range(codec, doc.lines, p.range),
        language=doc.language_id,
        version=p.version if p.version is not None else doc.version,
        prompt=(p.prompt or "").strip() or None,
    )
    return req, p.uri, choice.note


async def _follow_up_request(
    ls: AgentlsServer, p: RunAgentParams
) -> tuple[RunRequest, str, str | None]:
    """The request of a follow-up: the conversation's agent, file and lines."""
    from agentls.runner.conversation import follow_up

    assert p.conversation is not None
    if not (p.prompt or "").strip():
        raise _Refused("a follow-up needs `prompt`: what to ask next")
    named = await asyncio.to_thread(_find_record, ls, p.conversation, p.uri)
    parent = await asyncio.to_thread(_latest_of, named)
    root = Path(parent.workspace)
    name = str(parent.agent.get("name", ""))
    agent = (await available_agents(ls, root)).get(name)
    if agent is None:
        raise _Refused(f"the conversation's agent {name!r} does not load any more")
    file = root / parent.file
    uri = _uri_of(file)
    open_doc = _open_doc(ls, Path(os.path.realpath(file)))
    doc = open_doc if open_doc is not None else await _document(ls, uri)
    if doc is None:
        raise _Refused(f"cannot read {parent.file}")
    req = follow_up(
        parent,
        agent,
        prompt=(p.prompt or "").strip(),
        file=file,
        text=doc.source,
        language=doc.language_id,
        version=doc.version,
    )
    return req, doc.uri, None


async def run_from_params(
    ls: AgentlsServer, p: RunAgentParams, *, server_progress: bool
) -> RunAgentResult:
    """Run one agent task, or a follow-up; the answer of ``agentls/runAgent``."""
    rt = ls.state.runs
    try:
        if p.run_id is not None and (not RUN_ID.fullmatch(p.run_id) or p.run_id in rt.runs):
            raise _Refused(f"`runId` must be a new id of letters, digits, - and _: {p.run_id!r}")
        # the runtime imports the anthropic SDK (~0.5 s): not on the event loop
        await asyncio.to_thread(importlib.import_module, "agentls.runner.runtime")
        if p.conversation:
            req, doc_uri, note = await _follow_up_request(ls, p)
        else:
            req, doc_uri, note = await _new_request(ls, p)
    except ValueError as e:  # _Refused, an unknown task
        _show(ls, lsp.MessageType.Error, f"agentls: cannot run the agent: {e}")
        return _reply(p.run_id or "", "failed", message=str(e))
    if note:  # the file's own folder only: say so
        _show(ls, lsp.MessageType.Info, f"agentls: {note}")
    from agentls.runner.runtime import RunEvent, run_agent  # loaded: no wait

    if p.run_id is not None:
        req.run_id = p.run_id
    conversation = req.conversation or req.run_id
    for other in ls.workspace.text_documents.values():
        other_path = ls.path_of(other.uri)
        if other_path and other.uri != doc_uri:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                req.open_texts[Path(os.path.realpath(other_path))] = other.source
    settings = run_settings(ls, p)
    title = f"{req.agent.name}: {req.task.title}"

    token = p.work_done_token
    if token is None and server_progress and _client_supports(ls, "window", "work_done_progress"):
        token = f"agentls-run-{req.run_id}"
        try:
            await ls.work_done_progress.create_async(token)
        except Exception:
            token = None
    progress = _Progress(ls, token, title)
    text_so_far: list[str] = []
    started = False

    def sink(ev: RunEvent) -> None:
        nonlocal started
        _output(ls, req, ev, None if started else conversation)
        started = True
        if ev.kind == "delta":
            text_so_far.append(ev.text)
            progress.report("".join(text_so_far), ev.usage)
        elif ev.kind in ("tool", "note"):
            progress.report(ev.text, None, force=True)

    task = asyncio.ensure_future(run_agent(req, settings, sink))
    rt.runs[req.run_id] = task
    if token is not None:
        rt.tokens[token] = req.run_id  # cancelled by window/workDoneProgress/cancel
    progress.begin()
    try:
        result = await task
    except asyncio.CancelledError:
        progress.end("cancelled")
        _output(ls, req, RunEvent("end", "cancelled"))
        _show(ls, lsp.MessageType.Info, f"{title}: cancelled; nothing was applied.")
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
        reply = _reply(req.run_id, "cancelled", "".join(text_so_far), None, "cancelled")
        reply.conversation = conversation
        return reply
    finally:
        rt.runs.pop(req.run_id, None)
        if token is not None:
            rt.tokens.pop(token, None)
    reply = await _finish(ls, req, result, progress, title, doc_uri)
    if note and not reply.message:
        reply.message = redact(note)
    return reply


async def _finish(
    server: AgentlsServer,
    req: RunRequest,
    result: RunResult,
    progress: _Progress,
    title: str,
    doc_uri: str,
) -> RunAgentResult:
    """Keep the run (record and result document), send its proposals for confirmation,
    and answer with everything the client shows."""
    from agentls.runner.errors import RunError
    from agentls.runner.results import keep_run
    from agentls.runner.store import mark_applied

    record, doc_path = await asyncio.to_thread(keep_run, req, result, "lsp")
    server.state.runs.known[req.run_id] = req.workspace
    if result.status == "failed":
        err = result.error or RunError("internal", "the run failed")
        progress.end(f"failed: {err.message}")
        _show(server, lsp.MessageType.Error, f"{title}: {err.message}")
        return result_of(record, err.message)
    if result.status == "incomplete" or not result.changes:
        progress.end(result.status)
        shown = await _show_document(server, doc_path)
        message = None
        if result.status == "incomplete":
            err = result.error or RunError("incomplete", "the run stopped at a limit")
            message = err.message
            if result.changes:
                message += " Its proposals were not applied: agentls/applyProposal applies them."
            _show(server, lsp.MessageType.Warning, f"{title}: {message}")
        elif req.task.edits:
            message = f"{title}: the agent proposed no change. Its answer: {doc_path}"
            _show(server, lsp.MessageType.Info, message)
        elif not shown:
            # Clients without window/showDocument (Eglot 1.9...) still learn where it is.
            _show(server, lsp.MessageType.Info, f"{title}: done. The answer is in {doc_path}")
        reply = result_of(record, message)
        if req.task.edits and result.status == "done":
            reply.applied = False
        return reply
    origin = EditOrigin.of(req, doc_uri)
    applied, why = await apply_changes(server, origin, result.changes, title)
    await asyncio.to_thread(mark_applied, req.workspace, record, applied)
    progress.end("applied" if applied else "not applied")
    if applied:
        message = f"{title}: applied {len(result.changes)} change(s)."
        _show(server, lsp.MessageType.Info, message)
    else:
        message = f"{title}: not applied — {why}. The proposal is in {doc_path}."
        _show(server, lsp.MessageType.Warning, message)
    return result_of(record, message)


async def _show_document(server: LanguageServer, doc_path: Path) -> bool:
    if not _client_supports(server, "window", "show_document"):
        return False
    try:
        res = await server.window_show_document_async(
            lsp.ShowDocumentParams(uri=doc_path.as_uri(), take_focus=False)
        )
        return bool(getattr(res, "success", False))
    except Exception as e:  # the client may refuse
        log.info("showDocument failed: %s", type(e).__name__)
        return False


@dataclass
class EditOrigin:
    """Where proposals come from: the run, and the document it ran on (its version pins the
    edit of that document)."""

    run_id: str
    workspace: Path
    who: str  # "Proposed by the agent X (Improve)"
    doc_real: Path
    doc_uri: str
    version: int | None

    @staticmethod
    def of(req: RunRequest, doc_uri: str) -> EditOrigin:
        return EditOrigin(
            req.run_id,
            req.workspace,
            f"Proposed by the agent {req.agent.name} ({req.task.title})",
            Path(os.path.realpath(req.file)),
            doc_uri,
            req.version,
        )


def build_workspace_edit(
    server: LanguageServer, origin: EditOrigin, changes: list[FileChange], title: str
) -> lsp.WorkspaceEdit:
    """One edit, every text edit annotated with a change that needs confirmation; the
    selected document is pinned to the selected version. Changes to files that run code
    (CI pipelines, editor tasks, agent hooks...) carry an annotation of their own, with its
    own label, so that editors show and confirm them apart."""
    plain_id = f"agentls-{origin.run_id}"
    code_id = f"agentls-{origin.run_id}-code"
    codec = server.workspace.position_codec
    doc_real = origin.doc_real
    document_changes: list[Any] = []
    for ch in changes:
        annotation_id = code_id if ch.runs_code else plain_id
        uri = from_fs_path(str(ch.path)) or ch.path.as_uri()
        if ch.created:
            document_changes.append(
                lsp.CreateFile(
                    uri=uri,
                    options=lsp.CreateFileOptions(overwrite=False, ignore_if_exists=False),
                    annotation_id=annotation_id,
                )
            )
            edit_range = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
            new_text = ch.new
            version: int | None = None
        else:
            original = ch.original or ""
            from agentls.lines import minimal_edit

            [te] = text_edits_for(codec, original, [minimal_edit(original, ch.new)])
            edit_range, new_text = te.range, te.new_text
            if ch.path == doc_real:
                uri = origin.doc_uri
                version = origin.version
            else:
                open_doc = _open_doc(server, ch.path)
                version = open_doc.version if open_doc is not None else None
                if open_doc is not None:
                    uri = open_doc.uri
        document_changes.append(
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=[
                    lsp.AnnotatedTextEdit(
                        range=edit_range, new_text=new_text, annotation_id=annotation_id
                    )
                ],
            )
        )
    who = origin.who
    annotations = {}
    if any(not ch.runs_code for ch in changes):
        annotations[plain_id] = lsp.ChangeAnnotation(
            label=title, needs_confirmation=True, description=who
        )
    code = [ch for ch in changes if ch.runs_code]
    if code:
        what = "; ".join(f"{ch.rel} is {ch.runs_code}" for ch in code)
        annotations[code_id] = lsp.ChangeAnnotation(
            label=f"{title}: changes files that run code",
            needs_confirmation=True,
            description=f"{who}. {what}: what it writes will be run. Read it before accepting.",
        )
    return lsp.WorkspaceEdit(document_changes=document_changes, change_annotations=annotations)


def _open_doc(server: LanguageServer, real: Path) -> Any:
    for d in server.workspace.text_documents.values():
        p = to_fs_path(d.uri)
        if p and Path(os.path.realpath(p)) == real:
            return d
    return None


def _changed(server: LanguageServer, ch: FileChange) -> bool:
    """Whether ``ch``'s file no longer holds what the proposal was made from."""
    open_doc = _open_doc(server, ch.path)
    if open_doc is not None:
        return bool(open_doc.source != ch.original)
    # the proposal was computed on the file's exact UTF-8 bytes
    on_disk = read_file(str(ch.path), MAX_ORIGINAL_BYTES).data  # None: gone, no file
    return on_disk != (None if ch.original is None else ch.original.encode("utf-8"))


async def apply_changes(
    server: LanguageServer,
    origin: EditOrigin,
    changes: list[FileChange],
    title: str,
    *,
    pinned: bool = True,
) -> tuple[bool, str]:
    """Send the proposal; ``(applied, why not)``. Never sends over changed text.
    ``pinned``: the run's document is checked by its version (a live run); otherwise, as
    every other file, by its text (a kept proposal applied later)."""
    if not _client_supports(server, "workspace", "apply_edit"):
        return False, "the editor does not support workspace/applyEdit"
    if not _client_supports(server, "workspace", "workspace_edit", "document_changes"):
        return False, "the editor cannot apply versioned edits (documentChanges)"
    from agentls.fswrite import WriteRefused
    from agentls.runner.proposals import recheck
    from agentls.runner.sandbox import Sandbox, SandboxError

    try:  # every path checked again, as at the tool call: all or nothing
        recheck(Sandbox(origin.workspace), changes)
    except (WriteRefused, SandboxError) as e:
        return False, str(e)
    current = server.workspace.text_documents.get(origin.doc_uri) or _open_doc(
        server, origin.doc_real
    )
    stale = current is not None and origin.version not in (None, current.version)
    if pinned and stale:
        return False, "the document changed while the agent was running"
    for ch in changes:
        if pinned and ch.path == origin.doc_real:
            continue
        if _changed(server, ch):
            when = "while the agent was running" if pinned else "since the run"
            return False, f"{ch.rel} changed {when}; nothing was applied"
    if not pinned:
        origin.version = current.version if current is not None else None
    edit = build_workspace_edit(server, origin, changes, title)
    try:
        res = await server.workspace_apply_edit_async(
            lsp.ApplyWorkspaceEditParams(edit=edit, label=title)
        )
    except Exception as e:
        return False, f"the editor failed to apply the edit ({type(e).__name__})"
    if res is None or not res.applied:
        reason = getattr(res, "failure_reason", None) if res is not None else None
        return False, reason or "the editor (or you) declined the edit"
    return True, ""


# --------------------------------------------------------------------------- kept runs


async def apply_proposal(ls: AgentlsServer, p: ApplyProposalParams) -> ApplyProposalResult:
    """Send a kept run's proposals, exactly as they were shown, for confirmation: no model
    call; refused (nothing sent) when a file changed since the run."""
    from agentls.runner.results import changes_of
    from agentls.runner.store import mark_applied

    try:
        record = await asyncio.to_thread(_find_record, ls, p.run_id)
    except _Refused as e:
        return ApplyProposalResult(False, redact(str(e)))
    if not record.proposals:
        return ApplyProposalResult(False, f"run {record.id} proposed no change")
    root = Path(record.workspace)
    changes = changes_of(record, root)
    doc_real = Path(os.path.realpath(root / record.file))
    open_doc = _open_doc(ls, doc_real)
    name = str(record.agent.get("name", "agent"))
    title = f"{name}: proposal of run {record.id}"
    origin = EditOrigin(
        record.id,
        root,
        f"Proposed by the agent {name} in run {record.id}",
        doc_real,
        open_doc.uri if open_doc is not None else _uri_of(doc_real),
        None,
    )
    applied, why = await apply_changes(ls, origin, changes, title, pinned=False)
    if applied:
        await asyncio.to_thread(mark_applied, root, record, True)
        return ApplyProposalResult(True, f"{title}: applied {len(changes)} change(s).")
    return ApplyProposalResult(False, redact(f"{title}: not applied — {why}."))


async def conversation_of(ls: AgentlsServer, p: ConversationParams) -> ConversationResult:
    """The kept runs of a conversation, oldest first (none: an unknown id)."""
    from agentls.runner.store import conversation_runs

    try:
        record = await asyncio.to_thread(_find_record, ls, p.conversation)
    except _Refused:
        return ConversationResult(p.conversation, [])
    runs = await asyncio.to_thread(conversation_runs, Path(record.workspace), record.conversation)
    return ConversationResult(record.conversation, [result_of(r) for r in runs])


# --------------------------------------------------------------------------- the feature


class AgentRuns(Feature):
    name = "agent runs"

    def initialize(self, ls: AgentlsServer, params: lsp.InitializeParams) -> None:
        apply_options(ls, params.initialization_options)  # the API key never enters Settings

    async def code_actions(
        self, ls: AgentlsServer, params: lsp.CodeActionParams
    ) -> list[lsp.CodeAction]:
        return await agent_code_actions(ls, params)

    def progress_cancelled(self, ls: AgentlsServer, token: lsp.ProgressToken) -> None:
        run_id = ls.state.runs.tokens.get(token)
        task = ls.state.runs.runs.get(run_id) if run_id is not None else None
        if task is not None:
            task.cancel()

    def shutdown(self, ls: AgentlsServer) -> None:
        for task in ls.state.runs.runs.values():
            task.cancel()

    def register(self, server: AgentlsServer) -> None:
        install_log_redaction()

        @server.feature(SET_API_KEY)
        def on_set_api_key(ls: AgentlsServer, params: SetApiKeyParams) -> None:
            set_api_key(ls, params.api_key)

        @server.feature(RUN_AGENT)
        async def on_run_request(ls: AgentlsServer, params: RunAgentParams) -> RunAgentResult:
            return await run_from_params(ls, params, server_progress=False)

        @server.feature(APPLY_PROPOSAL)
        async def on_apply_proposal(
            ls: AgentlsServer, params: ApplyProposalParams
        ) -> ApplyProposalResult:
            return await apply_proposal(ls, params)

        @server.feature(CONVERSATION)
        async def on_conversation(
            ls: AgentlsServer, params: ConversationParams
        ) -> ConversationResult:
            return await conversation_of(ls, params)

        # pygls reads the command's one argument into RunAgentParams from the annotation
        @server.command(RUN_AGENT_COMMAND)
        async def on_run_command(ls: LanguageServer, params: RunAgentParams) -> RunAgentResult:
            return await run_from_params(ls, params, server_progress=True)  # type: ignore[arg-type]
