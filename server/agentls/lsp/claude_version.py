"""Once per session: when the ``claude`` on the PATH is not the Claude Code release agentls's
facts come from, say so (information), with the setting that pins a version.

``claude --version`` (~0.2 s the first time; remembered across processes by
:mod:`agentls.claude_version`) runs in a thread after ``initialized``: start-up never waits
for it. The notice goes to ``window/showMessage`` (once) and to the log; no diagnostic.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from agentls.lsp.features import Feature

if TYPE_CHECKING:
    from agentls.lsp.server import AgentlsServer

log = logging.getLogger("agentls")


@dataclass
class ClaudeVersionState:
    task: asyncio.Task[None] | None = None
    said: str | None = None  # the notice shown this session


async def say_once(ls: AgentlsServer) -> None:
    from agentls.claude_version import installed_notice

    try:
        notice = await asyncio.to_thread(installed_notice)
    except Exception:  # a broken `claude` never troubles the session
        log.debug("claude --version failed", exc_info=True)
        return
    st = ls.state.claude_version
    if notice is None or st.said is not None:
        return
    st.said = notice
    message = f"agentls: {notice}"
    log.info(message)
    ls.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Info, message=message))
    ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Info, message=message))


class ClaudeVersionNotice(Feature):
    name = "claude version"

    def initialized(self, ls: AgentlsServer) -> None:
        st = ls.state.claude_version
        if st.task is None:
            st.task = asyncio.get_running_loop().create_task(say_once(ls))

    def shutdown(self, ls: AgentlsServer) -> None:
        task = ls.state.claude_version.task
        if task is not None:
            task.cancel()
