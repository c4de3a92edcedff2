"""Hostile workspaces and hostile answers, through the language server (issue 14): denied
files never reach the model, no run has the home folder as its workspace."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.uris import to_fs_path
from test_agent_actions import args, client, open_doc, run_progress, run_request  # noqa: F401

from agentls.runner.toolworker import DEFAULT_BUDGET
from edit_applier import apply_edits
from fakes import fake_messages_api as fake
from procs import alive, tool_workers

DENIED = {
    "terraform.tfstate.backup": "CANARY-tfstate",
    "vars/secret.auto.tfvars": "CANARY-tfvars",
    "config/my-kubeconfig": "CANARY-kube",
    ".htpasswd": "CANARY-htpasswd",
    "gcp/app-sa.json": "CANARY-sa",
    "gcp/project-0123456789ab.json": "CANARY-gcpkey",
    "_netrc": "CANARY-netrc",
    ".python_history": "CANARY-history",
    ".env.orig": "CANARY-env",
    ".ENV.SWP": "CANARY-envswp",
    "keys/deploy.ppk": "CANARY-ppk",
    ".vault-token": "CANARY-vault",
}


async def test_denied_files_never_reach_the_model(client, fake_api, workspace):  # noqa: F811
    for rel, text in DENIED.items():
        (workspace / rel).parent.mkdir(parents=True, exist_ok=True)
        (workspace / rel).write_text(text)
    (workspace / "src" / "notes.txt").symlink_to(workspace / ".htpasswd")
    reads = [("Read", {"file_path": rel}) for rel in [*DENIED, "src/notes.txt"]]
    fake_api.script(
        fake.tool_use(*reads[0], more=reads[1:]),
        fake.tool_use("Grep", {"pattern": "CANARY-"}, more=[("Glob", {"pattern": "**/*"})]),
        fake.tool_use("Write", {"file_path": ".env.save", "content": "X=1"}),
        fake.text("done"),
    )
    uri = open_doc(client, workspace)
    res = await run_request(client, args(uri, "improve"))
    assert res.status == "done", res
    sent = repr([r.body for r in fake_api.requests])
    for canary in DENIED.values():
        assert canary not in sent
    tools = [o["text"] for o in client.rec.outputs if o["kind"] == "tool"]
    assert sum(t.startswith("refused Read") for t in tools) == len(DENIED) + 1
    assert any(t.startswith("refused Write .env.save: refused") for t in tools)
    assert client.rec.edits == []


async def test_file_in_home_outside_every_folder_is_not_run_with_home_as_root(
    client,  # noqa: F811
    fake_api,
    workspace,
    isolated_home,
):
    notes = Path(isolated_home) / "notes.py"
    notes.write_text("def f():\n    return 1\n")
    (Path(isolated_home) / ".git-credentials").write_text("https://u:CANARY-home@h\n")
    uri = notes.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, notes.read_text()))
    )
    fake_api.script(fake.tool_use("Read", {"file_path": ".git-credentials"}), fake.text("x"))
    params = args(uri)
    params["range"] = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}
    res = await run_request(client, params)
    if res.status == "failed":  # the sandbox refused the home folder
        assert "home" in res.message and fake_api.requests == []
    else:  # a root was chosen below home: the credentials still never leave
        assert "CANARY-home" not in repr([r.body for r in fake_api.requests])


# ---------------------------------------------------------------- edits at the right place

BREAKS = ["\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r"]


@pytest.mark.parametrize(
    "client",
    [{"encoding": lsp.PositionEncodingKind.Utf16}, {"encoding": lsp.PositionEncodingKind.Utf8}],
    indirect=True,
    ids=["utf-16", "utf-8"],
)
async def test_agent_edit_lands_exactly_after_every_odd_line_break(client, fake_api, workspace):  # noqa: F811
    path = workspace / "src" / "app.py"
    head = "".join(f"# {b!r} 😀 here:{b}x = 1 # 𝄞\n" for b in BREAKS)
    text = head + "\r\ndef compute_total(a, b):\r\n    return a + b\r\n"
    path.write_bytes(text.encode("utf-8"))
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, text))
    )
    old, new = "return a + b", "return b + a  # 🎉"
    fake_api.script(
        fake.tool_use("Edit", {"file_path": "src/app.py", "old_string": old, "new_string": new}),
        fake.text("Swapped."),
    )
    res = await run_request(client, args(uri, "improve"))
    assert res.status == "done" and res.applied is True, res
    [params] = client.rec.edits
    [tde] = params.edit.document_changes
    enc = "utf-8" if client.rec.encoding == lsp.PositionEncodingKind.Utf8 else "utf-16"
    assert apply_edits(text, tde.edits, enc) == text.replace(old, new)


# ---------------------------------------------------------------- exact bytes


async def test_latin1_file_is_never_proposed_and_crlf_file_keeps_its_breaks(
    client,  # noqa: F811
    fake_api,
    workspace,
):
    latin = "nom = 'Hélène'  # café\n".encode("latin-1")
    (workspace / "src" / "legacy.py").write_bytes(latin)
    crlf = b"def f():\r\n    return 1 + 2\r\n"
    (workspace / "src" / "win.py").write_bytes(crlf)
    fake_api.script(
        fake.tool_use(
            "Edit",
            {"file_path": "src/legacy.py", "old_string": "nom", "new_string": "name"},
            more=[
                (
                    "Edit",
                    {
                        "file_path": "src/win.py",
                        "old_string": "def f():\n    return 1 + 2\n",
                        "new_string": "def f():\n    return 3\n",
                    },
                )
            ],
        ),
        fake.text("One of two."),
    )
    uri = open_doc(client, workspace)
    res = await run_request(client, args(uri, "improve"))
    assert res.status == "done" and res.applied is True, res
    tools = [o["text"] for o in client.rec.outputs if o["kind"] == "tool"]
    assert any(
        t.startswith("refused Edit src/legacy.py: src/legacy.py is not UTF-8") for t in tools
    )
    [params] = client.rec.edits
    [tde] = params.edit.document_changes
    assert tde.text_document.uri.endswith("src/win.py")
    applied = apply_edits(crlf.decode(), tde.edits, "utf-16")
    assert applied.encode() == b"def f():\r\n    return 3\r\n"
    assert (workspace / "src" / "legacy.py").read_bytes() == latin


# ---------------------------------------------------------------- runaway searches


async def _wait_for_worker(client) -> int:  # noqa: F811
    server_pid = client._server.pid
    while not tool_workers(server_pid):
        await asyncio.sleep(0.01)
    [pid] = tool_workers(server_pid)
    return pid


# A cancelled run's worker is killed at once, not left to its budget (DEFAULT_BUDGET, 15 s:
# the regular expressions below run for minutes): gone in half the budget proves it (on an
# idle machine: ~5 ms, bench/bench_tools.py "runaway grep, cancel"); a tighter wall-time
# bound fails on a loaded machine.
KILLED_BEFORE_BUDGET_S = DEFAULT_BUDGET / 2


async def test_cancel_request_stops_a_runaway_grep(client, fake_api, workspace):  # noqa: F811
    (workspace / "src" / "slow.txt").write_text("a" * 40 + "!\n")
    fake_api.script(fake.tool_use("Grep", {"pattern": "(.*.*)*="}), fake.text("never"))
    uri = open_doc(client, workspace)
    fut = client.protocol.send_request("agentls/runAgent", args(uri), msg_id="grep-1")
    worker = await _wait_for_worker(client)
    t0 = time.monotonic()
    client.protocol.notify("$/cancelRequest", lsp.CancelParams(id="grep-1"))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(asyncio.wrap_future(fut), KILLED_BEFORE_BUDGET_S)
    while alive(worker) and time.monotonic() - t0 < KILLED_BEFORE_BUDGET_S:
        await asyncio.sleep(0.001)
    print(f"$/cancelRequest: worker gone {(time.monotonic() - t0) * 1000:.0f} ms")
    assert not alive(worker)
    fake_api.script(fake.text("still here"))  # the server goes on
    res = await run_request(client, args(uri))
    assert res.status == "done"


async def test_progress_cancel_stops_a_runaway_grep(client, fake_api, workspace):  # noqa: F811
    (workspace / "src" / "slow.txt").write_text("x" * 40 + "\n")
    fake_api.script(fake.tool_use("Grep", {"pattern": "(x+x+)+y"}), fake.text("never"))
    uri = open_doc(client, workspace)
    pending = asyncio.ensure_future(
        client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command="agentls.runAgent", arguments=[args(uri)])
        )
    )
    worker = await _wait_for_worker(client)
    [token] = list(run_progress(client))
    client.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token=token))
    res = await asyncio.wait_for(pending, KILLED_BEFORE_BUDGET_S)
    assert res["status"] == "cancelled" and not alive(worker)


# ---------------------------------------------------------------- proposals


async def test_files_that_run_code_get_their_own_annotation(client, fake_api, workspace):  # noqa: F811
    (workspace / ".vscode").mkdir()
    (workspace / ".vscode" / "tasks.json").write_text('{"tasks": []}\n')
    fake_api.script(
        fake.tool_use(
            "Edit",
            {"file_path": "src/app.py", "old_string": "a + b", "new_string": "b + a"},
            more=[
                (
                    "Edit",
                    {
                        "file_path": ".vscode/tasks.json",
                        "old_string": "[]",
                        "new_string": '[{"runOn": "folderOpen"}]',
                    },
                ),
                ("Write", {"file_path": ".github/workflows/ci.yml", "content": "on: push\n"}),
                ("Write", {"file_path": "src/app.py/evil.py", "content": "x"}),
            ],
        ),
        fake.text("Done."),
    )
    uri = open_doc(client, workspace)
    res = await run_request(client, args(uri, "improve"))
    assert res.status == "done" and res.applied is True, res
    tools = [o["text"] for o in client.rec.outputs if o["kind"] == "tool"]
    assert any(t.startswith("refused Write src/app.py/evil.py: refused") for t in tools)
    [params] = client.rec.edits
    edit = params.edit
    ann = {}
    for dc in edit.document_changes:
        if isinstance(dc, lsp.TextDocumentEdit):
            rel = Path(to_fs_path(dc.text_document.uri)).relative_to(workspace).as_posix()
            ann[rel] = dc.edits[0].annotation_id
    assert set(ann) == {"src/app.py", ".vscode/tasks.json", ".github/workflows/ci.yml"}
    plain_id, code_id = ann["src/app.py"], ann[".vscode/tasks.json"]
    assert ann[".github/workflows/ci.yml"] == code_id != plain_id
    code, plain = edit.change_annotations[code_id], edit.change_annotations[plain_id]
    assert code.needs_confirmation and plain.needs_confirmation
    assert code.label.endswith("changes files that run code") and code.label != plain.label
    assert ".vscode/tasks.json is an editor" in code.description
    assert ".github/workflows/ci.yml is a CI pipeline" in code.description
    assert not (workspace / "src" / "app.py" / "evil.py").exists()
