"""agentls's verdicts on settings and .mcp.json files against Claude Code's own.

``observations/surface.json`` (record.py --surface) holds what ``claude doctor`` and
``claude mcp list`` said about each case of ``surface/``. Both sides are reduced to the same
shape, one verdict per (file, place): the place is the dotted path Claude Code prints
(``permissions.allow``, ``hooks.PreToolUse.0.hooks.0``, ``mcpServers.empty``); for agentls,
the path of the node its finding sits on (errors and warnings only). The agreement is exact
on the places both flag; a place only one side flags is a difference, and every difference
is either a known, explained one (``SURFACE_EXPLAINED``) or a failure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentls.document.yamltree import YNode
from agentls.engine import analyze
from agentls.types import Position, Severity

HERE = Path(__file__).resolve().parent
CASES = HERE / "surface"
OBSERVATIONS = HERE / "observations" / "surface.json"
_DOCTOR = re.compile(r"^<(?:proj|home)>/(?P<file>[^ ]+?)(?: › (?P<path>[^:]+))?: (?P<what>.*)$")

# Rules of agentls that say more than Claude Code does, on purpose (docs/conformance.md).
SURFACE_EXPLAINED = {
    "AL901": "duplicate key: Claude Code keeps the last one without a word",
    "AL903": "unknown key: Claude Code ignores it without a word",
    "AL911": "$VAR without braces: Claude Code passes it on as written",
    "AL912": "a secret in a committed file: Claude Code does not look",
    "AL913": "a url that is no URL: Claude Code keeps the server, the connection fails",
    "AL921": "a rule for a tool that does not exist: Claude Code keeps it, it matches nothing",
}
# In a file that does not parse, Claude Code stops at the syntax error; agentls still checks
# what it could read, so that fixing the syntax does not reveal the next problem.
AFTER_SYNTAX_ERROR = "checked beyond a syntax error"
# What Claude Code says that agentls cannot know from the file alone.
CLAUDE_ONLY = {
    "Missing environment variables": "depends on the environment Claude Code starts in",
}


@dataclass
class CaseResult:
    case: str
    claude: set[tuple[str, str]] = field(default_factory=set)
    agentls: dict[tuple[str, str], str] = field(default_factory=dict)  # place -> rule
    broken: set[tuple[str, str]] = field(default_factory=set)  # files with a syntax error

    @property
    def both(self) -> set[tuple[str, str]]:
        return self.claude & set(self.agentls)

    def unexplained(self) -> list[str]:
        out = []
        for place in sorted(self.claude - set(self.agentls)):
            out.append(f"{self.case}: Claude Code flags {place}, agentls does not")
        for place, rule in sorted(self.agentls.items()):
            explained = rule in SURFACE_EXPLAINED or (place[0], "") in self.broken
            if place not in self.claude and not explained:
                out.append(f"{self.case}: agentls flags {place} ({rule}), Claude Code does not")
        return out


def _norm(path: str) -> str:
    """Permission rules are one place per list (Claude Code names the list, not the item)."""
    parts = path.split(".")
    if parts[:1] == ["permissions"] and len(parts) >= 3 and parts[1] in ("allow", "ask", "deny"):
        parts = parts[:2]
    if parts[:1] == ["mcpServers"] and len(parts) >= 2:
        parts = parts[:2]  # a server is skipped as a whole
    if parts[:1] == ["hooks"] and len(parts) > 5:
        parts = parts[:5]  # a hook handler is dropped as a whole
    if parts[:1] == ["hooks"] and len(parts) == 4 and parts[3] == "hooks":
        parts = parts[:3]  # a matcher group whose "hooks" is not a list is dropped as a whole
    return ".".join(parts)


def _node_path(node: YNode | None, pos: Position, path: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The dotted path of the deepest key or value at ``pos``."""
    if node is None:
        return path
    if node.kind == "mapping":
        for k, v in node.pairs:
            if k.range.contains(pos) or v.range.contains(pos):
                name = str(k.value)
                if k.range.contains(pos) and v.kind == "scalar":
                    return (*path, name)
                return _node_path(v, pos, (*path, name))
    if node.kind == "sequence":
        for i, item in enumerate(node.items):
            if item.range.contains(pos):
                return _node_path(item, pos, (*path, str(i)))
    return path


def compare_case(obs: dict[str, Any]) -> CaseResult | None:
    if "doctor" not in obs and "mcp_list" not in obs:
        return None
    res = CaseResult(obs["case"])
    for line in obs.get("doctor", []):
        m = _DOCTOR.match(line.split(" | ")[0])
        if m is None or any(k in m["what"] for k in CLAUDE_ONLY):
            continue
        res.claude.add((m["file"], _norm(m["path"] or "")))
    case_dir = CASES / obs["case"]
    for written in obs["files"]:
        if not written.endswith(".json"):
            continue
        rel = written.removeprefix("_home/")  # the case's HOME: doctor prints <home>/...
        p = case_dir / written
        a = analyze(p.read_bytes().decode("utf-8"), "/conformance/project/" + rel)
        if a.dialect not in ("claude-settings", "claude-mcp"):
            continue
        for f in a.findings:
            if f.severity > Severity.WARNING:
                continue
            root = a.json.root if a.json is not None else None
            if f.code in ("AL900", "AL902"):
                where = ""
                if f.code == "AL900":
                    res.broken.add((rel, ""))
            elif f.code == "AL910":
                where = "mcpServers"
            else:
                where = ".".join(_node_path(root, f.range.start))
            res.agentls.setdefault((rel, _norm(where)), f.code)
    return res


def load() -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(OBSERVATIONS.read_text("utf-8"))
    cases: list[dict[str, Any]] = data["cases"]
    return cases
