"""The versioned fact files: one Claude Code version, every fact with its source."""

from __future__ import annotations

import re
from typing import Any

import pytest

from agentls.data import load_json

CLAUDE_FILES = [
    "claude-code.json",
    "claude-code-settings.json",
    "claude-code-mcp.json",
    "claude-code-plugins.json",
    "claude-code-memory.json",
]


@pytest.mark.parametrize("name", CLAUDE_FILES)
def test_every_claude_code_fact_file_has_the_same_version_and_sources(name: str) -> None:
    data: dict[str, Any] = load_json(name)
    assert data["claudeCodeVersion"] == load_json("claude-code.json")["claudeCodeVersion"]
    assert data["sources"] and all(isinstance(v, str) and v for v in data["sources"].values())


def test_hook_events_of_2_1_332() -> None:
    facts = load_json("claude-code.json")
    assert facts["claudeCodeVersion"] == "2.1.332"
    assert facts["hookEvents"][-1] == "PreSkillShellCommand"
    assert len(set(facts["hookEvents"])) == len(facts["hookEvents"]) == 34
    assert set(facts["hookGuardEvents"]) <= set(facts["hookEvents"])


def test_plugin_manifest_knows_optional_dependencies() -> None:
    plugins = load_json("claude-code-plugins.json")
    assert "optionalDependencies" in plugins["manifestKeys"]
    assert plugins["keysAdded"]["optionalDependencies"] == "2.1.331"


def test_settings_permission_modes_are_the_agent_ones() -> None:
    # One copy: defaultMode takes the permission modes of claude-code.json.
    settings = load_json("claude-code-settings.json")
    assert "claude-code.json" in settings["permissions"]["defaultModeValues"]
    assert "permissionModes" not in settings


def test_mcp_expansion_pattern_reads_both_forms() -> None:
    pattern = re.compile(load_json("claude-code-mcp.json")["expansion"]["pattern"])
    assert pattern.fullmatch("${TOKEN}")
    m = pattern.fullmatch("${BASE:-https://x.example}")
    assert m is not None and m.group(2) == ":-https://x.example"
    assert not pattern.fullmatch("$TOKEN")


def test_memory_import_pattern_and_depth() -> None:
    memory = load_json("claude-code-memory.json")
    pattern = re.compile(memory["import"]["pattern"])
    assert [m.group(1) for m in pattern.finditer("see @a.md and x@b.md\n@c/d.md")] == [
        "a.md",
        "c/d.md",
    ]
    assert memory["import"]["maxDepth"] == 5


@pytest.mark.parametrize("kind", ["cursor-rule", "windsurf-rule", "kiro-steering"])
def test_rule_files_of_other_agents_name_their_sources(kind: str) -> None:
    entry = load_json("rule-files.json")[kind]
    assert entry["keys"] and entry["paths"] and entry["sources"] and entry["docsUrl"]


@pytest.mark.parametrize("kind", ["windsurf-rule", "kiro-steering"])
def test_rule_file_modes_name_their_keys(kind: str) -> None:
    """The mode key and the keys its modes need (rules/rule_files.py reads them) are keys
    the entry documents, and the modes are values of the mode key."""
    entry = load_json("rule-files.json")[kind]
    mode_key = entry["keys"][entry["modeKey"]]
    assert entry["modeNeeds"]
    for mode, needed in entry["modeNeeds"].items():
        assert mode in mode_key["enum"] and needed in entry["keys"]
