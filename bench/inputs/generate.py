"""Generated benchmark inputs: Claude Code agent files of a given size and whole workspaces.

Everything here is synthetic (written for the benchmarks, deterministic); no corpus text.

    python bench/inputs/generate.py agent 6144 > agent-6k.md
    python bench/inputs/generate.py settings 20480 > settings.json
    python bench/inputs/generate.py workspace DIR 10000
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

TOOLS = ["Read", "Grep", "Glob", "Edit", "Write", "Bash", "WebFetch", "WebSearch", "TodoWrite"]
MODELS = ["sonnet", "opus", "haiku", "inherit"]
COLORS = ["blue", "green", "red", "yellow", "purple", "orange", "pink", "cyan"]
TOPICS = [
    "database migrations",
    "HTTP handlers",
    "background jobs",
    "caching layers",
    "authentication flows",
    "message queues",
    "API versioning",
    "observability",
    "rate limiting",
    "schema design",
]


VOCAB = [
    "review",
    "the",
    "change",
    "carefully",
    "and",
    "check",
    "every",
    "error",
    "path",
    "before",
    "you",
    "suggest",
    "a",
    "fix",
    "prefer",
    "small",
    "functions",
    "explicit",
    "types",
    "clear",
    "names",
    "tests",
    "that",
    "fail",
    "for",
    "one",
    "reason",
    "measure",
    "before",
    "optimising",
    "keep",
    "the",
    "public",
    "interface",
    "stable",
    "document",
    "each",
    "decision",
]


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(words)).capitalize() + "."


def agent_text(size: int, name: str = "backend-reviewer", seed: int = 0) -> str:
    """A well-formed Claude Code agent of about ``size`` bytes (frontmatter + Markdown body).

    The description carries examples the way real agents do (one long line with ``\\n``
    escapes), the body has headings, lists, fenced code and tables, repeated to the size.
    """
    rng = random.Random(seed)
    topic = rng.choice(TOPICS)
    examples = "".join(
        f'<example>\\nContext: The user changed the {t}.\\nuser: \\"Please review my {t}.\\"\\n'
        f'assistant: \\"I will use the {name} agent to review the {t}.\\"\\n</example>\\n'
        for t in TOPICS[:3]
    )
    head = (
        "---\n"
        f"name: {name}\n"
        f'description: "Use this agent to review backend code about {topic}. {examples}"\n'
        f"tools: {', '.join(TOOLS[:5])}\n"
        f"model: {rng.choice(MODELS)}\n"
        f"color: {rng.choice(COLORS)}\n"
        "---\n\n"
        f"You are a senior backend engineer who reviews code about {topic}.\n\n"
    )
    parts = [head]
    n = len(head)
    i = 0
    while n < size:
        i += 1
        t = TOPICS[i % len(TOPICS)]
        section = (
            f"## {i}. {t.capitalize()}\n\n"
            f"{_paragraph(rng, 40)}\n\n"
            f"- {_paragraph(rng, 8)}\n- {_paragraph(rng, 10)}\n- {_paragraph(rng, 6)}\n\n"
            "```python\n"
            f"def handle_{i}(request: Request) -> Response:\n"
            f"    return Response(status=200, body=render({i}))\n"
            "```\n\n"
            "| check | why |\n|---|---|\n"
            f"| {t} | {_paragraph(rng, 6)} |\n\n"
        )
        parts.append(section)
        n += len(section)
    text = "".join(parts)
    return text[: text.rfind("\n", 0, size) + 1] if len(text) > size else text


SKILL = """---
name: {name}
description: Builds and checks {topic}. Use when the user asks about {topic}.
---

# {title}

{para}
"""

COMMAND = """---
description: Run the {topic} checks
argument-hint: [path]
allowed-tools: Bash(git diff:*), Read, Grep
---

Check {topic} in $ARGUMENTS. {para}
"""


def settings_text(size: int, seed: int = 0) -> str:
    """A well-formed ``.claude/settings.json`` of about ``size`` bytes, shaped like the large
    real ones: long permission lists, hooks on several events, environment, MCP approvals."""
    import json

    rng = random.Random(seed)
    scripts = ["test", "lint", "build", "typecheck", "format", "dev", "e2e", "docs"]
    data: dict[str, object] = {
        "$schema": "https://json.schemastore.org/claude-code-settings.json",
        "model": "sonnet",
        "permissions": {
            "allow": [],
            "ask": ["Bash(git push:*)", "Bash(npm publish:*)"],
            "deny": ["Read(./.env)", "Read(./secrets/**)", "Bash(rm -rf:*)"],
            "defaultMode": "acceptEdits",
            "additionalDirectories": ["../shared"],
        },
        "env": {"NODE_ENV": "development", "CI": "false"},
        "hooks": {
            event: [
                {
                    "matcher": rng.choice(["Bash", "Edit|Write", "*"]),
                    "hooks": [{"type": "command", "command": f"./scripts/{event.lower()}.sh"}],
                }
            ]
            for event in ("PreToolUse", "PostToolUse", "Stop", "SessionStart")
        },
        "enabledMcpjsonServers": ["github", "linear"],
        "includeCoAuthoredBy": False,
        "cleanupPeriodDays": 30,
    }
    allow: list[str] = data["permissions"]["allow"]  # type: ignore[index]
    i = 0
    while len(json.dumps(data, indent=2)) < size:
        topic = rng.choice(TOPICS).replace(" ", "-")
        allow.append(
            rng.choice(
                [
                    f"Bash(npm run {rng.choice(scripts)}:{topic}:*)",
                    f"Read(./packages/{topic}/**)",
                    f"Edit(./packages/{topic}/src/**/*.ts)",
                    f"WebFetch(domain:{topic}.example.com)",
                    f"mcp__github__{rng.choice(['get_issue', 'list_pulls', 'create_comment'])}",
                ]
            )
        )
        i += 1
    return json.dumps(data, indent=2) + "\n"


def workspace(root: Path, files: int, seed: int = 0) -> dict[str, int]:
    """A monorepo of ``files`` files: projects of 100 files each, 40 of them definitions
    (25 agents, 10 commands, 5 skills), the rest Markdown docs and source files.

    A few names repeat across projects (they are in separate folders, so no finding), and
    agents mention each other (``@agent-...``) and list skills, so the cross-file index
    has work to do.
    """
    rng = random.Random(seed)
    counts = {"agents": 0, "commands": 0, "skills": 0, "other": 0}
    projects = max(1, files // 100)
    made = 0
    for p in range(projects):
        base = root / f"pkg{p:03d}"
        ag = base / ".claude" / "agents"
        cm = base / ".claude" / "commands"
        ag.mkdir(parents=True, exist_ok=True)
        cm.mkdir(parents=True, exist_ok=True)
        (base / "docs").mkdir(exist_ok=True)
        (base / "src").mkdir(exist_ok=True)
        plan = ["agent"] * 25 + ["command"] * 10 + ["skill"] * 5 + ["doc"] * 20 + ["src"] * 40
        for k, kind in enumerate(plan):
            if made >= files:
                break
            made += 1
            topic = TOPICS[(p + k) % len(TOPICS)]
            if kind == "agent":
                name = f"p{p}-agent-{k}"
                text = agent_text(rng.choice([1500, 3000, 6000]), name, seed=p * 100 + k)
                text = text.replace(
                    "You are a senior",
                    f"Hand over to @agent-p{p}-agent-{(k + 1) % 25} when done. You are a senior",
                    1,
                )
                (ag / f"{name}.md").write_text(text, "utf-8")
                counts["agents"] += 1
            elif kind == "command":
                (cm / f"check-{k}.md").write_text(
                    COMMAND.format(topic=topic, para=_paragraph(rng, 30)), "utf-8"
                )
                counts["commands"] += 1
            elif kind == "skill":
                d = base / ".claude" / "skills" / f"skill-{k}"
                d.mkdir(parents=True, exist_ok=True)
                (d / "SKILL.md").write_text(
                    SKILL.format(
                        name=f"skill-{k}",
                        topic=topic,
                        title=topic.capitalize(),
                        para=_paragraph(rng, 60),
                    ),
                    "utf-8",
                )
                counts["skills"] += 1
            elif kind == "doc":
                (base / "docs" / f"note-{k}.md").write_text(
                    f"# {topic}\n\n{_paragraph(rng, 80)}\n", "utf-8"
                )
                counts["other"] += 1
            else:
                (base / "src" / f"mod_{k}.py").write_text(
                    f'"""{topic}."""\n\n\ndef f{k}(x: int) -> int:\n    return x + {k}\n',
                    "utf-8",
                )
                counts["other"] += 1
    return counts


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "agent":
        sys.stdout.write(agent_text(int(sys.argv[2])))
    elif len(sys.argv) >= 3 and sys.argv[1] == "settings":
        sys.stdout.write(settings_text(int(sys.argv[2])))
    elif len(sys.argv) >= 4 and sys.argv[1] == "workspace":
        print(workspace(Path(sys.argv[2]), int(sys.argv[3])))
    else:
        sys.stderr.write(__doc__ or "")
        sys.exit(os.EX_USAGE)
