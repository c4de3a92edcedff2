"""didChange → publishDiagnostics latency over stdio: agentls against a trivial pygls 2 server.

The trivial server is ``bench/trivial_server.py`` with two handlers added here (didOpen and
didChange publish one fixed diagnostic, with the document's version). Both servers run at
the same time and the edits alternate between them, so that the load of a busy machine falls
on both alike. Each edit (one character typed, then removed, alternately in the description
and in the body) is timed from sending ``didChange`` to receiving the ``publishDiagnostics``
of that version; the next edit is sent after it. Inputs: generated Claude Code agents of
6 KB and 64 KB (``bench/inputs/generate.py``).

    python bench/bench_diagnostics.py [--edits 400] [--quick]
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

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH / "inputs"))
sys.path.insert(0, str(BENCH))

from generate import agent_text, settings_text  # noqa: E402

AGENT_FILE = ".claude/agents/backend-reviewer.md"
SETTINGS_FILE = ".claude/settings.json"

SERVERS = {
    "agentls": [sys.executable, "-m", "agentls", "lsp"],
    "trivial": [sys.executable, str(Path(__file__).resolve()), "--serve-trivial"],
}


def serve_trivial() -> None:
    """The trivial server plus one fixed diagnostic published on open and change."""
    from trivial_server import server  # type: ignore[import-not-found]

    fixed = [
        lsp.Diagnostic(
            range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 3)),
            message="fixed diagnostic",
            severity=lsp.DiagnosticSeverity.Warning,
            source="trivial",
        )
    ]

    def publish(ls: object, uri: str) -> None:
        doc = server.workspace.get_text_document(uri)
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=fixed, version=doc.version)
        )

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: object, params: lsp.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: object, params: lsp.DidChangeTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    server.start_io()


class Session:
    """One server, one open document, and a way to time one edit."""

    def __init__(self, name: str, cmd: list[str]) -> None:
        from pygls.lsp.client import LanguageClient

        self.name = name
        self.cmd = cmd
        self.client = LanguageClient("bench", "0")
        self.waiters: dict[int, asyncio.Future[int]] = {}
        self.version = 1

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diags(params: lsp.PublishDiagnosticsParams) -> None:
            fut = self.waiters.pop(params.version or -1, None)
            if fut is not None and not fut.done():
                fut.set_result(len(params.diagnostics))

    async def open(self, root: Path, text: str, rel: str = AGENT_FILE) -> None:
        await self.client.start_io(*self.cmd)
        caps = lsp.ClientCapabilities(
            general=lsp.GeneralClientCapabilities(position_encodings=["utf-16"]),
            text_document=lsp.TextDocumentClientCapabilities(
                publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(version_support=True)
            ),
        )
        await asyncio.wait_for(
            self.client.initialize_async(
                lsp.InitializeParams(capabilities=caps, root_uri=root.as_uri())
            ),
            60,
        )
        self.client.initialized(lsp.InitializedParams())
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        self.uri = path.as_uri()
        self.lines = text.split("\n")
        self.col = 20
        if rel.endswith(".json"):  # inside two permission rules (strings): valid JSON still
            rules = [i for i, ln in enumerate(self.lines) if '"Bash(' in ln]
            self.desc, self.body = rules[0], rules[len(rules) // 2]
            self.col = self.lines[self.desc].index("(") + 1
            language = "json"
        else:
            self.desc = next(i for i, ln in enumerate(self.lines) if ln.startswith("description:"))
            self.body = len(self.lines) // 2
            language = "markdown"
        fut = self._expect(1)
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(self.uri, language, 1, text))
        )
        await asyncio.wait_for(fut, 30)

    def _expect(self, version: int) -> asyncio.Future[int]:
        fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.waiters[version] = fut
        return fut

    async def edit(self, i: int) -> float:
        """Type (even i) or remove (odd i) one character; return the latency in ms."""
        self.version += 1
        line = self.desc if (i // 2) % 2 == 0 else self.body
        col = self.col
        typed = i % 2 == 0
        rng = lsp.Range(lsp.Position(line, col), lsp.Position(line, col if typed else col + 1))
        fut = self._expect(self.version)
        t0 = time.perf_counter()
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                [lsp.TextDocumentContentChangePartial(range=rng, text="x" if typed else "")],
            )
        )
        await asyncio.wait_for(fut, 30)
        return (time.perf_counter() - t0) * 1000

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 10)
            self.client.exit(None)
        finally:
            await self.client.stop()


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * len(s)) - 1))]


async def run_size(
    size: int, edits: int, warmup: int, rel: str = AGENT_FILE
) -> dict[str, list[float]]:
    text = settings_text(size) if rel.endswith(".json") else agent_text(size)
    sessions = [Session(n, c) for n, c in SERVERS.items()]
    out: dict[str, list[float]] = {s.name: [] for s in sessions}
    with tempfile.TemporaryDirectory() as tmp:
        for s in sessions:
            await s.open(Path(tmp) / s.name, text, rel)
        try:
            for i in range(warmup + edits):
                for s in sessions if i % 2 == 0 else reversed(sessions):
                    ms = await s.edit(i)
                    if i >= warmup:
                        out[s.name].append(ms)
        finally:
            for s in sessions:
                await s.close()
    return out


def report(size: int, res: dict[str, list[float]], what: str = "") -> None:
    a, t = res["agentls"], res["trivial"]
    a50, a99 = statistics.median(a), pct(a, 0.99)
    t50, t99 = statistics.median(t), pct(t, 0.99)
    kb = f"{size // 1024} KB{what}"
    print(f"[{kb}] edits: {len(a)} per server, interleaved")
    print(f"[{kb}] trivial pygls  p50 {t50:7.2f} ms   p99 {t99:7.2f} ms")
    print(
        f"[{kb}] agentls        p50 {a50:7.2f} ms   p99 {a99:7.2f} ms   "
        f"ratio p50 {a50 / t50:.2f}x  p99 {a99 / t99:.2f}x"
    )
    if what:
        print(f"[{kb}] goal: within the agent files' figures of this run")
    elif size <= 8192:
        print(f"[{kb}] goal: p50 <= 1.5x trivial ({1.5 * t50:.2f} ms), p99 <= 10 ms")
    else:
        print(f"[{kb}] goal: p50 <= 5 ms")


async def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--edits", type=int, default=400)
    ap.add_argument("--quick", action="store_true", help="few edits (CI: it runs, no goal)")
    ap.add_argument("--sizes", default="6144,65536")
    ap.add_argument("--settings", type=int, default=20480, help="settings.json size (0: none)")
    args = ap.parse_args()
    quick = args.quick or bool(os.environ.get("AGENTLS_BENCH_QUICK"))
    edits, warmup = (20, 4) if quick else (args.edits, 20)
    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    for size in (int(s) for s in args.sizes.split(",")):
        report(size, await run_size(size, edits, warmup))
    if args.settings:
        res = await run_size(args.settings, edits, warmup, SETTINGS_FILE)
        report(args.settings, res, " settings.json")


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve-trivial"]:
        serve_trivial()
    else:
        asyncio.run(main())
