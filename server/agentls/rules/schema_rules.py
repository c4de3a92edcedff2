"""Checks shared by every dialect other than Claude Code agents: envelope, YAML, schema.

Each dialect's JSON Schema (``schemas/``) is compiled once (Draft 2020-12); its errors are
turned into messages for people, with ranges on the offending key or value. Unknown keys
get their own rule (with "did you mean" and "this is a key of <other dialect>"), so the
schema's ``additionalProperties`` errors are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from agentls.dialects.registry import JSON_DIALECTS, SCHEMA_FILES
from agentls.dialects.schemas import load_schema, schema_keys
from agentls.document.model import Document, Entry, SyntaxProblem
from agentls.document.yamltree import YNode
from agentls.effective import nearest
from agentls.rules import codes
from agentls.rules.common import (
    CLAUDE_READERS,
    TOOL_OF,
    Ctx,
    ListCap,
    SyntaxWording,
    check_syntax,
    dialect_label,
    fence_range,
    file_name,
    first_line_range,
    line_range,
    norm_key,
    quote_fix,
    rename_key_fix,
    replace,
    short,
    sort_findings,
    value_range,
)
from agentls.rules.envelope import SCHEMA_ENVELOPE, check_envelope
from agentls.rules.registry import finding
from agentls.types import Fix, Range, Severity

__all__ = [  # the shared helpers, importable from here as before
    "CLAUDE_READERS",
    "TOOL_OF",
    "Ctx",
    "dialect_label",
    "fence_range",
    "file_name",
    "first_line_range",
    "line_range",
    "load_schema",
    "replace",
    "schema_keys",
    "short",
    "sort_findings",
    "value_range",
]

if TYPE_CHECKING:  # jsonschema (~0.1 s to import) is loaded by the first schema validation:
    # checking Claude Code agents alone never needs it
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@cache
def validator(dialect: str) -> Draft202012Validator | None:
    schema = load_schema(dialect)
    if schema is None:
        return None
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    from agentls.dialects.schemas import schema_by_id

    def retrieve(uri: str) -> Resource[Any]:
        # a cross-file $ref (the shared hooks schema) is read by the one loader
        target = schema_by_id(uri)
        if target is None:
            raise LookupError(uri)
        return Resource.from_contents(target)

    # (``retrieve`` is an attrs field, which mypy does not see)
    return Draft202012Validator(schema, registry=Registry(retrieve=retrieve))  # type: ignore[call-arg]


@cache
def key_owners() -> dict[str, tuple[str, ...]]:
    """Top-level key → the frontmatter dialects whose schema defines it (a settings key
    such as ``model`` says nothing about where a frontmatter key belongs)."""
    out: dict[str, list[str]] = {}
    for d in SCHEMA_FILES:
        if d in JSON_DIALECTS:
            continue
        for k in schema_keys(d):
            out.setdefault(k, []).append(d)
    return {k: tuple(v) for k, v in out.items()}


def _closed(dialect: str) -> bool:
    schema = load_schema(dialect) or {}
    return (
        schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False
    )


# --------------------------------------------------------------------------- envelope / YAML


def _syntax_problem(ctx: Ctx, p: SyntaxProblem, e: Entry | None) -> None:
    claude_ok = ctx.doc.claude_reads
    if p.cause == "tab" and ctx.lenient and claude_ok:
        return  # Claude Code converts leading tabs; a cosmetic matter here
    single_line = e is not None and e.raw_range.start.line == e.raw_range.end.line
    if e is not None and single_line and p.cause != "tab":
        fix = quote_fix(e, requote=True)
        if ctx.lenient and claude_ok:
            ctx.add(
                finding(
                    codes.COMMON_NEEDS_QUOTING,
                    value_range(e),
                    f"`{e.key}` needs quotes: {p.message.rstrip('.')}. Claude Code rescues "
                    "the line, but strict YAML readers (VS Code, GitHub, linters) reject the "
                    "whole frontmatter.",
                    [fix] if fix else [],
                )
            )
        else:
            ctx.add(
                finding(
                    codes.COMMON_NEEDS_QUOTING,
                    value_range(e),
                    f"`{e.key}` needs quotes: {p.message.rstrip('.')}. {ctx.tool} cannot read "
                    "the frontmatter, so every setting of this file is ignored.",
                    [fix] if fix else [],
                    severity=Severity.ERROR,
                )
            )
        return
    tail = (
        ""
        if ctx.lenient and claude_ok
        else f" {ctx.tool} cannot read the frontmatter, so its settings are ignored."
    )
    ctx.add(finding(codes.COMMON_YAML_SYNTAX, p.range, p.message.rstrip() + tail))


_WORDING: SyntaxWording[Ctx] = SyntaxWording(
    _syntax_problem,
    codes.COMMON_FRONTMATTER_NOT_MAPPING,
    lambda ctx: f"{ctx.tool} reads no settings from it.",
    codes.COMMON_DUPLICATE_KEY,
    "; strict YAML readers reject the file, others keep one of them. Remove one.",
    codes.COMMON_COMMENT_IN_VALUE,
    fixes=False,
)


# --------------------------------------------------------------------------- keys


def other_dialect_note(key: str, dialect: str) -> str | None:
    owners = [d for d in key_owners().get(key, ()) if d != dialect]
    if not owners:
        return None
    labels: list[str] = []
    for d in owners:
        lab = dialect_label(d)
        if lab not in labels:
            labels.append(lab)
    if len(labels) > 2:
        return f"a key of {labels[0]}, {labels[1]} and other formats"
    return "a key of " + " and ".join(labels)


def check_keys(
    ctx: Ctx, *, open_message: str | None = None, open_severity: Severity | None = None
) -> None:
    """Unknown keys (closed schemas) and keys that belong to another dialect."""
    known = schema_keys(ctx.dialect)
    closed = _closed(ctx.dialect)
    present = {e.key for e in ctx.doc.entries}
    by_norm = {norm_key(a): a for a in known}
    # past the cap, findings are counted only (no did-you-mean search, no message)
    other_cap = ListCap(ctx, None)
    unknown_cap = ListCap(ctx, None)
    for e in ctx.doc.entries:
        k = e.key
        if k in known or k in ctx.skip_keys:
            continue
        note = other_dialect_note(k, ctx.dialect)
        if note is not None:
            if other_cap.full:
                other_cap.skip(codes.COMMON_OTHER_DIALECT_KEY, e.key_range)
                continue
            other_cap.add(
                finding(
                    codes.COMMON_OTHER_DIALECT_KEY,
                    e.key_range,
                    f"`{k}` is {note}; this is a {ctx.label}, and {ctx.tool} "
                    + ("ignores it." if closed else "does not use it as such.")
                    + (
                        f" Did you mean `{ctx.hints[k]}`?"
                        if k in ctx.hints
                        else " Is the file in the right place?"
                    ),
                )
            )
            continue
        if not closed and not open_message:
            continue
        if unknown_cap.full:
            severity = open_severity if not closed else None
            unknown_cap.skip(codes.COMMON_UNKNOWN_KEY, e.key_range, severity)
            continue
        if not closed:
            unknown_cap.add(
                finding(
                    codes.COMMON_UNKNOWN_KEY,
                    e.key_range,
                    str(open_message).format(key=k),
                    severity=open_severity,
                )
            )
            continue
        hint = by_norm.get(norm_key(k)) or nearest(k, known, max_distance=2 if len(k) > 4 else 1)
        if hint and hint not in present:
            unknown_cap.add(
                finding(
                    codes.COMMON_UNKNOWN_KEY,
                    e.key_range,
                    f"{ctx.tool} does not recognise `{k}` in a {ctx.label} and ignores it. "
                    f"Did you mean `{hint}`?",
                    [rename_key_fix(e, hint, False)],
                )
            )
        else:
            keys = ", ".join(f"`{x}`" for x in sorted(known)[:8])
            unknown_cap.add(
                finding(
                    codes.COMMON_UNKNOWN_KEY,
                    e.key_range,
                    f"{ctx.tool} does not recognise `{k}` in a {ctx.label} and ignores it. "
                    f"Known keys: {keys}{', …' if len(known) > 8 else ''}.",
                )
            )
    other_cap.close()
    unknown_cap.close()


# --------------------------------------------------------------------------- schema


def data_of(doc: Document, skip_problems: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for e in doc.entries:
        if (skip_problems and e.problem) or e.key in out:
            continue
        try:
            out[e.key] = e.value
        except Exception:  # too deep or otherwise unconvertible
            continue
    return out


def _node_at(node: YNode, path: list[Any]) -> tuple[YNode, YNode | None]:
    """The value node at ``path`` below ``node`` and, when the last step is a key, its key."""
    key_node: YNode | None = None
    for step in path:
        if node.kind == "mapping":
            for k, v in node.pairs:
                if k.value == step or str(k.value) == str(step):
                    node, key_node = v, k
                    break
            else:
                return node, key_node
        elif node.kind == "sequence" and isinstance(step, int) and step < len(node.items):
            node, key_node = node.items[step], None
        else:
            return node, key_node
    return node, key_node


def _dotted(path: list[Any]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping",
    "boolean": "`true` or `false`",
    "integer": "a whole number",
    "number": "a number",
    "null": "empty",
}


def _expected(schema: Any) -> str:
    if not isinstance(schema, dict):
        return "a valid value"
    if "enum" in schema:
        vals = [f"`{v}`" for v in schema["enum"]]
        return "one of " + ", ".join(vals) if len(vals) > 1 else vals[0]
    if "const" in schema:
        return f"`{schema['const']}`"
    if "pattern" in schema:
        return f"text matching `{schema['pattern']}`"
    parts = [_expected(s) for s in (schema.get("anyOf") or schema.get("oneOf") or [])]
    if parts:
        return " or ".join(dict.fromkeys(parts))
    t = schema.get("type")
    if isinstance(t, list):
        return " or ".join(_TYPE_WORDS.get(str(x), str(x)) for x in t)
    if isinstance(t, str):
        return _TYPE_WORDS.get(t, t)
    return "a valid value"


def _describe(node: YNode) -> str:
    if node.kind == "scalar" and node.value is not None:
        return f"{node.type_name} (`{short(node.value)}`)"
    return node.type_name


def _enum_fix(rng: Range, value: Any, options: list[Any]) -> list[Fix]:
    if not isinstance(value, str):
        return []
    strs = [o for o in options if isinstance(o, str)]
    low = {o.lower(): o for o in strs}
    cand = low.get(value.strip().lower()) or nearest(value, strs, max_distance=2)
    if cand is None:
        return []
    return [Fix(f"Change to `{cand}`", replace(rng, cand), cand.lower() == value.lower())]


def check_schema(
    ctx: Ctx,
    *,
    required_message: Callable[[str], str] | None = None,
    required_severity: Severity | None = None,
) -> None:
    val = validator(ctx.dialect)
    if val is None:
        return
    doc = ctx.doc
    data = data_of(doc)
    for err in _errors(val, data):
        _report(ctx, err, required_message, required_severity)
    _deprecated(ctx)


def _errors(val: Draft202012Validator, data: dict[str, Any]) -> Iterator[ValidationError]:
    seen: set[tuple[str, ...]] = set()
    for err in sorted(val.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        key = (str(err.validator), *map(str, err.absolute_path))
        if key in seen:
            continue
        seen.add(key)
        yield err


def _report(
    ctx: Ctx,
    err: ValidationError,
    required_message: Callable[[str], str] | None,
    required_severity: Severity | None,
) -> None:
    doc = ctx.doc
    path = list(err.absolute_path)
    kind = str(err.validator)
    if not path:
        if kind == "required" and isinstance(err.validator_value, list):
            data = err.instance if isinstance(err.instance, dict) else {}
            for missing in err.validator_value:
                if missing in data:
                    continue
                msg = (
                    required_message(missing)
                    if required_message
                    else f"No `{missing}`: a {ctx.label} needs it. Add `{missing}:`."
                )
                ctx.add(
                    finding(
                        codes.MISSING_REQUIRED, fence_range(doc), msg, severity=required_severity
                    )
                )
        # additionalProperties / unevaluatedProperties at the top: check_keys reports them
        return
    top = path[0]
    if top in ctx.skip_keys:
        return
    entry = doc.get(str(top))
    if entry is None:
        return
    node, _key_node = _node_at(entry.node, path[1:])
    where = f"`{_dotted(path)}`"
    rng = value_range(entry) if len(path) == 1 else node.range
    if kind in ("additionalProperties", "unevaluatedProperties"):
        props = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
        extra = [k for k in (err.instance or {}) if k not in props]
        for k in extra:
            _sub, knode = _node_at(node, [k])
            r = knode.range if knode is not None else rng
            ctx.add(
                finding(
                    codes.COMMON_UNKNOWN_KEY,
                    r,
                    f"`{k}` is not a key of {where}"
                    + (f" (keys: {', '.join(f'`{p}`' for p in props)})" if props else "")
                    + f"; {ctx.tool} ignores it.",
                )
            )
        return
    if kind == "required":
        inst = err.instance if isinstance(err.instance, dict) else {}
        missing = [m for m in err.validator_value if m not in inst]
        ctx.add(
            finding(
                codes.MISSING_REQUIRED,
                rng,
                f"{where} needs {', '.join(f'`{m}`' for m in missing)}.",
            )
        )
        return
    if kind == "type":
        ctx.add(
            finding(
                codes.COMMON_INVALID_TYPE,
                rng,
                f"{where} must be {_expected(err.schema)}; got {_describe(node)}.",
            )
        )
        return
    if kind == "enum":
        options = list(err.validator_value)
        shown = ", ".join(f"`{o}`" for o in options)
        ctx.add(
            finding(
                codes.INVALID_VALUE,
                rng,
                f"{where} must be one of {shown}; got `{short(err.instance)}`.",
                _enum_fix(rng, err.instance, options),
            )
        )
        return
    if kind in ("anyOf", "oneOf"):
        alternatives = [a for a in err.validator_value if isinstance(a, dict)]
        enums = [o for a in alternatives for o in a.get("enum", [])]
        ctx.add(
            finding(
                codes.INVALID_VALUE if enums else codes.COMMON_INVALID_TYPE,
                rng,
                f"{where} must be {_expected(err.schema)}; got {_describe(node)}.",
                _enum_fix(rng, err.instance, enums),
            )
        )
        return
    if kind in ("minLength", "maxLength", "minimum", "maximum", "pattern", "const", "minItems"):
        what = {
            "minLength": f"at least {err.validator_value} characters long",
            "maxLength": f"at most {err.validator_value} characters long",
            "minimum": f"at least {err.validator_value}",
            "maximum": f"at most {err.validator_value}",
            "pattern": f"text matching `{err.validator_value}`",
            "const": f"`{err.validator_value}`",
            "minItems": f"a list of at least {err.validator_value} items",
        }[kind]
        got = (
            f"{len(err.instance)} characters"
            if kind.endswith("Length") and isinstance(err.instance, str)
            else f"`{short(err.instance)}`"
        )
        if kind == "minLength" and err.instance == "":
            got = "empty text"
        ctx.add(finding(codes.VALUE_OUT_OF_RANGE, rng, f"{where} must be {what}; got {got}."))
        return
    if kind == "propertyNames":
        ctx.add(finding(codes.INVALID_VALUE, rng, f"{where}: {short(err.message, 500)}."))
        return
    ctx.add(finding(codes.COMMON_INVALID_TYPE, rng, f"{where}: {short(err.message, 500)}."))


def _deprecated(ctx: Ctx) -> None:
    props = (load_schema(ctx.dialect) or {}).get("properties", {})
    for e in ctx.doc.entries:
        spec = props.get(e.key)
        if isinstance(spec, dict) and spec.get("deprecated") and e.key not in ctx.skip_keys:
            desc = str(spec.get("description", "")).strip()
            ctx.add(
                finding(
                    codes.DEPRECATED_KEY,
                    e.key_range,
                    f"`{e.key}` is deprecated in a {ctx.label}. {desc}".strip(),
                    tags=("deprecated",),
                )
            )


# --------------------------------------------------------------------------- body


def body_is_empty(doc: Document) -> bool:
    return not doc.body.strip()


def check_common(
    ctx: Ctx,
    *,
    frontmatter_required: bool,
    missing_severity: Severity | None = None,
    required_message: Callable[[str], str] | None = None,
    required_severity: Severity | None = None,
    open_message: str | None = None,
    open_severity: Severity | None = None,
) -> None:
    check_envelope(
        ctx, SCHEMA_ENVELOPE, required=frontmatter_required, missing_severity=missing_severity
    )
    if not ctx.doc.has_frontmatter:
        return
    check_syntax(ctx, _WORDING)
    if ctx.doc.not_mapping is not None:
        return
    check_keys(ctx, open_message=open_message, open_severity=open_severity)
    if ctx.doc.strict_error is not None and not ctx.doc.entries:
        return
    check_schema(ctx, required_message=required_message, required_severity=required_severity)
