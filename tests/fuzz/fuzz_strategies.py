"""Hypothesis strategies for agent definition files: frontmatter that is valid YAML, broken
YAML, every Claude Code key with values of every type, awkward Unicode (neighbours of the
surrogate range, combining marks, emoji, bidi controls, NUL), and every line-ending mix."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

FACTS = Path(__file__).resolve().parents[2] / "server" / "agentls" / "data" / "claude-code.json"


@cache
def agent_keys() -> list[str]:
    data = json.loads(FACTS.read_text("utf-8"))
    keys = (
        list(data["agentKeys"])
        + list(data["otherDialectKeys"])
        + list(data["pluginAgentExtraKeys"])
    )
    return sorted(set(keys))


@cache
def known_words() -> list[str]:
    """Values the rules know (model aliases, tools, colours, modes...): rules branch on them."""
    d = json.loads(FACTS.read_text("utf-8"))
    words: list[str] = []
    for k in ("tools", "modelAliases", "permissionModes", "memory", "effort", "isolation"):
        words += list(d[k])
    for k in ("modelAliasesExtra", "colors", "knownModelIds", "hookEvents", "hookTypes"):
        words += list(d[k])
    words += list(d["deprecatedModelIds"]) + list(d["legacyTools"]) + list(d["builtinAgents"])
    return sorted(set(words))


# Characters that stress position arithmetic and decoders: the neighbours of the surrogate
# range (U+D7FF, U+E000), astral characters (two UTF-16 units, four UTF-8 bytes), combining
# marks, zero-width and bidi controls, the BOM, NEL/LS/PS (line breaks for some readers),
# NUL and other C0 controls, and YAML indicators.
AWKWARD = [
    "\ud7ff",
    "\ue000",
    "\uffff",
    "\ufffd",
    "\ufeff",
    "\U00010000",
    "\U0010ffff",
    "😀",
    "👩‍💻",
    "🇫🇷",
    "e\u0301",
    "\u0301",
    "\u20dd",
    "\u200b",
    "\u200d",
    "\u202e",
    "\u2066",
    "\u0085",
    "\u2028",
    "\u2029",
    "\x0b",  # VT, FF and the file/group/record separators: str.splitlines() breaks there,
    "\x0c",  # YAML and LSP do not
    "\x1c",
    "\x1d",
    "\x1e",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "é",
    "中文",
    "ｱ",
]
YAML_BITS = [
    ": ",
    ":",
    "- ",
    "#",
    " #",
    "&a ",
    "*a",
    "!!str ",
    "!tag ",
    "%",
    "@",
    "`",
    "|",
    ">",
    "|-",
    ">+",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    '"',
    "\\",
    "---",
    "...",
    "? ",
    "<<: *a",
    "  ",
    "\t",
]

unicode_text = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),  # any non-surrogate
    st.lists(st.sampled_from(AWKWARD), max_size=10).map("".join),
)
awkward_text = st.lists(
    st.one_of(st.sampled_from(AWKWARD), st.sampled_from(YAML_BITS), unicode_text, st.just("a")),
    max_size=12,
).map("".join)


def _plain_scalar(s: str) -> str:
    return s.replace("\n", " ").replace("\r", " ")


# Integers past Python's 4,300-digit int <-> text limit, in each YAML 1.2 form.
huge_integers = st.tuples(
    st.sampled_from(["", "-", "+", "0x", "0o"]), st.integers(4_301, 6_000)
).map(lambda t: t[0] + ("7" if t[0] == "0o" else "9") * t[1])
# Long runs of spaces (inside a value, before a comment, after a key): regular expressions
# with two quantifiers over spaces went quadratic on them.
space_runs = st.tuples(st.sampled_from(["a", "a:", "#", ""]), st.integers(1_000, 40_000)).map(
    lambda t: "x" + " " * t[1] + t[0]
)

scalar_texts = st.one_of(
    huge_integers,
    space_runs,
    st.sampled_from(["true", "false", "yes", "no", "null", "~", "", "0", "-1", "1e3", ".inf"]),
    st.sampled_from(["0x1F", "0o17", "3.14", ".nan", "2024-01-01", "TRUE", "Null"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True).map(repr),
    st.sampled_from(known_words()),
    st.text(alphabet="abcxyz-_ ,./:", max_size=20),
    awkward_text.map(_plain_scalar),
)


def _quoted(s: str) -> str:
    return json.dumps(s)  # a valid YAML double-quoted scalar


def _single(s: str) -> str:
    return "'" + s.replace("'", "''").replace("\n", " ") + "'"


yaml_scalar = st.one_of(
    scalar_texts,
    scalar_texts.map(_quoted),
    awkward_text.map(_quoted),
    scalar_texts.map(_single),
)


@st.composite
def yaml_value(draw: st.DrawFn, depth: int = 0) -> str:
    """The text of a value following ``key:`` (may span lines; lines after the first are
    indented), of any type: scalars, flow and block lists and mappings, block scalars."""
    choices = ["scalar", "scalar", "empty", "flow_list", "flow_map", "block_scalar"]
    if depth < 2:
        choices += ["block_list", "block_map"]
    kind = draw(st.sampled_from(choices))
    pad = "  " * (depth + 1)
    if kind == "scalar":
        return " " + draw(yaml_scalar)
    if kind == "empty":
        return ""
    if kind == "flow_list":
        items = draw(st.lists(yaml_scalar, max_size=5))
        return " [" + ", ".join(items) + draw(st.sampled_from(["]", "]", "", ",]"]))
    if kind == "flow_map":
        items = draw(st.lists(st.tuples(st.sampled_from(agent_keys()), yaml_scalar), max_size=4))
        return " {" + ", ".join(f"{k}: {v}" for k, v in items) + draw(st.sampled_from(["}", ""]))
    if kind == "block_scalar":
        head = draw(st.sampled_from(["|", ">", "|-", ">+", "|2"]))
        body = draw(st.lists(awkward_text.map(_plain_scalar), min_size=0, max_size=4))
        return f" {head}\n" + "\n".join(pad + line for line in body)
    if kind == "block_list":
        items = draw(st.lists(yaml_value(depth + 1), min_size=1, max_size=4))
        return "\n" + "\n".join(
            f"{pad}-{v if v.startswith((' ', chr(10))) else ' ' + v}" for v in items
        )
    items2 = draw(
        st.lists(
            st.tuples(
                st.sampled_from([*agent_keys(), "x", "type", "command"]), yaml_value(depth + 1)
            ),
            min_size=1,
            max_size=4,
        )
    )
    return "\n" + "\n".join(f"{pad}{k}:{v}" for k, v in items2)


@st.composite
def frontmatter_line_groups(draw: st.DrawFn) -> list[str]:
    """Top-level entries: known keys with values of every type, unknown keys, duplicates,
    comments, blank lines, and deliberately broken lines."""
    keys = agent_keys()
    out: list[str] = []
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(
            st.sampled_from(
                ["entry", "entry", "entry", "entry", "unknown", "comment", "blank", "broken"]
            )
        )
        if kind == "entry":
            out.append(draw(st.sampled_from(keys)) + ":" + draw(yaml_value()))
        elif kind == "unknown":
            out.append(draw(awkward_text).replace("\n", "") + ":" + draw(yaml_value()))
        elif kind == "comment":
            out.append("# " + draw(awkward_text).replace("\n", " "))
        elif kind == "blank":
            out.append(draw(st.sampled_from(["", " ", "\t"])))
        else:
            out.append(draw(awkward_text))
    return out


line_endings = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def agent_files(draw: st.DrawFn) -> str:
    """A whole agent file: an optional BOM and leading text, fences in every shape, the
    frontmatter, a body, with line endings chosen per line (LF, CRLF, CR mixes)."""
    lines: list[str] = []
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(awkward_text))
    opening = draw(st.sampled_from(["---", "---", "---", "--- ", "  ---", "```yaml", "----", ""]))
    lines.append(opening)
    if opening == "```yaml":
        lines.append("---")
    for group in draw(frontmatter_line_groups()):
        lines.extend(group.split("\n"))
    closing = draw(st.sampled_from(["---", "---", "---", "--- ", "...", "", "  ---", "-----"]))
    if closing:
        lines.append(closing)
    if opening == "```yaml":
        lines.append("```")
    lines.extend(draw(st.lists(awkward_text, max_size=4)))
    mixed = draw(st.booleans())
    if mixed:
        endings = [draw(line_endings) for _ in lines]
    else:
        eol = draw(line_endings)
        endings = [eol] * len(lines)
    text = "".join(line + end for line, end in zip(lines, endings, strict=True))
    if draw(st.integers(0, 4)) == 0:
        text = text.rstrip("\r\n")
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    return text


# Paths that select each dialect (only claude-agent is fully checked today; the others must
# not crash either).
DIALECT_PATHS = [
    "/ws/.claude/agents/reviewer.md",
    "/ws/.claude/agents/sub/dir/x.md",
    "/ws/.claude/agents/README.MD",
    "/ws/.claude/skills/s/SKILL.md",
    "/ws/.claude/commands/c.md",
    "/ws/.github/agents/a.agent.md",
    "/ws/.github/prompts/p.prompt.md",
    "/ws/.opencode/agent/o.md",
    "/ws/notes.md",
    None,
]
paths = st.sampled_from(DIALECT_PATHS)

# Anything at all, for the envelope and the recovering reader.
any_text = st.one_of(
    agent_files(),
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(YAML_BITS + AWKWARD), unicode_text), max_size=40).map(
        "".join
    ),
)


def dialect_names() -> list[str]:
    from agentls.dialects.registry import ALL_DIALECTS

    return list(ALL_DIALECTS)
