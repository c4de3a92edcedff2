"""Print the conformance agreement figures at the end of the test run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    mod = sys.modules.get("test_conformance") or sys.modules.get(
        "tests.conformance.test_conformance"
    )
    lines = getattr(mod, "SUMMARY", None)
    if lines:
        terminalreporter.section("Claude Code conformance")
        for line in lines:
            terminalreporter.write_line(line)
