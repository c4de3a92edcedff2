"""Per-dialect checks (schema-driven), detection, sniffing, and the corpus run."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from agentls.dialects.registry import detect_dialect
from agentls.dialects.sniff import sniff_dialect
from agentls.engine import analyze

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
MANIFEST_DIALECT = {"claude-subagent": "claude-agent", "skill": "claude-skill"}


def codes(text: str, path: str) -> list[str]:
    return [f.code for f in analyze(text, path).findings]


def test_other_dialect_key_names_both_dialects() -> None:
    a = analyze(
        "---\ndescription: Plans.\nmode: subagent\n---\nBody\n", "/w/.github/agents/p.agent.md"
    )
    f = next(f for f in a.findings if f.code == "AL409")
    assert "OpenCode agent" in f.message and "GitHub Copilot" in f.message
    assert f.range.start.line == 2 and f.range.start.character == 0


def test_schema_enum_error_has_value_range_and_fix() -> None:
    a = analyze("---\ndescription: x\nmode: primry\n---\n", "/w/.opencode/agent/r.md")
    f = next(f for f in a.findings if f.code == "AL411")
    assert (f.range.start.line, f.range.start.character, f.range.end.character) == (2, 6, 12)
    assert f.fixes and f.fixes[0].edits[0].new_text == "primary"


def test_copilot_agent_requires_description() -> None:
    assert "AL412" in codes("---\nname: x\n---\nBody\n", "/w/.github/agents/x.agent.md")


def test_strict_yaml_dialect_makes_needs_quoting_an_error() -> None:
    a = analyze("---\ndescription: Use when: planning\n---\n", "/w/.github/agents/x.agent.md")
    f = next(f for f in a.findings if f.code == "AL403")
    assert f.severity.label == "error"


def test_command_ignored_name_and_skill_directory() -> None:
    assert "AL600" in codes("---\nname: x\ndescription: d\n---\n", "/w/.claude/commands/y.md")
    assert "AL500" in codes(
        "---\nname: other\ndescription: d\n---\n", "/w/.claude/skills/mine/SKILL.md"
    )


def test_readme_in_agents_folder_warns_but_docs_elsewhere_get_nothing() -> None:
    assert codes("# Agents\n\nDocs.\n", "/w/.claude/agents/README.md") == ["AL400"]
    assert codes("# Agents\n\nDocs.\n", "/w/docs/README.md") == []
    assert codes("---\ntitle: Post\ndate: 2024-01-01\n---\nHi\n", "/w/blog/post.md") == []


def test_plugin_agent_detection_and_fallbacks(tmp_path: Path) -> None:
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin" / "plugin.json").write_text('{"name": "tools"}')
    p = tmp_path / "agents" / "helper.md"
    p.parent.mkdir()
    assert detect_dialect(str(p)) == "claude-plugin-agent"
    a = analyze("---\ndescription: Use when helping.\npermissionMode: plan\n---\nHi\n", str(p))
    assert [f.code for f in a.findings] == ["AL450"]
    assert a.effective is not None and a.effective.name == "helper" and a.effective.loads


def test_what_a_plugin_agent_ignores_is_not_judged(tmp_path: Path) -> None:
    # Claude Code 2.1.332 loads both agents and only warns that the key is ignored (surface
    # case plugin-agent-permission-mode): no AL031 "rejects the whole agent", no AL230
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin" / "plugin.json").write_text('{"name": "tools"}')
    p = str(tmp_path / "agents" / "helper.md")
    bypass = "---\ndescription: Use when helping.\npermissionMode: bypassPermissions\n---\nHi\n"
    assert [f.code for f in analyze(bypass, p).findings] == ["AL450"]
    hooks = "---\ndescription: Use when helping.\nhooks: []\n---\nHi\n"
    assert [f.code for f in analyze(hooks, p).findings] == ["AL450"]
    # near miss: the same keys in a project agent are judged
    project = str(tmp_path / ".claude" / "agents" / "helper.md")
    assert "AL230" in [f.code for f in analyze(bypass, project).findings]
    assert "AL031" in [f.code for f in analyze(hooks, project).findings]
    # the frontmatter's syntax still counts inside an ignored key
    broken = "---\ndescription: Use when helping.\nhooks: a: b\n---\nHi\n"
    assert "AL003" in [f.code for f in analyze(broken, p).findings]


def test_detection_by_path() -> None:
    assert detect_dialect("/w/skills/pdf/SKILL.md") == "agent-skill"
    assert detect_dialect("/w/.github/prompts/a.prompt.md") == "copilot-prompt"
    assert detect_dialect("/w/.opencode/agents/r.md") == "opencode-agent"


def test_sniffing() -> None:
    claude = "---\nname: r\ndescription: d\ntools: Read, Grep\nmodel: sonnet\n---\n"
    assert sniff_dialect(claude) == "claude-agent"
    assert sniff_dialect("---\ndescription: d\nmode: subagent\n---\n") == "opencode-agent"
    assert sniff_dialect("---\napplyTo: '**/*.py'\n---\n") == "copilot-instructions"
    assert sniff_dialect("---\ntitle: t\ndescription: d\n---\n") is None
    assert sniff_dialect("# no frontmatter\n") is None


def test_corpus_every_file_no_crash() -> None:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.skip("../shared/corpus is not present")
    counts: collections.Counter[tuple[str, str, str]] = collections.Counter()
    files = 0
    for line in manifest.read_text("utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 4:
            continue
        dialect = MANIFEST_DIALECT.get(parts[0], parts[0])
        path = CORPUS / parts[1].replace("/", "__") / parts[3]
        text = path.read_text("utf-8", errors="replace")
        for f in analyze(text, str(path), dialect).findings:
            counts[(dialect, f.code, f.severity.label)] += 1
        files += 1
    print(f"\n{files} corpus files")
    print(f"{'dialect':22} {'rule':6} {'severity':12} count")
    for (d, code, sev), n in sorted(counts.items()):
        print(f"{d:22} {code:6} {sev:12} {n}")
    assert files > 0


def test_plugin_root_is_looked_for_up_to_eleven_folders_above(tmp_path: Path) -> None:
    from agentls.dialects.registry import plugin_root

    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin" / "plugin.json").write_text("{}")
    near = tmp_path / "agents" / "a.md"
    assert plugin_root(str(near)) == str(tmp_path)
    deep = tmp_path / "agents" / "1" / "2" / "3" / "4" / "5" / "6" / "7" / "8" / "9"
    assert plugin_root(str(deep / "10" / "a.md")) == str(tmp_path)  # folder 11 levels down
    assert plugin_root(str(deep / "10" / "11" / "a.md")) is None  # 12: too far
    assert plugin_root(str(tmp_path.parent / "elsewhere" / "agents" / "a.md")) is None
