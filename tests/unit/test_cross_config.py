"""Agents against their project's settings and .mcp.json (issue 18, point 6): findings on both
ends with related information, and the files to publish again when either changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentls.index import WorkspaceIndex
from agentls.rules import codes
from agentls.types import Finding

ROOT = "/p"
AGENT = f"{ROOT}/.claude/agents/reviewer.md"
OTHER = f"{ROOT}/.claude/agents/helper.md"
SETTINGS = f"{ROOT}/.claude/settings.json"
LOCAL = f"{ROOT}/.claude/settings.local.json"
MCP = f"{ROOT}/.mcp.json"
SERVERS = '{"mcpServers": {"github": {"command": "gh"}, "jira": {"command": "jira"}}}'


def agent(name: str, *lines: str) -> str:
    return "---\n" + "\n".join([f"name: {name}", "description: Reviews.", *lines]) + "\n---\nBody\n"


def index(files: dict[str, str]) -> WorkspaceIndex:
    idx = WorkspaceIndex()
    for path, text in files.items():
        idx.update(path, text)
    return idx


def of(idx: WorkspaceIndex, path: str, code: str) -> list[Finding]:
    return [f for f in idx.findings_for(path) if f.code == code]


def test_disabled_server_on_both_ends() -> None:
    idx = index(
        {
            MCP: SERVERS,
            SETTINGS: '{"disabledMcpjsonServers": ["github"]}',
            AGENT: agent("reviewer", "tools: Read, mcp__github__create_issue"),
            OTHER: agent("helper", "mcpServers: [github]"),
        }
    )
    [at_agent] = of(idx, AGENT, codes.MCP_SERVER_DISABLED)
    assert at_agent.severity.label == "warning"
    assert (at_agent.range.start.line, at_agent.range.start.character) == (3, 18)
    assert at_agent.range.end.character - at_agent.range.start.character == len("github")
    assert [r.path for r in at_agent.related] == [SETTINGS]
    assert [f.code for f in of(idx, OTHER, codes.MCP_SERVER_DISABLED)] == ["AL306"]
    [at_settings] = of(idx, SETTINGS, codes.MCP_SERVER_DISABLED)
    assert at_settings.severity.label == "information"
    assert "`helper`, `reviewer`" in at_settings.message or "`reviewer`, `helper`" in (
        at_settings.message
    )
    assert {r.path for r in at_settings.related} == {AGENT, OTHER}


def test_a_server_enabled_elsewhere_or_another_server_is_no_finding() -> None:
    idx = index(
        {
            MCP: SERVERS,
            SETTINGS: '{"disabledMcpjsonServers": ["github"]}',
            LOCAL: '{"enabledMcpjsonServers": ["github"]}',
            AGENT: agent("reviewer", "tools: Read, mcp__github__create_issue, mcp__jira__x"),
        }
    )
    assert not of(idx, AGENT, codes.MCP_SERVER_DISABLED)
    assert not of(idx, SETTINGS, codes.MCP_SERVER_DISABLED)


def test_other_projects_do_not_meet() -> None:
    idx = index(
        {
            "/q/.claude/settings.json": '{"disabledMcpjsonServers": ["github"]}',
            AGENT: agent("reviewer", "tools: mcp__github__create_issue"),
        }
    )
    assert not of(idx, AGENT, codes.MCP_SERVER_DISABLED)


def test_unknown_server_names_in_settings() -> None:
    idx = index({MCP: SERVERS, SETTINGS: '{"enabledMcpjsonServers": ["githb", "jira"]}'})
    [f] = of(idx, SETTINGS, codes.SETTINGS_MCP_SERVER_UNKNOWN)
    assert "Did you mean `github`?" in f.message and f.related[0].path == MCP
    assert f.related[0].range.start.character == SERVERS.index('"github"')  # the server meant
    assert (f.range.start.character, f.range.end.character) == (27, 34)
    none = index({SETTINGS: '{"disabledMcpjsonServers": ["github"]}'})
    [g] = of(none, SETTINGS, codes.SETTINGS_MCP_SERVER_UNKNOWN)
    assert "this project has no .mcp.json" in g.message


def test_deny_rules_that_remove_every_tool() -> None:
    files = {
        SETTINGS: '{"permissions": {"deny": ["Bash", "mcp__github", "Edit(src/**)"]}}',
        AGENT: agent("reviewer", "tools: Bash, mcp__github__create_issue"),
    }
    idx = index(files)
    [f] = of(idx, AGENT, codes.AGENT_TOOLS_ALL_DENIED)
    assert f.range.start.line == 3 and len(f.related) == 2
    ends = of(idx, SETTINGS, codes.AGENT_TOOLS_ALL_DENIED)
    assert len(ends) == 2 and all(e.severity.label == "information" for e in ends)
    assert all(e.related[0].path == AGENT for e in ends)
    # a rule with a pattern denies some uses only; an agent with every tool is not affected
    for tools in ("tools: Bash, Edit", "disallowedTools: Write"):
        idx.update(AGENT, agent("reviewer", tools))
        assert not of(idx, AGENT, codes.AGENT_TOOLS_ALL_DENIED), tools
        assert not of(idx, SETTINGS, codes.AGENT_TOOLS_ALL_DENIED), tools


def test_settings_name_agents_that_exist() -> None:
    idx = index(
        {
            SETTINGS: '{"agent": "reviewr", "permissions": '
            '{"allow": ["Agent(helper)", "Agent(Explore)"]}}',
            AGENT: agent("reviewer"),
        }
    )
    found = of(idx, SETTINGS, codes.UNKNOWN_AGENT)
    assert [f.message.split(" ")[3] for f in found] == ["`reviewr`", "`helper`"]
    assert "Did you mean `reviewer`?" in found[0].message
    assert (found[1].range.start.character, found[1].range.end.character) == (54, 60)
    idx.update(OTHER, agent("helper"))
    assert len(of(idx, SETTINGS, codes.UNKNOWN_AGENT)) == 1


def test_either_file_changing_republishes_the_other() -> None:
    idx = index(
        {
            MCP: SERVERS,
            SETTINGS: '{"disabledMcpjsonServers": ["github"]}',
            AGENT: agent("reviewer", "tools: mcp__github__create_issue"),
        }
    )
    assert idx.update(SETTINGS, '{"disabledMcpjsonServers": []}') >= {AGENT, MCP}
    assert not of(idx, AGENT, codes.MCP_SERVER_DISABLED)
    assert SETTINGS in idx.update(AGENT, agent("reviewer", "tools: mcp__jira__x"))
    assert idx.remove(MCP) >= {AGENT, SETTINGS}
    # configuration files define no names: not agents, not workspace symbols
    assert [e.path for e in idx.all()] == [AGENT]


def test_check_reads_the_configuration_of_a_file_named_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pre-commit names the changed files only: the agent meets its project's settings and
    .mcp.json read from disk; its references to other agents are not judged alone."""
    from agentls.cli import main

    (tmp_path / ".claude" / "agents").mkdir(parents=True)
    (tmp_path / ".mcp.json").write_text(SERVERS)
    (tmp_path / ".claude" / "settings.json").write_text('{"disabledMcpjsonServers": ["github"]}')
    reviewer = tmp_path / ".claude" / "agents" / "reviewer.md"
    reviewer.write_text(agent("reviewer", "tools: mcp__github__get_issue, Agent(helper)"))
    main(["check", "--format", "json", str(reviewer)])
    [file] = json.loads(capsys.readouterr().out)["files"]
    found = [d["code"] for d in file["diagnostics"]]
    assert "AL306" in found and "AL304" not in found  # helper: not judged alone
    main(["check", "--format", "json", str(tmp_path / ".claude" / "settings.json")])
    [file] = json.loads(capsys.readouterr().out)["files"]
    assert [d["code"] for d in file["diagnostics"]] == ["AL306"]
    assert file["diagnostics"][0]["severity"] == "information"


def test_check_settings_naming_agents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """AL304 in `agentls check` for the settings' `agent` and `Agent(name)` permission rules:
    at the name, for a name no agent has; not for agents of the project, built in, or
    written with a pattern or a plugin prefix (Claude Code matches those itself)."""
    from agentls.cli import main

    (tmp_path / ".claude" / "agents").mkdir(parents=True)
    (tmp_path / ".claude" / "agents" / "reviewer.md").write_text(agent("reviewer"))
    settings = tmp_path / ".claude" / "settings.json"
    settings.write_text(
        '{"agent": "reviewr",\n "permissions": {"deny": ["Agent(helper)", "Task(Explore)",'
        ' "Agent(reviewer)", "Agent(tools:helper)", "Agent(*)"]}}\n'
    )
    main(["check", "--format", "json", str(tmp_path)])
    [file] = [f for f in json.loads(capsys.readouterr().out)["files"] if f["path"] == str(settings)]
    found = [d for d in file["diagnostics"] if d["code"] == "AL304"]
    at = [(d["range"]["start"]["line"], d["range"]["start"]["character"]) for d in found]
    assert at == [(0, 11), (1, 33)]
    assert [d["range"]["end"]["character"] for d in found] == [18, 39]
    assert "Did you mean `reviewer`?" in found[0]["message"]
    # the near miss: the agents exist
    (tmp_path / ".claude" / "agents" / "helper.md").write_text(agent("helper"))
    settings.write_text('{"agent": "reviewer", "permissions": {"deny": ["Agent(helper)"]}}\n')
    main(["check", "--format", "json", str(tmp_path)])
    out = json.loads(capsys.readouterr().out)
    assert not [d for f in out["files"] for d in f["diagnostics"] if d["code"] == "AL304"]


def test_check_json_and_sarif_carry_both_ends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Findings across files name their other end in `check`'s JSON (`related`) and SARIF
    (`relatedLocations`), as the editor's relatedInformation does: an agent and the settings
    that disable its server (AL306), a plugin manifest and the agent file it leaves out
    (AL936)."""
    from agentls.cli import main

    (tmp_path / ".claude" / "agents").mkdir(parents=True)
    (tmp_path / ".mcp.json").write_text(SERVERS)
    settings = tmp_path / ".claude" / "settings.json"
    settings.write_text('{"disabledMcpjsonServers": ["github"]}')
    reviewer = tmp_path / ".claude" / "agents" / "reviewer.md"
    reviewer.write_text(agent("reviewer", "tools: mcp__github__get_issue"))
    plugin = tmp_path / "plugins" / "lint"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / "agents").mkdir()
    manifest = plugin / ".claude-plugin" / "plugin.json"
    manifest.write_text('{"name": "lint", "agents": ["./agents/one.md"]}')
    (plugin / "agents" / "one.md").write_text(agent("one"))
    two = plugin / "agents" / "two.md"
    two.write_text(agent("two"))
    main(["check", "--format", "json", str(tmp_path)])
    files = {f["path"]: f["diagnostics"] for f in json.loads(capsys.readouterr().out)["files"]}

    def ends(path: Path, code: str) -> list[str]:
        [d] = [d for d in files[str(path)] if d["code"] == code]
        return [r["path"] for r in d["related"]]

    assert ends(reviewer, "AL306") == [str(settings)]
    assert ends(settings, "AL306") == [str(reviewer)]
    assert ends(manifest, "AL936") == [str(two)]
    assert ends(two, "AL936") == [str(manifest)]
    [d] = [d for d in files[str(two)] if d["code"] == "AL936"]
    assert d["related"][0]["range"]["start"] == {"line": 0, "character": 27}
    # no `related` where there is no other end
    assert all("related" not in d for d in files[str(plugin / "agents" / "one.md")])
    main(["check", "--format", "sarif", str(tmp_path)])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    related = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): [
            (x["physicalLocation"]["artifactLocation"]["uri"], x["physicalLocation"]["region"])
            for x in r.get("relatedLocations", [])
        ]
        for r in results
    }
    assert related[("AL936", two.as_posix())] == [
        (manifest.as_posix(), {"startLine": 1, "startColumn": 28, "endLine": 1, "endColumn": 47})
    ]
    assert [u for u, _ in related[("AL306", settings.as_posix())]] == [reviewer.as_posix()]
