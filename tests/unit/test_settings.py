"""Editor settings: one data file for the server and the VS Code extension, every value
checked, nothing dropped in silence."""

from __future__ import annotations

import json

import pytest

from agentls.settings import (
    Settings,
    check_value,
    package_json_path,
    render_package_json,
    server_specs,
    specs,
)


def test_package_json_is_generated_from_the_data_file() -> None:
    text = package_json_path().read_text("utf-8")
    assert text == render_package_json(text), (
        "client-vscode/package.json's contributes.configuration is stale: "
        "run `python -m agentls.settings`"
    )


def test_one_default_for_each_setting() -> None:
    """The server's defaults are the data file's, which package.json shows VS Code users;
    the agent list of the code actions is limited to 5 in both (issue 16)."""
    s = Settings()
    for key, spec in server_specs().items():
        assert getattr(s, spec.attr) == spec.default, key
    assert s.agent_list_limit == 5
    pkg = json.loads(package_json_path().read_text("utf-8"))["contributes"]["configuration"]
    assert pkg["properties"]["agentls.agentListLimit"]["default"] == 5


def test_the_runner_defaults_are_the_data_file_s() -> None:
    from agentls.runner.runtime import DEFAULT_MAX_TURNS, HARD_MAX_TURNS, RunSettings

    r = RunSettings()
    spec = server_specs()
    assert r.max_tokens == spec["maxTokens"].default
    assert r.context_lines == spec["contextLines"].default
    assert r.timeout == spec["timeout"].default
    assert spec["maxTurns"].default == DEFAULT_MAX_TURNS
    assert spec["maxTurns"].schema["maximum"] == HARD_MAX_TURNS


def test_every_setting_has_a_description_and_a_default() -> None:
    for spec in specs():
        assert spec.schema.get("description") or spec.schema.get("markdownDescription"), spec.key
        assert "default" in spec.schema, spec.key
        assert check_value(spec.default, spec.schema) is None, spec.key


def test_valid_values_are_taken() -> None:
    s = Settings()
    problems = s.update(
        {
            "agentls": {
                "models": {"sonnet": "claude-sonnet-4-5"},
                "defaultModel": " claude-opus-4-1 ",
                "maxTokens": 8000,
                "contextLines": 0,
                "agents": ["backend-engineer"],
                "agentListLimit": 2,
                "dialects": {"**/prompts/*.md": "claude-agent"},
                "debounceMs": 150,
                "maxTurns": 40,
                "timeout": 30,
                "baseUrl": "http://127.0.0.1:1",
                "apiKey": "sk-x",  # not a setting: taken elsewhere, not reported
                "server": {"command": "agentls"},  # the VS Code client's own
                "trace": {"server": "off"},
            }
        }
    )
    assert problems == []
    assert (s.default_model, s.max_tokens, s.context_lines) == ("claude-opus-4-1", 8000, 0)
    assert s.agents == ["backend-engineer"] and s.agent_limit == 2
    assert s.dialect_for("/w/x/prompts/a.md") == "claude-agent"
    assert (s.debounce_ms, s.max_turns, s.timeout, s.base_url) == (
        150,
        40,
        30.0,
        "http://127.0.0.1:1",
    )
    assert not hasattr(s, "api_key")


def test_reset_and_the_limit_zero() -> None:
    s = Settings()
    s.update({"agents": ["backend-engineer"], "agentListLimit": 2})
    assert s.agents == ["backend-engineer"] and s.agent_limit == 2
    assert s.update({"agentls": {"agents": None, "agentListLimit": 0}}) == []
    assert s.agents is None and s.agent_list_limit == 0 and s.agent_limit is None
    s.update({"agents": []})
    assert s.agents is None  # an empty list: every agent, like null


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"maxTokens": "many"},
            'agentls.maxTokens: must be a whole number or null; got `"many"`. Kept `null`.',
        ),
        ({"maxTokens": 0}, "agentls.maxTokens: must be at least 1; got `0`. Kept `null`."),
        (
            {"maxTokens": True},
            "agentls.maxTokens: must be a whole number or null; got `true`. Kept `null`.",
        ),
        ({"maxTurns": 41}, "agentls.maxTurns: must be at most 40; got `41`. Kept `12`."),
        ({"timeout": 0}, "agentls.timeout: must be more than 0; got `0`. Kept `120`."),
        (
            {"models": {"sonnet": 4}},
            "agentls.models: each value must be a string (sonnet: `4` is not); "
            'got `{"sonnet": 4}`. Kept `{}`.',
        ),
        (
            {"agents": "backend-engineer"},
            'agentls.agents: must be a list or null; got `"backend-engineer"`. Kept `null`.',
        ),
        (
            {"maxToken": 1},
            "agentls.maxToken is not an agentls setting, so it changes nothing. "
            "Did you mean `maxTokens`?",
        ),
        ("nonsense", "The agentls settings must be an object; got a string."),
    ],
)
def test_invalid_values_are_reported_and_kept_out(raw: object, message: str) -> None:
    s = Settings()
    before = Settings()
    assert s.update(raw) == [message]
    assert s == before


def test_a_dialect_the_registry_does_not_know_is_refused() -> None:
    s = Settings()
    (problem,) = s.update({"dialects": {"*.md": "claude-agnt"}})
    assert problem.startswith("agentls.dialects: each value must be one of `claude-agent`")
    assert s.dialects == {}
