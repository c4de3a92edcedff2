"""Files that never end (issue 14, class 4): links to /dev/zero, /dev/urandom, /dev/stdin and
/proc/self/environ, FIFOs with and without a writer, a socket, a symbolic link loop, a
dangling link, a 100 GB sparse file and a folder named ``x.md``, as agent files and as
``.mcp.json``. Every reader passes over them and says why: ``check`` (every format),
``check --fix``, ``agents``, the index (also in worker processes) and the runner.

The commands run in a child process whose stdin is a pipe left open, with a timeout: a read
of a FIFO or of /dev/stdin would wait for ever, one of /dev/zero until memory runs out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentls.fsread import read_file
from hostile import FOLDER, VARIANTS, agent, hostile_entries

TIMEOUT = 60


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "ws"
    agents = root / ".claude" / "agents"
    with hostile_entries(agents):
        (agents / "ok.md").write_text(agent("ok"), "utf-8")
        yield root


def run(*args: str, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``agentls ARGS`` with a stdin that never ends (a pipe nobody closes) and no user
    folder (HOME is the workspace's parent unless given)."""
    env = dict(os.environ, HOME=str(home or cwd.parent))
    env.pop("CLAUDE_CONFIG_DIR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentls", *args],
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT)  # communicate() would close stdin: no
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"agentls {' '.join(args)} did not finish in {TIMEOUT} s: {out}{err}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


# ----------------------------------------------------------------- the reader itself


@pytest.mark.parametrize("name", [*VARIANTS, FOLDER])
def test_read_file_refuses_without_reading(tmp_path: Path, name: str) -> None:
    with hostile_entries(tmp_path / "h") as said:
        got = read_file(str(tmp_path / "h" / name), 16 * 1024 * 1024)
    assert got.data is None and got.problem
    assert said.get(name, "not a regular file (a folder)") in got.problem


def test_read_file_refuses_outside_the_root(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "in" / "link.md").symlink_to(tmp_path / "secret.txt")
    got = read_file(str(tmp_path / "in" / "link.md"), 100, root=str(tmp_path / "in"))
    assert got.data is None and got.problem and got.problem.startswith("outside the workspace")
    assert read_file(str(tmp_path / "in" / "link.md"), 100).data == b"secret"


def test_read_file_with_the_sandbox_rules(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "b.md").symlink_to(tmp_path / "a.md")
    os.link(tmp_path / "a.md", tmp_path / "c.md")
    assert read_file(str(tmp_path / "b.md"), 10, final_link=False).problem == "a symbolic link"
    hard = read_file(str(tmp_path / "c.md"), 10, hard_links=False).problem
    assert hard is not None and hard.startswith("hard-linked")


# ----------------------------------------------------------------- check


def _said(text: str, ws: Path) -> None:
    for name, reason in VARIANTS.items():
        line = next((ln for ln in text.splitlines() if f"/{name}:" in ln), None)
        assert line is not None and reason in line and "AL112" in line, (name, text)
    assert FOLDER not in text


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_check_names_every_variant(ws: Path, fmt: str) -> None:
    r = run("check", "--format", fmt, str(ws), cwd=ws)
    assert r.returncode == 1, r.stderr
    if fmt == "github":  # ::error file=PATH,line=1,...,title=agentls AL112::MESSAGE
        lines = [ln.split("::", 2)[1:] for ln in r.stdout.splitlines()]
        assert len(lines) == len(VARIANTS) and all(p.startswith("error ") for p, _ in lines)
        said = {p.split("file=")[1].split(",")[0]: p[-5:] + ": " + m for p, m in lines}
        _said("\n".join(f"{k}: {v}" for k, v in said.items()), ws)
    else:
        _said(r.stdout, ws)
        assert f"{len(VARIANTS) + 1} files checked" in r.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_check_json_and_sarif_name_every_variant(ws: Path, fmt: str) -> None:
    r = run("check", "--format", fmt, str(ws), cwd=ws)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    if fmt == "json":
        got = {
            Path(f["path"]).name: d["message"]
            for f in doc["files"]
            for d in f["diagnostics"]
            if d["code"] == "AL112"
        }
    else:
        got = {
            Path(x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).name: x[
                "message"
            ]["text"]
            for x in doc["runs"][0]["results"]
            if x["ruleId"] == "AL112"
        }
    assert set(got) == set(VARIANTS)
    for name, reason in VARIANTS.items():
        assert reason in got[name], (name, got[name])


def test_check_of_one_named_variant(ws: Path) -> None:
    fifo = ws / ".claude" / "agents" / "fifo.md"
    r = run("check", str(fifo), cwd=ws)
    assert r.returncode == 1 and "AL112" in r.stdout and "(a FIFO)" in r.stdout


@pytest.mark.parametrize("args", [["--fix"], ["--fix", "--dry-run"]])
def test_fix_names_every_variant_and_exits_non_zero(ws: Path, args: list[str]) -> None:
    broken = ws / ".claude" / "agents" / "fixable.md"
    text = "---\nname: fixable\ndescription: Use when: reviewing\n---\nBody\n"
    broken.write_text(text, "utf-8")
    r = run("check", *args, str(ws), cwd=ws)
    assert r.returncode == 1
    assert (broken.read_text("utf-8") == text) == ("--dry-run" in args)  # the rest is fixed
    for name, reason in VARIANTS.items():
        line = next(ln for ln in r.stderr.splitlines() if f"/{name}:" in ln)
        assert line.startswith("agentls: cannot fix") and reason in line, (name, r.stderr)
    assert FOLDER not in r.stderr


# ----------------------------------------------------------------- agents and the index


def test_agents_text_names_every_variant(ws: Path) -> None:
    r = run("agents", "--no-user", str(ws), cwd=ws)
    assert r.returncode == 0, r.stderr
    assert "ok" in r.stdout and "backend-engineer" in r.stdout
    for name, reason in VARIANTS.items():
        line = next(ln for ln in r.stderr.splitlines() if f"/{name}:" in ln)
        assert line.startswith("agentls agents: ") and reason in line, (name, r.stderr)
    assert FOLDER not in r.stderr + r.stdout


def test_agents_json_lists_what_was_not_read(ws: Path) -> None:
    r = run("agents", "--no-user", "--format", "json", str(ws), cwd=ws)
    doc = json.loads(r.stdout)
    assert {a["name"] for a in doc["agents"]} >= {"ok", "backend-engineer"}
    skipped = {Path(s["path"]).name: s["reason"] for s in doc["skipped"]}
    assert set(skipped) == set(VARIANTS)
    for name, reason in VARIANTS.items():
        assert skipped[name].startswith("not read: ") and reason in skipped[name]


def test_user_folder_variants_are_named_too(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with hostile_entries(home / ".claude" / "agents"):
        (tmp_path / "ws").mkdir()
        r = run("agents", str(tmp_path / "ws"), cwd=tmp_path / "ws", home=home)
    assert r.returncode == 0
    for name in VARIANTS:
        assert f"/{name}:" in r.stderr, (name, r.stderr)


def test_index_workers_pass_over_the_variants(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index build in spawned worker processes (as for a large workspace)."""
    import agentls.indexing as indexing

    monkeypatch.setattr(indexing, "PARALLEL_FROM", 1)
    index = indexing.build_index([str(ws)], user=False, bundled=False, jobs=2)
    assert [e.name for e in index.all()] == ["ok"]
    assert {Path(s.path).name for s in index.skipped} == set(VARIANTS)


def test_runner_discovery_passes_over_the_variants(ws: Path) -> None:
    from agentls.runner.definitions import discover_agents

    agents = discover_agents(ws, include_broken=True)
    assert "ok" in agents and "backend-engineer" in agents
    assert not any(Path(a.path).name in VARIANTS for a in agents.values())


# ----------------------------------------------------------------- .mcp.json


@pytest.mark.parametrize("make", ["zero", "stdin", "fifo", "sparse"])
def test_mcp_json_that_never_ends(tmp_path: Path, make: str) -> None:
    ws = tmp_path / "ws"
    agents = ws / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "a.md").write_text(agent("a", "tools: Read, mcp__github__search\n"), "utf-8")
    cfg = ws / ".mcp.json"
    if make == "fifo":
        os.mkfifo(cfg)
    elif make == "sparse":
        with open(cfg, "wb") as fh:
            fh.truncate(10 * 1024**3)
    else:
        cfg.symlink_to(f"/dev/{make}")
    r = run("check", "--format", "json", str(ws), cwd=ws)
    doc = json.loads(r.stdout)
    # .mcp.json is a checked file too: it gets its AL112, and the agents' MCP look-up skips it
    files = {Path(f["path"]).name: [d["code"] for d in f["diagnostics"]] for f in doc["files"]}
    assert set(files) == {".mcp.json", "a.md"} and files[".mcp.json"] == ["AL112"]
    assert [Path(s["path"]).name for s in doc["skipped"]] == [".mcp.json"]
    assert doc["skipped"][0]["reason"].startswith("not read: ")
    assert f"{cfg}: not read: " in r.stderr
    text = run("check", str(ws), cwd=ws)
    assert "2 files checked" in text.stdout and ".mcp.json: not read" in text.stderr


@pytest.mark.parametrize("make", ["fifo", "zero", "sparse"])
def test_plugin_manifest_that_never_ends(tmp_path: Path, make: str) -> None:
    """A manifest that is not a regular file makes no plugin; a huge one is not read (the
    plugin is then named after its folder)."""
    plugin = tmp_path / "plug"
    (plugin / ".claude-plugin").mkdir(parents=True)
    manifest = plugin / ".claude-plugin" / "plugin.json"
    if make == "fifo":
        os.mkfifo(manifest)
    elif make == "zero":
        manifest.symlink_to("/dev/zero")
    else:
        with open(manifest, "wb") as fh:
            fh.truncate(10 * 1024**3)
    (plugin / "agents").mkdir()
    (plugin / "agents" / "p.md").write_text(agent("p"), "utf-8")
    r = run("check", "--format", "json", str(plugin), cwd=plugin)
    files = json.loads(r.stdout)["files"]
    # the manifest is a checked file itself: it gets its AL112 (not read)
    manifests = [f for f in files if f["dialect"] == "claude-plugin"]
    assert [[d["code"] for d in f["diagnostics"]] for f in manifests] == [["AL112"]]
    agents = [f["dialect"] for f in files if f["dialect"] != "claude-plugin"]
    assert agents == (["claude-plugin-agent"] if make == "sparse" else [])
    r = run("agents", "--no-user", "--format", "json", str(plugin), cwd=plugin)
    names = {a["name"] for a in json.loads(r.stdout)["agents"]}
    assert ("p" in names) == (make == "sparse")


# ----------------------------------------------------------------- unreadable folders


def test_check_says_which_folders_it_could_not_read(tmp_path: Path) -> None:
    """chmod 000 does not stop root: as root, the check runs without the capabilities that
    bypass permissions (setpriv)."""
    ws = tmp_path / "ws"
    agents = ws / ".claude" / "agents"
    (agents / "locked").mkdir(parents=True)
    (agents / "ok.md").write_text(agent("ok"), "utf-8")
    (agents / "locked" / "hidden.md").write_text(agent("hidden"), "utf-8")
    (agents / "locked").chmod(0)
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    try:
        r = subprocess.run(
            [*prefix, sys.executable, "-m", "agentls", "check", "--format", "json", str(ws)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    finally:
        (agents / "locked").chmod(0o755)
    doc = json.loads(r.stdout)
    assert [Path(f["path"]).name for f in doc["files"]] == ["ok.md"]
    assert doc["skipped"] == [
        {"path": str(agents / "locked"), "reason": "folder not read: permission denied"}
    ]
    assert f"agentls check: {agents / 'locked'}: folder not read: permission denied" in r.stderr


@pytest.mark.parametrize("name", ["fifo.md", "fifo-writer.md", "zero.md", "stdin.md", "sparse.md"])
def test_run_on_a_file_that_never_ends(ws: Path, name: str) -> None:
    target = ws / ".claude" / "agents" / name
    r = run("run", "backend-engineer", "--file", str(target), cwd=ws)
    assert r.returncode == 2 and f"cannot read {target}: " in r.stderr, r.stderr
    assert VARIANTS[name] in r.stderr


@pytest.mark.parametrize("make", ["fifo", "zero", "stdin", "sparse"])
def test_configuration_that_never_ends(tmp_path: Path, make: str) -> None:
    """A configuration file that never ends: read by no one (neither the configuration's
    reader nor check, which looks at configuration files too), and named."""
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)
    agents = ws / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "a.md").write_text(agent("a"), "utf-8")
    cfg = ws / ".agentls.toml"
    if make == "fifo":
        os.mkfifo(cfg)
    elif make == "sparse":
        with open(cfg, "wb") as fh:
            fh.truncate(10 * 1024**3)
    else:
        cfg.symlink_to(f"/dev/{make}")
    r = run("check", "--format", "json", str(ws), cwd=ws)
    said = {
        Path(f["path"]).name: [d["message"] for d in f["diagnostics"]]
        for f in json.loads(r.stdout)["files"]
    }
    assert said["a.md"] == []
    [message] = said[".agentls.toml"]
    reason = "larger than" if make == "sparse" else "not a regular file"
    assert reason in message, message  # AL112 (it is a file check looks at), never a wait
