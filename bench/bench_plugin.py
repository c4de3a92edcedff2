"""A keystroke in an open plugin manifest: the CPU of what the server does per edit of
``.claude-plugin/plugin.json`` (the analysis, the index update, the findings across files),
in this process, for a plugin of 200 agents whose `agents` list leaves out all but one
(AL936 on both ends), and for the same manifest with every agent listed.

Reference (same run, alternating): the same manifest in a plugin without an `agents/`
folder. The ratio is what the size of the folder costs a keystroke: the analysis of the
manifest listed the folder on disk on each one before the index held the plugin's files.

    python bench/bench_plugin.py [--agents 200] [--edits 300] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

AGENT = "---\nname: {n}\ndescription: Use when testing {n}.\n---\nBody\n"


def plugin(root: Path, agents: int) -> Path:
    (root / ".claude-plugin").mkdir(parents=True)
    if agents:
        (root / "agents").mkdir()
    for i in range(agents):
        (root / "agents" / f"a{i:04}.md").write_text(AGENT.format(n=f"a{i:04}"), "utf-8")
    manifest = root / ".claude-plugin" / "plugin.json"
    manifest.write_text("{}", "utf-8")
    return manifest


def text(listed: list[str], edit: int) -> str:
    # an edit elsewhere in the manifest (the description), as typing does
    data = {"name": "p", "description": f"Plugin {edit}.", "agents": listed}
    return json.dumps(data, indent=2)


def keystrokes(manifest: Path, listed: list[str], edits: int) -> list[float]:
    """CPU seconds of each edit: analyze, index update, findings across files."""
    from agentls.engine import analyze
    from agentls.indexing import build_index

    index = build_index([str(manifest.parent.parent)], user=False, bundled=False)
    out = []
    for i in range(edits):
        t = text(listed, i)
        start = time.process_time()
        a = analyze(t, str(manifest))
        index.update_analysis(a)
        found = a.findings + index.findings_for(str(manifest))
        out.append(time.process_time() - start)
        assert found is not None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--edits", type=int, default=300)
    ap.add_argument("--quick", action="store_true", help="few edits (CI: it runs, no goal)")
    args = ap.parse_args()
    edits = 20 if args.quick else args.edits
    with tempfile.TemporaryDirectory() as tmp:
        big = plugin(Path(tmp) / "big", args.agents)
        ref = plugin(Path(tmp) / "ref", 0)
        one = ["./agents/a0000.md"]
        every = [f"./agents/a{i:04}.md" for i in range(args.agents)]
        rows = []
        for label, listed in (("one agent listed (AL936)", one), ("every agent listed", every)):
            mine: list[float] = []
            theirs: list[float] = []
            for _ in range(5):  # alternate: a busy machine weighs on both alike
                mine += keystrokes(big, listed, edits // 5)
                theirs += keystrokes(ref, listed, edits // 5)
            p50, r50 = statistics.median(mine), statistics.median(theirs)
            rows.append((label, p50, r50))
    print(f"plugin.json keystroke CPU, {args.agents} agents, median of {edits} edits")
    for label, p50, r50 in rows:
        print(
            f"  {label:28} {p50 * 1000:7.3f} ms   no agents/ folder {r50 * 1000:7.3f} ms"
            f"   {p50 / r50:5.2f}x"
        )


if __name__ == "__main__":
    main()
