"""Integers of any size (issue 14, class 6).

Python refuses int <-> decimal text beyond 4,300 digits (ValueError). A value with 5,000
digits used to take down a whole ``check`` and every code action of the server. Here every
key of every dialect's schema gets huge integers in each YAML 1.2 form (decimal, signed,
``0x``, ``0o``, quoted digits, ``!!int``) and the results go through everything that shows a
value: findings, check's four output formats, the effective configuration, hover,
completion, the outline, fix-all and the index.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from agentls.check import run_check
from agentls.dialects.registry import CHECKED
from agentls.dialects.schemas import schema_properties
from agentls.document.model import parse_document
from agentls.document.yamltree import LongInt, compose, decimal_text, parse_int
from agentls.editing.completion import complete
from agentls.editing.fixes import fix_all
from agentls.editing.hover import hover
from agentls.editing.outline import folding_ranges, symbols
from agentls.engine import analyze
from agentls.index import entry_from_analysis
from agentls.types import Position

DIGITS = 4_400  # just past Python's 4,300-digit limit
HUGE = {
    "decimal": "9" * DIGITS,
    "negative": "-" + "7" * DIGITS,
    "plus": "+" + "1" * DIGITS,
    "hex": "0x" + "f" * DIGITS,
    "octal": "0o" + "7" * DIGITS,
    "quoted": "'" + "5" * DIGITS + "'",
    "tagged": "!!int " + "3" * DIGITS,
    "float": "9" * DIGITS + ".5",
}

# a path of each dialect, and the keys its files need to get past "missing" findings
PATHS = {
    "claude-agent": "/ws/.claude/agents/a.md",
    "claude-plugin-agent": None,  # needs a plugin on disk: covered through claude-agent
    "claude-skill": "/ws/.claude/skills/a/SKILL.md",
    "agent-skill": "/ws/.github/skills/a/SKILL.md",
    "claude-command": "/ws/.claude/commands/a.md",
    "claude-rule": "/ws/.claude/rules/a.md",
    "copilot-agent": "/ws/.github/agents/a.agent.md",
    "copilot-chatmode": "/ws/.github/chatmodes/a.chatmode.md",
    "copilot-prompt": "/ws/.github/prompts/a.prompt.md",
    "copilot-instructions": "/ws/.github/instructions/a.instructions.md",
    "opencode-agent": "/ws/.opencode/agent/a.md",
    "gemini-agent": "/ws/.gemini/agents/a.md",
}


def _text(key: str, value: str) -> str:
    base = {"name": "a", "description": "Use when x"}
    base.pop(key, None)
    head = "".join(f"{k}: {v}\n" for k, v in base.items())
    return f"---\n{head}{key}: {value}\n---\nBody.\n"


def _exercise(text: str, path: str, dialect: str) -> None:
    a = analyze(text, path, dialect)
    json.dumps([f.to_json() for f in a.findings])
    for f in a.findings:
        assert len(f.message) < 2_000, f"{f.code} echoes the whole value: {f.message[:80]}"
    if a.effective is not None:
        json.dumps(a.effective.to_json())
    doc = a.doc
    assert doc is not None
    line = next(i for i, ln in enumerate(doc.lines) if ln.startswith(tuple(PROPS_OF[dialect])))
    for col in (0, len(doc.lines[line]) // 2, len(doc.lines[line])):
        hover(doc, Position(line, col), a.effective, dialect=dialect)
        complete(doc, Position(line, col), dialect=dialect, path=path)
    symbols(doc)
    folding_ranges(doc)
    entry = entry_from_analysis(a, "project")
    if entry is not None:
        json.dumps(entry.to_json())


PROPS_OF = {d: list(schema_properties(d)) for d in CHECKED}


@pytest.mark.parametrize("dialect", sorted(d for d in CHECKED if PATHS.get(d)))
def test_every_key_of_every_dialect_takes_huge_integers(dialect: str) -> None:
    path = PATHS[dialect]
    assert path is not None
    for key in PROPS_OF[dialect]:
        for form, value in HUGE.items():
            try:
                _exercise(_text(key, value), path, dialect)
            except Exception as exc:  # pragma: no cover - the message names the case
                raise AssertionError(f"{dialect} {key} {form}: {exc!r}") from exc


def test_huge_integers_in_keys_lists_and_mappings() -> None:
    path = PATHS["claude-agent"]
    assert path is not None
    big = HUGE["decimal"]
    for text in (
        f"---\nname: a\ndescription: Use when x\n{big}: 1\n---\nB\n",
        f"---\nname: a\ndescription: Use when x\ntools: [{big}, Read]\n---\nB\n",
        f"---\nname: a\ndescription: Use when x\ntools:\n  - {big}\n---\nB\n",
        f"---\nname: a\ndescription: Use when x\nhooks:\n  {big}:\n    - hooks: []\n---\nB\n",
        f"---\nname: a\ndescription: Use when x\nmcpServers:\n  - {big}: {{}}\n---\nB\n",
        f"---\nname: a\ndescription: Use when x\nexperimental:\n  cacheTtl: {big}\n---\nB\n",
        f"---\nname: {big}\ndescription: {big}\nmodel: {big}\n---\nB\n",
        f"---\nname: a\ndescription: Use when: {big} x\nmaxTurns: {big}\n---\nB\n",
        f"---\nname: a\ndescription: Use when x\nmaxTurns: {big}\n  x\n---\nB\n",
    ):
        _exercise(text, path, "claude-agent")
        fix_all(text, path)


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "github"])
def test_check_renders_huge_values_in_every_format(tmp_path: Path, fmt: str) -> None:
    for dialect, path in PATHS.items():
        if path is None:
            continue
        for form, value in HUGE.items():
            target = tmp_path / form / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            keys = [k for k in ("maxTurns", "color", "name", "model") if k in PROPS_OF[dialect]]
            body = "".join(f"{k}: {value}\n" for k in keys) or f"applyTo: {value}\n"
            target.write_text(f"---\ndescription: Use when x\n{body}---\nB\n", "utf-8")
    out = io.StringIO()
    assert run_check([str(tmp_path)], fmt, "never", None, out) == 0
    if fmt in ("json", "sarif"):
        json.loads(out.getvalue())
    assert out.getvalue()


def test_check_fix_with_huge_values(tmp_path: Path) -> None:
    from agentls.fix import run_fix

    agent = tmp_path / ".claude" / "agents" / "a.md"
    agent.parent.mkdir(parents=True)
    agent.write_text(_text("maxTurns", HUGE["hex"]) + f"color: {HUGE['decimal']}\n", "utf-8")
    run_fix([str(tmp_path)], None, dry_run=True, out=io.StringIO())
    assert os.path.getsize(agent) > DIGITS


def test_parse_int_follows_the_yaml_tree() -> None:
    assert parse_int("12") == 12 and parse_int("-3") == -3 and parse_int("+4") == 4
    assert parse_int("0x1F") == 31 and parse_int("0o17") == 15
    assert parse_int("1_000") is None and parse_int("0b11") is None and parse_int("x") is None
    big = parse_int("9" * 5_000)
    assert isinstance(big, LongInt) and big > 10**100 and str(big) == "9" * 5_000
    assert f"{big}" == "9" * 5_000 and f"{big:,}" == "9" * 5_000 and repr(big) == "9" * 5_000
    neg = parse_int("-" + "9" * 5_000)
    assert neg is not None and neg < -(10**100)
    hexa = parse_int("0x" + "f" * 5_000)
    assert hexa == 16**5_000 - 1 and str(hexa) == "0x" + "f" * 5_000
    assert decimal_text(" 12 ") == 12 and decimal_text("²") is None
    assert decimal_text("٣") == 3 and str(decimal_text("1" * 5_000)) == "1" * 5_000
    root, err = compose("a: " + "1" * 1_000_000)
    assert err is None and root is not None and str(root.pairs[0][1].value) == "1" * 1_000_000


def test_a_document_with_a_huge_key_parses() -> None:
    doc = parse_document(f"---\n{HUGE['decimal']}: 1\nname: a\n---\nB\n")
    assert [e.key for e in doc.entries] == [HUGE["decimal"], "name"]


TOML_HUGE = [
    f"[rules]\nAL001 = {HUGE['decimal']}\n",
    f"[rules]\nAL001 = -{'7' * DIGITS}\n",
    f"x = [1, {'1_' * DIGITS}1]\n",
    f"x = {{a = +{'3' * DIGITS}}}\n",
    f"[dialects]\nlevel = {'2' * DIGITS}\n[rules]\nAL001 = 'off'\n",
]


@pytest.mark.parametrize("text", TOML_HUGE, ids=range(len(TOML_HUGE)))
def test_configuration_with_huge_integers_is_a_finding(text: str, tmp_path: Path) -> None:
    """``tomllib`` turns decimal integers into ``int``: past 4,300 digits it raises a
    ValueError that is not a TOMLDecodeError. The configuration file gets one finding placed
    on the number; ``check`` of the folder runs to its end."""
    a = analyze(text, "/ws/.agentls.toml", "agentls-config")
    assert [f.code for f in a.findings] == ["AL990"], [f.message for f in a.findings]
    f = a.findings[0]
    assert "4,300 digits" in f.message
    line = text.split("\n")[f.range.start.line]
    number = line[f.range.start.character : f.range.end.character].replace("_", "")
    assert number.isdigit() and len(number) >= DIGITS
    (tmp_path / ".agentls.toml").write_text(text, "utf-8")
    agent = tmp_path / ".claude" / "agents" / "a.md"
    agent.parent.mkdir(parents=True)
    agent.write_text(_text("maxTurns", "3"), "utf-8")
    out = io.StringIO()
    assert run_check([str(tmp_path)], "json", "never", None, out) == 0
    files = {Path(f["path"]).name: f for f in json.loads(out.getvalue())["files"]}
    assert "a.md" in files and ".agentls.toml" in files
