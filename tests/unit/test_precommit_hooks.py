""".pre-commit-hooks.yaml is generated from the dialect registry: it must be the generator's
output, and its `files` pattern must select every path the registry recognises (and only agent
file paths). When a dialect or path pattern is added to the registry, re-run
`python -m agentls.precommit` and commit the result."""

from __future__ import annotations

import re

import yaml

from agentls.dialects import registry
from agentls.precommit import hooks_yaml
from testdata import AGENT_PATHS, OTHER_PATHS, REPO, SEEDS, SURFACE_PATHS, corpus_manifest

HOOKS_FILE = REPO / ".pre-commit-hooks.yaml"


def _hooks() -> list[dict[str, object]]:
    hooks: list[dict[str, object]] = yaml.safe_load(HOOKS_FILE.read_text("utf-8"))
    return hooks


def test_hooks_file_is_the_generators_output() -> None:
    assert HOOKS_FILE.read_text("utf-8") == hooks_yaml(), (
        ".pre-commit-hooks.yaml is stale: run `python -m agentls.precommit` and commit it"
    )


def test_the_check_and_fix_hooks() -> None:
    hooks = {h["id"]: h for h in _hooks()}
    assert set(hooks) == {"agentls", "agentls-fix"}
    assert hooks["agentls"]["entry"] == "agentls check"
    assert hooks["agentls-fix"]["entry"] == "agentls check --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"  # pre-commit installs agentls from this repository
        assert hook["files"] == hooks["agentls"]["files"]


def _sample_paths() -> list[str]:
    """Agent file paths of the seeds and the corpus (relative to their repository), and the
    lists above."""
    paths = [*AGENT_PATHS, *OTHER_PATHS]
    paths += (
        [p.relative_to(SEEDS).as_posix() for p in SEEDS.rglob("*.md")] if SEEDS.is_dir() else []
    )
    paths += [rel.split("/", 1)[1] for _, rel in corpus_manifest()]
    return paths


def _registry_selects(original: re.Pattern[str], path: str) -> bool:
    """Whether the registry pattern selects ``path`` somewhere in a repository: a pattern
    anchored at "^" (plugin patterns, relative to a plugin's folder) where any folder of the
    path may be that plugin's folder, the others against "/" + path."""
    if not original.pattern.startswith("^"):
        return bool(original.search("/" + path))
    parts = path.split("/")
    return any(original.search("/" + "/".join(parts[i:])) for i in range(len(parts)))


def test_each_pattern_selects_what_the_registry_pattern_selects() -> None:
    """The relative-path form of each registry pattern (pre-commit sees "a/b.md", the registry
    matches "/a/b.md", plugin patterns "/agents/b.md" below a plugin's folder) selects exactly
    the same paths."""
    every = (*registry._PATTERNS, *registry._PLUGIN_PATTERNS, registry._GENERIC_SKILL)
    originals = [
        (p.dialect, p.regex) if isinstance(p, registry._Pattern) else ("agent-skill", p)
        for p in every
    ]
    originals = [(d, r) for d, r in originals if d in registry.CHECKED]
    paths = _sample_paths()
    pairs = zip(originals, registry.repository_path_patterns(), strict=True)
    for (dialect, original), (rel_dialect, relative) in pairs:
        assert rel_dialect == dialect
        rel = re.compile(relative)
        for path in paths:
            assert _registry_selects(original, path) == bool(rel.search(path)), (
                original.pattern,
                relative,
                path,
            )


def test_files_pattern_selects_every_agent_path_and_nothing_else() -> None:
    files = re.compile(str(_hooks()[0]["files"]))
    for path in (*AGENT_PATHS, *SURFACE_PATHS):
        assert files.search(path), path
    for path in OTHER_PATHS:
        assert not files.search(path), path
    # every seed and corpus file the registry recognises by its path alone
    for path in _sample_paths():
        if registry.detect_dialect("/nonexistent-root/" + path) in registry.CHECKED:
            assert files.search(path), path


def test_every_checked_dialect_has_a_pattern() -> None:
    dialects = {d for d, _ in registry.repository_path_patterns()}
    assert dialects == set(registry.CHECKED)
