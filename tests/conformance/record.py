#!/usr/bin/env python3
"""Record what the real Claude Code does with agent files (conformance observations).

Usage::

    python tests/conformance/record.py [--fixtures] [--seeds] [--corpus] [--check]
                                       [--binary PATH] [--jobs N] [--limit N]

Without a selection, ``--fixtures --seeds`` is assumed (``--corpus`` takes ~10 minutes).
``--check`` re-records and prints the differences from the stored observation files
instead of overwriting them (exit status 1 when anything differs): the "live job" that
checks a new Claude Code release in one command (change ``CLAUDE_CODE_VERSION`` first).

Method (see docs/conformance.md): each file is placed alone as
``.claude/agents/<file>.md`` of a throw-away git project with a throw-away ``HOME``, and
the pinned Claude Code binary is run fully offline (dummy API key, API base URL on a
closed loopback port). The first ``system/init`` line of ``--output-format stream-json``
lists the loaded agents; a second run with ``--agent NAME`` shows the ``tools`` and
``model`` that agent got. Nothing from the Claude Code package is stored in the
repository: the binary is fetched with ``npm pack`` into a cache directory outside it.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cc_conformance import ALIASES, SHARED  # SHARED: AGENTLS_SHARED or ../shared

CLAUDE_CODE_VERSION = "2.1.332"
NPM_PACKAGE = "@anthropic-ai/claude-code-linux-x64"
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FIXTURES = HERE / "fixtures"
OBSERVATIONS = HERE / "observations"
CACHE = Path(
    os.environ.get("AGENTLS_CONFORMANCE_CACHE", Path.home() / ".cache" / "agentls-conformance")
)

# The main-session model is set to this sentinel, so an agent without a model (which
# inherits the main model) is told apart from one whose alias resolves to the default.
SENTINEL_MAIN_MODEL = "claude-conformance-sentinel"
# Model strings whose resolution is probed and stored (alias -> model id shown in init).
MODEL_PROBES = [*sorted(ALIASES), "inherit", "default"]
# Every tool name of formats.md 2.4: listed in probes to learn which ones are available.
PROBE_TOOL_NAMES = [
    "Agent",
    "Artifact",
    "AskUserQuestion",
    "Bash",
    "CronCreate",
    "CronDelete",
    "CronList",
    "Edit",
    "EndConversation",
    "EnterPlanMode",
    "EnterWorktree",
    "ExitPlanMode",
    "ExitWorktree",
    "Glob",
    "Grep",
    "ListAgents",
    "ListMcpResourcesTool",
    "LSP",
    "Monitor",
    "NotebookEdit",
    "PowerShell",
    "PushNotification",
    "Read",
    "ReadMcpResourceTool",
    "RemoteTrigger",
    "ReportFindings",
    "ScheduleWakeup",
    "SendMessage",
    "SendUserFile",
    "ShareOnboardingGuide",
    "Skill",
    "TaskCreate",
    "TaskGet",
    "TaskList",
    "TaskOutput",
    "TaskStop",
    "TaskUpdate",
    "TodoWrite",
    "ToolSearch",
    "WaitForMcpServers",
    "WebFetch",
    "WebSearch",
    "Workflow",
    "Write",
]
TIMEOUT_S = 40
ENV = {
    "ANTHROPIC_API_KEY": "sk-ant-conformance-dummy-key",
    "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
    "DISABLE_TELEMETRY": "1",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    # Not in formats.md 13: without it the CLI retries the closed port for minutes.
    "CLAUDE_CODE_MAX_RETRIES": "0",
    "ANTHROPIC_MODEL": SENTINEL_MAIN_MODEL,
}
# Only for the load run: hide the built-in agents so every name in `agents` is ours.
LOAD_RUN_ENV = {"CLAUDE_AGENT_SDK_DISABLE_BUILTIN_AGENTS": "1"}
ARGS = ["-p", "hi", "--output-format", "stream-json", "--verbose", "--max-turns", "1"]

RECIPE = {
    "fetch": f"npm pack {NPM_PACKAGE}@{CLAUDE_CODE_VERSION} && tar xzf *.tgz"
    " (binary: package/claude)",
    "project": "fresh dir with `git init`, the file as .claude/agents/<file>.md; fresh HOME dir",
    "env": {**ENV, "PATH": "/usr/bin:/bin", "HOME": "<tmp>/home"},
    "load_run": "claude " + " ".join(ARGS) + " --debug-file LOG   (env + "
    "CLAUDE_AGENT_SDK_DISABLE_BUILTIN_AGENTS=1, and ANTHROPIC_BASE_URL = a local capture "
    "server answering 400); loaded names = init.agents; description and listed tools = "
    "the agent's entry in the captured request's agent listing",
    "agent_run": "claude " + " ".join(ARGS) + " --agent NAME --debug-file LOG; "
    "tools/model = init.tools / init.model",
    "pool_run": "same as agent_run for an agent without `tools` and with `model: <id>` "
    "(none for the sentinel): the tool pool of that model; `tools` is recorded as null "
    "when the observed set equals the pool",
    "timeout_s": TIMEOUT_S,
}

LOG_RE = re.compile(
    r"(?i)(\.claude/agents|agent '|agent \"|agent tools|frontmatter|yaml|\[agents\]|"
    r"failed to parse agent|agent file|hooks in agent|duplicate agent)"
)
LOG_NOISE = ("Failed to stat directory", "Watching for changes", "(cc-plugin-agents-md)")
TS_RE = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z ")


# --------------------------------------------------------------------------- binary


def ensure_binary(explicit: str | None = None) -> Path:
    """Return the pinned Claude Code binary, fetching it with ``npm pack`` when absent."""
    if explicit:
        return Path(explicit)
    env_bin = os.environ.get("AGENTLS_CLAUDE_BIN")
    if env_bin:
        return Path(env_bin)
    target = CACHE / CLAUDE_CODE_VERSION
    binary = target / "package" / "claude"
    if binary.exists():
        return binary
    target.mkdir(parents=True, exist_ok=True)
    spec = f"{NPM_PACKAGE}@{CLAUDE_CODE_VERSION}"  # always pinned: never let npm pick
    print(f"fetching {spec} into {target} ...", file=sys.stderr)
    out = subprocess.run(
        ["npm", "pack", spec, "--silent"], cwd=target, check=True, capture_output=True, text=True
    ).stdout.split()
    tgz = target / out[-1]
    subprocess.run(["tar", "xzf", tgz.name], cwd=target, check=True)
    tgz.unlink()
    if not binary.exists():
        raise SystemExit(f"no binary at {binary} after unpacking {spec}")
    return binary


def binary_version(binary: Path) -> str:
    out = subprocess.run(
        [str(binary), "--version"],
        capture_output=True,
        text=True,
        env=_env({}, Path(tempfile.gettempdir())),
        timeout=TIMEOUT_S,
    )
    return out.stdout.strip().split()[0] if out.stdout.strip() else "?"


# --------------------------------------------------------------------------- running


def reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "application/json",
) -> None:
    """Answer the request ``handler`` is serving with ``body``."""
    handler.send_response(status)
    handler.send_header("content-type", content_type)
    handler.send_header("content-length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class CaptureServer:
    """A stand-in for the API on 127.0.0.1 for the load run.

    It stores each request body under the first URL path segment (one key per run) and
    answers 400, which Claude Code does not retry, so the run ends at once. The first
    request carries the agent listing ("Available agent types for the Agent tool"), the
    only offline place where the description Claude Code made of the file is visible.
    """

    def __init__(self) -> None:
        self.bodies: dict[str, list[bytes]] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(size)
                key = self.path.lstrip("/").split("/", 1)[0]
                with server.lock:
                    server.bodies.setdefault(key, []).append(body)
                out = b'{"type":"error","error":{"type":"invalid_request_error",'
                out += b'"message":"conformance capture"}}'
                reply(self, 400, out)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{key}"

    def take(self, key: str) -> list[bytes]:
        with self.lock:
            return self.bodies.pop(key, [])


_CAPTURE: CaptureServer | None = None


def capture_server() -> CaptureServer:
    global _CAPTURE
    if _CAPTURE is None:
        _CAPTURE = CaptureServer()
    return _CAPTURE


LISTING_HEAD = "Available agent types for the Agent tool:\n"
LISTING_END = "\n\nWhen you launch multiple agents"
TOOLS_MARK = " (Tools: "


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def parse_listing(bodies: list[bytes], name: str) -> tuple[str, str | None] | None:
    """(description, tools text) of agent ``name`` in the captured agent listing."""
    head = f"{LISTING_HEAD}- {name}: "
    for body in bodies:
        try:
            request = json.loads(body)
        except ValueError:
            continue
        for text in _strings(request):
            i = text.find(head)
            if i < 0:
                continue
            start = i + len(head)
            end = text.find(LISTING_END, start)
            entry = text[start : end if end >= 0 else len(text)]
            j = entry.rfind(TOOLS_MARK)
            if j < 0:
                return entry, None
            return entry[:j], entry[j + len(TOOLS_MARK) :].removesuffix(")")
    return None


def _env(extra: dict[str, str], home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), **ENV, **extra}


@dataclass
class RunResult:
    init: dict[str, Any] | None
    log: list[str]
    error: str | None


def run_claude(
    binary: Path,
    root: Path,
    agent: str | None,
    extra_env: dict[str, str],
    tag: str,
) -> RunResult:
    """One offline run in project ``root/proj`` with HOME ``root/home``."""
    log = root / f"debug-{tag}.log"
    args = [str(binary), *ARGS]
    if agent is not None:
        args += ["--agent", agent]
    args += ["--debug-file", str(log)]
    error = None
    try:
        proc = subprocess.run(
            args,
            cwd=root / "proj",
            env=_env(extra_env, root / "home"),
            capture_output=True,
            timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
        stdout = proc.stdout.decode("utf-8", "replace")
        stderr = proc.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as exc:
        stdout = (exc.stdout or b"").decode("utf-8", "replace")
        stderr = (exc.stderr or b"").decode("utf-8", "replace")
        error = "timeout"
    init = None
    for line in stdout.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if obj.get("type") == "system" and obj.get("subtype") == "init":
            init = obj
            break
    if init is None and error is None:
        error = (stderr.strip() or stdout.strip() or "no init line")[:500]
    lines = log.read_text("utf-8", "replace").splitlines() if log.exists() else []
    return RunResult(init, lines, error)


def _clean_log(lines: Iterable[str], root: Path) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not LOG_RE.search(line):
            continue
        line = TS_RE.sub("", line).replace(str(root), "<tmp>")
        if any(noise in line for noise in LOG_NOISE):
            continue
        if line not in out:
            out.append(line)
    return out


def _make_project(files: dict[str, bytes], model_env: dict[str, str] | None = None) -> Path:
    root = Path(tempfile.mkdtemp(prefix="agentls-cc-"))
    (root / "home").mkdir()
    proj = root / "proj"
    agents = proj / ".claude" / "agents"
    agents.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(proj)], check=True)
    for name, data in files.items():
        (agents / name).write_bytes(data)
    return root


def observe(binary: Path, fname: str, data: bytes) -> dict[str, Any]:
    """Observe one file alone in a throw-away project."""
    root = _make_project({fname: data})
    try:
        capture = capture_server()
        key = uuid.uuid4().hex
        first = run_claude(
            binary, root, None, {**LOAD_RUN_ENV, "ANTHROPIC_BASE_URL": capture.url(key)}, "load"
        )
        bodies = capture.take(key)
        obs: dict[str, Any] = {
            "loaded": False,
            "name": None,
            "tools_observed": None,
            "model": None,
            "description": None,
            "listing_tools": None,
        }
        if first.init is None:
            obs["error"] = first.error
            obs["log"] = _clean_log(first.log, root)
            return obs
        names = [str(n) for n in first.init.get("agents", [])]
        log = list(first.log)
        if len(names) > 1:
            obs["error"] = f"several agents from one file: {names}"
        if names:
            obs["loaded"] = True
            obs["name"] = names[0]
            listing = parse_listing(bodies, names[0])
            if listing is not None:
                obs["description"], obs["listing_tools"] = listing
            second = run_claude(binary, root, names[0], {}, "agent")
            log += second.log
            if second.init is None:
                obs["error"] = second.error
            else:
                obs["tools_observed"] = list(second.init.get("tools", []))
                obs["model"] = second.init.get("model")
        obs["log"] = _clean_log(log, root)
        return obs
    finally:
        shutil.rmtree(root, ignore_errors=True)


def probe_agent(
    binary: Path, frontmatter_model: str | None, tools: list[str] | None = None
) -> tuple[str | None, list[str]]:
    """Run a probe agent (given model and tools lines); return (init model, init tools)."""
    lines = ["name: conformance-probe", "description: probe"]
    if frontmatter_model is not None:
        lines.append(f"model: {json.dumps(frontmatter_model)}")
    if tools is not None:
        lines.append(f"tools: {json.dumps(tools)}")
    text = "---\n" + "\n".join(lines) + "\n---\nprobe\n"
    root = _make_project({"probe.md": text.encode()})
    try:
        res = run_claude(binary, root, "conformance-probe", {}, "probe")
        if res.init is None:
            return None, []
        return res.init.get("model"), list(res.init.get("tools", []))
    finally:
        shutil.rmtree(root, ignore_errors=True)


MODEL_LINE_RE = re.compile(rb"^model:[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)


def model_candidates(inputs: Iterable[tuple[str, bytes]]) -> set[str]:
    """Crude extraction of `model:` strings, only to know which strings to probe."""
    out: set[str] = set()
    for _, data in inputs:
        for m in MODEL_LINE_RE.finditer(data):
            value = m.group(1).decode("utf-8", "replace").split(" #")[0].strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            value = value.strip()
            if value and len(value) < 100:
                out.add(value)
    return out


# --------------------------------------------------------------------------- inputs


def fixture_inputs() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(FIXTURES.glob("*.md"))]


def seed_inputs() -> list[tuple[str, bytes]]:
    seeds = SHARED / "seeds"
    return [(p.name, p.read_bytes()) for p in sorted(seeds.glob("*.txt"))]


def corpus_inputs() -> list[tuple[str, bytes]]:
    corpus = SHARED / "corpus"
    out: list[tuple[str, bytes]] = []
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as fh:
        seen: set[str] = set()
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["dialect-guess"] != "claude-subagent":
                continue
            rel = row["owner/repo"].replace("/", "__") + "/" + row["path"]
            if rel in seen:
                continue
            seen.add(rel)
            path = corpus / rel
            if path.exists():
                out.append((rel, path.read_bytes()))
    return out


# --------------------------------------------------------------------------- recording


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def record(
    binary: Path,
    inputs: list[tuple[str, bytes]],
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
    keep_text: bool = True,
) -> dict[str, Any]:
    def one(item: tuple[str, bytes]) -> dict[str, Any]:
        rel, data = item
        obs = observe(binary, "agent.md", data)
        return {"path": rel, "sha256": hashlib.sha256(data).hexdigest(), **obs}

    results: list[dict[str, Any]] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for i, res in enumerate(pool.map(one, inputs), 1):
            results.append(res)
            if progress:
                progress(i, len(inputs))

    if not keep_text:  # seeds and corpus: keep no text of theirs, only a digest
        for r in results:
            desc = r.pop("description", None)
            r["description_sha256"] = None if desc is None else sha256_text(desc)
    env = probe_environment(binary, inputs, {r["model"] for r in results}, jobs)
    for r in results:
        if not r["loaded"]:
            continue
        pool_tools = env["tool_pools"].get(r["model"] or "", {}).get("all")
        observed = r["tools_observed"]
        r["all_tools"] = (
            observed is not None and pool_tools is not None and (set(observed) == set(pool_tools))
        )
        r["tools"] = None if r["all_tools"] or observed is None else sorted(observed)
    return {
        "claude_code_version": CLAUDE_CODE_VERSION,
        "binary_version": binary_version(binary),
        "npm_package": f"{NPM_PACKAGE}@{CLAUDE_CODE_VERSION}",
        "recipe": RECIPE,
        "sentinel_main_model": SENTINEL_MAIN_MODEL,
        **env,
        "files": results,
    }


def probe_environment(
    binary: Path, inputs: list[tuple[str, bytes]], models: set[str | None], jobs: int
) -> dict[str, Any]:
    """Model resolution table and, per model, the tool pool and the explicit-list universes.

    ``model_resolution``: frontmatter string -> model shown in init (aliases, plus every
    `model:` string found in the inputs). ``tool_pools[model]``: ``all`` = tools of an
    agent without ``tools``; ``listed_with_bash`` / ``listed_without_bash`` = tools shown
    when every name of PROBE_TOOL_NAMES is listed, with and without ``Bash`` (Grep and
    Glob only appear when Bash is not in the set).
    """
    strings = sorted(set(MODEL_PROBES) | model_candidates(inputs))
    wanted = sorted({m for m in models if m} | {SENTINEL_MAIN_MODEL})
    no_bash = [t for t in PROBE_TOOL_NAMES if t != "Bash"]
    jobs_list: list[tuple[str, str, str | None, list[str] | None]] = []
    for s in strings:
        jobs_list.append(("resolve", s, s, None))
    for m in wanted:
        fm_model = None if m == SENTINEL_MAIN_MODEL else m
        jobs_list.append(("all", m, fm_model, None))
        jobs_list.append(("listed_with_bash", m, fm_model, PROBE_TOOL_NAMES))
        jobs_list.append(("listed_without_bash", m, fm_model, no_bash))

    def one(job: tuple[str, str, str | None, list[str] | None]) -> tuple[str | None, list[str]]:
        return probe_agent(binary, job[2], job[3])

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        answers = list(pool.map(one, jobs_list))
    resolution: dict[str, str | None] = {}
    pools: dict[str, dict[str, list[str]]] = {}
    for (kind, key, _, _), (model, tools) in zip(jobs_list, answers, strict=True):
        if kind == "resolve":
            resolution[key] = model
        elif model == key:
            pools.setdefault(key, {})[kind] = sorted(tools)
    return {"model_resolution": resolution, "tool_pools": pools}


COMPARED = (
    "sha256",
    "loaded",
    "name",
    "tools",
    "model",
    "description",
    "description_sha256",
    "log",
    "error",
)


def diff(old: dict[str, Any], new: dict[str, Any], partial: bool = False) -> list[str]:
    """Differences between two observation files (``partial``: ignore files not re-recorded)."""
    out: list[str] = []
    if old.get("binary_version") != new.get("binary_version"):
        out.append(f"binary_version: {old.get('binary_version')!r} -> {new['binary_version']!r}")
    for key in ("model_resolution", "tool_pools"):
        a_map, b_map = old.get(key, {}), new.get(key, {})
        keys = set(b_map) if partial else set(a_map) | set(b_map)
        for k in sorted(keys):
            if a_map.get(k) != b_map.get(k):
                out.append(f"{key}[{k!r}]: {a_map.get(k)!r} -> {b_map.get(k)!r}")
    old_files = {f["path"]: f for f in old.get("files", [])}
    new_files = {f["path"]: f for f in new.get("files", [])}
    paths = set(new_files) if partial else set(old_files) | set(new_files)
    for path in sorted(paths):
        a, b = old_files.get(path), new_files.get(path)
        if a is None or b is None:
            out.append(f"{path}: {'added' if a is None else 'removed'}")
            continue
        for key in COMPARED:
            if a.get(key) != b.get(key):
                out.append(f"{path}: {key}: {a.get(key)!r} -> {b.get(key)!r}")
    return out


def record_surface_set(binary: Path, ns: argparse.Namespace) -> int:
    """Record (or, with ``--check``, compare) Claude Code's verdicts on the surface cases."""
    from record_surface import diff_surface, record_surface

    cases = record_surface(binary, _env, capture_server(), ARGS, ns.jobs, ns.limit, ns.case)
    out = OBSERVATIONS / "surface.json"
    old = json.loads(out.read_text("utf-8")) if out.exists() else {"cases": []}
    if ns.case:  # only the named cases were recorded: the others stay as stored
        fresh = {c["case"] for c in cases}
        kept = [c for c in old.get("cases", []) if c["case"] not in fresh]
        if ns.check:
            old["cases"] = [c for c in old.get("cases", []) if c["case"] in fresh]
        else:
            cases = sorted([*kept, *cases], key=lambda c: str(c["case"]))
    data = {
        "claude_code_version": CLAUDE_CODE_VERSION,
        "binary_version": binary_version(binary),
        "npm_package": f"{NPM_PACKAGE}@{CLAUDE_CODE_VERSION}",
        "recipe": SURFACE_RECIPE,
        "cases": cases,
    }
    print(f"surface: {len(cases)} cases")
    if ns.check:
        changes = diff_surface(old.get("cases", []), cases)
        for line in changes:
            print(f"  surface: {line}")
        print(f"surface: {len(changes)} difference(s) from {out.relative_to(REPO)}")
        return int(bool(changes))
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return 0


SURFACE_RECIPE = {
    "project": "the case folder copied into a fresh dir with `git init`; its _home/ as HOME",
    "env": RECIPE["env"],
    "doctor": "claude doctor: the lines of its 'Invalid settings' section",
    "mcp_list": "claude mcp list: each server's status and the 'MCP config diagnostics' lines",
    "plugins": "claude plugin validate --json DIR; claude -p hi --plugin-dir DIR --debug-file LOG "
    "(CLAUDE_AGENT_SDK_DISABLE_BUILTIN_AGENTS=1): the plugin's agents, commands and skills of the "
    "init line and the loader's WARN/ERROR lines",
    "marketplaces": "claude plugin validate --json DIR; claude plugin marketplace add DIR; "
    "claude plugin install NAME@MARKET for every listed plugin (last output line)",
    "memory": "claude -p hi against a loopback capture server: which MARK-... words of the case "
    "reach the request",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--fixtures", action="store_true")
    ap.add_argument("--seeds", action="store_true")
    ap.add_argument("--corpus", action="store_true")
    ap.add_argument(
        "--surface",
        action="store_true",
        help="Claude Code's verdicts on settings, MCP, plugin and memory files (surface/)",
    )
    ap.add_argument(
        "--case",
        action="append",
        default=[],
        help="with --surface: only this case of surface/ (repeatable); the others stay as stored",
    )
    ap.add_argument("--check", action="store_true", help="re-record and print differences")
    ap.add_argument("--binary", help="Claude Code binary (default: fetched into the cache)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (debugging)")
    ns = ap.parse_args(argv)
    if not (ns.fixtures or ns.seeds or ns.corpus or ns.surface):
        ns.fixtures = ns.seeds = True
    binary = ensure_binary(ns.binary)
    status = record_surface_set(binary, ns) if ns.surface else 0
    sets: list[tuple[str, Callable[[], list[tuple[str, bytes]]]]] = []
    if ns.fixtures:
        sets.append(("fixtures", fixture_inputs))
    if ns.seeds:
        sets.append(("seeds", seed_inputs))
    if ns.corpus:
        sets.append(("corpus", corpus_inputs))
    for label, get in sets:
        inputs = get()
        if ns.limit:
            inputs = inputs[: ns.limit]
        if not inputs:
            print(f"{label}: no input files found", file=sys.stderr)
            continue

        def progress(i: int, n: int, label: str = label) -> None:
            if i % 50 == 0 or i == n:
                print(f"{label}: {i}/{n}", file=sys.stderr)

        data = record(binary, inputs, ns.jobs, progress, keep_text=label == "fixtures")
        out = OBSERVATIONS / f"{label}.json"
        loaded = sum(1 for f in data["files"] if f["loaded"])
        print(f"{label}: {len(data['files'])} files, {loaded} loaded")
        if ns.check:
            old = json.loads(out.read_text("utf-8")) if out.exists() else {}
            changes = diff(old, data, partial=bool(ns.limit))
            for line in changes:
                print(f"  {label}: {line}")
            print(f"{label}: {len(changes)} difference(s) from {out.relative_to(REPO)}")
            status |= bool(changes)
        else:
            OBSERVATIONS.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
