"""Completion and hover latency over stdio: agentls against a trivial pygls 2 server.

Each request is timed from send to response, on a seed-sized agent file (a long one-line
description and a tool list), after one warm-up round. Requests alternate between a
completion inside ``tools: Read, Gr|`` and a hover on the ``model`` value; between two
requests the document changes (one character typed and removed) so that agentls cannot
answer from a stale cache (a second pass measures an unchanged document: the handlers
alone).

    python bench/bench_editing.py [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / ".." / "shared" / "seeds" / "001_e1a3b23b18bef314.txt"
SERVERS = {
    "agentls": [sys.executable, "-m", "agentls", "lsp"],
    "trivial pygls": [sys.executable, str(ROOT / "bench" / "trivial_server.py")],
}


def _document() -> str:
    if SEED.is_file():
        head, _, body = SEED.read_text("utf-8").partition("\n---\n")
        return head + "\ntools: Read, Gr\n---\n" + body
    desc = "Use this agent when: " + "x " * 800
    return f"---\nname: bench\ndescription: {desc}\nmodel: sonnet\ntools: Read, Gr\n---\nBody\n"


async def measure(cmd: list[str], runs: int, edit: bool = True) -> dict[str, list[float]]:
    client = LanguageClient("bench", "0")
    client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(lambda params: None)
    await client.start_io(*cmd)
    root = Path(tempfile.mkdtemp())
    (root / ".claude" / "agents").mkdir(parents=True)
    caps = lsp.ClientCapabilities(
        text_document=lsp.TextDocumentClientCapabilities(
            completion=lsp.CompletionClientCapabilities(
                completion_item=lsp.ClientCompletionItemOptions(snippet_support=True)
            ),
            hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.Markdown]),
        ),
        general=lsp.GeneralClientCapabilities(position_encodings=["utf-16"]),
    )
    await client.initialize_async(lsp.InitializeParams(capabilities=caps, root_uri=root.as_uri()))
    client.initialized(lsp.InitializedParams())
    text = _document()
    path = root / ".claude" / "agents" / "bench.md"
    path.write_text(text, "utf-8")
    uri = path.as_uri()
    lines = text.split("\n")
    tl = next(i for i, ln in enumerate(lines) if ln.startswith("tools:"))
    ml = next((i for i, ln in enumerate(lines) if ln.startswith("model:")), tl)
    body = tl + 2  # the first body line: typing there changes the document, not the frontmatter
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, text))
    )
    out: dict[str, list[float]] = {"completion": [], "hover": []}
    version = 1
    end = lsp.Position(tl, len(lines[tl]))
    for i in range(runs + 10):
        version += 1
        typed = version % 2 == 0
        if edit:
            _type(client, uri, version, body, typed)
        t0 = time.perf_counter()
        if i % 2 == 0:
            await client.text_document_completion_async(
                lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), end)
            )
            kind = "completion"
        else:
            await client.text_document_hover_async(
                lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(ml, 9))
            )
            kind = "hover"
        if i >= 10:
            out[kind].append((time.perf_counter() - t0) * 1000)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return out


def _type(client: LanguageClient, uri: str, version: int, body: int, typed: bool) -> None:
    start = lsp.Position(body, 0)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(start, start if typed else lsp.Position(body, 1)),
                    text="x" if typed else "",
                )
            ],
        )
    )


def _fmt(xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[int(len(xs) * 0.95) - 1]
    return f"p50 {statistics.median(xs):6.2f} ms  p95 {p95:6.2f} ms  (n={len(xs)})"


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--quick", action="store_true", help="a few runs only (CI)")
    args = ap.parse_args()
    if args.quick:
        args.runs = 20
    for edit in (True, False):
        print("after typing in the body:" if edit else "unchanged document:")
        p50: dict[str, dict[str, float]] = {}
        for name, cmd in SERVERS.items():
            res = await measure(cmd, args.runs, edit)
            p50[name] = {kind: statistics.median(xs) for kind, xs in res.items() if xs}
            for kind, xs in res.items():
                print(f"  {name:14s} {kind:10s} {_fmt(xs)}")
        ours, ref = p50["agentls"], p50["trivial pygls"]
        for kind in ours:
            if kind in ref and ref[kind] > 0:
                print(f"  ratio {kind:10s} p50 {ours[kind] / ref[kind]:.2f}x  (goal <= 1.3x)")


if __name__ == "__main__":
    asyncio.run(main())
