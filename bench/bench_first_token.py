"""Extra latency agentls adds to the first streamed token, against a bare SDK stream.

Both talk to the same fake Messages API (tests/fakes) on 127.0.0.1, which answers at once.
"agentls" is the full runner path: settings, model alias, the context (enclosing
definitions, imports, project memory, workspace tree), prompt building, tool list and the
streaming loop, up to the first text delta. Both keep their client from run to run (agentls
keeps one per credentials and endpoint, runtime.shared_client; the bare stream reuses its
own): creating a client loads the CA bundle, ~10 ms idle and ~90 ms on a loaded machine,
which would otherwise swamp the figure.

    python bench/bench_first_token.py [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import anthropic  # noqa: E402
import httpx2  # noqa: E402

from agentls.runner.definitions import AgentDef  # noqa: E402
from agentls.runner.runtime import RunEvent, RunRequest, RunSettings, run_agent  # noqa: E402
from agentls.types import Range  # noqa: E402
from fakes import fake_messages_api as fake  # noqa: E402

KEY = "sk-ant-bench-not-a-real-key"


async def bare(client: anthropic.AsyncAnthropic) -> float:
    t0 = time.perf_counter()
    first = 0.0
    async with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        system="You are a reviewer.",
        messages=[{"role": "user", "content": "Review:\n```python\ndef f(): pass\n```"}],
    ) as stream:
        async for ev in stream:
            if ev.type == "text" and not first:
                first = time.perf_counter() - t0
    return first


async def via_agentls(api: fake.FakeMessagesAPI, ws: Path, agent: AgentDef) -> float:
    t0 = time.perf_counter()
    first = 0.0

    def sink(ev: RunEvent) -> None:
        nonlocal first
        if ev.kind == "delta" and not first:
            first = time.perf_counter() - t0

    file = ws / "app.py"
    req = RunRequest.make(
        agent,
        "review",
        workspace=ws,
        file=file,
        text=file.read_text(),
        selection=Range.of(10, 0, 30, 0),
        language="python",
    )
    settings = RunSettings(api_key=KEY, base_url=api.base_url, max_retries=0)
    await run_agent(req, settings, sink)
    return first


async def main(runs: int) -> None:
    agent_text = (ROOT / "agents" / "backend-engineer.md").read_text()
    agent = AgentDef(
        name="backend-engineer",
        path=Path("backend-engineer.md"),
        scope="bundled",
        body=agent_text.split("---", 2)[2],
        tools=["Read", "Grep", "Glob"],
        model="sonnet",
    )
    with tempfile.TemporaryDirectory() as tmp, fake.FakeMessagesAPI() as api:
        ws = Path(tmp)
        (ws / "app.py").write_text(
            "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(40))
        )
        api.default_reply = fake.text("First", " token", " and more.")
        client = anthropic.AsyncAnthropic(
            api_key=KEY,
            base_url=api.base_url,
            max_retries=0,
            timeout=httpx2.Timeout(30, connect=5),
        )
        for _ in range(10):  # warm up imports, pools, caches
            await bare(client)
            await via_agentls(api, ws, agent)
        a, b = [], []
        for _ in range(runs):  # interleaved, so drift affects both alike
            a.append(await bare(client))
            b.append(await via_agentls(api, ws, agent))
        await client.close()
    ma, mb = statistics.median(a) * 1000, statistics.median(b) * 1000
    pa = statistics.quantiles(a, n=20)[18] * 1000
    pb = statistics.quantiles(b, n=20)[18] * 1000
    print(f"runs: {runs} each (cpu count {os.cpu_count()})")
    print(f"bare AsyncAnthropic stream, first token: median {ma:.2f} ms, p95 {pa:.2f} ms")
    print(f"agentls runner,             first token: median {mb:.2f} ms, p95 {pb:.2f} ms")
    print(
        f"extra latency added by agentls:          median {mb - ma:+.2f} ms, p95 {pb - pa:+.2f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="a few runs only (CI)")
    ns = parser.parse_args()
    asyncio.run(main(10 if ns.quick else ns.runs))
