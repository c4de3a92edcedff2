"""codeAction answers are bounded per request (issue 14, class 7): quick fixes for at most
MAX_OFFERED_FINDINGS findings, agents up to MAX_OFFERED_AGENTS, each list ending in one
entry that says how many more there are (disabled where the client shows disabled actions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsp_helpers import raw_request, session_fixture
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from agentls.editing.fixes import MAX_OFFERED_FINDINGS, with_suppression_fixes
from agentls.engine import analyze
from agentls.lsp.agent_actions import MAX_OFFERED_AGENTS

AGENTS = MAX_OFFERED_AGENTS + 35


def _agents(root: Path) -> None:
    for i in range(AGENTS):
        (root / ".claude" / "agents" / f"agent-{i:03d}.md").write_text(
            f"---\nname: agent-{i:03d}\ndescription: Use it for task {i}.\n---\nBody\n"
        )


client = session_fixture(_agents, home_in_tmp=True)


def _open(c: LanguageClient, name: str, text: str) -> str:
    uri = (c.root / ".claude" / "agents" / name).as_uri()  # type: ignore[attr-defined]
    c.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, text))
    )
    return uri


async def _actions(c: LanguageClient, uri: str, lines: int, only: list[str]) -> list[Any]:
    params = {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}},
        "context": {"diagnostics": [], "only": only},
    }
    return list(await raw_request(c, "textDocument/codeAction", params) or [])


def _get(action: Any, key: str) -> Any:
    return action.get(key) if isinstance(action, dict) else getattr(action, key, None)


def _disabled(c: LanguageClient, action: Any) -> bool:
    """The "more" entry is disabled where the client shows disabled actions."""
    td = c.capabilities.text_document if c.capabilities else None
    supported = bool(td and td.code_action and td.code_action.disabled_support)
    return (_get(action, "disabled") is not None) == supported and _get(action, "edit") is None


async def test_quick_fixes_are_bounded_and_the_rest_is_counted(client: LanguageClient) -> None:
    n = 1000
    text = "---\nname: x\ndescription: Use it.\ntools: " + ", ".join(["grep"] * n) + "\n---\nB\n"
    uri = _open(client, "x.md", text)
    actions = await _actions(client, uri, 6, only=["quickfix"])
    fixes = [a for a in actions if _get(a, "edit") is not None]
    more = [a for a in actions if _get(a, "edit") is None]
    # the suppressions are offered once per rule: every finding is on the same line
    ignore = [_get(a, "title") for a in fixes if _get(a, "title").startswith("Ignore")]
    assert len(ignore) == len(set(ignore)) <= 4
    assert {"Ignore AL021 in this file", "Ignore AL021 on this line"} <= set(ignore)
    assert 0 < len(fixes) - len(ignore) <= MAX_OFFERED_FINDINGS * 2
    assert all("Grep" in _get(a, "title") for a in fixes if _get(a, "title") not in ignore)
    # the engine reports the first findings of a rule and counts the rest in one more
    a = analyze(text, "/w/.claude/agents/x.md")
    with_fixes = [f for f in with_suppression_fixes(a, a.findings) if f.fixes]
    assert len(with_fixes) > MAX_OFFERED_FINDINGS
    unchecked = sum(len(f.fixes) for f in with_fixes[MAX_OFFERED_FINDINGS:])
    assert len(more) == 1 and _disabled(client, more[0])
    assert f"{unchecked} more fixes" in _get(more[0], "title")


async def test_agent_actions_are_bounded_and_the_rest_is_counted(client: LanguageClient) -> None:
    # agentListLimit 0 asks for every agent (the default is 5): the bound still holds
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"agentls": {"agentListLimit": 0}})
    )
    uri = _open(client, "code.md", "---\nname: code\ndescription: Use it.\n---\nline\nline\n")
    actions = await _actions(client, uri, 5, only=["refactor.agentls"])
    runs = [a for a in actions if _get(a, "command") is not None]
    more = [a for a in actions if _get(a, "command") is None]
    assert len(runs) == MAX_OFFERED_AGENTS * 4  # four tasks per agent
    assert _get(runs[0], "title") == "backend-engineer: Review"
    assert len(more) == 1 and _disabled(client, more[0])
    offered = AGENTS + 1 - MAX_OFFERED_AGENTS  # the bundled backend-engineer too
    assert f"{offered} more agents" in _get(more[0], "title")


async def test_a_limit_the_user_chose_is_not_announced(client: LanguageClient) -> None:
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"agentls": {"agentListLimit": 2}})
    )
    uri = _open(client, "code.md", "---\nname: code\ndescription: Use it.\n---\nline\nline\n")
    actions = await _actions(client, uri, 5, only=["refactor.agentls"])
    assert len(actions) == 2 * 4 and all(_get(a, "command") is not None for a in actions)
