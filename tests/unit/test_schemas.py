"""Tests for the versioned facts file and the JSON Schemas of every dialect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
FACTS_PATH = REPO / "server" / "agentls" / "data" / "claude-code.json"
SCHEMAS_DIR = REPO / "schemas"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def facts() -> dict[str, Any]:
    data = _load(FACTS_PATH)
    assert isinstance(data, dict)
    return data


# --------------------------------------------------------------------------- facts file


def test_facts_version_and_lists_non_empty(facts: dict[str, Any]) -> None:
    assert facts["claudeCodeVersion"] == "2.1.330"
    for key in (
        "agentKeys",
        "tools",
        "legacyTools",
        "subagentRemovedTools",
        "modelAliases",
        "modelAliasesExtra",
        "knownModelIds",
        "colors",
        "permissionModes",
        "memory",
        "effort",
        "isolation",
        "hookEvents",
        "hookTypes",
        "builtinAgents",
        "otherDialectKeys",
        "keyDocs",
    ):
        assert facts[key], f"{key} is empty"


def test_facts_agent_keys(facts: dict[str, Any]) -> None:
    keys = facts["agentKeys"]
    assert len(keys) == 23
    assert len(set(keys)) == 23
    assert set(facts["keyDocs"]) == set(keys)
    for key, doc in facts["keyDocs"].items():
        assert doc["summary"].strip(), key
        assert doc["markdown"].strip(), key


def test_facts_tools_consistent(facts: dict[str, Any]) -> None:
    tools = facts["tools"]
    for name, info in tools.items():
        assert info["description"].strip(), name
        assert isinstance(info["readOnly"], bool), name
    for name, info in facts["legacyTools"].items():
        assert name not in tools, name
        assert info["resolvesTo"] is None or info["resolvesTo"] in tools, name
        assert info["suggest"] in tools, name
    assert set(facts["subagentRemovedTools"]) <= set(tools)
    assert set(facts["backgroundAllowedTools"]) <= set(tools)


def test_facts_model_ids_look_like_ids(facts: dict[str, Any]) -> None:
    ids = facts["knownModelIds"]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("claude-") for i in ids)
    assert set(facts["deprecatedModelIds"]) <= set(ids)
    assert "inherit" in facts["modelAliases"]


def test_facts_aliases_point_to_values(facts: dict[str, Any]) -> None:
    for alias, target in facts["permissionModeAliases"].items():
        assert alias not in facts["permissionModes"]
        assert target in facts["permissionModes"]
    for target in facts["effortAliases"].values():
        assert target in facts["effort"]
    for hint in facts["unknownKeyHints"].values():
        assert hint in facts["agentKeys"]
    assert not set(facts["otherDialectKeys"]) & set(facts["agentKeys"])
