"""Starts agentls from the libraries bundled with the VS Code extension.

The extension runs it as ``python -I -S -X pycache_prefix=DIR agentls_server.py lsp``:
``-I`` ignores PYTHON* variables, the user's site-packages and the script's folder, ``-S``
leaves out every site-packages folder, so only the standard library and the bundle are
imported, whatever else that interpreter has installed. The bundle (scripts/package.py) is
``../libs/common`` (pure-Python packages, agentls itself) and ``../libs/cpXY`` (the compiled
packages built for CPython X.Y: PyYAML's C loader, pydantic-core, jiter, rpds-py).
"""

import os
import sys


def main() -> int:
    libs = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    compiled = os.path.join(libs, tag)
    if sys.implementation.name != "cpython" or not os.path.isdir(compiled):
        # the extension checks the interpreter before it starts this script; a last guard
        have = (
            sorted(n for n in os.listdir(libs) if n.startswith("cp")) if os.path.isdir(libs) else []
        )
        impl, (major, minor) = sys.implementation.name, sys.version_info[:2]
        sys.stderr.write(
            f"agentls: this bundle has compiled libraries for {', '.join(have) or 'nothing'}, "
            f"not for {impl} {major}.{minor} ({sys.executable})\n"
        )
        return 3
    sys.path[:0] = [compiled, os.path.join(libs, "common")]
    from agentls.cli import main as agentls_main

    return agentls_main(sys.argv[1:])


if __name__ == "__main__":  # not when multiprocessing's spawn re-imports this file
    sys.exit(main())
