"""The workspace index: every agent, skill and command by name, path, dialect and scope.

Pure: built from analyses (:mod:`agentls.indexing` builds one from the files on disk). Serves
the rules across files (:mod:`agentls.rules.cross_file`), navigation (definition,
references, rename, symbols) and the ``agentls/agents`` request.
"""

from __future__ import annotations

import bisect
import dataclasses
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentls.dialects.facts import claude_facts
from agentls.document.items import split_items
from agentls.document.model import Document, Entry
from agentls.document.yamltree import YNode
from agentls.effective import Vocabulary
from agentls.engine import Analysis, analyze
from agentls.types import Finding, Position, Range, Severity, base_name, parent_name

if TYPE_CHECKING:
    from agentls.discovery import Skipped

# What a name refers to. Claude agents and Copilot agents live in separate name spaces.
AGENT = "agent"  # Claude Code agents (project, user, plugin, bundled, built-in)
SKILL = "skill"  # Claude Code skills (and commands, which share the `/` name space)
COMMAND = "command"
COPILOT = "copilot-agent"
OTHER = "other"
# Claude Code's configuration files, indexed for the rules across files (they define no name)
SETTINGS = "settings"  # .claude/settings.json, settings.local.json
MCP_CONFIG = "mcp-config"  # .mcp.json
CONFIG_KINDS = frozenset({SETTINGS, MCP_CONFIG})
# a plugin manifest (.claude-plugin/plugin.json): the agents and commands it lists (AL936)
PLUGIN = "plugin-manifest"
NOT_DEFINITIONS = CONFIG_KINDS | {PLUGIN}
MCP_SERVER = "mcp-server"  # a reference to an MCP server (an agent's tools and mcpServers)

KIND_OF = {
    "claude-agent": AGENT,
    "claude-plugin-agent": AGENT,
    "claude-skill": SKILL,
    "agent-skill": SKILL,
    "claude-command": COMMAND,
    "copilot-agent": COPILOT,
    "copilot-chatmode": COPILOT,
    "opencode-agent": "opencode-agent",
    "gemini-agent": "gemini-agent",
    "copilot-prompt": "prompt",
    "claude-settings": SETTINGS,
    "claude-mcp": MCP_CONFIG,
    "claude-plugin": PLUGIN,
}
INDEXED = frozenset(KIND_OF)
COPILOT_BUILTINS = frozenset({"agent", "ask", "plan", "edit"})
_MENTION = re.compile(r"@agent-([A-Za-z0-9_][A-Za-z0-9_:-]*[A-Za-z0-9_]|[A-Za-z0-9_])")
_AGENT_CALL = re.compile(r"^(Agent|Task)\((.*)\)$")


@dataclass(slots=True)
class Ref:
    """A place in a file that names an agent or skill."""

    kind: str  # AGENT, SKILL or COPILOT
    name: str
    range: Range  # the name only (without a plugin prefix)
    via: str  # "tools", "skills", "agent", "handoffs", "agents", "mention"
    check: bool = True  # report when it resolves to nothing


@dataclass(slots=True)
class IndexEntry:
    name: str
    kind: str
    dialect: str
    scope: str  # project | user | plugin | bundled
    path: str
    name_range: Range | None = None  # the `name:` value, when written
    description: str | None = None
    model: str | None = None
    tools: list[str] | None = None
    disallowed_tools: list[str] = field(default_factory=list)
    loads: bool = True
    errors: int = 0
    warnings: int = 0
    refs: list[Ref] = field(default_factory=list)
    disable_model_invocation: bool = False
    dmi_range: Range | None = None  # (skills, commands) the `disable-model-invocation` key
    aliases: tuple[str, ...] = ()  # other names it answers to (plugin:name, file stem)
    tools_range: Range | None = None  # (agents) the `tools` value
    # (MCP_CONFIG) the servers the file defines, by name: their key
    servers: dict[str, Range] = field(default_factory=dict)
    # (SETTINGS) whole tools the `deny` rules remove (`Bash`, `mcp__github`...), and the
    # .mcp.json servers that `enabledMcpjsonServers` / `disabledMcpjsonServers` name
    denied: list[tuple[str, Range]] = field(default_factory=list)
    mcp_enabled: list[tuple[str, Range]] = field(default_factory=list)
    mcp_disabled: list[tuple[str, Range]] = field(default_factory=list)
    # (PLUGIN) per component key it lists (`agents`, `commands`): the absolute paths listed
    # (None: a form AL936 does not read) and the value's range; ``clean``: parsed without a
    # syntax error (the files' end reads only such a manifest)
    lists: dict[str, tuple[tuple[str, ...] | None, Range]] = field(default_factory=dict)
    clean: bool = True

    @property
    def stem(self) -> str:
        n = base_name(self.path)
        for suffix in (".agent.md", ".chatmode.md", ".prompt.md", ".md"):
            if n.endswith(suffix):
                return n[: -len(suffix)]
        return n

    def to_json(self, uri: str | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "dialect": self.dialect,
            "kind": self.kind,
            "scope": self.scope,
            "uri": uri or Path(self.path).as_uri(),
            "path": self.path,
            "description": self.description,
            "model": self.model,
            "tools": self.tools,
            "disallowedTools": self.disallowed_tools,
            "loads": self.loads,
            "errors": self.errors,
            "warnings": self.warnings,
        }


# --------------------------------------------------------------------------- entries


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v.strip() else None


def _value(doc: Document | None, key: str) -> Any:
    if doc is None:
        return None
    e = doc.get(key)
    if e is None or e.problem:
        return e.node.value if e is not None and e.problem else None
    try:
        return e.value
    except Exception:
        return None


def _split_with_offsets(text: str) -> Iterator[tuple[str, int]]:
    yield from split_items(text)


def _scalar_items(node: YNode) -> Iterator[tuple[str, Range | None]]:
    """(text, range) of each item of a list or comma/space separated string value."""
    if node.kind == "sequence":
        for item in node.items:
            if item.kind == "scalar" and isinstance(item.value, str):
                yield from _scalar_items(item)
        return
    if node.kind != "scalar" or not isinstance(node.value, str):
        return
    r = node.range
    one_line = r.start.line == r.end.line
    offset = r.start.character + (1 if node.style in ("'", '"') else 0)
    for piece, at in _split_with_offsets(node.value):
        rng = (
            Range(
                Position(r.start.line, offset + at),
                Position(r.start.line, offset + at + len(piece)),
            )
            if one_line and node.style in (None, "'", '"')
            else None
        )
        yield piece, rng


def _sub(rng: Range | None, start: int, length: int) -> Range | None:
    if rng is None:
        return None
    c = rng.start.character + start
    return Range(Position(rng.start.line, c), Position(rng.start.line, c + length))


def _name_ref(kind: str, text: str, rng: Range | None, via: str, check: bool = True) -> Ref | None:
    text_stripped = text.strip()
    if not text_stripped or rng is None:
        return None
    lead = len(text) - len(text.lstrip())
    name = text_stripped
    start = lead
    if ":" in name and kind == AGENT:  # plugin:agent → point at the last segment
        cut = name.rfind(":") + 1
        start += cut
        name = name[cut:]
    r = _sub(rng, start, len(name))
    return Ref(kind, name, r, via, check) if r is not None else None


def extract_refs(dialect: str, doc: Document) -> list[Ref]:
    refs: list[Ref] = []
    kind = KIND_OF.get(dialect)
    if kind == AGENT:
        e = doc.get("tools")
        if e is not None and not e.problem:
            for text, rng in _scalar_items(e.node):
                m = _AGENT_CALL.match(text)
                if m is None or rng is None:
                    continue
                inner = m.group(2)
                base = len(m.group(1)) + 1
                for piece, at in _split_with_offsets(inner):
                    ref = _name_ref(AGENT, piece, _sub(rng, base + at, len(piece)), "tools")
                    if ref:
                        refs.append(ref)
        e = doc.get("skills")
        if e is not None and not e.problem:
            for text, rng in _scalar_items(e.node):
                ref = _name_ref(SKILL, text, rng, "skills")
                if ref:
                    refs.append(ref)
    if kind in (SKILL, COMMAND):
        e = doc.get("agent")
        if e is not None and not e.problem and e.node.kind == "scalar":
            for text, rng in _scalar_items(e.node):
                ref = _name_ref(AGENT, text, rng, "agent")
                if ref:
                    refs.append(ref)
                break
    if kind == COPILOT:
        e = doc.get("handoffs")
        if e is not None and not e.problem and e.node.kind == "sequence":
            for item in e.node.items:
                for k, v in item.pairs:
                    if k.value == "agent" and v.kind == "scalar" and isinstance(v.value, str):
                        ref = _name_ref(COPILOT, v.value, _whole(v), "handoffs")
                        if ref:
                            refs.append(ref)
        e = doc.get("agents")
        if e is not None and not e.problem and e.node.kind == "sequence":
            for item in e.node.items:
                if item.kind == "scalar" and isinstance(item.value, str) and item.value != "*":
                    ref = _name_ref(COPILOT, item.value, _whole(item), "agents")
                    if ref:
                        refs.append(ref)
    if dialect == "copilot-prompt":
        e = doc.get("agent")
        if e is not None and not e.problem and e.node.kind == "scalar":
            v = e.node.value
            if isinstance(v, str) and v not in COPILOT_BUILTINS:
                ref = _name_ref(COPILOT, v, _whole(e.node), "agent")
                if ref:
                    refs.append(ref)
    # @agent-x mentions in the body: navigation only
    start = doc.env.body_start if doc.has_frontmatter else 0
    lines = doc.lines
    for i in range(start, len(lines)):
        line = lines[i]
        if "@agent-" not in line:
            continue
        for m in _MENTION.finditer(line):
            name = m.group(1)
            c = m.start(1)
            if ":" in name:
                cut = name.rfind(":") + 1
                c += cut
                name = name[cut:]
            refs.append(Ref(AGENT, name, Range.of(i, c, i, c + len(name)), "mention", False))
    return refs


def _whole(node: YNode) -> Range | None:
    r = node.range
    if r.start.line != r.end.line:
        return None
    if node.style in ("'", '"'):
        return Range(
            Position(r.start.line, r.start.character + 1),
            Position(r.end.line, r.end.character - 1),
        )
    return r


def _name_value_range(doc: Document) -> Range | None:
    e: Entry | None = doc.get("name")
    if e is None or e.problem or e.node.kind != "scalar" or not isinstance(e.node.value, str):
        return None
    return _whole(e.node)


def entry_from_analysis(a: Analysis, scope: str) -> IndexEntry | None:
    """The index entry of one analysed file (None when it is not an indexed dialect, or the
    project configuration excludes it: ``check`` does not look at such a file either)."""
    if a.dialect not in INDEXED or a.path is None or a.policy.excluded is not None:
        return None
    if KIND_OF[a.dialect] in NOT_DEFINITIONS:
        return _config_entry(a, scope)
    if a.dialect in ("claude-skill", "agent-skill") and base_name(a.path) != "SKILL.md":
        return None  # misnamed or loose (AL506, AL507): Claude Code has no such skill
    doc = a.doc
    kind = KIND_OF[a.dialect]
    path = a.path
    posix = path.replace("\\", "/")
    stem_name = base_name(posix)
    name: str | None = None
    aliases: list[str] = []
    name_range = _name_value_range(doc) if doc is not None else None
    eff = a.effective
    if a.dialect in ("claude-agent", "claude-plugin-agent"):
        name = (eff.name if eff else None) or _str(_value(doc, "name"))
        if a.dialect == "claude-plugin-agent":
            scope = "plugin"
            from agentls.rules.claude_plugin_agent import plugin_name

            plugin = plugin_name(path)
            if plugin and name:
                aliases.append(f"{plugin}:{name}")
    elif kind == SKILL:
        folder = parent_name(posix)
        name = folder if a.dialect == "claude-skill" else (_str(_value(doc, "name")) or folder)
        written = _str(_value(doc, "name"))
        if written and written != name:
            aliases.append(written)
            name_range = None  # `name` is a label; the folder is the identity
    elif kind == COMMAND:
        from agentls.rules.claude_command import command_name

        name = command_name(path)
        name_range = None
    elif kind == COPILOT:
        stem = stem_name
        for suffix in (".agent.md", ".chatmode.md", ".md"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        written = _str(_value(doc, "name"))
        name = stem
        if written and written != stem:
            aliases.append(written)
    else:
        stem = stem_name.removesuffix(".prompt.md").removesuffix(".md")
        name = _str(_value(doc, "name")) or stem
    if not name:
        name = stem_name.removesuffix(".md")
        name_range = None
    errors = sum(1 for f in a.findings if f.severity == Severity.ERROR)
    warnings = sum(1 for f in a.findings if f.severity == Severity.WARNING)
    description = (eff.description if eff else None) or _str(_value(doc, "description"))
    model = (eff.model if eff else None) or _str(_value(doc, "model"))
    tools: list[str] | None = eff.tools if eff else None
    if eff is None:
        raw = _value(doc, "tools")
        if isinstance(raw, list):
            tools = [str(t) for t in raw]
        elif isinstance(raw, str):
            tools = [t.strip() for t in raw.split(",") if t.strip()]
    loads = eff.loads if eff is not None else errors == 0
    dmi = _value(doc, "disable-model-invocation")
    dmi_entry = doc.get("disable-model-invocation") if doc is not None and dmi is not None else None
    refs = extract_refs(a.dialect, doc) if doc is not None else []
    tools_entry = doc.get("tools") if doc is not None and a.dialect == "claude-agent" else None
    if a.dialect == "claude-agent" and doc is not None:
        refs += _mcp_refs(doc)
    return IndexEntry(
        name=name,
        kind=kind,
        dialect=a.dialect,
        scope=scope,
        path=path,
        name_range=name_range,
        description=description,
        model=model,
        tools=tools,
        disallowed_tools=list(eff.disallowed_tools) if eff else [],
        loads=loads,
        errors=errors,
        warnings=warnings,
        refs=refs,
        disable_model_invocation=dmi is True
        or (isinstance(dmi, str) and dmi.lower() in ("true", "yes", "on", "1")),
        dmi_range=dmi_entry.key_range if dmi_entry is not None else None,
        aliases=tuple(aliases),
        tools_range=tools_entry.key_range if tools_entry is not None else None,
    )


def _mcp_refs(doc: Document) -> list[Ref]:
    """The MCP servers an agent uses: ``mcp__<server>__…`` in ``tools`` and the names in
    ``mcpServers`` (a string item names a server configured elsewhere)."""
    refs: list[Ref] = []
    e = doc.get("tools")
    if e is not None and not e.problem:
        for text, rng in _scalar_items(e.node):
            stripped = text.strip()
            if rng is None or not stripped.startswith("mcp__"):
                continue
            server = stripped[5:].split("__", 1)[0]
            if server and server != "*":
                at = len(text) - len(text.lstrip()) + 5
                ref = _sub(rng, at, len(server))
                if ref is not None:
                    refs.append(Ref(MCP_SERVER, server, ref, "tools"))
    e = doc.get("mcpServers")
    if e is not None and not e.problem and e.node.kind == "sequence":
        for item in e.node.items:
            if item.kind == "scalar" and isinstance(item.value, str) and item.value.strip():
                rng = _whole(item)
                if rng is not None:
                    refs.append(Ref(MCP_SERVER, item.value, rng, "mcpServers"))
    return refs


def _config_entry(a: Analysis, scope: str) -> IndexEntry | None:
    """The index entry of a settings file, an .mcp.json or a plugin manifest: what the rules
    across files read (servers defined; agents named; tools denied; servers enabled or
    disabled; the agents and commands a manifest lists)."""
    assert a.path is not None and a.dialect is not None
    root = a.json.root if a.json is not None else None
    kind = KIND_OF[a.dialect]
    entry = IndexEntry(
        name=base_name(a.path),
        kind=kind,
        dialect=a.dialect,
        scope=scope,
        path=a.path,
        errors=sum(1 for f in a.findings if f.severity == Severity.ERROR),
        warnings=sum(1 for f in a.findings if f.severity == Severity.WARNING),
    )
    if kind == PLUGIN:
        from agentls.rules.claude_plugin import listed_components

        entry.lists = listed_components(root, a.path)
        entry.clean = a.json is not None and not a.json.errors
        return entry
    if root is None or root.kind != "mapping":
        return entry
    if kind == MCP_CONFIG:
        from agentls.rules.claude_mcp import servers

        entry.servers = {str(k.value): k.range for k, _ in servers(root)}
        return entry
    for key, value in root.pairs:
        if key.value == "agent" and value.kind == "scalar" and isinstance(value.value, str):
            rng = _json_inner(value)
            if rng is not None and value.value.strip():
                entry.refs.append(Ref(AGENT, value.value, rng, "agent"))
        elif key.value in ("enabledMcpjsonServers", "disabledMcpjsonServers"):
            names = [
                (str(i.value), i.range)
                for i in (value.items if value.kind == "sequence" else [])
                if i.kind == "scalar" and isinstance(i.value, str)
            ]
            if key.value == "enabledMcpjsonServers":
                entry.mcp_enabled = names
            else:
                entry.mcp_disabled = names
        elif key.value == "permissions" and value.kind == "mapping":
            for k, rules in value.pairs:
                if rules.kind != "sequence" or k.value not in ("allow", "ask", "deny"):
                    continue
                deny = k.value == "deny"
                for item in rules.items:
                    # only `Agent(`/`Task(` rules and deny rules say anything to other files:
                    # the others are passed over without a call (~400 rules per keystroke)
                    if (
                        item.kind == "scalar"
                        and isinstance(item.value, str)
                        and (deny or item.value.startswith(_AGENT_RULE_STARTS))
                    ):
                        _permission_rule(entry, str(k.value), item)
    return entry


_RULE_AGENT = re.compile(r"^(?:Agent|Task)\((.+)\)$")
_AGENT_RULE_STARTS = ("Agent(", "Task(")  # what _RULE_AGENT can match


def _permission_rule(entry: IndexEntry, which: str, item: YNode) -> None:
    """An ``Agent(name)`` rule names an agent; a ``deny`` rule without a pattern removes a
    whole tool (``Bash``, ``mcp__github``, ``mcp__github__*``)."""
    rule: str = item.value
    m = _RULE_AGENT.match(rule)
    inner = _json_inner(item) if m is not None else None
    if m is not None and inner is not None and m.group(1).strip() not in ("*", ""):
        name = m.group(1)
        rng = inner
        if inner.end.character - inner.start.character == len(rule):  # no escapes
            start = inner.start.character + m.start(1)
            rng = Range.of(inner.start.line, start, inner.start.line, start + len(name))
        if ":" not in name and "*" not in name:
            entry.refs.append(Ref(AGENT, name, rng, "permissions"))
    if which == "deny" and "(" not in rule and rule.strip():
        entry.denied.append((rule.strip().removesuffix("__*"), item.range))


def _json_inner(node: YNode) -> Range | None:
    """The text of a one-line JSON string without its quotes."""
    r = node.range
    if r.start.line != r.end.line or r.end.character - r.start.character < 2:
        return None
    return Range.of(r.start.line, r.start.character + 1, r.end.line, r.end.character - 1)


# --------------------------------------------------------------------------- the index


@dataclass(slots=True)
class Symbol:
    """What sits at a position: a definition (its `name:`) or a reference."""

    kind: str
    name: str
    range: Range
    entry: IndexEntry | None  # the definition, when the position is on one
    ref: Ref | None


class WorkspaceIndex:
    """Entries by path; name look-ups are computed on demand (the index is small)."""

    def __init__(self) -> None:
        self.entries: dict[str, IndexEntry] = {}
        self.generation = 0
        # files of the last build from disk that could not be read (agentls.indexing)
        self.skipped: list[Skipped] = []
        # name (or alias) -> paths; rebuilt when a name changes (see _paths_named)
        self._names: dict[str, list[str]] = {}
        self._names_key: tuple[int, int] | None = None
        self._names_gen = 0
        # project -> paths of its settings and .mcp.json (see config)
        self._config: dict[str, list[str]] = {}
        self._config_key: tuple[int, int] | None = None
        self._config_gen = 0
        self._vocabularies: dict[str, Vocabulary] = {}  # kind -> names (see vocabulary)
        self._vocabularies_key: tuple[int, int] | None = None
        # plugin folder -> its manifest's path, and manifest -> the paths of the files below
        # its `agents/` and `commands/` (see plugin_of, plugin_files): kept up to date by put
        # and remove (a branch switch puts thousands of files: grouping every entry again
        # for each would be quadratic), grouped again when entries were written directly
        self._plugins: dict[str, str] = {}
        self._plugin_files: dict[str, list[str]] | None = None
        self._plugins_key: int | None = None  # len(entries) when grouped

    # -- updates

    def put(self, entry: IndexEntry) -> set[str]:
        """Add or replace the entry of ``entry.path``; return the paths whose cross-file
        findings may have changed (other than this one)."""
        old = self.entries.get(entry.path)
        grouped = self._plugins_key == len(self.entries)
        self.entries[entry.path] = entry
        self.generation += 1
        if old is None and grouped:
            self._plugins_key = len(self.entries)
            self._placed(entry.path, entry, added=True)
        elif old is not None and (old.kind == PLUGIN) != (entry.kind == PLUGIN):
            self._plugins_key = None
        if entry.kind == PLUGIN or (old is not None and old.kind == PLUGIN):
            return self._manifest_dependents(old, entry)
        deps = self._put(old, entry)
        if old is None:
            deps |= self._file_dependents(entry.path)
        return deps

    def _put(self, old: IndexEntry | None, entry: IndexEntry) -> set[str]:
        if entry.kind in CONFIG_KINDS or (old is not None and old.kind in CONFIG_KINDS):
            self._config_gen += 1
            if old is not None and _same_config(old, entry):
                return set()  # a keystroke elsewhere in the file: no other file's findings
            return self._config_dependents(entry.path, agents=True)
        if entry.kind == AGENT and old is not None and _same_identity(old, entry):
            return self._config_dependents(entry.path, agents=False)
        if old is not None and _same_identity(old, entry):
            return set()
        self._names_gen += 1
        names = {(entry.kind, entry.name)} | _refs_changed(old, entry)
        if old is not None:
            names.add((old.kind, old.name))
        return self._dependents(names, exclude=entry.path)

    def remove(self, path: str) -> set[str]:
        old = self.entries.get(path)
        if old is None:
            return set()
        # the files the manifest left out, while its plugin is still grouped
        deps = self._manifest_dependents(old, None) if old.kind == PLUGIN else set()
        grouped = self._plugins_key == len(self.entries)
        del self.entries[path]
        self.generation += 1
        self._names_gen += 1
        if grouped:
            self._plugins_key = len(self.entries)
            self._placed(path, old, added=False)
        if old.kind == PLUGIN:
            return deps
        if old.kind in CONFIG_KINDS:
            self._config_gen += 1
            return self._config_dependents(path, agents=True)
        names = {(old.kind, old.name)} | _refs_changed(old, None)
        # and the manifest, when the file was one of its plugin's folders'
        return self._dependents(names, exclude=path) | self._file_dependents(path)

    def update(
        self, path: str, text: str, scope: str = "project", dialect: str | None = None
    ) -> set[str]:
        return self.update_analysis(analyze(text, path, dialect), scope)

    def update_analysis(self, a: Analysis, scope: str = "project") -> set[str]:
        """:meth:`update` from an analysis already made (the server's, of an open file)."""
        entry = entry_from_analysis(a, scope)
        if entry is None:
            return self.remove(a.path) if a.path is not None else set()
        return self.put(entry)

    def _dependents(self, names: set[tuple[str, str]], exclude: str) -> set[str]:
        out: set[str] = set()
        plain = {n for _, n in names}
        for p, e in self.entries.items():
            if p == exclude:
                continue
            if e.name in plain or any(r.name in plain for r in e.refs):
                out.add(p)
                continue
            if e.kind in CONFIG_KINDS and any(k == AGENT for k, _ in names):
                out.add(p)  # its findings name the agents (tools all denied, servers used)
        return out

    def _config_dependents(self, path: str, *, agents: bool) -> set[str]:
        """The files of ``path``'s project whose findings across files read its
        configuration: its settings and .mcp.json, and with ``agents`` its agents."""
        project = config_project(path)
        if project is None:
            return set()
        out = {e.path for e in self.config(project) if e.path != path}
        if agents:
            out |= {
                p
                for p, e in self.entries.items()
                if e.kind == AGENT and p != path and config_project(p) == project
            }
        return out

    def _manifest_dependents(self, old: IndexEntry | None, new: IndexEntry | None) -> set[str]:
        """The files of a plugin whose end of AL936 may have changed with its manifest: those
        left out before or after (a keystroke that moves the list moves their related
        information; one elsewhere in the manifest changes nothing)."""
        if old is not None and new is not None and (old.lists, old.clean) == (new.lists, new.clean):
            return set()
        from agentls.rules.claude_plugin import unlisted

        manifest = new or old
        assert manifest is not None
        files = self.plugin_files(manifest)
        out: set[str] = set()
        for m in (old, new):
            if m is not None and m.kind == PLUGIN:
                out.update(p for _, paths in unlisted(m, files) for p in paths)
        return out

    def _file_dependents(self, path: str) -> set[str]:
        """A file that came or went below a plugin's `agents/` or `commands/`: the manifest,
        whose list may leave it out (AL936)."""
        manifest = self.plugin_of(path)
        return {manifest.path} if manifest is not None and manifest.lists else set()

    # -- plugins

    def _group_plugins(self) -> None:
        if self._plugins_key == len(self.entries):
            return
        self._plugins = {_plugin_folder(p): p for p, e in self.entries.items() if e.kind == PLUGIN}
        self._plugin_files, self._plugins_key = None, len(self.entries)

    def _placed(self, path: str, entry: IndexEntry, *, added: bool) -> None:
        """Keep the grouping of plugins up to date with ``path`` added or removed."""
        if entry.kind == PLUGIN:
            if added:
                self._plugins[_plugin_folder(path)] = path
            else:
                self._plugins.pop(_plugin_folder(path), None)
            self._plugin_files = None  # which files are whose: grouped again when asked
            return
        if self._plugin_files is None or not path.endswith(".md"):
            return
        manifest = self.plugin_of(path)
        if manifest is None:
            return
        files = self._plugin_files.setdefault(manifest.path, [])
        if added:
            bisect.insort(files, path, key=_walk_order)
        elif path in files:
            files.remove(path)

    def _plugin_of_dir(self, path: str) -> str | None:
        """The folder of the nearest plugin (manifest in the index) above ``path``, as
        :func:`agentls.dialects.registry.plugin_root` finds it on disk (up to 12 levels)."""
        self._group_plugins()
        if not self._plugins:
            return None
        folder = os.path.dirname(os.path.abspath(path))
        for _ in range(12):
            if folder in self._plugins:
                return folder
            up = os.path.dirname(folder)
            if up == folder:
                return None
            folder = up
        return None

    def plugin_of(self, path: str) -> IndexEntry | None:
        """The manifest of the plugin whose `agents/` or `commands/` holds ``path``."""
        folder = self._plugin_of_dir(path)
        if folder is None:
            return None
        rel = os.path.relpath(os.path.abspath(path), folder).split(os.sep, 1)
        if len(rel) < 2 or rel[0] not in PLUGIN_FOLDERS:
            return None
        return self.entries.get(self._plugins[folder])

    def plugin_files(self, manifest: IndexEntry) -> list[str]:
        """The paths of the ``.md`` files of the index below the `agents/` and `commands/`
        of ``manifest``'s plugin, in the order a walk of the folders finds them."""
        self._group_plugins()
        if self._plugin_files is None:
            groups: dict[str, list[str]] = {}
            if self._plugins:
                marks = tuple(f"{os.sep}{k}{os.sep}" for k in PLUGIN_FOLDERS)
                for p in self.entries:
                    if not p.endswith(".md") or not any(m in os.path.abspath(p) for m in marks):
                        continue
                    m = self.plugin_of(p)
                    if m is not None:
                        groups.setdefault(m.path, []).append(p)
                for files in groups.values():
                    files.sort(key=_walk_order)
            self._plugin_files = groups
        return self._plugin_files.get(manifest.path, [])

    # -- look-ups

    def _paths_named(self, name: str) -> list[str]:
        """Paths of the entries named or aliased ``name``: O(1) instead of a scan of every
        entry (on each keystroke, with thousands of entries). Rebuilt after a name changes;
        entries written directly into ``entries`` are seen when their count changes."""
        key = (self._names_gen, len(self.entries))
        if self._names_key != key:
            names: dict[str, list[str]] = {}
            for p, e in self.entries.items():
                names.setdefault(e.name, []).append(p)
                for a in dict.fromkeys(e.aliases):
                    if a != e.name:
                        names.setdefault(a, []).append(p)
            self._names, self._names_key = names, key
        return self._names.get(name, [])

    def with_name(self, name: str) -> list[IndexEntry]:
        return [e for p in self._paths_named(name) if (e := self.entries.get(p)) is not None]

    def all(self) -> list[IndexEntry]:
        """The definitions (agents, skills, commands...), not the configuration files; as
        listed (``agentls agents``, ``agentls/agents``): with what another file decides."""
        return sorted(
            (self._as_loaded(e) for e in self.entries.values() if e.kind not in NOT_DEFINITIONS),
            key=lambda e: (e.kind, e.name.lower(), e.path),
        )

    def _as_loaded(self, e: IndexEntry) -> IndexEntry:
        """A plugin file its manifest's list leaves out does not load (AL936, a warning its
        own analysis does not count)."""
        if e.dialect not in ("claude-plugin-agent", "claude-command") or not self.not_loaded(e):
            return e
        return dataclasses.replace(e, loads=False, warnings=e.warnings + 1)

    def not_loaded(self, e: IndexEntry) -> bool:
        """Whether another file keeps ``e`` from loading: its plugin's manifest lists the
        files of its folder and leaves it out (AL936)."""
        from agentls.rules.claude_plugin import not_listed_findings

        return bool(not_listed_findings(self, e)) if e.kind != PLUGIN else False

    def config(self, project: str | None) -> list[IndexEntry]:
        """The configuration files (settings, .mcp.json) of the project ``project``."""
        if project is None:
            return []
        key = (self._config_gen, len(self.entries))
        if self._config_key != key:  # few files: grouped once, not scanned per keystroke
            groups: dict[str, list[str]] = {}
            for p, entry in self.entries.items():
                if entry.kind in CONFIG_KINDS:
                    root = config_project(p)
                    if root is not None:
                        groups.setdefault(root, []).append(p)
            self._config, self._config_key = groups, key
        found = (self.entries.get(p) for p in self._config.get(project, []))
        return [e for e in found if e is not None]

    def named(self, kind: str, name: str) -> list[IndexEntry]:
        kinds = _resolves_to(kind)
        return [
            e
            for e in self.with_name(name)
            if e.kind in kinds and (e.name == name or name in e.aliases)
        ]

    def vocabulary(self, kind: str) -> Vocabulary:
        """The names a reference of ``kind`` can resolve to, for "did you mean": built once
        per kind until a name changes (each unresolved reference scanned and sorted every
        entry: O(references x entries))."""
        key = (self._names_gen, len(self.entries))
        if self._vocabularies_key != key:
            self._vocabularies, self._vocabularies_key = {}, key
        vocabulary = self._vocabularies.get(kind)
        if vocabulary is None:
            kinds = _resolves_to(kind)
            names = {e.name for e in self.entries.values() if e.kind in kinds}
            if kind == AGENT:
                names |= set(claude_facts().builtin_agents)
            vocabulary = self._vocabularies[kind] = Vocabulary(names)
        return vocabulary

    def symbol_at(self, path: str, pos: Position) -> Symbol | None:
        e = self.entries.get(path)
        if e is None:
            return None
        if e.name_range is not None and e.name_range.contains(pos):
            return Symbol(e.kind if e.kind != COMMAND else SKILL, e.name, e.name_range, e, None)
        for r in e.refs:
            if r.range.contains(pos):
                return Symbol(r.kind, r.name, r.range, None, r)
        return None

    def definitions(self, kind: str, name: str) -> list[IndexEntry]:
        return self.named(kind, name)

    def references(self, kind: str, name: str) -> list[tuple[str, Range, Ref]]:
        out: list[tuple[str, Range, Ref]] = []
        kinds = _referenced_as(kind)
        for p, e in sorted(self.entries.items()):
            for r in e.refs:
                if r.kind in kinds and r.name == name:
                    out.append((p, r.range, r))
        return out

    def rename_edits(
        self, kind: str, old: str, new: str
    ) -> tuple[dict[str, list[tuple[Range, str]]], list[tuple[str, str]]]:
        """Text edits per path, and file renames (old path, new path)."""
        edits: dict[str, list[tuple[Range, str]]] = {}
        renames: list[tuple[str, str]] = []
        for d in self.definitions(kind, old):
            if d.scope in ("bundled",):
                continue
            if d.name_range is not None:
                edits.setdefault(d.path, []).append((d.name_range, new))
            if d.stem == old and d.kind in (AGENT, COPILOT):
                parent = os.path.dirname(d.path)
                suffix = os.path.basename(d.path)[len(old) :]
                renames.append((d.path, os.path.join(parent, new + suffix)))
            elif d.kind == SKILL and os.path.basename(d.path) == "SKILL.md":
                folder = os.path.dirname(d.path)
                if os.path.basename(folder) == old:  # a skill's name is its folder's name
                    renames.append((folder, os.path.join(os.path.dirname(folder), new)))
        for p, rng, _ in self.references(kind, old):
            edits.setdefault(p, []).append((rng, new))
        return edits, renames

    def symbols(self, query: str = "") -> list[IndexEntry]:
        q = query.lower()
        return [e for e in self.all() if q in e.name.lower()]

    # -- checks across files

    def findings_for(self, path: str) -> list[Finding]:
        """The findings of ``path`` that depend on other files: :mod:`agentls.rules.cross_file`."""
        from agentls.rules.cross_file import cross_file_findings

        return cross_file_findings(self, path)


PLUGIN_FOLDERS = ("agents", "commands")  # the folders a manifest's list replaces (AL936)


def _plugin_folder(manifest: str) -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(manifest)))


def _walk_order(path: str) -> list[tuple[int, str]]:
    """Sorts paths as :func:`agentls.discovery.walk` finds them: a folder's files (sorted)
    before its sub-folders (sorted)."""
    parts = os.path.abspath(path).split(os.sep)
    return [(1, d) for d in parts[:-1]] + [(0, parts[-1])]


def _same_identity(a: IndexEntry, b: IndexEntry) -> bool:
    return (
        a.kind == b.kind
        and a.name == b.name
        and a.aliases == b.aliases
        and a.disable_model_invocation == b.disable_model_invocation
        and [(r.kind, r.name) for r in a.refs] == [(r.kind, r.name) for r in b.refs]
        and a.tools == b.tools
    )


def _refs_changed(old: IndexEntry | None, new: IndexEntry | None) -> set[tuple[str, str]]:
    """The names one of the two entries refers to and the other does not: the files so
    named gain or lose a finding pointing back (a skill that cannot be preloaded, AL303)."""
    before = {(r.kind, r.name) for r in old.refs} if old is not None else set()
    after = {(r.kind, r.name) for r in new.refs} if new is not None else set()
    return before ^ after


def _same_config(a: IndexEntry, b: IndexEntry) -> bool:
    """Whether two entries of a configuration file say the same to other files: the same
    names, and the entries other files point at (related information) in the same place."""
    return (
        a.kind == b.kind
        and a.servers.keys() == b.servers.keys()
        and a.denied == b.denied
        and [n for n, _ in a.mcp_enabled] == [n for n, _ in b.mcp_enabled]
        and a.mcp_disabled == b.mcp_disabled
        and [(r.kind, r.name) for r in a.refs] == [(r.kind, r.name) for r in b.refs]
    )


def config_project(path: str) -> str | None:
    """The project a file belongs to for the rules across files: the folder holding the
    ``.claude`` folder it is in, or the folder of a project's ``.mcp.json``."""
    from agentls.discovery import project_root

    path = os.path.abspath(path)  # check names files as given: relative or not
    root = project_root(path)
    if root is None and base_name(path) == ".mcp.json":
        return os.path.dirname(path.replace("\\", "/"))
    return root


def _resolves_to(kind: str) -> tuple[str, ...]:
    if kind == SKILL:
        return (SKILL, COMMAND)
    if kind == COPILOT:
        return (COPILOT, AGENT)  # VS Code also loads .claude/agents
    return (kind,)


def _referenced_as(kind: str) -> tuple[str, ...]:
    if kind in (SKILL, COMMAND):
        return (SKILL,)
    if kind == AGENT:
        return (AGENT, COPILOT)
    return (kind,)
