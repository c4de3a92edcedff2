"""The gate: every rule of ``data/rules.json``, of every dialect, has a case that triggers it
and a near miss that must not. A rule added without both fails ``test_every_rule_has_a_case``.

Each case is a small workspace: the file under test (``target``) and the files around it
(``extra``: other agents, a ``.mcp.json``, a plugin manifest). Files are read the way
``agentls check`` reads them (bytes, so a file that is not UTF-8 is a case too) and the
cross-file rules run over the workspace's index, as in the editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_claude_rules import CASES as CLAUDE_CASES

from agentls.check import check_file
from agentls.index import WorkspaceIndex, entry_from_analysis
from agentls.rules import codes
from agentls.rules.registry import rules

AGENT = ".claude/agents/reviewer.md"


@dataclass(frozen=True)
class Link:
    """A symbolic link to ``to`` in place of a file."""

    to: str


@dataclass(frozen=True)
class Case:
    hit: str | bytes | Link
    miss: str | bytes
    target: str = AGENT
    miss_target: str | None = None  # when the near miss is the same text elsewhere
    extra: dict[str, str] = field(default_factory=dict)


def fm(*lines: str, body: str = "Body.\n") -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n" + body


def agent(name: str, *lines: str) -> str:
    return fm(f"name: {name}", "description: Use when reviewing code.", *lines)


PLUGIN = {".claude-plugin/plugin.json": '{"name": "tools-plugin"}'}
PLUGIN_AGENT = "agents/helper.md"
SKILL = ".claude/skills/lint/SKILL.md"
STD_SKILL = ".github/skills/lint/SKILL.md"
COMMAND = ".claude/commands/deploy.md"
RULE = ".claude/rules/style.md"
COPILOT = ".github/agents/planner.agent.md"
CHATMODE = ".github/chatmodes/planner.chatmode.md"
PROMPT = ".github/prompts/review.prompt.md"
INSTRUCTIONS = ".github/instructions/py.instructions.md"
OPENCODE = ".opencode/agent/review.md"
GEMINI = ".gemini/agents/review.md"
CONFIG = "agentls.toml"

SKILL_OK = fm("name: lint", "description: Use when linting.")
COPILOT_OK = fm("description: Plans the work.")
OPENCODE_OK = fm("description: Reviews code.", "model: anthropic/claude-sonnet-4-5")
GEMINI_OK = fm("name: review", "description: Reviews code.")

CASES: dict[str, Case] = {
    # ---- Claude Code agents: the single-file cases of test_claude_rules.py, and these
    **{code: Case(hit, miss) for code, (hit, miss) in CLAUDE_CASES.items()},
    codes.WRONG_EXTENSION: Case(
        agent("reviewer"), agent("reviewer"), ".claude/agents/reviewer.markdown", AGENT
    ),
    codes.NOT_UTF8: Case(
        agent("reviewer").encode().replace(b"reviewing", b"review\xffing"), agent("reviewer")
    ),
    codes.UNREADABLE_FILE: Case(Link("/nonexistent/agent.md"), agent("reviewer")),
    codes.MCP_SERVER_NOT_CONFIGURED: Case(
        agent("reviewer", "tools: Read, mcp__jira"),
        agent("reviewer", "tools: Read, mcp__github__*"),
        extra={".mcp.json": '{"mcpServers": {"github": {"command": "gh"}}}'},
    ),
    # ---- cross-file (the workspace index)
    codes.DUPLICATE_NAME: Case(
        agent("helper"),
        agent("reviewer"),
        extra={".claude/agents/helper.md": agent("helper")},
    ),
    codes.SHADOWS_AGENT: Case(agent("Explore"), agent("explorer")),
    codes.UNKNOWN_SKILL: Case(
        agent("reviewer", "skills: lnt"),
        agent("reviewer", "skills: lint"),
        extra={SKILL: SKILL_OK},
    ),
    codes.UNKNOWN_AGENT: Case(
        agent("reviewer", "tools: Read, Agent(helpr)"),
        agent("reviewer", "tools: Read, Agent(helper)"),
        extra={".claude/agents/helper.md": agent("helper")},
    ),
    codes.UNKNOWN_COPILOT_AGENT: Case(
        fm("description: Plans.", "tools: [agent]", "agents: [implementr]"),
        fm("description: Plans.", "tools: [agent]", "agents: [implementer]"),
        COPILOT,
        extra={".github/agents/implementer.agent.md": COPILOT_OK},
    ),
    # ---- every schema-driven dialect (shown on one or two of them)
    codes.DOCS_IN_AGENTS_FOLDER: Case(
        "# Our agents\n\nHow to write one.\n",
        "# Our agents\n\nHow to write one.\n",
        ".claude/agents/README.md",
        "docs/README.md",
    ),
    codes.COMMON_NO_FRONTMATTER: Case("Plans the work.\n", COPILOT_OK, COPILOT),
    codes.COMMON_YAML_SYNTAX: Case(
        fm("description: Plans.", "tools: [read,", "edit"),
        fm("description: Plans.", "tools: [read,", "  edit]"),
        COPILOT,
    ),
    codes.COMMON_NEEDS_QUOTING: Case(
        fm("description: Plans: the work."), fm('description: "Plans: the work."'), COPILOT
    ),
    codes.COMMON_DASHES_IN_FRONTMATTER: Case(
        fm("name: lint", "description: Use when --- linting.", "model: sonnet"),
        fm("name: lint", "description: Use when — linting.", "model: sonnet"),
        SKILL,
    ),
    codes.COMMON_COMMENT_IN_VALUE: Case(
        fm("description: Plans the work #important"),
        fm('description: "Plans the work #important"'),
        COPILOT,
    ),
    codes.COMMON_DUPLICATE_KEY: Case(
        fm("description: Plans.", "description: Plans the work."), COPILOT_OK, COPILOT
    ),
    codes.COMMON_FRONTMATTER_NOT_MAPPING: Case("---\n- a\n- b\n---\nBody.\n", COPILOT_OK, COPILOT),
    codes.COMMON_UNKNOWN_KEY: Case(
        fm("description: Plans.", "descripton: typo"), COPILOT_OK, COPILOT
    ),
    codes.COMMON_OTHER_DIALECT_KEY: Case(
        fm("description: Plans.", "permissionMode: plan"), COPILOT_OK, COPILOT
    ),
    codes.COMMON_INVALID_TYPE: Case(
        fm("name: review", "description: Reviews code.", "temperature: hot"), GEMINI_OK, GEMINI
    ),
    codes.INVALID_VALUE: Case(
        fm("description: Plans.", "target: vim"),
        fm("description: Plans.", "target: vscode"),
        COPILOT,
    ),
    codes.MISSING_REQUIRED: Case(fm("name: review"), GEMINI_OK, GEMINI),
    codes.DEPRECATED_KEY: Case(fm("description: Plans.", "infer: true"), COPILOT_OK, COPILOT),
    codes.VALUE_OUT_OF_RANGE: Case(
        fm("description: Reviews.", "top_p: 2"), fm("description: Reviews.", "top_p: 0.5"), OPENCODE
    ),
    codes.COMMON_IRREGULAR_CLOSING_FENCE: Case(
        "---\ndescription: Plans.\n----\nBody.\n", COPILOT_OK, COPILOT
    ),
    # ---- plugin agents
    codes.PLUGIN_IGNORED_KEY: Case(
        agent("helper", "permissionMode: plan"),
        agent("helper", "model: sonnet"),
        PLUGIN_AGENT,
        extra=PLUGIN,
    ),
    codes.PLUGIN_AGENT_FALLBACK: Case(
        fm("name: helper"), agent("helper"), PLUGIN_AGENT, extra=PLUGIN
    ),
    # ---- skills
    codes.SKILL_NAME_DIRECTORY: Case(
        fm("name: linter", "description: Use when linting."), SKILL_OK, SKILL
    ),
    codes.SKILL_NOT_PORTABLE: Case(
        fm("name: lint", "description: Use when linting.", "model: sonnet"), SKILL_OK, SKILL
    ),
    codes.SKILL_DESCRIPTION_TRUNCATED: Case(
        fm("name: lint", "description: Use when " + "linting " * 200),
        fm("name: lint", "description: Use when " + "linting " * 150),
        SKILL,
    ),
    codes.SKILL_NO_DESCRIPTION: Case(fm("name: lint"), SKILL_OK, SKILL),
    # ---- commands
    codes.COMMAND_IGNORED_KEY: Case(
        fm("name: deploy", "description: Deploys."), fm("description: Deploys."), COMMAND
    ),
    # ---- GitHub Copilot / VS Code
    codes.AGENTS_WITHOUT_AGENT_TOOL: Case(
        fm("description: Plans.", "tools: [read]", "agents: ['*']"),
        fm("description: Plans.", "tools: [read, agent]", "agents: ['*']"),
        COPILOT,
    ),
    codes.COPILOT_BODY_TOO_LONG: Case(
        fm("description: Plans.", body="x" * 30_001 + "\n"),
        fm("description: Plans.", body="x" * 29_000 + "\n"),
        COPILOT,
    ),
    codes.COPILOT_TARGET_IGNORES_KEY: Case(
        fm("description: Plans.", "target: vscode", "metadata: {team: a}"),
        fm("description: Plans.", "target: github-copilot", "metadata: {team: a}"),
        COPILOT,
    ),
    codes.LEGACY_CHATMODE: Case(COPILOT_OK, COPILOT_OK, CHATMODE, COPILOT),
    codes.PROMPT_MODE: Case(
        fm("description: Review.", "mode: agent"),
        fm("description: Review.", "agent: agent"),
        PROMPT,
    ),
    codes.INSTRUCTIONS_NO_APPLY_TO: Case(
        fm("description: Python style."), fm("applyTo: '**/*.py'"), INSTRUCTIONS
    ),
    # ---- OpenCode
    codes.OPENCODE_MODEL_FORMAT: Case(
        fm("description: Reviews code.", "model: sonnet"), OPENCODE_OK, OPENCODE
    ),
    codes.OPENCODE_NO_DESCRIPTION: Case(
        fm("model: anthropic/claude-sonnet-4-5"), OPENCODE_OK, OPENCODE
    ),
    # ---- agentls's own configuration
    codes.CONFIG_SYNTAX: Case('ignore = ["AL016"\n', 'ignore = ["AL016"]\n', CONFIG),
    codes.UNKNOWN_CONFIG_KEY: Case('ignroe = ["AL016"]\n', 'ignore = ["AL016"]\n', CONFIG),
    codes.INVALID_CONFIG_VALUE: Case(
        'severity = { AL016 = "loud" }\n', 'severity = { AL016 = "hint" }\n', CONFIG
    ),
    codes.UNKNOWN_RULE_SELECTOR: Case('ignore = ["AL0166"]\n', 'ignore = ["AL016"]\n', CONFIG),
    codes.CONFIG_NOT_USED: Case(
        '[tool.agentls]\nignore = ["AL016"]\n',
        '[tool.agentls]\nignore = ["AL016"]\n',
        "pyproject.toml",
        "sub/pyproject.toml",
        extra={CONFIG: ""},
    ),
    # ---- suppression comments
    codes.UNUSED_SUPPRESSION: Case(
        agent("reviewer", "# agentls: ignore[AL028]", "model: sonnet"),
        agent("reviewer", "# agentls: ignore[AL028]", "color: gold"),
    ),
    codes.UNKNOWN_SUPPRESSION_RULE: Case(
        agent("reviewer", "# agentls: ignore[AL9028]", "color: gold"),
        agent("reviewer", "# agentls: ignore[AL028]", "color: gold"),
    ),
    codes.MALFORMED_SUPPRESSION: Case(
        agent("reviewer", "# agentls: ignore AL028", "color: gold"),
        agent("reviewer", "# agentls: ignore[AL028]", "color: gold"),
    ),
}


def codes_of(root: Path, target: str, text: str | bytes | Link, extra: dict[str, str]) -> set[str]:
    for rel, content in {**extra, target: text}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            p.symlink_to(content.to)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, "utf-8", newline="")
    results = [check_file(str(root / rel)) for rel in {**extra, target: text}]
    index = WorkspaceIndex()
    for r in results:
        entry = entry_from_analysis(r.analysis, "project")
        if entry is not None:
            index.entries[entry.path] = entry
    mine = results[-1].analysis
    return {f.code for f in mine.findings + index.findings_for(str(root / target))}


def test_every_rule_has_a_case() -> None:
    missing = sorted(set(rules()) - set(CASES))
    assert not missing, f"rules without a triggering case and a near miss: {missing}"
    assert not set(CASES) - set(rules())


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_triggers_and_near_miss_does_not(tmp_path: Path, code: str) -> None:
    case = CASES[code]
    hit = codes_of(tmp_path / "hit", case.target, case.hit, case.extra)
    assert code in hit, f"{code} not raised; got {sorted(hit)}"
    miss = codes_of(tmp_path / "miss", case.miss_target or case.target, case.miss, case.extra)
    assert code not in miss, f"{code} raised by the near miss"
    for rule_dialect in rules()[code].dialects:
        assert rule_dialect  # every rule names the dialects it applies to
