"""Write docs/rules.md from the rule registry: ``python -m agentls.rules.docs [PATH]``."""

from __future__ import annotations

import sys
from pathlib import Path

from agentls.generated import write_generated
from agentls.rules.registry import render_markdown


def main(argv: list[str]) -> int:
    return write_generated(argv, Path("docs/rules.md"), lambda _: render_markdown() + "\n")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
