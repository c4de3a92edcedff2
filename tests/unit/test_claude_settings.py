"""Settings files: permission rules, hooks, values; every rule's trigger and near miss."""

from __future__ import annotations

import json

import pytest

from agentls.engine import Analysis, analyze
from agentls.rules.claude_settings import rule_problem
from agentls.types import Finding, Position, Severity
from analysed import analysed, fixed

PATH = "/proj/.claude/settings.json"


def run(text: str, path: str = PATH) -> Analysis:
    return analysed(text, path, "claude-settings")


def findings(settings: object, path: str = PATH) -> list[Finding]:
    return run(json.dumps(settings, indent=2), path).findings


def codes(settings: object, path: str = PATH) -> list[str]:
    return [f.code for f in findings(settings, path)]


def test_detected_at_every_settings_path() -> None:
    for p in (
        PATH,
        "/proj/.claude/settings.local.json",
        "/home/u/.claude/settings.json",
        "/etc/claude-code/managed-settings.json",
    ):
        assert analyze("{}", p).dialect == "claude-settings"
    assert analyze("{}", "/proj/settings.json").dialect is None


GOOD = {
    "$schema": "https://json.schemastore.org/claude-code-settings.json",
    "model": "sonnet",
    "permissions": {
        "allow": ["Bash(npm run test:*)", "Read(./src/**)", "mcp__github__*", "WebFetch"],
        "deny": ["Read(./.env)", "Agent(Explore)"],
        "defaultMode": "manual",
        "additionalDirectories": ["../shared"],
    },
    "env": {"NODE_ENV": "development", "DEBUG": 1},
    "hooks": {"PreSkillShellCommand": [{"hooks": [{"type": "command", "command": "x"}]}]},
}


def test_a_good_settings_file_has_no_finding() -> None:
    assert codes(GOOD) == []


@pytest.mark.parametrize(
    ("rule", "why", "suggestion"),
    [
        ("Foo(", "malformed", None),
        ("bash", "capital letter", "Bash"),
        ("Read()", "empty parentheses", "Read"),
        ("()", "no tool name", None),
        ("mcp__github__create_issue(x)", "no pattern", "mcp__github__create_issue"),
        ("Bash(:*)", "prefix", None),
    ],
)
def test_al920_rules_claude_code_skips(rule: str, why: str, suggestion: str | None) -> None:
    problem = rule_problem(rule)
    assert problem is not None and why in problem[0] and problem[1] == suggestion
    text = json.dumps({"permissions": {"allow": [rule]}}, indent=2)
    (f,) = run(text).findings
    assert f.code == "AL920" and f.severity == Severity.WARNING
    assert f.range.start == Position(3, 6)
    if suggestion:
        assert json.loads(fixed(text, PATH, f))["permissions"]["allow"] == [suggestion]


@pytest.mark.parametrize(
    "rule",
    [
        "Bash",
        "Bash(git diff *)",
        "Bash(echo (x))",
        "mcp__github",
        "mcp__github__*",
        "WebFetch(domain:example.com)",
        "Edit(/src/**/*.ts)",
        "Agent(nope)",
    ],
)
def test_al920_near_miss_rules_claude_code_reads(rule: str) -> None:
    assert rule_problem(rule) is None
    assert codes({"permissions": {"ask": [rule]}}) == []


def test_al921_unknown_tool_with_the_nearest_name() -> None:
    text = json.dumps({"permissions": {"deny": ["Bassh(rm -rf *)"]}})
    (f,) = run(text).findings
    assert f.code == "AL921" and "Did you mean `Bash`" in f.message
    start = text.index("Bassh")
    assert (f.range.start.character, f.range.end.character) == (start, start + 5)
    out = fixed(text, PATH, f)
    assert json.loads(out)["permissions"]["deny"] == ["Bash(rm -rf *)"]


def test_al921_near_miss_legacy_and_mcp_names() -> None:
    assert codes({"permissions": {"allow": ["Task(x)", "mcp__anything", "*"]}}) == []


def test_hook_entry_in_a_guard_event_is_an_error_elsewhere_a_warning() -> None:
    broken = [{"hooks": [{"type": "command"}]}]
    (guard,) = findings({"hooks": {"PreToolUse": broken}})
    assert guard.code == "AL905" and guard.severity == Severity.ERROR
    assert "applies nothing it sits in" in guard.message
    (other,) = findings({"hooks": {"Stop": broken}})
    assert other.severity == Severity.WARNING and "ignores this hook entry" in other.message


def test_unknown_hook_event_and_wrong_case() -> None:
    (f,) = findings({"hooks": {"preToolUse": []}})
    assert f.code == "AL906" and "Did you mean `PreToolUse`" in f.message


def test_values_of_the_wrong_type() -> None:
    got = findings({"model": 5, "cleanupPeriodDays": "x", "permissions": {"allow": "Bash"}})
    assert [(f.code, f.range.start.line) for f in got] == [
        ("AL904", 1),
        ("AL904", 2),
        ("AL904", 4),
    ]


def test_secrets_in_env_of_a_shared_file_only() -> None:
    settings = {"env": {"GITHUB_TOKEN": "ghp_" + "x1Y2" * 9}}
    assert codes(settings) == ["AL912"]
    assert codes(settings, "/proj/.claude/settings.local.json") == []
