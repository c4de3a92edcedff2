#!/usr/bin/env python3
"""Record what the real Claude Code hands the agentls plugin's PostToolUse hook, and what
reaches the model from the hook's answer.

    python tests/conformance/record_hook.py [--binary PATH] [--check]

Method: a throw-away git project and HOME; the pinned Claude Code binary (record.py fetches
it) runs fully offline against a loopback stand-in for the Messages API that scripts the
session: the model writes ``.claude/agents/reviewer.md`` with problems (``Write``), then
corrects one of them (``Edit``), then ends. Claude Code runs both tool calls (``--permission-
mode bypassPermissions``: Claude Code asks before writing into ``.claude/`` otherwise) and,
after each, the hooks of two plugins: agentls's own, installed the way the README says
(``claude plugin marketplace add`` this repository, ``claude plugin install agentls@agentls``)
with ``agentls`` of this checkout on the PATH, and a throw-away recorder plugin
(``--plugin-dir``) whose hook saves its stdin. The stand-in keeps every request, so
the request after each tool call shows what Claude Code passed on to the model.

Written to tests/fixtures/claude-code-hook/: ``write.json`` and ``edit.json`` (the hook input
as received, with the project folder, HOME and ids replaced by placeholders) and
``observed.json`` (the Claude Code version, the agentls hook's verdicts as the model saw
them, the plugin's ``claude plugin validate`` result). ``--check`` compares instead of
writing (exit status 1 on a difference).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record import CLAUDE_CODE_VERSION, ENV, ensure_binary, reply

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PLUGIN = REPO / "editors" / "claude-code"
OUT = REPO / "tests" / "fixtures" / "claude-code-hook"
AGENT = ".claude/agents/reviewer.md"
# what the model "writes": an unquoted `: ` (AL003) and a colour Claude Code drops (AL028)
WRITTEN = (
    "---\nname: reviewer\ndescription: Use when: reviewing a pull request\n"
    "color: gold\n---\nYou review code.\n"
)
EDIT = {"old_string": "color: gold", "new_string": "color: green"}
MODEL = "claude-hook-recording"
TIMEOUT_S = 120


# --------------------------------------------------------------------------- the API


def _sse(events: list[tuple[str, dict[str, Any]]]) -> bytes:
    return b"".join(
        f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events
    )


def _message(blocks: list[dict[str, Any]], stop: str) -> list[tuple[str, dict[str, Any]]]:
    """The stream of one assistant message made of ``blocks`` (text or tool_use)."""
    start = {
        "type": "message_start",
        "message": {
            "id": f"msg_{uuid.uuid4().hex[:20]}",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 20, "output_tokens": 1},
        },
    }
    events: list[tuple[str, dict[str, Any]]] = [("message_start", start)]
    for i, block in enumerate(blocks):
        if block["type"] == "text":
            events += [
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": i,
                        "content_block": {"type": "text", "text": ""},
                    },
                ),
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": i,
                        "delta": {"type": "text_delta", "text": block["text"]},
                    },
                ),
            ]
        else:
            head = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            events += [
                (
                    "content_block_start",
                    {"type": "content_block_start", "index": i, "content_block": head},
                ),
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": i,
                        "delta": {
                            "type": "input_json_delta",
                            "partial_json": json.dumps(block["input"]),
                        },
                    },
                ),
            ]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    events += [
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 30},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events


class ScriptedAPI:
    """Answers the main conversation by how far it got (no tool result yet: Write; one:
    Edit; two: the end), and every other request (a title, a quota check) with "ok"."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.requests: list[dict[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                try:
                    body = json.loads(self.rfile.read(size) or b"{}")
                except ValueError:
                    body = {}
                api.requests.append({"path": self.path, "body": body})
                if "count_tokens" in self.path:
                    return self._json({"input_tokens": 20})
                events = api.answer(body)
                if body.get("stream"):
                    return reply(self, 200, _sse(events), "text/event-stream")
                message = dict(events[0][1]["message"])
                message["content"] = [
                    e[1]["content_block"] for e in events if e[0] == "content_block_start"
                ]
                self._json(message)

            def _json(self, data: Any) -> None:
                reply(self, 200, json.dumps(data).encode())

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        tools = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
        if "Write" not in tools:
            return _message([{"type": "text", "text": "ok"}], "end_turn")
        done = sum(
            1
            for m in body.get("messages", [])
            for c in (m.get("content") if isinstance(m.get("content"), list) else [])
            if isinstance(c, dict) and c.get("type") == "tool_result"
        )
        path = str(self.project / AGENT)
        if done == 0:
            call = {"file_path": path, "content": WRITTEN}
            return _message(
                [{"type": "tool_use", "id": "toolu_write", "name": "Write", "input": call}],
                "tool_use",
            )
        if done == 1:
            call = {"file_path": path, **EDIT}
            return _message(
                [{"type": "tool_use", "id": "toolu_edit", "name": "Edit", "input": call}],
                "tool_use",
            )
        return _message([{"type": "text", "text": "Done."}], "end_turn")

    def stop(self) -> None:
        self.httpd.shutdown()


# --------------------------------------------------------------------------- a session


def _recorder_plugin(root: Path, inputs: Path) -> Path:
    plugin = root / "recorder-plugin"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / "hooks").mkdir()
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "hook-recorder"}')
    command = f'cat > "{inputs}/$(date +%s%N).json"'
    hooks = {
        "hooks": {
            "PostToolUse": [
                {"matcher": "Write|Edit", "hooks": [{"type": "command", "command": command}]}
            ]
        }
    }
    (plugin / "hooks" / "hooks.json").write_text(json.dumps(hooks))
    return plugin


def _claude_env(root: Path, api: ScriptedAPI) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)  # the agentls of this checkout
    return {
        **ENV,
        "PATH": f"{venv_bin}:/usr/bin:/bin",
        "HOME": str(root / "home"),
        "ANTHROPIC_BASE_URL": api.url,
        "ANTHROPIC_MODEL": MODEL,
        # bypassPermissions (.claude/ is written only with it) refuses root outside a sandbox
        "IS_SANDBOX": "1",
    }


def record_session(binary: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="agentls-hook-") as tmp:
        root = Path(tmp)
        project = root / "proj"
        (root / "home").mkdir()
        project.mkdir()
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)
        inputs = root / "inputs"
        inputs.mkdir()
        recorder = _recorder_plugin(root, inputs)
        api = ScriptedAPI(project)
        installed = install_plugin(binary, _claude_env(root, api), project)
        try:
            # agentls's plugin as a user has it: installed from the repository's marketplace
            args = [
                str(binary),
                "-p",
                "Write the reviewer agent.",
                "--output-format",
                "stream-json",
                "--verbose",
                "--max-turns",
                "5",
                "--permission-mode",
                "bypassPermissions",
                "--plugin-dir",
                str(recorder),
            ]
            started = time.monotonic()
            run = subprocess.run(
                args,
                cwd=project,
                env=_claude_env(root, api),
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
            )
            elapsed = time.monotonic() - started
        finally:
            api.stop()
        received = [json.loads(p.read_text()) for p in sorted(inputs.glob("*.json"))]
        results = _tool_results(api.requests)
        final = (project / AGENT).read_text() if (project / AGENT).exists() else None
        return {
            "installed": installed,
            "returncode": run.returncode,
            "stderr": run.stderr[-2000:],
            "seconds": round(elapsed, 1),
            "received": [_placeholders(r, project, root) for r in received],
            "model_saw": [_placeholders(r, project, root) for r in results],
            "final_file": final,
        }


def _tool_results(requests: list[dict[str, Any]]) -> list[Any]:
    """What the model was sent after each tool call: the turns that follow the assistant's
    tool call in the first request that holds its result (the result, and the hooks' words)."""
    out: list[Any] = []
    seen: set[str] = set()
    for req in requests:
        messages = req["body"].get("messages") or []
        for n, m in enumerate(messages):
            content = m.get("content") if isinstance(m.get("content"), list) else []
            ids = [
                c.get("tool_use_id")
                for c in content
                if isinstance(c, dict) and c.get("type") == "tool_result"
            ]
            if ids and ids[0] not in seen:
                seen.add(ids[0])
                after = []
                for later in messages[n:]:
                    if later.get("role") == "assistant":
                        break
                    after.append({"role": later.get("role"), "content": later.get("content")})
                out.append(after)
    return out


def _placeholders(value: Any, project: Path, root: Path) -> Any:
    text = json.dumps(value)
    text = text.replace(str(project), "<project>").replace(str(root / "home"), "<home>")
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", text)
    # the folder's name inside transcript_path: "-tmp-agentls-hook-abc123-proj"
    text = re.sub(r"-agentls-hook-[A-Za-z0-9_-]+?-proj", "-<tmp>-proj", text)
    return json.loads(text)


def install_plugin(binary: Path, env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """``claude plugin marketplace add <this repository>`` then ``claude plugin install
    agentls@agentls`` (user scope), as the README says; the exit status of each, and whether
    ``claude plugin list`` then shows the plugin enabled."""
    steps = {
        "marketplace add": ["plugin", "marketplace", "add", str(REPO)],
        "install": ["plugin", "install", "agentls@agentls"],
        "list": ["plugin", "list"],
    }
    out: dict[str, Any] = {}
    for name, args in steps.items():
        run = subprocess.run(
            [str(binary), *args],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        out[name] = run.returncode
        if name == "list":
            block = run.stdout.split("agentls@agentls", 1)[-1].split("\n\n", 1)[0]
            out["enabled"] = "agentls@agentls" in run.stdout and "enabled" in block
    return out


def validate_plugin(binary: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="agentls-validate-") as tmp:
        env = {**ENV, "PATH": "/usr/bin:/bin", "HOME": tmp}
        out = {}
        for name, target in (("plugin", PLUGIN), ("marketplace", REPO)):
            run = subprocess.run(
                [str(binary), "plugin", "validate", str(target)],
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
            )
            out[name] = {"returncode": run.returncode, "passed": "Validation passed" in run.stdout}
        return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    binary = ensure_binary(args.binary)
    session = record_session(binary)
    if len(session["received"]) != 2:
        print(json.dumps(session, indent=2), file=sys.stderr)
        print("expected two hook inputs (Write, then Edit)", file=sys.stderr)
        return 1
    write, edit = session["received"]
    observed = {
        "claudeCodeVersion": CLAUDE_CODE_VERSION,
        "recipe": "tests/conformance/record_hook.py",
        "sessionSeconds": session["seconds"],
        "returncode": session["returncode"],
        "installed": session["installed"],
        "modelSaw": session["model_saw"],
        "finalFile": session["final_file"],
        "validate": validate_plugin(binary),
    }
    files = {"write.json": write, "edit.json": edit, "observed.json": observed}
    if args.check:
        differ = False
        for name, data in files.items():
            old = json.loads((OUT / name).read_text())
            if name == "observed.json":
                old.pop("sessionSeconds", None)
                data = {k: v for k, v in data.items() if k != "sessionSeconds"}
            if _stable(old) != _stable(data):
                print(f"{name} differs", file=sys.stderr)
                differ = True
        return 1 if differ else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (OUT / name).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {OUT / name}")
    return 0


def _stable(value: Any) -> Any:
    """Without what changes from run to run (session ids, times)."""
    text = json.dumps(value, sort_keys=True)
    text = re.sub(r'"(session_id|transcript_path|prompt_id)": "[^"]*"', r'"\1": ""', text)
    text = re.sub(r'"duration_ms": [0-9]+', '"duration_ms": 0', text)
    return json.loads(text)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
