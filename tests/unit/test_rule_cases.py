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
from agentls.engine import MAX_ANALYSED_CHARS
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

SETTINGS = ".claude/settings.json"
MCP = ".mcp.json"
MANIFEST = ".claude-plugin/plugin.json"
MARKET = ".claude-plugin/marketplace.json"
HOOKS = "hooks/hooks.json"
MEMORY = "CLAUDE.md"
CURSOR = ".cursor/rules/style.mdc"
WINDSURF = ".windsurf/rules/style.md"
KIRO = ".kiro/steering/style.md"
HOOK = '{"matcher": "Bash", "hooks": [{"type": "command", "command": "./check.sh"}]}'


def servers(body: str) -> str:
    return '{"mcpServers": {"github": ' + body + "}}"


def market(*plugins: str) -> str:
    return '{"name": "tools", "owner": {"name": "Team"}, "plugins": [' + ", ".join(plugins) + "]}"


def market_plugin(name: str, source: str = "./plugins/lint") -> str:
    return '{"name": "' + name + '", "source": "' + source + '"}'


def sized_settings(chars: int) -> str:
    """A settings file of exactly ``chars`` characters (one long `env` value)."""
    head, tail = '{"env": {"X": "', '"}}'
    return head + "a" * (chars - len(head) - len(tail)) + tail


def imports(n: int) -> dict[str, str]:
    """docs/1.md imports docs/2.md ... down to docs/<n>.md."""
    return {f"docs/{i}.md": f"Level {i}: @{i + 1}.md\n" for i in range(1, n)} | {
        f"docs/{n}.md": "The end.\n"
    }


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
    codes.MCP_SERVER_DISABLED: Case(
        agent("reviewer", "tools: Read, mcp__github__create_issue"),
        agent("reviewer", "tools: Read, mcp__jira__create_issue"),
        extra={
            MCP: '{"mcpServers": {"github": {"command": "gh"}, "jira": {"command": "jira"}}}',
            SETTINGS: '{"disabledMcpjsonServers": ["github"]}',
        },
    ),
    codes.SETTINGS_MCP_SERVER_UNKNOWN: Case(
        '{"enabledMcpjsonServers": ["githb"]}',
        '{"enabledMcpjsonServers": ["github"]}',
        SETTINGS,
        extra={MCP: servers('{"command": "gh"}')},
    ),
    codes.AGENT_TOOLS_ALL_DENIED: Case(
        agent("reviewer", "tools: Bash, WebFetch"),
        agent("reviewer", "tools: Bash, Read"),
        extra={SETTINGS: '{"permissions": {"deny": ["Bash", "WebFetch", "Read(./.env)"]}}'},
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
    codes.SKILL_DESCRIPTION_NOT_PORTABLE: Case(
        fm("name: lint", "description: Use when " + "linting " * 130),
        fm("name: lint", "description: Use when " + "linting " * 120),
        SKILL,
    ),
    codes.SKILL_MANIFEST_MISNAMED: Case(
        SKILL_OK, SKILL_OK, ".claude/skills/lint/skill.md", miss_target=SKILL
    ),
    codes.SKILL_FILE_LOOSE: Case(SKILL_OK, SKILL_OK, ".claude/skills/lint.md", miss_target=SKILL),
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
    # ---- Claude Code's JSON files (settings, .mcp.json, plugins, marketplaces, hooks.json)
    codes.JSON_SYNTAX: Case('{"model": "sonnet",}', '{"model": "sonnet"}', SETTINGS),
    codes.JSON_DUPLICATE_KEY: Case(
        '{"model": "sonnet", "model": "opus"}', '{"model": "sonnet", "agent": "x"}', SETTINGS
    ),
    codes.JSON_NOT_OBJECT: Case('["sonnet"]', '{"model": "sonnet"}', SETTINGS),
    codes.JSON_UNKNOWN_KEY: Case('{"modle": "sonnet"}', '{"model": "sonnet"}', SETTINGS),
    codes.JSON_INVALID_VALUE: Case(
        '{"cleanupPeriodDays": "week"}', '{"cleanupPeriodDays": 7}', SETTINGS
    ),
    codes.JSON_MISSING_KEY: Case('{"version": "1.0.0"}', '{"name": "lint"}', MANIFEST),
    codes.JSON_UNKNOWN_NAME: Case(
        '{"hooks": {"PreToolUs": [' + HOOK + "]}}",
        '{"hooks": {"PreToolUse": [' + HOOK + "]}}",
        SETTINGS,
    ),
    # one character over what the engine analyses: nothing else is checked, and it says so
    codes.JSON_TOO_LARGE: Case(
        sized_settings(MAX_ANALYSED_CHARS + 1), sized_settings(MAX_ANALYSED_CHARS), SETTINGS
    ),
    codes.MCP_SERVERS_NOT_WRAPPED: Case(
        '{"github": {"command": "gh"}}', servers('{"command": "gh"}'), MCP
    ),
    codes.MCP_VARIABLE_NOT_EXPANDED: Case(
        servers('{"command": "gh", "args": ["$HOME/x"]}'),
        servers('{"command": "gh", "args": ["${HOME}/x"]}'),
        MCP,
    ),
    codes.MCP_SECRET_IN_FILE: Case(
        servers('{"command": "gh", "env": {"GITHUB_TOKEN": "ghp_' + "a1B2" * 9 + '"}}'),
        servers('{"command": "gh", "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}}'),
        MCP,
    ),
    codes.MCP_URL_INVALID: Case(
        servers('{"type": "http", "url": "api.github.com/mcp"}'),
        servers('{"type": "http", "url": "https://api.github.com/mcp"}'),
        MCP,
    ),
    codes.PERMISSION_RULE_UNREADABLE: Case(
        '{"permissions": {"allow": ["Bash()"]}}', '{"permissions": {"allow": ["Bash"]}}', SETTINGS
    ),
    codes.PERMISSION_RULE_UNKNOWN_TOOL: Case(
        '{"permissions": {"deny": ["Bsh(rm *)"]}}',
        '{"permissions": {"deny": ["Bash(rm *)"]}}',
        SETTINGS,
    ),
    codes.PLUGIN_PATH_MISSING: Case(
        '{"name": "lint", "commands": "./cmds"}',
        '{"name": "lint", "commands": "./commands"}',
        MANIFEST,
        extra={"commands/deploy.md": fm("description: Deploys.")},
    ),
    codes.PLUGIN_SKILL_PATH_FILE: Case(
        '{"name": "lint", "skills": ["./extra/pdf/SKILL.md"]}',
        '{"name": "lint", "skills": ["./extra/pdf"]}',
        MANIFEST,
        extra={"extra/pdf/SKILL.md": fm("name: pdf", "description: Reads PDFs.")},
    ),
    codes.PLUGIN_COMPONENT_NOT_LISTED: Case(
        '{"name": "lint", "agents": ["./agents/one.md"]}',
        '{"name": "lint", "agents": ["./agents/one.md", "./agents/two.md"]}',
        MANIFEST,
        extra={"agents/one.md": agent("one"), "agents/two.md": agent("two")},
    ),
    codes.PLUGIN_DEPENDENCY_TWICE: Case(
        '{"name": "lint", "dependencies": ["fmt"], "optionalDependencies": ["fmt"]}',
        '{"name": "lint", "dependencies": ["fmt"], "optionalDependencies": ["docs"]}',
        MANIFEST,
    ),
    codes.MARKETPLACE_DUPLICATE_PLUGIN: Case(
        market(market_plugin("lint"), market_plugin("lint")),
        market(market_plugin("lint"), market_plugin("fmt")),
        MARKET,
        extra={"plugins/lint/.claude-plugin/plugin.json": '{"name": "lint"}'},
    ),
    codes.MARKETPLACE_SOURCE_MISSING: Case(
        market(market_plugin("lint", "./plugins/lnt")),
        market(market_plugin("lint")),
        MARKET,
        extra={"plugins/lint/.claude-plugin/plugin.json": '{"name": "lint"}'},
    ),
    codes.PLUGIN_HOOKS_NOT_WRAPPED: Case(
        '{"PreToolUse": [' + HOOK + "]}", '{"hooks": {"PreToolUse": [' + HOOK + "]}}", HOOKS
    ),
    codes.PLUGIN_ROOT_UNQUOTED: Case(
        '{"hooks": {"Stop": [{"hooks": [{"type": "command", '
        '"command": "${CLAUDE_PLUGIN_ROOT}/done.sh"}]}]}}',
        '{"hooks": {"Stop": [{"hooks": [{"type": "command", '
        '"command": "\\"${CLAUDE_PLUGIN_ROOT}/done.sh\\""}]}]}}',
        HOOKS,
    ),
    codes.MARKETPLACE_ENTRY_LIST_IGNORED: Case(
        market('{"name": "lint", "source": "./plugins/lint", "optionalDependencies": ["x"]}'),
        market('{"name": "fmt", "source": "./plugins/fmt", "optionalDependencies": ["x"]}'),
        MARKET,
        extra={
            "plugins/lint/.claude-plugin/plugin.json": '{"name": "lint"}',
            "plugins/fmt/agents/a.md": agent("a"),
        },
    ),
    # ---- memory files
    codes.MEMORY_IMPORT_MISSING: Case(
        "Read @docs/gide.md first.\n",
        "Read @docs/guide.md first.\n",
        MEMORY,
        extra={"docs/guide.md": "The guide.\n"},
    ),
    codes.MEMORY_IMPORT_TOO_DEEP: Case(
        "Start at @docs/1.md\n", "Start at @docs/2.md\n", MEMORY, extra=imports(5)
    ),
    codes.MEMORY_IMPORT_CYCLE: Case(
        "Read @docs/a.md\n",
        "Read @docs/c.md\n",
        MEMORY,
        extra={
            "docs/a.md": "See @b.md\n",
            "docs/b.md": "Back to @../CLAUDE.md\n",
            "docs/c.md": "x\n",
        },
    ),
    codes.MEMORY_IMPORT_NOT_TEXT: Case(
        "The logo: @docs/logo.png\n",
        "The notes: @docs/notes.txt\n",
        MEMORY,
        extra={"docs/logo.png": "PNG", "docs/notes.txt": "Notes."},
    ),
    codes.MEMORY_IMPORT_OUTSIDE_PROJECT: Case(
        "Shared: @../shared.md\n",
        "Shared: @docs/shared.md\n",
        MEMORY,
        extra={
            ".git/HEAD": "ref: refs/heads/main\n",
            "../shared.md": "x\n",
            "docs/shared.md": "x\n",
        },
    ),
    codes.MEMORY_FILE_LARGE: Case("Rule.\n" * 7_000, "Rule.\n" * 6_000, MEMORY),
    codes.AGENTS_MD_NOT_READ: Case(
        "Build with make.\n",
        "Build with make.\n",
        "AGENTS.md",
        miss_target="docs/AGENTS.md",
        extra={MEMORY: "Test with make test.\n"},
    ),
    # ---- rule files of Cursor, Windsurf and Kiro
    codes.CURSOR_GLOBS_IGNORED: Case(
        fm("alwaysApply: true", "globs: src/**/*.ts"),
        fm("alwaysApply: false", "globs: src/**/*.ts"),
        CURSOR,
    ),
    codes.CURSOR_MANUAL_ONLY: Case(
        fm("alwaysApply: false"), fm("alwaysApply: false", "description: TypeScript style."), CURSOR
    ),
    codes.WINDSURF_TRIGGER_INCOMPLETE: Case(
        fm("trigger: glob"), fm("trigger: glob", "globs: src/**/*.ts"), WINDSURF
    ),
    codes.WINDSURF_RULE_TOO_LONG: Case(
        fm("trigger: always_on", body="x" * 12_001 + "\n"),
        fm("trigger: always_on", body="x" * 11_000 + "\n"),
        WINDSURF,
    ),
    codes.KIRO_INCLUSION_INCOMPLETE: Case(
        fm("inclusion: fileMatch"),
        fm("inclusion: fileMatch", "fileMatchPattern: 'src/**/*.ts'"),
        KIRO,
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
