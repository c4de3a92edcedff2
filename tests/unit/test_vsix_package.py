"""client-vscode/scripts/package.py: how the wheels of each Python version are laid out in the
platform .vsix (pure-Python once in common/, compiled ones per version), and the targets it
takes. The whole build is exercised by tests/clients/test_vscode_bundled.py."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from testdata import REPO


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "vsix_package", REPO / "client-vscode" / "scripts" / "package.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wheel(folder: Path, name: str, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / name, "w") as z:
        for path, text in files.items():
            z.writestr(path, text)


def test_pure_wheels_once_compiled_ones_per_version(tmp_path: Path) -> None:
    pkg = _script()
    pkg.LIBS = tmp_path / "libs"
    per_python = {}
    for py in ("3.11", "3.12"):
        tag = "cp" + py.replace(".", "")
        folder = tmp_path / "dl" / tag
        _wheel(
            folder,
            "attrs-1.0-py3-none-any.whl",
            {"attr/__init__.py": "", "attrs-1.0.dist-info/METADATA": ""},
        )
        _wheel(
            folder,
            f"rpds_py-1.0-{tag}-{tag}-manylinux_2_17_x86_64.whl",
            {
                f"rpds/rpds.{tag}-x86_64-linux-gnu.so": "binary",
                "rpds_py-1.0.data/scripts/tool": "not installed",
                "rpds_py-1.0.data/purelib/rpds_extra.py": "",
                "rpds/__pycache__/x.pyc": "stale",
            },
        )
        per_python[py] = folder
    _wheel(tmp_path, "agentls-9.9-py3-none-any.whl", {"agentls/__init__.py": ""})
    manifest = pkg.lay_out(tmp_path / "agentls-9.9-py3-none-any.whl", per_python, "linux-x64")
    libs = pkg.LIBS
    assert (libs / "common" / "attr" / "__init__.py").exists()
    assert (libs / "common" / "agentls" / "__init__.py").exists()
    assert not (libs / "common" / "rpds").exists()
    for tag in ("cp311", "cp312"):
        assert (libs / tag / "rpds" / f"rpds.{tag}-x86_64-linux-gnu.so").exists()
        assert (libs / tag / "rpds_extra.py").exists()  # .data/purelib goes to the top
        assert not (libs / tag / "rpds_py-1.0.data").exists()  # scripts are left out
        assert not (libs / tag / "rpds" / "__pycache__").exists()
    assert manifest["agentls"] == "9.9"
    assert manifest["pythons"] == ["3.11", "3.12"]
    assert json.loads((libs / "manifest.json").read_text()) == manifest


def test_one_version_still_gets_its_compiled_folder(tmp_path: Path) -> None:
    pkg = _script()
    pkg.LIBS = tmp_path / "libs"
    folder = tmp_path / "dl"
    _wheel(folder, "pyyaml-6.0-cp313-cp313-manylinux_2_17_x86_64.whl", {"yaml/_yaml.so": "b"})
    _wheel(tmp_path, "agentls-9.9-py3-none-any.whl", {"agentls/__init__.py": ""})
    pkg.lay_out(tmp_path / "agentls-9.9-py3-none-any.whl", {"3.13": folder}, "linux-x64")
    assert (pkg.LIBS / "cp313" / "yaml" / "_yaml.so").exists()


def test_versions_that_resolve_differently_are_refused(tmp_path: Path) -> None:
    pkg = _script()
    pkg.LIBS = tmp_path / "libs"
    a, b = tmp_path / "a", tmp_path / "b"
    _wheel(a, "typing_extensions-4-py3-none-any.whl", {"typing_extensions.py": ""})
    _wheel(b, "other-1-py3-none-any.whl", {"other.py": ""})
    _wheel(tmp_path, "agentls-9.9-py3-none-any.whl", {"agentls/__init__.py": ""})
    with pytest.raises(SystemExit, match="differ"):
        pkg.lay_out(tmp_path / "agentls-9.9-py3-none-any.whl", {"3.11": a, "3.12": b}, "x")


def test_every_vs_code_target_has_platform_tags() -> None:
    pkg = _script()
    assert set(pkg.TARGETS) == {
        "linux-x64",
        "linux-arm64",
        "darwin-x64",
        "darwin-arm64",
        "win32-x64",
    }
    assert all(pkg.TARGETS.values())
    assert pkg.PYTHONS == ("3.11", "3.12", "3.13", "3.14")
