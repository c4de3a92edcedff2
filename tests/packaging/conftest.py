"""Fixtures of the packaging tests: a wheelhouse of agentls' dependencies and build backend,
downloaded once per machine (the install step); every install under test then runs with pip's
index turned off (`offline_env`), so a test passes only if the local wheels suffice."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest
from packaging_helpers import REPO, Dist, offline_env, project_requirements, run

from testdata import cache_dir


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    """Wheels of every dependency for this interpreter, once per machine and requirement set
    (about 8 MB, 16 s to download)."""
    # pip too: pipx's pip backend upgrades pip in its shared environment on first use
    reqs = sorted([*project_requirements(), "pip"])
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    key = hashlib.sha256("\n".join([tag, *reqs]).encode()).hexdigest()[:12]
    folder = cache_dir() / f"wheelhouse-{tag}-{key}"
    marker = folder / ".complete"
    if not marker.exists():
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        cmd = [sys.executable, "-m", "pip", "download", "-q", "-d", str(partial), *reqs]
        run(cmd, timeout=900)
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
        marker.touch()
    return folder


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Dist:
    """`python -m build` of the checkout (sdist, then the wheel built from that sdist), with
    the build backend taken from the wheelhouse."""
    out = tmp_path_factory.mktemp("dist")
    run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        env=offline_env(wheelhouse),
        timeout=600,
    )
    [sdist] = out.glob("agentls-*.tar.gz")
    [wheel] = out.glob("agentls-*.whl")
    return Dist(sdist, wheel)
