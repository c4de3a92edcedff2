"""Every Claude agent rule: a case that triggers it and a near miss that must not."""

from __future__ import annotations

import pytest

from agentls.engine import analyze
from agentls.rules.registry import rules
from agentls.types import Severity

PATH = "/ws/.claude/agents/reviewer.md"


def fm(*lines: str, body: str = "You review code.\n") -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n" + body


BASE = ("name: reviewer", "description: Use when reviewing code.")
CLEAN = fm(*BASE)

# rule -> (triggering text, near miss that must not trigger it)
CASES: dict[str, tuple[str, str]] = {
    "AL001": ("\n" + CLEAN, CLEAN),
    "AL002": (fm(*BASE, "model: a\nb"), fm(*BASE, "model: a\n  b")),
    "AL003": (
        fm("name: reviewer", "description: Use when: reviewing"),
        fm("name: reviewer", 'description: "Use when: reviewing"'),
    ),
    "AL004": (
        fm("name: reviewer", "description: Use when: x").replace("\n", "\r\n"),
        CLEAN.replace("\n", "\r\n"),
    ),
    "AL005": (
        fm("name: reviewer", "description: Use when --- x", "tools: Read"),
        fm("name: reviewer", "description: Use when — x", "tools: Read"),
    ),
    "AL006": (
        fm("name: reviewer", "description: Use when fixing bugs #urgent"),
        fm("name: reviewer", "description: Use when writing C# code"),
    ),
    "AL007": (fm(*BASE, "tools:", "\t- Read"), fm(*BASE, "tools:", "  - Read")),
    "AL008": (
        fm("name: reviewer", "description:", "  Use when: reviewing"),
        fm("name: reviewer", "description: >", "  Use when: reviewing"),
    ),
    "AL009": (fm("description: Use when x"), CLEAN),
    "AL010": (
        fm("name: 42", "description: Use when x"),
        fm('name: "42"', "description: Use when x"),
    ),
    "AL011": (fm('name: "-reviewer"', "description: Use when x"), CLEAN),
    "AL012": (fm("name: Code Reviewer", "description: Use when x"), CLEAN),
    "AL013": (fm("name: other-name", "description: Use when x"), CLEAN),
    "AL015": (fm("name: reviewer", "description: 42"), CLEAN),
    "AL016": (fm("name: reviewer", "description: Reviews code."), CLEAN),
    "AL017": (fm(*BASE, "Model: sonnet"), fm(*BASE, "model: sonnet")),
    "AL018": (fm(*BASE, "allowed-tools: Read"), fm(*BASE, "tools: Read")),
    "AL019": (fm(*BASE, "mode: subagent"), CLEAN),
    "AL020": (fm(*BASE, "tools: 5"), fm(*BASE, "tools: [Read]")),
    "AL021": (fm(*BASE, "tools: Read, grep"), fm(*BASE, "tools: Read, Grep")),
    "AL121": (fm(*BASE, "tools: read, grep"), fm(*BASE, "tools: Read, grep")),
    "AL022": (fm(*BASE, "tools: Read, MultiEdit"), fm(*BASE, "tools: Read, Edit")),
    "AL023": (fm(*BASE, "tools: Read, mcp__*"), fm(*BASE, "tools: Read, mcp__github__*")),
    "AL024": (fm(*BASE, "tools: Read, *"), fm(*BASE, "tools: Read")),
    "AL124": (
        fm(*BASE, "tools: Read, Bash", "disallowedTools: Bash"),
        fm(*BASE, "tools: Read", "disallowedTools: Bash"),
    ),
    "AL132": (
        fm(*BASE, "tools: Read, Grep", body="Make the change with the Edit tool.\n"),
        fm(*BASE, "tools: Read, Grep, Edit", body="Make the change with the Edit tool.\n"),
    ),
    "AL108": (fm(*BASE, "tools: Read, Grep, Read"), fm(*BASE, "tools: Read, Grep")),
    "AL025": (fm(*BASE, "tools: Read, Agent(worker)"), fm(*BASE, "tools: Read, Agent")),
    "AL027": (
        fm(*BASE, "tools: Grep", "memory: project"),
        fm(*BASE, "tools: Grep, Read, Write, Edit", "memory: project"),
    ),
    "AL028": (fm(*BASE, "color: gold"), fm(*BASE, "color: yellow")),
    "AL029": (fm(*BASE, "model: gpt-4o"), fm(*BASE, "model: sonnet")),
    "AL129": (fm(*BASE, "model: claude-sonnet-4-20250514"), fm(*BASE, "model: opus")),
    "AL030": (fm(*BASE, "permissionMode: ask"), fm(*BASE, "permissionMode: plan")),
    "AL130": (fm(*BASE, "permissionMode: manual"), fm(*BASE, "permissionMode: default")),
    "AL230": (
        fm(*BASE, "permissionMode: bypassPermissions"),
        fm(*BASE, "permissionMode: acceptEdits"),
    ),
    "AL031": (
        fm(*BASE, "hooks: [a]"),
        fm(
            *BASE,
            "hooks:",
            "  Stop:",
            "    - hooks:",
            "        - type: command",
            "          command: echo done",
        ),
    ),
    "AL131": (
        fm(
            *BASE,
            "hooks:",
            "  OnStop:",
            "    - hooks:",
            "        - type: command",
            "          command: echo",
        ),
        fm(
            *BASE,
            "hooks:",
            "  Stop:",
            "    - hooks:",
            "        - type: command",
            "          command: echo",
        ),
    ),
    "AL032": (fm(*BASE, "mcpServers:", "  - 42"), fm(*BASE, "mcpServers:", "  - github")),
    "AL035": (fm(*BASE, body="\n"), CLEAN),
    "AL037": (CLEAN + "x" * 1_100_000 + "\n", CLEAN),
    "AL101": (CLEAN.replace("---\nYou", "----\nYou"), CLEAN),
    "AL102": (fm(*BASE, "model: sonnet", "model: opus"), fm(*BASE, "model: opus")),
    "AL105": ("---\n- a\n- b\n---\nBody\n", CLEAN),
    "AL106": ("\ufeff" + CLEAN, CLEAN),
    "AL107": (fm(*BASE, "initialPrompt: [a]"), fm(*BASE, "initialPrompt: Start here")),
    "AL111": (fm(*BASE, *[f"k{i}: v" for i in range(5001)]), CLEAN),
    "AL110": (
        fm(*BASE, "model: sonnet", "initialPrompt: &first go"),
        fm(*BASE, "initialPrompt: first go"),
    ),
}

# Rules that need something other than one file's text.
NOT_SINGLE_FILE = {"AL036", "AL109", "AL112", "AL123"}  # AL123: tested below with a .mcp.json


def codes(text: str, path: str = PATH) -> dict[str, Severity]:
    return {f.code: f.severity for f in analyze(text, path).findings}


def test_clean_file_has_no_findings() -> None:
    assert analyze(CLEAN, PATH).findings == []


def test_every_claude_rule_has_a_case() -> None:
    claude_rules = {
        r.id for r in rules().values() if "claude-agent" in r.dialects and r.id < "AL300"
    }
    missing = claude_rules - set(CASES) - NOT_SINGLE_FILE
    assert not missing, f"rules without a test case: {sorted(missing)}"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_triggers_and_near_miss_does_not(rule_id: str) -> None:
    hit, miss = CASES[rule_id]
    found = codes(hit)
    assert rule_id in found, f"{rule_id} not raised; got {sorted(found)}"
    assert rule_id not in codes(miss)


def test_every_finding_has_a_precise_range_and_a_message() -> None:
    for rule_id, (hit, _) in CASES.items():
        for f in analyze(hit, PATH).findings:
            assert f.message and (f.message[0].isupper() or f.message.startswith("`")), f
            assert f.range.start <= f.range.end
            if rule_id == f.code and f.code not in ("AL001", "AL037", "AL106", "AL035"):
                # on a key or a value, never the whole file
                assert f.range.end.line - f.range.start.line <= 4, f


def test_wrong_extension_in_agents_folder() -> None:
    a = analyze(CLEAN, "/ws/.claude/agents/reviewer.markdown")
    assert [f.code for f in a.findings] == ["AL036"]


# ------------------------------------------------------------------ the acceptance cases


def test_broken_description_and_gold_colour_both_reported() -> None:
    text = fm("name: reviewer", "description: Use when: reviewing", "color: gold")
    found = analyze(text, PATH).findings
    assert {f.code for f in found} == {"AL003", "AL028"}
    gold = next(f for f in found if f.code == "AL028")
    assert (gold.range.start.line, gold.range.start.character, gold.range.end.character) == (
        3,
        7,
        11,
    )


def test_broken_unrescuable_description_still_checks_colour() -> None:
    text = fm("name: reviewer", "description: Use when", "  reviewing: now", "color: gold")
    found = {f.code for f in analyze(text, PATH).findings}
    assert {"AL002", "AL028"} <= found


def test_allowed_tools_message_and_fix() -> None:
    f = next(
        f
        for f in analyze(fm(*BASE, "allowed-tools:", "  - Read"), PATH).findings
        if f.code == "AL018"
    )
    assert "every tool" in f.message and "`tools`" in f.message
    assert f.fixes[0].edits[0].new_text == "tools" and f.fixes[0].safe


def test_model_message_is_for_people() -> None:
    f = next(f for f in analyze(fm(*BASE, "model: fable5"), PATH).findings if f.code == "AL029")
    assert "`fable5`" in f.message and "sonnet" in f.message


def test_crlf_rescue_is_an_error_and_lf_is_a_warning() -> None:
    lf = fm("name: reviewer", "description: Use when: x")
    assert codes(lf)["AL003"] == Severity.WARNING
    assert codes(lf.replace("\n", "\r\n"))["AL004"] == Severity.ERROR
    assert not analyze(lf.replace("\n", "\r\n"), PATH).effective.loads  # type: ignore[union-attr]


def test_mcp_server_not_configured(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from agentls.discovery import mcp_servers_for

    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    path = agents / "a.md"
    text = fm(*BASE, "tools: Read, mcp__github__*, mcp__jira")
    assert mcp_servers_for(str(path)) is None  # no .mcp.json: unknown, no finding
    assert "AL123" not in codes(text, str(path))
    (tmp_path / ".mcp.json").write_text('{"mcpServers": {"github": {"command": "gh"}}}')
    servers = mcp_servers_for(str(path))
    assert servers == frozenset({"github"})
    found = [f for f in analyze(text, str(path), mcp_servers=servers).findings if f.code == "AL123"]
    assert [f.message.split("`")[1] for f in found] == ["jira"]
    eff = analyze(text, str(path), mcp_servers=servers).effective
    assert eff is not None and eff.tools == ["Read", "mcp__github__*"]


# ------------------------------------------------------------------ AL132: body vs tools


def _al132(text: str) -> list[tuple[str, int]]:
    return [
        (f.message.split(" use ", 1)[1].split(",", 1)[0], f.range.start.character)
        for f in analyze(text, PATH).findings
        if f.code == "AL132"
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Use the Read, Grep and Write tools.\n", ["Write"]),
        ("Propose it with the `Edit` tool.\n", ["Edit"]),
        ("Never use the Bash tool. Do not call the Edit tool.\n", []),  # told not to
        ("Read the file. Use Bash to run tests.\n", []),  # no "tool": ordinary prose
        ("```\nrun the Bash tool\n```\n", []),  # code, not an instruction
        ("Use the Edit tool. Then the Edit tool again.\n", ["Edit"]),  # once per tool
        ("Use the Frobnicate tool.\n", []),  # not a Claude Code tool
        # the scan stops at the last line with "tool": a fence after it changes nothing
        ("Use the Write tool.\n```\nx\n", ["Write"]),
        ("```\nrun the Bash tool\n```\nThen the Write tool", ["Write"]),
        ("Plain prose, no mention.\n```\n", []),
    ],
)
def test_body_tool_mentions(body: str, expected: list[str]) -> None:
    text = fm(*BASE, "tools: Read, Grep", body=body)
    assert [name for name, _ in _al132(text)] == expected


def test_body_tool_not_granted_is_not_checked_for_every_tool_or_a_wildcard() -> None:
    body = "Make the change with the Edit tool.\n"
    assert _al132(fm(*BASE, body=body)) == []
    assert _al132(fm(*BASE, "tools: '*'", body=body)) == []


def test_body_tool_taken_away_by_disallowed_tools_has_no_add_fix() -> None:
    text = fm(*BASE, "tools: Read, Edit", "disallowedTools: Edit", body="Use the Edit tool.\n")
    [f] = [f for f in analyze(text, PATH).findings if f.code == "AL132"]
    assert "disallowedTools" in f.message and not f.fixes


@pytest.mark.parametrize(
    ("tools", "fixed"),
    [
        (("tools: Read, Grep",), "tools: Read, Grep, Edit\n"),
        (("tools: [Read, Grep]",), "tools: [Read, Grep, Edit]\n"),
        (("tools:", "  - Read", "  - Grep"), "tools:\n  - Read\n  - Grep\n  - Edit\n"),
    ],
)
def test_body_tool_fix_adds_the_tool_and_is_verified(tools: tuple[str, ...], fixed: str) -> None:
    from agentls.editing.fixes import verify_fix

    text = fm(*BASE, *tools, body="Make the change with the Edit tool.\n")
    before = analyze(text, PATH)
    [f] = [f for f in before.findings if f.code == "AL132"]
    [fix] = f.fixes
    assert fix.title == "Add Edit to `tools`" and not fix.safe  # it grants a capability
    verdict = verify_fix(text, PATH, None, before, f, fix)
    assert verdict.ok, verdict
    assert fixed in verdict.text
    after = verdict.analysis
    assert after is not None and after.effective is not None
    assert "Edit" in (after.effective.tools or [])
