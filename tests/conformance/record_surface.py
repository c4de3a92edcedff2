"""Record Claude Code's own verdicts on the files around agents (settings, MCP, plugins, memory).

Each case is a folder of ``tests/conformance/surface/``: a small project tree written byte for
byte (``.claude/settings.json``, ``.mcp.json``, a plugin with ``.claude-plugin/plugin.json``, a
marketplace, ``CLAUDE.md``...; a ``_home/`` folder inside the case becomes the throw-away
``HOME``). The case is copied into a fresh ``git init`` project and the pinned Claude Code is
asked, offline, what it makes of it, with the commands it offers for that:

* ``claude doctor``: the "Invalid settings" section (settings files, hooks, ``.mcp.json``);
* ``claude mcp list``: each server's line and the "MCP config diagnostics";
* ``claude plugin validate --json <dir>`` for every plugin and marketplace folder;
* ``claude -p --plugin-dir <dir> --debug-file``: which agents, commands and skills of the
  plugin the session gets, and the loader's warnings about it;
* ``claude plugin marketplace add <dir>`` then ``claude plugin install <name>@<market>`` for
  every plugin the marketplace lists, then a session: what it gets from the installed plugins
  and the loader's warnings (an entry's own component lists are read only there);
* for memory files, one run against a loopback capture server (as the agent recording does):
  which ``MARK-...`` words of the case's files reach the request.

Usage: ``python tests/conformance/record.py --surface [--check]`` (see record.py). Only
observations are stored (``observations/surface.json``); temporary paths become ``<proj>`` and
``<home>``.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES = HERE / "surface"
TIMEOUT_S = 60
MARKER = re.compile(r"MARK-[A-Za-z0-9_-]+")
MEMORY_FILES = (
    "CLAUDE.md",
    "CLAUDE.local.md",
    "AGENTS.md",
    ".claude/CLAUDE.md",
    ".claude/AGENTS.md",
)
PLUGIN_MANIFEST = ".claude-plugin/plugin.json"
MARKET_MANIFEST = ".claude-plugin/marketplace.json"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir()) if CASES.is_dir() else []


def _files(case: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file of the case."""
    out: dict[str, str] = {}
    for p in sorted(case.rglob("*")):
        if p.is_file():
            out[p.relative_to(case).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


class _Run:
    """One case laid out in a throw-away project; runs the binary there."""

    def __init__(
        self, binary: Path, case: Path, env: Callable[[dict[str, str], Path], dict[str, str]]
    ):
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="agentls-cc-surface-"))
        self.proj = self.root / "proj"
        self.home = self.root / "home"
        shutil.copytree(case, self.proj, symlinks=True)
        home_src = self.proj / "_home"
        if home_src.is_dir():
            shutil.move(str(home_src), str(self.home))
        else:
            self.home.mkdir()
        subprocess.run(["git", "init", "-q", str(self.proj)], check=True)
        self.make_env = env

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def clean(self, text: str) -> str:
        text = ANSI.sub("", text)
        for path, name in ((self.proj, "<proj>"), (self.home, "<home>"), (self.root, "<tmp>")):
            text = text.replace(str(path.resolve()), name).replace(str(path), name)
        return text

    def run(self, args: list[str], extra_env: dict[str, str] | None = None) -> tuple[str, str]:
        try:
            proc = subprocess.run(
                [str(self.binary), *args],
                cwd=self.proj,
                env=self.make_env(extra_env or {}, self.home),
                capture_output=True,
                timeout=TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
            out, err = proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            out, err = exc.stdout or b"", (exc.stderr or b"") + b"\n<timeout>"
        return self.clean(out.decode("utf-8", "replace")), self.clean(
            err.decode("utf-8", "replace")
        )


# --------------------------------------------------------------------------- parsers


def parse_doctor(text: str) -> list[str]:
    """The lines of the "Invalid settings" section (a suggested fix stays with its line)."""
    out: list[str] = []
    lines = text.splitlines()
    try:
        start = lines.index("Invalid settings") + 1
    except ValueError:
        return out
    for line in lines[start:]:
        if not line.strip():
            break
        if line.startswith("- "):
            entry = line[2:].strip()
            if entry not in out:
                out.append(entry)
        elif line.strip().startswith("Suggested fix:") and out:
            fix = line.strip()
            if fix not in out[-1]:
                out[-1] += " | " + fix
    return out


_SERVER_LINE = re.compile(r"^(?P<name>[^\s:][^:]*): (?P<target>.*?) - (?P<status>.+)$")


def parse_mcp_list(text: str) -> dict[str, Any]:
    servers: dict[str, str] = {}
    diagnostics: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        m = _SERVER_LINE.match(line)
        if m and not line.startswith(("Location", "For help")):
            servers[m["name"]] = m["status"].strip()
            continue
        stripped = line.lstrip(" ├└│─")
        if stripped.startswith("[") and stripped != line and "]" in stripped:
            diagnostics.append(stripped)
    return {"servers": servers, "diagnostics": diagnostics}


def reduce_validate(data: Any) -> Any:
    """The parts of ``plugin validate --json`` that are verdicts (no absolute paths)."""
    if not isinstance(data, dict):
        return data

    def one(entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "file": entry.get("file"),
            "type": entry.get("type"),
            "errors": [
                {"path": e.get("path"), "message": e.get("message")}
                for e in entry.get("errors", [])
            ],
            "warnings": [
                {"path": w.get("path"), "message": w.get("message")}
                for w in entry.get("warnings", [])
            ],
        }

    out: dict[str, Any] = {"success": data.get("success")}
    if isinstance(data.get("manifest"), dict):
        out["manifest"] = one(data["manifest"])
    out["contents"] = [one(c) for c in data.get("contents", []) if isinstance(c, dict)]
    return out


LOAD_LOG = re.compile(r"(?i)\[(WARN|ERROR)\].*(plugin|hook|agent|skill|command|mcp)")


def _init_line(stdout: str) -> dict[str, Any] | None:
    for line in stdout.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("type") == "system" and obj.get("subtype") == "init":
            return obj
    return None


# --------------------------------------------------------------------------- probes


def _plugin_roots(proj: Path) -> list[Path]:
    return sorted(p.parent.parent for p in proj.rglob(PLUGIN_MANIFEST) if "_home" not in p.parts)


def _market_roots(proj: Path) -> list[Path]:
    return sorted(p.parent.parent for p in proj.rglob(MARKET_MANIFEST))


def _validate(r: _Run, root: Path) -> Any:
    out, _ = r.run(["plugin", "validate", "--json", str(root)])
    try:
        return reduce_validate(json.loads(out))
    except ValueError:
        return {"unparsed": out.strip()[:2000]}


def _plugin_load(r: _Run, root: Path, args: list[str]) -> dict[str, Any]:
    """What a session started with ``--plugin-dir root`` gets from that plugin."""
    return _session(r, [*args, "--plugin-dir", str(root)], "@inline")


def _session(r: _Run, args: list[str], source: str) -> dict[str, Any]:
    """What a session gets from the plugins whose source ends with ``source`` (``@inline``
    for ``--plugin-dir``, ``@<market>`` for the installed ones), and the loader's warnings."""
    log = r.root / f"load-{uuid.uuid4().hex}.log"
    out, _ = r.run(
        [*args, "--debug-file", str(log)],
        {"CLAUDE_AGENT_SDK_DISABLE_BUILTIN_AGENTS": "1"},
    )
    init = _init_line(out) or {}
    names = {
        str(p.get("name"))
        for p in init.get("plugins", [])
        if isinstance(p, dict) and str(p.get("source", "")).endswith(source)
    }

    def of(key: str) -> list[str]:
        return sorted(str(x) for x in init.get(key, []) if str(x).split(":", 1)[0] in names)

    warnings: list[str] = []
    for line in log.read_text("utf-8", "replace").splitlines() if log.exists() else []:
        if LOAD_LOG.search(line) and "cc-plugin-" not in line and "@builtin" not in line:
            text = r.clean(re.sub(r"^\S+ ", "", line))
            if text not in warnings:
                warnings.append(text)
    return {
        "loaded": sorted(names),
        "agents": of("agents"),
        "commands": of("slash_commands"),
        "skills": of("skills"),
        "log": warnings,
    }


def _marketplace(r: _Run, root: Path, args: list[str]) -> dict[str, Any]:
    market: dict[str, Any] = {"validate": _validate(r, root)}
    out, err = r.run(["plugin", "marketplace", "add", str(root)])
    said = (out + err).strip().splitlines()
    market["add"] = said[-1] if said else ""
    try:
        manifest = json.loads((root / MARKET_MANIFEST).read_text("utf-8"))
        market_name = str(manifest.get("name"))
        entries = [str(p.get("name")) for p in manifest.get("plugins", []) if isinstance(p, dict)]
    except (ValueError, AttributeError):
        market_name, entries = "", []
    installs: dict[str, str] = {}
    for name in dict.fromkeys(entries):
        out, err = r.run(["plugin", "install", f"{name}@{market_name}"])
        said = (out + err).strip().splitlines()
        installs[name] = said[-1] if said else ""
    market["install"] = installs
    if any("Successfully installed" in said for said in installs.values()):
        # what a session gets from the installed plugins: an entry's components (strict:
        # false) are read only then, not by validate, add or install
        market["load"] = _session(r, args, f"@{market_name}")
    return market


def _memory(r: _Run, capture: Any, args: list[str]) -> dict[str, Any]:
    markers: set[str] = set()
    for p in [*r.proj.rglob("*"), *r.home.rglob("*")]:
        if p.is_file() and ".git" not in p.parts:
            markers.update(MARKER.findall(p.read_text("utf-8", "replace")))
    key = uuid.uuid4().hex
    r.run(args, {"ANTHROPIC_BASE_URL": capture.url(key)})
    text = b"\n".join(capture.take(key)).decode("utf-8", "replace")
    return {"reached": sorted(m for m in markers if m in text), "markers": sorted(markers)}


def observe_case(
    binary: Path,
    case: Path,
    env: Callable[[dict[str, str], Path], dict[str, str]],
    capture: Any,
    args: list[str],
) -> dict[str, Any]:
    """Every verdict Claude Code gives on one case (see the module's docstring)."""
    r = _Run(binary, case, env)
    try:
        obs: dict[str, Any] = {"case": case.name, "files": _files(case)}
        proj = r.proj
        settings = [
            p
            for p in (".claude/settings.json", ".claude/settings.local.json")
            if (proj / p).exists()
        ]
        user_settings = (r.home / ".claude" / "settings.json").exists()
        if settings or user_settings or (proj / ".mcp.json").exists():
            out, _ = r.run(["doctor"])
            obs["doctor"] = parse_doctor(out)
        if (proj / ".mcp.json").exists():
            out, _ = r.run(["mcp", "list"])
            obs["mcp_list"] = parse_mcp_list(out)
        for root in _plugin_roots(proj):
            rel = root.relative_to(proj).as_posix() or "."
            obs.setdefault("plugins", {})[rel] = {
                "validate": _validate(r, root),
                "load": _plugin_load(r, root, args),
            }
        for root in _market_roots(proj):
            rel = root.relative_to(proj).as_posix() or "."
            obs.setdefault("marketplaces", {})[rel] = _marketplace(r, root, args)
        if (
            any((proj / f).exists() for f in MEMORY_FILES)
            or (r.home / ".claude/CLAUDE.md").exists()
        ):
            obs["memory"] = _memory(r, capture, args)
        return obs
    finally:
        r.close()


def record_surface(
    binary: Path,
    env: Callable[[dict[str, str], Path], dict[str, str]],
    capture: Any,
    args: list[str],
    jobs: int,
    limit: int = 0,
    only: list[str] | None = None,
) -> list[dict[str, Any]]:
    cases = [c for c in case_dirs() if not only or c.name in only][: limit or None]
    unknown = set(only or ()) - {c.name for c in cases}
    if unknown:
        raise SystemExit(f"no such surface case: {', '.join(sorted(unknown))}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda c: observe_case(binary, c, env, capture, args), cases))


def diff_surface(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    a = {o["case"]: o for o in old}
    b = {o["case"]: o for o in new}
    out: list[str] = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            out.append(f"{name}: {'added' if name not in a else 'removed'}")
            continue
        for key in sorted(set(a[name]) | set(b[name])):
            if a[name].get(key) != b[name].get(key):
                before, after = json.dumps(a[name].get(key)), json.dumps(b[name].get(key))
                out.append(f"{name}: {key}: {before} -> {after}")
    return out
