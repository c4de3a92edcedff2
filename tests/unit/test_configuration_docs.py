"""docs/configuration.md documents what the code has (every configuration key with its
type, every server setting with its default, every rule about configuration and
suppressions, the check options), the README links to it, and no install instruction
tells users to install agentls from PyPI, where it is not published."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agentls.config.model import KEYS
from agentls.rules import codes
from agentls.settings import specs

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "configuration.md").read_text("utf-8")


def _table_rows(doc: str, first_header: str) -> dict[str, list[str]]:
    """The rows of the Markdown table whose first header cell is ``first_header``, by their
    first cell (backticks removed)."""
    lines = doc.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_configuration_key_is_documented() -> None:
    rows = _table_rows(DOC, "key")
    assert sorted(rows) == sorted(k.name for k in KEYS)


def test_every_server_setting_is_documented_with_its_default() -> None:
    rows = _table_rows(DOC, "setting")
    server = [s for s in specs() if s.side == "server"]
    assert sorted(rows) == sorted(s.key for s in server)
    for s in server:
        if s.key == "apiKey":
            continue
        shown = rows[s.key][1].strip("`")
        assert json.loads(shown) == s.default, (s.key, shown, s.default)


@pytest.mark.parametrize(
    "code",
    [
        codes.CONFIG_SYNTAX,
        "AL991",
        "AL992",
        "AL993",
        "AL994",
        "AL995",
        "AL996",
        codes.CONFIG_NOT_USED,
    ],
)
def test_every_configuration_and_suppression_rule_is_documented(code: str) -> None:
    assert re.search(rf"^\| {code} `[a-z-]+`", DOC, re.M), code


def test_check_options_and_suppression_forms_are_documented() -> None:
    for text in (
        "--show-suppressed",
        "--statistics",
        "# agentls: ignore[AL013]",
        "# agentls: ignore-file[AL013]",
        "<!-- agentls-disable AL016 -->",
        "<!-- agentls-enable AL016 -->",
        "<!-- agentls-disable-file AL016 -->",
        ".agentls.toml",
        "[tool.agentls]",
    ):
        assert text in DOC, text


def test_the_readme_links_to_it() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert "(docs/configuration.md)" in readme


# `pipx install agentls`, `pip install agentls`, `uv tool install agentls`: a package name, not
# a path or a wheel (agentls is not on PyPI)
FROM_PYPI = re.compile(r"\b(?:pipx|pip|uv tool) install agentls(?![\w./-])")


def test_no_install_instruction_points_to_pypi() -> None:
    places = [
        REPO / "README.md",
        *sorted((REPO / "docs").rglob("*.md")),
        *sorted((REPO / "editors").rglob("*.md")),
        *sorted((REPO / "editors").rglob("*.rs")),
        *sorted((REPO / "client-vscode" / "src").rglob("*.ts")),
        REPO / "client-vscode" / "README.md",
    ]
    found = [
        f"{p.relative_to(REPO)}: {m.group()}"
        for p in places
        if p.is_file()
        for m in FROM_PYPI.finditer(p.read_text("utf-8"))
    ]
    assert found == []
