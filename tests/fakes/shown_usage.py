"""What an editor shows at the end of a run, held against what the fake Messages API billed.

The editors (VS Code's Results view, Neovim's conversation split) end each run with
``Tokens: I in, O out, R cache read, W cache write · 1.2 s · ~$0.0123``; the fake API records
the usage it reported for every request (``RecordedRequest.reported``).
"""

from __future__ import annotations

import re
from typing import Any

from agentls.runner.pricing import USAGE_KEYS, estimate_cost, format_cost, total_usage

USAGE = re.compile(
    r"Tokens: (?P<input_tokens>[\d,]+) in, (?P<output_tokens>[\d,]+) out, "
    r"(?P<cache_read_input_tokens>[\d,]+) cache read, "
    r"(?P<cache_creation_input_tokens>[\d,]+) cache write"
    r"(?: · (?P<wall>\d+ ms|[\d.]+ s))?(?: · ~(?P<cost>\$[\d.,]+))?"
)


def assert_usage_is_the_runs(line: str, requests: list[dict[str, Any]], bound_s: float) -> None:
    """``line`` says what the fake API reported for the run's ``requests`` (each with the
    ``usage`` it reported and its ``model``): their tokens summed, the cost of those at the
    server's prices as the server writes a cost (every client shows its string), a wall time
    above zero and at most ``bound_s`` (a bound, not a timing)."""
    m = USAGE.search(line)
    assert m, line
    shown = {k: int(m[k].replace(",", "")) for k in USAGE_KEYS}
    assert shown == total_usage(r["usage"] for r in requests), (line, requests)
    assert sum(shown.values()) > 0 and m["wall"], line
    wall = float(m["wall"][:-3]) / 1000 if m["wall"].endswith("ms") else float(m["wall"][:-2])
    assert 0 < wall <= bound_s, line
    cost = estimate_cost(requests[0]["model"], [r["usage"] for r in requests])
    assert cost is not None and m["cost"] is not None, line
    assert m["cost"] == format_cost(cost), (line, cost)
