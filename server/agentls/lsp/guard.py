"""Keep the server answering whatever a client sends.

pygls 2.1.1 answers nothing when a request's parameters do not match the LSP types: the
``object_hook`` that structures the message raises, its read loop logs the error, shows a
pop-up and drops the request, so the client waits forever. :class:`AgentlsProtocol` (the
server's protocol class) makes that an ``InvalidParams`` (-32602) error *response* with the
reason, drops an invalid notification with a log line, and fails the pending request when a
client's *response* cannot be read.

Errors as LSP says them: after ``shutdown`` a request gets ``InvalidRequest`` (-32600; pygls
sends nothing); a URI holding NUL (``%00``), which no file can have and on which every ``os``
function raises, gets ``InvalidParams`` for a request and is dropped with a log line for a
notification; ``didChange``/``didClose`` of a document that is not open are ignored with a
log line (pygls raised ``KeyError``, an internal error).

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

import asyncio
import logging
import os
from collections.abc import Generator, Sequence
from concurrent.futures import Future as ThreadFuture
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
)
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
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


class AgentlsProtocol(LanguageServerProtocol):
    """pygls' LSP protocol with the guards above, and agentls' typed messages
    (:mod:`agentls.lsp.protocol`). Given to the server as its ``protocol_cls``."""

    def __init__(self, server: Any, converter: Any) -> None:
        self.stats = GuardStats()
        super().__init__(server, converter)

    def get_message_type(self, method: str) -> type | None:  # type: ignore[override]
        from agentls.lsp.protocol import message_type

        return message_type(method) or super().get_message_type(method)

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            self.stats.invalid += 1
            _answer_unreadable(self, data, exc)
            return _Dropped()

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Dropped):
            return
        method = getattr(message, "method", None)
        msg_id = getattr(message, "id", None)
        if self._shutdown and method is not None and method != lsp.EXIT:
            # LSP: after shutdown, requests fail with InvalidRequest; notifications are dropped
            what = "refused" if msg_id is not None else "dropped"
            log.info("after shutdown: %s %s", what, method)
            if msg_id is not None:
                refused = JsonRpcInvalidRequest(f"{method}: the server is shutting down")
                self._send_response(msg_id, None, refused.to_response_error())
            return
        uri = _uri_of(getattr(message, "params", None))
        why = _refused_uri(uri) if method is not None and uri is not None else None
        if why is not None:
            self.stats.invalid += 1
            log.warning("refused %s for a URI that %s", method, why)
            if msg_id is not None:
                error = JsonRpcInvalidParams(f"{method}: the URI {why}")
                self._send_response(msg_id, None, error.to_response_error())
            return
        super().handle_message(message)

    def _send_handler_result(self, future: Any, *, msg_id: Any) -> None:
        _note(self._server, self.stats, future, f"request {msg_id}")
        super()._send_handler_result(future, msg_id=msg_id)

    def _check_handler_result(self, future: Any) -> None:
        # Reported here, once, as a log message; pygls would add a pop-up per occurrence.
        _note(self._server, self.stats, future, "notification")

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(self, params: lsp.InitializeParams) -> Generator[Any, Any, Any]:
        result = yield from super().lsp_initialize(params)
        _use_lsp_lines(self.workspace)
        from agentls.lsp.server import pulls_diagnostics

        if not pulls_diagnostics(params.capabilities):
            # pushed instead (agentls.lsp.server.pulls_diagnostics says why)
            result.capabilities.diagnostic_provider = None
        return result

    @lsp_method(lsp.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(lsp.SHUTDOWN)) is not None:
            yield handler, args, None
        # pygls 2.1.1 cancels pending requests while iterating over the dict that the
        # cancellation callbacks shrink ("dictionary changed size"): here over a snapshot,
        # and only the server's requests to the client; the client's requests sent before
        # shutdown (running as tasks) still get their answers.
        current = self.msg_id  # never the shutdown request itself
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current and not isinstance(future, asyncio.Task) and not future.done():
                future.cancel()
        self._shutdown = True

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: lsp.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        # LSP: a change of a document that is not open is a client error; pygls would
        # raise KeyError (an internal error). Ignored, with a log line.
        if _not_open(self, "didChange", params.text_document.uri):
            return
        yield from super().lsp_text_document__did_change(params)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: lsp.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if _not_open(self, "didClose", params.text_document.uri):
            return
        yield from super().lsp_text_document__did_close(params)


def install(server: LanguageServer) -> GuardStats:
    """Register the debug request when the tests ask for it; the stats of the guards."""
    protocol = server.protocol
    assert isinstance(protocol, AgentlsProtocol), "create the server with AgentlsProtocol"
    if os.environ.get("AGENTLS_TEST_HOOKS") == "1":
        _register_debug(server, protocol.stats)
    return protocol.stats


def _uri_of(params: Any) -> str | None:
    """The document URI a message is about, if any."""
    td = getattr(params, "text_document", None)
    uri = getattr(td, "uri", None) if td is not None else getattr(params, "uri", None)
    return uri if isinstance(uri, str) else None


# Longer than any path a file system takes (Linux PATH_MAX is 4,096 bytes, percent-escapes
# triple a byte): a URI of 40,000 folders froze the server, every parent being looked at
# (issue 14 class 12, second attack)
MAX_URI = 3 * 4096 + 64


def _refused_uri(uri: str) -> str | None:
    """Why no file can have this URI's path (None: one may): it holds NUL, on which every
    os function raises, or it is longer than any path."""
    if "\x00" in uri or "%00" in uri:
        return "holds a NUL character"
    if len(uri) > MAX_URI:
        return f"is longer than any file path ({len(uri):,} characters)"
    return None


def _not_open(protocol: LanguageServerProtocol, what: str, uri: str) -> bool:
    if unquote(uri) in protocol.workspace.text_documents:
        return False
    log.info("ignored %s of %s: the document is not open", what, uri)
    return True


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


__all__ = ["DEBUG_DOCUMENT", "AgentlsProtocol", "GuardStats", "install"]
