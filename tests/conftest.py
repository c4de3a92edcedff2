"""Shared test set-up: the fake Messages API plugin and the location of ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from testdata import CORPUS, REPO, SEEDS, SHARED, corpus_manifest  # noqa: F401

pytest_plugins = ["fakes.plugin"]


def _accept_registration(*args: object) -> None:
    """Real editors accept `client/registerCapability` (the server registers file watchers
    dynamically when the client says it can); pytest-lsp's client has no handler for it."""
    return None


def _install_default_client_features() -> None:
    try:
        from lsprotocol import types as lsp
        from pytest_lsp import client as pytest_lsp_client
    except ImportError:  # pragma: no cover
        return
    pytest_lsp_client.DEFAULT_CLIENT_FEATURES.setdefault(
        lsp.CLIENT_REGISTER_CAPABILITY, _accept_registration
    )
    pytest_lsp_client.DEFAULT_CLIENT_FEATURES.setdefault(
        lsp.CLIENT_UNREGISTER_CAPABILITY, _accept_registration
    )


_install_default_client_features()


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS
