"""The rule registry: ids, severities, summaries and documentation, read from a data file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from agentls.data import load_json
from agentls.types import Finding, Fix, Range, Related, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    doc: str
    fix: str
    dialects: tuple[str, ...]
    keys: frozenset[str] = frozenset()  # the keys the rule covers, when it names them

    @property
    def anchor(self) -> str:
        return f"{self.id.lower()}-{self.name}"


@cache
def rules() -> dict[str, Rule]:
    data = load_json("rules.json")
    out: dict[str, Rule] = {}
    for r in data["rules"]:
        out[r["id"]] = Rule(
            id=r["id"],
            name=r["name"],
            severity=Severity.parse(r["severity"]),
            summary=r["summary"],
            doc=r["doc"],
            fix=r.get("fix", ""),
            dialects=tuple(r.get("dialects", ())),
            keys=frozenset(r.get("keys", ())),
        )
    return out


@cache
def docs_base() -> str:
    return str(load_json("rules.json")["docsBase"])


def constant_names() -> dict[str, str]:
    """Rule id → the name of its constant in ``rules/codes.py`` (the rule's name in upper
    snake case; ``COMMON_`` in front for a schema-dialect rule named like a Claude agent rule)."""
    taken: dict[str, int] = {}
    for r in rules().values():
        taken[r.name] = taken.get(r.name, 0) + 1
    out = {}
    for r in rules().values():
        name = r.name.upper().replace("-", "_")
        if taken[r.name] > 1 and "claude-agent" not in r.dialects:
            name = "COMMON_" + name
        out[r.id] = name
    return out


def rule_url(rule_id: str) -> str:
    rule = rules().get(rule_id)
    anchor = rule.anchor if rule else rule_id.lower()
    return f"{docs_base()}#{anchor}"


# Messages quote what the user wrote between backquotes. A quote longer than this is cut:
# a 1 MB key or value would otherwise travel in each of its diagnostics (and SARIF, JSON).
MAX_QUOTE = 200
_LONG_QUOTE = re.compile(f"`([^`]{{{MAX_QUOTE + 1},}})`")


def _cut_quotes(message: str) -> str:
    if len(message) <= 4 * MAX_QUOTE:
        return message
    return _LONG_QUOTE.sub(lambda m: f"`{m.group(1)[: MAX_QUOTE - 1]}…`", message)


def finding(
    rule_id: str,
    rng: Range,
    message: str,
    fixes: list[Fix] | None = None,
    *,
    severity: Severity | None = None,
    related: list[Related] | None = None,
    tags: tuple[str, ...] = (),
    count: int = 1,
) -> Finding:
    rule = rules()[rule_id]
    return Finding(
        code=rule_id,
        severity=severity or rule.severity,
        message=_cut_quotes(message),
        range=rng,
        fixes=fixes or [],
        related=related or [],
        tags=tags,
        count=count,
    )


def render_markdown() -> str:
    """docs/rules.md, generated from the registry."""
    out = [
        "# agentls rules",
        "",
        "Generated from `server/agentls/data/rules.json` by `python -m agentls.rules.docs`; "
        "do not edit by hand.",
        "",
        "Severity: **error** = Claude Code will not load the file or will refuse to spawn the "
        "agent; **warning** = it loads, but not as the author meant; **information** / "
        "**hint** = conventions and portability.",
        "",
        "| Rule | Severity | Summary |",
        "|---|---|---|",
    ]
    for r in rules().values():
        out.append(f"| [{r.id}](#{r.anchor}) `{r.name}` | {r.severity.label} | {r.summary} |")
    out.append("")
    for r in rules().values():
        out += [
            f"## {r.id} {r.name}",
            "",
            f"**Severity:** {r.severity.label} · **Dialects:** {_dialects(r.dialects)}",
            "",
            r.summary,
            "",
            r.doc,
            "",
        ]
        if r.fix:
            out += [f"**How to fix:** {r.fix}", ""]
    return "\n".join(out)


def _dialects(names: tuple[str, ...]) -> str:
    # "*": every file kind whose syntax has comments (suppressions live in comments)
    return (
        "every dialect with comments (Markdown, agentls-config)"
        if names == ("*",)
        else (", ".join(names))
    )
