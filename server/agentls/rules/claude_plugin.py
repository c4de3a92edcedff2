"""Plugins: ``.claude-plugin/plugin.json``, ``.claude-plugin/marketplace.json`` and a plugin's
``hooks/hooks.json``.

What Claude Code 2.1.332 does (``claude plugin validate --json``, a ``--plugin-dir`` session,
``plugin marketplace add`` / ``install``, observed): an invalid manifest (no ``name``, spaces
in it, an ``agents`` path that is not a ``.md`` file, a comment...) keeps the whole plugin
from loading; a component path that does not exist only loses that component; an unknown
manifest key is only warned about; ``optionalDependencies`` (new in 2.1.331) are accepted in
any form. In ``hooks.json`` (and the manifest's inline ``hooks``) an invalid entry is dropped,
but in a guard event (``PreToolUse``, ``PermissionRequest``, ``PreSkillShellCommand``) it keeps
the whole plugin from loading; a file without its ``hooks`` wrapper loses its hooks. A
marketplace with two plugins of one name is invalid; one whose ``source`` folder does not exist
passes ``validate`` and fails at ``install``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from agentls.data import load_json
from agentls.document.jsontree import JsonDocument
from agentls.document.yamltree import YNode
from agentls.rules import codes
from agentls.rules.claude_json import JsonCtx, check_common, check_syntax, hook_grade, hook_guards
from agentls.rules.registry import finding
from agentls.rules.schema_walk import Path
from agentls.types import Finding, Fix, Range, Related, Severity, TextEdit

if TYPE_CHECKING:
    from agentls.index import IndexEntry, WorkspaceIndex

_COMPONENTS = ("commands", "agents", "skills", "hooks", "mcpServers", "outputStyles", "lspServers")


def _get(node: YNode, key: str) -> YNode | None:
    for k, v in node.pairs:
        if k.value == key:
            return v
    return None


# --------------------------------------------------------------------------- plugin.json


# Keys Claude Code reads leniently: an invalid value (or entry) is dropped, the plugin loads.
_LENIENT = ("optionalDependencies", "metadata", "engines", "network")


def _inline_hook(path: Path) -> bool:
    """A hook written in the manifest: judged as in hooks.json (surface cases
    plugin-inline-hook-invalid, plugin-inline-guard-hook: an invalid entry is dropped, except
    in a guard event, where the plugin does not load)."""
    return len(path) >= 2 and path[0] == "hooks"


def manifest_effect(path: Path) -> str:
    if _inline_hook(path):
        return hooks_effect(path)
    if path[:1] and path[0] in _LENIENT:
        return "Claude Code drops it without a word (the plugin still loads)."
    return "the plugin does not load at all."


def manifest_grade(path: Path) -> Severity | None:
    if _inline_hook(path):
        return hook_grade(path)
    return Severity.WARNING if path[:1] and path[0] in _LENIENT else None


def check_claude_plugin(doc: JsonDocument, path: str | None) -> list[Finding]:
    ctx = JsonCtx(doc, path, "claude-plugin")
    if not check_common(ctx, manifest_effect, grade=manifest_grade) or doc.root is None:
        return ctx.out
    root = doc.root
    plugin_dir = os.path.dirname(os.path.dirname(os.path.abspath(path))) if path else None
    if plugin_dir is not None:
        for key in _COMPONENTS:
            value = _get(root, key)
            if value is not None:
                for node in _paths(value):
                    _path_exists(ctx, plugin_dir, key, node)
    _dependencies_twice(ctx, root)
    _hooks_wrapper_inline(ctx, root)
    _unquoted_plugin_root(ctx, _get(root, "hooks"))
    servers = _get(root, "mcpServers")
    if servers is not None and servers.kind == "mapping":  # the servers written inline
        from agentls.rules.claude_mcp import check_server

        for name, server in servers.pairs:
            if server.kind == "mapping":
                check_server(ctx, name, server, committed=True)
    return ctx.out


def _hooks_wrapper_inline(ctx: JsonCtx, root: YNode) -> None:
    """hooks.json's `{"hooks": {...}}` pasted into the manifest's `hooks`: not an unknown event
    dropped like the others, Claude Code 2.1.332 rejects the manifest ("Unrecognized key:
    hooks") and the plugin does not load (surface case plugin-inline-hooks)."""
    hooks = _get(root, "hooks")
    if hooks is None or hooks.kind != "mapping":
        return
    wrapper = next((k for k, _ in hooks.pairs if k.value == "hooks"), None)
    if wrapper is None:
        return
    for f in ctx.out:
        if f.code == codes.JSON_UNKNOWN_NAME and f.range == wrapper.range:
            f.severity, f.fixes = Severity.ERROR, []
            f.message = (
                "`hooks` is hooks.json's wrapper: in plugin.json the events sit directly under "
                "`hooks`. Claude Code rejects the manifest and the plugin does not load at all."
            )


def _paths(value: YNode) -> list[YNode]:
    """The path strings of a component key (a string, or strings in a list)."""
    if value.kind == "scalar" and isinstance(value.value, str):
        return [value]
    if value.kind == "sequence":
        return [i for i in value.items if i.kind == "scalar" and isinstance(i.value, str)]
    return []


def _path_exists(ctx: JsonCtx, plugin_dir: str, key: str, node: YNode) -> None:
    rel: str = node.value
    if not rel.startswith("./") and rel != ".":
        return  # the schema says how it must start; a URL (mcpServers .mcpb) is not a path
    if "${" in rel or rel.endswith((".mcpb", ".dxt")):
        return
    full = os.path.join(plugin_dir, rel)
    if os.path.exists(full):
        if key == "skills" and os.path.isfile(full):
            _skill_path_is_file(ctx, node, rel)
        return
    # Claude Code 2.1.332 loads the plugin without the component (surface cases
    # plugin-missing-*): it logs "... specified in manifest but not found", except for an
    # MCP servers file, skipped without a word.
    said = (
        "Claude Code skips it without a word: none of its servers start"
        if key == "mcpServers"
        else "Claude Code reports a load failure and loads the plugin without it"
    )
    ctx.add(
        finding(
            codes.PLUGIN_PATH_MISSING,
            node.range,
            f"`{rel}` ({key}) does not exist in the plugin: {said}.",
        )
    )


def _skill_path_is_file(ctx: JsonCtx, node: YNode, rel: str) -> None:
    """A ``skills`` entry naming a file: Claude Code 2.1.332 wants a folder holding SKILL.md
    (validate: "Path is a file; skills entries must be directories containing SKILL.md";
    a session loads the plugin without that skill, surface case plugin-skill-paths). When
    the file is a SKILL.md, its folder is the entry meant: that fix is certain."""
    folder, name = os.path.split(rel.rstrip("/"))
    message = (
        f"`{rel}` (skills) is a file: Claude Code reads a skills entry as a folder holding "
        "`SKILL.md`, reports a load failure and loads the plugin without this skill."
    )
    fixes: list[Fix] = []
    if name == "SKILL.md" and folder not in ("", "."):
        message += f" Name its folder, `{folder}`."
        fixes.append(Fix(f"Change to `{folder}`", (TextEdit(node.range, json.dumps(folder)),)))
    else:
        message += " Move it to `<folder>/SKILL.md` and name the folder."
    ctx.add(finding(codes.PLUGIN_SKILL_PATH_FILE, node.range, message, fixes))


# --------------------------------------------------------------------------- listed components
# A manifest that lists `agents` (or `commands`) replaces its default folder: Claude Code
# 2.1.332 then loads none of the files of `agents/` (`commands/`) it does not list
# (observed with --plugin-dir: `agents: ["./custom/one.md"]` beside `agents/two.md` loads
# `one` only; `agents: ["./agents/one.md"]` loads `one`, not `agents/two.md`; the same for
# `commands`). `skills` is read besides `skills/`: nothing to say there.
# Both ends are findings across files (AL936): the manifest's index entry holds its lists
# (listed_components), the files are the index's entries below the folders, and
# agentls.rules.cross_file asks manifest_end / file_end.
_LISTED = ("agents", "commands")
_MAX_RELATED = 20
MANIFEST = os.path.join(".claude-plugin", "plugin.json")
# why a file the list leaves out does not load (hover, `check --format json`'s effective)
NOT_LISTED_REASON = "the plugin manifest's `agents` does not list it"
Lists = dict[str, tuple[tuple[str, ...] | None, Range]]


def listed_components(root: YNode | None, path: str) -> Lists:
    """Of the manifest at ``path`` (its tree ``root``): per component key it lists
    (`agents`, `commands`), the absolute paths listed (None: a form this rule does not read)
    and the value's range."""
    if root is None or root.kind != "mapping":
        return {}
    plugin_dir = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    out: Lists = {}
    for key in _LISTED:
        value = _get(root, key)
        if value is not None:
            out[key] = (_listed(plugin_dir, value), value.range)
    return out


def _listed(plugin_dir: str, value: YNode) -> tuple[str, ...] | None:
    """The absolute paths a component key lists (None: a form this rule does not read)."""
    nodes = _paths(value)
    if not nodes or len(nodes) != (len(value.items) if value.kind == "sequence" else 1):
        return None
    out = []
    for node in nodes:
        rel: str = node.value
        if not rel.startswith("./") or "${" in rel:
            return None
        out.append(os.path.normpath(os.path.join(plugin_dir, rel)))
    return tuple(out)


def _covered(path: str, listed: Iterable[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip(os.sep) + os.sep) for p in listed)


class _Manifest(Protocol):
    path: str
    lists: Lists
    clean: bool


def unlisted(manifest: _Manifest, files: Iterable[str]) -> list[tuple[str, list[str]]]:
    """Per key the manifest lists, the absolute paths of ``files`` (the ``.md`` files of
    the plugin's `agents/` and `commands/`, in walk order) that its list leaves out."""
    plugin_dir = os.path.dirname(os.path.dirname(os.path.abspath(manifest.path)))
    # the server's index holds absolute paths already (abspath: ~1 us each, per keystroke)
    absolute = [f if os.path.isabs(f) else os.path.abspath(f) for f in files]
    out = []
    for key, (listed, _) in manifest.lists.items():
        folder = os.path.join(plugin_dir, key)
        if listed is None or _covered(folder, listed):
            continue
        below = folder + os.sep
        exact, under = set(listed), tuple(p.rstrip(os.sep) + os.sep for p in listed)
        left = [
            f
            for f in absolute
            if f.startswith(below) and f not in exact and not f.startswith(under)
        ]
        if left:
            out.append((key, left))
    return out


def manifest_end(manifest: _Manifest, files: Iterable[str]) -> list[Finding]:
    """AL936 on the manifest: each list that leaves out files of its folder, naming them."""
    out = []
    plugin_dir = os.path.dirname(os.path.dirname(os.path.abspath(manifest.path)))
    for key, left in unlisted(manifest, files):
        # only the files named (relpath: ~10 us each, per keystroke)
        rels = [os.path.relpath(f, plugin_dir).replace(os.sep, "/") for f in left[:3]]
        shown = ", ".join(f"`{r}`" for r in rels) + (
            f" and {len(left) - 3} more" if len(left) > 3 else ""
        )
        them = "it" if len(left) == 1 else "them"
        out.append(
            finding(
                codes.PLUGIN_COMPONENT_NOT_LISTED,
                manifest.lists[key][1],
                f"This list replaces the `{key}/` folder: Claude Code does not load {shown} "
                f"(not listed). Add {them} to `{key}`, or move {them} out of `{key}/`.",
                related=[Related(f, Range.of(0, 0), "not loaded") for f in left[:_MAX_RELATED]],
            )
        )
    return out


def file_end(manifest: _Manifest, path: str) -> Finding | None:
    """AL936 on an agent or command file of the plugin's `agents/` / `commands/` that the
    manifest's list leaves out (None when it is loaded): pointing at the list."""
    if not manifest.clean:
        return None
    plugin_dir = os.path.dirname(os.path.dirname(os.path.abspath(manifest.path)))
    path = os.path.normpath(os.path.abspath(path))
    rel = os.path.relpath(path, plugin_dir).replace(os.sep, "/")
    key = rel.split("/", 1)[0]
    got = manifest.lists.get(key)
    if got is None or got[0] is None or not rel.endswith(".md") or _covered(path, got[0]):
        return None
    return finding(
        codes.PLUGIN_COMPONENT_NOT_LISTED,
        Range.of(0, 0),
        f"Claude Code does not load this file: the plugin manifest lists its `{key}`, which "
        f"replaces the `{key}/` folder, and does not list `./{rel}`.",
        related=[
            Related(os.path.join(plugin_dir, MANIFEST), got[1], f"the `{key}` of the manifest")
        ],
    )


def not_listed_findings(index: WorkspaceIndex, entry: IndexEntry) -> list[Finding]:
    """AL936 on ``entry`` from the index: on a manifest, the files its lists leave out; on
    an agent or command file of a plugin, the list that leaves it out."""
    from agentls.index import PLUGIN

    if entry.kind == PLUGIN:
        return manifest_end(entry, index.plugin_files(entry)) if entry.lists else []
    if entry.dialect not in ("claude-plugin-agent", "claude-command"):
        return []
    manifest = index.plugin_of(entry.path)
    found = file_end(manifest, entry.path) if manifest is not None else None
    return [found] if found is not None else []


def _dependencies_twice(ctx: JsonCtx, root: YNode) -> None:
    required = _get(root, "dependencies")
    optional = _get(root, "optionalDependencies")
    if required is None or optional is None or required.kind != "sequence":
        return
    if optional.kind != "sequence":
        return
    names = {_dep_name(i): i for i in required.items}
    for item in optional.items:
        name = _dep_name(item)
        if name and name in names:
            ctx.add(
                finding(
                    codes.PLUGIN_DEPENDENCY_TWICE,
                    item.range,
                    f"`{name}` is also in `dependencies`, so it is required: list it once.",
                    related=[Related(ctx.path, names[name].range, "required here")]
                    if ctx.path
                    else [],
                )
            )


def _dep_name(node: YNode) -> str | None:
    if node.kind == "scalar" and isinstance(node.value, str):
        return node.value.split("@^", 1)[0]
    if node.kind == "mapping":
        name = _get(node, "name")
        market = _get(node, "marketplace")
        if name is not None and isinstance(name.value, str):
            return f"{name.value}@{market.value}" if market is not None else name.value
    return None


# --------------------------------------------------------------------------- hooks.json


def hooks_effect(path: Path) -> str:
    if len(path) >= 3 and path[0] == "hooks" and path[1] in hook_guards():
        return (
            f"an unloadable `{path[1]}` hook keeps the whole plugin from loading "
            '("Failed to load session plugin").'
        )
    if path and path[0] == "hooks":
        return "Claude Code ignores this hook entry."
    return "the plugin loses its hooks."


def check_plugin_hooks(doc: JsonDocument, path: str | None) -> list[Finding]:
    ctx = JsonCtx(doc, path, "claude-plugin-hooks")
    root = doc.root
    if root is not None and root.kind == "mapping" and _not_wrapped(root):
        check_syntax(ctx)
        ctx.add(_wrap(ctx, root))
        return ctx.out
    check_common(ctx, hooks_effect, grade=hook_grade)
    if root is not None and root.kind == "mapping":
        _unquoted_plugin_root(ctx, _get(root, "hooks"))
    return ctx.out


_PLUGIN_ROOT = "${CLAUDE_PLUGIN_ROOT}"


def _unquoted_plugin_root(ctx: JsonCtx, events: YNode | None) -> None:
    """Shell commands with ``${CLAUDE_PLUGIN_ROOT}`` outside quotes: the path is substituted
    before the shell splits words, so an install path with a space breaks the command
    (``claude plugin validate`` 2.1.332 warns, surface case plugin-hooks-quoted-root). The exec
    form (``args`` beside ``command``) is not split."""
    if events is None or events.kind != "mapping":
        return
    for _, groups in events.pairs:
        for group in groups.items if groups.kind == "sequence" else []:
            handlers = _get(group, "hooks") if group.kind == "mapping" else None
            for h in handlers.items if handlers is not None and handlers.kind == "sequence" else []:
                if h.kind != "mapping" or _get(h, "args") is not None:
                    continue
                command = _get(h, "command")
                if command is None or not isinstance(command.value, str):
                    continue
                if _outside_quotes(command.value, _PLUGIN_ROOT):
                    ctx.add(
                        finding(
                            codes.PLUGIN_ROOT_UNQUOTED,
                            command.range,
                            f"`{_PLUGIN_ROOT}` is not in quotes: when the plugin's path holds a "
                            "space, the shell splits the command and it fails. Put it in "
                            "double quotes or use the exec form (`args`).",
                        )
                    )


def _outside_quotes(command: str, word: str) -> bool:
    """Whether ``word`` occurs in ``command`` outside single and double quotes (POSIX shell
    quoting: a backslash escapes the next character outside single quotes)."""
    quote = ""
    i = 0
    while i < len(command):
        c = command[i]
        if c == "\\" and quote != "'":
            i += 2
            continue
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif command.startswith(word, i):
            return True
        i += 1
    return False


def _not_wrapped(root: YNode) -> bool:
    events = frozenset(load_json("claude-code.json")["hookEvents"])
    names = [k.value for k, _ in root.pairs]
    return "hooks" not in names and "modules" not in names and any(n in events for n in names)


def _wrap(ctx: JsonCtx, root: YNode) -> Finding:
    start, end = root.range.start, root.range.end
    inner = ctx.text(Range(start, end))[1:-1]
    return finding(
        codes.PLUGIN_HOOKS_NOT_WRAPPED,
        root.pairs[0][0].range,
        "The events must sit under `hooks`: as written, Claude Code loads none of these hooks "
        '("hooks.json must have `hooks`").',
        [Fix('Wrap the events in "hooks"', (TextEdit(root.range, '{"hooks": {' + inner + "}}"),))],
    )


# --------------------------------------------------------------------------- marketplace.json


def _lenient_entry_key(path: Path) -> bool:
    """A key of a plugin entry read as leniently as in plugin.json (surface case
    market-entry-deps: an entry's bad `optionalDependencies` item is warned about and the
    plugin installs)."""
    return len(path) >= 3 and path[0] == "plugins" and path[2] in _LENIENT


def market_effect(path: Path) -> str:
    if _lenient_entry_key(path):
        return "Claude Code drops it without a word (the plugin still installs)."
    if len(path) >= 2 and path[0] == "plugins":
        return "this plugin cannot be installed from the marketplace."
    return "`/plugin marketplace add` fails."


def market_grade(path: Path) -> Severity | None:
    return Severity.WARNING if _lenient_entry_key(path) else None


def check_claude_marketplace(doc: JsonDocument, path: str | None) -> list[Finding]:
    ctx = JsonCtx(doc, path, "claude-marketplace")
    if not check_common(ctx, market_effect, grade=market_grade) or doc.root is None:
        return ctx.out
    plugins = _get(doc.root, "plugins")
    if plugins is None or plugins.kind != "sequence":
        return ctx.out
    market_dir = os.path.dirname(os.path.dirname(os.path.abspath(path))) if path else None
    root_meta = _get(doc.root, "metadata")
    plugin_root = (
        _get(root_meta, "pluginRoot")
        if root_meta is not None and root_meta.kind == "mapping"
        else None
    )
    named: dict[str, list[YNode]] = {}
    for entry in plugins.items:
        if entry.kind != "mapping":
            continue
        _dependencies_twice(ctx, entry)
        name = _get(entry, "name")
        if name is not None and isinstance(name.value, str):
            named.setdefault(name.value, []).append(name)
        source = _get(entry, "source")
        if market_dir is not None and source is not None and isinstance(source.value, str):
            folder = _source_folder(market_dir, plugin_root, source.value)
            if folder is not None and not os.path.isdir(folder):
                ctx.add(_source_missing(source))
            elif folder is not None:
                _entry_list_ignored(ctx, entry, folder, market_dir)
                # an entry's component paths, relative to its plugin folder, strict or not:
                # read when a session loads the installed plugin (2.1.332 logs "... from
                # marketplace entry not found" / "is a file", surface market-entry-components)
                for key in _COMPONENTS:
                    value = _get(entry, key)
                    if value is not None:
                        for node in _paths(value):
                            _path_exists(ctx, folder, key, node)
    for name_value, nodes in named.items():
        _duplicates(ctx, name_value, nodes)
    return ctx.out


def _duplicates(ctx: JsonCtx, name: str, nodes: list[YNode]) -> None:
    """Each entry of a name used more than once, as `claude plugin validate` flags each
    (surface case market-duplicate), with the others as related information."""
    if len(nodes) < 2:
        return
    for node in nodes:
        others = [n for n in nodes if n is not node]
        ctx.add(
            finding(
                codes.MARKETPLACE_DUPLICATE_PLUGIN,
                node.range,
                f"{len(nodes)} plugins are named `{name}`: the marketplace is invalid "
                "(`claude plugin validate`: duplicate plugin name).",
                related=[Related(ctx.path, n.range, "the same name") for n in others]
                if ctx.path
                else [],
            )
        )


def _source_folder(market_dir: str, plugin_root: YNode | None, rel: str) -> str | None:
    """The plugin folder a local ``source`` names (None: not a local folder)."""
    if rel.startswith("./"):  # `../` is refused by the schema (AL904)
        return os.path.join(market_dir, rel)
    if plugin_root is not None and isinstance(plugin_root.value, str) and "/" not in rel:
        return os.path.join(market_dir, plugin_root.value, rel)
    return None


def _source_missing(node: YNode) -> Finding:
    return finding(
        codes.MARKETPLACE_SOURCE_MISSING,
        node.range,
        f"`{node.value}` does not exist: `claude plugin validate` passes, but installing this "
        'plugin fails ("Source path does not exist").',
    )


def _entry_list_ignored(ctx: JsonCtx, entry: YNode, folder: str, market_dir: str) -> None:
    """An entry's ``optionalDependencies`` when the plugin has its own plugin.json: Claude Code
    reads the plugin's list and ignores the entry's (``claude plugin validate`` 2.1.332,
    surface case market-optional-deps)."""
    manifest = os.path.join(folder, ".claude-plugin", "plugin.json")
    if not os.path.isfile(manifest):
        return
    for k, _ in entry.pairs:
        if k.value == "optionalDependencies":
            shown = os.path.relpath(manifest, market_dir).replace(os.sep, "/")
            ctx.add(
                finding(
                    codes.MARKETPLACE_ENTRY_LIST_IGNORED,
                    k.range,
                    "This plugin has its own plugin.json, so Claude Code ignores the entry's "
                    f"`optionalDependencies`: move the list to `{shown}`.",
                    related=[Related(manifest, Range.of(0, 0), "the plugin's own manifest")],
                )
            )
