"""The workspace index on a generated 10,000-file workspace: build time, the latency of
completion and diagnostics while it builds, memory.

The workspace (``bench/inputs/generate.py``) is a monorepo of 100 projects of 100 files:
25 agents, 10 commands and 5 skills each (4,000 definitions), the rest Markdown notes and
Python sources. The server is started with an empty HOME (no user agents).

- **build**: from ``initialized`` (which starts the background build) to the answer of an
  ``agentls/agents`` request sent right after it (it waits for the index), in a server that
  gets nothing else (then again in the server measured below, where requests compete);
- **while it builds**: an agent file is open; completion requests (in ``tools:``) and edits
  (didChange → publishDiagnostics of that version) alternate, one at a time, until the
  index is ready; p50/p99 of each;
- **after**: the same, with the index ready (the cross-file findings now run);
- **RSS**: the server process's resident set after the build and its peak (VmHWM).

Also, for scale, ``build_index`` called in this process (no server).

    python bench/bench_index.py [--files 10000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH / "inputs"))

from generate import workspace  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * len(s)) - 1))] if s else float("nan")


def proc_status(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0]) * 1024
    except OSError:
        pass
    return out


async def serve(root: Path, home: Path, min_samples: int, probe: bool = True) -> dict[str, Any]:
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("bench", "0")
    waiters: dict[int, asyncio.Future[None]] = {}

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diags(params: lsp.PublishDiagnosticsParams) -> None:
        fut = waiters.pop(params.version or -1, None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    env = {**os.environ, "HOME": str(home)}
    env.pop("CLAUDE_CONFIG_DIR", None)
    await client.start_io(sys.executable, "-m", "agentls", "lsp", env=env)
    pid = client._server.pid if client._server else 0
    caps = lsp.ClientCapabilities(
        general=lsp.GeneralClientCapabilities(position_encodings=["utf-16"]),
        text_document=lsp.TextDocumentClientCapabilities(
            publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(version_support=True),
            completion=lsp.CompletionClientCapabilities(
                completion_item=lsp.ClientCompletionItemOptions(snippet_support=True)
            ),
        ),
    )
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=caps,
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), "ws")],
        )
    )
    path = root / "pkg000" / ".claude" / "agents" / "p0-agent-0.md"
    text = path.read_text("utf-8")
    lines = text.split("\n")
    tl = next(i for i, ln in enumerate(lines) if ln.startswith("tools:"))
    body = len(lines) // 2  # edits: one character typed and removed in the body
    uri = path.as_uri()
    version = 1

    async def edit() -> float:
        nonlocal version
        version += 1
        typed = version % 2 == 0
        rng = lsp.Range(lsp.Position(body, 0), lsp.Position(body, 0 if typed else 1))
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters[version] = fut
        t0 = time.perf_counter()
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [lsp.TextDocumentContentChangePartial(range=rng, text="x" if typed else "")],
            )
        )
        await asyncio.wait_for(fut, 60)
        return (time.perf_counter() - t0) * 1000

    async def complete() -> float:
        t0 = time.perf_counter()
        await client.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(tl, len(lines[tl])))
        )
        return (time.perf_counter() - t0) * 1000

    t0 = time.perf_counter()
    client.initialized(lsp.InitializedParams())
    ready = asyncio.ensure_future(client.protocol.send_request_async("agentls/agents", {}))
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, text))
    )
    during: dict[str, list[float]] = {"completion": [], "diagnostics": []}
    build = 0.0
    while probe and not ready.done():
        during["completion"].append(await complete())
        if ready.done():
            break
        during["diagnostics"].append(await edit())
    answer = await ready
    build = time.perf_counter() - t0
    agents = answer.get("agents", []) if isinstance(answer, dict) else answer.agents
    mem = proc_status(pid)
    after: dict[str, list[float]] = {"completion": [], "diagnostics": []}
    for _ in range(min_samples):
        after["completion"].append(await complete())
        after["diagnostics"].append(await edit())
    await asyncio.wait_for(client.shutdown_async(None), 30)
    client.exit(None)
    await client.stop()
    return {"build": build, "during": during, "after": after, "mem": mem, "n": len(agents)}


def fmt(xs: list[float]) -> str:
    if not xs:
        return "no samples"
    return f"p50 {statistics.median(xs):6.2f} ms  p99 {pct(xs, 0.99):6.2f} ms  (n={len(xs)})"


async def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="500 files (CI: it runs, no goal)")
    args = ap.parse_args()
    quick = args.quick or bool(os.environ.get("AGENTLS_BENCH_QUICK"))
    files = 500 if quick else args.files
    with tempfile.TemporaryDirectory() as tmp:
        root, home = Path(tmp) / "ws", Path(tmp) / "home"
        home.mkdir()
        counts = workspace(root, files)
        print(
            f"workspace: {files} files {counts}; cpu count {os.cpu_count()}, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        from agentls.indexing import build_index

        t0 = time.perf_counter()
        index = build_index([str(root)], user=False, bundled=False)
        print(
            f"build_index in this process (no server): {time.perf_counter() - t0:.2f} s, "
            f"{len(index.entries)} definitions"
        )
        del index
        alone = await serve(root, home, 0, probe=False)
        r = await serve(root, home, 20 if quick else 200)
    print(f"server: index build {alone['build']:.2f} s ({alone['n']} definitions)   goal <= 3 s")
    print(f"server: index build while probed {r['build']:.2f} s (the requests below compete)")
    for kind, xs in r["during"].items():
        print(f"  while building, {kind:11s} {fmt(xs)}   goal p99 <= 20 ms")
    for kind, xs in r["after"].items():
        print(f"  index ready,    {kind:11s} {fmt(xs)}")
    mem = r["mem"]
    if mem:
        print(
            f"server RSS after the build {mem.get('VmRSS', 0) / 2**20:.0f} MB, "
            f"peak {mem.get('VmHWM', 0) / 2**20:.0f} MB   goal <= 250 MB"
        )


if __name__ == "__main__":
    asyncio.run(main())
