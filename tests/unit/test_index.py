"""The workspace index over the crossfile fixture (pure, no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentls.engine import analyze
from agentls.index import WorkspaceIndex
from agentls.indexing import build_index

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "workspaces" / "crossfile"


def _codes(ix, rel: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.code for f in ix.findings_for(str(FIXTURE / rel)))


def test_cross_file_findings() -> None:
    ix = build_index([str(FIXTURE)], user=False, bundled=False)
    assert _codes(ix, ".claude/agents/reviewer.md") == ["AL301", "AL303", "AL304"]
    assert _codes(ix, ".claude/agents/reviewer-copy.md") == ["AL301"]
    assert _codes(ix, ".claude/agents/explore.md") == ["AL302"]
    assert _codes(ix, ".github/agents/planner.agent.md") == ["AL305"]
    assert _codes(ix, ".claude/commands/deploy.md") == []


def test_rename_edits_and_dependents() -> None:
    ix = build_index([str(FIXTURE)], user=False, bundled=False)
    edits, renames = ix.rename_edits("agent", "helper", "assistant")
    assert sorted(Path(p).name for p in edits) == ["deploy.md", "helper.md", "reviewer.md"]
    assert [Path(b).name for _, b in renames] == ["assistant.md"]
    helper = str(FIXTURE / ".claude/agents/helper.md")
    deps = ix.update(helper, "---\nname: aide\ndescription: Use when.\n---\nx\n")
    assert {Path(p).name for p in deps} >= {"reviewer.md", "deploy.md"}
    assert "AL304" in _codes(ix, ".claude/commands/deploy.md")


def test_rename_skill_renames_its_folder_and_references(tmp_path: Path) -> None:
    from agentls.index import SKILL

    skill = tmp_path / ".claude" / "skills" / "pdf-tools" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text("---\nname: pdf-tools\ndescription: Use for PDFs.\n---\nBody\n", "utf-8")
    agent = tmp_path / ".claude" / "agents" / "writer.md"
    agent.parent.mkdir(parents=True)
    agent.write_text(
        "---\nname: writer\ndescription: Use when writing.\nskills: pdf-tools\n---\nBody\n", "utf-8"
    )
    index = build_index([str(tmp_path)], user=False, bundled=False)
    edits, renames = index.rename_edits(SKILL, "pdf-tools", "pdf-kit")
    assert set(edits) == {str(skill), str(agent)}
    assert renames == [(str(skill.parent), str(skill.parent.parent / "pdf-kit"))]


# ----------------------------------------------------------------- dialects of the configuration

MAPPED = "---\nname: helper\ndescription: Use when helping.\n---\nBody\n"


def _mapped_workspace(root: Path) -> Path:
    """A project whose configuration maps prompts/*.txt to Claude Code agents; one of them
    has the name of an agent in .claude/agents (AL301 across the two)."""
    (root / ".git").mkdir(parents=True)
    (root / "agentls.toml").write_text('dialects = { "prompts/*.txt" = "claude-agent" }\n')
    (root / "prompts").mkdir()
    (root / "prompts" / "helper.txt").write_text(MAPPED)
    (root / "prompts" / "notes.md").write_text("# not an agent\n")
    agents = root / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "helper.md").write_text(MAPPED)
    return root / "prompts" / "helper.txt"


def test_files_the_configuration_maps_are_indexed(tmp_path: Path) -> None:
    mapped = _mapped_workspace(tmp_path)
    index = build_index([str(tmp_path)], user=False, bundled=False)
    assert str(mapped) in index.entries
    assert index.entries[str(mapped)].name == "helper"
    # the rules across files see it: two agents named helper
    assert "AL301" in [f.code for f in index.findings_for(str(mapped))]
    other = str(tmp_path / ".claude/agents/helper.md")
    assert "AL301" in [f.code for f in index.findings_for(other)]
    # without the mapping the file is nothing to the index
    (tmp_path / "agentls.toml").write_text("")
    index = build_index([str(tmp_path)], user=False, bundled=False)
    assert str(mapped) not in index.entries


def test_the_editor_setting_maps_files_too(tmp_path: Path) -> None:
    mapped = _mapped_workspace(tmp_path)
    (tmp_path / "agentls.toml").write_text("")

    def dialect_for(path: str) -> str | None:
        return "claude-agent" if path.endswith(".txt") else None

    index = build_index([str(tmp_path)], user=False, bundled=False, dialect_for=dialect_for)
    assert str(mapped) in index.entries


def test_excluded_files_are_not_read(tmp_path: Path) -> None:
    _mapped_workspace(tmp_path)
    (tmp_path / "agentls.toml").write_text(
        'exclude = ["prompts/**"]\ndialects = { "prompts/*.txt" = "claude-agent" }\n'
    )
    from agentls.config.discovery import ConfigStore
    from agentls.discovery import index_files
    from agentls.index import INDEXED

    found = [
        Path(p).name
        for p, _, _ in index_files(
            [str(tmp_path)], INDEXED, user=False, bundled=False, configs=ConfigStore()
        )
    ]
    assert found == ["helper.md"]


def test_worker_processes_read_the_configuration_the_editor_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large workspace is indexed in spawned processes: they are given the configuration
    texts the server holds from editor buffers (unsaved), so the index is the one built in
    the server's own process, not the one the file on disk gives."""
    import agentls.indexing as indexing
    from agentls.config.discovery import ConfigStore

    mapped = _mapped_workspace(tmp_path)
    mapped.write_text(MAPPED.replace("---\nBody", "model: fable-9\n---\nBody"))  # AL029
    (tmp_path / "agentls.toml").write_text("")  # on disk: no mapping, nothing ignored
    configs = ConfigStore()
    configs.set_text(
        str(tmp_path / "agentls.toml"),
        'ignore = ["AL029"]\ndialects = { "prompts/*.txt" = "claude-agent" }\n',
    )
    here = build_index([str(tmp_path)], user=False, bundled=False, configs=configs)
    monkeypatch.setattr(indexing, "PARALLEL_FROM", 1)
    spawned = build_index([str(tmp_path)], user=False, bundled=False, jobs=2, configs=configs)
    for index in (here, spawned):
        assert str(mapped) in index.entries  # mapped by the editor's text
        assert index.entries[str(mapped)].errors + index.entries[str(mapped)].warnings == 0
    # the editor's text decided: with the disk's, AL029 counts
    configs.set_text(
        str(tmp_path / "agentls.toml"), 'dialects = { "prompts/*.txt" = "claude-agent" }\n'
    )
    spawned = build_index([str(tmp_path)], user=False, bundled=False, jobs=2, configs=configs)
    assert spawned.entries[str(mapped)].errors + spawned.entries[str(mapped)].warnings == 1


def test_a_plugin_indexed_in_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plugin manifests are entries like the rest, built in spawned processes for a large
    workspace too: AL936 on both ends is the same as from an index built in this process."""
    import agentls.indexing as indexing

    root = tmp_path / "plugins" / "lint"
    (root / ".claude-plugin").mkdir(parents=True)
    (root / "agents").mkdir()
    manifest = root / ".claude-plugin" / "plugin.json"
    manifest.write_text('{"name": "lint", "agents": ["./agents/one.md"]}')
    for name in ("one", "two"):
        (root / "agents" / f"{name}.md").write_text(
            f"---\nname: {name}\ndescription: Use when {name}.\n---\nBody\n"
        )
    two = str(root / "agents" / "two.md")

    def al936(index: WorkspaceIndex) -> list[tuple[str, list[str]]]:
        return [
            (p, [r.path for r in f.related])
            for p in (str(manifest), two)
            for f in index.findings_for(p)
            if f.code == "AL936"
        ]

    here = build_index([str(tmp_path)], user=False, bundled=False)
    monkeypatch.setattr(indexing, "PARALLEL_FROM", 1)
    spawned = build_index([str(tmp_path)], user=False, bundled=False, jobs=2)
    assert al936(here) == al936(spawned) == [(str(manifest), [two]), (two, [str(manifest)])]


# ----------------------------------------------------------------- AL302 / AL303 on both ends


def _write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return str(path)


def _agent(name: str, extra: str = "") -> str:
    return f"---\nname: {name}\ndescription: Use when {name} is needed.\n{extra}---\nBody\n"


def test_a_plugin_agent_replaced_by_a_project_agent_is_told(tmp_path: Path) -> None:
    project = _write(tmp_path / ".claude/agents/helper.md", _agent("helper"))
    _write(tmp_path / "kit/.claude-plugin/plugin.json", '{"name": "kit"}\n')
    plugin = _write(tmp_path / "kit/agents/helper.md", _agent("helper"))
    other = _write(tmp_path / "kit/agents/solo.md", _agent("solo"))  # near miss: no namesake
    ix = build_index([str(tmp_path)], user=False, bundled=False)
    [f] = [f for f in ix.findings_for(plugin) if f.code == "AL302"]
    assert "project agent `helper`" in f.message and "plugin agent" in f.message
    assert (f.range.start.line, f.range.start.character) == (1, 6)  # the name's value
    assert [r.path for r in f.related] == [project]
    assert [f.code for f in ix.findings_for(other)] == []
    # the project agent renamed: the plugin agent is no longer replaced, and is re-checked
    deps = ix.update(project, _agent("assistant"))
    assert plugin in deps
    assert [f.code for f in ix.findings_for(plugin)] == []


def test_a_user_agent_replaced_by_a_project_agent_is_told(tmp_path: Path) -> None:
    from agentls.index import entry_from_analysis

    project = _write(tmp_path / "ws/.claude/agents/helper.md", _agent("helper"))
    user = _write(tmp_path / "home/.claude/agents/helper.md", _agent("helper"))
    ix = build_index([str(tmp_path / "ws")], user=False, bundled=False)
    entry = entry_from_analysis(analyze(_agent("helper"), user), "user")
    assert entry is not None
    ix.put(entry)
    [f] = [f for f in ix.findings_for(user) if f.code == "AL302"]
    assert "replaces this user agent" in f.message
    assert [r.path for r in f.related] == [project]
    assert [f.code for f in ix.findings_for(project)] == ["AL302"]  # and the first end


SKILL_TEXT = "---\nname: tidy\ndescription: Use to tidy.\ndisable-model-invocation: true\n---\nB\n"


def test_a_skill_an_agent_cannot_preload_is_told(tmp_path: Path) -> None:
    skill = _write(tmp_path / ".claude/skills/tidy/SKILL.md", SKILL_TEXT)
    agent = _write(tmp_path / ".claude/agents/writer.md", _agent("writer", "skills: tidy\n"))
    ix = build_index([str(tmp_path)], user=False, bundled=False)
    [f] = [f for f in ix.findings_for(skill) if f.code == "AL303"]
    assert f.severity.label == "information"
    assert (f.range.start.line, f.range.start.character) == (3, 0)  # the key
    assert "The agent `writer` lists this skill" in f.message
    assert [r.path for r in f.related] == [agent]
    [g] = [g for g in ix.findings_for(agent) if g.code == "AL303"]
    assert g.related[0].path == skill and g.related[0].range.start.line == 3
    # the agent stops listing it: the skill is re-checked and the finding goes
    deps = ix.update(agent, _agent("writer"))
    assert skill in deps
    assert [f.code for f in ix.findings_for(skill)] == []
    # and lists it again
    assert skill in ix.update(agent, _agent("writer", "skills: [tidy]\n"))
    assert [f.code for f in ix.findings_for(skill)] == ["AL303"]
    # removed: the skill is re-checked
    assert skill in ix.remove(agent)
    assert [f.code for f in ix.findings_for(skill)] == []


def test_near_misses_of_the_skill_end(tmp_path: Path) -> None:
    # a skill that can be preloaded; a skill nobody lists; a namesake that can be preloaded
    _write(
        tmp_path / ".claude/skills/fine/SKILL.md", "---\nname: fine\ndescription: Fine.\n---\nB\n"
    )
    alone = _write(tmp_path / ".claude/skills/alone/SKILL.md", SKILL_TEXT.replace("tidy", "alone"))
    tidy = _write(tmp_path / ".claude/skills/tidy/SKILL.md", SKILL_TEXT)
    _write(tmp_path / ".claude/commands/tidy.md", "---\ndescription: Tidy.\n---\nTidy up.\n")
    _write(tmp_path / ".claude/agents/writer.md", _agent("writer", "skills: [fine, tidy]\n"))
    ix = build_index([str(tmp_path)], user=False, bundled=False)
    assert [f.code for f in ix.findings_for(alone)] == []
    assert [f.code for f in ix.findings_for(tidy)] == []  # the command `tidy` is preloaded
