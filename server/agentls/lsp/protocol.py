"""agentls' own LSP messages, typed: the one place their methods and fields are declared.

The VS Code client declares the same messages in ``client-vscode/src/protocol.ts``;
``tests/unit/test_protocol.py`` compares the two through :func:`describe`, so that a field
renamed on one side fails a test instead of a run. docs/protocol.md documents them.

Messages are attrs classes read and written by pygls' converter (lsprotocol's cattrs
converter) with the hooks of :func:`converter_factory`: field names go on the wire in
camelCase (``run_id`` → ``runId``) unless a field names its wire name (``Usage`` keeps the
Anthropic API's snake_case), a field with a default is left out while it holds the default,
and primitive fields are read strictly (lsprotocol's own hooks would turn ``5`` into ``"5"``
for a ``str`` field; here it is an ``InvalidParams`` answer that names the field).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from typing import Any, Literal

import attrs
from cattrs import Converter
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from lsprotocol import types as lsp

# --------------------------------------------------------------------------- methods

AGENTS = "agentls/agents"
RUN_AGENT = "agentls/runAgent"
RUN_OUTPUT = "agentls/runOutput"
SET_API_KEY = "agentls/setApiKey"
RUN_AGENT_COMMAND = "agentls.runAgent"  # workspace/executeCommand, from the code actions
APPLY_PROPOSAL = "agentls/applyProposal"
CONVERSATION = "agentls/conversation"
RUNS = "agentls/runs"

RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # it becomes part of a result file's name

_WIRE = "agentls.wire"  # attrs metadata key: the field's name on the wire


def _wire(name: str) -> dict[str, str]:
    return {_WIRE: name}


# --------------------------------------------------------------------------- messages


@attrs.define
class SetApiKeyParams:
    """``agentls/setApiKey`` (client → server): set, or clear with null, the API key."""

    api_key: str | None


@attrs.define
class AgentsParams:
    """``agentls/agents`` (client → server): no parameters."""


@attrs.define
class AgentInfo:
    name: str
    dialect: str
    kind: str  # "agent", "skill", "command", "copilot-agent", ...
    scope: Literal["project", "user", "plugin", "bundled"]
    uri: str
    path: str
    description: str | None
    model: str | None
    tools: list[str] | None  # None: every tool
    loads: bool
    errors: int
    warnings: int


@attrs.define
class AgentsResult:
    agents: list[AgentInfo]


@attrs.define
class RunAgentParams:
    """``agentls/runAgent`` (client → server), also the one argument of the
    ``agentls.runAgent`` command.

    A new run needs ``agent``, ``uri`` and ``range``, and ``task`` or ``prompt`` (a prompt
    alone is the ``ask`` task). A follow-up names an earlier run in ``conversation`` and
    gives ``prompt``: the agent, file and lines are the earlier run's."""

    agent: str | None = None
    task: str | None = None  # one of the tasks of runner/tasks.json (or an alias: fix)
    uri: str | None = None
    range: lsp.Range | None = None
    version: int | None = None
    work_done_token: int | str | None = None
    run_id: str | None = None  # chosen by the client to match the run's output; else the server's
    prompt: str | None = None  # the user's own instruction: required by ask and a follow-up
    conversation: str | None = None  # a run id: continue its conversation (from its latest run)
    max_tokens: int | None = None  # of one answer; None: the setting, else the task's default
    max_turns: int | None = None  # tool turns; None: the agent's maxTurns, else the setting


@attrs.define
class Usage:
    """Tokens, as the Messages API counts them (a run's: the sum over its requests).
    ``input_tokens`` are the uncached ones; the cache fields are the prompt cache's."""

    input_tokens: int = attrs.field(metadata=_wire("input_tokens"))
    output_tokens: int = attrs.field(metadata=_wire("output_tokens"))
    cache_read_input_tokens: int = attrs.field(default=0, metadata=_wire("cache_read_input_tokens"))
    cache_creation_input_tokens: int = attrs.field(
        default=0, metadata=_wire("cache_creation_input_tokens")
    )


@attrs.define
class ProposalInfo:
    """One file change a run proposes (kept with the run: ``agentls/applyProposal``)."""

    path: str  # relative to the workspace folder, "/"-separated
    uri: str
    diff: str  # unified diff, from the file as the run saw it
    created: bool  # a new file
    runs_code: str | None = None  # what makes it a file that runs code (CI, hooks...)


RunStatus = Literal["done", "incomplete", "cancelled", "failed"]


@attrs.define
class RunAgentResult:
    """The answer of ``agentls/runAgent``, and one run of ``agentls/conversation``.

    ``incomplete``: the run stopped at a limit (max_tokens after its continuations, or the
    turn limit); its text and proposals are kept (``message`` names the setting)."""

    run_id: str
    status: RunStatus
    text: str
    applied: bool | None  # None: no proposal was sent; False: not applied
    message: str | None
    conversation: str | None = None  # the id of the conversation's first run
    parent: str | None = None  # the run this one follows up
    agent: str | None = None
    task: str | None = None
    prompt: str | None = None
    uri: str | None = None  # the document the run was on
    range: lsp.Range | None = None
    usage: Usage | None = None
    cost_usd: float | None = None  # estimated; None: the model's prices are not known
    cost: str | None = None  # cost_usd as people read it (pricing.format_cost): shown as is
    prices_as_of: str | None = None  # the date of the price table
    wall_seconds: float | None = None
    turns: int | None = None  # requests made to the model
    stop: str | None = None  # end_turn, max_tokens, max_turns, ...
    tools: list[str] = attrs.field(factory=list)  # the tool lines, as agentls/runOutput sent them
    notes: list[str] = attrs.field(factory=list)  # what the runtime did (context, continuations)
    proposals: list[ProposalInfo] = attrs.field(factory=list)
    document: str | None = None  # URI of the result document (Markdown)


@attrs.define
class RunOutputParams:
    """``agentls/runOutput`` (server → client): the streamed output of a run, in order.

    ``delta``: new answer text; ``tool``: one tool call (``Read src/x.py``, ``refused Bash:
    reason``); ``note``: something the runtime did (context budget, a continuation after
    max_tokens, history left out); ``turn``: one request to the model ended (``text``: its
    stop reason, ``turn``: its number); ``usage``: the run's tokens so far. The ``end`` of a
    cancelled run (``text``: ``cancelled``), which no answer follows, carries its wall time
    and estimated cost (the tokens the API billed until then)."""

    run_id: str
    agent: str
    task: str
    kind: Literal["start", "delta", "tool", "note", "turn", "end", "error"]
    text: str
    usage: Usage | None = None
    conversation: str | None = None
    turn: int | None = None
    wall_seconds: float | None = None
    cost_usd: float | None = None
    cost: str | None = None
    prices_as_of: str | None = None


@attrs.define
class ApplyProposalParams:
    """``agentls/applyProposal`` (client → server): apply a run's stored proposals, as they
    were shown, without any model call."""

    run_id: str


@attrs.define
class ApplyProposalResult:
    applied: bool
    message: str | None


@attrs.define
class ConversationParams:
    """``agentls/conversation`` (client → server): the runs of a conversation."""

    conversation: str  # the id of any of its runs


@attrs.define
class ConversationResult:
    conversation: str
    runs: list[RunAgentResult]  # oldest first


@attrs.define
class RunsParams:
    """``agentls/runs`` (client → server): the kept runs of the workspace, newest first:
    ``agentls run``'s and every editor's."""

    limit: int | None = None  # None: RUNS_LIMIT; at most store.MAX_RUNS
    uri: str | None = None  # a document: its workspace's runs first (a run root of its own)


@attrs.define
class RunInfo:
    """One kept run, as a list shows it (``agentls/conversation`` gives the whole run)."""

    run_id: str
    conversation: str  # the id of the conversation's first run
    agent: str
    task: str
    path: str  # the file, relative to the workspace folder
    uri: str
    range: lsp.Range
    lines: list[int]  # first and last line, 1-based, as people read them
    started: str  # UTC, ISO 8601 to the microsecond
    status: RunStatus
    model: str
    source: Literal["cli", "lsp"]  # agentls run, or an editor
    proposals: int  # the changes proposed
    applied: bool | None  # None: not sent (none, or cancelled...); False: not applied
    usage: Usage
    parent: str | None = None
    prompt: str | None = None  # the user's own words, on one line, shortened
    cost_usd: float | None = None
    cost: str | None = None  # cost_usd as people read it (pricing.format_cost)
    prices_as_of: str | None = None
    wall_seconds: float | None = None
    turns: int | None = None


@attrs.define
class RunsResult:
    runs: list[RunInfo]  # newest first
    skipped: int  # records that could not be read (left out)


class Method(typing.NamedTuple):
    kind: Literal["request", "notification", "command"]
    direction: Literal["client→server", "server→client"]
    params: type
    result: type | None


METHODS: dict[str, Method] = {
    AGENTS: Method("request", "client→server", AgentsParams, AgentsResult),
    RUN_AGENT: Method("request", "client→server", RunAgentParams, RunAgentResult),
    SET_API_KEY: Method("notification", "client→server", SetApiKeyParams, None),
    RUN_OUTPUT: Method("notification", "server→client", RunOutputParams, None),
    RUN_AGENT_COMMAND: Method("command", "client→server", RunAgentParams, RunAgentResult),
    APPLY_PROPOSAL: Method("request", "client→server", ApplyProposalParams, ApplyProposalResult),
    CONVERSATION: Method("request", "client→server", ConversationParams, ConversationResult),
    RUNS: Method("request", "client→server", RunsParams, RunsResult),
}

_MESSAGES = frozenset(
    {SetApiKeyParams, AgentsParams, AgentInfo, AgentsResult}
    | {RunAgentParams, RunAgentResult, Usage, RunOutputParams, ProposalInfo}
    | {ApplyProposalParams, ApplyProposalResult, ConversationParams, ConversationResult}
    | {RunsParams, RunInfo, RunsResult}
)


# --------------------------------------------------------------------------- JSON-RPC envelopes


def _envelope(method: str, params: type, request: bool) -> type:
    """The JSON-RPC message class pygls structures a custom method into, as lsprotocol
    declares one per LSP method (``id``, ``params``, ``method``, ``jsonrpc``)."""
    fields: dict[str, Any] = {}
    msg_id: Any = int | str
    optional: Any = params | None
    if request:
        fields["id"] = attrs.field(type=msg_id)
    # optional: a request without params (``agentls/agents`` from a terse client) is valid
    fields["params"] = attrs.field(type=optional, default=None)
    fields["method"] = attrs.field(type=str, default=method)
    fields["jsonrpc"] = attrs.field(type=str, default="2.0")
    name = "".join(p[:1].upper() + p[1:] for p in re.split(r"[/.]", method))
    return attrs.make_class(name + ("Request" if request else "Notification"), fields)


_ENVELOPES: dict[str, type] = {
    name: _envelope(name, m.params, m.kind == "request")
    for name, m in METHODS.items()
    if m.kind != "command" and m.direction == "client→server"
}


def message_type(method: str) -> type | None:
    """The class pygls reads a client's ``method`` message into (None: not one of ours)."""
    return _ENVELOPES.get(method)


# --------------------------------------------------------------------------- converter


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(p.title() for p in rest)


def wire_name(a: attrs.Attribute[Any]) -> str:
    return str(a.metadata.get(_WIRE) or _camel(a.name))


def _union_args(tp: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(tp)
    return (tp,)


_PRIMITIVES = {str: "a string", int: "an integer", bool: "a boolean", type(None): "null"}


def _strict(tp: Any) -> Callable[[Any, Any], Any] | None:
    """A structure hook that accepts exactly the JSON types of ``tp`` (str, int, bool, None
    and unions of them), or None when ``tp`` holds anything else."""
    args = _union_args(tp)
    if not all(a in _PRIMITIVES for a in args):
        return None

    def hook(value: Any, _: Any) -> Any:
        for a in args:
            if a is int and isinstance(value, bool):
                continue  # JSON true is not an integer
            if isinstance(value, a):
                return value
        raise TypeError(f"expected {' or '.join(_PRIMITIVES[a] for a in args)}")

    return hook


def _register(converter: Converter) -> Converter:
    def resolved(cls: type) -> dict[str, Any]:
        return typing.get_type_hints(cls)

    def structure(cls: type) -> Any:
        hints = resolved(cls)
        overrides: dict[str, Any] = {}
        for a in attrs.fields(cls):
            hook = _strict(hints[a.name])
            if hook is not None:
                overrides[a.name] = override(rename=wire_name(a), struct_hook=hook)
            else:
                overrides[a.name] = override(rename=wire_name(a))
        return make_dict_structure_fn(cls, converter, **overrides)

    def unstructure(cls: type) -> Any:
        overrides: dict[str, Any] = {
            a.name: override(rename=wire_name(a), omit_if_default=a.default is not attrs.NOTHING)
            for a in attrs.fields(cls)
        }
        return make_dict_unstructure_fn(cls, converter, **overrides)

    ours = _MESSAGES.__contains__
    # registered after lsprotocol's factories, so they win for these classes
    converter.register_structure_hook_factory(ours, structure)
    converter.register_unstructure_hook_factory(ours, unstructure)
    return converter


def converter_factory() -> Converter:
    """pygls' converter (lsprotocol's hooks) with the hooks of agentls' messages."""
    from pygls.protocol import default_converter

    converter: Converter = default_converter()  # type: ignore[no-untyped-call]
    return _register(converter)


# --------------------------------------------------------------------------- description


def _type_name(tp: Any) -> str:
    """A TypeScript spelling of ``tp``: what client-vscode/src/protocol.ts must declare."""
    args = _union_args(tp)
    if len(args) > 1:
        return " | ".join(_type_name(a) for a in args)
    if typing.get_origin(tp) is Literal:
        return " | ".join(f"'{v}'" for v in typing.get_args(tp))
    if typing.get_origin(tp) is list:
        return _type_name(typing.get_args(tp)[0]) + "[]"
    names = {str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}
    if tp in names:
        return names[tp]
    if tp is lsp.Range:
        return "LspRange"
    return str(tp.__name__)


def _fields(cls: type) -> dict[str, dict[str, Any]]:
    hints = typing.get_type_hints(cls)
    return {
        wire_name(a): {
            "type": _type_name(hints[a.name]),
            "optional": a.default is not attrs.NOTHING,
        }
        for a in attrs.fields(cls)
    }


def describe() -> dict[str, Any]:
    """Methods and message shapes as JSON: what tests compare with the client's protocol.ts."""
    shapes: dict[str, Any] = {cls.__name__: _fields(cls) for cls in _MESSAGES}
    methods = {
        name: {
            "kind": m.kind,
            "direction": m.direction,
            "params": m.params.__name__,
            "result": m.result.__name__ if m.result else None,
        }
        for name, m in METHODS.items()
    }
    return {"methods": methods, "types": dict(sorted(shapes.items()))}


if __name__ == "__main__":  # python -m agentls.lsp.protocol: the description, for a look
    import json

    print(json.dumps(describe(), indent=2))
