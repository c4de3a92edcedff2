"""Where the shared test inputs are: ../shared/seeds and ../shared/corpus (may be absent)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# AGENTLS_SHARED: where ../shared is when the checkout is elsewhere (a git worktree).
SHARED = Path(os.environ.get("AGENTLS_SHARED") or REPO.parent / "shared")
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus"

# Paths relative to a repository root, one or more per dialect and per place (root, nested),
# and paths that must not be selected.
AGENT_PATHS = (
    ".claude/agents/reviewer.md",
    ".claude/agents/team/nested.md",
    "packages/web/.claude/agents/reviewer.md",
    ".claude/skills/pdf/SKILL.md",
    ".github/skills/pdf/SKILL.md",
    ".copilot/skills/pdf/SKILL.md",
    ".claude/commands/deploy.md",
    ".claude/commands/git/commit.md",
    ".claude/rules/style.md",
    ".github/chatmodes/plan.chatmode.md",
    ".github/prompts/release.prompt.md",
    ".github/instructions/python.instructions.md",
    ".github/agents/planner.md",
    "sub/.github/agents/planner.md",
    ".copilot/agents/planner.md",
    "docs/planner.agent.md",
    ".opencode/agent/review.md",
    ".opencode/modes/plan.md",
    ".config/opencode/agents/review.md",
    ".gemini/agents/helper.md",
    ".config/gemini-cli/agents/helper.md",
    "plugins/tools/agents/linter.md",
    "agents/linter.md",
    "plugins/tools/commands/lint.md",
    "plugins/tools/skills/lint/SKILL.md",
    "SKILL.md",
    "anything/SKILL.md",
)
OTHER_PATHS = (
    "README.md",
    "docs/guide.md",
    "src/agents.py",
    ".claude/agents/notes.txt",
    ".github/workflows/ci.yml",
    "package.json",
    ".claude/skills/x/notes.md",
    "CHANGELOG.md",
)
# The files around agents are checked too (settings, MCP, plugins, memory, other agents' rules).
SURFACE_PATHS = (
    ".claude/settings.json",
    ".claude/settings.local.json",
    ".mcp.json",
    ".claude-plugin/plugin.json",
    ".claude-plugin/marketplace.json",
    "plugins/p/hooks/hooks.json",
    "CLAUDE.md",
    "sub/AGENTS.md",
    "CLAUDE.local.md",
    ".cursor/rules/style.mdc",
    ".windsurf/rules/style.md",
    ".kiro/steering/tech.md",
    ".claude/skills/x/skill.md",
)


def corpus_manifest() -> list[tuple[str, str]]:
    """(dialect, path relative to the corpus) for every corpus file, or [] when absent."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    rows = []
    for line in manifest.read_text("utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 4:
            owner_repo = parts[1].replace("/", "__")
            rows.append((parts[0], f"{owner_repo}/{parts[3]}"))
    return rows


def cache_dir() -> Path:
    """The per-machine cache of the test suite: code-server, wheelhouses
    ($AGENTLS_TEST_CACHE, else $XDG_CACHE_HOME/agentls-tests, else ~/.cache/agentls-tests)."""
    env = os.environ.get("AGENTLS_TEST_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "agentls-tests"
