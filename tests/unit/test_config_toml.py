"""The positioned TOML reader: tomllib decides and gives the values, the scanner the spans.

The property test writes random documents in every TOML style (tables, dotted keys, inline
tables, arrays of tables, the four kinds of strings, comments, multi-line arrays) and checks
that the tree holds tomllib's values and that every scalar's span is the text of its value.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentls.document.tomltree import parse_toml
from agentls.document.yamltree import YNode
from agentls.types import Range, text_in

# a third of the engine fuzzing's examples: each one writes and reads a whole document
# (3,000 examples pass in 95 s; 100 take 2.5 s)
EXAMPLES = max(int(os.environ.get("AGENTLS_FUZZ_EXAMPLES", "300")) // 3, 1)


def text_at(text: str, r: Range) -> str:
    return text_in(text.split("\n"), r)


def scalars(node: YNode) -> list[YNode]:
    out = []
    if node.kind == "scalar":
        out.append(node)
    for k, v in node.pairs:
        out.append(k)
        out += scalars(v)
    for item in node.items:
        out += scalars(item)
    return out


def assert_positioned(text: str) -> None:
    doc = parse_toml(text)
    assert doc.errors == [], doc.errors
    assert doc.root is not None
    assert doc.root.to_python() == tomllib.loads(text)
    for node in scalars(doc.root):
        raw = text_at(text, node.range)
        if isinstance(node.value, str) and raw[:1] not in "\"'":
            assert raw == node.value  # a bare key
            continue
        assert tomllib.loads(f"v = {raw}")["v"] == node.value, (raw, node.value)


# --------------------------------------------------------------------------- writing TOML

bare = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,6}", fullmatch=True)
odd_keys = st.sampled_from(["a.b", "with space", "ünï", "", 'q"uote'])
keys = st.one_of(bare, odd_keys)
plain_text = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\x7f"), max_size=8
)
scalar_values = st.one_of(
    plain_text,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.just(dt.datetime(1979, 5, 27, 7, 32, tzinfo=dt.UTC)),
    st.just(dt.date(2024, 1, 2)),
)
values = st.recursive(
    scalar_values,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8,
)
documents = st.dictionaries(keys, values, max_size=5)


def w_key(k: str, draw: Any) -> str:
    if k and all(c.isascii() and (c.isalnum() or c in "_-") for c in k) and draw(st.booleans()):
        return k
    return w_string(k, draw, single_line=True)


def w_string(s: str, draw: Any, single_line: bool = False) -> str:
    kinds = ["basic"]
    if "'" not in s and "\n" not in s and "\r" not in s:
        kinds.append("literal")
    if not single_line:
        kinds.append("multi")
        if "'''" not in s and not s.endswith("'") and "\r" not in s:
            kinds.append("multiliteral")
    kind = draw(st.sampled_from(kinds))
    if kind == "literal":
        return f"'{s}'"
    if kind == "multiliteral":
        return f"'''{s}'''"
    esc = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    esc = esc.replace("\t", "\\t")
    if kind == "multi":
        return f'"""\n{esc}"""'
    return f'"{esc}"'


def w_value(v: Any, draw: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return draw(st.sampled_from([str(v), f"{v:_}" if abs(v) > 999 else str(v)]))
    if isinstance(v, float):
        return repr(v) if "e" in repr(v) or "." in repr(v) else f"{v}.0"
    if isinstance(v, dt.datetime):
        return draw(st.sampled_from(["1979-05-27T07:32:00Z", "1979-05-27 07:32:00Z"]))
    if isinstance(v, dt.date):
        return "2024-01-02"
    if isinstance(v, str):
        return w_string(v, draw)
    if isinstance(v, list):
        items = [w_value(x, draw) for x in v]
        if draw(st.booleans()):
            return "[" + ", ".join(items) + "]"
        body = "".join(f"\n  {x}, # item" for x in items)
        return "[" + body + "\n]"
    assert isinstance(v, dict)
    return "{" + ", ".join(f"{w_key(k, draw)} = {w_value(x, draw)}" for k, x in v.items()) + "}"


@st.composite
def toml_texts(draw: Any) -> str:
    data = draw(documents)
    out = ["# a document\n"]
    tables = []
    for k, v in data.items():
        if (isinstance(v, dict) and v and draw(st.booleans())) or (
            isinstance(v, list)
            and v
            and all(isinstance(x, dict) for x in v)
            and draw(st.booleans())
        ):
            tables.append((k, v))
        else:
            out.append(f"{w_key(k, draw)} = {w_value(v, draw)}  # c\n")
    for k, v in tables:
        if isinstance(v, list):
            for element in v:
                out.append(f"\n[[{w_key(k, draw)}]]\n")
                out += [f"{w_key(a, draw)} = {w_value(b, draw)}\n" for a, b in element.items()]
            continue
        header = w_key(k, draw)
        out.append(f"\n[ {header} ] # table\n")
        for a, b in v.items():
            if isinstance(b, dict) and draw(st.booleans()):
                out += [
                    f"{w_key(a, draw)} . {w_key(c, draw)} = {w_value(d, draw)}\n"
                    for c, d in b.items()
                ]
                if not b:
                    out.append(f"{w_key(a, draw)} = {{}}\n")
            else:
                out.append(f"{w_key(a, draw)} = {w_value(b, draw)}\n")
    return "".join(out)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(toml_texts())
def test_every_value_is_found_where_it_is_written(text: str) -> None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # the writer made something TOML forbids (a key defined twice): not ours
    assert_positioned(text)


def test_the_repository_pyproject_and_hand_written_cases() -> None:
    root = Path(__file__).resolve().parents[2]
    assert_positioned((root / "pyproject.toml").read_text("utf-8"))
    assert_positioned(
        '[[a.b]]\nx = 1\n[a.b.c]\ny = 2\n[[a.b]]\nx = 3\n[a.b.c]\ny = """q""""\n'
        "'k.e y' = '''x'''''\n"
    )


def test_spans_of_the_agentls_table() -> None:
    text = (
        "[project]\n"
        'name = "x"\n'
        "[tool.agentls]\n"
        'select = ["AL0", "AL5"]\n'
        'severity = { AL016 = "hint" }\n'
        '[tool.agentls.per-file-ignores]\n"legacy/**" = [\n  "AL013", # why\n]\n'
    )
    doc = parse_toml(text)
    pair = doc.node_at("tool", "agentls")
    assert pair is not None
    table = pair[1]
    names = [k.value for k, _ in table.pairs]
    assert names == ["select", "severity", "per-file-ignores"]
    select = table.pairs[0][1]
    assert [text_at(text, n.range) for n in select.items] == ['"AL0"', '"AL5"']
    pfi = table.pairs[2][1]
    ((glob, codes),) = pfi.pairs
    assert text_at(text, glob.range) == '"legacy/**"'
    assert codes.items[0].range.start.line == 7


def test_syntax_errors_are_placed_where_tomllib_says() -> None:
    doc = parse_toml('[tool.agentls]\nselect = ["AL0"\nignore = []\n')
    assert doc.root is None
    (p,) = doc.errors
    assert p.range.start.line == 2  # tomllib stops at the key that follows the open list
    dup = parse_toml("[a.b]\nx = 1\n[a.b]\n").errors[0]
    assert dup.message == "Cannot declare `a.b` twice."
    assert dup.range.start.line == 2
    end = parse_toml('x = "open').errors[0]
    assert end.range.start.line == 0
