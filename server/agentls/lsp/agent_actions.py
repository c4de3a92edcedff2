"""Run agents on the selection: code actions, ``agentls.runAgent`` and ``agentls/runAgent``.

A thin adapter over :mod:`agentls.runner`: it turns LSP parameters into a
:class:`~agentls.runner.runtime.RunRequest`, streams ``$/progress`` and
``agentls/runOutput``, opens the result document (``window/showDocument``) and sends edit
proposals as one versioned, annotated ``workspace/applyEdit`` that needs confirmation.

Cancellation: the request is cancelled by ``$/cancelRequest`` (pygls cancels the handler's
task); the command, which pygls does not cancel, through ``window/workDoneProgress/cancel``
on its progress token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from agentls.fsread import read_file
from agentls.lsp.convert import from_lsp_range, text_edits_for
from agentls.runner.redact import install_log_redaction, redact, register_secret

if TYPE_CHECKING:  # the runtime imports the anthropic SDK: only load it when a run starts
    from agentls.discovery import RunRoot
    from agentls.runner.definitions import AgentDef
    from agentls.runner.prompt import Task
    from agentls.runner.proposals import FileChange
    from agentls.runner.runtime import RunEvent, RunRequest, RunResult, RunSettings

log = logging.getLogger("agentls.agents")

COMMAND = "agentls.runAgent"
REQUEST = "agentls/runAgent"
SET_API_KEY = "agentls/setApiKey"
RUN_OUTPUT = "agentls/runOutput"
ACTION_KIND = "refactor.agentls"
AGENT_CACHE_SECONDS = 3.0
PROGRESS_INTERVAL = 0.1
RUNNER_OPTION_KEYS = ("maxTurns", "timeout", "baseUrl")
MAX_ORIGINAL_BYTES = 16 * 1024 * 1024  # a proposal's file, read again to see if it changed


@dataclass
class AgentRuntime:
    """Per-server state of the agent runtime (the key is kept here, never in settings)."""

    api_key: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    runs: dict[str, asyncio.Task[Any]] = field(default_factory=dict)
    agents: tuple[float, Path | None, dict[str, AgentDef]] | None = None

    def __repr__(self) -> str:  # never show the key
        return f"AgentRuntime(api_key={'set' if self.api_key else None}, runs={list(self.runs)})"


def runtime(server: LanguageServer) -> AgentRuntime:
    rt: AgentRuntime | None = getattr(server, "_agentls_runtime", None)
    if rt is None:
        rt = AgentRuntime()
        server._agentls_runtime = rt  # type: ignore[attr-defined]
    return rt


def set_api_key(server: LanguageServer, key: Any) -> None:
    """Set (a string) or clear (``None``/empty) the API key used for runs."""
    rt = runtime(server)
    if isinstance(key, str) and key.strip():
        rt.api_key = key.strip()
        register_secret(rt.api_key)
    else:
        rt.api_key = None


def apply_options(server: LanguageServer, options: Any) -> None:
    """Read ``apiKey`` and runner options from initialization options."""
    opts = _plain(options)
    if not isinstance(opts, dict):
        return
    if isinstance(opts.get("agentls"), dict):
        opts = opts["agentls"]
    if "apiKey" in opts:
        set_api_key(server, opts.get("apiKey"))
    rt = runtime(server)
    for k in RUNNER_OPTION_KEYS:
        if k in opts:
            rt.options[k] = opts[k]


# --------------------------------------------------------------------------- helpers


def _plain(value: Any) -> Any:
    """pygls gives custom params as namedtuples; turn them into dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _settings(server: LanguageServer) -> Any:
    state = getattr(server, "state", None)
    return getattr(state, "settings", None)


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


def available_agents(server: LanguageServer, root: Path | None) -> dict[str, AgentDef]:
    rt = runtime(server)
    now = time.monotonic()
    if rt.agents is not None and rt.agents[1] == root and now - rt.agents[0] < AGENT_CACHE_SECONDS:
        return rt.agents[2]
    from agentls.runner.definitions import discover_agents  # python-frontmatter: lazily

    agents = discover_agents(root)
    rt.agents = (now, root, agents)
    return agents


def offered_agent_names(server: LanguageServer, root: Path | None) -> list[str]:
    agents = available_agents(server, root)
    settings = _settings(server)
    wanted: list[str] | None = getattr(settings, "agents", None)
    names = [n for n in agents if wanted is None or n in wanted]
    names.sort(key=lambda n: (n != "backend-engineer", n))
    limit: int | None = getattr(settings, "agent_list_limit", None)
    return names[:limit] if limit else names


def run_settings(server: LanguageServer) -> RunSettings:
    from agentls.runner.runtime import RunSettings

    s = RunSettings()
    cfg = _settings(server)
    if cfg is not None:
        s.models = dict(getattr(cfg, "models", {}) or {})
        s.default_model = getattr(cfg, "default_model", None)
        s.max_tokens = int(getattr(cfg, "max_tokens", s.max_tokens))
        s.context_lines = int(getattr(cfg, "context_lines", s.context_lines))
    extra = RunSettings.from_options(runtime(server).options)
    s.max_turns, s.timeout, s.base_url = extra.max_turns, extra.timeout, extra.base_url
    s.api_key = runtime(server).api_key
    return s


# --------------------------------------------------------------------------- code actions


def agent_code_actions(
    server: LanguageServer, params: lsp.CodeActionParams
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
    try:
        doc = server.workspace.get_text_document(uri)
        version = doc.version
    except Exception:
        version = None
    root = workspace_root(server, uri)
    from agentls.runner.prompt import tasks

    out = []
    for name in offered_agent_names(server, root):
        for task in tasks().values():
            args = {
                "agent": name,
                "task": task.id,
                "uri": uri,
                "range": {
                    "start": {"line": rng.start.line, "character": rng.start.character},
                    "end": {"line": rng.end.line, "character": rng.end.character},
                },
                "version": version,
            }
            title = f"{name}: {task.title}"
            out.append(
                lsp.CodeAction(
                    title=title,
                    kind=f"{ACTION_KIND}.{task.id}",
                    command=lsp.Command(title=title, command=COMMAND, arguments=[args]),
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


def _output(server: LanguageServer, run_id: str, agent: str, task: str, ev: RunEvent) -> None:
    payload: dict[str, Any] = {
        "runId": run_id,
        "agent": agent,
        "task": task,
        "kind": ev.kind,
        "text": redact(ev.text),
    }
    if ev.usage is not None:
        payload["usage"] = dict(ev.usage)
    server.protocol.notify(RUN_OUTPUT, payload)


@dataclass
class _Params:
    agent: str
    task: Task
    uri: str
    range: lsp.Range
    version: int | None
    token: lsp.ProgressToken | None


def _parse(raw: Any) -> _Params:
    p = _plain(raw)
    if isinstance(p, list) and len(p) == 1:
        p = p[0]
    if not isinstance(p, dict):
        raise ValueError("expected one object {agent, task, uri, range, version}")
    agent, uri = p.get("agent"), p.get("uri")
    rng: Any = p.get("range")
    if not isinstance(agent, str) or not agent:
        raise ValueError("`agent` must be an agent name")
    if not isinstance(uri, str) or not uri:
        raise ValueError("`uri` must be a document URI")
    try:
        r = lsp.Range(
            start=lsp.Position(int(rng["start"]["line"]), int(rng["start"]["character"])),
            end=lsp.Position(int(rng["end"]["line"]), int(rng["end"]["character"])),
        )
    except (TypeError, KeyError, ValueError):
        raise ValueError("`range` must be an LSP range") from None
    version = p.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValueError("`version` must be an integer or null")
    token = p.get("workDoneToken")
    if token is not None and not isinstance(token, str | int):
        token = None
    from agentls.runner.prompt import get_task

    return _Params(agent, get_task(str(p.get("task", ""))), uri, r, version, token)


def _reply(
    run_id: str,
    status: str,
    text: str = "",
    applied: bool | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    return {
        "runId": run_id,
        "status": status,
        "text": redact(text),
        "applied": applied,
        "message": redact(message) if message else None,
    }


async def run_from_params(
    server: LanguageServer,
    raw: Any,
    *,
    server_progress: bool,
    on_task: Callable[[asyncio.Task[RunResult]], None] | None = None,
) -> dict[str, Any]:
    """Run one agent task; the JSON result of ``agentls/runAgent``."""
    from agentls.runner.runtime import RunEvent, RunRequest, run_agent

    try:
        p = _parse(raw)
    except ValueError as e:
        _show(server, lsp.MessageType.Error, f"agentls: cannot run the agent: {e}")
        return _reply("", "failed", message=str(e))
    doc = server.workspace.get_text_document(p.uri)
    try:
        text = doc.source
    except (OSError, UnicodeDecodeError) as e:
        return _fail_early(server, f"cannot read {p.uri}: {e}")
    if p.version is not None and doc.version is not None and doc.version != p.version:
        return _fail_early(
            server, "the document changed since the selection was made; select again and retry"
        )
    choice = run_root_of(server, p.uri)
    root, path = choice.root, to_fs_path(p.uri)
    if root is None or not path:
        return _fail_early(server, choice.note or "agents run on files of a workspace folder")
    if choice.note:  # the file's own folder only: say so
        _show(server, lsp.MessageType.Info, f"agentls: {choice.note}")
    agent = available_agents(server, root).get(p.agent)
    if agent is None:
        return _fail_early(server, f"no loadable agent named {p.agent!r}")
    codec = server.workspace.position_codec
    lines = doc.lines
    selection = from_lsp_range(codec, lines, p.range)
    req = RunRequest.make(
        agent,
        p.task.id,
        workspace=root,
        file=Path(path),
        text=text,
        selection=selection,
        language=doc.language_id,
        version=p.version if p.version is not None else doc.version,
    )
    for other in server.workspace.text_documents.values():
        other_path = to_fs_path(other.uri)
        if other_path and other.uri != p.uri:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                req.open_texts[Path(os.path.realpath(other_path))] = other.source
    settings = run_settings(server)
    title = f"{agent.name}: {p.task.title}"

    token = p.token
    if (
        token is None
        and server_progress
        and _client_supports(server, "window", "work_done_progress")
    ):
        token = f"agentls-run-{req.run_id}"
        try:
            await server.work_done_progress.create_async(token)
        except Exception:
            token = None
    progress = _Progress(server, token, title)
    text_so_far: list[str] = []

    def sink(ev: RunEvent) -> None:
        _output(server, req.run_id, agent.name, p.task.id, ev)
        if ev.kind == "delta":
            text_so_far.append(ev.text)
            progress.report("".join(text_so_far), ev.usage)
        elif ev.kind == "tool":
            progress.report(ev.text, None, force=True)

    task = asyncio.ensure_future(run_agent(req, settings, sink))
    rt = runtime(server)
    rt.runs[req.run_id] = task
    if token is not None:
        fut: Future[Any] | None = server.work_done_progress.tokens.get(token)
        if fut is None:
            fut = Future()
            server.work_done_progress.tokens[token] = fut
        loop = asyncio.get_running_loop()
        fut.add_done_callback(
            lambda f: loop.call_soon_threadsafe(task.cancel) if f.cancelled() else None
        )
    if on_task is not None:
        on_task(task)
    progress.begin()
    try:
        result = await task
    except asyncio.CancelledError:
        progress.end("cancelled")
        _output(server, req.run_id, agent.name, p.task.id, RunEvent("end", "cancelled"))
        _show(server, lsp.MessageType.Info, f"{title}: cancelled; nothing was applied.")
        if asyncio.current_task() is not None and asyncio.current_task().cancelling():  # type: ignore[union-attr]
            raise
        return _reply(req.run_id, "cancelled", "".join(text_so_far), None, "cancelled")
    finally:
        rt.runs.pop(req.run_id, None)
        if token is not None:
            server.work_done_progress.tokens.pop(token, None)
    reply = await _finish(server, req, result, progress, title, p.uri)
    if choice.note and not reply["message"]:
        reply["message"] = redact(choice.note)
    return reply


def _fail_early(server: LanguageServer, message: str) -> dict[str, Any]:
    _show(server, lsp.MessageType.Error, f"agentls: {message}")
    return _reply("", "failed", message=message)


async def _finish(
    server: LanguageServer,
    req: RunRequest,
    result: RunResult,
    progress: _Progress,
    title: str,
    doc_uri: str,
) -> dict[str, Any]:
    from agentls.runner.errors import RunError
    from agentls.runner.results import write_result

    if result.status != "done":
        err = result.error or RunError("internal", "the run failed")
        progress.end(f"failed: {err.message}")
        _show(server, lsp.MessageType.Error, f"{title}: {err.message}")
        return _reply(req.run_id, "failed", result.text, None, err.message)
    doc_path = await asyncio.to_thread(write_result, req, result)
    if not req.task.edits or not result.changes:
        progress.end("done")
        shown = False
        if _client_supports(server, "window", "show_document"):
            try:
                res = await server.window_show_document_async(
                    lsp.ShowDocumentParams(uri=doc_path.as_uri(), take_focus=False)
                )
                shown = bool(getattr(res, "success", False))
            except Exception as e:  # the client may refuse
                log.info("showDocument failed: %s", type(e).__name__)
        if not shown and not req.task.edits:
            # Clients without window/showDocument (Eglot 1.9...) still learn where it is.
            _show(server, lsp.MessageType.Info, f"{title}: done. The answer is in {doc_path}")
        message = None
        if req.task.edits:
            message = f"{title}: the agent proposed no change. Its answer: {doc_path}"
            _show(server, lsp.MessageType.Info, message)
        return _reply(
            req.run_id, "done", result.text, None if not req.task.edits else False, message
        )
    applied, why = await apply_changes(server, req, result.changes, title, doc_uri)
    progress.end("applied" if applied else "not applied")
    if applied:
        message = f"{title}: applied {len(result.changes)} change(s)."
        _show(server, lsp.MessageType.Info, message)
    else:
        message = f"{title}: not applied — {why}. The proposal is in {doc_path}."
        _show(server, lsp.MessageType.Warning, message)
    return _reply(req.run_id, "done", result.text, applied, message)


def build_workspace_edit(
    server: LanguageServer, req: RunRequest, changes: list[FileChange], title: str, doc_uri: str
) -> lsp.WorkspaceEdit:
    """One edit, every text edit annotated with a change that needs confirmation; the
    selected document is pinned to the selected version. Changes to files that run code
    (CI pipelines, editor tasks, agent hooks...) carry an annotation of their own, with its
    own label, so that editors show and confirm them apart."""
    plain_id = f"agentls-{req.run_id}"
    code_id = f"agentls-{req.run_id}-code"
    codec = server.workspace.position_codec
    doc_real = Path(os.path.realpath(req.file))
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
                uri = doc_uri
                version = req.version
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
    who = f"Proposed by the agent {req.agent.name} ({req.task.title})"
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


async def apply_changes(
    server: LanguageServer, req: RunRequest, changes: list[FileChange], title: str, doc_uri: str
) -> tuple[bool, str]:
    """Send the proposal; ``(applied, why not)``. Never sends over changed text."""
    if not _client_supports(server, "workspace", "apply_edit"):
        return False, "the editor does not support workspace/applyEdit"
    if not _client_supports(server, "workspace", "workspace_edit", "document_changes"):
        return False, "the editor cannot apply versioned edits (documentChanges)"
    from agentls.fswrite import WriteRefused
    from agentls.runner.proposals import recheck
    from agentls.runner.sandbox import Sandbox, SandboxError

    try:  # every path checked again, as at the tool call: all or nothing
        recheck(Sandbox(req.workspace), changes)
    except (WriteRefused, SandboxError) as e:
        return False, str(e)
    doc_real = Path(os.path.realpath(req.file))
    current = server.workspace.text_documents.get(doc_uri) or _open_doc(server, doc_real)
    if current is not None and req.version is not None and current.version != req.version:
        return False, "the document changed while the agent was running"
    for ch in changes:
        if ch.path == doc_real:
            continue
        open_doc = _open_doc(server, ch.path)
        if open_doc is not None:
            changed = open_doc.source != ch.original
        else:  # the proposal was computed on the file's exact UTF-8 bytes
            on_disk = read_file(str(ch.path), MAX_ORIGINAL_BYTES).data  # None: gone, no file
            changed = on_disk != (None if ch.original is None else ch.original.encode("utf-8"))
        if changed:
            return False, f"{ch.rel} changed while the agent was running"
    edit = build_workspace_edit(server, req, changes, title, doc_uri)
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


# --------------------------------------------------------------------------- registration


def register(server: LanguageServer) -> None:
    install_log_redaction()

    @server.feature(SET_API_KEY)
    def on_set_api_key(ls: LanguageServer, params: Any) -> None:
        p = _plain(params)
        set_api_key(ls, p.get("apiKey") if isinstance(p, dict) else None)

    @server.feature(REQUEST)
    async def on_run_request(ls: LanguageServer, params: Any) -> dict[str, Any]:
        return await run_from_params(ls, params, server_progress=False)

    @server.command(COMMAND)
    async def on_run_command(ls: LanguageServer, *args: Any) -> dict[str, Any]:
        return await run_from_params(ls, list(args), server_progress=True)
