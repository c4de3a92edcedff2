#!/usr/bin/env python3
"""Packages the VS Code extension with the agentls server bundled, one .vsix per VS Code target.

    python3 client-vscode/scripts/package.py                      # linux-x64, Python 3.11-3.14
    python3 client-vscode/scripts/package.py --target all         # every target below
    python3 client-vscode/scripts/package.py --target darwin-arm64 --python 3.12,3.13

For each target: the agentls wheel (built from this checkout, or --wheel) and its dependencies
for every Python version, as wheels for that platform (`pip download --only-binary :all:
--platform ... --python-version ...`, cached in --cache), are unpacked into
client-vscode/bundled/libs: `common/` for the pure-Python wheels (and agentls itself),
`cpXY/` for the compiled ones (PyYAML, pydantic-core,
jiter, rpds-py); then `vsce package --target`. The extension runs
bundled/tool/agentls_server.py with the user's Python, the libraries on its path (see
docs/editors/vscode.md). Needs pip, node and the extension's npm packages (npm ci).
Downloads need the package index once per target and version; nothing is fetched at run time.
"""

from __future__ import annotations

import argparse
import email.parser
import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

EXT = Path(__file__).resolve().parents[1]
REPO = EXT.parent
LIBS = EXT / "bundled" / "libs"

# VS Code target -> pip platform tags. Linux: VS Code itself needs glibc 2.28 (1.86+), so any
# manylinux wheel up to 2.28 runs wherever VS Code does; macOS tags are expanded by pip to the
# older versions and universal2.
TARGETS: dict[str, tuple[str, ...]] = {
    "linux-x64": (
        "manylinux_2_28_x86_64",
        "manylinux_2_17_x86_64",
        "manylinux2014_x86_64",
        "manylinux_2_5_x86_64",
        "manylinux1_x86_64",
    ),
    "linux-arm64": ("manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"),
    "darwin-x64": ("macosx_10_15_x86_64",),
    "darwin-arm64": ("macosx_11_0_arm64",),
    "win32-x64": ("win_amd64",),
}
PYTHONS = ("3.11", "3.12", "3.13", "3.14")


def log(msg: str) -> None:
    print(f"[package] {msg}", file=sys.stderr, flush=True)


def build_wheel(out: Path) -> Path:
    """The agentls wheel of this checkout."""
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO)]
    subprocess.run(cmd, check=True)
    [wheel] = out.glob("agentls-*.whl")
    return wheel


def requirements(wheel: Path) -> list[str]:
    """The wheel's Requires-Dist (without extras' requirements)."""
    with zipfile.ZipFile(wheel) as z:
        [name] = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        meta = email.parser.Parser().parsestr(z.read(name).decode())
    return [r for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r]


def download(reqs: list[str], target: str, python: str, cache: Path) -> Path:
    """Wheels of ``reqs`` for one target and Python version (cached by their requirements)."""
    key = hashlib.sha256("\n".join([*sorted(reqs), *TARGETS[target]]).encode()).hexdigest()[:12]
    folder = cache / f"{target}-cp{python.replace('.', '')}-{key}"
    if (folder / ".complete").exists():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    cmd = [sys.executable, "-m", "pip", "download", "-qq", "--only-binary", ":all:"]
    cmd += ["--python-version", python, "--implementation", "cp", "-d", str(partial)]
    for tag in TARGETS[target]:
        cmd += ["--platform", tag]
    t = time.monotonic()
    subprocess.run([*cmd, *reqs], check=True)
    log(f"downloaded {target} / Python {python} in {time.monotonic() - t:.0f} s")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    (folder / ".complete").touch()
    return folder


def unpack(wheel: Path, dest: Path) -> None:
    """Installs a wheel the way `pip install --target` does, without byte-compiling: the
    ``*.data/purelib`` and ``platlib`` folders go to the top, scripts and headers are left out
    (nothing runs them)."""
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            parts = info.filename.split("/")
            if parts[0].endswith(".data"):
                if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                    continue
                parts = parts[2:]
            if "__pycache__" in parts or info.is_dir():
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out)


def is_pure(wheel: str) -> bool:
    """A wheel for every Python and platform (its platform tag is `any`)."""
    return wheel.removesuffix(".whl").split("-")[-1] == "any"


def lay_out(agentls: Path, per_python: dict[str, Path], target: str) -> dict[str, object]:
    """bundled/libs for one target: the pure-Python wheels in common/ (once: the resolution
    is the same for every version, checked), the compiled ones in cpXY/. Returns the manifest
    the extension reads."""
    shutil.rmtree(LIBS, ignore_errors=True)
    common = LIBS / "common"
    common.mkdir(parents=True)
    names = {py: sorted(w.name for w in d.glob("*.whl")) for py, d in per_python.items()}
    pure = {py: [n for n in ns if is_pure(n)] for py, ns in names.items()}
    first = next(iter(per_python))
    for py in per_python:
        if pure[py] != pure[first]:  # a dependency with a python_version marker
            raise SystemExit(f"pure-Python wheels differ between {first} and {py}: {pure}")
    for name in pure[first]:
        unpack(per_python[first] / name, common)
    unpack(agentls, common)
    compiled: dict[str, list[str]] = {}
    for py, folder in per_python.items():
        tag = "cp" + py.replace(".", "")
        compiled[py] = [n for n in names[py] if not is_pure(n)]
        for name in compiled[py]:
            unpack(folder / name, LIBS / tag)
        (LIBS / tag).mkdir(exist_ok=True)
        (LIBS / tag / ".agentls-bundle").write_text(f"CPython {py}, {target}\n")  # never empty
    manifest: dict[str, object] = {
        "agentls": agentls.name.split("-")[1],
        "target": target,
        "pythons": list(per_python),
        "compiled": compiled,
    }
    (LIBS / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def vsce_package(target: str, out: Path) -> Path:
    version = json.loads((EXT / "package.json").read_text())["version"]
    vsix = out / f"agentls-{version}-{target}.vsix"
    npx = shutil.which("npx") or "npx"
    # --allow-package-all-secrets: vsce's secret scan of the ~4,000 third-party files of the
    # bundle took minutes (and the bundle is what PyPI serves; our own files are tiny)
    cmd = [npx, "vsce", "package", "--no-dependencies", "--allow-package-all-secrets"]
    cmd += ["--target", target, "-o", str(vsix)]
    subprocess.run(cmd, cwd=EXT, check=True, stdout=subprocess.DEVNULL)
    return vsix


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", action="append", choices=[*TARGETS, "all"])
    ap.add_argument("--python", default=",".join(PYTHONS), help="comma-separated versions")
    ap.add_argument("--out", type=Path, default=EXT / "dist")
    ap.add_argument("--wheel", type=Path, help="an agentls wheel (default: built from here)")
    ap.add_argument("--cache", type=Path, default=EXT / ".bundle-cache")
    args = ap.parse_args(argv)
    targets = list(TARGETS) if "all" in (args.target or []) else args.target or ["linux-x64"]
    pythons = [p.strip() for p in args.python.split(",") if p.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or build_wheel(Path(tmp))
        reqs = requirements(wheel)
        jobs = [(t, py) for t in targets for py in pythons]
        with ThreadPoolExecutor(4) as pool:  # downloads wait on the network, not the CPU
            got = dict(
                zip(jobs, pool.map(lambda j: download(reqs, *j, args.cache), jobs), strict=True)
            )
        # bundled/libs is one folder: two packaging runs at once take turns
        with (EXT / "bundled" / ".package.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                for target in targets:
                    lay_out(wheel, {py: got[(target, py)] for py in pythons}, target)
                    vsix = vsce_package(target, args.out)
                    log(f"{vsix}  {vsix.stat().st_size / 1e6:.1f} MB")
                    print(vsix)
            finally:
                # a later platform-neutral `vsce package` must not take this target's libraries
                shutil.rmtree(LIBS, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
