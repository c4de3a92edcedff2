"""Tokens and the estimated cost of a run, from the dated price table ``data/prices.json``.

Each API request is priced on its own (a Haiku 5.5 request with a prompt over 100,000
tokens pays the long-prompt prices on every token of that request), then summed. A model
the table does not know has no cost: people see its tokens only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agentls.data import load_json

#: The usage fields of a Messages API answer, in the order people are shown them.
USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)
_DATE_SUFFIX = re.compile(r"-\d{8}$")


@dataclass(frozen=True)
class Rates:
    input: float
    output: float
    cache_write: float
    cache_read: float

    @staticmethod
    def of(raw: Mapping[str, Any]) -> Rates | None:
        try:
            inp = float(raw["input"])
            out = float(raw["output"])
            write = float(raw.get("cacheWrite5m", inp * 1.25))
            read = float(raw.get("cacheRead", inp * 0.1))
        except (KeyError, TypeError, ValueError):
            return None
        if min(inp, out, write, read) < 0:
            return None
        return Rates(inp, out, write, read)


@dataclass(frozen=True)
class ModelPrice:
    model: str
    rates: Rates
    long_threshold: int | None = None
    long_rates: Rates | None = None

    def cost(self, usage: Mapping[str, int]) -> float:
        """USD of one request."""
        prompt = (
            usage.get("input_tokens", 0)
            + usage.get("cache_read_input_tokens", 0)
            + usage.get("cache_creation_input_tokens", 0)
        )
        r = self.rates
        long = self.long_threshold is not None and prompt > self.long_threshold
        if self.long_rates is not None and long:
            r = self.long_rates
        return (
            usage.get("input_tokens", 0) * r.input
            + usage.get("output_tokens", 0) * r.output
            + usage.get("cache_creation_input_tokens", 0) * r.cache_write
            + usage.get("cache_read_input_tokens", 0) * r.cache_read
        ) / 1_000_000


def price_table() -> dict[str, Any]:
    table: dict[str, Any] = load_json("prices.json")
    return table


def prices_as_of() -> str:
    return str(price_table().get("asOf", "?"))


def price_for(model: str, overrides: Mapping[str, Any] | None = None) -> ModelPrice | None:
    """The prices of ``model`` (an API model ID): the ``prices`` setting first, then the
    table; an ID with a date suffix takes the prices of the ID without it."""
    models: dict[str, Any] = price_table()["models"]
    for name in (model, _DATE_SUFFIX.sub("", model)):
        for source in (overrides or {}, models):
            raw = source.get(name)
            if isinstance(raw, Mapping):
                rates = Rates.of(raw)
                if rates is None:
                    continue
                long = raw.get("longPrompt")
                if isinstance(long, Mapping):
                    long_rates = Rates.of(long)
                    threshold = long.get("thresholdTokens")
                    if long_rates is not None and isinstance(threshold, int):
                        return ModelPrice(name, rates, threshold, long_rates)
                return ModelPrice(name, rates)
    return None


def add_usage(total: dict[str, int], usage: Mapping[str, int]) -> None:
    for key in USAGE_KEYS:
        total[key] = total.get(key, 0) + int(usage.get(key, 0) or 0)


def total_usage(requests: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(USAGE_KEYS, 0)
    for u in requests:
        add_usage(total, u)
    return total


def estimate_cost(
    model: str, requests: Iterable[Mapping[str, int]], overrides: Mapping[str, Any] | None = None
) -> float | None:
    """USD of these requests of ``model``, or None when its prices are unknown."""
    price = price_for(model, overrides)
    if price is None:
        return None
    return sum(price.cost(u) for u in requests)


def format_cost(usd: float) -> str:
    if usd >= 1:
        return f"${usd:,.2f}"
    if usd >= 0.01:
        return f"${usd:.3f}"
    return f"${usd:.4f}"


def format_seconds(seconds: float) -> str:
    """Wall time for people: ``12.3 s``, and under a second in ms (a 40 ms run read
    ``0.0 s``, as if no time had been measured)."""
    return f"{seconds:.1f} s" if seconds >= 1 else f"{round(seconds * 1000)} ms"


def usage_line(
    usage: Mapping[str, int], cost: float | None, seconds: float | None, turns: int | None = None
) -> str:
    """One line for people: ``3 turns · 12.3 s · tokens: 1,234 in, 567 out, 8,900 cache
    read, 4,500 cache write · ~$0.0123 (prices of 2026-11-30)``."""
    parts = []
    if turns is not None:
        parts.append(f"{turns} turn{'s' if turns != 1 else ''}")
    if seconds is not None:
        parts.append(format_seconds(seconds))
    parts.append(
        f"tokens: {usage.get('input_tokens', 0):,} in, {usage.get('output_tokens', 0):,} out, "
        f"{usage.get('cache_read_input_tokens', 0):,} cache read, "
        f"{usage.get('cache_creation_input_tokens', 0):,} cache write"
    )
    if cost is not None:
        parts.append(f"~{format_cost(cost)} (prices of {prices_as_of()})")
    else:
        parts.append("cost unknown for this model")
    return " · ".join(parts)
