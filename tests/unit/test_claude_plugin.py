"""Plugin manifests, marketplaces and a plugin's hooks.json: triggers, near misses, fixes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentls.editing.fixes import apply_edits
from agentls.engine import analyze
from agentls.types import Finding, Severity


def plugin(tmp_path: Path, manifest: object, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "p"
    (root / ".claude-plugin").mkdir(parents=True)
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    path = root / ".claude-plugin" / "plugin.json"
    path.write_text(json.dumps(manifest, indent=2), "utf-8")
    return path


def check(path: Path) -> list[Finding]:
    return analyze(path.read_text("utf-8"), str(path)).findings


def codes(path: Path) -> list[str]:
    return [f.code for f in check(path)]


AGENT = "---\nname: a\ndescription: Use when testing.\n---\nBody\n"


def test_dialects_by_path() -> None:
    assert analyze("{}", "/x/.claude-plugin/plugin.json").dialect == "claude-plugin"
    assert analyze("{}", "/x/.claude-plugin/marketplace.json").dialect == "claude-marketplace"
    assert analyze("{}", "/x/hooks/hooks.json").dialect == "claude-plugin-hooks"


def test_a_good_manifest(tmp_path: Path) -> None:
    path = plugin(
        tmp_path,
        {
            "name": "tools",
            "version": "1.0.0",
            "agents": ["./agents/a.md"],
            "optionalDependencies": ["formatter", {"name": "x"}],
        },
        {"agents/a.md": AGENT},
    )
    assert codes(path) == []


def test_al905_no_name_and_al904_spaces(tmp_path: Path) -> None:
    (f,) = check(plugin(tmp_path, {"version": "1"}))
    assert f.code == "AL905" and "does not load at all" in f.message
    (g,) = check(plugin(tmp_path / "b", {"name": "My Plugin"}))
    assert g.code == "AL904" and "may not hold spaces" in g.message


def test_al930_missing_paths_and_near_miss(tmp_path: Path) -> None:
    path = plugin(
        tmp_path,
        {"name": "p", "commands": ["./commands/x.md", "./gone.md"]},
        {"commands/x.md": "x"},
    )
    (f,) = check(path)
    assert f.code == "AL930" and "`./gone.md`" in f.message
    # Claude Code loads the plugin without it (surface case plugin-missing-command)
    assert "loads the plugin without it" in f.message and "not load at all" not in f.message
    text = path.read_text()
    assert f.range.start.character == text.splitlines()[f.range.start.line].index('"./gone.md"')


def test_a_missing_mcp_servers_file_is_skipped_silently(tmp_path: Path) -> None:
    (f,) = check(plugin(tmp_path, {"name": "p", "mcpServers": "./extra/mcp.json"}))
    assert f.code == "AL930" and "without a word" in f.message


def test_inline_hooks_are_judged_as_in_hooks_json(tmp_path: Path) -> None:
    # surface cases plugin-inline-hook-invalid / -guard-hook / -hooks (2.1.332)
    stop = {"Stop": [{"hooks": [{"type": "command"}]}]}
    (f,) = check(plugin(tmp_path / "a", {"name": "p", "hooks": stop}))
    assert f.code == "AL905" and f.severity == Severity.WARNING and "ignores" in f.message
    guard = {"PreToolUse": [{"hooks": [{"type": "command"}]}]}
    (g,) = check(plugin(tmp_path / "b", {"name": "p", "hooks": guard}))
    assert g.code == "AL905" and g.severity == Severity.ERROR and "whole plugin" in g.message
    wrapped = {"hooks": stop}
    (h,) = check(plugin(tmp_path / "c", {"name": "p", "hooks": wrapped}))
    assert h.code == "AL906" and h.severity == Severity.ERROR
    assert "does not load" in h.message and not h.fixes
    # near miss: an unknown event inline is only dropped
    bogus = {"Bogus": [{"hooks": [{"type": "command", "command": "x"}]}]}
    (i,) = check(plugin(tmp_path / "d", {"name": "p", "hooks": bogus}))
    assert i.code == "AL906" and i.severity == Severity.WARNING


def test_agents_must_name_md_files(tmp_path: Path) -> None:
    path = plugin(tmp_path, {"name": "p", "agents": ["./agents"]}, {"agents/a.md": AGENT})
    assert codes(path) == ["AL904"]


def test_al931_dependency_in_both_lists(tmp_path: Path) -> None:
    path = plugin(
        tmp_path, {"name": "p", "dependencies": ["core"], "optionalDependencies": ["core", "extra"]}
    )
    (f,) = check(path)
    assert f.code == "AL931" and f.related


def test_optional_dependencies_are_read_leniently(tmp_path: Path) -> None:
    (f,) = check(plugin(tmp_path, {"name": "p", "optionalDependencies": "extra"}))
    assert f.code == "AL904" and f.severity == Severity.WARNING
    assert "still loads" in f.message


def test_unknown_manifest_key_with_hint(tmp_path: Path) -> None:
    (f,) = check(plugin(tmp_path, {"name": "p", "category": "tools"}))
    assert f.code == "AL903" and "marketplace.json" in f.message


def hooks(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "hooks" / "hooks.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), "utf-8")
    return path


def test_hooks_guard_entry_keeps_the_plugin_from_loading(tmp_path: Path) -> None:
    (f,) = check(hooks(tmp_path, {"hooks": {"PreToolUse": [{"hooks": [{"type": "command"}]}]}}))
    assert f.code == "AL905" and f.severity == Severity.ERROR and "whole plugin" in f.message
    (g,) = check(hooks(tmp_path / "b", {"hooks": {"Stop": [{"hooks": [{"type": "command"}]}]}}))
    assert g.severity == Severity.WARNING


def test_al935_events_not_wrapped_and_fixed(tmp_path: Path) -> None:
    path = hooks(tmp_path, {"PostToolUse": [{"hooks": [{"type": "command", "command": "x"}]}]})
    (f,) = check(path)
    assert f.code == "AL935"
    out = json.loads(apply_edits(path.read_text(), f.fixes[0].edits))
    assert list(out) == ["hooks"] and "PostToolUse" in out["hooks"]


def test_hooks_near_miss_new_event(tmp_path: Path) -> None:
    data = {"hooks": {"PreSkillShellCommand": [{"hooks": [{"type": "command", "command": "x"}]}]}}
    assert codes(hooks(tmp_path, data)) == []


def market(tmp_path: Path, data: object, plugins: tuple[str, ...] = ()) -> Path:
    root = tmp_path / "m"
    (root / ".claude-plugin").mkdir(parents=True)
    for name in plugins:
        (root / "plugins" / name).mkdir(parents=True)
    path = root / ".claude-plugin" / "marketplace.json"
    path.write_text(json.dumps(data, indent=2), "utf-8")
    return path


def test_marketplace_problems(tmp_path: Path) -> None:
    data = {
        "name": "m",
        "owner": {"name": "me"},
        "plugins": [
            {"name": "a", "source": "./plugins/a"},
            {"name": "a", "source": "./plugins/a"},
            {"name": "ghost", "source": "./plugins/ghost"},
        ],
    }
    found = check(market(tmp_path, data, ("a",)))
    assert [f.code for f in found] == ["AL933", "AL933", "AL934"]
    # both names, each pointing at the other, as `claude plugin validate` flags both
    first, second = found[0], found[1]
    assert first.range != second.range
    assert [r.range for r in first.related] == [second.range]
    assert [r.range for r in second.related] == [first.range]


def test_marketplace_source_must_start_inside(tmp_path: Path) -> None:
    # Claude Code 2.1.332: `../x` fails validate ("must start with ./") and install (surface
    # case market-missing-source); a bare name under metadata.pluginRoot is accepted
    data = {
        "name": "m",
        "owner": {"name": "me"},
        "plugins": [{"name": "out", "source": "../elsewhere"}],
    }
    (f,) = check(market(tmp_path, data))
    assert f.code == "AL904" and f.severity == Severity.ERROR
    assert "cannot be installed" in f.message
    rooted = {
        "name": "m",
        "owner": {"name": "me"},
        "metadata": {"pluginRoot": "./plugins"},
        "plugins": [{"name": "a", "source": "a"}],
    }
    assert codes(market(tmp_path / "b", rooted, ("a",))) == []


def test_marketplace_entry_dependencies_are_read_leniently(tmp_path: Path) -> None:
    # surface case market-entry-deps: validate warns, the plugin installs
    data = {
        "name": "m",
        "owner": {"name": "me"},
        "plugins": [
            {
                "name": "a",
                "source": "./plugins/a",
                "dependencies": ["b"],
                "optionalDependencies": ["b", 5],
            }
        ],
    }
    found = check(market(tmp_path, data, ("a",)))
    assert [(f.code, f.severity) for f in found] == [
        ("AL931", Severity.WARNING),
        ("AL904", Severity.WARNING),
    ]
    assert "still installs" in found[1].message


def test_marketplace_near_miss(tmp_path: Path) -> None:
    data = {
        "name": "m",
        "owner": {"name": "me"},
        "plugins": [
            {"name": "a", "source": "./plugins/a", "optionalDependencies": ["b"]},
            {"name": "b", "source": {"source": "github", "repo": "o/b"}},
        ],
    }
    assert codes(market(tmp_path, data, ("a",))) == []
    (f,) = check(market(tmp_path / "x", {"name": "m", "plugins": []}))
    assert f.code == "AL905" and "marketplace add" in f.message


def test_inline_servers_of_a_manifest_get_the_server_checks() -> None:
    from agentls.engine import analyze

    text = (
        '{"name": "p", "mcpServers": {"gh": {"command": "gh", "args": ["$HOME"], '
        '"env": {"GITHUB_TOKEN": "ghp_' + "a1B2" * 9 + '"}}}}'
    )
    found = [f.code for f in analyze(text, "/x/p/.claude-plugin/plugin.json").findings]
    assert found == ["AL911", "AL912"]


def across(path: Path, root: Path) -> list[Finding]:
    """The findings of ``path`` with those across files, from the index of ``root`` (built
    from the disk as the editor builds it)."""
    from agentls.indexing import build_index

    index = build_index([str(root)], user=False, bundled=False)
    return check(path) + index.findings_for(str(path))


def test_al936_listed_components_replace_the_default_folder(tmp_path: Path) -> None:
    """What Claude Code 2.1.332 loads with `--plugin-dir` (probed): a manifest's `agents` or
    `commands` list replaces the `agents/` / `commands/` folder; `skills` does not."""
    cmd = "---\ndescription: Runs.\n---\nRun.\n"
    files = {
        "agents/one.md": AGENT,
        "agents/sub/two.md": AGENT,
        "agents/z.md": AGENT,
        "commands/run.md": cmd,
        "cmds/other.md": cmd,
        "skills/s/SKILL.md": "---\nname: s\ndescription: Use when x.\n---\nx\n",
    }
    manifest = plugin(
        tmp_path,
        {"name": "p", "agents": ["./agents/one.md"], "commands": "./cmds/", "skills": "./x/"},
        {**files, "x/y/SKILL.md": files["skills/s/SKILL.md"]},
    )
    root = manifest.parent.parent

    def al936(rel: str) -> list[Finding]:
        path = root / rel
        return [f for f in across(path, root) if f.code == "AL936"]

    assert "AL936" not in codes(manifest)  # not in the file's own analysis: across files
    found = al936(".claude-plugin/plugin.json")
    assert [f.severity for f in found] == [Severity.WARNING] * 2
    lines = manifest.read_text("utf-8").splitlines()
    # at the list's value: `"agents": [` and `"commands": "./cmds/"`
    assert [lines[f.range.start.line][f.range.start.character] for f in found] == ["[", '"']
    assert ['"agents"' in lines[f.range.start.line] for f in found] == [True, False]
    assert "`agents/z.md`, `agents/sub/two.md`" in found[0].message
    assert "`commands/run.md`" in found[1].message
    # in the order a walk of the folder finds them: a folder's files before its sub-folders
    assert [r.path for r in found[0].related] == [
        str(root / "agents" / "z.md"),
        str(root / "agents" / "sub" / "two.md"),
    ]
    # the other end: on each file left out, pointing at the list
    [at_agent] = al936("agents/sub/two.md")
    assert at_agent.related[0].path == str(manifest)
    assert at_agent.related[0].range == found[0].range
    assert al936("commands/run.md")
    for loaded in ("agents/one.md", "cmds/other.md", "skills/s/SKILL.md"):
        assert not al936(loaded), loaded
    # near misses: every file listed (a folder lists what is below it), or no list at all
    for agents in (["./agents/one.md", "./agents/sub/two.md", "./agents/z.md"], "./agents/", None):
        data: dict[str, object] = {"name": "p", "commands": ["./commands/", "./cmds/"]}
        if agents is not None:
            data["agents"] = agents
        manifest.write_text(json.dumps(data, indent=2), "utf-8")
        for rel in (".claude-plugin/plugin.json", "agents/sub/two.md", "commands/run.md"):
            assert not al936(rel), (agents, rel)
    # a manifest with a syntax error: its own end still reads the list, the files' does not
    manifest.write_text('{"name": "p", "agents": ["./agents/one.md"],}', "utf-8")
    assert al936(".claude-plugin/plugin.json")
    assert not al936("agents/z.md")


def test_al936_the_index_holds_both_ends(tmp_path: Path) -> None:
    """Both ends come from the workspace index (issue 18 point 6): the editor's text of the
    manifest (an unsaved list) decides the files' end, a file the index holds and the disk
    does not (opened, never saved) is one of the folder's; each update names the files
    whose end changed (what the server publishes again)."""
    from agentls.index import WorkspaceIndex
    from agentls.indexing import build_index

    manifest = plugin(
        tmp_path, {"name": "p", "agents": ["./agents/one.md"]}, {"agents/one.md": AGENT}
    )
    root = manifest.parent.parent
    one, new = str(root / "agents" / "one.md"), str(root / "agents" / "new.md")
    index: WorkspaceIndex = build_index([str(root)], user=False, bundled=False)

    def al936(path: str) -> list[Finding]:
        return [f for f in index.findings_for(path) if f.code == "AL936"]

    assert not al936(str(manifest))
    other = AGENT.replace("name: a", "name: b")  # no name shared with one.md (AL301)
    assert index.update(new, other) == {str(manifest)}  # the manifest's end changed
    [f] = al936(str(manifest))
    assert [r.path for r in f.related] == [new]
    assert al936(new)
    unsaved = json.dumps({"name": "p", "agents": ["./agents/new.md"]})
    assert index.update(str(manifest), unsaved) == {one, new}  # left out before or after
    assert al936(one) and not al936(new)
    [a] = index.all()[:1]
    assert (a.path, a.loads) == (one, False)  # listed as not loading (agentls agents)
    # a keystroke elsewhere in the manifest: no file's end changes
    assert index.update(str(manifest), unsaved.replace('"p"', '"q"')) == set()
    assert index.remove(new) == {str(manifest)}
    assert index.remove(str(manifest)) == {one}
    assert not al936(one)


def test_al937_unquoted_plugin_root(tmp_path: Path) -> None:
    def command(c: str, **extra: object) -> list[str]:
        handler = {"type": "command", "command": c, **extra}
        data = {"hooks": {"Stop": [{"hooks": [handler]}]}}
        return codes(hooks(tmp_path / str(abs(hash((c, str(extra))))), data))

    assert command("${CLAUDE_PLUGIN_ROOT}/done.sh") == ["AL937"]
    assert command("bash ${CLAUDE_PLUGIN_ROOT}/lint.sh --fix") == ["AL937"]
    assert command('a "x" ${CLAUDE_PLUGIN_ROOT}/b') == ["AL937"]
    # near misses: quoted (either quote), escaped, the exec form, another variable
    assert command('"${CLAUDE_PLUGIN_ROOT}/done.sh"') == []
    assert command("bash '${CLAUDE_PLUGIN_ROOT}/done.sh'") == []
    assert command('bash "$HOME" "${CLAUDE_PLUGIN_ROOT}"/x.sh') == []
    assert command("${CLAUDE_PLUGIN_ROOT}/run", args=["x"]) == []
    assert command("${CLAUDE_PROJECT_DIR}/done.sh") == []
    # inline in the manifest too
    inline = {
        "name": "p",
        "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/x"}]}]},
    }
    assert codes(plugin(tmp_path / "m", inline)) == ["AL937"]


def test_al938_entry_list_beside_the_plugins_own_manifest(tmp_path: Path) -> None:
    entry = {"name": "a", "source": "./plugins/a", "optionalDependencies": ["b"]}
    path = market(tmp_path, {"name": "m", "owner": {"name": "me"}, "plugins": [entry]}, ("a",))
    assert codes(path) == []  # the plugin has no plugin.json: the entry's list is read
    own = path.parent.parent / "plugins" / "a" / ".claude-plugin"
    own.mkdir()
    (own / "plugin.json").write_text('{"name": "a"}')
    (f,) = check(path)
    assert f.code == "AL938" and "plugins/a/.claude-plugin/plugin.json" in f.message


def test_check_groups_a_plugin_outside_a_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`agentls check` judges a plugin that is not inside a `.claude` project as a group of
    its own: two of its agents of one name get AL301 (Claude Code loads one). Near misses:
    an agent of another plugin with that name, and references a plugin alone cannot judge
    (the user's agents and skills, other plugins')."""
    from agentls.cli import main

    refs = (
        "---\nname: c\ndescription: Use when x.\ntools: Agent(nobody)\nskills: [nowhere]\n---\nx\n"
    )
    plugin(
        tmp_path / "a",
        {"name": "a"},
        {"agents/one.md": AGENT, "agents/sub/two.md": AGENT, "agents/refs.md": refs},
    )
    plugin(tmp_path / "b", {"name": "b"}, {"agents/one.md": AGENT})  # the same name
    main(["check", "--format", "json", str(tmp_path)])
    found = {
        (Path(f["path"]).relative_to(tmp_path).as_posix(), d["code"])
        for f in json.loads(capsys.readouterr().out)["files"]
        for d in f["diagnostics"]
        if d["code"].startswith("AL3")
    }
    assert found == {("a/p/agents/one.md", "AL301"), ("a/p/agents/sub/two.md", "AL301")}


def test_al939_a_skills_entry_naming_a_file(tmp_path: Path) -> None:
    from agentls.editing.fixes import verified_fixes

    skill = "---\nname: pdf\ndescription: Use for PDFs.\n---\nBody\n"
    path = plugin(
        tmp_path,
        {"name": "p", "skills": ["./extra/pdf/SKILL.md", "./more/loose.md", "./extra"]},
        {"extra/pdf/SKILL.md": skill, "more/loose.md": skill},
    )
    first, loose = check(path)
    assert (first.code, loose.code) == ("AL939", "AL939")
    assert first.severity == Severity.ERROR and "Name its folder, `./extra/pdf`" in first.message
    text = path.read_text()
    line = text.splitlines()[first.range.start.line]
    assert first.range.start.character == line.index('"./extra/pdf/SKILL.md"')
    assert not loose.fixes and "Move it to `<folder>/SKILL.md`" in loose.message
    # the certain fix, verified by the engine: the entry names the folder
    a = analyze(text, str(path))
    [(f, fix)] = verified_fixes(text, str(path), None, a, a.findings)
    assert f == first and fix.safe
    fixed = json.loads(apply_edits(text, fix.edits))
    assert fixed["skills"][0] == "./extra/pdf"


def test_al939_near_misses(tmp_path: Path) -> None:
    skill = "---\nname: pdf\ndescription: Use for PDFs.\n---\nBody\n"
    # folders (a skill's, a folder of skills), a missing path (AL930's), agents as files
    path = plugin(
        tmp_path,
        {"name": "p", "skills": ["./extra/pdf", "./extra", "./gone"], "agents": ["./a.md"]},
        {"extra/pdf/SKILL.md": skill, "a.md": AGENT},
    )
    assert codes(path) == ["AL930"]


def test_a_marketplace_entry_s_component_paths(tmp_path: Path) -> None:
    """Read relative to the entry's plugin folder when a session loads the installed plugin,
    strict or not (surface case market-entry-components): AL930 and AL939 on the entry."""
    skill = "---\nname: pdf\ndescription: Use for PDFs.\n---\nBody\n"
    data = {
        "name": "m",
        "owner": {"name": "me"},
        "plugins": [
            {
                "name": "a",
                "source": "./plugins/a",
                "strict": False,
                "skills": ["./skills/pdf/SKILL.md", "./skills/gone", "./skills/pdf"],
                "agents": ["./agents/none.md"],
            },
            {"name": "b", "source": {"source": "github", "repo": "o/b"}, "skills": ["./x"]},
        ],
    }
    path = market(tmp_path, data, ("a",))
    pdf = path.parent.parent / "plugins" / "a" / "skills" / "pdf" / "SKILL.md"
    pdf.parent.mkdir(parents=True)
    pdf.write_text(skill)
    found = check(path)
    assert [f.code for f in found] == ["AL939", "AL930", "AL930"]
    lines = path.read_text().splitlines()
    placed = [lines[f.range.start.line][f.range.start.character :].split('"')[1] for f in found]
    assert placed == ["./skills/pdf/SKILL.md", "./skills/gone", "./agents/none.md"]
    assert found[0].fixes  # the folder named instead, as in plugin.json
