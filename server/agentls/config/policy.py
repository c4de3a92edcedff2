"""What the configuration and the suppression comments do to findings: the one place.

The engine ends every analysis with :func:`settle` (agentls.engine); findings that are found
later, across files (duplicate names, references: the index) or by the reader of the file
(``check``: not UTF-8), go through :func:`settle_more` with the analysis they belong to.
Nothing else filters findings or changes their severity.

For one file, the configuration becomes a :class:`Policy` (:func:`policy_for`): the rules
that are off and why, severities, the dialect its path is given, whether it is excluded,
the Claude Code version of the facts. Then each finding, in this order:

1. a rule that is off for this file (``select``/``ignore``/``per-file-ignores``, or the whole
   file ``exclude``\\ d) is not reported;
2. a finding on a line a suppression comment covers is not reported;
3. a ``severity`` override applies to what is left.

Whatever is not reported is kept, with the reason, in ``Analysis.suppressed`` (``check
--show-suppressed``). A suppression that silenced nothing is reported (unused-suppression),
with the reason when the configuration had turned the rule off already.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentls.config.suppress import (
    NONE,
    OWN_CODES,
    UNUSED_SUPPRESSION,
    Mark,
    Suppression,
    Suppressions,
)
from agentls.rules.registry import finding, rules
from agentls.types import Finding, Fix, Position, Range, Severity, TextEdit

if TYPE_CHECKING:
    from agentls.config.model import Config, FileRule, Selector


@dataclass(frozen=True, slots=True)
class Policy:
    """The configuration as it applies to one file."""

    off: Mapping[str, str] = field(default_factory=dict)  # rule code -> why it is off
    severity: Mapping[str, Severity] = field(default_factory=dict)
    dialect: str | None = None  # from ``dialects``
    excluded: str | None = None  # why the file is excluded
    facts_version: str | None = None
    config_path: str | None = None


DEFAULT = Policy()


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding that is not reported, and why (``in_source``: by a comment in the file,
    otherwise by the configuration)."""

    finding: Finding
    reason: str
    in_source: bool = False

    def to_json(self) -> dict[str, object]:
        return {**self.finding.to_json(), "suppressedBy": self.reason}


@dataclass(slots=True)
class Settled:
    """The outcome for one file (kept on its analysis)."""

    policy: Policy = DEFAULT
    suppressions: Suppressions = NONE
    suppressed: list[Suppressed] = field(default_factory=list)
    # (index of the suppression, rule code) pairs that silenced something
    used: set[tuple[int, str]] = field(default_factory=set)


# --------------------------------------------------------------------------- policies


def policy_for(config: Config | None, path: str | None) -> Policy:
    """The policy of ``config`` for the file at the absolute ``path``."""
    if config is None:
        return DEFAULT
    if not config.valid or config.is_empty:
        return _nothing(config)
    from agentls.config.globs import relative_to

    rel = relative_to(path, config.folder) if path else None
    excluded = per_file = dialect = None
    if rel is not None:
        excluded = next((r for r in config.exclude if r.glob.matches(rel)), None)
        per_file = tuple(i for i, r in enumerate(config.per_file_ignores) if r.glob.matches(rel))
        dialect = next((r for r in config.dialects if r.glob.matches(rel)), None)
    return _policy(config, per_file or (), excluded, dialect)


_CACHE: dict[tuple[int, tuple[int, ...], int, int], tuple[Config, Policy]] = {}


def _nothing(config: Config) -> Policy:
    """A configuration that changes nothing (empty, or unreadable): only where it is."""
    key = (id(config), (), 0, 0)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is config:
        return hit[1]
    policy = Policy(config_path=config.path)
    _CACHE[key] = (config, policy)
    return policy


def _policy(
    config: Config,
    per_file: tuple[int, ...],
    excluded: FileRule | None,
    dialect: FileRule | None,
) -> Policy:
    """Cached by configuration and by what matched: the files of a folder share one."""
    key = (id(config), per_file, id(excluded), id(dialect))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is config:
        return hit[1]
    base_off, severity = _rule_choices(config)
    off = dict(base_off)
    for i in per_file:
        r = config.per_file_ignores[i]
        why = f"`per-file-ignores` `{r.glob.pattern}` ({config.where(r.line)})"
        for sel in r.selectors:
            for code in sel.codes:
                off.setdefault(code, why)
    policy = Policy(
        off=off,
        severity=severity,
        dialect=dialect.dialect if dialect else None,
        excluded=(
            f"`exclude` `{excluded.glob.pattern}` ({config.where(excluded.line)})"
            if excluded
            else None
        ),
        facts_version=config.claude_code_version,
        config_path=config.path,
    )
    if len(_CACHE) > 4096:
        _CACHE.clear()
    _CACHE[key] = (config, policy)
    return policy


def _rule_choices(config: Config) -> tuple[dict[str, str], dict[str, Severity]]:
    """Which rules ``select``/``extend-select``/``ignore`` turn off (and why), and the
    severity overrides: for each rule the most specific entry decides; ``ignore`` wins a tie."""
    off: dict[str, str] = {}
    severity: dict[str, Severity] = {}
    selected = None if config.select is None else (*config.select, *config.extend_select)
    for code in rules():
        chosen = _most_specific(code, selected) if selected is not None else None
        ignored = _most_specific(code, config.ignore)
        if ignored is not None and (chosen is None or ignored.specificity >= chosen.specificity):
            off[code] = f"`ignore` `{ignored.text}` ({config.where(ignored.line)})"
        elif selected is not None and chosen is None:
            first = config.select[0].line if config.select else 0
            off[code] = f"not in `select` ({config.where(first)})"
        best: tuple[Selector, Severity] | None = None
        for sel, level in config.severity:
            if code in sel.codes and (best is None or sel.specificity >= best[0].specificity):
                best = (sel, level)
        if best is not None:
            severity[code] = best[1]
    return off, severity


def _most_specific(code: str, selectors: Iterable[Selector] | None) -> Selector | None:
    best = None
    for sel in selectors or ():
        if code in sel.codes and (best is None or sel.specificity > best.specificity):
            best = sel
    return best


# --------------------------------------------------------------------------- applying


def settle(
    findings: list[Finding], policy: Policy, suppressions: Suppressions
) -> tuple[list[Finding], Settled | None]:
    """The findings to report for one file, and what was silenced (see the module doc);
    None instead of the outcome when there is nothing to apply (most files of most
    projects: no configuration, no suppression comment)."""
    if policy is DEFAULT and suppressions is NONE:
        return findings, None
    state = Settled(policy, suppressions)
    kept = _apply(findings, state)
    kept.extend(_apply(suppressions.problems, state))
    kept.extend(_apply(_unused(state), state, comments=False))
    return kept, state


def settle_more(
    reported: Sequence[Finding], state: Settled | None, extra: Sequence[Finding]
) -> tuple[list[Finding], Settled | None]:
    """``reported`` (what :func:`settle` kept) with ``extra`` findings of the same file
    settled too, and the outcome that includes them (``state`` is left as it is: the
    language server settles the same analysis again when the workspace changes).
    Unused-suppression findings are recomputed: an extra finding may use a suppression."""
    if not extra or state is None:
        return [*reported, *extra], state
    state = Settled(state.policy, state.suppressions, list(state.suppressed), set(state.used))
    before = set(state.used)
    kept_extra = _apply(extra, state)
    if state.used == before:
        return [*reported, *kept_extra], state
    out = [f for f in reported if f.code != UNUSED_SUPPRESSION]
    state.suppressed[:] = [s for s in state.suppressed if s.finding.code != UNUSED_SUPPRESSION]
    out.extend(kept_extra)
    out.extend(_apply(_unused(state), state, comments=False))
    return out, state


def _apply(findings: Iterable[Finding], state: Settled, *, comments: bool = True) -> list[Finding]:
    policy = state.policy
    items = state.suppressions.items
    kept: list[Finding] = []
    for f in findings:
        if policy.excluded is not None:
            state.suppressed.append(Suppressed(f, policy.excluded))
            continue
        why = policy.off.get(f.code)
        if why is not None:
            state.suppressed.append(Suppressed(f, why))
            continue
        if comments and items and f.code not in OWN_CODES:
            hit = _covering(items, f)
            if hit is not None:
                i, s = hit
                state.used.add((i, f.code))
                state.suppressed.append(Suppressed(f, s.describe(), in_source=True))
                continue
        level = policy.severity.get(f.code)
        if level is not None and level != f.severity:
            f = dataclasses.replace(f, severity=level)
        kept.append(f)
    return kept


def _covering(items: tuple[Suppression, ...], f: Finding) -> tuple[int, Suppression] | None:
    line = f.range.start.line
    for i, s in enumerate(items):
        if s.covers(line) and any(f.code in m.codes for m in s.marks):
            return i, s
    return None


def _unused(state: Settled) -> list[Finding]:
    out: list[Finding] = []
    for i, s in enumerate(state.suppressions.items):
        unused = [m for m in s.marks if m.codes and not any((i, c) in state.used for c in m.codes)]
        if not unused:
            continue
        fixes = [_removal(s, unused)]
        for m in unused:
            off = [state.policy.off[c] for c in sorted(m.codes) if c in state.policy.off]
            if off and len(off) == len(m.codes):
                why = f"`{m.text}` is already off for this file: {off[0]}."
            else:
                why = f"Nothing reports `{m.text}` where this comment applies."
            out.append(
                finding(
                    UNUSED_SUPPRESSION,
                    m.range,
                    f"{why} Remove it from the comment.",
                    fixes,
                    tags=("unnecessary",),
                )
            )
    return out


def _removal(s: Suppression, marks: list[Mark]) -> Fix:
    """Remove the unused rules from the comment; the whole comment when none is left."""
    c = s.comment
    line = c.start.line
    text = s.source
    if len(marks) == len(s.marks):
        if s.own_line and c.start.line == c.end.line:
            rng = Range(Position(line, 0), Position(line + 1, 0))
            if s.last_line:  # no line after it: take the line break before it
                rng = Range(Position(line, 0), Position(line, len(text)))
            return Fix("Remove the unused suppression comment", (TextEdit(rng, ""),))
        start = c.start.character
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        return Fix(
            "Remove the unused suppression comment",
            (TextEdit(Range(Position(line, start), c.end), ""),),
        )
    edits = []
    for m in marks:
        start, end = m.range.start.character, m.range.end.character
        # the separator after it (", " or " "), else the one before it
        after = len(text[end:]) - len(text[end:].lstrip(", \t"))
        if after and text[end + after : end + after + 1] not in ("]", "-"):
            end += after
        else:
            while start > 0 and text[start - 1] in ", \t":
                start -= 1
        edits.append(TextEdit(Range(Position(line, start), Position(line, end)), ""))
    names = ", ".join(m.text for m in marks)
    return Fix(f"Remove {names} from the suppression comment", tuple(edits))
