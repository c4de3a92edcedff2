"""A fake Anthropic Messages API: real HTTP/1.1 and server-sent events on 127.0.0.1.

The server runs its own asyncio loop in a background thread, so synchronous tests (a
subprocess), async tests and the LSP tests (whose server is a subprocess) can all use it.
Each ``POST /v1/messages`` consumes the next scripted :class:`Reply`; every request is
recorded with its headers and JSON body. A client closing the connection early (a cancel)
is recorded with its time and can be awaited with :meth:`FakeMessagesAPI.wait_disconnect`.

Replies are built with the helpers at the bottom: :func:`text`, :func:`tool_use`,
:func:`error`, and a :class:`Reply` can carry actions (sleep, stall, disconnect, raw bytes).
:func:`text` with ``stop_reason="max_tokens"`` is an answer cut mid-text; :func:`cut_tool_use`
a tool call cut in the middle of its JSON input.

Usage and prompt caching (:class:`CacheModel`), as the Messages API documents them: the
prompt is read as blocks in the order tools, system, messages; a block carrying
``cache_control`` is a breakpoint (more than 4 is a 400). For each breakpoint the cache is
looked up at that block and at up to 20 blocks before it, and the longest prefix written by
an earlier request (same model, same blocks) is read: ``cache_read_input_tokens``. The
prefix up to the last breakpoint is then written, when it is at least the model's minimum
cacheable length: ``cache_creation_input_tokens`` counts the tokens between what was read
and that breakpoint. ``input_tokens`` is the rest, after the last breakpoint. Entries live 5
minutes (``"ttl": "1h"``: an hour) from their last use. Tokens are counted by a fixed rule
(:func:`count_tokens`: one per 4 characters of the block's JSON), so figures are
reproducible; ``Reply.usage`` overrides the computed figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: A recognisable fake key: tests assert it never shows up anywhere.
FAKE_KEY = "sk-ant-api03-LEAKCANARY-5f1e2d3c4b5a69788796a5b4c3d2e1f0-AAAA"
#: A key without the usual prefix, so only exact-secret redaction can catch it.
PLAIN_KEY = "plainLEAKCANARYkey-8c1f0e9d2b7a"

# ---------------------------------------------------------------------------- script


@dataclass
class Sleep:
    seconds: float


@dataclass
class Stall:
    """Stop sending and wait until the client goes away (or the server stops)."""


@dataclass
class Disconnect:
    """Close the connection abruptly (mid-stream: the chunked body is left incomplete)."""


@dataclass
class Raw:
    """Bytes written as they are inside the body (for malformed server-sent events)."""

    data: bytes


@dataclass
class Event:
    type: str
    data: dict[str, Any]


Action = Sleep | Stall | Disconnect | Raw | Event


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: Actions before the status line is sent (a timeout before headers: ``[Sleep(5)]``).
    before: list[Action] = field(default_factory=list)
    #: For 200: the SSE stream; for errors: ignored (``body`` is sent).
    actions: list[Action] = field(default_factory=list)
    body: bytes | None = None
    #: Usage fields put in ``message_start`` instead of the cache model's (``{}``: its own).
    usage: dict[str, int] | None = None


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    received_at: float
    completed_at: float | None = None
    disconnected_at: float | None = None
    #: What the cache model computed for this request (input, cache read and write tokens).
    usage: dict[str, int] = field(default_factory=dict)
    #: The usage the streamed reply reported: message_start's, then message_delta's fields
    #: over it (the message's final usage, as the SDK's snapshot has it); empty: none sent.
    reported: dict[str, int] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        return self.body


# ---------------------------------------------------------------------------- cache model

MAX_BREAKPOINTS = 4  # "a 5th returns 400"
LOOKBACK_BLOCKS = 20  # blocks before a breakpoint where an earlier write is looked for
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}


def message_texts(body: Any) -> list[str]:
    """Every text a request carried in its messages, in order (tool results included): what
    the model was given, for tests that assert on a conversation's history."""
    out: list[str] = []
    if not isinstance(body, dict):
        return out
    for msg in body.get("messages", []):
        content = msg.get("content")
        for block in [{"text": content}] if isinstance(content, str) else content or []:
            if "text" in block:
                out.append(str(block["text"]))
            elif block.get("type") == "tool_result":
                out.append(str(block.get("content")))
    return out


def count_tokens(block: Any) -> int:
    """The fake's token count of one prompt block: one token per 4 characters of its JSON
    (``cache_control`` left out), at least one."""
    return max(1, len(_canonical(block)) // 4)


def _canonical(block: Any) -> str:
    if isinstance(block, dict):
        block = {k: v for k, v in block.items() if k != "cache_control"}
    return json.dumps(block, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass
class _Block:
    text: str  # canonical: what a cache entry must match
    tokens: int
    ttl: str | None  # set on a breakpoint


def prompt_blocks(body: dict[str, Any]) -> list[_Block]:
    """The request's prompt as the cache sees it: tools, then system, then messages."""
    out: list[_Block] = []

    def add(prefix: str, block: Any) -> None:
        cc = block.get("cache_control") if isinstance(block, dict) else None
        ttl = None
        if isinstance(cc, dict):
            ttl = str(cc.get("ttl") or "5m")
        out.append(_Block(prefix + _canonical(block), count_tokens(block), ttl))

    for tool in body.get("tools") or []:
        add("tool:", tool)
    system = body.get("system")
    if isinstance(system, str) and system:
        add("system:", {"type": "text", "text": system})
    elif isinstance(system, list):
        for block in system:
            add("system:", block)
    for msg in body.get("messages") or []:
        content = msg.get("content")
        if isinstance(content, str):
            add(f"{msg.get('role')}:", {"type": "text", "text": content})
        else:
            for block in content or []:
                add(f"{msg.get('role')}:", block)
    return out


class CacheModel:
    """The prompt cache of one fake API (see the module docstring)."""

    def __init__(self, min_tokens: int = 1024, clock: Any = time.monotonic) -> None:
        self.min_tokens = min_tokens
        self.enabled = True
        self._clock = clock
        self._entries: dict[str, float] = {}  # prefix hash -> expiry
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def usage(self, body: Any) -> dict[str, int] | str:
        """The usage of a request, or the text of a 400 error."""
        if not isinstance(body, dict):
            return {
                "input_tokens": 1,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            }
        blocks = prompt_blocks(body)
        marks = [i for i, b in enumerate(blocks) if b.ttl is not None]
        if len(marks) > MAX_BREAKPOINTS:
            return (
                f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
                f"Found {len(marks)}."
            )
        hashes: list[str] = []
        h = hashlib.sha256(str(body.get("model", "")).encode())
        cumulative: list[int] = []
        total = 0
        for b in blocks:
            h.update(b"\x00" + b.text.encode("utf-8", "surrogatepass"))
            hashes.append(h.hexdigest())
            total += b.tokens
            cumulative.append(total)
        now = self._clock()
        read_at = -1
        with self._lock:
            if self.enabled:
                for m in marks:
                    for j in range(m, max(-1, m - LOOKBACK_BLOCKS - 1), -1):
                        expiry = self._entries.get(hashes[j])
                        if expiry is not None and expiry > now:
                            read_at = max(read_at, j)
                            break
            read = cumulative[read_at] if read_at >= 0 else 0
            created = 0
            if self.enabled and marks:
                last = marks[-1]
                if read_at >= 0:  # a read refreshes the entry's life
                    ttl = blocks[last].ttl or "5m"
                    self._entries[hashes[read_at]] = now + TTL_SECONDS.get(ttl, 300.0)
                for m in marks:
                    if m > read_at and cumulative[m] >= self.min_tokens:
                        ttl = blocks[m].ttl or "5m"
                        self._entries[hashes[m]] = now + TTL_SECONDS.get(ttl, 300.0)
                if last > read_at and cumulative[last] >= self.min_tokens:
                    created = cumulative[last] - read
        return {
            "input_tokens": total - read - created,
            "cache_creation_input_tokens": created,
            "cache_read_input_tokens": read,
        }


class FakeMessagesAPI:
    """Start with :meth:`start` (or as a context manager); script with :meth:`script`."""

    def __init__(self) -> None:
        self._replies: list[Reply] = []
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self.port = 0
        self._waiters: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[float]]] = []
        self._request_waiters: list[
            tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]
        ] = []
        #: Reply used when the script is empty.
        self.default_reply: Reply | None = None
        #: Prompt caching as the API documents it (``cache.enabled = False``: no caching).
        self.cache = CacheModel()

    # ------------------------------------------------------------------ public API

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._replies)

    def start(self) -> FakeMessagesAPI:
        self._thread = threading.Thread(target=self._run, name="fake-messages-api", daemon=True)
        self._thread.start()
        self._started.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FakeMessagesAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def wait_disconnect(self, index: int = -1, timeout: float = 5.0) -> float:
        """Wait until request ``index`` was abandoned by the client; return the time."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[float] = loop.create_future()
        with self._lock:
            idx = index if index >= 0 else len(self.requests) + index
            if 0 <= idx < len(self.requests) and self.requests[idx].disconnected_at is not None:
                return self.requests[idx].disconnected_at  # type: ignore[return-value]
            self._waiters.append((idx, loop, fut))
        return await asyncio.wait_for(fut, timeout)

    async def wait_requests(self, count: int, timeout: float = 10.0) -> None:
        """Wait until at least ``count`` requests have arrived."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if len(self.requests) >= count:
                return
            self._request_waiters.append((count, loop, fut))
        await asyncio.wait_for(fut, timeout)

    # ------------------------------------------------------------------ internals

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._started.set()
        async with self._server:
            await self._stop.wait()
            self._server.close()

    def _next_reply(self) -> Reply:
        with self._lock:
            if self._replies:
                return self._replies.pop(0)
        if self.default_reply is not None:
            return self.default_reply
        return error(500, "api_error", "fake API: no scripted reply left")

    def _record(self, req: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(req)
            n = len(self.requests)
            keep = []
            for count, loop, fut in self._request_waiters:
                if n >= count:
                    loop.call_soon_threadsafe(_set_result, fut, None)
                else:
                    keep.append((count, loop, fut))
            self._request_waiters = keep
            return n - 1

    def _mark_disconnected(self, idx: int) -> None:
        now = time.monotonic()
        with self._lock:
            self.requests[idx].disconnected_at = now
            keep = []
            for i, loop, fut in self._waiters:
                if i == idx:
                    loop.call_soon_threadsafe(_set_result, fut, now)
                else:
                    keep.append((i, loop, fut))
            self._waiters = keep

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve_one(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
                await writer.wait_closed()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0") or 0)
        raw = await reader.readexactly(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        recorded = RecordedRequest(method, path, headers, body, time.monotonic())
        idx = self._record(recorded)
        if method != "POST" or not path.split("?")[0].endswith("/v1/messages"):
            reply = error(404, "not_found_error", f"fake API: no route {method} {path}")
        else:
            usage = self.cache.usage(body)
            if isinstance(usage, str):
                reply = error(400, "invalid_request_error", usage)
            else:
                recorded.usage = usage
                reply = self._next_reply()

        writing = asyncio.ensure_future(self._write_reply(reply, writer, body, recorded))
        watching = asyncio.ensure_future(reader.read(1))
        done, _ = await asyncio.wait({writing, watching}, return_when=asyncio.FIRST_COMPLETED)
        if writing in done:
            watching.cancel()
            exc = writing.exception()
            if exc is None:
                self.requests[idx].completed_at = time.monotonic()
            else:
                self._mark_disconnected(idx)
        else:
            # The client closed its side (EOF) before the reply was complete: a cancel.
            writing.cancel()
            with contextlib.suppress(BaseException):
                await writing
            self._mark_disconnected(idx)

    async def _write_reply(
        self, reply: Reply, writer: asyncio.StreamWriter, body: Any, recorded: RecordedRequest
    ) -> None:
        for act in reply.before:
            await self._do(act, writer, chunked=False)
        if reply.status != 200:
            payload = reply.body if reply.body is not None else b"{}"
            hdrs = {"content-type": "application/json", "request-id": _id("req"), **reply.headers}
            writer.write(_status_line(reply.status, hdrs, length=len(payload)) + payload)
            await writer.drain()
            return
        hdrs = {
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-cache",
            "request-id": _id("req"),
            **reply.headers,
        }
        writer.write(_status_line(200, hdrs, length=None))
        await writer.drain()
        model = body.get("model", "fake-model") if isinstance(body, dict) else "fake-model"
        for act in reply.actions:
            if isinstance(act, Event) and act.type == "message_start":
                message = act.data.setdefault("message", {})
                message["model"] = model
                message["usage"] = {**recorded.usage, "output_tokens": 1, **(reply.usage or {})}
            await self._do(act, writer, chunked=True)
            if isinstance(act, Event) and act.type == "message_start":
                recorded.reported = dict(act.data["message"]["usage"])
            elif isinstance(act, Event) and act.type == "message_delta":
                recorded.reported.update(act.data.get("usage") or {})
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def _do(self, act: Action, writer: asyncio.StreamWriter, *, chunked: bool) -> None:
        if isinstance(act, Sleep):
            await asyncio.sleep(act.seconds)
        elif isinstance(act, Stall):
            await asyncio.Event().wait()
        elif isinstance(act, Disconnect):
            transport = writer.transport
            transport.abort()
            raise ConnectionAbortedError("fake disconnect")
        else:
            data = act.data if isinstance(act, Raw) else _sse(act)
            if chunked:
                writer.write(b"%x\r\n" % len(data) + data + b"\r\n")
            else:
                writer.write(data)
            await writer.drain()


def _set_result(fut: asyncio.Future[Any], value: Any) -> None:
    if not fut.done():
        fut.set_result(value)


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    529: "Overloaded",
}


def _status_line(status: int, headers: dict[str, str], *, length: int | None) -> bytes:
    out = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    hdrs = dict(headers)
    hdrs["connection"] = "close"
    if length is None:
        hdrs["transfer-encoding"] = "chunked"
    else:
        hdrs["content-length"] = str(length)
    out += [f"{k}: {v}" for k, v in hdrs.items()]
    return ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")


def _sse(ev: Event) -> bytes:
    return f"event: {ev.type}\ndata: {json.dumps(ev.data)}\n\n".encode()


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


# ---------------------------------------------------------------------------- builders


def _message_start(input_tokens: int = 12) -> Event:
    return Event(
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": _id("msg"),
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": "fake-model",
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": input_tokens, "output_tokens": 1},
            },
        },
    )


def _block_start(index: int, block: dict[str, Any]) -> Event:
    return Event(
        "content_block_start",
        {"type": "content_block_start", "index": index, "content_block": block},
    )


def _delta(index: int, delta: dict[str, Any]) -> Event:
    """A ``content_block_delta`` event: a ``text_delta`` or an ``input_json_delta``."""
    return Event(
        "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
    )


def _block_stop(index: int) -> Event:
    return Event("content_block_stop", {"type": "content_block_stop", "index": index})


def _tool_block(index: int, tool_id: str, name: str) -> Event:
    return _block_start(index, {"type": "tool_use", "id": tool_id, "name": name, "input": {}})


def _text_block(index: int, chunks: Iterable[str], delay: float) -> list[Action]:
    out: list[Action] = [_block_start(index, {"type": "text", "text": ""})]
    for chunk in chunks:
        if delay:
            out.append(Sleep(delay))
        out.append(_delta(index, {"type": "text_delta", "text": chunk}))
    out.append(_block_stop(index))
    return out


def _end(stop_reason: str, output_tokens: int) -> list[Action]:
    return [
        Event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
        ),
        Event("message_stop", {"type": "message_stop"}),
    ]


def text(
    *chunks: str,
    delay: float = 0.0,
    stall_after: int | None = None,
    disconnect_after: int | None = None,
    stop_reason: str = "end_turn",
    headers: dict[str, str] | None = None,
) -> Reply:
    """A streamed text answer, one ``text_delta`` per chunk.

    ``stall_after``/``disconnect_after`` cut the stream after that many actions (the
    ``message_start`` counts as one).
    """
    actions: list[Action] = [Event("ping", {"type": "ping"}), _message_start()]
    actions += _text_block(0, chunks or ("ok",), delay)
    actions += _end(stop_reason, max(1, sum(len(c) for c in chunks) // 4))
    actions = [a for a in actions if not isinstance(a, Sleep)] if not delay else actions
    if stall_after is not None:
        actions = [*actions[: stall_after + 1], Stall()]
    if disconnect_after is not None:
        actions = [*actions[: disconnect_after + 1], Disconnect()]
    return Reply(actions=actions, headers=headers or {})


def tool_use(
    name: str,
    input: dict[str, Any] | None = None,
    *,
    raw_json: str | None = None,
    text_before: str | None = None,
    tool_id: str | None = None,
    more: list[tuple[str, dict[str, Any]]] | None = None,
) -> Reply:
    """A turn that ends with ``stop_reason: tool_use`` calling ``name`` (and ``more``)."""
    actions: list[Action] = [_message_start()]
    index = 0
    if text_before:
        actions += _text_block(0, [text_before], 0.0)
        index = 1
    calls: list[tuple[str, str]] = [(name, raw_json if raw_json is not None else json.dumps(input))]
    calls += [(n, json.dumps(i)) for n, i in (more or [])]
    for n, payload in calls:
        actions.append(_tool_block(index, tool_id if (tool_id and index <= 1) else _id("toolu"), n))
        half = max(1, len(payload) // 2)
        for part in (payload[:half], payload[half:]):
            if part:
                actions.append(_delta(index, {"type": "input_json_delta", "partial_json": part}))
        actions.append(_block_stop(index))
        index += 1
    actions += _end("tool_use", 20)
    return Reply(actions=actions)


def cut_tool_use(
    name: str, partial_json: str, *, text_before: str | None = None, output_tokens: int = 4096
) -> Reply:
    """A turn stopped at ``max_tokens`` in the middle of a ``name`` call: its input JSON is
    ``partial_json`` (incomplete), the message ends with ``stop_reason: max_tokens``."""
    actions: list[Action] = [_message_start()]
    index = 0
    if text_before:
        actions += _text_block(0, [text_before], 0.0)
        index = 1
    actions.append(_tool_block(index, _id("toolu"), name))
    actions.append(_delta(index, {"type": "input_json_delta", "partial_json": partial_json}))
    actions.append(_block_stop(index))
    actions += _end("max_tokens", output_tokens)
    return Reply(actions=actions)


def error(
    status: int,
    type: str,
    message: str,
    headers: dict[str, str] | None = None,
    *,
    retry: bool = False,
) -> Reply:
    """An HTTP error with the API's JSON error body.

    ``x-should-retry: false`` is sent unless ``retry`` (the SDK obeys it), so tests do
    not wait for the SDK's back-off unless they mean to.
    """
    body = json.dumps({"type": "error", "error": {"type": type, "message": message}}).encode()
    hdrs = {"x-should-retry": "true" if retry else "false", **(headers or {})}
    return Reply(status=status, headers=hdrs, body=body)


def stream_error(type: str, message: str, after_text: str = "partial ") -> Reply:
    """A 200 stream that sends some text then an SSE ``error`` event (as the API does)."""
    actions: list[Action] = [_message_start()]
    actions += _text_block(0, [after_text], 0.0)[:-1]
    actions.append(Event("error", {"type": "error", "error": {"type": type, "message": message}}))
    return Reply(actions=actions)


def malformed() -> Reply:
    """A 200 stream whose second event is not JSON."""
    return Reply(
        actions=[_message_start(), Raw(b"event: content_block_start\ndata: {not json\n\n")]
    )


def truncated() -> Reply:
    """A 200 stream that ends cleanly but without ``message_stop``."""
    actions: list[Action] = [_message_start()]
    actions += _text_block(0, ["cut ", "short"], 0.0)
    return Reply(actions=actions)


def slow_headers(seconds: float) -> Reply:
    """Nothing at all for ``seconds``, then a normal text reply (a timeout before headers)."""
    r = text("late")
    r.before = [Sleep(seconds)]
    return r
