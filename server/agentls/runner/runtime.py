"""One agent run: the request, the streaming loop, the bounded tool loop, the result.

Adapters (the LSP module, the CLI) build a :class:`RunRequest`, pass callbacks for the
streamed events and get a :class:`RunResult`. Cancelling the task that awaits
:func:`run_agent` closes the HTTP stream at once (the SDK's stream context manager).
"""

from __future__ import annotations

import asyncio
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
from agentls.runner.models import resolve_model
from agentls.runner.prompt import Task, build_user_prompt, get_task, offered_tools
from agentls.runner.proposals import FileChange, Proposals
from agentls.runner.redact import StreamRedactor, redact, register_secret, register_url
from agentls.runner.sandbox import Sandbox, SandboxError
from agentls.runner.toolworker import DEFAULT_BUDGET, ToolWorkers
from agentls.types import Range

DEFAULT_MAX_TURNS = 12
HARD_MAX_TURNS = 40


@dataclass
class RunSettings:
    api_key: str | None = None  # None: ANTHROPIC_API_KEY
    base_url: str | None = None  # None: ANTHROPIC_BASE_URL, then the SDK default
    models: dict[str, str] = field(default_factory=dict)
    default_model: str | None = None
    max_tokens: int = 4096
    context_lines: int = 20
    max_turns: int = DEFAULT_MAX_TURNS  # when the agent sets no maxTurns
    hard_max_turns: int = HARD_MAX_TURNS
    timeout: float = 120.0  # seconds without data from the API
    connect_timeout: float = 10.0
    max_retries: int = 2
    tool_timeout: float = DEFAULT_BUDGET  # seconds for one Grep or Glob (then it is stopped)

    def key(self) -> str | None:
        key = self.api_key or os.environ.get("ANTHROPIC_API_KEY") or None
        return key.strip() if key else None

    def effective_base_url(self) -> str:
        return self.base_url or os.environ.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com"

    @staticmethod
    def from_options(options: dict[str, Any] | None) -> RunSettings:
        """Settings from initialization options / ``agentls`` configuration (protocol.md)."""
        s = RunSettings()
        o = options or {}
        if isinstance(o.get("apiKey"), str) and o["apiKey"].strip():
            s.api_key = o["apiKey"].strip()
            register_secret(s.api_key)
        if isinstance(o.get("models"), dict):
            s.models = {str(k): str(v) for k, v in o["models"].items() if isinstance(v, str)}
        if isinstance(o.get("defaultModel"), str) and o["defaultModel"].strip():
            s.default_model = o["defaultModel"].strip()
        for key, attr in (("maxTokens", "max_tokens"), ("contextLines", "context_lines")):
            v = o.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                setattr(s, attr, v)
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
    ) -> RunRequest:
        return RunRequest(
            agent, get_task(task), workspace, file, text, selection, language, version
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


@dataclass
class RunEvent:
    kind: str  # "start" | "delta" | "tool" | "end" | "error"
    text: str
    usage: dict[str, int] | None = None


@dataclass
class RunResult:
    run_id: str
    status: str  # "done" | "cancelled" | "failed"
    text: str
    model: str
    changes: list[FileChange] = field(default_factory=list)
    error: RunError | None = None
    usage: dict[str, int] = field(default_factory=lambda: {"input_tokens": 0, "output_tokens": 0})
    turns: int = 0
    first_token_s: float | None = None


EventSink = Callable[[RunEvent], None]


def make_client(settings: RunSettings, key: str) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(
        api_key=key,
        base_url=settings.base_url or None,
        max_retries=settings.max_retries,
        timeout=httpx2.Timeout(settings.timeout, connect=settings.connect_timeout),
    )


def _block_param(block: Any) -> dict[str, Any] | None:
    if block.type == "text":
        return {"type": "text", "text": block.text}
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
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
    return out, False


def _int(v: Any) -> int | None:
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


async def run_agent(
    req: RunRequest,
    settings: RunSettings,
    on_event: EventSink | None = None,
    *,
    client: anthropic.AsyncAnthropic | None = None,
) -> RunResult:
    """Run ``req`` to completion. Raises ``asyncio.CancelledError`` when cancelled; every
    other failure is returned as a ``failed`` result with a :class:`RunError`."""
    emit = on_event or (lambda ev: None)
    model = resolve_model(req.agent.model, settings.models, settings.default_model)
    result = RunResult(req.run_id, "failed", "", model)
    start = time.perf_counter()

    def fail(err: RunError) -> RunResult:
        result.status = "failed"
        result.error = err
        result.changes = []
        emit(RunEvent("error", err.message))
        return result

    from agentls.discovery import forbidden_root

    if forbidden_root(req.workspace):  # every caller chooses with run_root; fail closed
        return fail(RunError("workspace", f"refused: {req.workspace} is / or $HOME (or above)"))
    try:
        sandbox = Sandbox(req.workspace)
    except SandboxError as e:  # the sandbox's own check (the password database's home too)
        return fail(RunError("unsafe_workspace", f"Not run: {e}."))
    key = settings.key()
    if not key:
        return fail(no_api_key())
    register_secret(key)
    register_url(settings.effective_base_url())
    own_client = client is None
    if client is None:
        client = make_client(settings, key)
    proposals = Proposals(
        sandbox, Path(os.path.realpath(req.file)), req.text, open_texts=req.open_texts
    )
    workers = ToolWorkers(settings.tool_timeout)
    tools = offered_tools(req.agent.tools, req.task)
    offered = {t["name"] for t in tools}
    prompt = build_user_prompt(
        task=req.task,
        text=req.text,
        selection=req.selection,
        rel_path=req.rel_path,
        language=req.language,
        workspace_name=Path(req.workspace).name or str(req.workspace),
        context_lines=settings.context_lines,
    )
    messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
    max_turns = max(1, min(req.agent.max_turns or settings.max_turns, settings.hard_max_turns))
    emit(RunEvent("start", f"{req.agent.name}: {req.task.title} {req.rel_path} ({model})"))
    texts: list[str] = []
    try:
        for turn in range(max_turns):
            result.turns = turn + 1
            kwargs: dict[str, Any] = {
                "model": model,
                "max_tokens": settings.max_tokens,
                "messages": messages,
            }
            if req.agent.body:
                kwargs["system"] = req.agent.body
            if tools:
                kwargs["tools"] = tools
            turn_text: list[str] = []
            saw_stop = False
            # streamed text is redacted before anyone sees it, a secret cut in two included
            shown = StreamRedactor()
            async with client.messages.stream(**kwargs) as stream:
                async for ev in stream:
                    if ev.type == "text":
                        if result.first_token_s is None:
                            result.first_token_s = time.perf_counter() - start
                        if not turn_text and texts:
                            turn_text.append("\n\n")
                            emit(RunEvent("delta", "\n\n", dict(result.usage)))
                        turn_text.append(ev.text)
                        piece = shown.feed(ev.text)
                        if piece:
                            emit(RunEvent("delta", piece, dict(result.usage)))
                    elif ev.type == "message_stop":
                        saw_stop = True
                rest = shown.flush()
                if rest:
                    emit(RunEvent("delta", rest, dict(result.usage)))
                if not saw_stop:
                    raise RunError(
                        "broken_stream",
                        "The answer from the Anthropic API ended before it was complete. "
                        "Nothing was applied; try again.",
                    )
                msg = stream.current_message_snapshot
            texts.append("".join(turn_text))
            result.text = "".join(texts)
            if msg.usage is not None:
                result.usage["input_tokens"] += int(msg.usage.input_tokens or 0)
                result.usage["output_tokens"] += int(msg.usage.output_tokens or 0)
            content = [p for p in (_block_param(b) for b in msg.content) if p is not None]
            messages.append({"role": "assistant", "content": content})
            uses = [b for b in msg.content if b.type == "tool_use"]
            if msg.stop_reason != "tool_use" or not uses:
                if msg.stop_reason == "max_tokens":
                    note = "\n\n[The answer was cut off at the max tokens limit.]"
                    result.text += note
                    emit(RunEvent("delta", note, dict(result.usage)))
                break
            results = []
            for use in uses:
                out, is_error = await _run_tool(
                    use.name, use.input, offered, sandbox, proposals, workers
                )
                emit(RunEvent("tool", _tool_line(use.name, use.input, out, is_error)))
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": use.id,
                        "content": redact(out),
                        "is_error": is_error,
                    }
                )
            messages.append({"role": "user", "content": results})
        else:
            return fail(
                RunError(
                    "max_turns",
                    f"The agent did not finish within {max_turns} turns (maxTurns); "
                    "nothing was applied.",
                )
            )
    except asyncio.CancelledError:
        result.status = "cancelled"
        result.changes = []
        raise
    except Exception as exc:
        return fail(
            map_exception(exc, base_url=settings.effective_base_url(), timeout=settings.timeout)
        )
    finally:
        await workers.aclose()
        if own_client:
            await client.close()
    result.status = "done"
    result.changes = proposals.list()
    emit(RunEvent("end", "", dict(result.usage)))
    return result
