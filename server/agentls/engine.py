"""The engine: text (+ path) → document model → findings and effective configuration.

Pure; imports neither pygls nor lsprotocol (the ``check`` command's start-up time matters).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentls.config.policy import DEFAULT, Policy, Settled, Suppressed, settle
from agentls.config.suppress import NONE, Suppressions, parse_suppressions
from agentls.dialects.facts import using_facts
from agentls.dialects.registry import (
    CHECKED,
    CLAUDE_AGENT,
    CONFIG_DIALECT,
    JSON_DIALECTS,
    detect_dialect,
    in_claude_agents_dir,
)
from agentls.dialects.sniff import sniff_dialect
from agentls.document.jsontree import JsonDocument
from agentls.document.model import Document, parse_document
from agentls.effective import compute_effective
from agentls.rules import codes
from agentls.rules.claude_agent import check_claude_agent
from agentls.rules.claude_plugin_agent import (
    check_claude_plugin_agent,
    docs_in_agents_folder,
    looks_like_docs,
    plugin_effective,
)
from agentls.rules.common import cap_findings
from agentls.rules.dialects import check_dialect
from agentls.rules.registry import finding
from agentls.types import Effective, Finding, Position, Range, TextEdit

if TYPE_CHECKING:
    from agentls.config.model import Config

# Files larger than this are not parsed beyond the envelope (Claude Code skips > 1 MiB).
MAX_ANALYSED_CHARS = 4 * 1024 * 1024


@dataclass(slots=True)
class Analysis:
    path: str | None
    dialect: str | None
    doc: Document | None
    findings: list[Finding] = field(default_factory=list)
    effective: Effective | None = None
    # what the configuration and the suppression comments did (agentls.config.policy)
    settled: Settled | None = None
    config: Config | None = None  # the agentls-config dialect: the configuration read
    json: JsonDocument | None = None  # the JSON dialects (settings, .mcp.json, plugins...)

    @property
    def suppressed(self) -> list[Suppressed]:
        return self.settled.suppressed if self.settled is not None else []

    @property
    def policy(self) -> Policy:
        return self.settled.policy if self.settled is not None else DEFAULT

    @property
    def lines(self) -> list[str] | None:
        """The lines of the text analysed (Markdown or JSON), None when it was not read."""
        if self.doc is not None:
            return self.doc.lines
        return self.json.lines if self.json is not None else None


def analyze(
    text: str,
    path: str | None = None,
    dialect: str | None = None,
    *,
    size: int | None = None,
    mcp_servers: frozenset[str] | None = None,
    policy: Policy = DEFAULT,
) -> Analysis:
    """Analyse one file. ``dialect`` overrides detection by path (and the configuration's
    ``dialects``); ``size`` is the byte size; ``policy`` is what the project configuration
    says of this file (agentls.config.discovery.ConfigStore.policy_for).

    The findings of the rules are settled at the end, in one place (agentls.config.policy):
    rules the configuration turns off, findings a suppression comment covers, severities."""
    if policy.facts_version is None:
        a = _analyze(text, path, dialect or policy.dialect, size, mcp_servers)
    else:
        with using_facts(policy.facts_version):
            a = _analyze(text, path, dialect or policy.dialect, size, mcp_servers)
    a.findings, a.settled = settle(a.findings, policy, _suppressions(a, text))
    return a


def _suppressions(a: Analysis, text: str) -> Suppressions:
    """The suppression comments of the file (none are looked for without "agentls")."""
    if "agentls" not in text:
        return NONE
    if a.config is not None:
        lines = list(a.config.lines)
        return parse_suppressions(lines, range(len(lines)), None)
    doc = a.doc
    if doc is None:
        return NONE
    env = doc.env
    hash_lines = range(env.content_start, env.content_end)
    return parse_suppressions(doc.lines, hash_lines, range(env.body_start, len(doc.lines)))


def _analyze(
    text: str,
    path: str | None,
    dialect: str | None,
    size: int | None,
    mcp_servers: frozenset[str] | None,
) -> Analysis:
    dialect = dialect or detect_dialect(path)
    if dialect is None and (path is None or path.endswith(".md")):
        dialect = sniff_dialect(text, path)
    if dialect is None:
        if path and in_claude_agents_dir(path) and not path.endswith(".md"):
            name = path.replace("\\", "/").rsplit("/", 1)[-1]
            return Analysis(
                path,
                None,
                None,
                [
                    finding(
                        codes.WRONG_EXTENSION,
                        Range.of(0, 0),
                        f"Claude Code only loads agent files ending in lowercase `.md`; it "
                        f"ignores `{name}`. Rename it.",
                    )
                ],
            )
        return Analysis(path, None, None)
    if dialect not in CHECKED:
        return Analysis(path, dialect, None)
    if dialect == CONFIG_DIALECT:
        from agentls.config.rules import check_config

        config, problems = check_config(text, path)
        return Analysis(path, dialect, None, problems, config=config)
    if size is None and len(text) > 262_144:
        size = len(text.encode("utf-8", "surrogatepass"))
    if dialect in JSON_DIALECTS:
        return _analyze_json(text, path, dialect)
    if len(text) > MAX_ANALYSED_CHARS:
        head = text[:MAX_ANALYSED_CHARS]
        cut = head.rfind("\n")
        text = head[: cut if cut > 0 else len(head)]
    doc = parse_document(text)
    findings: list[Finding] = []
    effective: Effective | None = None
    if dialect == CLAUDE_AGENT:
        effective = compute_effective(doc, mcp_servers=mcp_servers)
        findings = check_claude_agent(doc, path, effective, size, mcp_servers=mcp_servers)
        if not doc.has_frontmatter and looks_like_docs(path):
            findings = [
                docs_in_agents_folder(doc, path, "Claude Code", "it becomes a broken agent")
            ]
        if size is not None and size > 1_048_576:
            effective.loads = False
            effective.reason = "it is larger than 1 MiB"
    elif dialect == "claude-plugin-agent":
        effective = plugin_effective(doc, path)
        findings = check_claude_plugin_agent(doc, path, effective, size)
    else:
        findings = check_dialect(dialect, doc, path)
    findings = cap_findings(findings)
    _clamp(findings, doc.lines)
    return Analysis(path, dialect, doc, findings, effective)


def _analyze_json(text: str, path: str | None, dialect: str) -> Analysis:
    from agentls.document.jsontree import parse_json
    from agentls.rules.json_dialects import check_json

    if len(text) > MAX_ANALYSED_CHARS:
        # JSON cannot be cut like Markdown: say that nothing was checked rather than nothing
        return Analysis(path, dialect, None, [_json_too_large(text)])
    jdoc = parse_json(text)
    findings = check_json(dialect, jdoc, path)
    _clamp(findings, jdoc.lines)
    return Analysis(path, dialect, None, findings, json=jdoc)


def _json_too_large(text: str) -> Finding:
    first = text.find("\n")
    return finding(
        codes.JSON_TOO_LARGE,
        Range.of(0, 0, 0, 0 if first == 0 else 1),
        f"This file has {len(text):,} characters: agentls analyses JSON files of up to "
        f"{MAX_ANALYSED_CHARS:,} characters (4 MiB), so nothing else in it is checked.",
    )


def _clamp(findings: list[Finding], lines: list[str]) -> None:
    """Keep every range inside the document (a YAML end mark can sit on a virtual line
    after a last line with no line break)."""
    last = len(lines) - 1

    def fit(p: Position) -> Position:
        if p.line > last:
            return Position(last, len(lines[last]))
        if p.character > len(lines[p.line]):
            return Position(p.line, len(lines[p.line]))
        return p

    def fit_range(r: Range) -> Range:
        start, end = fit(r.start), fit(r.end)
        return r if (start, end) == (r.start, r.end) else Range(start, max(start, end))

    for f in findings:
        f.range = fit_range(f.range)
        if f.fixes:
            f.fixes = [
                dataclasses.replace(
                    x, edits=tuple(TextEdit(fit_range(e.range), e.new_text) for e in x.edits)
                )
                for x in f.fixes
            ]
