"""Kept runs as the protocol gives them (``agentls/runAgent``'s answer, the runs of
``agentls/conversation``), the conversation they belong to, and the list of a workspace's
runs (``agentls/runs``: ``agentls run``'s and every editor's).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from agentls.lsp.agent_common import Refused, find_record, run_roots, uri_of
from agentls.lsp.features import Feature
from agentls.lsp.protocol import (
    CONVERSATION,
    RUNS,
    ConversationParams,
    ConversationResult,
    ProposalInfo,
    RunAgentResult,
    RunInfo,
    RunsParams,
    RunsResult,
    Usage,
)
from agentls.runner.pricing import format_cost
from agentls.runner.redact import redact

if TYPE_CHECKING:
    from agentls.lsp.server import AgentlsServer
    from agentls.runner.runlist import RunSummary
    from agentls.runner.store import RunRecord


def cost_text(usd: float | None) -> str | None:
    """The estimated cost as every client shows it (one formatter, beside the prices)."""
    return None if usd is None else format_cost(usd)


def usage_of(usage: dict[str, int] | None) -> Usage | None:
    if usage is None:
        return None
    return Usage(
        usage.get("input_tokens", 0),
        usage.get("output_tokens", 0),
        usage.get("cache_read_input_tokens", 0),
        usage.get("cache_creation_input_tokens", 0),
    )


def run_reply(
    run_id: str,
    status: str,
    text: str = "",
    applied: bool | None = None,
    message: str | None = None,
) -> RunAgentResult:
    return RunAgentResult(
        run_id=run_id,
        status=status,  # type: ignore[arg-type]
        text=redact(text),
        applied=applied,
        message=redact(message) if message else None,
    )


def result_of(record: RunRecord, message: str | None = None) -> RunAgentResult:
    """A kept run as the protocol gives it (``agentls/runAgent``'s answer, one run of
    ``agentls/conversation``)."""
    from agentls.runner.proposals import FileChange, unified_diff
    from agentls.runner.store import document_path

    root = Path(record.workspace)
    sel = record.selection
    if message is None and record.error is not None:
        message = record.error.get("message")
    proposals = [
        ProposalInfo(
            path=p.path,
            uri=uri_of(root / p.path),
            diff=redact(unified_diff(FileChange(p.path, root / p.path, p.original, p.new))),
            created=p.original is None,
            runs_code=p.runs_code,
        )
        for p in record.proposals
    ]
    reply = run_reply(record.id, record.status, record.text, record.applied, message)
    reply.conversation = record.conversation
    reply.parent = record.parent
    reply.agent = str(record.agent.get("name", ""))
    reply.task = record.task
    reply.prompt = redact(record.prompt) if record.prompt else None
    reply.uri = uri_of(root / record.file)
    reply.range = _range(sel)
    reply.usage = usage_of(record.usage)
    reply.cost_usd = record.cost_usd
    reply.cost = cost_text(record.cost_usd)
    reply.prices_as_of = record.prices_as_of
    reply.wall_seconds = record.wall_seconds
    reply.turns = record.turns
    reply.stop = record.stop
    reply.tools = [redact(t) for t in record.tool_calls]
    reply.notes = [redact(n) for n in record.notes]
    reply.proposals = proposals
    reply.document = uri_of(document_path(root, record))
    return reply


async def conversation_of(ls: AgentlsServer, p: ConversationParams) -> ConversationResult:
    """The kept runs of a conversation, oldest first (none: an unknown id)."""
    from agentls.runner.store import conversation_runs

    try:
        record = await asyncio.to_thread(find_record, ls, p.conversation)
    except Refused:
        return ConversationResult(p.conversation, [])
    runs = await asyncio.to_thread(conversation_runs, Path(record.workspace), record.conversation)
    return ConversationResult(record.conversation, [result_of(r) for r in runs])


def _range(sel: dict[str, Any]) -> lsp.Range:
    return lsp.Range(
        lsp.Position(sel["start"]["line"], sel["start"]["character"]),
        lsp.Position(sel["end"]["line"], sel["end"]["character"]),
    )


def run_info(s: RunSummary) -> RunInfo:
    usage = usage_of(s.usage)
    assert usage is not None
    return RunInfo(
        run_id=s.id,
        conversation=s.conversation,
        agent=s.agent,
        task=s.task,
        path=s.file,
        uri=uri_of(s.workspace / s.file),
        range=_range(s.selection),
        lines=list(s.lines),
        started=s.started,
        status=s.status,  # type: ignore[arg-type]
        model=s.model,
        source=s.source,  # type: ignore[arg-type]
        proposals=s.proposals,
        applied=s.applied,
        usage=usage,
        parent=s.parent,
        prompt=s.prompt,
        cost_usd=s.cost_usd,
        cost=s.cost,
        prices_as_of=s.prices_as_of,
        wall_seconds=s.wall_seconds,
        turns=s.turns,
    )


async def runs_of(ls: AgentlsServer, p: RunsParams) -> RunsResult:
    """The kept runs of the workspace, newest first (read off the loop)."""
    from agentls.runner.runlist import RUNS_LIMIT, list_runs

    limit = RUNS_LIMIT if p.limit is None else p.limit
    # and the roots of this session's runs (a file's own project)
    roots = run_roots(ls, p.uri, list(ls.state.runs.known.values()))
    found, skipped = await asyncio.to_thread(list_runs, roots, limit)
    return RunsResult([run_info(s) for s in found], skipped)


class AgentConversations(Feature):
    name = "agent conversations"

    def register(self, server: AgentlsServer) -> None:
        @server.feature(CONVERSATION)
        async def on_conversation(
            ls: AgentlsServer, params: ConversationParams
        ) -> ConversationResult:
            return await conversation_of(ls, params)

        @server.feature(RUNS)
        async def on_runs(ls: AgentlsServer, params: RunsParams | None) -> RunsResult:
            return await runs_of(ls, params or RunsParams())
