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
import os
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


# --------------------------------------------------------------------------- plugins, marketplaces
#
# ``claude plugin validate --json`` names a place per error or warning (``plugins[0].name``,
# ``hooks`` with the event path in its message, ``json`` for a syntax error, ``frontmatter``);
# the ``--plugin-dir`` session says which agents, commands and skills it kept and, in its debug
# log, which component files it warned about; ``marketplace add`` / ``install`` fail or not.
# Each becomes a place: (file, dotted path of the deepest node that exists) for a JSON file,
# (file, "") for a Markdown component, and three verdict places: (plugin.json, NO_LOAD),
# (marketplace.json, NO_ADD), (marketplace.json, "plugins.N" + NO_INSTALL). agentls's
# findings give the same places: each finding's node (errors, warnings; information too on a
# component file, where it is how agentls says "loaded, but..."), and the verdicts its
# messages state: an error on plugin.json, or on a guard event's hook in hooks.json, is "the
# plugin does not load at all"; a schema error or a missing source under ``plugins[N]`` is
# "this plugin cannot be installed"; any other schema or syntax error of marketplace.json is
# "`/plugin marketplace add` fails".

NO_LOAD = "<the plugin does not load>"
NO_ADD = "<marketplace add fails>"
NO_INSTALL = ":<install fails>"
_JSON_DIALECTS = ("claude-plugin", "claude-marketplace", "claude-plugin-hooks", "claude-mcp")
_COMPONENT_DIALECTS = ("claude-plugin-agent", "claude-command", "claude-skill")
_SCHEMA_CODES = ("AL900", "AL902", "AL904", "AL905")

# What ``claude plugin validate`` says that is advice rather than a verdict on the file: the
# plugin loads and installs the same with or without it (docs/conformance.md).
VALIDATE_ADVICE = {
    "No version specified": "advice for a listing: a plugin without `version` loads the same",
    "No description provided": "advice for a listing: `description` is optional",
    "No author information provided": "advice for a listing: `author` is optional",
    "No marketplace description provided": "advice for a listing: `description` is optional",
}
# What ``claude plugin validate`` says that agentls does not check: none left (AL937, AL938
# were added for them); kept for the next release's new warnings.
VALIDATE_NOT_CHECKED: dict[str, str] = {}
# A union's summary beside the precise error below it: one problem, said twice.
_ECHO = ("Invalid input", "Unrecognized key")
# Places one side flags that the other cannot see in these files: (case, file, place).
CASE_EXPLAINED: dict[tuple[str, str, str], str] = {
    ("plugin-optional-deps", "plugin/.claude-plugin/plugin.json", NO_LOAD): (
        "`dependencies` names `core`, which is not installed where the session runs: Claude "
        "Code leaves out a plugin whose dependencies are missing; what is installed is not in "
        "the files"
    ),
}
AGENTLS_CASE_EXPLAINED: dict[tuple[str, str, str], str] = {
    ("market-problems", "market/.claude-plugin/marketplace.json", "plugins.0.name"): (
        "validate looks for duplicate names only once the schema passes (plugins[3] has no "
        "name); alone, both names are flagged (case market-duplicate)"
    ),
    ("market-problems", "market/.claude-plugin/marketplace.json", "plugins.1.name"): (
        "as plugins.0.name"
    ),
}
# Rules of agentls that say more than Claude Code does on these files, on purpose.
PLUGIN_EXPLAINED = {
    **SURFACE_EXPLAINED,
    "AL230": "bypassPermissions in an agent: agentls's security warning, Claude Code loads it",
    "AL452": "a plugin agent without description: Claude Code loads it with a stock one",
    "AL936": "the manifest's end of the finding on each agent or command file its list "
    "leaves out (Claude Code's verdict is on the file: it is not loaded)",
    "AL505": "portability: claude.ai upload, the Skills API and Agent Skills tools reject a "
    "description over 1,024 characters; Claude Code loads it",
}
_NO_LOAD_CODES = (*_SCHEMA_CODES, "AL906")


@dataclass
class PluginResult(CaseResult):
    claude_explained: dict[tuple[str, str], str] = field(default_factory=dict)
    agentls_explained: dict[tuple[str, str], str] = field(default_factory=dict)

    def matched(self, place: tuple[str, str], other: set[tuple[str, str]]) -> bool:
        """``place`` is flagged on the other side at it, or at a node inside it, or around it
        (validate names an event where agentls names the hook's command)."""
        file, where = place
        return any(
            f == file and (w == where or (w and where and (_inside(w, where) or _inside(where, w))))
            for f, w in other
        )

    def unexplained(self) -> list[str]:
        out = []
        for place in sorted(self.claude):
            if not self.matched(place, set(self.agentls)) and place not in self.claude_explained:
                out.append(f"{self.case}: Claude Code flags {place}, agentls does not")
        for place, rule in sorted(self.agentls.items()):
            explained = (
                rule in PLUGIN_EXPLAINED
                or (place[0], "") in self.broken
                or place in self.agentls_explained
            )
            if not self.matched(place, self.claude) and not explained:
                out.append(f"{self.case}: agentls flags {place} ({rule}), Claude Code does not")
        return out


def _inside(inner: str, outer: str) -> bool:
    """Whether the dotted path ``inner`` is ``outer`` or below it (verdict places aside)."""
    return "<" not in inner + outer and (inner + ".").startswith(outer + ".")


def _split(path: str) -> list[str]:
    return [p for p in re.split(r"[.\[\]]+", path) if p]


def _existing(node: YNode | None, parts: list[str]) -> str:
    """The dotted path of the deepest node of ``parts`` that exists in the tree."""
    got: list[str] = []
    for part in parts:
        if node is None:
            break
        nxt = None
        if node.kind == "mapping":
            nxt = next((v for k, v in node.pairs if str(k.value) == part), None)
        elif node.kind == "sequence" and part.isdigit() and int(part) < len(node.items):
            nxt = node.items[int(part)]
        if nxt is None:
            break
        got.append(part)
        node = nxt
    return ".".join(got)


_MESSAGE_PATH = re.compile(r"^(hooks(?:\.[^:\s]+)?): ")


def _claude_place(root: YNode | None, path: str, message: str) -> str:
    if path in ("json", "root", "frontmatter"):
        return ""
    m = _MESSAGE_PATH.match(message)
    if path == "hooks" and m is not None:
        path = m[1]  # hooks.json and inline hooks name the entry in the message
    return _norm(_existing(root, _split(path)))


def _component_files(plugin: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Component file (relative to the plugin) -> the name Claude Code would give it and the
    lists of the init line it would be in (a skill is listed among the commands too)."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for p in sorted(plugin.glob("agents/**/*.md")):
        m = re.search(r"(?m)^name:\s*['\"]?([^'\"\s]+)", p.read_text("utf-8", "replace"))
        out[p.relative_to(plugin).as_posix()] = (m[1] if m else p.stem, ("agents",))
    for p in sorted(plugin.glob("commands/**/*.md")):
        out[p.relative_to(plugin).as_posix()] = (p.stem, ("commands",))
    for p in sorted(plugin.glob("skills/*")):
        if p.is_file() and p.suffix.lower() == ".md":
            out[p.relative_to(plugin).as_posix()] = (p.stem, ("skills", "commands"))
        for q in sorted(p.glob("*")) if p.is_dir() else []:
            if q.name.lower() in ("skill.md", "skills.md"):
                out[q.relative_to(plugin).as_posix()] = (p.name, ("skills", "commands"))
    return out


def agentls_results(proj: Path) -> list[Any]:
    """``agentls check`` on the project at ``proj`` (cross-file findings included)."""
    from agentls.check import add_configurations, add_cross_file_findings, configs
    from agentls.discovery import check_candidates
    from agentls.scheduling import check_all

    cwd = os.getcwd()
    os.chdir(proj)  # check's paths are relative, as on the command line
    try:
        results = add_configurations(
            check_all(check_candidates(["."], None, [], configs(True)), None, 1)
        )
        add_cross_file_findings(results)
    finally:
        os.chdir(cwd)
    return results


def compare_plugin_case(obs: dict[str, Any], proj: Path) -> PluginResult | None:
    """Claude Code's places and agentls's on the plugins and marketplaces of one case,
    ``proj`` being a copy of the case folder."""
    if "plugins" not in obs and "marketplaces" not in obs:
        return None
    res = PluginResult(obs["case"])
    trees: dict[str, Any] = {}
    results = agentls_results(proj)
    for r in results:
        rel = os.path.normpath(r.path).replace(os.sep, "/")
        trees[rel] = r.analysis
    _agentls_places(res, trees)

    def root_of(file: str) -> YNode | None:
        a = trees.get(file)
        return a.json.root if a is not None and a.json is not None else None

    def validated(v: dict[str, Any]) -> None:
        for entry in [v.get("manifest"), *v.get("contents", [])]:
            if not isinstance(entry, dict):
                continue
            file = str(entry["file"]).removeprefix("<proj>/")
            items = [*entry["errors"], *entry["warnings"]]
            places = [_claude_place(root_of(file), i["path"], i["message"]) for i in items]
            for item, place in zip(items, places, strict=True):
                msg = item["message"]
                why = [
                    w for k, w in {**VALIDATE_ADVICE, **VALIDATE_NOT_CHECKED}.items() if k in msg
                ]
                below = [q for q in places if q.startswith(place + ".") or (q and not place)]
                if msg.startswith(_ECHO) and below:
                    why.append(f"the union's summary of the problem at {below[0]}")
                if why:
                    res.claude_explained[(file, place)] = why[0]
                else:
                    res.claude.add((file, place))

    for rel, plugin in obs.get("plugins", {}).items():
        validated(plugin["validate"])
        manifest = f"{rel}/.claude-plugin/plugin.json"
        load = plugin["load"]
        if not load["loaded"]:
            res.claude.add((manifest, NO_LOAD))
        else:
            for file, (name, lists) in _component_files(proj / rel).items():
                if not any(f"{load['loaded'][0]}:{name}" in load[k] for k in lists):
                    res.claude.add((f"{rel}/{file}", ""))
        for line in load["log"]:
            m = re.search(r"<proj>/(\S+?\.md)\b", line)
            if m and (proj / m[1]).is_file():
                res.claude.add((m[1], ""))
    for rel, market in obs.get("marketplaces", {}).items():
        validated(market["validate"])
        manifest = f"{rel}/.claude-plugin/marketplace.json"
        if "Failed to add marketplace" in market["add"]:
            res.claude.add((manifest, NO_ADD))
        names = _entry_names(proj / manifest)
        for name, said in market["install"].items():
            if "Failed to install" in said and name in names:
                res.claude.add((manifest, f"plugins.{names.index(name)}{NO_INSTALL}"))
        for line in market.get("load", {}).get("log", []):
            place = _entry_component_place(proj / manifest, line)
            if place is not None:
                res.claude.add((manifest, place))
    for (case, file, place), why in CASE_EXPLAINED.items():
        if case == res.case:
            res.claude_explained[(file, place)] = why
    for (case, file, place), why in AGENTLS_CASE_EXPLAINED.items():
        if case == res.case:
            res.agentls_explained[(file, place)] = why
    return res


# "[ERROR] Skill path ./x from marketplace entry is a file, not a directory, for alpha",
# "[ERROR] Agent path ./x from marketplace entry not found at <path> for alpha"
_ENTRY_LOG = re.compile(r"\] (\w+) path (\S+) from marketplace entry .* for (\S+)$")


def _entry_component_place(manifest: Path, line: str) -> str | None:
    """The place (``plugins.N.skills.M``) of an entry's component path that a session's
    loader reported, or None for another line."""
    m = _ENTRY_LOG.search(line)
    if m is None:
        return None
    key, rel, name = f"{m[1].lower()}s", m[2], m[3]
    try:
        entries = json.loads(manifest.read_text("utf-8")).get("plugins", [])
        n = [str(e.get("name")) for e in entries].index(name)
        listed = entries[n].get(key)
        listed = [listed] if isinstance(listed, str) else listed
        return f"plugins.{n}.{key}.{listed.index(rel)}" if isinstance(listed, list) else None
    except (ValueError, AttributeError, OSError, TypeError):
        return None


def _entry_names(manifest: Path) -> list[str]:
    """The names the recorder installed, one per entry (``str(None)`` for an unnamed one)."""
    try:
        data = json.loads(manifest.read_text("utf-8"))
        return [str(p.get("name")) for p in data.get("plugins", []) if isinstance(p, dict)]
    except (ValueError, AttributeError, OSError):
        return []


def _agentls_places(res: PluginResult, analyses: dict[str, Any]) -> None:
    from agentls.rules.claude_json import hook_guards

    guards = hook_guards()
    for rel, a in analyses.items():
        if a.dialect in _COMPONENT_DIALECTS:
            for f in a.findings:
                if f.severity <= Severity.INFORMATION:
                    res.agentls.setdefault((rel, ""), f.code)
            continue
        if a.dialect not in _JSON_DIALECTS:
            continue
        root = a.json.root if a.json is not None else None
        folder = rel.rsplit("/.claude-plugin/", 1)[0]
        for f in a.findings:
            if f.severity > Severity.WARNING:
                continue
            whole = f.code in ("AL900", "AL902", "AL935")
            where = "" if whole else ".".join(_node_path(root, f.range.start))
            if f.code == "AL900":
                res.broken.add((rel, ""))
            if f.code != "AL934":  # its verdict is the failed install (below)
                res.agentls.setdefault((rel, _norm(where)), f.code)
            if f.severity != Severity.ERROR:
                continue
            parts = where.split(".")
            if a.dialect == "claude-plugin" and f.code in _NO_LOAD_CODES:
                res.agentls.setdefault((rel, NO_LOAD), f.code)
            elif a.dialect == "claude-plugin-hooks" and parts[:1] == ["hooks"] and len(parts) > 2:
                if parts[1] in guards:
                    plugin = rel.rsplit("/hooks/", 1)[0]
                    res.agentls.setdefault(
                        (f"{plugin}/.claude-plugin/plugin.json", NO_LOAD), f.code
                    )
            elif a.dialect == "claude-marketplace":
                if (
                    parts[:1] == ["plugins"]
                    and len(parts) > 1
                    and f.code in (*_SCHEMA_CODES, "AL934")
                ):
                    place = f"plugins.{parts[1]}{NO_INSTALL}"
                    res.agentls.setdefault((rel, place), f.code)
                elif f.code in _SCHEMA_CODES:
                    res.agentls.setdefault(
                        (f"{folder}/.claude-plugin/marketplace.json", NO_ADD), f.code
                    )
