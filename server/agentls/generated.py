"""The files generated from the package's data (docs/rules.md, the configuration's JSON
schema, .pre-commit-hooks.yaml, the VS Code client's data and settings): each module's
``python -m agentls.<module> [PATH]`` writes its file, here in one way. A test of each keeps
the committed file current."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def write_generated(argv: list[str], default: Path, render: Callable[[Path], str]) -> int:
    """Write ``render(target)`` to the path given in ``argv`` (``default`` without one)."""
    target = Path(argv[0]) if argv else default
    target.write_text(render(target), encoding="utf-8")
    print(f"wrote {target}")
    return 0
