"""Billed input tokens of agent runs with and without prompt caching (issue 17).

Two conversations on the fake Messages API's cache model (tests/fakes: a request whose
prefix up to a cache_control breakpoint equals an earlier request's reads it from the cache,
one token per 4 characters of JSON, 1,024 tokens at least), with the bundled backend-engineer
agent (its ~10 KB body is the system prompt) on a 40-function file:

- a review that takes 3 turns (Read, then Grep, then the answer);
- a review (1 turn) and 2 follow-ups (ask), each continuing the conversation.

Two figures per conversation, each against the same conversation run with ``cache=False``
(no cache_control: every input token is uncached and billed at the input price):

- billed input tokens: the tokens billed at the input price or above, that is uncached
  input + cache writes (cache reads are billed at a small fraction, shown apart);
- input-price equivalent: uncached input + cache writes × (write price / input price) +
  cache reads × (read price / input price), with data/prices.json's rates for the model
  (claude-sonnet-5-5: ×1.25 and ×0.05): what the input costs, in input tokens;
- the best any caching could do at those prices (a clairvoyant cache: each request reads
  all the previous one sent, writes only what is new, and the last request writes nothing).
  A conversation of n requests of about the same size cannot save more than
  1 - (1.25 + 0.05 (n - 1)) / n of its input price: 55 % for 3 requests, whatever the
  breakpoints.

    python bench/bench_caching.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from agentls.runner.definitions import load_agent  # noqa: E402
from agentls.runner.pricing import price_for  # noqa: E402
from agentls.runner.prompt import get_task  # noqa: E402
from agentls.runner.runtime import RunRequest, RunResult, RunSettings, run_agent  # noqa: E402
from agentls.types import Range  # noqa: E402
from fakes import fake_messages_api as fake  # noqa: E402

KEY = "sk-ant-bench-not-a-real-key"
MODEL = "claude-sonnet-5-5"


def billed(requests: list[dict[str, int]]) -> float:
    price = price_for(MODEL)
    assert price is not None
    r = price.rates
    return sum(
        u.get("input_tokens", 0)
        + u.get("cache_creation_input_tokens", 0) * r.cache_write / r.input
        + u.get("cache_read_input_tokens", 0) * r.cache_read / r.input
        for u in requests
    )


def best_priced(requests: list[dict[str, int]]) -> float:
    """The input price, in input tokens, of the same requests with a clairvoyant cache."""
    price = price_for(MODEL)
    assert price is not None
    r = price.rates
    sizes = [sum(u.get(k, 0) for k in TOKEN_KEYS) for u in requests]
    total = 0.0
    for i, size in enumerate(sizes):
        prefix = sizes[i - 1] if i else 0
        last = i == len(sizes) - 1
        total += prefix * r.cache_read / r.input
        total += (size - prefix) * (1 if last else r.cache_write / r.input)
    return total


TOKEN_KEYS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def request(ws: Path, task: str, prev: RunResult | None, prompt: str | None) -> RunRequest:
    agent = load_agent(ROOT / "agents" / "backend-engineer.md", "bundled")
    assert agent is not None
    file = ws / "app.py"
    req = RunRequest(
        agent,
        get_task(task),
        ws,
        file,
        file.read_text(),
        Range.of(10, 0, 30, 0),
        "python",
        prompt=prompt,
    )
    if prev is not None:
        req.history = list(prev.messages)
        req.conversation = prev.run_id
    return req


async def conversation(
    api: fake.FakeMessagesAPI, ws: Path, cache: bool, steps: list[tuple[str, str | None]]
) -> list[dict[str, int]]:
    api.cache.clear()
    settings = RunSettings(api_key=KEY, base_url=api.base_url, max_retries=0, cache=cache)
    out: list[dict[str, int]] = []
    prev: RunResult | None = None
    for task, prompt in steps:
        res = await run_agent(request(ws, task, prev, prompt), settings)
        assert res.status == "done", res.error
        out += res.requests
        prev = res
    return out


def _row(name: str, off: list[dict[str, int]], on: list[dict[str, int]]) -> dict[str, Any]:
    def tokens(reqs: list[dict[str, int]], *keys: str) -> int:
        return sum(u.get(k, 0) for u in reqs for k in keys)

    full = ("input_tokens", "cache_creation_input_tokens")
    return {
        "name": name,
        "requests": len(on),
        "off": tokens(off, *full, "cache_read_input_tokens"),
        "on": tokens(on, *full),
        "read": tokens(on, "cache_read_input_tokens"),
        "priced_off": billed(off),
        "priced_on": billed(on),
        "priced_best": best_priced(off),
    }


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, fake.FakeMessagesAPI() as api:
        ws = Path(tmp)
        (ws / "app.py").write_text(
            "import os\n\n\n" + "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(40))
        )
        (ws / "util.py").write_text("def helper():\n    return 42\n" * 20)
        rows = []
        for cache in (False, True):
            api.script(
                fake.tool_use("Read", {"file_path": "util.py"}),
                fake.tool_use("Grep", {"pattern": "def f1"}),
                fake.text("Three turns: f1 is fine."),
            )
            rows.append(await conversation(api, ws, cache, [("review", None)]))
        tool_loop = _row("review, 3 turns (Read, Grep, answer)", rows[0], rows[1])
        rows = []
        for cache in (False, True):
            api.script(
                fake.text("Review: f3 is fine."),
                fake.text("Follow-up 1: yes."),
                fake.text("Follow-up 2: no."),
            )
            steps = [("review", None), ("ask", "Is f3 pure?"), ("ask", "Thread-safe?")]
            rows.append(await conversation(api, ws, cache, steps))
        follow = _row("review + 2 follow-ups", rows[0], rows[1])
    print(f"model {MODEL}: cache write ×1.25, cache read ×0.05 of the input price")
    print(
        "| conversation | requests | billed input tokens: no caching → caching (reads) "
        "| fewer | input-price equivalent | fewer | best possible |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in (tool_loop, follow):
        print(
            f"| {r['name']} | {r['requests']} | {r['off']:,} → {r['on']:,} ({r['read']:,}) "
            f"| {1 - r['on'] / r['off']:.0%} | {r['priced_off']:,.0f} → {r['priced_on']:,.0f} "
            f"| {1 - r['priced_on'] / r['priced_off']:.0%} "
            f"| {1 - r['priced_best'] / r['priced_off']:.0%} |"
        )


if __name__ == "__main__":
    asyncio.run(main())
