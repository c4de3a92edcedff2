"""One agent run: the request, the streaming loop, the bounded tool loop, the result.

Adapters (the LSP module, the CLI) build a :class:`RunRequest`, pass callbacks for the
streamed events and get a :class:`RunResult`, which :mod:`agentls.runner.store` keeps on
disk. Cancelling the task that awaits :func:`run_agent` closes the HTTP stream at once (the
SDK's stream context manager).

What a run does besides streaming (issue 17):

- **the agent as it is defined**: its body is the system prompt, its effective tools ∩
  what agentls runs are offered (:func:`agentls.runner.prompt.offered_tools`), its
  ``maxTurns`` bounds the tool loop (``--max-turns`` overrides), its ``effort`` is sent as
  ``output_config.effort`` where the model takes one, ``omitClaudeMd`` leaves the project
  memory out;
- **conversations**: a run may continue an earlier one (``RunRequest.history``); the history
  is bounded by a token budget (:mod:`agentls.runner.history`), and what is dropped is said;
- **prompt caching**: ``cache_control`` on the system prompt (the tools come before it, so
  they are cached with it), on the previous user turn and on the last message, so that the
  turns of a tool loop and every follow-up read the conversation so far from the cache;
- **never losing work at max_tokens**: an answer stopped by ``max_tokens`` is continued
  (:data:`MAX_CONTINUATIONS` times at most); a tool call cut in its middle is not run but
  asked again once, with a note to the model; past that the run ends ``incomplete`` with a
  message that names the setting, and what was received is kept;
- **cost**: every request's usage (input, output, cache read, cache write) is kept; the
  estimated cost comes from :mod:`agentls.runner.pricing`.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anthropic
import httpx2

from agentls.runner.definitions import AgentDef
from agentls.runner.errors import RunError, map_exception, no_api_key
from agentls.runner.history import bound_history
from agentls.runner.models import effort_for, max_cache_breakpoints, resolve_model
from agentls.runner.pricing import USAGE_KEYS, add_usage, estimate_cost, prices_as_of
from agentls.runner.prompt import (
    DEFAULT_CONTEXT_TOKENS,
    RUNTIME_NOTE,
    Task,
    build_first_turn,
    build_follow_up,
    get_task,
    offered_tools,
)
from agentls.runner.proposals import FileChange, Proposals
from agentls.runner.redact import (
    StreamRedactor,
    redact,
    register_secret,
    register_url,
    safe_url,
    url_problem,
)
from agentls.runner.sandbox import Sandbox, SandboxError
from agentls.runner.toolworker import DEFAULT_BUDGET, ToolWorkers
from agentls.types import Range

DEFAULT_MAX_TURNS = 12
HARD_MAX_TURNS = 40
MAX_CONTINUATIONS = 3  # an answer stopped by max_tokens is continued this often at most
DEFAULT_HISTORY_TOKENS = 50_000
EPHEMERAL = {"type": "ephemeral"}


@dataclass
class RunSettings:
    api_key: str | None = None  # None: ANTHROPIC_API_KEY, then ANTHROPIC_AUTH_TOKEN
    base_url: str | None = None  # None: ANTHROPIC_BASE_URL, then the SDK default
    models: dict[str, str] = field(default_factory=dict)
    default_model: str | None = None
    max_tokens: int | None = None  # None: the task's default (tasks.json)
    context_lines: int = 20
    context_tokens: int = DEFAULT_CONTEXT_TOKENS  # budget of the context given with the code
    history_tokens: int = DEFAULT_HISTORY_TOKENS  # budget of a conversation's history
    max_turns: int = DEFAULT_MAX_TURNS  # when the agent sets no maxTurns
    turns_override: int | None = None  # --max-turns: wins over the agent's maxTurns
    hard_max_turns: int = HARD_MAX_TURNS
    timeout: float = 120.0  # seconds without data from the API
    connect_timeout: float = 10.0
    max_retries: int = 2
    tool_timeout: float = DEFAULT_BUDGET  # seconds for one Grep or Glob (then it is stopped)
    cache: bool = True  # prompt caching (off: to measure what it saves)
    prices: dict[str, Any] = field(default_factory=dict)  # models added to data/prices.json

    def credentials(self) -> tuple[str | None, str | None]:
        """``(API key, bearer token)``: the key set for agentls, else ANTHROPIC_API_KEY,
        else ANTHROPIC_AUTH_TOKEN (sent as ``Authorization: Bearer``, as the SDK does)."""
        key = self.api_key or os.environ.get("ANTHROPIC_API_KEY") or None
        if key and key.strip():
            return key.strip(), None
        token = os.environ.get("ANTHROPIC_AUTH_TOKEN") or None
        if token and token.strip():
            return None, token.strip()
        return None, None

    def key(self) -> str | None:
        api_key, token = self.credentials()
        return api_key or token

    def effective_base_url(self) -> str:
        return self.base_url or os.environ.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com"

    def max_tokens_for(self, task: Task) -> int:
        return self.max_tokens or task.max_tokens

    def turns_for(self, agent: AgentDef) -> int:
        turns = self.turns_override or agent.max_turns or self.max_turns
        return max(1, min(turns, self.hard_max_turns))

    @staticmethod
    def from_options(options: dict[str, Any] | None) -> RunSettings:
        """Settings from initialization options / ``agentls`` configuration (protocol.md).
        The language server takes what data/settings.json declares from its typed
        Settings; this reads the same keys for a caller without them."""
        s = RunSettings()
        o = options or {}
        if isinstance(o.get("apiKey"), str) and o["apiKey"].strip():
            s.api_key = o["apiKey"].strip()
            register_secret(s.api_key)
        if isinstance(o.get("models"), dict):
            s.models = {str(k): str(v) for k, v in o["models"].items() if isinstance(v, str)}
        if isinstance(o.get("defaultModel"), str) and o["defaultModel"].strip():
            s.default_model = o["defaultModel"].strip()
        v = o.get("contextLines")
        if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
            s.context_lines = v
        v = o.get("maxTokens")
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            s.max_tokens = v
        v = o.get("maxTurns")
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            s.max_turns = min(v, s.hard_max_turns)
        v = o.get("timeout")
        if isinstance(v, int | float) and not isinstance(v, bool) and v > 0:
            s.timeout = float(v)
        if isinstance(o.get("baseUrl"), str) and o["baseUrl"].strip():
            s.base_url = o["baseUrl"].strip()
            register_url(s.base_url)
        return s


@dataclass
class RunRequest:
    agent: AgentDef
    task: Task
    workspace: Path
    file: Path  # absolute
    text: str  # the document text at ``version``
    selection: Range
    language: str | None = None
    version: int | None = None
    open_texts: dict[Path, str] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    prompt: str | None = None  # the user's own instruction (ask, a follow-up, or an addition)
    #: the conversation so far (API messages, a follow-up's), and what to tell about it
    history: list[dict[str, Any]] = field(default_factory=list)
    history_notes: list[str] = field(default_factory=list)
    conversation: str | None = None  # the id of the conversation's first run
    parent: str | None = None  # the run this one follows up
    #: the parent's proposals not applied yet: a follow-up builds on them
    seed_changes: list[FileChange] = field(default_factory=list)

    @staticmethod
    def make(
        agent: AgentDef,
        task: str,
        *,
        workspace: Path,
        file: Path,
        text: str,
        selection: Range,
        language: str | None = None,
        version: int | None = None,
        prompt: str | None = None,
    ) -> RunRequest:
        return RunRequest(
            agent,
            get_task(task),
            workspace,
            file,
            text,
            selection,
            language,
            version,
            prompt=prompt,
        )

    @property
    def rel_path(self) -> str:
        try:
            return (
                Path(os.path.realpath(self.file))
                .relative_to(os.path.realpath(self.workspace))
                .as_posix()
            )
        except ValueError:
            return self.file.name

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class RunEvent:
    kind: str  # "start" | "delta" | "tool" | "note" | "turn" | "end" | "error"
    text: str
    usage: dict[str, int] | None = None
    turn: int | None = None  # the request it belongs to (1-based)


@dataclass
class RunResult:
    run_id: str
    status: str  # "done" | "incomplete" | "failed" | "cancelled"
    text: str
    model: str
    changes: list[FileChange] = field(default_factory=list)
    error: RunError | None = None
    usage: dict[str, int] = field(default_factory=lambda: dict.fromkeys(USAGE_KEYS, 0))
    requests: list[dict[str, int]] = field(default_factory=list)  # usage of each request
    turns: int = 0
    first_token_s: float | None = None
    wall_s: float = 0.0
    stop: str | None = None  # the last stop_reason: end_turn, max_tokens, max_turns...
    cost: float | None = None  # USD, estimated; None: unknown prices
    messages: list[dict[str, Any]] = field(default_factory=list)  # the transcript
    notes: list[str] = field(default_factory=list)  # what the runtime did and said
    system: list[dict[str, Any]] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)  # the tools offered
    tool_calls: list[str] = field(default_factory=list)  # one line per call, as shown


EventSink = Callable[[RunEvent], None]

_clients: dict[tuple[Any, ...], anthropic.AsyncAnthropic] = {}


def make_client(
    settings: RunSettings, key: str | None, token: str | None = None
) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(
        api_key=key,
        auth_token=token,
        base_url=settings.base_url or None,
        max_retries=settings.max_retries,
        timeout=httpx2.Timeout(settings.timeout, connect=settings.connect_timeout),
    )


def shared_client(
    settings: RunSettings, key: str | None, token: str | None
) -> anthropic.AsyncAnthropic:
    """One client per credentials, endpoint and timeouts in this event loop: a follow-up
    (or the next run in the server) keeps the client's TLS context and its connections
    (creating a client loads the CA bundle: ~10 ms; a new TLS connection to the API is a
    round trip or two more before the first token)."""
    loop = asyncio.get_running_loop()
    ident = (
        id(loop),
        key,
        token,
        settings.base_url or os.environ.get("ANTHROPIC_BASE_URL"),
        settings.max_retries,
        settings.timeout,
        settings.connect_timeout,
    )
    client = _clients.get(ident)
    if client is None or client.is_closed():
        for old in [k for k in _clients if k[0] != id(loop)]:  # clients of finished loops
            del _clients[old]
        client = _clients[ident] = make_client(settings, key, token)
    return client


def _usage_dict(usage: Any) -> dict[str, int]:
    """The token counts a stream event carries (message_delta's may hold only some)."""
    out: dict[str, int] = {}
    for key in USAGE_KEYS:
        value = getattr(usage, key, None) if usage is not None else None
        if isinstance(value, int):
            out[key] = value
    return out


def _block_param(block: Any) -> dict[str, Any] | None:
    if block.type == "text":
        return {"type": "text", "text": block.text} if block.text else None
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if block.type == "thinking":  # passed back as received: the API checks its signature
        return {"type": "thinking", "thinking": block.thinking, "signature": block.signature}
    if block.type == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block.data}
    return None


async def _run_tool(
    name: str,
    args: Any,
    offered: set[str],
    sandbox: Sandbox,
    proposals: Proposals,
    workers: ToolWorkers,
) -> tuple[str, bool]:
    if name not in offered:
        return (
            f"Tool {name!r} is not available in this run. Available: {', '.join(sorted(offered))}.",
            True,
        )
    if not isinstance(args, dict):
        return "The tool input must be a JSON object.", True
    try:
        if name == "Read":
            out = await asyncio.to_thread(
                sandbox.read,
                str(args.get("file_path", "")),
                _int(args.get("offset")),
                _int(args.get("limit")),
            )
        elif name == "Grep":  # in a worker process: a runaway regex can be killed
            return await workers.call(
                "grep",
                sandbox.given_root,
                {
                    "pattern": str(args.get("pattern", "")),
                    "path": _str(args.get("path")),
                    "glob": _str(args.get("glob")),
                    "case_insensitive": bool(args.get("-i")),
                    "output_mode": str(args.get("output_mode") or "content"),
                },
            )
        elif name == "Glob":
            return await workers.call(
                "glob",
                sandbox.given_root,
                {"pattern": str(args.get("pattern", "")), "path": _str(args.get("path"))},
            )
        elif name == "Edit":
            out = proposals.edit(
                str(args.get("file_path", "")),
                str(args.get("old_string", "")),
                str(args.get("new_string", "")),
                bool(args.get("replace_all")),
            )
        elif name == "Write":
            out = proposals.write(str(args.get("file_path", "")), str(args.get("content", "")))
        else:  # pragma: no cover - every offered tool is handled above
            return f"Tool {name!r} is not implemented.", True
    except SandboxError as e:
        return str(e), True
    except (TypeError, ValueError) as e:
        return f"Invalid tool input: {e}", True
    except OSError as e:  # a path the system refuses (a name too long...): the model's error
        return f"The path cannot be used: {(e.strerror or str(e)).lower()}", True
    return out, False


def _int(v: Any) -> int | None:
    """An integer argument; digits in a string too (models send ``"offset": "40"``, which
    was ignored without a word)."""
    if isinstance(v, str) and v.strip().isascii() and v.strip().lstrip("-").isdigit():
        return int(v.strip()) if len(v.strip()) < 20 else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _tool_summary(name: str, args: Any) -> str:
    if not isinstance(args, dict):
        return name
    for key in ("file_path", "pattern", "path"):
        if isinstance(args.get(key), str):
            return f"{name} {args[key][:120]}"
    return name


def _tool_line(name: str, args: Any, out: str, is_error: bool) -> str:
    """The one line people see for a tool call; a refused call says why."""
    summary = _tool_summary(name, args)
    if not is_error:
        return summary
    reason = " ".join(out.split())
    if len(reason) > 200:
        reason = reason[:200] + "…"
    return f"refused {summary}: {reason}"


def system_blocks(agent: AgentDef) -> list[dict[str, Any]]:
    """The agent's body, then the runtime's note (both the same from run to run)."""
    blocks = []
    if agent.body.strip():
        blocks.append({"type": "text", "text": agent.body})
    blocks.append({"type": "text", "text": RUNTIME_NOTE})
    return blocks


def _as_blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content)


def with_breakpoints(
    system: list[dict[str, Any]], messages: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Copies of ``system`` and ``messages`` with ``cache_control`` on the last system
    block (the tools come before it: they are cached with it), on the previous user turn
    (where the last request wrote its cache: an exact hit whatever the number of blocks in
    between) and on the last message; the originals are left clean for the transcript."""
    sys_out = [dict(b) for b in system]
    if sys_out:
        sys_out[-1]["cache_control"] = EPHEMERAL
    marks = {len(messages) - 1}
    for i in range(len(messages) - 2, -1, -1):
        if messages[i].get("role") == "user":
            marks.add(i)
            break
    out = list(messages)
    for i in marks:
        if i < 0:
            continue
        blocks = _as_blocks(out[i]["content"])
        if blocks:
            blocks[-1] = {**blocks[-1], "cache_control": EPHEMERAL}
            out[i] = {**out[i], "content": blocks}
    assert len(marks) + 1 <= max_cache_breakpoints()
    return sys_out, out


def _gather_memory(sandbox: Sandbox, rel: str) -> list[Any]:
    from agentls.runner.context import memory_files

    def exists(path: str) -> bool:
        try:
            return sandbox.resolve(path, allow_root=False).is_file()
        except SandboxError:
            return False

    return memory_files(sandbox.root, rel, sandbox.read_text, exists)


def _gather_context(sandbox: Sandbox, rel: str, memory: bool) -> tuple[list[Any], list[str]]:
    return (_gather_memory(sandbox, rel) if memory else []), _gather_tree(sandbox)


def _gather_tree(sandbox: Sandbox) -> list[str]:
    from agentls.discovery import SKIP_DIRS
    from agentls.runner.context import workspace_tree
    from agentls.runner.deny import denied_name

    return workspace_tree(sandbox.root, lambda n: n in SKIP_DIRS or denied_name(n))


def _seed(proposals: Proposals, sandbox: Sandbox, req: RunRequest, notes: list[str]) -> None:
    """Start a follow-up from the proposals of the run it follows (not applied yet), when
    their files still hold what those proposals were made from."""
    doc_real = Path(os.path.realpath(req.file))
    for ch in req.seed_changes:
        try:
            real = sandbox.resolve(ch.rel, allow_root=False)
            if real == doc_real:
                current: str | None = req.text
            elif real.exists():
                current = sandbox.read_text(ch.rel)
            else:
                current = None
        except SandboxError:
            current = None if ch.original is None else "\x00"
        if current != ch.original:
            notes.append(
                f"{ch.rel} changed since the earlier proposal for it; that proposal is dropped."
            )
            continue
        proposals.changes[ch.rel] = FileChange(ch.rel, real, ch.original, ch.new, ch.runs_code)


def _open_run(
    req: RunRequest, settings: RunSettings
) -> RunError | tuple[Sandbox, str | None, str | None]:
    """What a run needs before its first request (the sandbox of its workspace, the API
    key or token), or why it cannot run: a refused workspace, no credentials, a base URL
    that cannot be used. The secrets are registered for redaction on the way."""
    from agentls.discovery import root_refusal

    why = root_refusal(req.workspace)  # every caller chooses with run_root; fail closed
    if why is not None:
        return RunError("workspace", f"refused: {why}")
    try:
        sandbox = Sandbox(req.workspace)
    except SandboxError as e:  # the sandbox's own check (the password database's home too)
        return RunError("unsafe_workspace", f"Not run: {e}.")
    key, token = settings.credentials()
    if not key and not token:
        return no_api_key()
    register_secret(key or token)
    base_url = settings.effective_base_url()
    register_url(base_url)
    bad_url = url_problem(base_url)
    if bad_url is not None:
        return RunError(
            "bad_base_url",
            f"The base URL {safe_url(base_url)} cannot be used: {bad_url}. Check "
            "ANTHROPIC_BASE_URL (or the baseUrl setting).",
        )
    return sandbox, key, token


async def _turn_text(
    req: RunRequest, settings: RunSettings, sandbox: Sandbox, notes: list[str]
) -> str:
    """The user's turn that starts this run: a follow-up's prompt, or the first turn with
    its context (the code, the project memory, the workspace tree) within its budget."""
    if req.history:
        return build_follow_up(req.prompt or "", req.history_notes)
    rel = req.rel_path
    if req.agent.omit_claude_md:
        notes.append("Project memory (CLAUDE.md, AGENTS.md) left out: the agent sets omitClaudeMd.")
    # one trip to a thread for both (each trip is a wake-up on a loaded machine)
    memory, tree = await asyncio.to_thread(
        _gather_context, sandbox, rel, not req.agent.omit_claude_md
    )
    first = build_first_turn(
        task=req.task,
        text=req.text,
        selection=req.selection,
        rel_path=rel,
        language=req.language,
        workspace_name=Path(req.workspace).name or str(req.workspace),
        prompt=req.prompt,
        context_lines=settings.context_lines,
        budget_tokens=settings.context_tokens,
        memory=memory,
        tree=tree,
    )
    notes.append(f"Context: {first.budget.summary()}.")
    return first.text


class _Run:
    """The state of one run between its requests: the conversation, the usage, the counts
    that bound the loop, and the events it emits (:func:`run_agent` drives it)."""

    def __init__(self, req: RunRequest, settings: RunSettings, emit: EventSink) -> None:
        self.req = req
        self.settings = settings
        self.emit = emit
        self.model = resolve_model(req.agent.model, settings.models, settings.default_model)
        self.result = RunResult(req.run_id, "failed", "", self.model)
        self.start = time.perf_counter()
        self.texts: list[str] = []
        self.continuing = False  # the next text goes on the answer's last line, no break
        self.continuations = 0
        self.cut_retried = False
        self.tool_turns = 0
        # The usage the request being streamed has reported so far (message_start's, then
        # message_delta's): the API bills a request once it starts answering, so a run
        # cancelled or broken mid-answer counts it too (its line read "0 in, 0 out" before).
        self.streaming: dict[str, int] = {}

    def fail(self, err: RunError, status: str = "failed") -> RunResult:
        result = self.result
        result.status = status
        result.error = err
        if status == "failed":
            result.changes = []
        result.wall_s = time.perf_counter() - self.start
        self.emit(RunEvent("error", err.message))
        return result

    def note(self, text: str) -> None:
        self.result.notes.append(text)
        self.emit(RunEvent("note", text))

    def so_far(self) -> dict[str, int]:
        total = dict(self.result.usage)
        add_usage(total, self.streaming)
        return total

    def bill_streaming(self) -> None:
        if self.streaming:
            self.result.requests.append(dict(self.streaming))
            add_usage(self.result.usage, self.streaming)
            self.streaming.clear()

    async def run(
        self,
        client: anthropic.AsyncAnthropic,
        sandbox: Sandbox,
        on_cancel: Callable[[RunResult], None] | None,
    ) -> RunResult:
        req, settings, result = self.req, self.settings, self.result
        self.sandbox = sandbox
        self.proposals = Proposals(
            sandbox, Path(os.path.realpath(req.file)), req.text, open_texts=req.open_texts
        )
        notes = result.notes
        notes += req.history_notes
        if req.seed_changes:
            _seed(self.proposals, sandbox, req, notes)
        self.workers = ToolWorkers(settings.tool_timeout)
        self.tools = offered_tools(req.agent, req.task)
        self.offered = {t["name"] for t in self.tools}
        result.tools = [t["name"] for t in self.tools]
        self.system = system_blocks(req.agent)
        result.system = self.system
        self.effort, effort_note = effort_for(self.model, req.agent.effort)
        if effort_note:
            notes.append(effort_note)
        self.messages: list[dict[str, Any]] = list(req.history)
        _append_user_text(self.messages, await _turn_text(req, settings, sandbox, notes))
        result.messages = self.messages
        self.max_turns = settings.turns_for(req.agent)
        self.max_tokens = settings.max_tokens_for(req.task)
        self.emit(
            RunEvent("start", f"{req.agent.name}: {req.task.title} {req.rel_path} ({self.model})")
        )
        for n in notes:
            self.emit(RunEvent("note", n))
        try:
            ended = await self._loop(client)
        except asyncio.CancelledError:
            self.bill_streaming()
            result.status = "cancelled"
            result.changes = []
            result.wall_s = time.perf_counter() - self.start
            raise
        except Exception as exc:
            self.bill_streaming()
            return self.fail(
                map_exception(exc, base_url=settings.effective_base_url(), timeout=settings.timeout)
            )
        finally:
            result.cost = estimate_cost(self.model, result.requests, settings.prices)
            if result.status == "cancelled" and on_cancel is not None:
                on_cancel(result)
            await self.workers.aclose()
            if result.status == "incomplete":
                result.changes = self.proposals.list()
        if ended is not None:
            return ended
        result.status = "done"
        result.changes = self.proposals.list()
        result.wall_s = time.perf_counter() - self.start
        self.emit(RunEvent("end", "", dict(result.usage)))
        return result

    async def _loop(self, client: anthropic.AsyncAnthropic) -> RunResult | None:
        """The requests of the run, until its answer ends (None) or the run ends short of
        it (its result, ``incomplete``)."""
        while True:
            self._bound_history()
            msg = await self._stream(client)
            content = self._account(msg)
            last = msg.content[-1] if msg.content else None
            if msg.stop_reason == "max_tokens" and last is not None and last.type == "tool_use":
                ended = self._cut_tool_call(last, content)
                if ended is not None:
                    return ended
                continue
            if not content:
                content = [{"type": "text", "text": "(no answer)"}]
            self.messages.append({"role": "assistant", "content": content})
            uses = [b for b in msg.content if b.type == "tool_use"]
            if msg.stop_reason == "max_tokens":
                ended = self._continue_answer()
                if ended is not None:
                    return ended
                continue
            if msg.stop_reason != "tool_use" or not uses:
                if msg.stop_reason not in (None, "end_turn", "stop_sequence", "tool_use"):
                    self.note(f"The answer ended with stop_reason {msg.stop_reason}.")
                return None
            ended = await self._tool_turn(uses)
            if ended is not None:
                return ended

    def _bound_history(self) -> None:
        history_tokens = self.settings.history_tokens
        bounded, dropped, saved = bound_history(self.messages, history_tokens)
        if dropped:
            self.messages[:] = bounded
            self.note(
                f"Left out {dropped} old tool result(s) (~{saved:,} tokens) to keep the "
                f"conversation within its history budget ({history_tokens:,} tokens)."
            )

    def _request(self) -> dict[str, Any]:
        """The parameters of the next request, its cache breakpoints placed."""
        sys_param, msg_param = (
            with_breakpoints(self.system, self.messages)
            if self.settings.cache
            else (self.system, self.messages)
        )
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": msg_param,
            "system": sys_param,
        }
        if self.tools:
            kwargs["tools"] = self.tools
        if self.effort:
            kwargs["output_config"] = {"effort": self.effort}
        return kwargs

    async def _stream(self, client: anthropic.AsyncAnthropic) -> Any:
        """One request, its text emitted as it streams (redacted first, a secret cut in two
        included); the message it ends with."""
        result, emit, streaming = self.result, self.emit, self.streaming
        kwargs = self._request()
        result.turns += 1
        turn_text_parts: list[str] = []
        saw_stop = False
        shown = StreamRedactor()
        async with client.messages.stream(**kwargs) as stream:
            async for ev in stream:
                if ev.type == "message_start":
                    streaming.update(_usage_dict(ev.message.usage))
                elif ev.type == "message_delta":
                    streaming.update(_usage_dict(ev.usage))
                elif ev.type == "text":
                    if result.first_token_s is None:
                        result.first_token_s = time.perf_counter() - self.start
                    if not turn_text_parts and result.text and not self.continuing:
                        turn_text_parts.append("\n\n")
                        emit(RunEvent("delta", "\n\n", self.so_far()))
                    turn_text_parts.append(ev.text)
                    piece = shown.feed(ev.text)
                    if piece:
                        emit(RunEvent("delta", piece, self.so_far()))
                elif ev.type == "message_stop":
                    saw_stop = True
            rest = shown.flush()
            if rest:
                emit(RunEvent("delta", rest, self.so_far()))
            if not saw_stop:
                raise RunError(
                    "broken_stream",
                    "The answer from the Anthropic API ended before it was complete. "
                    "Nothing was applied; try again.",
                )
            msg = stream.current_message_snapshot
        self.continuing = False
        self.texts.append("".join(turn_text_parts))
        result.text = "".join(self.texts)
        return msg

    def _account(self, msg: Any) -> list[dict[str, Any]]:
        """Count the request's usage and stop reason; the blocks of its message to keep."""
        result = self.result
        usage = {k: int(getattr(msg.usage, k, 0) or 0) for k in USAGE_KEYS} if msg.usage else {}
        self.streaming.clear()
        result.requests.append(usage)
        add_usage(result.usage, usage)
        result.stop = msg.stop_reason
        self.emit(RunEvent("turn", msg.stop_reason or "", dict(result.usage), turn=result.turns))
        return [p for p in (_block_param(b) for b in msg.content) if p is not None]

    def _cut_tool_call(self, last: Any, content: list[dict[str, Any]]) -> RunResult | None:
        """A tool call cut by max_tokens is not run: asked again once, then the run ends."""
        max_tokens = self.max_tokens
        partial = str(last.input)[:2000]
        kept = [b for b in content if b["type"] == "text"]
        if kept:
            self.messages.append({"role": "assistant", "content": kept})
        if self.cut_retried:
            self.note(
                f"The {last.name} call was cut off again by max_tokens ({max_tokens:,}); "
                f"what was received of it: {partial}"
            )
            return self.fail(
                _max_tokens_error(self.req.task, max_tokens, tool=last.name), "incomplete"
            )
        self.cut_retried = True
        self.note(
            f"The answer was cut off by max_tokens ({max_tokens:,}) in the middle of a "
            f"{last.name} call; it was not run, and the agent was asked to make it again "
            "in smaller pieces."
        )
        ask = (
            f"[agentls] Your last reply was cut off by the max_tokens limit "
            f"({max_tokens:,} tokens) in the middle of a {last.name} call, so that call "
            "was not run. Make it again in smaller pieces (several Edit calls with short "
            "old_string and new_string, or a shorter file), and keep your text short."
        )
        _append_user_text(self.messages, ask)
        return None

    def _continue_answer(self) -> RunResult | None:
        """An answer stopped by max_tokens is continued, MAX_CONTINUATIONS times at most."""
        max_tokens = self.max_tokens
        if self.continuations >= MAX_CONTINUATIONS:
            self.note(
                f"The answer was still cut off by max_tokens ({max_tokens:,}) after "
                f"{MAX_CONTINUATIONS} continuations."
            )
            return self.fail(_max_tokens_error(self.req.task, max_tokens), "incomplete")
        self.continuations += 1
        self.note(
            f"The answer reached max_tokens ({max_tokens:,}); continuing it "
            f"({self.continuations} of {MAX_CONTINUATIONS})."
        )
        self.messages.append(
            {
                "role": "user",
                "content": [
                    {
                        "type": "text",
                        "text": "[agentls] Your answer was cut off by the max_tokens "
                        "limit. Continue exactly where it stopped, without repeating "
                        "anything and without a preamble.",
                    }
                ],
            }
        )
        self.continuing = True  # its text goes on the answer's last line, no break
        return None

    async def _tool_turn(self, uses: list[Any]) -> RunResult | None:
        """Run the tool calls of a turn and answer them; past the turn limit the run ends
        ``incomplete``, its answer so far and its proposals kept."""
        result = self.result
        self.tool_turns += 1
        results = []
        for use in uses:
            out, is_error = await _run_tool(
                use.name, use.input, self.offered, self.sandbox, self.proposals, self.workers
            )
            line = _tool_line(use.name, use.input, out, is_error)
            result.tool_calls.append(line)
            self.emit(RunEvent("tool", line, turn=result.turns))
            results.append(
                {
                    "type": "tool_result",
                    "tool_use_id": use.id,
                    "content": redact(out),
                    "is_error": is_error,
                }
            )
        self.messages.append({"role": "user", "content": results})
        if self.tool_turns < self.max_turns:
            return None
        max_turns = self.max_turns
        result.stop = "max_turns"
        self.note(
            f"The agent reached its turn limit ({max_turns} tool turns: maxTurns, or "
            "--max-turns / the maxTurns setting) before it finished; its answer so far "
            "and its proposals are kept."
        )
        result.changes = self.proposals.list()
        return self.fail(
            RunError(
                "max_turns",
                f"The agent did not finish within {max_turns} turns; the answer so far "
                "is kept and shown. Raise the limit with --max-turns (the agent's "
                "maxTurns, or the maxTurns setting) or continue the conversation.",
            ),
            "incomplete",
        )


async def run_agent(
    req: RunRequest,
    settings: RunSettings,
    on_event: EventSink | None = None,
    *,
    client: anthropic.AsyncAnthropic | None = None,
    on_cancel: Callable[[RunResult], None] | None = None,
) -> RunResult:
    """Run ``req`` to completion. Raises ``asyncio.CancelledError`` when cancelled, after
    handing ``on_cancel`` the result so far (its usage and cost: the API bills what it
    streamed; its text is the finished turns'); every other failure is returned as a
    ``failed`` result with a :class:`RunError`."""
    run = _Run(req, settings, on_event or (lambda ev: None))
    opened = _open_run(req, settings)
    if isinstance(opened, RunError):
        return run.fail(opened)
    sandbox, key, token = opened
    if client is None:
        client = shared_client(settings, key, token)
    return await run.run(client, sandbox, on_cancel)


def _append_user_text(messages: list[dict[str, Any]], text: str) -> None:
    """Add ``text`` to the conversation as the user's: a new turn after the assistant's,
    or a last block of the user turn that ends it (turns alternate)."""
    if messages and messages[-1]["role"] == "user":
        last = messages[-1]
        messages[-1] = {
            **last,
            "content": [*_as_blocks(last["content"]), {"type": "text", "text": text}],
        }
    else:
        messages.append({"role": "user", "content": [{"type": "text", "text": text}]})


def _max_tokens_error(task: Task, max_tokens: int, tool: str | None = None) -> RunError:
    what = f"a {tool} call" if tool else "the answer"
    return RunError(
        "max_tokens",
        f"The agent's answer did not fit in max_tokens ({max_tokens:,} tokens for "
        f"{task.title.lower()}): {what} was cut off. What was received is kept in the run's "
        "transcript. Raise the limit with --max-tokens (the maxTokens setting in an editor) "
        "and run again.",
    )


def prices_date() -> str:
    return prices_as_of()
