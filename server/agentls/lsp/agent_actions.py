"""The code actions that offer agent tasks on a selection: for each offered agent, the tasks
it can do as it is defined (no Improve for a read-only agent), each a command
``agentls.runAgent`` (:mod:`~agentls.lsp.agent_runs` runs it). The list is bounded per
request; the rest is one "more" entry away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from agentls.lsp.agent_common import available_agents, workspace_root
from agentls.lsp.features import Feature
from agentls.lsp.protocol import RUN_AGENT_COMMAND, RunAgentParams

if TYPE_CHECKING:
    from agentls.lsp.server import AgentlsServer
    from agentls.runner.definitions import AgentDef

ACTION_KIND = "refactor.agentls"
# Agents offered on a selection, whatever agentListLimit says: 50,000 agents once made one
# codeAction answer of 200,004 actions (67 MB). The others are a "more" entry away.
MAX_OFFERED_AGENTS = 25


def offered_agent_names(ls: AgentlsServer, agents: dict[str, AgentDef]) -> list[str]:
    """The agents the code actions offer, ``backend-engineer`` first (all of them: the
    caller bounds the list)."""
    wanted = ls.state.settings.agents
    names = [n for n in agents if wanted is None or n in wanted]
    names.sort(key=lambda n: (n != "backend-engineer", n))
    return names


async def agent_code_actions(
    ls: AgentlsServer, params: lsp.CodeActionParams
) -> list[lsp.CodeAction]:
    """Review / Explain / Improve / Write tests for each offered agent, on a selection."""
    rng = params.range
    if rng.start == rng.end:
        return []
    only = params.context.only
    if only and not any(
        ACTION_KIND.startswith(str(k)) or str(k).startswith(ACTION_KIND) for k in only
    ):
        return []
    uri = params.text_document.uri
    doc = ls.open_document(uri)
    version = doc.version if doc is not None else None
    agents = await available_agents(ls, workspace_root(ls, uri))
    names = offered_agent_names(ls, agents)
    limit = min(ls.state.settings.agent_list_limit or MAX_OFFERED_AGENTS, MAX_OFFERED_AGENTS)
    from agentls.runner.prompt import tasks_for

    out = []
    for name in names[:limit]:
        # the tasks the agent can do as it is defined (no Improve for a read-only agent); a
        # task that needs the user's words (ask) is the client's to offer, with a box for them
        for task in (t for t in tasks_for(agents[name]) if not t.needs_prompt):
            args = RunAgentParams(agent=name, task=task.id, uri=uri, range=rng, version=version)
            title = f"{name}: {task.title}"
            out.append(
                lsp.CodeAction(
                    title=title,
                    kind=f"{ACTION_KIND}.{task.id}",
                    command=lsp.Command(title=title, command=RUN_AGENT_COMMAND, arguments=[args]),
                )
            )
    if len(names) > limit and (ls.state.settings.agent_list_limit or 0) != limit:
        from agentls.lsp.code_actions import more_entry

        more = len(names) - limit
        out.append(
            more_entry(
                ls,
                f"… and {more:,} more agents (choose which with the `agents` setting)",
                ACTION_KIND,
                f"agentls offers {MAX_OFFERED_AGENTS} agents per request",
            )
        )
    return out


class AgentActions(Feature):
    name = "agent actions"

    async def code_actions(
        self, ls: AgentlsServer, params: lsp.CodeActionParams
    ) -> list[lsp.CodeAction]:
        return await agent_code_actions(ls, params)
