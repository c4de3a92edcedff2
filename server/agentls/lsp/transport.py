"""stdio transport: one reader thread that feeds the event loop whole chunks.

pygls 2 reads stdin through ``run_in_executor``, one thread hop per header line and per
body: three per message, each waiting for the GIL while the loop works. Here a thread reads
stdin in large chunks (blocking reads, so stdin works whether it is a pipe, a socket, a tty
or a file, and is never switched to non-blocking mode, which would also hit stdout when
both share one file description) and hands each chunk to an ``asyncio.StreamReader``. pygls'
own message loop (``run_async``) then reads buffered messages without a thread hop (one
pass of the event loop between two messages, so that work a message started runs in order).
On a 6 KB agent, hover after an edit went from 2.98 ms to 1.37 ms (p50, raw stdio client).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from typing import IO, TYPE_CHECKING, Any

from pygls.io_ import StdoutWriter, run_async

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger("agentls")

CHUNK = 1 << 16
LIMIT = 1 << 26  # longest header line kept before it is discarded as garbage


class ChunkReader:
    """The ``AsyncReader`` pygls' ``run_async`` expects, over a stream fed by a thread."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self._stream = stream
        self._after_body = False

    async def readline(self) -> bytes:
        if self._after_body:
            # One pass of the loop per message: what the last message started (a task for
            # an async handler, diagnostics scheduled with call_soon) runs before the next
            # buffered message is read, as it would between two separate reads.
            self._after_body = False
            await asyncio.sleep(0)
        try:
            return await self._stream.readline()
        except ValueError:  # a "line" longer than LIMIT: garbage, already dropped
            log.warning("discarded an over-long header line on stdin")
            return b"X-Discarded: yes\r\n"

    async def readexactly(self, n: int) -> bytes:
        self._after_body = True
        try:
            return await self._stream.readexactly(n)
        except asyncio.IncompleteReadError:  # end of input inside a message
            return b""


def _pump(fd: int, loop: asyncio.AbstractEventLoop, stream: asyncio.StreamReader) -> None:
    try:
        while True:
            try:
                chunk = os.read(fd, CHUNK)
            except InterruptedError:  # pragma: no cover - retried by Python since 3.5
                continue
            if not chunk:
                break
            loop.call_soon_threadsafe(stream.feed_data, chunk)
    except OSError as exc:
        log.info("stdin closed: %s", exc)
    except RuntimeError:  # the loop has closed: the server is exiting
        return
    with contextlib.suppress(RuntimeError):  # the loop has closed
        loop.call_soon_threadsafe(stream.feed_eof)


async def _serve(server: LanguageServer, stdin: IO[bytes]) -> None:
    loop = asyncio.get_running_loop()
    stream = asyncio.StreamReader(limit=LIMIT, loop=loop)
    thread = threading.Thread(
        target=_pump, args=(stdin.fileno(), loop, stream), name="agentls-stdin", daemon=True
    )
    thread.start()
    assert server._stop_event is not None
    await run_async(
        stop_event=server._stop_event,
        reader=ChunkReader(stream),
        protocol=server.protocol,
        logger=log,
        error_handler=server.report_server_error,
    )


def start_io(server: LanguageServer, stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """What pygls' ``start_io`` does, with the chunked reader."""
    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(stdout))  # type: ignore[arg-type]
    try:
        asyncio.run(_serve(server, stdin))
    except BrokenPipeError:
        log.error("connection to the client lost: shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop: Any = server.shutdown  # untyped in pygls
        stop()
