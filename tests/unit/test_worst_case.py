"""Generated worst cases of about 1 MB (issue 14, class 7): the work is bounded, counted here
in operations (did-you-mean searches, engine runs, findings), never in seconds; the timings
of the same documents at 1x and 4x are in bench/bench_worst_case.py."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

import agentls.effective as effective
from agentls.dialects.sniff import frontmatter_keys, sniff_dialect
from agentls.document.items import split_items
from agentls.engine import analyze
from agentls.rules.common import MAX_FINDINGS_PER_KIND

AGENT = "/ws/.claude/agents/a.md"
PATHS = [
    AGENT,
    "/ws/.github/agents/a.agent.md",
    "/ws/.claude/skills/a/SKILL.md",
    "/ws/.opencode/agent/a.md",
    "/ws/notes/a.md",  # no dialect by path: content sniffing
]


def _fm(*lines: str) -> str:
    return (
        "---\nname: a\ndescription: Use when x\n" + "".join(f"{ln}\n" for ln in lines) + "---\nB\n"
    )


def unknown_tools(n: int = 110_000) -> str:
    return _fm("tools: " + ", ".join(f"t{i}" for i in range(n)))


def test_a_megabyte_of_unknown_tools_is_capped_and_searched_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = unknown_tools()
    assert 800_000 < len(text) < 1_048_576  # under Claude Code's 1 MiB limit
    searches = Counter[str]()
    real = effective.nearest

    def counting(word: str, *args: object, **kwargs: object) -> str | None:
        searches[word] += 1
        return real(word, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(effective, "nearest", counting)
    effective._classify_cached.cache_clear()
    a = analyze(text, AGENT)
    per_code = Counter(f.code for f in a.findings)
    assert per_code["AL021"] == MAX_FINDINGS_PER_KIND + 1
    assert a.findings[-1].message.startswith("… and 109,900 more")
    # the rules and the effective configuration each search for the first 100 only
    assert sum(searches.values()) <= 2 * effective.MAX_SUGGESTIONS
    assert a.effective is not None and a.effective.tools == []


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (unknown_tools(), AGENT),
        (_fm(*(f"k{i}: v" for i in range(4_000))), "/ws/.github/agents/a.agent.md"),
        (_fm(*(f"k{i}: v" for i in range(4_000))), "/ws/.opencode/agent/a.md"),
    ],
    ids=["110,000 unknown tools", "4,000 unknown keys", "4,000 open-schema keys"],
)
def test_findings_past_the_cap_are_counted_not_built(
    text: str, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Building each finding (message, range, did-you-mean) only for cap_findings to drop it
    # was most of the 0.08 ms per entry of these documents.
    import agentls.rules.registry as registry

    built = Counter[str]()
    real = registry.finding

    def counting(rule_id: str, *args: object, **kwargs: object) -> object:
        built[rule_id] += 1
        return real(rule_id, *args, **kwargs)  # type: ignore[arg-type]

    for module in (
        "agentls.rules.claude.tools",
        "agentls.rules.schema_rules",
        "agentls.rules.common",
    ):
        monkeypatch.setattr(f"{module}.finding", counting, raising=False)
    monkeypatch.setattr(registry, "finding", counting)
    searches = [0]
    real_nearest = effective.nearest

    def counting_nearest(*args: object, **kwargs: object) -> str | None:
        searches[0] += 1
        return real_nearest(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(effective, "nearest", counting_nearest)
    monkeypatch.setattr("agentls.rules.schema_rules.nearest", counting_nearest)
    effective._classify_cached.cache_clear()
    a = analyze(text, path)
    # the kept ones and the one that counts the rest (then cap_findings' "… and N more")
    assert max(built.values()) <= MAX_FINDINGS_PER_KIND + 3, built
    assert searches[0] <= 2 * effective.MAX_SUGGESTIONS + 2
    counts = Counter(f.code for f in a.findings)
    assert max(counts.values()) == MAX_FINDINGS_PER_KIND + 1
    assert a.findings[-1].message.startswith("… and ") and a.findings[-1].count > 3_000


@pytest.mark.parametrize("path", PATHS)
def test_every_rule_reports_a_bounded_number_of_findings(path: str) -> None:
    n = 1_000
    for text in (
        _fm(*(f"k{i}: v" for i in range(n))),  # unknown keys
        _fm(*(f"k{i}: v #c" for i in range(n))),  # comments cutting values
        _fm(*(f"k{i}: a: b" for i in range(n))),  # values that need quotes
        _fm("tools: " + ", ".join(["Read"] * n)),  # duplicates
        _fm("mcpServers:", *(["  - 42"] * n)),
        _fm("hooks:", *(f"  Ev{i}: []" for i in range(n))),
    ):
        counts = Counter(f.code for f in analyze(text, path).findings)
        assert max(counts.values(), default=0) <= MAX_FINDINGS_PER_KIND + 1, counts


@pytest.mark.parametrize("path", PATHS)
def test_long_runs_of_spaces_are_read(path: str) -> None:
    # Each of these took 3 to 15 s with 20,000 spaces (regular expressions with two
    # quantifiers over the same spaces); 60,000 here.
    run = " " * 60_000
    for line in (
        run,
        "k" + run + "x",
        "k: a" + run + "b",
        "k: v" + run + "#",
        "k" + run + ":",
        "tools: Read" + run + "Grep",
        'description: "a' + run + "b",
    ):
        a = analyze(_fm(line), path)
        assert a.path == path
    keys = frontmatter_keys(
        "---\nname: a\ndescription: x\nmodel:" + run + "sonnet" + run + "\n---\n"
    )
    assert keys is not None and keys["model"] == "sonnet"
    assert sniff_dialect("---\nname: a\ndescription: x\nk: a" + run + "b\n---\n") is None


def _reference_split(text: str) -> list[tuple[str, int]]:
    """The loop the three copies ran (effective.py, index.py, claude_agent.py)."""
    out, depth, start = [], 0, None
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        if depth == 0 and (ch == "," or ch.isspace()):
            if start is not None:
                out.append((text[start:i], start))
                start = None
        elif start is None:
            start = i
    if start is not None:
        out.append((text[start:], start))
    return out


@given(st.text(alphabet=st.sampled_from(list("ab(), \t\n\x0b\x1c\x85\u2028\u3000é")), max_size=60))
def test_the_one_splitter_agrees_with_the_loop(text: str) -> None:
    assert split_items(text) == _reference_split(text)
    assert split_items(text.replace("(", "")) == _reference_split(text.replace("(", ""))


def test_fix_verification_is_bounded_in_engine_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # A code action over 1,000 `grep` entries verified each fix with its own engine run
    # over the whole file (11 s); fix-all did so in each of its rounds.
    import agentls.editing.fixes as fixes

    text = _fm("tools:", *(["  - grep"] * 1_000))
    before = analyze(text, AGENT)
    runs = [0]
    real = fixes.analyze

    def counting(*args: object, **kwargs: object) -> object:
        runs[0] += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fixes, "analyze", counting)
    offered, skipped = fixes.offered_fixes(text, AGENT, None, before, before.findings)
    assert len(offered) == fixes.MAX_OFFERED_FINDINGS and skipped > 0
    assert all(fx.edits[0].new_text == "Grep" for _, fx in offered)
    assert runs[0] <= fixes.MAX_VERIFY_RUNS
    runs[0] = 0
    new, applied, _ = fixes.fix_all(text, AGENT)
    # Rounds mix `grep` -> `Grep` (AL021) with the removal of the duplicates the first round
    # made (AL108), which undo each other's count: judged as halves, that was 57 runs for 104
    # fixes; one rule's batch per round when the mix fails is a few runs per round.
    assert runs[0] <= 1 + fixes.MAX_ROUNDS * 4, runs[0]
    assert len(applied) >= 150 and "- Grep" in new


def test_a_few_fixes_are_still_judged_one_by_one() -> None:
    import agentls.editing.fixes as fixes

    text = _fm("tools: grep, glob, read")
    before = analyze(text, AGENT)
    offered, skipped = fixes.offered_fixes(text, AGENT, None, before, before.findings)
    assert skipped == 0
    assert sorted(fx.edits[0].new_text for _, fx in offered) == ["Glob", "Grep", "Read"]


def _resolve_by_patterns(text: str) -> object:
    """resolve_plain without its first-character shortcut: every pattern of the core schema."""
    from agentls.document import yamltree as y

    for pattern, value in ((y._NULL, None), (y._BOOL_TRUE, True), (y._BOOL_FALSE, False)):
        if pattern.match(text):
            return value
    number = y.parse_int(text)
    if number is not None:
        return number
    if y._FLOAT.match(text):
        return float(text)
    if y._INF.match(text) or y._NAN.match(text):
        return y.resolve_plain(text)  # inf / nan: compared by repr below
    return text


@given(st.text(alphabet=st.sampled_from(list("~nNtTfFrueals0189+-.eEoxX_ \nINaAé")), max_size=8))
def test_plain_scalars_resolve_as_every_pattern_says(text: str) -> None:
    from agentls.document.yamltree import resolve_plain

    assert repr(resolve_plain(text)) == repr(_resolve_by_patterns(text))
    assert repr(resolve_plain("a" + text)) == repr("a" + text)


def test_did_you_mean_across_files_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each unresolved reference searched every name of the index (and listed and sorted
    # them first): O(references x names). Now: the names are built once per kind, a search
    # reads the names of about the same length, and the first MAX_SUGGESTIONS unresolved
    # references of a file get a suggestion.
    from agentls.index import WorkspaceIndex
    from agentls.rules.cross_file import cross_file_findings

    index = WorkspaceIndex()
    for i in range(300):
        index.update(f"/ws/.claude/skills/skill-{i:04d}/SKILL.md", "---\ndescription: x\n---\nB\n")
    for i in range(50):  # names of other lengths are never read
        index.update(f"/ws/.claude/skills/{'x' * 20}{i}/SKILL.md", "---\ndescription: x\n---\nB\n")
    refs = ", ".join(f"skil-{i:04d}" for i in range(1_000))
    agent = "/ws/.claude/agents/a.md"
    index.update(agent, f"---\nname: a\ndescription: Use when x\nskills: {refs}\n---\nB\n")
    searched: list[int] = []
    distances = [0]
    real, real_distance = effective.nearest, effective._distance

    def counting(word: str, candidates: list[str], *args: object, **kwargs: object) -> str | None:
        searched.append(len(candidates))
        return real(word, candidates, *args, **kwargs)  # type: ignore[arg-type]

    def distance(a: str, b: str, limit: int | None = None) -> int:
        distances[0] += 1
        return real_distance(a, b, limit)

    monkeypatch.setattr(effective, "nearest", counting)
    monkeypatch.setattr(effective, "_distance", distance)
    findings = cross_file_findings(index, agent)
    assert len([f for f in findings if f.code == "AL303"]) == 1_000
    assert findings[0].message.endswith("Did you mean `skill-0000`?")
    assert len(searched) == effective.MAX_SUGGESTIONS and max(searched) == 300
    # the distance to the names that share too few characters is never computed: 100
    # searches of 300 names of the same length and prefix computed 30,000 distances (1,882
    # now: names of four digits share many)
    assert distances[0] <= 3_000, distances[0]
    assert not findings[-1].message.endswith("?")


@given(
    st.lists(st.text(alphabet="abAB-éİ", min_size=1, max_size=6), max_size=30),
    st.text(alphabet="abAB-éİ", max_size=7),
    st.integers(0, 3),
)
def test_the_vocabulary_finds_what_nearest_finds(names: list[str], word: str, d: int) -> None:
    # the alphabet has letters whose lower case is longer (İ) or shared (A, a) and repeats
    assert effective.Vocabulary(names).nearest(word, d) == effective.nearest(
        word, sorted(set(names)), d
    )


def test_unknown_server_names_in_settings_are_searched_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # enabledMcpjsonServers / disabledMcpjsonServers names no server of .mcp.json defines get
    # "did you mean": each searched every server, 1,000 unknown names x 1,000 servers one
    # letter off computed 1,000,000 distances (measured before the bound); now the first
    # MAX_SUGGESTIONS names are searched, over the servers grouped once (Vocabulary)
    import json

    from agentls.index import WorkspaceIndex
    from agentls.rules.cross_file import cross_file_findings

    servers = {f"server-{i:04d}": {"command": "x"} for i in range(1_000)}
    unknown = [f"servr-{i:04d}" for i in range(1_000)]
    index = WorkspaceIndex()
    index.update("/ws/.mcp.json", json.dumps({"mcpServers": servers}))
    settings = "/ws/.claude/settings.json"
    index.update(settings, json.dumps({"enabledMcpjsonServers": unknown}))
    distances = [0]
    real_distance = effective._distance

    def distance(a: str, b: str, limit: int | None = None) -> int:
        distances[0] += 1
        return real_distance(a, b, limit)

    monkeypatch.setattr(effective, "_distance", distance)
    findings = [f for f in cross_file_findings(index, settings) if f.code == "AL307"]
    assert len(findings) == 1_000
    assert findings[0].message.endswith("Did you mean `server-0000`?")
    assert sum(f.message.endswith("?") for f in findings) == effective.MAX_SUGGESTIONS
    assert distances[0] <= 10_000, distances[0]
