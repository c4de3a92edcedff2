"""``.mcp.json`` (a project's, or a plugin's) and the MCP server entries of other files.

What Claude Code 2.1.332 does with them (``claude doctor``, ``claude mcp list``, observed):
a project file needs its servers under ``mcpServers`` (a plugin file may be the map itself);
a server with an empty or missing ``command``, an unknown ``type``, no ``url``, ``args``
that are not a list or ``env`` values that are not strings is skipped; unknown keys, a
``url`` that is no URL and secrets written in plain text are not reported. ``${VAR}`` and
``${VAR:-default}`` are expanded in ``command``, ``args``, ``env``, ``url`` and ``headers``;
``$VAR`` is not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from agentls.document.jsontree import JsonDocument
from agentls.document.yamltree import YNode
from agentls.rules import codes
from agentls.rules.claude_json import JsonCtx, check_common, check_syntax, check_tree
from agentls.rules.registry import finding
from agentls.rules.schema_walk import Path, Problem, schema_of
from agentls.types import Finding, Fix, Position, Range, TextEdit

# Where Claude Code expands ${VAR} (facts) and so where a bare $VAR is a mistake.
_EXPANDED = ("command", "args", "env", "url", "headers", "headersHelper")
_BARE_VAR = re.compile(r"(?<![\\$])\$([A-Z_][A-Z0-9_]*)\b")
# Values that are credentials by their form, and names whose literal value is one.
_SECRET_VALUE = re.compile(
    r"(?:^|\s)(?:Bearer\s+[A-Za-z0-9._~+/-]{12,}=*"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,}"
    r"|sk-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})"
)
_SECRET_NAME = re.compile(
    r"(?i)(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH)(?:_|$)"
)
_NOT_SECRET_NAME = re.compile(r"(?i)_(?:FILE|PATH|DIR|URL|URI|HOST|PORT|NAME|ID|TYPE)$")
# Obvious placeholders are not secrets.
_URL = re.compile(r"^(?:https?|wss?)://[^\s/]")
_PLACEHOLDER = re.compile(
    r"(?i)^(?:|<.*>|\$\{.*\}|.*your[-_ ].*|x{3,}|\*+|changeme|todo|none|null|example.*)$"
)


def effect(path: Path) -> str:
    """What Claude Code drops for a problem at ``path`` of an .mcp.json."""
    if len(path) >= 2 and path[0] == "mcpServers":
        return f"Claude Code skips the server `{path[1]}`."
    return "no server of this file loads."


def check_claude_mcp(doc: JsonDocument, path: str | None, *, plugin: bool = False) -> list[Finding]:
    """A project's .mcp.json, or (``plugin``) a plugin's, which may be the server map itself."""
    ctx = JsonCtx(doc, path, "claude-mcp")
    root = doc.root
    flat = plugin and root is not None and root.kind == "mapping" and _is_flat(root)
    if flat and root is not None:
        check_syntax(ctx)
        found = schema_of("claude-mcp")
        if found is not None:
            sid, schema = found
            for k, v in root.pairs:
                where = ("mcpServers", str(k.value))
                check_tree(ctx, v, schema["$defs"]["server"], sid, effect, where, k, _untyped)
    elif root is not None and root.kind == "mapping" and _looks_like_servers(root):
        check_syntax(ctx)
        ctx.add(_not_wrapped(ctx, root))
        return ctx.out
    else:
        check_common(ctx, effect, _untyped)
    for name_node, server in servers(root, flat=flat):
        check_server(ctx, name_node, server, committed=True)
    return ctx.out


def _untyped(p: Problem) -> bool:
    """The missing ``command`` of a server that has a ``url``: said by :func:`check_server`."""
    return (
        p.kind == "required"
        and p.detail.get("missing") == ["command"]
        and p.node.kind == "mapping"
        and _get(p.node, "url") is not None
        and _get(p.node, "type") is None
    )


def servers(root: YNode | None, *, flat: bool = False) -> Iterator[tuple[YNode, YNode]]:
    """(name, entry) of every server object of an .mcp.json tree."""
    if root is None or root.kind != "mapping":
        return
    holder = root if flat else _get(root, "mcpServers")
    if holder is None or holder.kind != "mapping":
        return
    for k, v in holder.pairs:
        if v.kind == "mapping":
            yield k, v


def check_server(ctx: JsonCtx, name_node: YNode, server: YNode, *, committed: bool) -> None:
    """The checks of one server entry the schema cannot make (any file that holds one).
    ``committed``: the file is usually shared (secrets in it are exposed)."""
    name = str(name_node.value)
    for key, value in server.pairs:
        field = key.value
        if field in _EXPANDED:
            for node in _strings(value):
                _bare_variables(ctx, node)
        if committed and field in ("env", "headers") and value.kind == "mapping":
            for k, v in value.pairs:
                if isinstance(v.value, str) and _is_secret(str(k.value), v.value):
                    ctx.add(_secret(name, str(field), k, v))
        url = value.value if field == "url" and isinstance(value.value, str) else None
        if url is not None and not _URL.match(url) and "${" not in url:
            ctx.add(
                finding(
                    codes.MCP_URL_INVALID,
                    value.range,
                    f"`url` of the server `{name}` is not a URL: Claude Code keeps the server "
                    "and its connection fails. Write a full URL such as "
                    "`https://example.com/mcp`.",
                )
            )
    if _get(server, "command") is None and _get(server, "type") is None and _get(server, "url"):
        ctx.add(_missing_type(name_node, server))


# --------------------------------------------------------------------------- pieces


def _get(node: YNode, key: str) -> YNode | None:
    for k, v in node.pairs:
        if k.value == key:
            return v
    return None


def _has(node: YNode, key: str) -> bool:
    return any(k.value == key for k, _ in node.pairs)


def _is_flat(root: YNode) -> bool:
    return (
        not _has(root, "mcpServers")
        and bool(root.pairs)
        and all(v.kind == "mapping" for _, v in root.pairs)
    )


def _looks_like_servers(root: YNode) -> bool:
    """Top-level entries that are server objects (``command`` / ``url`` / ``type``)."""
    entries = [v for _, v in root.pairs if v.kind == "mapping"]
    return bool(entries) and all(
        any(k.value in ("command", "url", "type", "args") for k, _ in v.pairs) for v in entries
    )


def _strings(node: YNode) -> Iterator[YNode]:
    if node.kind == "scalar":
        if isinstance(node.value, str):
            yield node
    elif node.kind == "sequence":
        for item in node.items:
            yield from _strings(item)
    elif node.kind == "mapping":
        for _, v in node.pairs:
            yield from _strings(v)


def _inside(node: YNode, offset_in_raw: int, length: int) -> Range:
    """The range of ``length`` characters at ``offset_in_raw`` of the node's written text."""
    start = node.range.start
    if node.range.start.line != node.range.end.line:
        return node.range
    return Range(
        Position(start.line, start.character + offset_in_raw),
        Position(start.line, start.character + offset_in_raw + length),
    )


def _bare_variables(ctx: JsonCtx, node: YNode) -> None:
    raw = ctx.text(node.range)
    for m in _BARE_VAR.finditer(raw):
        rng = _inside(node, m.start(), len(m.group(0)))
        ctx.add(
            finding(
                codes.MCP_VARIABLE_NOT_EXPANDED,
                rng,
                f"`{m.group(0)}` is passed on as written: Claude Code only expands "
                f"`${{{m.group(1)}}}` (and `${{{m.group(1)}:-default}}`) here.",
                [
                    Fix(
                        f"Write ${{{m.group(1)}}}",
                        (TextEdit(rng, "${" + m.group(1) + "}"),),
                        safe=False,
                    )
                ],
            )
        )


def _is_secret(name: str, value: str) -> bool:
    text = value.strip()
    if _PLACEHOLDER.match(text) or "${" in text:
        return False
    if _SECRET_VALUE.search(text):
        return True
    if _NOT_SECRET_NAME.search(name) or text.startswith(("/", "./", "~", "http:", "https:")):
        return False  # a file, a folder, an address: where the secret is, not the secret
    return bool(_SECRET_NAME.search(name)) and len(text) >= 8 and " " not in text


def _secret(server: str, field: str, key: YNode, value: YNode) -> Finding:
    name = str(key.value)
    env_name = re.sub(r"[^A-Z0-9]+", "_", f"{server}_{name}".upper()).strip("_")
    if field == "env":
        env_name = re.sub(r"[^A-Za-z0-9_]", "_", name)
    raw = value.value
    prefix = "Bearer " if isinstance(raw, str) and raw.startswith("Bearer ") else ""
    replacement = json.dumps(f"{prefix}${{{env_name}}}")
    what = "environment variable" if field == "env" else "header"
    return finding(
        codes.MCP_SECRET_IN_FILE,
        value.range,
        f"The {what} `{name}` of the server `{server}` holds a credential written in plain "
        "text in a file that is usually committed. Keep it in the environment and write "
        f"`${{{env_name}}}` here; revoke the exposed one.",
        [Fix(f"Read it from ${{{env_name}}}", (TextEdit(value.range, replacement),), safe=False)],
    )


def _missing_type(name_node: YNode, server: YNode) -> Finding:
    name = str(name_node.value)
    url = _get(server, "url")
    kind = "sse" if url is not None and "sse" in str(url.value).lower() else "http"
    brace = server.range.start
    at = Position(brace.line, brace.character + 1)
    fixes = [
        Fix(f'Add "type": "{t}"', (TextEdit(Range(at, at), f'"type": "{t}", '),), safe=False)
        for t in (kind, "sse" if kind == "http" else "http")
    ]
    return finding(
        codes.JSON_MISSING_KEY,
        name_node.range,
        f"The server `{name}` has a `url` but no `type`: it reads as a local server without a "
        f'`command`, and Claude Code skips it. Add `"type": "{kind}"` (or the server\'s '
        "transport).",
        fixes,
    )


def _not_wrapped(ctx: JsonCtx, root: YNode) -> Finding:
    names = [str(k.value) for k, _ in root.pairs]
    start, end = root.range.start, root.range.end
    inner = ctx.text(
        Range(Position(start.line, start.character + 1), Position(end.line, end.character - 1))
    )
    shown = ", ".join(f"`{n}`" for n in names[:5]) + (" …" if len(names) > 5 else "")
    return finding(
        codes.MCP_SERVERS_NOT_WRAPPED,
        root.pairs[0][0].range,
        f"The servers ({shown}) must sit under `mcpServers`: as written, Claude Code loads none "
        'of them ("mcpServers: Invalid input: expected record").',
        [
            Fix(
                'Wrap the servers in "mcpServers"',
                (TextEdit(root.range, '{"mcpServers": {' + inner + "}}"),),
            )
        ],
    )
