"""Hover on one document while another, large and adversarial, is analysed again.

Document A is a 1 MB Claude Code agent whose `tools:` line holds thousands of unknown tool
names (issue 14, class 7: the analysis is long); document B is a small agent. After A's first
diagnostics, one character is typed in A's body and hovers on B are sent one after another
until A's new diagnostics arrive: their latency is what a user editing B feels while A is
being checked. The reference, in the same run, is the same hovers with A closed.

    python bench/bench_responsive.py [--tools 3000] [--size 1000000] [--quick]
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

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

SERVER = [sys.executable, "-m", "agentls", "lsp"]
B_TEXT = "---\nname: small\ndescription: Use it for small things.\nmodel: sonnet\n---\nBody\n"


def document_a(tools: int, size: int) -> str:
    names = ", ".join(f"t{i:05d}x" for i in range(tools))
    head = f"---\nname: big\ndescription: Use it for big things.\ntools: {names}\n---\n"
    line = "Keep the public interface stable and measure before optimising.\n"
    return head + line * max(0, (size - len(head)) // len(line))


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def _fmt(xs: list[float]) -> str:
    return (
        f"p50 {statistics.median(xs):8.2f} ms  p99 {_pct(xs, 0.99):8.2f} ms  "
        f"max {max(xs):8.2f} ms  (n={len(xs)})"
    )


async def measure(tools: int, size: int, idle_hovers: int) -> dict[str, object]:
    client = LanguageClient("bench", "0")
    versions: dict[str, list[int | None]] = {}
    arrived: asyncio.Event = asyncio.Event()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diags(params: lsp.PublishDiagnosticsParams) -> None:
        versions.setdefault(params.uri, []).append(params.version)
        arrived.set()

    await client.start_io(*SERVER)
    root = Path(tempfile.mkdtemp())
    (root / ".claude" / "agents").mkdir(parents=True)
    caps = lsp.ClientCapabilities(
        text_document=lsp.TextDocumentClientCapabilities(
            hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.Markdown])
        ),
        general=lsp.GeneralClientCapabilities(position_encodings=["utf-16"]),
    )
    await client.initialize_async(lsp.InitializeParams(capabilities=caps, root_uri=root.as_uri()))
    client.initialized(lsp.InitializedParams())
    a = (root / ".claude" / "agents" / "big.md").as_uri()
    b = (root / ".claude" / "agents" / "small.md").as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(b, "markdown", 1, B_TEXT))
    )
    hover = lsp.HoverParams(lsp.TextDocumentIdentifier(b), lsp.Position(3, 9))

    async def wait_for(uri: str, version: int) -> None:
        while version not in versions.get(uri, []):
            arrived.clear()
            await arrived.wait()

    async def one_hover() -> float:
        t0 = time.perf_counter()
        await client.text_document_hover_async(hover)
        return (time.perf_counter() - t0) * 1000

    idle = [await one_hover() for _ in range(idle_hovers + 5)][5:]

    text = document_a(tools, size)
    t0 = time.perf_counter()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(a, "markdown", 1, text))
    )
    await wait_for(a, 1)
    first = time.perf_counter() - t0
    body = text.count("\n", 0, text.index("\n---\n") + 5)  # the first body line
    start = lsp.Position(body, 0)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=a, version=2),
            [lsp.TextDocumentContentChangePartial(range=lsp.Range(start, start), text="x")],
        )
    )
    t0 = time.perf_counter()
    busy: list[float] = []
    done = asyncio.ensure_future(wait_for(a, 2))
    while not done.done():
        busy.append(await one_hover())
    again = time.perf_counter() - t0
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"idle": idle, "busy": busy, "first": first, "again": again, "size": len(text)}


async def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--tools", type=int, default=3000)
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="a small A (CI: it runs, no goal)")
    args = ap.parse_args()
    quick = args.quick or bool(os.environ.get("AGENTLS_BENCH_QUICK"))
    tools, size = (300, 200_000) if quick else (args.tools, args.size)
    load = os.getloadavg()[0]
    print(f"cpu count {os.cpu_count()}, load average {load:.1f}")
    r = await measure(tools, size, 20 if quick else 100)
    print(f"A: {r['size']:,} characters, {tools:,} unknown tools")
    print(f"A analysed on open in {r['first']:.2f} s, again after one edit in {r['again']:.2f} s")
    idle, busy = r["idle"], r["busy"]
    assert isinstance(idle, list) and isinstance(busy, list)
    print(f"hover on B, A idle       {_fmt(idle)}")
    print(f"hover on B, A analysed   {_fmt(busy)}")
    print(
        f"ratio p50 {statistics.median(busy) / statistics.median(idle):.2f}x  "
        f"p99 {_pct(busy, 0.99) / _pct(idle, 0.99):.2f}x  (goal: hovers answered while A is "
        "analysed, p99 within tens of ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
