"""Rule codes: one constant per rule of the registry, and no rule code written as a literal
in the rules (a code is chosen by what the data says, never by a string test)."""

from __future__ import annotations

import re
from pathlib import Path

from agentls.dialects.facts import claude_facts
from agentls.dialects.schemas import boolean_keys, load_schema, schema_keys
from agentls.editing.knowledge import key_infos, schema
from agentls.rules import codes
from agentls.rules.registry import constant_names, rules

RULES_DIR = Path(codes.__file__).parent


def test_every_rule_has_exactly_its_constant() -> None:
    defined = {name: value for name, value in vars(codes).items() if name.isupper()}
    expected = {name: rule_id for rule_id, name in constant_names().items()}
    missing = sorted(set(expected) - set(defined))
    assert not missing, "add to rules/codes.py:\n" + "\n".join(
        f'{n} = "{expected[n]}"' for n in missing
    )
    assert defined == expected


def test_rules_name_no_code_literally() -> None:
    literal = re.compile(r"\"AL\d{3}\"")
    offenders = [
        f"{p.name}:{i}"
        for p in sorted(RULES_DIR.rglob("*.py"))
        if p.name != "codes.py"
        for i, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert not offenders, offenders


def test_one_schema_loader_for_rules_and_editing() -> None:
    assert schema("claude-agent") is load_schema("claude-agent")
    assert set(key_infos("claude-agent")) == set(schema_keys("claude-agent"))
    assert schema("no-such-dialect") == {}


def test_boolean_keys_come_from_the_schema() -> None:
    keys = boolean_keys("claude-agent")
    assert {"background", "omitClaudeMd", "observeToolResults", "observeSubagents"} <= keys
    assert "maxTurns" not in keys and "name" not in keys


def test_name_convention_comes_from_the_facts() -> None:
    pattern = claude_facts().name_pattern
    assert pattern.pattern == claude_facts().raw["namePattern"]
    assert pattern.match("code-reviewer") and not pattern.match("Code Reviewer")


def test_invalid_field_value_names_its_keys() -> None:
    keys = rules()[codes.INVALID_FIELD_VALUE].keys
    assert "maxTurns" in keys and "observeSubagents" not in keys
    assert keys <= claude_facts().agent_keys
