""".mcp.json: every rule's trigger and near miss, exact ranges, fixes applied and verified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentls.editing.fixes import apply_edits
from agentls.engine import Analysis
from agentls.types import Finding, Position
from analysed import analysed
from analysed import fixed as fix_applied

PATH = "/proj/.mcp.json"


def run(text: str, path: str = PATH) -> Analysis:
    return analysed(text, path, "claude-mcp")


def codes(text: str, path: str = PATH) -> list[str]:
    return [f.code for f in run(text, path).findings]


def only(text: str, code: str, path: str = PATH) -> Finding:
    found = [f for f in run(text, path).findings if f.code == code]
    assert len(found) == 1, [f.message for f in run(text, path).findings]
    return found[0]


def at(text: str, needle: str) -> Position:
    i = text.index(needle)
    line = text.count("\n", 0, i)
    return Position(line, i - (text.rfind("\n", 0, i) + 1))


def fixed(text: str, f: Finding, n: int = 0) -> str:
    return fix_applied(text, PATH, f, n)


def mcp(servers: dict[str, object]) -> str:
    return json.dumps({"mcpServers": servers}, indent=2) + "\n"


GOOD = mcp(
    {
        "files": {"command": "npx", "args": ["-y", "server", "${HOME}"], "env": {"LOG": "1"}},
        "web": {
            "type": "http",
            "url": "https://example.com/mcp",
            "headers": {"Authorization": "Bearer ${API_TOKEN}"},
        },
        "events": {"type": "sse", "url": "${BASE:-https://x.example}/sse"},
    }
)


def test_a_good_file_has_no_finding() -> None:
    assert codes(GOOD) == []


# ------------------------------------------------------------------ AL900 syntax


def test_al900_comment_at_its_place_and_removed() -> None:
    text = '{\n  // local servers\n  "mcpServers": {}\n}\n'
    f = only(text, "AL900")
    assert f.range.start == at(text, "//")
    assert "JSON.parse" in f.message
    assert fixed(text, f) == '{\n  "mcpServers": {}\n}\n'


def test_al900_trailing_comma_removed() -> None:
    text = '{"mcpServers": {"a": {"command": "x"},}}\n'
    f = only(text, "AL900")
    assert f.range.start == at(text, ",}")
    assert json.loads(fixed(text, f)) == {"mcpServers": {"a": {"command": "x"}}}


def test_al900_single_quotes_and_bare_keys_requoted() -> None:
    text = '{\'mcpServers\': {a: {"command": "x"}}}\n'
    found = [f for f in run(text).findings if f.code == "AL900"]
    assert len(found) == 2
    out = text
    for f in found:
        out = apply_edits(out, f.fixes[0].edits)
    assert json.loads(out) == {"mcpServers": {"a": {"command": "x"}}}


def test_al900_near_miss_strings_holding_slashes() -> None:
    assert codes(mcp({"a": {"command": "npx", "args": ["//not a comment", "a,}"]}})) == []


# ------------------------------------------------------------------ AL901 duplicate key


def test_al901_duplicate_server_names() -> None:
    text = '{"mcpServers": {"a": {"command": "x"}, "a": {"command": "y"}}}'
    f = only(text, "AL901")
    assert f.range.start == Position(0, text.rindex('"a"'))
    assert f.related and f.related[0].range.start == at(text, '"a"')


def test_al901_near_miss_same_key_in_two_servers() -> None:
    assert codes(mcp({"a": {"command": "x"}, "b": {"command": "x"}})) == []


# ------------------------------------------------------------------ AL902 not an object


def test_al902_root_is_a_list() -> None:
    assert codes('[{"command": "x"}]') == ["AL902"]


def test_al902_near_miss_empty_object() -> None:
    assert codes("{}") == ["AL905"]  # an object, only lacking mcpServers


# ------------------------------------------------------------------ AL903 unknown key


def test_al903_unknown_server_key_with_fix() -> None:
    text = mcp({"a": {"command": "x", "argz": ["y"]}})
    f = only(text, "AL903")
    assert f.range.start == at(text, '"argz"')
    assert "Did you mean `args`" in f.message
    assert json.loads(fixed(text, f))["mcpServers"]["a"]["args"] == ["y"]


def test_al903_near_miss_every_known_key() -> None:
    assert (
        codes(
            mcp(
                {
                    "a": {
                        "type": "stdio",
                        "command": "x",
                        "args": [],
                        "env": {},
                        "timeout": 5,
                        "alwaysLoad": True,
                    }
                }
            )
        )
        == []
    )


# ------------------------------------------------------------------ AL904 invalid value


@pytest.mark.parametrize(
    ("server", "needle", "says"),
    [
        ({"command": ""}, '""', "is empty: Claude Code skips the server `a`"),
        ({"type": "htp", "url": "https://x.example"}, '"htp"', "Did you mean `http`"),
        ({"command": "x", "args": "y"}, '"y"', "must be a list"),
        ({"command": "x", "env": {"A": 1}}, "1", "must be a string"),
    ],
)
def test_al904_invalid_values_skip_the_server(server: object, needle: str, says: str) -> None:
    text = mcp({"a": server})
    f = only(text, "AL904")
    assert f.range.start == at(text, needle)
    assert says in f.message


def test_al904_near_miss_streamable_http_alias() -> None:
    assert codes(mcp({"a": {"type": "streamable-http", "url": "https://x.example"}})) == []


# ------------------------------------------------------------------ AL905 missing key


def test_al905_remote_server_without_url() -> None:
    text = mcp({"a": {"type": "http"}})
    f = only(text, "AL905")
    assert f.range.start == at(text, '"a"')
    assert "has no `url`" in f.message


def test_al905_url_without_type_offers_the_type() -> None:
    text = mcp({"docs": {"url": "https://example.com/sse"}})
    f = only(text, "AL905")
    assert "has a `url` but no `type`" in f.message
    assert json.loads(fixed(text, f))["mcpServers"]["docs"]["type"] == "sse"


def test_al905_near_miss_local_server_with_command() -> None:
    assert codes(mcp({"a": {"command": "x"}})) == []


# ------------------------------------------------------------------ AL910 not wrapped


def test_al910_servers_at_the_top_are_wrapped() -> None:
    text = '{\n  "github": {"command": "npx", "args": ["x"]}\n}\n'
    f = only(text, "AL910")
    assert f.range.start == at(text, '"github"')
    assert json.loads(fixed(text, f)) == {
        "mcpServers": {"github": {"command": "npx", "args": ["x"]}}
    }


def test_al910_near_miss_a_plugin_file_may_be_the_map_itself(tmp_path: Path) -> None:
    plugin = tmp_path / "p"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "p"}')
    path = str(plugin / ".mcp.json")
    assert codes('{"github": {"command": "npx"}}', path) == []
    assert codes('{"github": {"command": ""}}', path) == ["AL904"]


# ------------------------------------------------------------------ AL911 $VAR


def test_al911_bare_variable_at_its_characters() -> None:
    text = mcp({"a": {"command": "x", "env": {"TOKEN": "$GITHUB_TOKEN"}}})
    f = only(text, "AL911")
    start = at(text, "$GITHUB_TOKEN")
    assert (f.range.start, f.range.end.character) == (start, start.character + 13)
    assert json.loads(fixed(text, f))["mcpServers"]["a"]["env"]["TOKEN"] == "${GITHUB_TOKEN}"


def test_al911_near_miss_braced_and_default_forms() -> None:
    assert codes(mcp({"a": {"command": "x", "args": ["${A}", "${B:-c}", "$$", "a$b"]}})) == []


# ------------------------------------------------------------------ AL912 secrets


def test_al912_literal_token_never_echoed() -> None:
    token = "ghp_" + "a1B2" * 9
    text = mcp(
        {
            "gh": {
                "type": "http",
                "url": "https://x.example",
                "headers": {"Authorization": f"Bearer {token}"},
            }
        }
    )
    f = only(text, "AL912")
    assert f.range.start == at(text, '"Bearer')
    assert token not in f.message and "Bearer" not in f.message.replace("`Authorization`", "")
    out = json.loads(fixed(text, f))
    assert out["mcpServers"]["gh"]["headers"]["Authorization"] == "Bearer ${GH_AUTHORIZATION}"


def test_al912_named_secret_in_env() -> None:
    text = mcp({"db": {"command": "db", "env": {"DATABASE_PASSWORD": "hunter2hunter2"}}})
    assert "hunter2" not in only(text, "AL912").message


def test_al912_near_miss_placeholders_and_variables() -> None:
    text = mcp(
        {
            "db": {
                "command": "db",
                "env": {
                    "DATABASE_PASSWORD": "${DB_PASSWORD}",
                    "API_KEY": "your-api-key-here",
                    "TOKEN_FILE": "/run/token",
                },
            }
        }
    )
    assert codes(text) == []


# ------------------------------------------------------------------ AL913 url


def test_al913_url_that_is_no_url() -> None:
    text = mcp({"a": {"type": "http", "url": "localhost:3000/mcp"}})
    f = only(text, "AL913")
    assert f.range.start == at(text, '"localhost')
    assert f.severity.label == "warning"


def test_al913_near_miss_variables_and_websocket() -> None:
    assert (
        codes(
            mcp(
                {
                    "a": {"type": "http", "url": "${URL}"},
                    "b": {"type": "ws", "url": "wss://x.example/ws"},
                }
            )
        )
        == []
    )
