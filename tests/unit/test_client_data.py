"""The VS Code client's document selector and task list come from one data file,
server/agentls/data/client.json, derived from the dialect registry and runner/tasks.json;
client-vscode/src/serverData.ts is generated from it. Both must be current (re-run
`python -m agentls.lsp.clientdata`, then `npm run generate` in client-vscode), and the globs
must select every path the registry recognises."""

from __future__ import annotations

import json
import re

import pytest

from agentls.dialects.registry import CHECKED, detect_dialect
from agentls.lsp import clientdata
from agentls.runner.prompt import tasks
from testdata import AGENT_PATHS, OTHER_PATHS, REPO, SURFACE_PATHS, corpus_manifest

SERVER_DATA_TS = REPO / "client-vscode" / "src" / "serverData.ts"


def _glob(glob: str) -> re.Pattern[str]:
    """VS Code's meaning of the two wildcards the generated globs use."""
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "[":
            end = glob.index("]", i)
            out, i = out + glob[i : end + 1], end + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out)


def _selected(path: str) -> bool:
    return any(_glob(g).fullmatch(path) for g in clientdata.agent_file_patterns())


def test_the_data_file_is_current() -> None:
    on_disk = clientdata.DATA_FILE.read_text("utf-8")
    assert on_disk == clientdata.render(), "run: python -m agentls.lsp.clientdata"


def test_the_client_module_is_generated_from_the_data_file() -> None:
    ts = SERVER_DATA_TS.read_text("utf-8")
    literal = ts[ts.index("export const SERVER_DATA = ") + 27 : ts.rindex(" as const;")]
    data = json.loads(clientdata.DATA_FILE.read_text("utf-8"))
    del data["$comment"]
    assert json.loads(literal) == data, "run: npm run generate (in client-vscode)"


def test_tasks_are_the_runner_tasks() -> None:
    data = json.loads(clientdata.DATA_FILE.read_text("utf-8"))
    assert [(t["id"], t["title"], t["edits"]) for t in data["tasks"]] == [
        (t.id, t.title, t.edits) for t in tasks().values()
    ]
    assert all(t["detail"] for t in data["tasks"])


@pytest.mark.parametrize("path", [*AGENT_PATHS, *SURFACE_PATHS])
def test_every_agent_path_is_selected(path: str) -> None:
    # (plugin files among them: in any folder, as the manifest cannot be seen from a path)
    assert _selected(path), path


@pytest.mark.parametrize("path", OTHER_PATHS)
def test_other_paths_are_not_selected(path: str) -> None:
    assert not _selected(path), path


def test_every_corpus_agent_file_is_selected() -> None:
    rows = corpus_manifest()
    if not rows:
        pytest.skip("no corpus")
    missed = [
        path
        for _, path in rows
        if detect_dialect("/corpus/" + path) in CHECKED and not _selected(path)
    ]
    assert not missed, missed[:10]


def test_the_lagging_patterns_of_the_old_hand_copy_are_there() -> None:
    # client-vscode/src/selector.ts once copied the patterns by hand and missed these
    for path in (".github/skills/pdf/SKILL.md", ".opencode/mode/plan.md", ".opencode/modes/x.md"):
        assert _selected(path), path


@pytest.mark.parametrize(
    "source",
    [r"/a/.*\.md$", r"/a/[a-z]+\.md$", r"/a/b\.md", r"(?:/a|/b\.md$", r"/a\*\.md$", "/a/b+.md$"],
)
def test_a_pattern_the_translation_cannot_follow_is_refused(source: str) -> None:
    with pytest.raises(ValueError):
        clientdata.regex_to_globs(source)


def test_translation_of_the_registry_idioms() -> None:
    assert clientdata.regex_to_globs(r"(?:^|/)\.x/(?:a|b)/(?:.*/)?[^/]+\.md$") == [
        "**/.x/a/**/*.md",
        "**/.x/b/**/*.md",
    ]
    assert clientdata.regex_to_globs(r"(?:^|/)(?:s/[^/]+/)?S\.md$") == ["**/s/*/S.md", "**/S.md"]
    assert clientdata.regex_to_globs(r"\.prompt\.md$") == ["**/*.prompt.md"]
    assert clientdata.regex_to_globs(r"(?:^|/)s/(?i:ab?\.md)$") == [
        "**/s/[aA][bB].[mM][dD]",
        "**/s/[aA].[mM][dD]",
    ]
    assert clientdata.regex_to_globs(r"(?:^|/)(?:\.?a|b)\.toml$") == [
        "**/.a.toml",
        "**/a.toml",
        "**/b.toml",
    ]
