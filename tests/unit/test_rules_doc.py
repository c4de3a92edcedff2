"""docs/rules.md is generated from the registry and must be up to date."""

from __future__ import annotations

from pathlib import Path

from agentls.rules.registry import render_markdown, rule_url, rules

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_doc_is_current() -> None:
    assert DOC.read_text("utf-8") == render_markdown() + "\n", (
        "docs/rules.md is stale: run `python -m agentls.rules.docs docs/rules.md`"
    )


def test_every_rule_is_documented_and_linkable() -> None:
    text = DOC.read_text("utf-8")
    for r in rules().values():
        assert f"## {r.id} {r.name}" in text
        assert r.summary and r.doc
        assert rule_url(r.id).endswith("#" + r.anchor)
