"""Fuzz the running server over stdio: random incremental ``didChange`` sequences, then
completion, hover, code action, document symbols and definition at random positions.

Per sequence: every request is answered (a result, or MethodNotFound for a feature the
server does not offer), no exception escapes a handler (the guard's counter stays at 0 and
no internal-error log message arrives), the server's text equals the client's (debug
request ``agentls/_debugDocument``, enabled by ``AGENTLS_TEST_HOOKS=1``), and the
diagnostics after the edits equal those of a fresh open of the same text.

Two clients: VS Code (UTF-16 positions, pushed diagnostics) and Neovim (UTF-8, pulled).
One server per client serves every example (``AGENTLS_FUZZ_EXAMPLES`` sets the count)."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fuzz_strategies as fs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

EXAMPLES = int(os.environ.get("AGENTLS_FUZZ_EXAMPLES", "300"))
SERVER = [sys.executable, "-m", "agentls", "lsp"]
TIMEOUT = 20.0
METHOD_NOT_FOUND = -32601
# Shrinking a server-side failure can take minutes: on only when asked for.
PHASES = [p for p in Phase if p != Phase.shrink or os.environ.get("AGENTLS_FUZZ_SHRINK") == "1"]


@dataclass(repr=False)
class Session:
    loop: asyncio.AbstractEventLoop
    client: LanguageClient
    root: Path
    editor: str
    pushed: dict[tuple[str, int | None], list[lsp.Diagnostic]]
    log_errors: list[str]
    arrived: asyncio.Event
    counter: Iterator[int]


@pytest.fixture(scope="module", params=["visual_studio_code", "neovim"])
def session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("fuzzws")
    (root / ".claude" / "agents").mkdir(parents=True)
    loop = asyncio.new_event_loop()
    env = dict(os.environ, AGENTLS_TEST_HOOKS="1")
    client = loop.run_until_complete(
        ClientServerConfig(server_command=SERVER, server_env=env).start()
    )
    assert isinstance(client, LanguageClient)
    pushed: dict[tuple[str, int | None], list[lsp.Diagnostic]] = {}
    log_errors: list[str] = []
    arrived = asyncio.Event()

    features = client.protocol.fm.features
    original = features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def on_diags(params: lsp.PublishDiagnosticsParams) -> None:
        original(params)
        pushed[(params.uri, params.version)] = list(params.diagnostics)
        arrived.set()

    features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = on_diags

    loop.run_until_complete(
        client.initialize_session(
            lsp.InitializeParams(
                capabilities=client_capabilities(request.param),
                root_uri=root.as_uri(),
                workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), "ws")],
                initialization_options={"debounceMs": 0},
            )
        )
    )
    s = Session(loop, client, root, request.param, pushed, log_errors, arrived, itertools.count())
    yield s
    loop.run_until_complete(client.shutdown_session())
    loop.run_until_complete(client.stop())
    loop.close()


# ----------------------------------------------------------------- positions, as a client


def lsp_lines(text: str) -> list[str]:
    """Lines as LSP defines them: only CR LF, LF and CR end a line."""
    out, start, i = [], 0, 0
    while i < len(text):
        c = text[i]
        if c in "\r\n":
            out.append(text[start:i])
            i += 2 if text.startswith("\r\n", i) else 1
            start = i
        else:
            i += 1
    out.append(text[start:])
    return out


def units(s: str, editor: str) -> int:
    if editor == "neovim":  # negotiated UTF-8
        return len(s.encode("utf-8", "surrogatepass"))
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def position(text: str, offset: int, editor: str) -> lsp.Position:
    """The LSP position of code-point ``offset``; an offset inside CR LF moves before it."""
    if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n":
        offset -= 1
    before = text[:offset]
    lines = lsp_lines(before)
    return lsp.Position(len(lines) - 1, units(lines[-1], editor))


def snap(text: str, offset: int) -> int:
    return (
        offset - 1 if 0 < offset < len(text) and text[offset - 1 : offset + 1] == "\r\n" else offset
    )


# ----------------------------------------------------------------- strategies

insert_text = st.one_of(
    st.sampled_from(fs.YAML_BITS + fs.AWKWARD + ["name: x\n", "---\n", "tools: Read\n"]),
    fs.unicode_text,
    st.just(""),
)


@st.composite
def edit_sequence(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]], list[int]]:
    text = draw(fs.agent_files())
    edits: list[tuple[int, int, str]] = []
    cur = text
    for _ in range(draw(st.integers(1, 8))):
        start = snap(cur, draw(st.integers(0, len(cur))))
        end = snap(cur, draw(st.integers(start, min(len(cur), start + 30))))
        new = draw(insert_text)
        edits.append((start, end, new))
        cur = cur[:start] + new + cur[end:]
    probes = draw(st.lists(st.integers(0, max(0, len(cur))), min_size=1, max_size=3))
    return text, edits, probes


# ----------------------------------------------------------------- the sequence


def key(d: lsp.Diagnostic) -> tuple[Any, ...]:
    r = d.range
    return (d.code, r.start.line, r.start.character, r.end.line, r.end.character, d.message)


def normalise(diags: list[tuple[Any, ...]], stem: str) -> list[tuple[Any, ...]]:
    return [(*d[:-1], d[-1].replace(stem, "STEM")) for d in diags]


async def diagnostics(s: Session, uri: str, version: int) -> list[tuple[Any, ...]]:
    c = s.client
    if s.editor == "neovim":
        report = await asyncio.wait_for(
            c.text_document_diagnostic_async(
                lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri))
            ),
            TIMEOUT,
        )
        assert isinstance(report, lsp.RelatedFullDocumentDiagnosticReport)
        return sorted(key(d) for d in report.items)

    async def wait() -> list[lsp.Diagnostic]:
        while (uri, version) not in s.pushed:
            s.arrived.clear()
            await s.arrived.wait()
        return s.pushed[(uri, version)]

    return sorted(key(d) for d in await asyncio.wait_for(wait(), TIMEOUT))


async def answered(coro: Any, what: str) -> Any:
    """The request gets an answer: a result, or MethodNotFound for a feature not offered."""
    try:
        return await asyncio.wait_for(coro, TIMEOUT)
    except JsonRpcException as exc:
        assert exc.code == METHOD_NOT_FOUND, f"{what}: error {exc.code} {exc.message}"
        return None


async def run_sequence(
    s: Session, text: str, edits: list[tuple[int, int, str]], probes: list[int]
) -> None:
    c, ed = s.client, s.editor
    n = next(s.counter)
    # Distinct names: the workspace index must not see the two as duplicates of each other
    # or of earlier examples; messages are compared with the names normalised.
    uri = (s.root / ".claude" / "agents" / f"fz{n}a.md").as_uri()
    fresh = (s.root / ".claude" / "agents" / f"fz{n}b.md").as_uri()
    c.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, text))
    )
    version = 1
    cur = text
    for start, end, new in edits:
        version += 1
        rng = lsp.Range(position(cur, start, ed), position(cur, end, ed))
        c.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [lsp.TextDocumentContentChangePartial(range=rng, text=new)],
            )
        )
        cur = cur[:start] + new + cur[end:]
    doc = lsp.TextDocumentIdentifier(uri)
    requests = []
    for off in probes:
        pos = position(cur, snap(cur, min(off, len(cur))), ed)
        requests += [
            answered(
                c.text_document_completion_async(lsp.CompletionParams(doc, pos)), "completion"
            ),
            answered(c.text_document_hover_async(lsp.HoverParams(doc, pos)), "hover"),
            answered(
                c.text_document_definition_async(lsp.DefinitionParams(doc, pos)), "definition"
            ),
            answered(
                c.text_document_code_action_async(
                    lsp.CodeActionParams(
                        doc, lsp.Range(lsp.Position(0, 0), pos), lsp.CodeActionContext([])
                    )
                ),
                "codeAction",
            ),
        ]
    requests.append(
        answered(c.text_document_document_symbol_async(lsp.DocumentSymbolParams(doc)), "symbols")
    )
    await asyncio.gather(*requests)
    state = await asyncio.wait_for(
        c.protocol.send_request_async("agentls/_debugDocument", {"uri": uri}), TIMEOUT
    )
    assert state.text == cur, "the server's text differs from the client's"
    assert state.version == version
    assert state.errors == 0 and state.invalid == 0, state
    after_edits = await diagnostics(s, uri, version)
    c.text_document_did_close(lsp.DidCloseTextDocumentParams(doc))
    c.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(fresh, "markdown", 1, cur))
    )
    from_scratch = await diagnostics(s, fresh, 1)
    c.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(fresh)))
    assert normalise(after_edits, f"fz{n}a") == normalise(from_scratch, f"fz{n}b")
    errors = [m.message for m in [*c.log_messages, *c.messages] if m.type == lsp.MessageType.Error]
    assert errors == []


@settings(
    max_examples=max(5, EXAMPLES // 4),
    deadline=None,
    phases=PHASES,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(seq=edit_sequence())
def test_edit_sequences(
    session: Session, seq: tuple[str, list[tuple[int, int, str]], list[int]]
) -> None:
    text, edits, probes = seq
    session.loop.run_until_complete(run_sequence(session, text, edits, probes))
