"""Where the shared test inputs are: ../shared/seeds and ../shared/corpus (may be absent)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# AGENTLS_SHARED: where ../shared is when the checkout is elsewhere (a git worktree).
SHARED = Path(os.environ.get("AGENTLS_SHARED") or REPO.parent / "shared")
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus"


def corpus_manifest() -> list[tuple[str, str]]:
    """(dialect, path relative to the corpus) for every corpus file, or [] when absent."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    rows = []
    for line in manifest.read_text("utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 4:
            owner_repo = parts[1].replace("/", "__")
            rows.append((parts[0], f"{owner_repo}/{parts[3]}"))
    return rows


def cache_dir() -> Path:
    """The per-machine cache of the test suite: code-server, wheelhouses
    ($AGENTLS_TEST_CACHE, else $XDG_CACHE_HOME/agentls-tests, else ~/.cache/agentls-tests)."""
    env = os.environ.get("AGENTLS_TEST_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "agentls-tests"
