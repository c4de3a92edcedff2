"""Helpers of the packaging tests: a wheelhouse of agentls' dependencies and build
backend, downloaded once per machine (the install step), then every install under test runs
with pip's index turned off (`offline_env`), so a test passes only if the local wheels suffice.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def project_requirements() -> list[str]:
    """agentls' runtime dependencies and its build backend, as pyproject.toml states them."""
    meta = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    return [*meta["project"]["dependencies"], *meta["build-system"]["requires"]]


def offline_env(wheelhouse: Path, **extra: str) -> dict[str, str]:
    """The environment of an install that must not reach an index: pip (also inside pipx,
    pre-commit and build's isolated environments) reads only the wheelhouse; no pip
    configuration file adds an index or a find-links folder behind our back."""
    env = {
        **os.environ,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "UV_NO_CONFIG": "1",
        "UV_OFFLINE": "1",
        "UV_NO_INDEX": "1",
        "UV_FIND_LINKS": str(wheelhouse),
        "UV_PYTHON_DOWNLOADS": "never",
        **extra,
    }
    for name in ("PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL", "VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(name, None)
    return env


def run(
    cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def base_python() -> str:
    """The interpreter the test venv was made from (pipx and uv make their own venvs)."""
    return getattr(sys, "_base_executable", sys.executable)


def venv_tool(name: str) -> str:
    """A console script of the test venv (build, twine, pre-commit, pipx, uv)."""
    exe = Path(sys.executable).parent / name
    found = str(exe) if exe.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (pip install -e '.[test]')", pytrace=False)
    return found


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path
