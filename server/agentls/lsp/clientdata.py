"""What the VS Code client needs to know of the server, derived from the server's own facts.

``python -m agentls.lsp.clientdata`` writes ``server/agentls/data/client.json``: the glob
patterns of every agent file (translated from the dialect registry's path patterns: a new
dialect reaches the client's document selector and file watcher by re-running it) and the
tasks a run can do (from runner/tasks.json). The client's build (``npm run build``,
client-vscode/scripts/generate-data.mjs) turns that file into client-vscode/src/serverData.ts.
tests/unit/test_client_data.py fails when either file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from agentls.generated import write_generated

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "client.json"
TASKS_FILE = Path(__file__).resolve().parents[1] / "runner" / "tasks.json"

_START = "\x00"  # where (?:^|/) stood: the start of a folder name
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/.")


class _Parser:
    """Regular expression → the globs it stands for, for the subset the registry's
    :func:`~agentls.dialects.registry.repository_path_patterns` use: literals, ``\\.``,
    ``[^/]+`` (→ ``*``), ``(?:.*/)?`` (→ ``**/``), ``(?:^|/)`` (the start of a folder name),
    groups ``(?:a|b)``, a group of any case ``(?i:...)`` (each letter → ``[xX]``), an optional
    group or character (``?``) and ``$``. Anything else
    raises ValueError, so that a pattern the translation would get wrong fails a test, not
    the client."""

    def __init__(self, source: str) -> None:
        self.s = source
        self.i = 0
        self.any_case = False

    def fail(self, why: str) -> ValueError:
        return ValueError(f"cannot turn {self.s!r} into globs: {why} at {self.i}")

    def alternatives(self) -> list[str]:
        out = self.sequence()
        while self.i < len(self.s) and self.s[self.i] == "|":
            self.i += 1
            out += self.sequence()
        return out

    def sequence(self) -> list[str]:
        out = [""]
        while self.i < len(self.s) and self.s[self.i] not in "|)":
            parts = self.item()
            out = [a + b for a in out for b in parts]
        return out

    def item(self) -> list[str]:
        out = self.atom()
        if self.i < len(self.s) and self.s[self.i] == "?":  # optional
            self.i += 1
            return [*out, ""]
        return out

    def atom(self) -> list[str]:
        s, i = self.s, self.i
        for idiom, glob in (
            ("(?:^|/)", _START),
            ("(?:.*/)?", "**/"),
            ("[^/]+", "*"),
            ("[^/]*", "*"),
        ):
            if s.startswith(idiom, i):
                self.i += len(idiom)
                return [glob]
        c = s[i]
        self.i += 1
        if s.startswith("(?i:", i) and not self.any_case:
            self.i += 3
            self.any_case = True
            inner = self.alternatives()
            self.any_case = False
            if self.i >= len(s) or s[self.i] != ")":
                raise self.fail("unclosed group")
            self.i += 1
            return inner
        if s.startswith("(?:", i):
            self.i += 2
            inner = self.alternatives()
            if self.i >= len(s) or s[self.i] != ")":
                raise self.fail("unclosed group")
            self.i += 1
            return inner
        if c == "\\":
            self.i += 1
            if i + 1 >= len(s) or s[i + 1] not in _SAFE:
                raise self.fail("an escape")
            return [s[i + 1]]
        if self.any_case and c.isascii() and c.isalpha():
            return [f"[{c.lower()}{c.upper()}]"]
        if c == "$" or (c in _SAFE and c != "."):
            return [c]
        raise self.fail(f"{c!r}")


def regex_to_globs(source: str) -> list[str]:
    """The globs (VS Code's syntax) of the paths, relative to a folder the client opened,
    that ``re.search(source, path)`` matches."""
    p = _Parser(source)
    out = []
    for alt in p.alternatives():
        if p.i != len(source):
            raise p.fail("an unbalanced )")
        if not alt.endswith("$") or "$" in alt[:-1] or _START in alt[1:]:
            raise p.fail("a pattern anchored elsewhere than at a folder and at the end")
        body = alt[:-1]
        # from the start of a folder name, or from inside a file name
        body = "**/" + body[1:] if body.startswith(_START) else "**/*" + body
        out.append(body.replace("**/**/", "**/"))
    return out


def agent_file_patterns() -> list[str]:
    """Globs of every file of a checked dialect, in the registry's order (plugin files in
    any folder: the plugin's manifest cannot be seen from a path)."""
    from agentls.dialects.registry import repository_path_patterns

    globs: list[str] = []
    for _, source in repository_path_patterns():
        globs += [g for g in regex_to_globs(source) if g not in globs]
    return globs


def tasks() -> list[dict[str, Any]]:
    raw = json.loads(TASKS_FILE.read_text("utf-8"))["tasks"]
    return [
        {
            "id": k,
            "title": v["title"],
            "detail": v["detail"],
            "edits": bool(v["edits"]),
            "needsPrompt": bool(v.get("needsPrompt", False)),
        }
        for k, v in raw.items()
    ]


def client_data() -> dict[str, Any]:
    return {
        "$comment": "Generated by `python -m agentls.lsp.clientdata` from the dialect registry "
        "and runner/tasks.json; the VS Code client's build turns it into src/serverData.ts. "
        "Do not edit.",
        "agentFilePatterns": agent_file_patterns(),
        "tasks": tasks(),
    }


def render() -> str:
    return json.dumps(client_data(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    raise SystemExit(write_generated(sys.argv[1:], DATA_FILE, lambda _: render()))
