"""What Claude Code will load from an agent file: the effective configuration.

Pure functions over the document model's :class:`ClaudeView` and the versioned facts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from agentls.dialects.facts import ClaudeFacts, claude_facts
from agentls.document.items import split_items
from agentls.document.model import Document
from agentls.types import Effective

_SPLIT = re.compile(r"[,\s]")
MAX_SUGGESTIONS = 100


def split_tool_string(text: str) -> list[str]:
    """Split on commas and whitespace outside parentheses; drop empty pieces."""
    return [piece for piece, _ in split_items(text)]


def tool_entries(value: Any) -> list[str]:
    """The list grammar of ``tools``/``disallowedTools``/``skills`` (formats.md §2.3)."""
    if value is None:
        return []
    if isinstance(value, str):
        return split_tool_string(value)
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            if isinstance(item, str):
                out.extend(split_tool_string(item))
        return out
    return []


class ToolVerdict(NamedTuple):
    """What one entry of a tool list grants. A named tuple without the entry itself, so
    that most verdicts are shared: a list of 110,000 unknown names needs one."""

    # ok | alias | removed | case | unknown | wildcard | mcp | mcp-bad | agent-list | pattern
    status: str
    resolved: str | None  # the tool it grants, None if dropped (or "*" for wildcard)
    suggestion: str | None = None
    note: str = ""


_MCP = re.compile(r"^mcp__([^_\s](?:[^\s]*?[^_\s])?)(?:__(\*|[^\s]+))?$")
_WILDCARD = ToolVerdict("wildcard", "*")
_UNKNOWN = ToolVerdict("unknown", None, None, "")
_AGENT_LIST = ToolVerdict("agent-list", "Agent")
_MCP_ALL_DENIED = ToolVerdict("mcp", "mcp__*")
_MCP_ALL_ALLOWED = ToolVerdict(
    "mcp-bad", None, "mcp__<server>__*", "`mcp__*` is only meaningful in `disallowedTools`"
)
_MCP_BAD = ToolVerdict("mcp-bad", None, None, "not `mcp__<server>__<tool>`")


def classify_tool(
    entry: str, facts: ClaudeFacts | None = None, *, deny: bool = False, suggest: bool = True
) -> ToolVerdict:
    """What Claude Code makes of one entry of ``tools`` (``deny``: of ``disallowedTools``).

    ``suggest=False`` skips the "did you mean" search (the only costly part: an edit
    distance to every tool name), for entries past those that get a finding of their own.
    Verdicts with a search are cached for the shipped facts (a list names the same tools
    again and again, and the rules and the effective configuration classify each entry);
    those without are kept apart, so that a flood of distinct names does not evict the
    searches."""
    if suggest and (facts is None or facts is claude_facts()):
        return _classify_cached(entry, deny, True)
    if suggest:
        return _classify(entry, facts or claude_facts(), deny, True)
    return classify_tools([entry], facts, deny=deny)[0]


def classify_tools(
    entries: list[str], facts: ClaudeFacts | None = None, *, deny: bool = False
) -> list[ToolVerdict]:
    """:func:`classify_tool` of each entry without the "did you mean" search (ask again with
    ``suggest=True`` for the entries that are reported). In one loop: a 1 MiB list holds
    110,000 entries, and a call per entry cost as much as the verdict."""
    shipped = claude_facts()
    f = facts or shipped
    memo = _NO_SEARCH[deny] if f is shipped else {}
    out: list[ToolVerdict] = []
    for entry in entries:
        v = memo.get(entry)
        if v is None:
            if len(memo) >= 8192:
                memo.clear()
            v = memo[entry] = _classify(entry, f, deny, False)
        out.append(v)
    return out


# Verdicts without a search, for the shipped facts, by ``deny``: a plain map emptied when
# full (an LRU's bookkeeping cost more than the look-ups it saves on a flood of distinct
# names; 1,000 `grep` entries still find theirs).
_NO_SEARCH: tuple[dict[str, ToolVerdict], dict[str, ToolVerdict]] = ({}, {})


@lru_cache(maxsize=8192)
def _classify_cached(entry: str, deny: bool, suggest: bool) -> ToolVerdict:
    return _classify(entry, claude_facts(), deny, suggest)


def _classify(entry: str, facts: ClaudeFacts, deny: bool, suggest: bool) -> ToolVerdict:
    if entry in facts.tools:
        return ToolVerdict("ok", entry)
    if entry == "*":
        return _WILDCARD
    if entry.startswith("mcp__"):
        if entry == "mcp__*":
            return _MCP_ALL_DENIED if deny else _MCP_ALL_ALLOWED
        return ToolVerdict("mcp", entry) if _MCP.match(entry) else _MCP_BAD
    if "(" in entry and entry.endswith(")"):
        base = entry[: entry.index("(")]
        if base in ("Agent", "Task"):
            return _AGENT_LIST
        v = _classify(base, facts, False, suggest)
        if v.resolved:
            return ToolVerdict("pattern", v.resolved, v.suggestion, v.note)
        return ToolVerdict(
            v.status, None, v.suggestion and entry.replace(base, v.suggestion, 1), v.note
        )
    legacy = facts.legacy_tools.get(entry)
    if legacy is not None:
        target = legacy.get("resolvesTo")
        note = str(legacy.get("note", ""))
        if target:
            return ToolVerdict("alias", str(target), str(legacy.get("suggest") or target), note)
        return ToolVerdict("removed", None, legacy.get("suggest"), note)
    proper = facts.tools_lower.get(entry.lower())
    if proper is not None:
        return ToolVerdict("case", None, proper, "tool names are case-sensitive")
    near = nearest(entry, facts.tools) if suggest else None
    return _UNKNOWN if near is None else ToolVerdict("unknown", None, near, "")


def nearest(
    word: str,
    candidates: Iterable[str],
    max_distance: int | None = None,
    lower_bound: Callable[[str], int] | None = None,
) -> str | None:
    """The closest candidate by edit distance (case-insensitive), if close enough; the first
    of the closest, in the candidates' order. ``lower_bound(candidate)``, when given, is at
    most the candidate's distance and cheaper: a candidate it puts out of reach is skipped."""
    w = word.lower()
    limit = max_distance if max_distance is not None else max(1, min(3, len(word) // 3))
    best: tuple[int, str] | None = None
    for c in candidates:
        cl = c.lower()
        if abs(len(cl) - len(w)) > limit:  # the distance is at least the length difference
            continue
        reach = limit if best is None else min(limit, best[0])
        if lower_bound is not None and lower_bound(c) > reach:
            continue
        d = _distance(w, cl, reach)
        if d <= limit and (best is None or d < best[0]):
            best = (d, c)
    return best[1] if best is not None else None


class Vocabulary:
    """Names to suggest ("did you mean"), by the length of their lower case: a look-up reads
    only the names whose length is within the distance, in the order :func:`nearest` reads
    them (sorted), so it gives nearest()'s answer; and computes the distance only to those
    that share enough characters with the word (each edit adds or removes at most one
    character of each side: the distance is at least what either side has that the other
    lacks, counted with repeats). The cross-file rules searched every name of the index for
    each unresolved reference: 1,000 references to 1,000 names one letter off (all of one
    length, one prefix) took 100,000 distances of ~0.3 ms; with the characters compared
    first, 0.5% of them (test_worst_case)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted(set(names))
        self._by_length: dict[int, list[int]] = {}
        self._chars: dict[str, Counter[str]] = {}
        for i, name in enumerate(self.names):
            self._by_length.setdefault(len(name.lower()), []).append(i)
            self._chars[name] = Counter(name.lower())

    def nearest(self, word: str, max_distance: int) -> str | None:
        n = len(word.lower())
        near = sorted(
            i
            for length in range(n - max_distance, n + max_distance + 1)
            for i in self._by_length.get(length, ())
        )
        lw = word.lower()
        counts = Counter(lw).items()

        def lower_bound(name: str) -> int:
            get = self._chars[name].get
            common = sum(min(k, get(c, 0)) for c, k in counts)
            return max(len(lw), len(name.lower())) - common

        return nearest(word, [self.names[i] for i in near], max_distance, lower_bound)


def _distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance; with ``limit``, any value above it once every cell of a row is
    above it (the distance can only grow from there): most candidates stop after a row or
    two."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if limit is not None and min(cur) > limit:
            return min(cur)
        prev = cur
    return prev[-1]


def name_problem(name: str, facts: ClaudeFacts | None = None) -> str | None:
    """Why Claude Code refuses this (string) name, or None."""
    facts = facts or claude_facts()
    if name.startswith("-"):
        return "starts with `-`"
    if ":" in unicodedata.normalize("NFKC", name):
        return "contains `:`" if ":" in name else "contains a character that normalises to `:`"
    if len(name) > facts.name_max:
        return f"is longer than {facts.name_max} characters ({len(name)})"
    return None


def hooks_problem(value: Any, facts: ClaudeFacts | None = None) -> str | None:
    """Why a ``hooks`` value is malformed (the agent is then dropped), or None."""
    return hooks_problems(value, facts)[0]


def hooks_problems(value: Any, facts: ClaudeFacts | None = None) -> tuple[str | None, list[str]]:
    """(fatal problem, entry-level warnings) of a ``hooks`` value.

    Observed in Claude Code 2.1.330: a non-mapping value, a non-list event value, an entry
    without a ``hooks`` list drop the agent; an unknown hook ``type`` only drops that entry.
    """
    facts = facts or claude_facts()
    warnings: list[str] = []
    if value is None:
        return None, warnings
    if not isinstance(value, dict):
        return "`hooks` must be a mapping of event names to lists of matchers", warnings
    for event, matchers in value.items():
        if not isinstance(matchers, list):
            return f"`{event}` must be a list of `{{matcher, hooks}}` entries", warnings
        for m in matchers:
            if not isinstance(m, dict):
                return (
                    f"each entry of `{event}` must be a mapping with `hooks` "
                    "(and an optional `matcher`)"
                ), warnings
            if "matcher" in m and not isinstance(m["matcher"], str):
                return f"`matcher` under `{event}` must be a string", warnings
            hooks = m.get("hooks")
            if not isinstance(hooks, list):
                return f"each entry of `{event}` needs a `hooks` list", warnings
            for h in hooks:
                if not isinstance(h, dict):
                    return f"each hook under `{event}` must be a mapping with a `type`", warnings
                t = h.get("type")
                if t not in facts.hook_types:
                    warnings.append(
                        f"hook `type` under `{event}` must be one of "
                        f"{', '.join(sorted(facts.hook_types))}; got `{t}`: Claude Code ignores "
                        "this hook"
                    )
                elif t == "command" and not isinstance(h.get("command"), str):
                    warnings.append(f"a `command` hook under `{event}` needs a `command` string")
    return None, warnings


TOP_LEVEL_FATAL_HOOKS = ("PreToolUse", "PermissionRequest")


def normalise_model(value: Any, facts: ClaudeFacts | None = None) -> str | None:
    facts = facts or claude_facts()
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip()
    alias = facts.model_alias(v)
    return alias if alias is not None else v


def compute_effective(
    doc: Document, *, mcp_servers: frozenset[str] | None = None, facts: ClaudeFacts | None = None
) -> Effective:
    """The configuration Claude Code loads from this agent file."""
    facts = facts or claude_facts()
    view = doc.claude
    if doc.too_large is not None:
        return Effective(
            False, f"its frontmatter has {doc.too_large:,} lines, more than agentls analyses"
        )
    if not view.has_frontmatter:
        return Effective(False, "it has no frontmatter that Claude Code can read")
    if view.failed:
        return Effective(
            False, "its YAML frontmatter does not parse, even after Claude Code's rescue"
        )
    data = view.data or {}
    if view.not_mapping:
        return Effective(False, "its frontmatter is not a mapping of keys")
    name = data.get("name")
    if "name" not in data or name is None:
        return Effective(False, "it has no `name`")
    if not isinstance(name, str):
        return Effective(False, "its `name` is not a string")
    if name == "":
        return Effective(False, "its `name` is empty")
    why = name_problem(name, facts)
    if why:
        return Effective(False, f"its `name` {why}", name=name)
    desc = data.get("description")
    if not isinstance(desc, str) or desc == "":
        return Effective(False, "its `description` is missing, empty or not a string", name=name)
    for key in TOP_LEVEL_FATAL_HOOKS:
        if key in data:
            return Effective(
                False, f"`{key}` is written at the top level instead of under `hooks`", name=name
            )
    why = hooks_problem(data.get("hooks"), facts)
    if why:
        return Effective(False, f"its `hooks` are malformed: {why}", name=name)

    eff = Effective(True, name=name, description=desc.replace("\\n", "\n"))
    eff.model = normalise_model(data.get("model"), facts)
    color = data.get("color")
    eff.color = color if isinstance(color, str) and color in facts.colors else None
    eff.ignored_keys = [k for k in data if k not in facts.agent_keys]

    denied: set[str] = set()
    deny_all_mcp = False
    if "disallowedTools" in data:
        listed = tool_entries(data.get("disallowedTools"))
        for entry, v in zip(listed, classify_tools(listed, facts, deny=True), strict=True):
            if entry == "mcp__*":
                deny_all_mcp = True
            elif v.resolved and v.resolved != "*":
                denied.add(v.resolved)
    eff.disallowed_tools = sorted(denied)

    if "tools" not in data:
        eff.tools = None
        return eff
    entries = tool_entries(data.get("tools"))
    tools: list[str] = []
    granted: set[str] = set()  # `tools` as a set: 110,000 MCP tools were quadratic
    wildcard = False
    dropped = eff.dropped_tools
    for entry, v in zip(entries, classify_tools(entries, facts), strict=True):
        if v.resolved is None:
            if len(dropped) < MAX_SUGGESTIONS:
                # "did you mean" for the first dropped entries only (hover lists them; a
                # generated list of 110,000 unknown names would search for each)
                v = classify_tool(entry, facts, suggest=True)
            dropped.append((entry, "unknown tool" if v is _UNKNOWN else _drop_reason(v)))
            continue
        if v.status == "wildcard":
            wildcard = True
            continue
        if v.status == "mcp":
            server = entry[5:].split("__", 1)[0]
            if mcp_servers is not None and server not in mcp_servers:
                eff.dropped_tools.append((entry, f"no MCP server `{server}` is configured"))
                continue
            if deny_all_mcp:
                continue
        if v.resolved in denied:
            continue
        if v.resolved not in granted:
            granted.add(v.resolved)
            tools.append(v.resolved)
    if wildcard:
        eff.tools = None
        return eff
    memory = data.get("memory")
    if isinstance(memory, str) and memory in facts.memory:
        for t in ("Read", "Write", "Edit"):
            if t not in tools and t not in denied:
                tools.append(t)
    eff.tools = tools
    return eff


def _drop_reason(v: ToolVerdict) -> str:
    if v.status == "case":
        return f"tool names are case-sensitive; did you mean `{v.suggestion}`?"
    if v.status == "removed":
        return f"removed from Claude Code{f'; use `{v.suggestion}`' if v.suggestion else ''}"
    if v.status == "mcp-bad":
        return v.note or "malformed MCP tool reference"
    if v.suggestion:
        return f"unknown tool; did you mean `{v.suggestion}`?"
    return "unknown tool"
