"""Write docs/rules.md from the rule registry: ``python -m agentls.rules.docs [PATH]``."""

from __future__ import annotations

import sys
from pathlib import Path

from agentls.rules.registry import render_markdown


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path("docs/rules.md")
    target.write_text(render_markdown() + "\n", encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
