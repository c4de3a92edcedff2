"""The five seed files (../shared/seeds), copied into a temporary .claude/agents/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agentls.check import check_file
from agentls.types import Severity


@pytest.fixture
def agents(seeds_dir: Path, tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / ".claude" / "agents"
    folder.mkdir(parents=True)
    out = {}
    for seed in sorted(seeds_dir.iterdir()):
        target = folder / (seed.name.split("_")[0] + ".md")
        shutil.copyfile(seed, target)
        out[seed.name.split("_")[0]] = target
    return out


@pytest.mark.parametrize("seed", ["000", "001", "002", "003"])
def test_seed_description_needs_quoting(agents: dict[str, Path], seed: str) -> None:
    a = check_file(str(agents[seed])).analysis
    warnings = [f for f in a.findings if f.severity == Severity.WARNING]
    errors = [f for f in a.findings if f.severity == Severity.ERROR]
    assert errors == []
    assert [f.code for f in warnings] == ["AL003"]
    (w,) = warnings
    assert a.doc is not None
    desc = a.doc.by_key["description"]
    assert w.range == desc.raw_range  # on the description value
    assert a.effective is not None and a.effective.loads


def test_seed_004_allowed_tools_and_name(agents: dict[str, Path]) -> None:
    a = check_file(str(agents["004"])).analysis
    by_code = {f.code: f for f in a.findings}
    assert by_code["AL018"].severity == Severity.WARNING
    assert "every tool" in by_code["AL018"].message
    assert by_code["AL012"].severity in (Severity.INFORMATION, Severity.HINT)
    assert a.doc is not None
    assert by_code["AL012"].range == a.doc.by_key["name"].node.range
    assert not [f for f in a.findings if f.severity == Severity.ERROR]
    assert a.effective is not None and a.effective.tools is None  # every tool


def test_seed_000_with_crlf_is_an_error(agents: dict[str, Path]) -> None:
    path = agents["000"]
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    a = check_file(str(path)).analysis
    assert [f.code for f in a.findings if f.severity == Severity.ERROR] == ["AL004"]
    assert a.effective is not None and not a.effective.loads
