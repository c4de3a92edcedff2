"""Tests for the versioned facts file and the JSON Schemas of every dialect."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

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
    assert facts["claudeCodeVersion"] == "2.1.332"
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


# --------------------------------------------------------------------------- JSON Schemas

SCHEMA_NAMES = [
    "claude-code-agent",
    "claude-code-plugin-agent",
    "claude-code-skill",
    "agent-skill",
    "claude-code-command",
    "claude-code-rule",
    "copilot-agent",
    "copilot-chatmode",
    "copilot-prompt",
    "copilot-instructions",
    "opencode-agent",
    "gemini-agent",
    "agentls-config",
    "claude-code-settings",
    "claude-code-mcp",
    "claude-code-plugin",
    "claude-code-marketplace",
    "claude-code-hooks",
    "cursor-rule",
    "windsurf-rule",
    "kiro-steering",
]


def _schema(name: str) -> dict[str, Any]:
    data = _load(SCHEMAS_DIR / f"{name}.schema.json")
    assert isinstance(data, dict)
    return data


def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(_schema(name), registry=_registry())


def _walk_properties(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every (path, subschema) found under a `properties` keyword, at any depth.

    Conditions (`if`) are not documentation targets and are skipped.
    """
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for key, sub in props.items():
                found.append((f"{where}/{key}", sub))
        for key, sub in node.items():
            if key != "if":
                found.extend(_walk_properties(sub, f"{where}/{key}"))
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            found.extend(_walk_properties(sub, f"{where}/{i}"))
    return found


def _walk_key(node: Any, key: str) -> list[Any]:
    out: list[Any] = []
    if isinstance(node, dict):
        for k, sub in node.items():
            if k == key:
                out.append(sub)
            out.extend(_walk_key(sub, key))
    elif isinstance(node, list):
        for sub in node:
            out.extend(_walk_key(sub, key))
    return out


def test_every_schema_file_is_listed() -> None:
    on_disk = {p.name.removesuffix(".schema.json") for p in SCHEMAS_DIR.glob("*.schema.json")}
    assert on_disk == set(SCHEMA_NAMES)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = _schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://agentls.dev/schemas/{name}.schema.json"
    assert schema["title"].strip()
    assert schema["description"].strip()
    assert schema["type"] == "object"
    for pattern in _walk_key(schema, "pattern"):
        re.compile(pattern)
    for node in _walk_key(schema, "markdownEnumDescriptions"):
        assert all(isinstance(d, str) and d for d in node)
    _check_enum_descriptions(schema)


def _check_enum_descriptions(node: Any) -> None:
    """Where an enum has per-value descriptions, there is exactly one per value."""
    if isinstance(node, dict):
        if "markdownEnumDescriptions" in node:
            assert len(node["markdownEnumDescriptions"]) == len(node["enum"])
        for sub in node.values():
            _check_enum_descriptions(sub)
    elif isinstance(node, list):
        for sub in node:
            _check_enum_descriptions(sub)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_property_is_documented(name: str) -> None:
    props = _walk_properties(_schema(name))
    assert props
    for where, sub in props:
        assert isinstance(sub.get("description"), str) and sub["description"].strip(), where
        md = sub.get("markdownDescription")
        assert isinstance(md, str) and md.strip(), where


def _registry() -> Any:
    """Every schema by its $id: the JSON files' schemas refer to each other (one copy of the
    hooks, of an MCP server)."""
    from referencing import Registry, Resource

    return Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in (_schema(n) for n in SCHEMA_NAMES)
    )


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_examples_validate(name: str) -> None:
    schema = _schema(name)
    validator = Draft202012Validator(schema, registry=_registry())
    assert schema.get("examples"), "each schema carries at least one example document"
    for doc in schema["examples"]:
        validator.validate(doc)
    # property-level examples must satisfy the property schema
    for where, sub in _walk_properties(schema):
        if "$ref" in json.dumps(sub):
            continue
        prop_validator = Draft202012Validator(sub)
        for example in sub.get("examples", []):
            assert prop_validator.is_valid(example), f"{where}: {example!r}"


# --- agreement between the Claude Code agent schema and the facts file


def test_agent_schema_matches_facts(facts: dict[str, Any]) -> None:
    props = _schema("claude-code-agent")["properties"]
    assert list(props) == facts["agentKeys"]
    assert props["color"]["enum"] == facts["colors"]
    assert props["permissionMode"]["enum"] == list(facts["permissionModes"]) + list(
        facts["permissionModeAliases"]
    )
    assert props["memory"]["enum"] == list(facts["memory"])
    assert props["isolation"]["enum"] == list(facts["isolation"])
    hooks = _schema("claude-code-hooks")["$defs"]
    assert props["hooks"]["$ref"] == "claude-code-hooks.schema.json#/$defs/hooks"
    assert hooks["hooks"]["propertyNames"]["enum"] == facts["hookEvents"]
    assert props["model"]["anyOf"][0]["enum"] == (
        list(facts["modelAliases"]) + facts["modelAliasesExtra"]
    )
    assert props["effort"]["anyOf"][0]["enum"] == list(facts["effort"]) + list(
        facts["effortAliases"]
    )
    assert props["tools"]["items"]["examples"] == list(facts["tools"])
    assert props["experimental"]["properties"]["cacheTtl"]["enum"] == facts["experimentalCacheTtl"]
    assert props["autoCompactWindow"]["minimum"] == facts["autoCompactWindowMinimum"]
    assert props["name"]["maxLength"] == facts["nameMaxLength"]
    handler = hooks["handler"]
    assert handler["properties"]["type"]["enum"] == facts["hookTypes"]
    for key in facts["agentKeys"]:
        assert props[key]["description"] == facts["keyDocs"][key]["summary"]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_one_copy_of_the_hooks(name: str) -> None:
    """Every Claude Code schema with hooks refers to the shared hooks schema, none carries
    its own (GitHub Copilot's `hooks` are another format)."""
    schema = _schema(name)
    hooks = schema.get("properties", {}).get("hooks")
    if name == "claude-code-hooks" or hooks is None or not name.startswith("claude-code-"):
        return
    if name == "claude-code-plugin":  # a path, a list of paths or the hooks themselves
        assert "claude-code-hooks.schema.json#/$defs/hooks" in json.dumps(hooks)
        return
    assert hooks["$ref"] == "claude-code-hooks.schema.json#/$defs/hooks", name
    assert "propertyNames" not in hooks and "handler" not in json.dumps(schema.get("$defs", {}))


def test_plugin_agent_schema_matches_facts(facts: dict[str, Any]) -> None:
    props = _schema("claude-code-plugin-agent")["properties"]
    assert set(facts["agentKeys"]) <= set(props)
    deprecated = {k for k, v in props.items() if v.get("deprecated")}
    assert deprecated == set(facts["pluginAgentIgnoredKeys"])
    assert {"when_to_use", "when-to-use"} <= set(props)


def test_every_known_model_id_is_accepted(facts: dict[str, Any]) -> None:
    validator = _validator("claude-code-agent")
    for model in facts["knownModelIds"]:
        doc = {"name": "a", "description": "b", "model": model}
        assert validator.is_valid(doc), model


# --- valid and invalid documents

GOOD: list[tuple[str, dict[str, Any]]] = [
    ("claude-code-agent", {"name": "reviewer", "description": "Reviews code."}),
    (
        "claude-code-agent",
        {
            "name": "backend-engineer",
            "description": "Builds APIs. Use proactively.",
            "model": "Sonnet",
            "tools": ["Read", "Grep", "mcp__github__*"],
            "disallowedTools": "Write, Edit",
            "color": "orange",
            "effort": "MED",
            "permissionMode": "manual",
            "mcpServers": ["github", {"pw": {"type": "stdio", "command": "npx"}}],
            "hooks": {
                "PreToolUse": [
                    {"matcher": "Bash", "hooks": [{"type": "command", "command": "./check.sh"}]}
                ],
                "Stop": [{"hooks": [{"type": "prompt", "prompt": "Is the task done?"}]}],
                "PostToolUse": [
                    {"hooks": [{"type": "mcp_tool", "server": "semgrep", "tool": "scan"}]}
                ],
            },
            "maxTurns": "20",
            "autoCompactWindow": 150000,
            "skills": "api-conventions, error-handling",
            "initialPrompt": "Start.",
            "memory": "project",
            "background": "false",
            "omitClaudeMd": True,
            "isolation": "worktree",
            "observer": "watcher",
            "observerMessage": "Watch for secrets.",
            "observeToolResults": True,
            "observeSubagents": False,
            "experimental": {"cacheTtl": "1h"},
        },
    ),
    ("claude-code-agent", {"name": "a", "description": "b", "model": "claude-sonnet-4-5[1m]"}),
    (
        "claude-code-agent",
        {"name": "a", "description": "b", "model": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"},
    ),
    ("claude-code-agent", {"name": "a", "description": "b", "model": "claude-opus-4-1@20250805"}),
    ("claude-code-agent", {"name": "a", "description": "b", "tools": None, "effort": 3}),
    ("claude-code-plugin-agent", {"description": "Only a description."}),
    ("claude-code-plugin-agent", {"name": "x", "when_to_use": "When asked.", "hooks": {}}),
    (
        "claude-code-skill",
        {"description": "d", "disable-model-invocation": "Yes", "context": "fork"},
    ),
    ("claude-code-skill", {"name": "s", "paths": "src/**", "hooks": {"Stop": []}, "version": 2}),
    ("claude-code-command", {"allowed-tools": "Bash(git add:*)", "argument-hint": "[msg]"}),
    ("claude-code-command", {}),
    ("agent-skill", {"name": "pdf-tools", "description": "d", "metadata": {"a": "b"}}),
    ("claude-code-rule", {"paths": ["src/**/*.ts"]}),
    ("copilot-agent", {"description": "d", "tools": "read, search", "model": ["A", "B"]}),
    (
        "copilot-agent",
        {"description": "d", "agents": "*", "handoffs": [{"label": "L", "agent": "x"}]},
    ),
    ("copilot-chatmode", {"description": "d", "tools": ["codebase"]}),
    ("copilot-prompt", {"agent": "my-custom-agent", "model": "GPT-5 (copilot)"}),
    ("copilot-instructions", {"applyTo": "**/*.py", "excludeAgent": "code-review"}),
    ("opencode-agent", {"description": "d", "mode": "primary", "color": "#a0B1c2", "foo": 1}),
    ("opencode-agent", {"permission": "ask", "tools": {"write": False}, "steps": 5}),
    ("gemini-agent", {"name": "code_reviewer", "description": "d", "temperature": 2}),
    ("gemini-agent", {"name": "remote-one", "description": "d", "kind": "remote", "url": "x"}),
]

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("claude-code-agent", {"description": "no name"}, "required"),
    ("claude-code-agent", {"name": "no-description"}, "required"),
    ("claude-code-agent", {"name": 42, "description": "d"}, "type"),
    ("claude-code-agent", {"name": "-x", "description": "d"}, "pattern"),
    ("claude-code-agent", {"name": "a:b", "description": "d"}, "pattern"),
    ("claude-code-agent", {"name": "a\uff1ab", "description": "d"}, "pattern"),
    ("claude-code-agent", {"name": "a", "description": ""}, "minLength"),
    ("claude-code-agent", {"name": "a", "description": "   "}, "pattern"),
    ("claude-code-agent", {"name": "a", "description": ["x"]}, "type"),
    ("claude-code-agent", {"name": "a", "description": "d", "color": "magenta"}, "enum"),
    ("claude-code-agent", {"name": "a", "description": "d", "model": "gpt-4"}, "anyOf"),
    ("claude-code-agent", {"name": "a", "description": "d", "model": "claude-sonnet-4.5"}, "anyOf"),
    ("claude-code-agent", {"name": "a", "description": "d", "model": "Claude Sonnet 4.5"}, "anyOf"),
    ("claude-code-agent", {"name": "a", "description": "d", "permissionMode": "yolo"}, "enum"),
    ("claude-code-agent", {"name": "a", "description": "d", "memory": "global"}, "enum"),
    ("claude-code-agent", {"name": "a", "description": "d", "effort": "extreme"}, "anyOf"),
    ("claude-code-agent", {"name": "a", "description": "d", "maxTurns": 0}, "anyOf"),
    ("claude-code-agent", {"name": "a", "description": "d", "background": "maybe"}, "anyOf"),
    ("claude-code-agent", {"name": "a", "description": "d", "autoCompactWindow": 5000}, "minimum"),
    ("claude-code-agent", {"name": "a", "description": "d", "tools": [1, 2]}, "type"),
    (
        "claude-code-agent",
        {"name": "a", "description": "d", "allowed-tools": ["Read"]},
        "additionalProperties",
    ),
    (
        "claude-code-agent",
        {"name": "a", "description": "d", "PreToolUse": []},
        "additionalProperties",
    ),
    ("claude-code-agent", {"name": "a", "description": "d", "hooks": {"Bogus": []}}, "enum"),
    ("claude-code-agent", {"name": "a", "description": "d", "hooks": ["x"]}, "type"),
    (
        "claude-code-agent",
        {"name": "a", "description": "d", "hooks": {"Stop": [{"matcher": "x"}]}},
        "required",
    ),
    (
        "claude-code-agent",
        {"name": "a", "description": "d", "hooks": {"Stop": [{"hooks": [{"type": "shell"}]}]}},
        "enum",
    ),
    (
        "claude-code-agent",
        {"name": "a", "description": "d", "hooks": {"Stop": [{"hooks": [{"type": "command"}]}]}},
        "required",
    ),
    (
        "claude-code-agent",
        {"name": "a", "description": "d", "mcpServers": [{"a": {}, "b": {}}]},
        "anyOf",
    ),
    ("claude-code-agent", {"name": "a", "description": "d", "isolation": "docker"}, "enum"),
    ("claude-code-plugin-agent", {"description": "d", "isolation": "remote"}, "enum"),
    ("claude-code-skill", {"description": "d", "tools": "Read"}, "additionalProperties"),
    ("claude-code-skill", {"description": "d", "shell": "zsh"}, "enum"),
    ("claude-code-skill", {"description": "d", "context": "spawn"}, "enum"),
    ("claude-code-skill", {"description": "d", "user-invocable": "nope"}, "anyOf"),
    ("agent-skill", {"name": "PDF_Tools", "description": "d"}, "pattern"),
    ("agent-skill", {"name": "pdf--tools", "description": "d"}, "pattern"),
    ("agent-skill", {"name": "x" * 65, "description": "d"}, "maxLength"),
    ("agent-skill", {"name": "pdf", "description": "d" * 1025}, "maxLength"),
    ("agent-skill", {"name": "pdf", "description": "d", "model": "opus"}, "additionalProperties"),
    ("agent-skill", {"name": "pdf", "description": "d", "metadata": {"v": 1}}, "type"),
    ("agent-skill", {"description": "d"}, "required"),
    ("claude-code-rule", {"paths": "src/**", "description": "x"}, "additionalProperties"),
    ("copilot-agent", {"name": "no description"}, "required"),
    ("copilot-agent", {"description": "d", "target": "cursor"}, "enum"),
    ("copilot-agent", {"description": "d", "handoffs": [{"label": "L"}]}, "required"),
    ("copilot-agent", {"description": "d", "mode": "agent"}, "additionalProperties"),
    ("copilot-chatmode", {"description": "d", "title": "t"}, "additionalProperties"),
    ("copilot-prompt", {"mode": "chat"}, "enum"),
    ("copilot-instructions", {"applyTo": "**", "excludeAgent": "reviewer"}, "enum"),
    ("opencode-agent", {"mode": "main"}, "enum"),
    ("opencode-agent", {"model": "claude-sonnet-4-5"}, "pattern"),
    ("opencode-agent", {"color": "purple"}, "anyOf"),
    ("opencode-agent", {"permission": {"bash": {"git *": "maybe"}}}, "anyOf"),
    ("gemini-agent", {"name": "Code Reviewer", "description": "d"}, "pattern"),
    ("gemini-agent", {"name": "a", "description": "d", "temperature": 2.5}, "maximum"),
    ("gemini-agent", {"name": "a", "description": "d", "permissionMode": "plan"}, "unevaluated"),
    ("gemini-agent", {"description": "d"}, "required"),
]


@pytest.mark.parametrize(("name", "doc"), GOOD)
def test_good_documents_validate(name: str, doc: dict[str, Any]) -> None:
    errors = [e.message for e in _validator(name).iter_errors(doc)]
    assert errors == []


@pytest.mark.parametrize(("name", "doc", "keyword"), BAD)
def test_bad_documents_fail(name: str, doc: dict[str, Any], keyword: str) -> None:
    errors = list(_validator(name).iter_errors(doc))
    assert errors, f"{name} accepted {doc!r}"
    keywords = {str(e.validator) for e in errors} | {
        str(c.validator) for e in errors for c in e.context or []
    }
    assert any(k.startswith(keyword) for k in keywords), keywords


# --------------------------------------------------------------------------- corpus

SHARED = REPO / ".." / "shared"
CORPUS = SHARED / "corpus"
CORPUS_SCHEMA = {
    "claude-subagent": "claude-code-agent",
    "skill": "claude-code-skill",
    "claude-command": "claude-code-command",
    "copilot-agent": "copilot-agent",
    "copilot-chatmode": "copilot-chatmode",
    "copilot-prompt": "copilot-prompt",
    "copilot-instructions": "copilot-instructions",
    "opencode-agent": "opencode-agent",
}
FRONTMATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---", re.S)


@pytest.mark.corpus
def test_corpus_frontmatter_mostly_valid() -> None:
    """Real-world files: apart from unknown keys (reported by a separate rule), the
    values of the large majority of well-formed frontmatters satisfy the schemas."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.skip("shared corpus not available")
    validators = {d: _validator(s) for d, s in CORPUS_SCHEMA.items()}
    checked: dict[str, list[int]] = {d: [0, 0] for d in CORPUS_SCHEMA}
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        dialect, repo, _commit, path, _size = line.split("\t")
        file = CORPUS / repo.replace("/", "__") / path
        if dialect not in validators or not file.is_file():
            continue
        text = file.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff")
        match = FRONTMATTER.match(text)
        if not match:
            continue
        try:
            data = yaml.safe_load(match.group(1))
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict):
            continue
        errors = [
            e
            for e in validators[dialect].iter_errors(data)
            if e.validator not in ("additionalProperties", "unevaluatedProperties")
        ]
        checked[dialect][0] += 1
        checked[dialect][1] += not errors
    for dialect, (total, ok) in checked.items():
        assert total > 0, dialect
        assert ok / total >= 0.9, f"{dialect}: only {ok}/{total} valid"
