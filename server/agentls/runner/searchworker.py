"""The search worker process (``python -m agentls.runner.searchworker``): answers Grep and
Glob requests, one JSON line each, until its stdin ends. Started and killed by
:mod:`agentls.runner.toolworker`; it imports no more than the sandbox (no asyncio), so that
it starts fast."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from typing import Any


def serve(stdin: Any, stdout: Any) -> None:
    """Answer requests until stdin ends (the parent exited or closed the pipe)."""
    from agentls.runner.sandbox import Sandbox, SandboxError

    boxes: dict[str, Sandbox] = {}
    for raw in stdin:
        reply: dict[str, Any]
        try:
            req = json.loads(raw)
            reply = {"id": req.get("id")}
            box = boxes.get(req["root"])
            if box is None:
                box = boxes[req["root"]] = Sandbox(Path(req["root"]))
            deadline = time.monotonic() + float(req["soft"])
            fn = box.grep if req["op"] == "grep" else box.glob
            reply["out"] = fn(**req["args"], deadline=deadline)
        except SandboxError as e:
            reply["error"] = str(e)
        except Exception as e:  # a bug must not kill the run: the model is told
            reply["error"] = f"The search failed: {type(e).__name__}: {e}"
        stdout.write(json.dumps(reply).encode("ascii") + b"\n")
        stdout.flush()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # agentls decides when we stop
    serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
