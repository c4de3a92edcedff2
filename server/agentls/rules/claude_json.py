"""What every Claude Code JSON file shares: strict syntax, duplicate keys, a JSON object at the
root, and its schema (``schemas/claude-code-*.schema.json``), each problem on its node.

Claude Code reads settings, ``.mcp.json``, plugin manifests, marketplaces and ``hooks.json``
with ``JSON.parse`` (2.1.332, observed: a comment or a trailing comma and the whole file is
ignored) and then checks their shape. What a broken part costs differs by file, and so does
the message: a settings value is ignored, an MCP server is skipped, a plugin does not load at
all. Each dialect's checker (``rules/claude_mcp.py``...) runs :func:`check_common` and adds
what the schema cannot say.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from agentls.data import load_json
from agentls.document import jsontree as jt
from agentls.document.jsontree import JsonDocument
from agentls.document.yamltree import YNode
from agentls.effective import nearest
from agentls.rules import codes
from agentls.rules.common import FileCtx
from agentls.rules.registry import finding
from agentls.rules.schema_walk import Path, Problem, schema_of, walker
from agentls.types import Finding, Fix, Position, Range, Related, Severity, TextEdit

# What the file is, in messages.
FILE_OF = {
    "claude-settings": "settings file",
    "claude-mcp": ".mcp.json",
    "claude-plugin": "plugin manifest",
    "claude-marketplace": "marketplace manifest",
    "claude-plugin-hooks": "hooks.json",
}


# --------------------------------------------------------------------------- context


JsonCtx = FileCtx[JsonDocument]  # a JSON dialect's file


Effect = Callable[[Path], str]
# The severity of a value problem at a path, when it is not the rule's (None: the rule's).
Grade = Callable[[Path], Severity | None]


def hook_guards() -> frozenset[str]:
    """The hook events whose unloadable entry costs more than the entry itself
    (data/claude-code.json ``hookGuardEvents``): the other entries are only dropped."""
    return frozenset(load_json("claude-code.json").get("hookGuardEvents", ()))


def hook_grade(path: Path) -> Severity | None:
    """A bad hook entry outside the guard events is only dropped (the rest applies): a
    warning, in a settings file and in a plugin's hooks.json alike."""
    if path[:1] == ("hooks",) and len(path) >= 2 and path[1] not in hook_guards():
        return Severity.WARNING
    return None


def quoted(value: Any) -> str:
    """A value as JSON, shortened for a message."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def key_path(path: Path) -> str:
    """``permissions.allow[2]`` for ("permissions", "allow", 2)."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "the root"


def node_range(node: YNode) -> Range:
    """A mapping or list is shown by its first line (its whole span is too loud)."""
    r = node.range
    if node.kind in ("mapping", "sequence") and r.end.line > r.start.line:
        return Range(r.start, Position(r.start.line, r.start.character + 1))
    return r


# --------------------------------------------------------------------------- passes


def check_common(
    ctx: JsonCtx,
    effect: Effect,
    skip: Callable[[Problem], bool] | None = None,
    grade: Grade | None = None,
) -> bool:
    """Syntax, duplicate keys, the root, the schema. False when there is no tree to check.
    ``skip`` leaves the problems a dialect reports in its own words."""
    check_syntax(ctx)
    root = ctx.doc.root
    if root is None:
        return False
    if root.kind != "mapping":
        ctx.add(
            finding(
                codes.JSON_NOT_OBJECT,
                node_range(root),
                f"The {FILE_OF.get(ctx.dialect, 'file')} must be a JSON object (`{{...}}`); "
                f"this is {_a_type(root.json_type)}: Claude Code ignores the whole file.",
            )
        )
        return False
    found = schema_of(ctx.dialect)
    if found is not None:
        check_tree(ctx, root, found[1], found[0], effect, skip=skip, grade=grade)
    return True


def check_syntax(ctx: JsonCtx) -> None:
    """Syntax errors (with their fixes) and duplicate keys."""
    for err in ctx.doc.errors:
        ctx.add(
            finding(codes.JSON_SYNTAX, err.range, _syntax_message(err), _syntax_fixes(ctx, err))
        )
    for later, first in ctx.doc.duplicates:
        ctx.add(
            finding(
                codes.JSON_DUPLICATE_KEY,
                later.range,
                f"`{later.value}` is written twice in this object: JSON.parse keeps only the "
                "last one, so the first is silently lost.",
                related=[Related(ctx.path, first.range, "the first one, lost")] if ctx.path else [],
            )
        )


def check_tree(
    ctx: JsonCtx,
    node: YNode,
    schema: dict[str, Any],
    sid: str,
    effect: Effect,
    path: Path = (),
    key: YNode | None = None,
    skip: Callable[[Problem], bool] | None = None,
    grade: Grade | None = None,
) -> None:
    """The schema problems of ``node`` (at ``path``), as findings."""
    doc = ctx.doc
    memo = (doc.walks, doc.walks_before) if doc.walks is not None else None
    for problem in walker().walk(node, schema, sid, path, key, memo):
        if skip is not None and skip(problem):
            continue
        f = problem_finding(ctx, problem, effect)
        if f is None:
            continue
        if grade is not None and f.code in (codes.JSON_INVALID_VALUE, codes.JSON_MISSING_KEY):
            f.severity = grade(problem.path) or f.severity
        ctx.add(f)


def _a_type(t: str) -> str:
    return {
        "object": "an object",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "a boolean",
        "null": "null",
    }.get(t, t)


def _types(wanted: Any) -> str:
    types = wanted if isinstance(wanted, list) else [wanted]
    names = [_a_type(t) for t in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


# --------------------------------------------------------------------------- syntax


def _syntax_message(err: Any) -> str:
    return f"{err.message} Claude Code reads this file with JSON.parse and ignores all of it."


def _syntax_fixes(ctx: JsonCtx, err: Any) -> list[Fix]:
    r: Range = err.range
    text = ctx.text(r)
    if err.cause == jt.TRAILING_COMMA:
        return [Fix("Remove the trailing comma", (TextEdit(r, ""),))]
    if err.cause == jt.COMMENT and (text.startswith("//") or text.endswith("*/")):
        line = ctx.doc.lines[r.start.line]
        if r.start.line == r.end.line and not line[: r.start.character].strip():
            # the comment is alone on its line: remove the line
            whole = Range(Position(r.start.line, 0), Position(r.start.line + 1, 0))
            if r.start.line + 1 < len(ctx.doc.lines):
                return [Fix("Remove the comment", (TextEdit(whole, ""),))]
        start = r.start
        before = line[: start.character]
        trimmed = len(before.rstrip(" \t")) if r.start.line == r.end.line else start.character
        cut = Range(Position(start.line, trimmed), r.end)
        return [Fix("Remove the comment", (TextEdit(cut, ""),))]
    if err.cause == jt.SINGLE_QUOTES and len(text) >= 2 and text[0] == text[-1] == "'":
        inner = text[1:-1].replace("\\'", "'")
        return [Fix("Use double quotes", (TextEdit(r, json.dumps(inner, ensure_ascii=False)),))]
    if err.cause == jt.UNQUOTED_KEY and text:
        return [Fix(f'Quote the key: "{text}"', (TextEdit(r, json.dumps(text)),))]
    return []


# --------------------------------------------------------------------------- schema problems


def problem_finding(ctx: JsonCtx, p: Problem, effect: Effect) -> Finding | None:
    where = key_path(p.path)
    cost = effect(p.path)
    custom = p.schema.get("x-message") if isinstance(p.schema, dict) else None
    if p.kind == "unknown-key":
        name = str(p.node.value)
        known = [k for k in p.detail.get("known", []) if not k.startswith("$")]
        hint = _unknown_key_hints(ctx.dialect).get(name)
        near = nearest(name, known)
        message = f"`{name}` is not a key Claude Code knows here: it is ignored."
        fixes: list[Fix] = []
        if hint is None and near is None and name in _annotation_keys(ctx.dialect):
            return finding(
                codes.JSON_UNKNOWN_KEY,
                p.node.range,
                f"`{name}` is not read by Claude Code (fine as a note; it changes nothing).",
                severity=Severity.INFORMATION,
            )
        if hint:
            message += " " + hint
        elif near:
            message += f" Did you mean `{near}`?"
            fixes.append(_rename(p.node, near))
        return finding(codes.JSON_UNKNOWN_KEY, p.node.range, message, fixes)
    if p.kind == "property-name":
        name = str(p.node.value)
        allowed = p.detail.get("allowed") or []
        near = nearest(name, allowed) if allowed else None
        what = "a hook event" if allowed and "PreToolUse" in allowed else "an accepted name"
        message = f"`{name}` is not {what}: Claude Code ignores it and what it holds."
        if near:
            message += f" Did you mean `{near}`?"
        fixes = [_rename(p.node, near)] if near else []
        return finding(codes.JSON_UNKNOWN_NAME, p.node.range, message, fixes)
    if p.kind == "required":
        missing = p.detail["missing"]
        names = ", ".join(f"`{m}`" for m in missing)
        owner = f"`{where}`" if p.path else f"The {FILE_OF.get(ctx.dialect, 'file')}"
        rng = p.key.range if p.key is not None else node_range(p.node)
        text = custom or f"{owner} has no {names}"
        return finding(codes.JSON_MISSING_KEY, rng, f"{text}: {cost}")
    rng = p.node.range
    got = _got(p.node)
    msg = _VALUE_MESSAGES.get(p.kind, _not_valid)(p, f"`{where}`", got, custom) + f": {cost}"
    if p.kind != "enum":
        rng = rng if p.node.kind == "scalar" else node_range(p.node)
        return finding(codes.JSON_INVALID_VALUE, rng, msg)
    fixes = []
    value = p.node.value
    if isinstance(value, str):
        allowed = [a for a in p.detail["allowed"] if isinstance(a, str)]
        near = nearest(value, allowed)
        if near:
            msg += f" Did you mean `{near}`?"
            fixes.append(Fix(f"Change to `{near}`", (TextEdit(rng, json.dumps(near)),), safe=False))
    return finding(codes.JSON_INVALID_VALUE, rng, msg, fixes)


# A value problem's message by the schema keyword that fails (the walker's ``Problem.kind``),
# from the problem, the path in backticks, what the value is and the schema's ``x-message``;
# ": <what it costs>" follows.
ValueMessage = Callable[[Problem, str, str, str | None], str]


def _not_valid(p: Problem, where: str, got: str, custom: str | None) -> str:
    return f"{where} is not valid here"


def _one_of(p: Problem, where: str, got: str, custom: str | None) -> str:
    allowed = [a for a in p.detail["allowed"] if a is not None]
    shown = ", ".join(f"`{a}`" for a in allowed[:12]) + (" …" if len(allowed) > 12 else "")
    return f"{where} must be one of {shown}; got {got}"


def _min_length(p: Problem, where: str, got: str, custom: str | None) -> str:
    if custom:
        return custom
    return f"{where} {'is empty' if p.detail['limit'] == 1 else 'is too short'}"


def _any_of(p: Problem, where: str, got: str, custom: str | None) -> str:
    accepted = p.detail.get("accepted") or []
    if accepted:
        return f"{where} must be {_types(accepted)}; got {got}"
    return f"{where} does not have an accepted form"


def _minimum(p: Problem, where: str, got: str, custom: str | None) -> str:
    op = "greater than" if p.detail.get("exclusive") else "at least"
    return f"{where} must be {op} {p.detail['limit']}; got {got}"


_VALUE_MESSAGES: dict[str, ValueMessage] = {
    "type": lambda p, where, got, custom: (
        f"{where} must be {_types(p.detail['expected'])}; got {got}"
    ),
    "enum": _one_of,
    "const": lambda p, where, got, custom: (
        f"{where} must be {quoted(p.detail['expected'])}; got {got}"
    ),
    "min-length": _min_length,
    "max-length": lambda p, where, got, custom: (
        f"{where} is longer than {p.detail['limit']} characters"
    ),
    "pattern": lambda p, where, got, custom: (
        f"{custom or f'{where} does not have the expected form'} (got {got})"
    ),
    "format": lambda p, where, got, custom: f"{where} is not a URL (got {got})",
    "minimum": _minimum,
    "maximum": lambda p, where, got, custom: (
        f"{where} must be at most {p.detail['limit']}; got {got}"
    ),
    "min-items": lambda p, where, got, custom: (
        f"{where} needs at least {p.detail['limit']} item(s)"
    ),
    "any-of": _any_of,
}


def _rename(key: YNode, near: str) -> Fix:
    """Rename a key to the one probably meant (not certain: not applied by ``--fix``)."""
    return Fix(f"Rename to `{near}`", (TextEdit(key.range, json.dumps(near)),), safe=False)


def _got(node: YNode) -> str:
    if node.kind == "scalar":
        return f"{_a_type(node.json_type)} (`{quoted(node.value)}`)"
    return _a_type(node.json_type)


FACTS_FILE = {
    "claude-settings": "claude-code-settings.json",
    "claude-mcp": "claude-code-mcp.json",
    "claude-plugin": "claude-code-plugins.json",
    "claude-marketplace": "claude-code-plugins.json",
    "claude-plugin-hooks": "claude-code-plugins.json",
}


@cache
def _unknown_key_hints(dialect: str) -> dict[str, str]:
    """Known mistakes, with what to do instead (a key of another file, ``enabled``...)."""
    data = load_json(FACTS_FILE.get(dialect, "claude-code.json"))
    hints: dict[str, str] = data.get("unknownKeyHints", {}).get(dialect, {})
    return hints


@cache
def _annotation_keys(dialect: str) -> frozenset[str]:
    """Keys people add as notes (``description``, ``category``...): ignored, and harmless."""
    data = load_json(FACTS_FILE.get(dialect, "claude-code.json"))
    return frozenset(data.get("annotationKeys", ()))
