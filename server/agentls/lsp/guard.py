"""Keep the server answering whatever a client sends.

pygls 2.1.1 answers nothing when a request's parameters do not match the LSP types: the
``object_hook`` that structures the message raises, its read loop logs the error, shows a
pop-up and drops the request, so the client waits forever. :func:`install` makes that an
``InvalidParams`` (-32602) error *response* with the reason, drops an invalid notification
with a log line, and fails the pending request when a client's *response* cannot be read.

pygls splits a document into lines with ``str.splitlines``, which also breaks at NEL, LS,
PS, VT, FF and FS/GS/RS: an incremental edit after such a character lands in the wrong place
and the server's text silently differs from the editor's. The guard makes documents split
lines only at CR LF, LF and CR, as LSP defines them, and gives the workspace a position codec
without per-character Python loops (agentls.lsp.codec).

It also keeps exceptions from escaping handlers unnoticed: one that reaches pygls is logged
with its traceback and reported to the client once as a ``window/logMessage`` error (not a
pop-up per keystroke), and counted. A request still gets its ``InternalError`` response.

With ``AGENTLS_TEST_HOOKS=1`` in the environment, a debug request ``agentls/_debugDocument``
(``{"uri": ...}`` → ``{"text", "version", "errors", "invalid"}``) returns the server's copy of
an open document and the counters, for the robustness tests. It never reads from disk.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Generator, Sequence
from concurrent.futures import Future as ThreadFuture
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.workspace import TextDocument

from agentls.runner.redact import redact

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger("agentls")

DEBUG_DOCUMENT = "agentls/_debugDocument"
_MAX_REASONS = 3
MAX_UNOPENED_BYTES = 16 * 1024 * 1024  # a file not opened by the client, read from disk


@dataclass(slots=True)
class GuardStats:
    invalid: int = 0  # messages that could not be read (answered or dropped)
    errors: int = 0  # exceptions that escaped a handler


class LspTextDocument(TextDocument):
    """A pygls document whose lines end only where LSP says a line ends, and which reads a
    file the client has not opened like every other workspace file (:mod:`agentls.fsread`):
    pygls would open a FIFO and wait, or read ``/dev/zero`` until memory runs out."""

    @property
    def source(self) -> str:
        if self._source is None and self.path is not None:
            from agentls.fsread import read_file

            got = read_file(self.path, MAX_UNOPENED_BYTES)
            if got.data is None:
                raise OSError(f"{self.path}: {got.problem}")
            return got.data.decode("utf-8")
        return self._source or ""

    @property
    def lines(self) -> Sequence[str]:
        from agentls.lines import lsp_lines

        return tuple(lsp_lines(self.source))


def _use_lsp_lines(workspace: Any) -> None:
    from agentls.lsp.codec import fast_codec

    workspace._position_codec = fast_codec(workspace._position_codec)

    def create(
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=workspace._sync_kind,
            position_codec=workspace._position_codec,
        )

    workspace._create_text_document = create


class _Dropped:
    """What a message that could not be structured becomes: ignored by ``handle_message``."""

    jsonrpc = "dropped"


def _reasons(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    try:
        from cattrs import transform_error

        lines = transform_error(cause)
    except Exception:
        lines = [str(cause)]
    shown = "; ".join(lines[:_MAX_REASONS])
    more = len(lines) - _MAX_REASONS
    return shown + (f" (and {more} more)" if more > 0 else "")


def install(server: LanguageServer) -> GuardStats:
    """Guard ``server``'s protocol; call once, right after creating the server."""
    protocol: Any = server.protocol
    stats = GuardStats()
    server.guard_stats = stats  # type: ignore[attr-defined]
    structure = protocol.structure_message
    handle = protocol.handle_message
    send_result = protocol._send_handler_result

    def structure_message(data: dict[str, Any]) -> Any:
        try:
            return structure(data)
        except JsonRpcException as exc:
            stats.invalid += 1
            _answer_unreadable(protocol, data, exc)
            return _Dropped()

    def handle_message(message: Any) -> None:
        if isinstance(message, _Dropped):
            return
        handle(message)

    def send_handler_result(future: Any, *, msg_id: Any) -> None:
        _note(server, stats, future, f"request {msg_id}")
        send_result(future, msg_id=msg_id)

    def check_handler_result(future: Any) -> None:
        # Reported here, once, as a log message; pygls would add a pop-up per occurrence.
        _note(server, stats, future, "notification")

    builtin = protocol.fm.builtin_features
    initialize = builtin[lsp.INITIALIZE]

    def lsp_initialize(*args: Any) -> Generator[Any, Any, Any]:
        result = yield from initialize(*args)
        _use_lsp_lines(protocol.workspace)
        return result

    builtin[lsp.INITIALIZE] = lsp_initialize
    protocol.structure_message = structure_message
    protocol.handle_message = handle_message
    protocol._send_handler_result = send_handler_result
    protocol._check_handler_result = check_handler_result
    if os.environ.get("AGENTLS_TEST_HOOKS") == "1":
        _register_debug(server, stats)
    return stats


def _answer_unreadable(protocol: Any, data: dict[str, Any], exc: JsonRpcException) -> None:
    method = data.get("method")
    msg_id = data.get("id")
    reason = _reasons(exc)
    if method is not None and msg_id is not None:
        log.warning("invalid params for %s (id %s): %s", method, msg_id, reason)
        error: JsonRpcException = JsonRpcInvalidParams(f"Invalid params for {method}: {reason}")
        if not isinstance(exc, JsonRpcInvalidParams):
            error = JsonRpcInternalError(f"Cannot read the {method} request: {reason}")
        try:
            protocol._send_response(msg_id, None, error.to_response_error())
        except Exception:  # the transport is gone: nothing more to do
            log.exception("cannot answer request %s", msg_id)
    elif method is not None:
        log.warning("dropped %s notification with invalid params: %s", method, reason)
    elif msg_id is not None:  # a response to one of our requests that cannot be read
        log.warning("unreadable response to request %s: %s", msg_id, reason)
        future = protocol._request_futures.pop(msg_id, None)
        if future is not None and not future.done():
            future.set_exception(JsonRpcInvalidParams(f"Unreadable response: {reason}"))


def _note(server: LanguageServer, stats: GuardStats, future: Any, what: str) -> None:
    if future.cancelled():
        return
    if isinstance(future, ThreadFuture) and not future.done():  # pragma: no cover
        return
    exc = future.exception()
    if exc is None or isinstance(exc, JsonRpcException):
        return  # deliberate protocol errors (cancelled, invalid params...) are answers
    stats.errors += 1
    log.error("internal error in a %s handler", what, exc_info=exc)
    try:
        server.window_log_message(
            lsp.LogMessageParams(
                type=lsp.MessageType.Error,
                message=redact(f"agentls internal error ({what}): {type(exc).__name__}: {exc}"),
            )
        )
    except Exception:
        log.exception("cannot report an internal error")


def _register_debug(server: LanguageServer, stats: GuardStats) -> None:
    @server.feature(DEBUG_DOCUMENT)
    def debug_document(ls: LanguageServer, params: Any) -> dict[str, Any]:
        uri = params.uri if hasattr(params, "uri") else params["uri"]
        doc = ls.workspace.text_documents.get(uri)
        return {
            "text": doc.source if doc is not None else None,
            "version": doc.version if doc is not None else None,
            "errors": stats.errors,
            "invalid": stats.invalid,
        }


__all__ = ["DEBUG_DOCUMENT", "GuardStats", "install"]
