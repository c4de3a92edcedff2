"""Shared test set-up: the fake Messages API plugin and the location of ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["fakes.plugin"]

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
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


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS
