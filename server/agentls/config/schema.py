"""The JSON schema of the configuration, generated from :data:`agentls.config.model.KEYS` and
the rule, dialect and facts registries: ``python -m agentls.config.schema [PATH]`` writes
``schemas/agentls-config.schema.json`` (a test fails when it is stale).

The schema describes the table itself (the content of ``[tool.agentls]``, or of an
``agentls.toml``), so TOML tools that read JSON schemas (taplo / Even Better TOML) can use it
on its own; agentls's completion and hover in configuration files read the same text.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from agentls.config.model import ALL, KEYS, SEVERITY_NAMES, Key
from agentls.generated import write_generated
from agentls.rules.registry import rules

SCHEMA_ID = "https://agentls.dev/schemas/agentls-config.schema.json"
DOCS = "https://github.com/agentls/agentls/blob/main/docs/configuration.md"

_EXAMPLES: dict[str, Any] = {
    "select": ["ALL"],
    "extend-select": ["AL013"],
    "ignore": ["AL016", "name-convention"],
    "severity": {"AL016": "information", "AL5": "warning"},
    "exclude": ["drafts/**", "*.old.md"],
    "per-file-ignores": {"legacy/**": ["AL016", "AL013"]},
    "dialects": {"prompts/**/*.md": "claude-agent"},
}


def build() -> dict[str, Any]:
    from agentls.dialects.facts import facts_versions
    from agentls.dialects.registry import ALL_DIALECTS

    reg = rules()
    names = sorted({r.name for r in reg.values()})
    rule_enum = [ALL, *reg, *names]
    rule_docs = [
        "Every rule.",
        *(f"**{r.id}** `{r.name}` ({r.severity.label}): {r.summary}" for r in reg.values()),
        *(
            "Every rule named so: " + ", ".join(r.id for r in reg.values() if r.name == n) + "."
            for n in names
        ),
    ]
    versions = list(facts_versions())
    properties: dict[str, Any] = {}
    for key in KEYS:
        prop = _property(key)
        if key.name in _EXAMPLES:
            prop["examples"] = [_EXAMPLES[key.name]]
        if key.name == "claude-code-version":
            prop["enum"] = versions
            prop["default"] = versions[0]
            prop["examples"] = [versions[0]]
        properties[key.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "agentls configuration",
        "description": "The [tool.agentls] table of pyproject.toml, or an agentls.toml / "
        ".agentls.toml file: which rules agentls reports, how severe, for which files.",
        "markdownDescription": "The `[tool.agentls]` table of `pyproject.toml`, or an "
        "`agentls.toml` / `.agentls.toml` file: which rules agentls reports, how severe, "
        f"for which files. [Documentation]({DOCS})",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "$defs": {
            "rule": {
                "description": "A rule code (AL016), a rule name (description-quality), a code "
                "prefix (AL5) or ALL.",
                "type": "string",
                "anyOf": [
                    {"enum": rule_enum, "markdownEnumDescriptions": rule_docs},
                    {"pattern": "^AL[0-9]{0,3}$"},
                ],
            },
            "severity": {
                "description": "A severity.",
                "enum": [*SEVERITY_NAMES, "info", "warn"],
            },
            "dialect": {
                "description": "A kind of file agentls knows.",
                "enum": list(ALL_DIALECTS),
            },
            "glob": {
                "description": "A path pattern relative to the configuration file's folder: "
                "* and ? within a name, ** for any folders, [abc] sets; a pattern without / "
                "matches a name at any depth; a folder covers every file below it.",
                "type": "string",
                "minLength": 1,
            },
        },
        "examples": [
            {"ignore": ["AL016"], "per-file-ignores": {"legacy/**": ["AL013"]}},
            {k: v for k, v in _EXAMPLES.items() if k != "extend-select"},
        ],
    }


def _property(key: Key) -> dict[str, Any]:
    doc = {"description": _plain(key.summary), "markdownDescription": key.summary}
    rule = {"$ref": "#/$defs/rule"}
    if key.kind == "rules":
        return {**doc, "type": "array", "items": rule}
    if key.kind == "globs":
        return {**doc, "type": "array", "items": {"$ref": "#/$defs/glob"}}
    if key.name == "severity":
        return {
            **doc,
            "type": "object",
            "propertyNames": rule,
            "additionalProperties": {"$ref": "#/$defs/severity"},
        }
    if key.name == "per-file-ignores":
        return {
            **doc,
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/glob"},
            "additionalProperties": {"type": "array", "items": rule},
        }
    if key.name == "dialects":
        return {
            **doc,
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/glob"},
            "additionalProperties": {"$ref": "#/$defs/dialect"},
        }
    return {**doc, "type": "string"}


def _plain(markdown: str) -> str:
    return markdown.replace("`", "")


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def default_path() -> Path:
    return Path(__file__).resolve().parents[3] / "schemas" / "agentls-config.schema.json"


def main(argv: list[str]) -> int:
    return write_generated(argv, default_path(), lambda _: render())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
