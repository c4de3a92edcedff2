"""Shared test set-up: the fake Messages API plugin and the location of ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from testdata import CORPUS, REPO, SEEDS, SHARED, corpus_manifest  # noqa: F401

pytest_plugins = ["fakes.plugin"]


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS
