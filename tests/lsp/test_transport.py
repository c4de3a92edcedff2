"""agentls.lsp.transport: the stdio reader, over a real pipe, a file and hostile framing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVER = [sys.executable, "-m", "agentls", "lsp"]
URI = "file:///tmp/agentls-transport/.claude/agents/x.md"
TEXT = "---\nname: x\ndescription: Use when reviewing.\ncolor: gold\n---\nBody\n"


def _frame(obj: dict[str, object]) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _messages(out: bytes) -> list[dict[str, object]]:
    found = []
    while out:
        head, sep, rest = out.partition(b"\r\n\r\n")
        if not sep:
            break
        length = next(
            int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content")
        )
        found.append(json.loads(rest[:length]))
        out = rest[length:]
    return found


def _session(*middle: bytes) -> list[bytes]:
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"processId": os.getpid(), "rootUri": None, "capabilities": {}},
    }
    opened = {
        "jsonrpc": "2.0",
        "method": "textDocument/didOpen",
        "params": {
            "textDocument": {"uri": URI, "languageId": "markdown", "version": 1, "text": TEXT}
        },
    }
    hover = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "textDocument/hover",
        "params": {"textDocument": {"uri": URI}, "position": {"line": 3, "character": 2}},
    }
    return [
        _frame(init),
        _frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        *middle,
        _frame(opened),
        _frame(hover),
        _frame({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}),
        _frame({"jsonrpc": "2.0", "method": "exit"}),
    ]


def _check(out: bytes) -> None:
    msgs = _messages(out)
    by_id = {m.get("id"): m for m in msgs if "id" in m}
    assert "result" in by_id[1] and "result" in by_id[3]
    hover = by_id[2]["result"]
    assert isinstance(hover, dict) and "colo" in json.dumps(hover)
    diags = [m for m in msgs if m.get("method") == "textDocument/publishDiagnostics"]
    assert any(d["params"]["diagnostics"] for d in diags)  # type: ignore[index]


def test_whole_session_in_one_write() -> None:
    r = subprocess.run(SERVER, input=b"".join(_session()), capture_output=True, timeout=60)
    _check(r.stdout)
    assert r.returncode == 0


def test_one_byte_at_a_time() -> None:
    proc = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None
    for part in _session():
        for i in range(len(part)):
            proc.stdin.write(part[i : i + 1])
            proc.stdin.flush()
    proc.stdin.close()
    out = proc.stdout.read() if proc.stdout is not None else b""
    assert proc.wait(60) == 0
    _check(out)


def test_stdin_from_a_regular_file() -> None:
    with tempfile.TemporaryFile() as f:
        f.write(b"".join(_session()))
        f.seek(0)
        r = subprocess.run(SERVER, stdin=f, capture_output=True, timeout=60)
    _check(r.stdout)


def test_garbage_framing_is_skipped_and_the_session_goes_on() -> None:
    junk = [
        b"X-Nonsense: 1\r\n\r\n",  # a header block without a length: ignored
        b"Content-Length: 12\r\n\r\n{not json!!}",  # unreadable body: logged, skipped
        b"\xff\xfe binary \x00 line without a header\r\n\r\n",
    ]
    r = subprocess.run(SERVER, input=b"".join(_session(*junk)), capture_output=True, timeout=60)
    _check(r.stdout)


def test_end_of_input_inside_a_message_ends_the_server() -> None:
    data = b"".join(_session()[:2]) + b'Content-Length: 500\r\n\r\n{"jsonrpc"'
    t0 = time.monotonic()
    r = subprocess.run(SERVER, input=data, capture_output=True, timeout=60)
    assert time.monotonic() - t0 < 60
    assert "result" in _messages(r.stdout)[0]
    assert b"Traceback" not in r.stderr


def test_exit_code_follows_shutdown(tmp_path: Path) -> None:
    session = _session()
    without_shutdown = [m for m in session if b'"shutdown"' not in m]
    r = subprocess.run(SERVER, input=b"".join(without_shutdown), capture_output=True, timeout=60)
    assert r.returncode in (0, 1)  # pygls' own exit handling decides; it must not hang
