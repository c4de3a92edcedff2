"""Completion, hover, outline and folding as pure functions (no server)."""

from __future__ import annotations

from agentls.document.model import parse_document
from agentls.editing.completion import Candidate, complete
from agentls.editing.hover import hover
from agentls.editing.knowledge import Workspace
from agentls.editing.outline import folding_ranges, symbols
from agentls.engine import analyze
from agentls.types import Position

PATH = "/ws/.claude/agents/code-reviewer.md"


def _at(text: str, marker: str = "|") -> tuple[str, Position]:
    """Text with a ``|`` cursor marker → (text without it, cursor position)."""
    before, after = text.split(marker, 1)
    line = before.count("\n")
    col = len(before) - (before.rfind("\n") + 1)
    return before + after, Position(line, col)


def _complete(text: str, **kw: object) -> tuple[list[Candidate], str, Position]:
    clean, pos = _at(text)
    return complete(parse_document(clean), pos, path=PATH, **kw), clean, pos  # type: ignore[arg-type]


def _apply(clean: str, c: Candidate) -> str:
    lines = clean.split("\n")
    r = c.replace
    assert r.start.line == r.end.line
    line = lines[r.start.line]
    lines[r.start.line] = line[: r.start.character] + c.insert_text + line[r.end.character :]
    return "\n".join(lines)


def test_keys_at_line_start_required_first_without_present_keys() -> None:
    cands, _, _ = _complete("---\nname: x\n|\n---\nBody\n")
    labels = [c.label for c in sorted(cands, key=lambda c: c.sort_text)]
    assert labels[0] == "description"  # required, not yet present
    assert "name" not in labels
    assert {"model", "tools", "color", "hooks"} <= set(labels)
    model = next(c for c in cands if c.label == "model")
    assert model.insert_text == "model: ${1:inherit}" and model.snippet
    assert "inherit" in model.documentation


def test_keys_without_snippet_support_and_partial_key() -> None:
    cands, clean, _ = _complete("---\nname: x\nmo|\n---\n", snippets=False)
    model = next(c for c in cands if c.label == "model")
    assert not model.snippet and model.insert_text == "model: "
    assert _apply(clean, model).split("\n")[2] == "model: "


def test_key_completion_inside_a_broken_file() -> None:
    text = "---\nname: x\ndescription: Use when: it: breaks\n  and: more\nco|\ntools: Read\n---\n"
    cands, clean, _ = _complete(text)
    labels = {c.label for c in cands}
    assert "color" in labels and "tools" not in labels
    color = next(c for c in cands if c.label == "color")
    assert _apply(clean, color).split("\n")[4] == "color: ${1:red}"


def test_editing_an_existing_key_name_inserts_only_the_key() -> None:
    cands, clean, _ = _complete("---\nname: x\nmod|: sonnet\n---\n")
    model = next(c for c in cands if c.label == "model")
    assert _apply(clean, model).split("\n")[2] == "model: sonnet"


def test_tools_in_a_comma_string_exact_replace_and_no_repeats() -> None:
    cands, clean, _ = _complete("---\nname: x\ntools: Read, Gr|\n---\n")
    labels = {c.label for c in cands}
    assert "Read" not in labels and "Grep" in labels
    grep = next(c for c in cands if c.label == "Grep")
    assert _apply(clean, grep).split("\n")[2] == "tools: Read, Grep"
    assert "search" in grep.documentation.lower() or grep.documentation


def test_tools_in_flow_and_block_lists() -> None:
    cands, clean, _ = _complete('---\nname: x\ntools: ["Read", "Gl|"]\n---\n')
    glob = next(c for c in cands if c.label == "Glob")
    assert _apply(clean, glob).split("\n")[2] == 'tools: ["Read", "Glob"]'
    assert "Read" not in {c.label for c in cands}
    cands, clean, _ = _complete("---\nname: x\ntools:\n  - Read\n  - Ba|\n---\n")
    bash = next(c for c in cands if c.label == "Bash")
    assert _apply(clean, bash).split("\n")[4] == "  - Bash"
    assert "Read" not in {c.label for c in cands}


def test_mcp_servers_and_agent_restrictions() -> None:
    ws = Workspace(mcp_servers=("github",), agent_names=("researcher",))
    cands, _, _ = _complete("---\nname: x\ntools: |\n---\n", workspace=ws)
    labels = {c.label for c in cands}
    assert "mcp__github__*" in labels and "Agent(researcher)" in labels
    cands, _, _ = _complete("---\nname: x\ndisallowedTools: |\n---\n", workspace=ws)
    assert "mcp__*" in {c.label for c in cands}


def test_model_values_document_what_an_alias_resolves_to() -> None:
    cands, clean, _ = _complete("---\nname: x\nmodel: so|\n---\n")
    sonnet = next(c for c in cands if c.label == "sonnet")
    assert "Resolves to `claude-" in sonnet.documentation
    assert _apply(clean, sonnet).split("\n")[2] == "model: sonnet"
    assert any(c.label.startswith("claude-") for c in cands)


def test_enum_values_for_each_enum_key() -> None:
    for key, expect in [
        ("color", "orange"),
        ("permissionMode", "plan"),
        ("memory", "project"),
        ("effort", "high"),
        ("isolation", "worktree"),
        ("background", "true"),
    ]:
        cands, _, _ = _complete(f"---\nname: x\n{key}: |\n---\n")
        assert expect in {c.label for c in cands}, key


def test_value_in_quotes_and_after_non_ascii_text() -> None:
    cands, clean, _ = _complete('---\nname: x\ncolor: "bl|"\n---\n')
    blue = next(c for c in cands if c.label == "blue")
    assert _apply(clean, blue).split("\n")[2] == 'color: "blue"'
    text = "---\nname: x\ndescription: Relecture 😀 naïve\ntools: Réad😀, Gr|\n---\n"
    cands, clean, _ = _complete(text)
    grep = next(c for c in cands if c.label == "Grep")
    assert _apply(clean, grep).split("\n")[3] == "tools: Réad😀, Grep"


def test_name_value_from_the_file_stem_and_hook_events() -> None:
    cands, _, _ = _complete("---\nname: |\n---\n")
    assert [c.label for c in cands] == ["code-reviewer"]
    cands, _, _ = _complete("---\nname: x\nhooks:\n  Pre|\n---\n")
    assert "PreToolUse" in {c.label for c in cands}


def test_no_completion_in_the_body() -> None:
    cands, _, _ = _complete("---\nname: x\n---\ntools: Gr|\n")
    assert cands == []


GOOD = (
    "---\nname: code-reviewer\ndescription: Use when reviewing code.\nmodel: sonnet\n"
    "tools: Read, bash\npermissionMode: plan\n---\n# Role\n## Steps\n<example>\nx\n</example>\n"
)


def _hover(text: str, pos: Position) -> str:
    a = analyze(text, PATH)
    assert a.doc is not None
    h = hover(a.doc, pos, a.effective)
    assert h is not None
    return h.markdown


def test_hover_effective_configuration_on_fence_and_name() -> None:
    md = _hover(GOOD, Position(0, 1))
    assert "Claude Code 2.1.332 loads this agent as `code-reviewer`" in md
    assert "model sonnet" in md and "tools Read" in md
    assert "`bash` dropped: tool names are case-sensitive" in md
    assert "loads this agent" in _hover(GOOD, Position(1, 8))
    bad = "---\nname: x\n---\nBody\n"
    assert "does not load this agent" in _hover(bad, Position(0, 0))


def test_hover_on_keys_and_values() -> None:
    md = _hover(GOOD, Position(3, 2))
    assert "**`model`**" in md and "https://" in md and "If invalid" in md
    assert "claude-sonnet" in _hover(GOOD, Position(3, 9))
    assert "`Read`:" in _hover(GOOD, Position(4, 8))
    assert "not a Claude Code" in _hover(GOOD, Position(4, 14))
    assert "`plan`:" in _hover(GOOD, Position(5, 18))
    assert "ignored" in _hover("---\nname: x\nfoo: 1\n---\n", Position(2, 1))


def test_outline_and_folding() -> None:
    doc = parse_document(GOOD)
    syms = symbols(doc)
    assert syms[0].name == "frontmatter"
    assert [c.name for c in syms[0].children][:3] == ["name", "description", "model"]
    assert syms[0].children[2].detail == "sonnet"
    assert syms[1].name == "Role" and [c.name for c in syms[1].children] == ["Steps"]
    folds = [(f.start, f.end) for f in folding_ranges(doc)]
    assert (0, 6) in folds and (9, 11) in folds


def test_outline_of_a_broken_file_keeps_readable_keys() -> None:
    doc = parse_document(
        "---\nname: x\ndescription: a: b\ncolor: red\n---\n```\n# not\n```\n# Yes\n"
    )
    syms = symbols(doc)
    assert [c.name for c in syms[0].children] == ["name", "description", "color"]
    assert [s.name for s in syms[1:]] == ["Yes"]


def test_hover_on_a_list_item_without_colon_does_not_fail() -> None:
    """Found by the long LSP fuzz run: hover on `- ` under `skills: |`."""
    from agentls.editing.hover import hover
    from agentls.engine import analyze
    from agentls.types import Position

    text = "\ufeff---\n# \nallowed-tools: true\nskills: |\n- \n---"
    a = analyze(text, "/ws/.claude/agents/a.md")
    assert a.doc is not None
    for col in range(3):
        hover(a.doc, Position(4, col), a.effective, dialect="claude-agent")


# ------------------------------------------------------------------- inside hooks:

HOOKS = "---\nname: a\ndescription: Use when x.\nhooks:\n  PreToolUse:\n"


def _labels(text: str) -> list[str]:
    cands, _, _ = _complete(text)
    return [c.label for c in sorted(cands, key=lambda c: c.sort_text)]


def test_hook_group_and_handler_keys() -> None:
    assert _labels(HOOKS + "    - |\n---\n") == ["hooks", "matcher"]  # hooks is required
    assert _labels(HOOKS + "    - matcher: Bash\n      |\n---\n") == ["hooks"]
    handler = HOOKS + "    - matcher: Bash\n      hooks:\n        - ty|\n---\n"
    labels = _labels(handler)
    assert labels[0] == "type" and {"command", "prompt", "url", "timeout"} <= set(labels)
    cands, clean, _ = _complete(handler)
    typ = next(c for c in cands if c.label == "type")
    assert _apply(clean, typ).split("\n")[7] == "        - type: "
    assert "handler" in typ.documentation.lower()
    after = HOOKS + "    - matcher: Bash\n      hooks:\n        - type: command\n          |\n---\n"
    assert "type" not in _labels(after) and "command" in _labels(after)


def test_hook_values() -> None:
    kinds = _labels(HOOKS + "    - matcher: Bash\n      hooks:\n        - type: |\n---\n")
    assert kinds == ["command", "prompt", "agent", "http", "mcp_tool"]
    cands, clean, _ = _complete(HOOKS + '    - matcher: "Ed|"\n---\n')
    edit = next(c for c in cands if c.label == "Edit")
    assert _apply(clean, edit).split("\n")[5] == '    - matcher: "Edit"'
    assert any(c.label == "Edit|Write" for c in cands)  # the schema's examples
    model = HOOKS + "    - hooks:\n        - type: prompt\n          model: |\n---\n"
    assert "sonnet" in _labels(model)


def test_hook_levels_read_from_indentation() -> None:
    # sequences written at their key's column (compact YAML)
    compact = HOOKS + "  - matcher: x\n    hooks:\n    - type: command\n    - |\n---\n"
    assert "type" in _labels(compact) and "matcher" not in _labels(compact)
    # a second event: back to a matcher group
    second = HOOKS + "    - matcher: x\n  PostToolUse:\n    - |\n---\n"
    assert _labels(second) == ["hooks", "matcher"]
    # the events' level keeps its own completion
    assert "PostToolUse" in _labels("---\nname: a\nhooks:\n  Po|\n---\n")
    # an http handler's headers: nothing invented below a handler
    assert (
        _labels(
            HOOKS + "    - hooks:\n        - type: http\n          headers:\n            |\n---\n"
        )
        == []
    )
