"""agentls' own LSP messages are declared once on each side: server/agentls/lsp/protocol.py and
client-vscode/src/protocol.ts. The client's declarations must say what the server's do
(methods, their kind, parameter and result types, every field with its type and whether it
may be left out); and the server reads them strictly."""

from __future__ import annotations

import re

import pytest
from cattrs import ClassValidationError
from lsprotocol import types as lsp

from agentls.lsp import protocol
from testdata import REPO

PROTOCOL_TS = REPO / "client-vscode" / "src" / "protocol.ts"
# TypeScript names for what the server types more loosely: `Task` is the id of one of the tasks
# the client gets from the server's data file (str on the server, which checks it by name).
TS_ALIASES = {"Task": "string"}


def _ts() -> str:
    text = PROTOCOL_TS.read_text("utf-8")
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def _union(spelling: str) -> frozenset[str]:
    return frozenset(p.strip() for p in spelling.split("|"))


def _ts_types() -> dict[str, dict[str, dict[str, object]]]:
    text = _ts()
    aliases = dict(TS_ALIASES)
    for name, value in re.findall(r"export type (\w+) = ([^;]+);", text):
        if re.fullmatch(r"\s*'[^']*'(\s*\|\s*'[^']*')*\s*", value):
            aliases[name] = value.strip()
    out: dict[str, dict[str, dict[str, object]]] = {}
    for name, body in re.findall(r"export interface (\w+) \{([^}]*)\}", text):
        fields = {}
        for field, optional, spelling in re.findall(r"(\w+)(\??):\s*([^;]+);", body):
            parts = [aliases.get(p, p) for p in (x.strip() for x in spelling.split("|"))]
            fields[field] = {"type": _union(" | ".join(parts)), "optional": optional == "?"}
        out[name] = fields
    return out


def _ts_methods() -> dict[str, tuple[str, str, str | None]]:
    text = _ts()
    out: dict[str, tuple[str, str, str | None]] = {}
    for params, result, method in re.findall(
        r"new RequestType<(\w+), (\w+), void>\(\s*'([^']+)',?\s*\)", text
    ):
        out[method] = ("request", params, result)
    for params, method in re.findall(r"new NotificationType<(\w+)>\('([^']+)'\)", text):
        out[method] = ("notification", params, None)
    for method in re.findall(r"export const COMMAND_\w+ = '([^']+)';", text):
        args = re.search(r"export type RunAgentCommandArgs = \[(\w+)\];", text)
        out[method] = ("command", args.group(1) if args else "?", "RunAgentResult")
    return out


def test_the_client_declares_every_method_as_the_server() -> None:
    described = protocol.describe()["methods"]
    expected = {
        name: (m["kind"], m["params"], m["result"] if m["kind"] != "notification" else None)
        for name, m in described.items()
    }
    assert _ts_methods() == expected


def test_the_client_declares_every_message_type_as_the_server() -> None:
    ts = _ts_types()
    for name, fields in protocol.describe()["types"].items():
        assert name in ts, f"protocol.ts lacks interface {name}"
        server = {
            f: {"type": _union(d["type"]), "optional": d["optional"]} for f, d in fields.items()
        }
        assert ts[name] == server, name


def _run_params(**extra: object) -> dict[str, object]:
    rng = {"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}}
    return {"agent": "a", "task": "review", "uri": "file:///x.py", "range": rng, **extra}


def test_messages_are_read_with_their_wire_names_and_strictly() -> None:
    conv = protocol.converter_factory()
    p = conv.structure(
        _run_params(runId="r-1", workDoneToken=7, version=3), protocol.RunAgentParams
    )
    assert (p.run_id, p.work_done_token, p.version) == ("r-1", 7, 3)
    assert p.range == lsp.Range(lsp.Position(1, 0), lsp.Position(2, 0))
    for bad in ({"agent": 5}, {"version": True}, {"version": "3"}, {"runId": 1}):
        with pytest.raises(ClassValidationError):
            conv.structure(_run_params(**bad), protocol.RunAgentParams)


def test_messages_are_written_with_their_wire_names() -> None:
    conv = protocol.converter_factory()
    out = protocol.RunOutputParams("r", "a", "review", "delta", "x", protocol.Usage(1, 2))
    assert conv.unstructure(out) == {
        "runId": "r",
        "agent": "a",
        "task": "review",
        "kind": "delta",
        "text": "x",
        "usage": {"input_tokens": 1, "output_tokens": 2},
    }
    assert "usage" not in conv.unstructure(protocol.RunOutputParams("r", "a", "t", "end", ""))
    result = protocol.RunAgentResult("r", "done", "", None, None)
    assert conv.unstructure(result) == {
        "runId": "r",
        "status": "done",
        "text": "",
        "applied": None,
        "message": None,
    }


def test_custom_requests_are_read_into_their_envelopes() -> None:
    conv = protocol.converter_factory()
    envelope = protocol.message_type(protocol.RUN_AGENT)
    assert envelope is not None
    msg = conv.structure(
        {"jsonrpc": "2.0", "id": 4, "method": protocol.RUN_AGENT, "params": _run_params()},
        envelope,
    )
    assert isinstance(msg.params, protocol.RunAgentParams)
    agents = protocol.message_type(protocol.AGENTS)
    assert agents is not None
    assert conv.structure({"jsonrpc": "2.0", "id": 1, "method": protocol.AGENTS}, agents)
    assert protocol.message_type(protocol.RUN_OUTPUT) is None  # the server only sends it
    assert protocol.message_type("textDocument/hover") is None


def test_run_results_carry_usage_with_the_api_names_and_leave_out_what_is_unset() -> None:
    conv = protocol.converter_factory()
    result = protocol.RunAgentResult("r", "incomplete", "so far", None, "raise maxTokens")
    result.usage = protocol.Usage(1, 2, cache_read_input_tokens=30, cache_creation_input_tokens=4)
    result.cost_usd = 0.0125
    result.proposals = [protocol.ProposalInfo("a.py", "file:///w/a.py", "-x\n+y\n", False)]
    out = conv.unstructure(result)
    assert out["usage"] == {
        "input_tokens": 1,
        "output_tokens": 2,
        "cache_read_input_tokens": 30,
        "cache_creation_input_tokens": 4,
    }
    assert out["costUsd"] == 0.0125 and out["status"] == "incomplete"
    assert out["proposals"] == [
        {"path": "a.py", "uri": "file:///w/a.py", "diff": "-x\n+y\n", "created": False}
    ]
    assert "parent" not in out and "tools" not in out  # unset: left out


def test_a_follow_up_is_read_with_its_conversation_and_prompt_only() -> None:
    conv = protocol.converter_factory()
    p = conv.structure({"conversation": "r-1", "prompt": "and then?"}, protocol.RunAgentParams)
    assert (p.conversation, p.prompt, p.agent, p.range) == ("r-1", "and then?", None, None)
    with pytest.raises(ClassValidationError):
        conv.structure({"conversation": 5}, protocol.RunAgentParams)
