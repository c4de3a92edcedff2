"""Compare agentls's effective configuration with recorded Claude Code observations.

The mapping from agentls's :class:`agentls.types.Effective` to what the Claude Code init
line shows is defined in docs/conformance.md ("The mapping"); this module implements it.

Run ``python tests/conformance/cc_conformance.py`` for the agreement figures.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# AGENTLS_SHARED: where ../shared is when the checkout is elsewhere (a git worktree).
SHARED = Path(os.environ.get("AGENTLS_SHARED") or REPO.parent / "shared")
OBSERVATIONS = HERE / "observations"
KNOWN_DIFFERENCES = HERE / "known_differences.json"
FIELDS = ("loads", "name", "tools", "model")
# Aliases are resolved case-insensitively by Claude Code (formats.md 2.2).
ALIASES = {
    "sonnet",
    "opus",
    "haiku",
    "fable",
    "best",
    "opusplan",
    "sonnet[1m]",
    "opus[1m]",
    "fable[1m]",
    "haiku[1m]",
}
# The init line names the spawn tool `Task` (formats.md 2.4); agentls may say `Agent`.
INIT_NAME = {"Agent": "Task"}
PAREN = re.compile(r"\(.*\)\s*$", re.DOTALL)


def source_path(label: str, rel: str) -> Path:
    if label == "fixtures":
        return HERE / "fixtures" / rel
    if label == "seeds":
        return SHARED / "seeds" / rel
    return SHARED / "corpus" / rel


def fake_agent_path(rel: str) -> str:
    """A path with the shape of a project agent, so agentls detects the Claude dialect."""
    stem = Path(rel).name.rsplit(".", 1)[0]
    return f"/conformance/project/.claude/agents/{stem}.md"


def load_observations(label: str) -> dict[str, Any] | None:
    path = OBSERVATIONS / f"{label}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def load_known_differences() -> dict[tuple[str, str], dict[str, Any]]:
    """``{(set, path): {"fields": [...], "reason": "..."}}``."""
    if not KNOWN_DIFFERENCES.exists():
        return {}
    raw = json.loads(KNOWN_DIFFERENCES.read_text("utf-8"))
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in raw.get("differences", []):
        out[(entry["set"], entry["path"])] = entry
    return out


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def canon_tool(entry: str) -> str:
    """Tool name as the init line shows it: `Bash(git *)` -> `Bash`, `Agent` -> `Task`."""
    base = PAREN.sub("", entry).strip()
    return INIT_NAME.get(base, base)


def resolve_model(model: str | None, env: dict[str, Any]) -> str | None:
    """The model the init line would show for an agentls ``Effective.model``."""
    sentinel: str = env["sentinel_main_model"]
    if model is None:
        return sentinel
    key = model.strip()
    if not key or key.lower() == "inherit":
        return sentinel
    table: dict[str, str | None] = env["model_resolution"]
    if key in table:
        return table[key]
    if key.lower() in ALIASES and key.lower() in table:
        return table[key.lower()]
    return key


def expected_tools(
    tools: list[str] | None, disallowed: list[str], model: str, env: dict[str, Any]
) -> set[str] | None:
    """The tool set the init line would show; None when the model's pool is not recorded."""
    pools = env["tool_pools"].get(model)
    if not pools:
        return None
    deny = {canon_tool(t) for t in disallowed}
    if "Bash" in deny:
        deny.add("Monitor")  # observed: denying Bash (or any Bash(...) rule) removes Monitor
    if tools is None:
        return set(pools["all"]) - deny
    chosen = {canon_tool(t) for t in tools} - deny
    universe = pools["listed_with_bash" if "Bash" in chosen else "listed_without_bash"]
    return chosen & set(universe)


@dataclass
class Outcome:
    label: str
    path: str
    status: str  # "agree", "differ", "skipped"
    differences: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (ours, cc)
    note: str = ""
    # Informational, not part of the agreement: description as Claude Code lists it.
    description: tuple[str | None, str | None] | None = None


def compare_file(label: str, obs: dict[str, Any], env: dict[str, Any]) -> Outcome:
    from agentls.engine import analyze

    rel = obs["path"]
    src = source_path(label, rel)
    if not src.exists():
        return Outcome(label, rel, "skipped", note="source file absent")
    data = src.read_bytes()
    if hashlib.sha256(data).hexdigest() != obs["sha256"]:
        return Outcome(label, rel, "skipped", note="file changed since it was recorded")
    if obs.get("error") and obs.get("loaded") and obs.get("tools_observed") is None:
        return Outcome(label, rel, "skipped", note=f"recording error: {obs['error']}")
    text = data.decode("utf-8", errors="replace")  # no newline translation: CRLF matters
    try:
        eff = analyze(text, fake_agent_path(rel), size=len(data)).effective
    except Exception as exc:  # an engine crash is a disagreement, not a harness failure
        crash = f"engine raised {type(exc).__name__}: {exc}"
        return Outcome(label, rel, "differ", {"loads": (crash, obs["loaded"])})
    if eff is None:
        return Outcome(label, rel, "differ", {"loads": ("no effective configuration", "-")})
    diffs: dict[str, tuple[Any, Any]] = {}
    if bool(eff.loads) != bool(obs["loaded"]):
        diffs["loads"] = (eff.loads, obs["loaded"])
    elif obs["loaded"]:
        if eff.name != obs["name"]:
            diffs["name"] = (eff.name, obs["name"])
        want_model = resolve_model(eff.model, env)
        if want_model != obs["model"]:
            diffs["model"] = (f"{eff.model!r} -> {want_model!r}", obs["model"])
        want_tools = expected_tools(eff.tools, list(eff.disallowed_tools), obs["model"], env)
        seen = set(obs["tools_observed"] or [])
        if want_tools is not None and want_tools != seen:
            ours = "all" if eff.tools is None else sorted(eff.tools)
            diffs["tools"] = (
                f"{ours} (disallowed {sorted(eff.disallowed_tools)}) -> {sorted(want_tools)}",
                sorted(seen),
            )
    desc = None
    if eff.loads and obs["loaded"] and obs.get("description") is not None:
        desc = (eff.description, obs["description"])
    elif eff.loads and obs["loaded"] and obs.get("description_sha256") is not None:
        # seeds/corpus keep no text in the repository: compare digests
        digest = None if eff.description is None else sha256_text(eff.description)
        desc = (digest, obs["description_sha256"])
    return Outcome(label, rel, "differ" if diffs else "agree", diffs, description=desc)


def compare_set(label: str) -> Iterator[Outcome]:
    data = load_observations(label)
    if data is None:
        return
    env = {k: data[k] for k in ("sentinel_main_model", "model_resolution", "tool_pools")}
    for obs in data["files"]:
        yield compare_file(label, obs, env)


@dataclass
class Figures:
    label: str
    compared: int = 0
    agree: int = 0
    explained: int = 0
    unexplained: list[Outcome] = field(default_factory=list)
    skipped: int = 0
    stale_known: list[str] = field(default_factory=list)
    by_field: dict[str, int] = field(default_factory=dict)
    desc_compared: int = 0
    desc_differ: list[Outcome] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return 100.0 * self.agree / self.compared if self.compared else 100.0

    def line(self) -> str:
        per = ", ".join(f"{k} {v}" for k, v in sorted(self.by_field.items())) or "none"
        return (
            f"{self.label}: {self.agree}/{self.compared} agree ({self.agreement:.2f} %), "
            f"{self.explained} known difference(s), {len(self.unexplained)} unexplained, "
            f"{self.skipped} skipped; differing fields: {per}; "
            f"description (informational) {self.desc_compared - len(self.desc_differ)}"
            f"/{self.desc_compared}"
        )


def figures(label: str) -> Figures:
    known = load_known_differences()
    fig = Figures(label)
    seen_known: set[str] = set()
    for out in compare_set(label):
        if out.status == "skipped":
            fig.skipped += 1
            continue
        fig.compared += 1
        if out.description is not None:
            fig.desc_compared += 1
            if out.description[0] != out.description[1]:
                fig.desc_differ.append(out)
        if out.status == "agree":
            fig.agree += 1
            continue
        for f in out.differences:
            fig.by_field[f] = fig.by_field.get(f, 0) + 1
        entry = known.get((label, out.path))
        if entry is not None and set(out.differences) <= set(entry.get("fields", FIELDS)):
            fig.explained += 1
            seen_known.add(out.path)
        else:
            fig.unexplained.append(out)
    fig.stale_known = sorted(p for (s, p) in known if s == label and p not in seen_known)
    return fig


def main() -> int:
    sys.path.insert(0, str(REPO / "server"))
    for label in ("fixtures", "seeds", "corpus"):
        if load_observations(label) is None:
            continue
        fig = figures(label)
        print(fig.line())
        for out in fig.unexplained:
            for f, (ours, cc) in out.differences.items():
                print(f"  {out.path}: {f}: agentls {ours} | Claude Code {cc}")
        for out in fig.desc_differ[:20]:
            assert out.description is not None
            ours, cc = out.description
            print(f"  (description) {out.path}: agentls {ours!r} | Claude Code {cc!r}")
        for p in fig.stale_known:
            print(f"  stale known difference (now agrees or skipped): {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
