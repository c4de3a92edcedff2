"""agentls on plugins and marketplaces against what Claude Code 2.1.332 says of them.

No binary needed: the verdicts were recorded (record.py --surface): ``claude plugin validate``,
what a ``--plugin-dir`` session keeps, ``plugin marketplace add`` and ``plugin install``. Every
place Claude Code flags, agentls flags, or the difference is explained one by one; every
place only agentls flags is one of its deliberate extras (cc_surface, docs/conformance.md).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import cc_surface as cs
import pytest

CASES = [o for o in cs.load() if "plugins" in o or "marketplaces" in o]


def _result(obs: dict[str, object], tmp_path: Path) -> cs.PluginResult:
    proj = tmp_path / "proj"
    shutil.copytree(cs.CASES / str(obs["case"]), proj)
    subprocess.run(["git", "init", "-q", str(proj)], check=True)
    res = cs.compare_plugin_case(obs, proj)  # type: ignore[arg-type]
    assert res is not None
    return res


@pytest.mark.parametrize("obs", CASES, ids=[str(o["case"]) for o in CASES])
def test_case_agrees_with_claude_code(obs: dict[str, object], tmp_path: Path) -> None:
    res = _result(obs, tmp_path)
    assert not res.unexplained(), "\n".join(res.unexplained())
