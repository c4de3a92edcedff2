"""The project configuration: one typed model, read from a positioned TOML tree.

A configuration is the ``[tool.agentls]`` table of a ``pyproject.toml``, or the whole of an
``agentls.toml`` / ``.agentls.toml`` (where a file is looked for, and which one wins:
:mod:`agentls.config.discovery`). Its keys are listed once, in :data:`KEYS`; the JSON schema
(``schemas/agentls-config.schema.json``) is generated from the same list and the rule and
dialect registries (:mod:`agentls.config.schema`).

Reading never fails: every problem (a key that does not exist, a value of the wrong type, a
rule code or dialect that does not exist) is a finding placed on the key or value at fault,
and that entry is left out while the rest applies. The findings are those of the
``agentls-config`` dialect: the configuration file is checked like any other file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from agentls.config import FILE_NAMES as FILE_NAMES
from agentls.config import PYPROJECT as PYPROJECT
from agentls.config.globs import Glob, GlobError, compile_glob
from agentls.document.nodes import YNode
from agentls.document.tomltree import TomlDocument, parse_toml
from agentls.rules import codes
from agentls.rules.registry import finding, rules
from agentls.types import Finding, Range, Severity

CONFIG_DIALECT = "agentls-config"

ALL = "ALL"
_PREFIX = re.compile(r"AL[0-9]{0,3}")
SEVERITY_NAMES = ("error", "warning", "information", "hint")
_SEVERITY_ALIASES = {"info": "information", "warn": "warning"}


@dataclass(frozen=True, slots=True)
class Key:
    """One key of the configuration: its TOML type and what it means (the schema's text)."""

    name: str
    kind: str  # "rules" (list of selectors), "globs", "table", "string"
    summary: str


KEYS: tuple[Key, ...] = (
    Key(
        "select",
        "rules",
        "The rules to report: codes (`AL016`), names (`description-quality`), prefixes "
        '(`AL5` = AL500-AL599) or `ALL`. Replaces the default, which is every rule (`["ALL"]`).',
    ),
    Key(
        "extend-select",
        "rules",
        "Rules to report in addition to `select` (codes, names, prefixes or `ALL`).",
    ),
    Key(
        "ignore",
        "rules",
        "Rules never to report (codes, names, prefixes or `ALL`). When a rule matches both "
        "`select` and `ignore`, the more specific entry wins (a code over a prefix, a longer "
        "prefix over a shorter one); between equals, `ignore` wins.",
    ),
    Key(
        "severity",
        "table",
        'A different severity for some rules: `{ AL016 = "information" }`. Keys are codes, '
        "names or prefixes (the most specific wins); values are `error`, `warning`, "
        "`information` or `hint`.",
    ),
    Key(
        "exclude",
        "globs",
        "Files agentls does not check: globs relative to this file's folder "
        '(`["drafts/**", "*.old.md"]`). The language server shows no problems for them either.',
    ),
    Key(
        "per-file-ignores",
        "table",
        "Rules not reported for some files: a glob (relative to this file's folder) for each "
        'list of rules: `{ "legacy/**" = ["AL016", "AL013"] }`.',
    ),
    Key(
        "dialects",
        "table",
        "Which kind of file a path is, where its location does not say: a glob for each "
        'dialect: `{ "prompts/**/*.md" = "claude-agent" }`.',
    ),
    Key(
        "claude-code-version",
        "string",
        "The Claude Code version whose facts (tools, models, keys...) the checks use. One of "
        "the versions agentls's data files provide; the default is the newest.",
    ),
)
KEY_NAMES = tuple(k.name for k in KEYS)


@dataclass(frozen=True, slots=True)
class Selector:
    """An entry of ``select``, ``ignore``... and the rules it stands for."""

    text: str
    codes: frozenset[str]
    specificity: int  # ALL 0, a prefix its length, a code or name 100
    line: int  # 0-based line in the configuration file (to say where a choice comes from)


@dataclass(frozen=True, slots=True)
class FileRule:
    """A glob of ``exclude``, ``per-file-ignores`` or ``dialects`` with what it carries."""

    glob: Glob
    line: int
    selectors: tuple[Selector, ...] = ()
    dialect: str | None = None


@dataclass(frozen=True, eq=False)
class Config:
    path: str  # the configuration file
    folder: str  # the folder its globs are relative to
    table: str  # "" (the whole file) or "tool.agentls"
    select: tuple[Selector, ...] | None = None  # None: every rule
    extend_select: tuple[Selector, ...] = ()
    ignore: tuple[Selector, ...] = ()
    severity: tuple[tuple[Selector, Severity], ...] = ()
    exclude: tuple[FileRule, ...] = ()
    per_file_ignores: tuple[FileRule, ...] = ()
    dialects: tuple[FileRule, ...] = ()
    claude_code_version: str | None = None
    findings: tuple[Finding, ...] = ()
    valid: bool = True  # False when the file is not TOML (nothing of it applies)
    lines: tuple[str, ...] = field(default=(), repr=False)

    @property
    def is_empty(self) -> bool:
        return not (
            self.select is not None
            or self.extend_select
            or self.ignore
            or self.severity
            or self.exclude
            or self.per_file_ignores
            or self.dialects
            or self.claude_code_version
        )

    def where(self, line: int) -> str:
        """``path:line`` (1-based) for a message; the path relative to the current folder
        when it is below it."""
        import os

        try:
            rel = os.path.relpath(self.path)
        except ValueError:  # another drive (Windows)
            rel = self.path
        return f"{self.path if rel.startswith('..') else rel}:{line + 1}"


# --------------------------------------------------------------------------- reading


def read_config(path: str, folder: str, text: str) -> Config | None:
    """The configuration in ``text`` (the file at ``path``); None for a ``pyproject.toml``
    without a ``[tool.agentls]`` table (it is no configuration)."""
    pyproject = path.replace("\\", "/").rsplit("/", 1)[-1] == PYPROJECT
    if pyproject and "agentls" not in text:
        return None  # most pyproject.toml files: not even parsed
    doc = parse_toml(text)
    lines = tuple(doc.lines)
    if doc.root is None:
        if pyproject and not re.search(r"(?m)^\s*\[\s*tool\s*\.\s*agentls\b|tool\.agentls", text):
            return None
        problems = tuple(
            finding(
                codes.CONFIG_SYNTAX,
                p.range,
                f"{p.message} The file is not valid TOML, so none of its agentls "
                "configuration applies.",
            )
            for p in doc.errors
        )
        return Config(path, folder, "", findings=problems, valid=False, lines=lines)
    table = ""
    node: YNode | None = doc.root
    if pyproject:
        table = "tool.agentls"
        pair = doc.node_at("tool", "agentls")
        if pair is None:
            return None
        node = pair[1]
    return _Reader(path, folder, table, doc, lines).read(node)


class _Reader:
    def __init__(
        self, path: str, folder: str, table: str, doc: TomlDocument, lines: tuple[str, ...]
    ) -> None:
        self.path = path
        self.folder = folder
        self.table = table
        self.doc = doc
        self.lines = lines
        self.findings: list[Finding] = []
        self.values: dict[str, object] = {}

    def problem(self, code: str, rng: Range, message: str) -> None:
        self.findings.append(finding(code, rng, message))

    def read(self, node: YNode | None) -> Config:
        where = f"`[{self.table}]`" if self.table else "the configuration"
        if node is None or node.kind != "mapping":
            if node is not None:
                self.problem(
                    codes.INVALID_CONFIG_VALUE,
                    node.range,
                    f"{where} must be a table of settings; got {_type(node)}.",
                )
            return self._config()
        for key, value in node.pairs:
            name = str(key.value)
            reader = _READERS.get(name)
            if reader is None:
                self.problem(codes.UNKNOWN_CONFIG_KEY, key.range, _unknown_key_message(name, where))
                continue
            reader(self, name, value)
        return self._config()

    def _config(self) -> Config:
        v = self.values
        return Config(
            self.path,
            self.folder,
            self.table,
            select=v.get("select"),  # type: ignore[arg-type]
            extend_select=v.get("extend-select", ()),  # type: ignore[arg-type]
            ignore=v.get("ignore", ()),  # type: ignore[arg-type]
            severity=v.get("severity", ()),  # type: ignore[arg-type]
            exclude=v.get("exclude", ()),  # type: ignore[arg-type]
            per_file_ignores=v.get("per-file-ignores", ()),  # type: ignore[arg-type]
            dialects=v.get("dialects", ()),  # type: ignore[arg-type]
            claude_code_version=v.get("claude-code-version"),  # type: ignore[arg-type]
            findings=tuple(sorted(self.findings, key=lambda f: (f.range.start, f.code))),
            lines=self.lines,
        )

    # ------------------------------------------------------------------ kinds of values

    def strings(self, name: str, node: YNode, what: str, example: str) -> list[YNode] | None:
        """The items of a list of strings; the wrong ones reported and left out."""
        if node.kind != "sequence":
            self.problem(
                codes.INVALID_CONFIG_VALUE,
                node.range,
                f"`{name}` must be a list of {what}, like `{name} = {example}`; got {_type(node)}.",
            )
            return None
        out = []
        for item in node.items:
            if item.kind == "scalar" and isinstance(item.value, str):
                out.append(item)
            else:
                self.problem(
                    codes.INVALID_CONFIG_VALUE,
                    item.range,
                    f"Each entry of `{name}` must be a string ({what}); got {_type(item)}.",
                )
        return out

    def selectors(self, name: str, items: Iterable[YNode]) -> tuple[Selector, ...]:
        out = []
        for item in items:
            sel = selector(str(item.value), item.range.start.line)
            if sel is None:
                self.problem(
                    codes.UNKNOWN_RULE_SELECTOR, item.range, _unknown_rule_message(item.value)
                )
            else:
                out.append(sel)
        return tuple(out)

    def table_of(self, name: str, node: YNode, example: str) -> list[tuple[YNode, YNode]]:
        if node.kind != "mapping":
            self.problem(
                codes.INVALID_CONFIG_VALUE,
                node.range,
                f"`{name}` must be a table, like `{name} = {example}`; got {_type(node)}.",
            )
            return []
        return node.pairs

    def glob(self, name: str, node: YNode) -> Glob | None:
        try:
            return compile_glob(str(node.value))
        except GlobError as exc:
            self.problem(
                codes.INVALID_CONFIG_VALUE,
                node.range,
                f"`{node.value}` in `{name}` is no glob: {exc}.",
            )
            return None


def _read_rules(r: _Reader, name: str, node: YNode) -> None:
    items = r.strings(name, node, "rule codes or names", '["AL016"]')
    if items is not None:
        r.values[name] = r.selectors(name, items)


def _read_severity(r: _Reader, name: str, node: YNode) -> None:
    out = []
    for key, value in r.table_of(name, node, '{ AL016 = "information" }'):
        sel = selector(str(key.value), key.range.start.line)
        if sel is None:
            r.problem(codes.UNKNOWN_RULE_SELECTOR, key.range, _unknown_rule_message(key.value))
            continue
        level = _severity(value)
        if level is None:
            r.problem(
                codes.INVALID_CONFIG_VALUE,
                value.range,
                f"The severity of `{key.value}` must be one of "
                f"{', '.join(f'`{s}`' for s in SEVERITY_NAMES)}; got {_shown(value)}.",
            )
            continue
        out.append((sel, level))
    r.values[name] = tuple(out)


def _read_exclude(r: _Reader, name: str, node: YNode) -> None:
    items = r.strings(name, node, "globs", '["drafts/**"]')
    if items is None:
        return
    out = []
    for item in items:
        g = r.glob(name, item)
        if g is not None:
            out.append(FileRule(g, item.range.start.line))
    r.values[name] = tuple(out)


def _read_per_file_ignores(r: _Reader, name: str, node: YNode) -> None:
    out = []
    for key, value in r.table_of(name, node, '{ "legacy/**" = ["AL016"] }'):
        g = r.glob(name, key)
        items = r.strings(f"{name}.{_toml_key(str(key.value))}", value, "rule codes", '["AL016"]')
        if g is None or items is None:
            continue
        out.append(FileRule(g, key.range.start.line, selectors=r.selectors(name, items)))
    r.values[name] = tuple(out)


def _read_dialects(r: _Reader, name: str, node: YNode) -> None:
    from agentls.dialects.registry import ALL_DIALECTS

    out = []
    for key, value in r.table_of(name, node, '{ "prompts/*.md" = "claude-agent" }'):
        g = r.glob(name, key)
        if value.kind != "scalar" or value.value not in ALL_DIALECTS:
            near = _near(value.value, ALL_DIALECTS, 1) if isinstance(value.value, str) else []
            hint = f" Did you mean `{near[0]}`?" if near else ""
            r.problem(
                codes.INVALID_CONFIG_VALUE,
                value.range,
                f"{_shown(value)} is not a dialect agentls knows.{hint} One of: "
                f"{', '.join(ALL_DIALECTS)}.",
            )
            continue
        if g is not None:
            out.append(FileRule(g, key.range.start.line, dialect=str(value.value)))
    r.values[name] = tuple(out)


def _read_version(r: _Reader, name: str, node: YNode) -> None:
    from agentls.dialects.facts import facts_versions

    versions = list(facts_versions())
    if node.kind == "scalar" and isinstance(node.value, str) and node.value in versions:
        r.values[name] = node.value
        return
    r.problem(
        codes.INVALID_CONFIG_VALUE,
        node.range,
        f"agentls has the facts of Claude Code {_or_list(versions)}; got {_shown(node)}. "
        f"Without a known version the checks use the facts of {versions[0]}.",
    )


_READERS: dict[str, Callable[[_Reader, str, YNode], None]] = {
    "select": _read_rules,
    "extend-select": _read_rules,
    "ignore": _read_rules,
    "severity": _read_severity,
    "exclude": _read_exclude,
    "per-file-ignores": _read_per_file_ignores,
    "dialects": _read_dialects,
    "claude-code-version": _read_version,
}
assert tuple(_READERS) == KEY_NAMES


# --------------------------------------------------------------------------- selectors


@cache
def _names() -> dict[str, frozenset[str]]:
    """Rule name → codes (a name may stand for several rules of several dialects)."""
    out: dict[str, set[str]] = {}
    for r in rules().values():
        out.setdefault(r.name, set()).add(r.id)
    return {k: frozenset(v) for k, v in out.items()}


def selector(text: str, line: int = 0) -> Selector | None:
    """What a ``select`` / ``ignore`` entry stands for; None when it names no rule."""
    reg = rules()
    if text == ALL:
        return Selector(text, frozenset(reg), 0, line)
    if text in reg:
        return Selector(text, frozenset((text,)), 100, line)
    named = _names().get(text)
    if named:
        return Selector(text, named, 100, line)
    if _PREFIX.fullmatch(text):
        codes = frozenset(c for c in reg if c.startswith(text))
        if codes:
            return Selector(text, codes, len(text), line)
    return None


def rule_names() -> dict[str, frozenset[str]]:
    """Rule name → the codes it stands for."""
    return _names()


def rule_choices() -> list[str]:
    """Every code and name, for suggestions and completion."""
    return [*rules(), *_names()]


def _unknown_rule_message(value: object) -> str:
    text = str(value)
    near = _near(text, rule_choices(), 1, 0.7)
    if not near and text.upper() != text and selector(text.upper()) is not None:
        near = [text.upper()]
    hint = f" Did you mean `{near[0]}`?" if near else ""
    return (
        f"`{text}` is no agentls rule: write a code (`AL016`), a name "
        f"(`description-quality`), a prefix (`AL5`) or `ALL`.{hint}"
    )


def _unknown_key_message(name: str, where: str) -> str:
    near = _near(name, KEY_NAMES, 1, 0.6)
    if not near:
        near = [k for k in KEY_NAMES if k.replace("-", "_") == name or k.replace("-", "") == name]
    hint = f" Did you mean `{near[0]}`?" if near else ""
    return (
        f"`{name}` is not an agentls setting, so it changes nothing.{hint} The settings of "
        f"{where} are {', '.join(f'`{k}`' for k in KEY_NAMES)}."
    )


# --------------------------------------------------------------------------- helpers


def _severity(node: YNode) -> Severity | None:
    if node.kind != "scalar" or not isinstance(node.value, str):
        return None
    text = node.value.strip().lower()
    text = _SEVERITY_ALIASES.get(text, text)
    return Severity[text.upper()] if text in SEVERITY_NAMES else None


def _type(node: YNode) -> str:
    t, v = node.json_type, node.value
    if t in ("object", "array"):
        return "a table" if t == "object" else "a list"
    if t == "boolean":
        return f"a boolean ({str(v).lower()})"
    if t in ("integer", "number"):
        return f"a number ({v})"
    return f'a string ("{v}")' if isinstance(v, str) else f"a date or time ({v})"


def _shown(node: YNode) -> str:
    if node.kind == "scalar" and isinstance(node.value, str):
        return f"`{node.value}`"
    return _type(node)


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" or {items[-1]}"


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else f'"{name}"'


def _near(word: str, choices: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    import difflib  # only for a message (its import is 10 ms of a check's start)

    return difflib.get_close_matches(word, list(choices), n, cutoff)
