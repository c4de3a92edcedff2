"""Run agents on the selection: ``agentls.runAgent``, ``agentls/runAgent``, ``agentls/setApiKey``.

A thin adapter over :mod:`agentls.runner`: it turns the typed parameters
(:class:`~agentls.lsp.protocol.RunAgentParams`) into a
:class:`~agentls.runner.runtime.RunRequest`, streams ``$/progress`` and ``agentls/runOutput``,
opens the result document (``window/showDocument``) and sends edit proposals as one versioned,
annotated ``workspace/applyEdit`` that needs confirmation (:mod:`~agentls.lsp.agent_proposals`).

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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from agentls.lsp.agent_common import (
    Refused,
    available_agents,
    client_supports,
    find_record,
    open_doc_at,
    run_root_of,
    show,
    uri_of,
)
from agentls.lsp.agent_conversations import cost_text, result_of, run_reply, usage_of
from agentls.lsp.agent_proposals import EditOrigin, apply_changes
from agentls.lsp.convert import from_lsp_range
from agentls.lsp.features import Feature
from agentls.lsp.protocol import (
    RUN_AGENT,
    RUN_AGENT_COMMAND,
    RUN_ID,
    RUN_OUTPUT,
    SET_API_KEY,
    RunAgentParams,
    RunAgentResult,
    RunOutputParams,
    SetApiKeyParams,
)
from agentls.runner.redact import install_log_redaction, redact, register_secret

if TYPE_CHECKING:  # the runtime imports the anthropic SDK: only load it when a run starts
    from agentls.lsp.server import AgentlsServer
    from agentls.runner.runtime import RunEvent, RunRequest, RunResult, RunSettings

log = logging.getLogger("agentls.agents")

PROGRESS_INTERVAL = 0.1
RUNNER_OPTION_KEYS = ("maxTurns", "timeout", "baseUrl")


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


async def _new_request(ls: AgentlsServer, p: RunAgentParams) -> tuple[RunRequest, str, str | None]:
    """``(request, the document's URI, a note about the run root)`` of a new run."""
    from agentls.runner.prompt import cannot_do, get_task

    if not p.agent:
        raise Refused("`agent` must be an agent name")
    if not p.uri or p.range is None:
        raise Refused("`uri` and `range` say what the agent runs on")
    task_def = get_task(p.task or ("ask" if p.prompt else ""))
    if task_def.needs_prompt and not (p.prompt or "").strip():
        raise Refused(f"the {task_def.title} task needs `prompt`: what to ask the agent")
    doc = await _document(ls, p.uri)
    if doc is None:
        raise Refused(f"cannot read {p.uri}")
    if p.version is not None and doc.version is not None and doc.version != p.version:
        raise Refused("the document changed since the selection was made; select again and retry")
    choice = run_root_of(ls, p.uri)
    root, path = choice.root, ls.path_of(p.uri)
    if root is None or not path:
        raise Refused(choice.note or "agents run on files of a workspace folder")
    agent = (await available_agents(ls, root)).get(p.agent)
    if agent is None:
        raise Refused(f"no loadable agent named {p.agent!r}")
    why = cannot_do(agent, task_def)
    if why is not None:
        raise Refused(f"{why}; ask it to review or explain instead")
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
    from agentls.runner.store import newest_of_conversation

    assert p.conversation is not None
    if not (p.prompt or "").strip():
        raise Refused("a follow-up needs `prompt`: what to ask next")
    named = await asyncio.to_thread(find_record, ls, p.conversation, p.uri)
    parent = await asyncio.to_thread(newest_of_conversation, named)
    root = Path(parent.workspace)
    name = str(parent.agent.get("name", ""))
    agent = (await available_agents(ls, root)).get(name)
    if agent is None:
        raise Refused(f"the conversation's agent {name!r} does not load any more")
    file = root / parent.file
    uri = uri_of(file)
    open_doc = open_doc_at(ls, Path(os.path.realpath(file)))
    doc = open_doc if open_doc is not None else await _document(ls, uri)
    if doc is None:
        raise Refused(f"cannot read {parent.file}")
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
            raise Refused(f"`runId` must be a new id of letters, digits, - and _: {p.run_id!r}")
        # the runtime imports the anthropic SDK (~0.5 s): not on the event loop
        await asyncio.to_thread(importlib.import_module, "agentls.runner.runtime")
        if p.conversation:
            req, doc_uri, note = await _follow_up_request(ls, p)
        else:
            req, doc_uri, note = await _new_request(ls, p)
    except ValueError as e:  # Refused, an unknown task
        show(ls, lsp.MessageType.Error, f"agentls: cannot run the agent: {e}")
        return run_reply(p.run_id or "", "failed", message=str(e))
    if note:  # the file's own folder only: say so
        show(ls, lsp.MessageType.Info, f"agentls: {note}")
    from agentls.runner.runtime import run_agent  # loaded: no wait

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
    if token is None and server_progress and client_supports(ls, "window", "work_done_progress"):
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

    stopped: list[RunResult] = []  # the result so far of a cancelled run
    task = asyncio.ensure_future(run_agent(req, settings, sink, on_cancel=stopped.append))
    rt.runs[req.run_id] = task
    if token is not None:
        rt.tokens[token] = req.run_id  # cancelled by window/workDoneProgress/cancel
    progress.begin()
    try:
        result = await task
    except asyncio.CancelledError:
        progress.end("cancelled")
        so_far = stopped[0] if stopped else None
        if so_far is not None:  # kept like any run: its tokens are billed
            so_far.text = "".join(text_so_far)
            await _keep_cancelled(ls, req, so_far)
        ended = _end_of_cancelled(req, so_far)
        ls.protocol.notify(RUN_OUTPUT, ended)
        show(ls, lsp.MessageType.Info, f"{title}: cancelled; nothing was applied.")
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
        reply = run_reply(req.run_id, "cancelled", "".join(text_so_far), None, "cancelled")
        reply.conversation = conversation
        reply.usage, reply.wall_seconds = ended.usage, ended.wall_seconds
        reply.cost_usd, reply.cost = ended.cost_usd, ended.cost
        reply.prices_as_of = ended.prices_as_of
        return reply
    finally:
        rt.runs.pop(req.run_id, None)
        if token is not None:
            rt.tokens.pop(token, None)
    reply = await _finish(ls, req, result, progress, title, doc_uri)
    if note and not reply.message:
        reply.message = redact(note)
    return reply


async def _keep_cancelled(ls: AgentlsServer, req: RunRequest, result: RunResult) -> None:
    """Keep a cancelled run (listed by ``agentls/runs``, shown by ``agentls/conversation``);
    a write that fails loses the record, not the cancel."""
    from agentls.runner.results import keep_run

    try:
        await asyncio.to_thread(keep_run, req, result, "lsp")
    except OSError as e:
        log.warning("a cancelled run was not kept: %s", type(e).__name__)
        return
    ls.state.runs.known[req.run_id] = req.workspace


def _end_of_cancelled(req: RunRequest, so_far: RunResult | None) -> RunOutputParams:
    """The ``end`` of a cancelled run: no answer follows, so it carries the tokens, wall
    time and estimated cost of what the API billed until then."""
    params = RunOutputParams(req.run_id, req.agent.name, req.task.id, "end", "cancelled")
    if so_far is not None:
        params.usage = usage_of(dict(so_far.usage))
        params.wall_seconds = round(so_far.wall_s, 3)
        params.cost_usd = so_far.cost
        params.cost = cost_text(so_far.cost)
        if so_far.cost is not None:
            from agentls.runner.pricing import prices_as_of

            params.prices_as_of = prices_as_of()
    return params


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
        show(server, lsp.MessageType.Error, f"{title}: {err.message}")
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
            show(server, lsp.MessageType.Warning, f"{title}: {message}")
        elif req.task.edits:
            message = f"{title}: the agent proposed no change. Its answer: {doc_path}"
            show(server, lsp.MessageType.Info, message)
        elif not shown:
            # Clients without window/showDocument (Eglot 1.9...) still learn where it is.
            show(server, lsp.MessageType.Info, f"{title}: done. The answer is in {doc_path}")
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
        show(server, lsp.MessageType.Info, message)
    else:
        message = f"{title}: not applied — {why}. The proposal is in {doc_path}."
        show(server, lsp.MessageType.Warning, message)
    return result_of(record, message)


async def _show_document(server: LanguageServer, doc_path: Path) -> bool:
    if not client_supports(server, "window", "show_document"):
        return False
    try:
        res = await server.window_show_document_async(
            lsp.ShowDocumentParams(uri=doc_path.as_uri(), take_focus=False)
        )
        return bool(getattr(res, "success", False))
    except Exception as e:  # the client may refuse
        log.info("showDocument failed: %s", type(e).__name__)
        return False


class AgentRuns(Feature):
    name = "agent runs"

    def initialize(self, ls: AgentlsServer, params: lsp.InitializeParams) -> None:
        apply_options(ls, params.initialization_options)  # the API key never enters Settings

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

        # pygls reads the command's one argument into RunAgentParams from the annotation
        @server.command(RUN_AGENT_COMMAND)
        async def on_run_command(ls: LanguageServer, params: RunAgentParams) -> RunAgentResult:
            return await run_from_params(ls, params, server_progress=True)  # type: ignore[arg-type]
