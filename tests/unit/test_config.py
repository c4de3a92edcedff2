"""The project configuration: every key, its errors (placed), where it is found, what it does
to findings (the engine's exit), and the Claude Code version of the facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentls.config.discovery import ConfigStore
from agentls.config.globs import GlobError, compile_glob
from agentls.config.model import KEY_NAMES, read_config, selector
from agentls.config.policy import DEFAULT, policy_for
from agentls.engine import analyze
from agentls.rules.registry import rules
from agentls.types import Severity

# An agent with three findings of known rules: AL013 (name/file), AL016 (description
# quality) and AL028 (colour).
AGENT = "---\nname: foo\ndescription: Reviews code.\ncolor: gold\n---\nYou review code.\n"


def project(tmp_path: Path, config: str | None, name: str = "pyproject.toml") -> Path:
    (tmp_path / ".git").mkdir()
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "bar.md").write_text(AGENT)
    if config is not None:
        (tmp_path / name).write_text(config)
    return agents / "bar.md"


def codes_of(path: Path, store: ConfigStore | None = None) -> list[str]:
    store = store or ConfigStore()
    a = analyze(path.read_text(), str(path), policy=store.policy_for(str(path)))
    return sorted(f.code for f in a.findings)


def config_findings(text: str, name: str = "agentls.toml") -> list[tuple[int, int, str, str]]:
    c = read_config(f"/p/{name}", "/p", text)
    assert c is not None
    return [(f.range.start.line, f.range.start.character, f.code, f.message) for f in c.findings]


# --------------------------------------------------------------------------- keys


def test_without_configuration_every_rule_reports(tmp_path: Path) -> None:
    agent = project(tmp_path, None)
    assert codes_of(agent) == ["AL013", "AL016", "AL028"]
    assert ConfigStore().policy_for(str(agent)) is DEFAULT


def test_select_replaces_the_default_and_takes_prefixes_names_and_codes(tmp_path: Path) -> None:
    agent = project(tmp_path, '[tool.agentls]\nselect = ["AL02"]\n')
    assert codes_of(agent) == ["AL028"]
    agent.parent.joinpath("x").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.agentls]\nselect = ["name-filename-mismatch", "AL016"]\n'
    )
    assert codes_of(agent) == ["AL013", "AL016"]


def test_extend_select_adds_to_select(tmp_path: Path) -> None:
    agent = project(tmp_path, 'select = ["AL02"]\nextend-select = ["AL013"]\n', "agentls.toml")
    assert codes_of(agent) == ["AL013", "AL028"]


def test_ignore_and_the_most_specific_entry_wins(tmp_path: Path) -> None:
    agent = project(tmp_path, 'ignore = ["AL0"]\nselect = ["ALL", "AL016"]\n', "agentls.toml")
    # AL016 is selected by its code (more specific than the ignored prefix AL0)
    assert codes_of(agent) == ["AL016"]
    (tmp_path / "agentls.toml").write_text('ignore = ["AL016"]\nselect = ["AL016"]\n')
    assert codes_of(agent) == []  # equal specificity: ignore wins


def test_severity_overrides_by_code_name_or_prefix(tmp_path: Path) -> None:
    agent = project(
        tmp_path,
        'severity = { AL0 = "error", "description-quality" = "info", AL028 = "hint" }\n',
        "agentls.toml",
    )
    a = analyze(agent.read_text(), str(agent), policy=ConfigStore().policy_for(str(agent)))
    got = {f.code: f.severity for f in a.findings}
    assert got == {
        "AL013": Severity.ERROR,
        "AL016": Severity.INFORMATION,
        "AL028": Severity.HINT,
    }


def test_exclude_silences_the_whole_file_and_says_why(tmp_path: Path) -> None:
    agent = project(tmp_path, 'exclude = [".claude/agents/b*.md"]\n', "agentls.toml")
    policy = ConfigStore().policy_for(str(agent))
    assert policy.excluded and "`exclude` `.claude/agents/b*.md`" in policy.excluded
    a = analyze(agent.read_text(), str(agent), policy=policy)
    assert a.findings == []
    assert sorted(s.finding.code for s in a.suppressed) == ["AL013", "AL016", "AL028"]


def test_per_file_ignores(tmp_path: Path) -> None:
    agent = project(
        tmp_path,
        '[per-file-ignores]\n"bar.md" = ["AL016"]\n"other/**" = ["AL028"]\n',
        "agentls.toml",
    )
    assert codes_of(agent) == ["AL013", "AL028"]
    a = analyze(agent.read_text(), str(agent), policy=ConfigStore().policy_for(str(agent)))
    (s,) = a.suppressed
    assert s.reason.startswith("`per-file-ignores` `bar.md` (") and s.reason.endswith(":2)")


def test_dialects_gives_a_path_its_dialect(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    prompt = tmp_path / "prompts" / "p.md"
    prompt.parent.mkdir()
    prompt.write_text("---\nname: p\ndescription: Use when x.\nmodel: fable-9\n---\nBody\n")
    assert analyze(prompt.read_text(), str(prompt)).dialect is None
    (tmp_path / "agentls.toml").write_text('dialects = { "prompts/*.md" = "claude-agent" }\n')
    policy = ConfigStore().policy_for(str(prompt))
    assert policy.dialect == "claude-agent"
    a = analyze(prompt.read_text(), str(prompt), policy=policy)
    assert a.dialect == "claude-agent" and "AL029" in {f.code for f in a.findings}


def test_claude_code_version_is_one_the_data_files_provide() -> None:
    from agentls.dialects.facts import facts_versions, pinned_version

    assert config_findings(f'claude-code-version = "{pinned_version()}"\n') == []
    ((line, col, code, message),) = config_findings('claude-code-version = "0.0.1"\n')
    assert (line, col, code) == (0, 22, "AL992")
    assert pinned_version() in message and "0.0.1" in message
    assert list(facts_versions()) == [pinned_version()]


def test_a_second_version_of_the_facts_is_used_when_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data layout takes a second version: claude-code@<v>.json beside claude-code.json.
    Here a copy whose colour list lacks `gold`'s neighbour... and has `gold`."""
    import agentls.data as data
    from agentls.dialects import facts

    pinned = json.loads((Path(data.__file__).parent / "claude-code.json").read_text())
    other = dict(pinned, claudeCodeVersion="9.9.9", colors=[*pinned["colors"], "gold"])
    real_load = data.load_json.__wrapped__

    def load(name: str) -> object:
        return other if name == "claude-code@9.9.9.json" else real_load(name)

    monkeypatch.setattr(facts, "load_json", load)
    monkeypatch.setattr(facts, "data_files", lambda: ("claude-code@9.9.9.json",))
    facts.facts_versions.cache_clear()
    facts._facts.cache_clear()
    try:
        assert list(facts.facts_versions()) == [pinned["claudeCodeVersion"], "9.9.9"]
        agent = project(tmp_path, 'claude-code-version = "9.9.9"\n', "agentls.toml")
        assert codes_of(agent) == ["AL013", "AL016"]  # gold is a colour of 9.9.9
        (tmp_path / "agentls.toml").write_text("")
        assert codes_of(agent) == ["AL013", "AL016", "AL028"]
        assert facts.claude_facts().version == pinned["claudeCodeVersion"]
    finally:
        facts.facts_versions.cache_clear()
        facts._facts.cache_clear()


# --------------------------------------------------------------------------- errors


def test_unknown_keys_wrong_types_and_unknown_rules_are_placed() -> None:
    text = (
        "[tool.agentls]\n"
        'ignroe = ["AL013"]\n'
        'select = "AL016"\n'
        'ignore = ["AL0133", 16, "description-qualty"]\n'
        'severity = { AL016 = "loud", AL999 = "hint" }\n'
        'exclude = ["ok/**", "[broken"]\n'
        'per-file-ignores = { "x/**" = "AL016" }\n'
        'dialects = { "p/*.md" = "claude-agnt" }\n'
        "claude-code-version = 2\n"
    )
    got = config_findings(text, "pyproject.toml")
    assert [(line, col, code) for line, col, code, _ in got] == [
        (1, 0, "AL991"),
        (2, 9, "AL992"),
        (3, 10, "AL993"),
        (3, 20, "AL992"),
        (3, 24, "AL993"),
        (4, 21, "AL992"),
        (4, 29, "AL993"),
        (5, 20, "AL992"),
        (6, 30, "AL992"),
        (7, 24, "AL992"),
        (8, 22, "AL992"),
    ]
    messages = [m for *_, m in got]
    assert "Did you mean `ignore`?" in messages[0]
    assert "got a string" in messages[1]
    assert "Did you mean `AL013`?" in messages[2]
    assert "Did you mean `description-quality`?" in messages[4]
    assert "`loud`" in messages[5]
    assert "no `]` closes" in messages[7]
    assert "Did you mean `claude-agent`?" in messages[9]


def test_what_is_valid_still_applies_beside_an_error(tmp_path: Path) -> None:
    agent = project(tmp_path, 'ignore = ["AL016", "AL9999"]\nbogus = 1\n', "agentls.toml")
    assert codes_of(agent) == ["AL013", "AL028"]


def test_invalid_toml_applies_nothing_and_says_where(tmp_path: Path) -> None:
    agent = project(tmp_path, 'ignore = ["AL016"\n', "agentls.toml")
    assert codes_of(agent) == ["AL013", "AL016", "AL028"]
    config = tmp_path / "agentls.toml"
    a = analyze(config.read_text(), str(config))
    ((f),) = a.findings
    assert f.code == "AL990" and f.range.start.line == 1 and f.severity == Severity.ERROR
    assert a.dialect == "agentls-config"


def test_a_pyproject_without_the_table_is_no_configuration(tmp_path: Path) -> None:
    agent = project(tmp_path, '[project]\nname = "x"\n')
    assert codes_of(agent) == ["AL013", "AL016", "AL028"]
    pyproject = tmp_path / "pyproject.toml"
    assert analyze(pyproject.read_text(), str(pyproject)).findings == []
    pyproject.write_text("[project\n")  # broken, and not ours
    assert analyze(pyproject.read_text(), str(pyproject)).findings == []


def test_every_key_is_read() -> None:
    assert KEY_NAMES == (
        "select",
        "extend-select",
        "ignore",
        "severity",
        "exclude",
        "per-file-ignores",
        "dialects",
        "claude-code-version",
    )


def test_selectors() -> None:
    assert selector("ALL") is not None and selector("ALL").codes == frozenset(rules())
    no_fm = selector("no-frontmatter")
    assert no_fm is not None and no_fm.codes == {"AL001", "AL401"}  # a name of two dialects
    assert selector("AL5") is not None and all(c.startswith("AL5") for c in selector("AL5").codes)
    assert selector("AL8888") is None and selector("al016") is None and selector("") is None


# --------------------------------------------------------------------------- where


def test_nearest_configuration_and_precedence_in_a_folder(tmp_path: Path) -> None:
    agent = project(tmp_path, '[tool.agentls]\nignore = ["AL013"]\n')
    assert codes_of(agent) == ["AL016", "AL028"]
    (tmp_path / "agentls.toml").write_text('ignore = ["AL016"]\n')
    assert codes_of(agent) == ["AL013", "AL028"]
    (tmp_path / ".agentls.toml").write_text('ignore = ["AL028"]\n')
    assert codes_of(agent) == ["AL013", "AL016"]
    # nearer to the file wins, whatever its name
    (tmp_path / ".claude" / "pyproject.toml").write_text("[tool.agentls]\n")
    assert codes_of(agent) == ["AL013", "AL016", "AL028"]


def test_the_losers_of_a_folder_are_reported(tmp_path: Path) -> None:
    project(tmp_path, '[tool.agentls]\nignore = ["AL013"]\n')
    (tmp_path / "agentls.toml").write_text("")
    pyproject = tmp_path / "pyproject.toml"
    a = analyze(pyproject.read_text(), str(pyproject))
    ((f),) = a.findings
    assert f.code == "AL997" and f.range.start.line == 0 and "`agentls.toml`" in f.message


def test_the_search_stops_at_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "agentls.toml").write_text('ignore = ["ALL"]\n')
    inner = tmp_path / "repo"
    inner.mkdir()
    agent = project(inner, None)
    assert codes_of(agent) == ["AL013", "AL016", "AL028"]  # .git in repo/ stops it
    (inner / ".git").rmdir()
    assert codes_of(agent) == []


def test_the_store_reads_again_after_forget(tmp_path: Path) -> None:
    agent = project(tmp_path, 'ignore = ["AL013"]\n', "agentls.toml")
    store = ConfigStore()
    assert codes_of(agent, store) == ["AL016", "AL028"]
    (tmp_path / "agentls.toml").write_text('ignore = ["AL016"]\n')
    assert codes_of(agent, store) == ["AL016", "AL028"]  # cached
    store.forget()
    assert codes_of(agent, store) == ["AL013", "AL028"]


def test_a_configuration_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    agent = project(tmp_path, None)
    (tmp_path / "agentls.toml").write_bytes(b"ignore = ['\xff']\n")
    assert codes_of(agent) == ["AL013", "AL016", "AL028"]
    config = ConfigStore().config_for(str(agent))
    assert config is not None and not config.valid
    assert "not UTF-8" in config.findings[0].message


# --------------------------------------------------------------------------- globs


@pytest.mark.parametrize(
    ("pattern", "yes", "no"),
    [
        ("*.md", ["a.md", "x/y/a.md"], ["a.mdx", "a.md.txt"]),
        ("drafts", ["drafts/a.md", "x/drafts/b/c.md", "drafts"], ["drafts2/a.md"]),
        ("drafts/", ["drafts/a.md"], ["x.md"]),
        ("docs/*.md", ["docs/a.md"], ["x/docs/a.md", "docs/x/a.md"]),
        ("/docs/*.md", ["docs/a.md"], ["x/docs/a.md"]),
        ("./docs/**/*.md", ["docs/a.md", "docs/x/y/a.md"], ["a.md"]),
        ("**/legacy/*.md", ["legacy/a.md", "x/legacy/a.md"], ["legacy/x/a.md"]),
        ("a/**", ["a/b", "a/b/c.md"], ["a", "b/a/c"]),
        ("[!x]?.md", ["ab.md", "z/ab.md"], ["xb.md", "a.md"]),
    ],
)
def test_globs(pattern: str, yes: list[str], no: list[str]) -> None:
    g = compile_glob(pattern)
    assert [p for p in yes if g.matches(p)] == yes
    assert [p for p in no if g.matches(p)] == []


@pytest.mark.parametrize("pattern", ["", "/", "a\\b", "a**", "[ab"])
def test_bad_globs(pattern: str) -> None:
    with pytest.raises(GlobError):
        compile_glob(pattern)


def test_policy_without_configuration() -> None:
    assert policy_for(None, "/x/a.md") is DEFAULT


# --------------------------------------------------------------------------- the schema


def test_the_schema_is_generated_from_the_registries() -> None:
    from agentls.config.schema import default_path, render

    assert default_path().read_text("utf-8") == render(), (
        "schemas/agentls-config.schema.json is stale: run `python -m agentls.config.schema`"
    )


def test_the_schema_agrees_with_the_reader() -> None:
    """What the schema accepts the reader accepts, and the reverse, on the same examples."""
    import tomllib

    from jsonschema import Draft202012Validator

    from agentls.config.schema import build

    validator = Draft202012Validator(build())
    documents = [
        'select = ["ALL"]\nignore = ["AL016", "description-quality", "AL5"]\n',
        'severity = { AL016 = "info", AL5 = "error" }\n',
        'exclude = ["drafts/**"]\n[per-file-ignores]\n"a/*.md" = ["AL013"]\n',
        'dialects = { "p/*.md" = "copilot-agent" }\n',
        'selekt = ["AL016"]\n',
        'ignore = ["AL0166"]\n',
        'severity = { AL016 = "loud" }\n',
        'dialects = { "p/*.md" = "nope" }\n',
        'claude-code-version = "0.1"\n',
        "exclude = [1]\n",
    ]
    for text in documents:
        config = read_config("/p/agentls.toml", "/p", text)
        assert config is not None
        ours = not config.findings
        theirs = validator.is_valid(tomllib.loads(text))
        assert ours == theirs, text


def test_a_pyproject_change_concerns_agentls_only_with_its_table(tmp_path: Path) -> None:
    store = ConfigStore()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    assert not store.concerns(str(pyproject))  # a project's dependencies: nothing to read
    assert store.concerns(str(tmp_path / "agentls.toml"))  # always
    pyproject.write_text('[project]\nname = "x"\n\n[tool.agentls]\nignore = ["AL016"]\n')
    assert store.concerns(str(pyproject))  # the table appears
    assert store.config_for(str(tmp_path / "a.md")) is not None
    store.forget()
    pyproject.write_text('[project]\nname = "y"\n')
    assert store.concerns(str(pyproject))  # the table goes: what was read changes
    assert store.config_for(str(tmp_path / "a.md")) is None
    assert not store.concerns(str(pyproject))
