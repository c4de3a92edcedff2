"""Unit tests of the recorder's and the comparison's pure helpers (no binary needed)."""

from __future__ import annotations

import json

import cc_conformance as cc
import record

ENV = {
    "sentinel_main_model": "sentinel",
    "model_resolution": {"sonnet": "claude-sonnet-5-5", "claude-opus-4-1": "claude-opus-5-5"},
    "tool_pools": {
        "sentinel": {
            "all": ["Bash", "Monitor", "Read", "Task", "Write"],
            "listed_with_bash": ["Bash", "Monitor", "Read", "Task", "Write"],
            "listed_without_bash": ["Glob", "Grep", "Monitor", "Read", "Task", "Write"],
        }
    },
}


def test_parse_listing_keeps_newlines_and_splits_tools() -> None:
    text = (
        "Available agent types for the Agent tool:\n- fx: First: line\nSecond (Tools: x)"
        " (Tools: Bash(git *), Read)\n\nWhen you launch multiple agents, ..."
    )
    body = json.dumps({"messages": [{"content": [{"type": "text", "text": text}]}]})
    assert record.parse_listing([b"not json", body.encode()], "fx") == (
        "First: line\nSecond (Tools: x)",
        "Bash(git *), Read",
    )
    assert record.parse_listing([body.encode()], "other") is None


def test_model_candidates_strip_quotes_comments_and_cr() -> None:
    data = b"---\nmodel: 'Opus'\r\n---\nmodel: sonnet # x\nmodel:\n"
    assert record.model_candidates([("a", data)]) == {"Opus", "sonnet"}


def test_diff_reports_changed_fields_only() -> None:
    old = {"files": [{"path": "a", "loaded": True, "name": "a"}, {"path": "b", "loaded": False}]}
    new = {"files": [{"path": "a", "loaded": False, "name": "a"}]}
    assert record.diff(old, new) == ["a: loaded: True -> False", "b: removed"]
    assert record.diff(old, new, partial=True) == ["a: loaded: True -> False"]


def test_canon_tool() -> None:
    assert cc.canon_tool("Bash(git *)") == "Bash"
    assert cc.canon_tool("Agent(a, b)") == "Task"
    assert cc.canon_tool("Read") == "Read"


def test_resolve_model() -> None:
    for unset in (None, "", "  ", "inherit", "INHERIT"):
        assert cc.resolve_model(unset, ENV) == "sentinel"
    assert cc.resolve_model("SONNET", ENV) == "claude-sonnet-5-5"
    assert cc.resolve_model("claude-opus-4-1", ENV) == "claude-opus-5-5"
    assert cc.resolve_model(" gpt-4 ", ENV) == "gpt-4"


def test_expected_tools() -> None:
    all_tools = {"Bash", "Monitor", "Read", "Task", "Write"}
    assert cc.expected_tools(None, [], "sentinel", ENV) == all_tools
    assert cc.expected_tools(None, ["Bash(git *)"], "sentinel", ENV) == {"Read", "Task", "Write"}
    assert cc.expected_tools(["Grep", "Read", "TodoWrite"], [], "sentinel", ENV) == {
        "Grep",
        "Read",
    }
    assert cc.expected_tools(["Grep", "Bash(git *)"], [], "sentinel", ENV) == {"Bash"}
    assert cc.expected_tools(["Agent", "Monitor"], ["Bash"], "sentinel", ENV) == {"Task"}
    assert cc.expected_tools([], [], "sentinel", ENV) == set()
    assert cc.expected_tools(["Read"], [], "unknown-model", ENV) is None


def test_parse_doctor_keeps_the_invalid_settings_lines_once() -> None:
    import record_surface as rs

    text = (
        "Claude Code doctor\n\nInvalid settings\n"
        "- <proj>/.mcp.json › mcpServers.a: Missing environment variables: T\n"
        "- <proj>/.mcp.json › mcpServers.a: Missing environment variables: T\n"
        "  Suggested fix: Set the following environment variables: T\n"
        "- <proj>/.claude/settings.json: Invalid or malformed JSON\n\nRemote Control\n- x\n"
    )
    assert rs.parse_doctor(text) == [
        "<proj>/.mcp.json › mcpServers.a: Missing environment variables: T"
        " | Suggested fix: Set the following environment variables: T",
        "<proj>/.claude/settings.json: Invalid or malformed JSON",
    ]
    assert rs.parse_doctor("Claude Code doctor\n\nAll good\n") == []


def test_parse_mcp_list_reads_servers_and_diagnostics() -> None:
    import record_surface as rs

    text = (
        "Checking MCP server health…\n\n"
        "good: echo hi - ⏸ Pending approval (run `claude` to approve)\n"
        "web: https://example.com/mcp (HTTP) - ⏸ Pending approval (run `claude` to approve)\n\n"
        "MCP config diagnostics ⚠\n\nFor help configuring MCP servers, see: https://x\n\n"
        "[Has warnings] Project config (shared via .mcp.json)\nLocation: <proj>/.mcp.json\n"
        ' ├ [Warning] [empty] mcpServers.empty: Skipped — invalid MCP server config for "empty"\n'
        " └ [Warning] [web] mcpServers.web: Missing environment variables: TOKEN\n"
    )
    out = rs.parse_mcp_list(text)
    assert out["servers"] == {
        "good": "⏸ Pending approval (run `claude` to approve)",
        "web": "⏸ Pending approval (run `claude` to approve)",
    }
    assert out["diagnostics"] == [
        '[Warning] [empty] mcpServers.empty: Skipped — invalid MCP server config for "empty"',
        "[Warning] [web] mcpServers.web: Missing environment variables: TOKEN",
    ]


def test_reduce_validate_and_diff_surface() -> None:
    import record_surface as rs

    raw = {
        "success": False,
        "strict": False,
        "manifest": {
            "file": "<proj>/p/.claude-plugin/plugin.json",
            "type": "plugin",
            "errors": [{"path": "agents", "message": "m", "code": None}],
            "warnings": [],
            "notes": [],
        },
        "contents": [],
    }
    reduced = rs.reduce_validate(raw)
    assert reduced["manifest"]["errors"] == [{"path": "agents", "message": "m"}]
    assert "strict" not in reduced
    old = [{"case": "a", "doctor": []}, {"case": "b", "doctor": []}]
    new = [{"case": "a", "doctor": ["x"]}]
    assert rs.diff_surface(old, new) == ['a: doctor: [] -> ["x"]', "b: removed"]
