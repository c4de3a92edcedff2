"""agentls on settings files and .mcp.json against what Claude Code 2.1.332 says of them.

No binary needed: the verdicts were recorded (record.py --surface). Every place Claude Code
flags, agentls flags; every place only agentls flags is one of its deliberate extras
(cc_surface.SURFACE_EXPLAINED, docs/conformance.md).
"""

from __future__ import annotations

import cc_surface as cs
import pytest

CASES = [o for o in cs.load() if "doctor" in o or "mcp_list" in o]


@pytest.mark.parametrize("obs", CASES, ids=[o["case"] for o in CASES])
def test_case_agrees_with_claude_code(obs: dict[str, object]) -> None:
    res = cs.compare_case(obs)
    assert res is not None
    assert not res.unexplained(), "\n".join(res.unexplained())


def test_the_recorded_cases_cover_both_kinds() -> None:
    kinds = {o["case"].split("-")[0] for o in CASES}
    assert {"settings", "mcp"} <= kinds
    flagged = sum(len(r.claude) for r in (cs.compare_case(o) for o in CASES) if r)
    assert flagged >= 35
