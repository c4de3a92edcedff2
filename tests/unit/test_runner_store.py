"""Kept runs (runner/store.py), their result document (runner/results.py), patches
(runner/patch.py), history bounds (runner/history.py) and prices (runner/pricing.py)."""

from __future__ import annotations

import functools
import json
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from agentls.runner import store
from agentls.runner.history import DROPPED_MARK, bound_history
from agentls.runner.patch import git_patch
from agentls.runner.pricing import estimate_cost, price_for
from agentls.runner.proposals import FileChange
from agentls.runner.redact import register_secret
from agentls.runner.results import render_record


def record(ws: Path, run_id: str, **kw: object) -> store.RunRecord:
    base: dict[str, object] = {
        "id": run_id,
        "conversation": run_id,
        "workspace": str(ws),
        "agent": {"name": "a", "path": "a.md", "scope": "project"},
        "task": "review",
        "file": "src/app.py",
        "selection": {"start": {"line": 8, "character": 0}, "end": {"line": 23, "character": 0}},
        "model": "claude-sonnet-5-5",
        "status": "done",
    }
    base.update(kw)
    return store.RunRecord(**base)  # type: ignore[arg-type]


def test_a_selection_ending_at_column_0_does_not_include_that_line(isolated_home, tmp_path):
    rec = record(tmp_path, "r1")
    assert rec.lines == (9, 23)
    assert "- Selection: lines 9-23" in render_record(rec)


def test_records_round_trip_privately_with_known_secrets_masked(isolated_home, tmp_path):
    secret = "sk-ant-api03-STORETEST-0123456789abcdef0123456789abcdef-AAAA"
    register_secret(secret)
    ws = tmp_path / "ws"
    ws.mkdir()
    rec = record(
        ws,
        "r1abcdef",
        messages=[{"role": "user", "content": [{"type": "text", "text": f"key {secret}"}]}],
        proposals=[store.Proposal("src/app.py", "a\n", "b\n")],
    )
    path = store.save(rec, render_record(rec))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not path.is_relative_to(ws)  # in the cache, not the workspace
    assert secret not in path.read_text() and secret not in path.with_suffix(".md").read_text()
    back = store.load(ws, "r1ab")  # a unique prefix of 4 or more will do
    assert back.proposals == [store.Proposal("src/app.py", "a\n", "b\n")]
    with pytest.raises(store.RunNotFound):
        store.load(ws, "nope")


def test_conversations_in_order_and_the_newest_runs_kept(isolated_home, tmp_path):
    store.save(record(tmp_path, "first"))
    store.save(record(tmp_path, "second", conversation="first", parent="first"))
    store.save(record(tmp_path, "other"))
    assert [r.id for r in store.conversation_runs(tmp_path, "first")] == ["first", "second"]
    assert [r.id for r in store.recent(tmp_path)] == ["other", "second", "first"]
    store.prune(tmp_path, keep=2)
    assert [r.id for r in store.recent(tmp_path)] == ["other", "second"]


def _change(rel: str, original: str | None, new: str) -> FileChange:
    return FileChange(rel, Path(rel), original, new)


@pytest.mark.skipif(shutil.which("git") is None, reason="git")
def test_patch_applies_with_git(tmp_path):
    (tmp_path / "crlf.txt").write_bytes(b"one\r\ntwo\r\n")
    (tmp_path / "no-eol.py").write_text("a = 1\nb = 2")
    (tmp_path / 'we"ird name.py').write_text("x\n")
    changes = [
        _change("crlf.txt", "one\r\ntwo\r\n", "one\r\nTWO\r\n"),
        _change("no-eol.py", "a = 1\nb = 2", "a = 1\nb = 3"),
        _change('we"ird name.py', "x\n", "y\n"),
        _change("new/file.py", None, "print('hi')\n"),
    ]
    patch = tmp_path / "p.patch"
    patch.write_text(git_patch(changes), newline="")
    subprocess.run(["git", "apply", str(patch)], cwd=tmp_path, check=True)
    assert (tmp_path / "crlf.txt").read_bytes() == b"one\r\nTWO\r\n"
    assert (tmp_path / "no-eol.py").read_text() == "a = 1\nb = 3"
    assert (tmp_path / 'we"ird name.py').read_text() == "y\n"
    assert (tmp_path / "new" / "file.py").read_text() == "print('hi')\n"


def test_history_drops_the_oldest_tool_results_first_and_says_so():
    big = "x" * 40_000
    msgs = [
        {"role": "user", "content": [{"type": "text", "text": "ask"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Read"}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": big}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t2", "name": "Read"}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t2", "content": big}]},
        {"role": "assistant", "content": [{"type": "text", "text": "done"}]},
        {"role": "user", "content": [{"type": "text", "text": "next"}]},
    ]
    out, dropped, saved = bound_history(msgs, 15_000)
    assert dropped == 1 and saved > 9_000
    assert str(out[2]["content"][0]["content"]).startswith(DROPPED_MARK)
    assert out[4] == msgs[4]  # the newer result is kept
    assert bound_history(msgs, 100_000) == (msgs, 0, 0)


def test_cost_per_request_with_cache_prices_and_unknown_models():
    usage = {
        "input_tokens": 1_000_000,
        "output_tokens": 0,
        "cache_read_input_tokens": 1_000_000,
        "cache_creation_input_tokens": 0,
    }
    price = price_for("claude-sonnet-5-5-20261001")  # a dated id: the id without the date
    assert price is not None
    assert estimate_cost("claude-sonnet-5-5", [usage]) == pytest.approx(2 + 0.1)
    assert estimate_cost("my-proxy-model", [usage]) is None
    assert estimate_cost("my-proxy-model", [usage], {"my-proxy-model": {"input": 1, "output": 2}})


# Every file this process opens while ``_OPENED`` is a list (an audit hook cannot be removed:
# it records only while a test asks it to).
_OPENED: list[str] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and _OPENED is not None and isinstance(args[0], str | Path):
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)


def _records_read(fn: Callable[[], object]) -> tuple[object, int]:
    """``fn()`` and how many run records (``<stamp>-<id>.json``) it opened."""
    global _OPENED
    _OPENED = []
    try:
        out = fn()
        opened = list(_OPENED)
    finally:
        _OPENED = None
    return out, sum(1 for p in opened if Path(p).name.endswith(".json") and "Z-" in Path(p).name)


def _ids(runs: object) -> list[str]:
    assert isinstance(runs, list)
    return [r.id for r in runs]


def _write_elsewhere(rec: store.RunRecord) -> None:
    """Keep ``rec`` as another process or an older agentls would: the index not told."""
    store.record_path(Path(rec.workspace), rec).write_text(json.dumps(rec.to_json()))


def test_a_conversation_is_found_among_500_runs_by_reading_its_own_records(isolated_home, tmp_path):
    store.save(record(tmp_path, "solo"))
    for i in range(store.MAX_RUNS - 4):
        _write_elsewhere(record(tmp_path, f"solo{i}"))
    # the first save finds no index it can use: it reads every record once
    _, read = _records_read(lambda: store.save(record(tmp_path, "conv")))
    assert read == store.MAX_RUNS - 4
    for parent, run_id in (("conv", "conv-2"), ("conv-2", "conv-3")):  # then: none
        rec = record(tmp_path, run_id, conversation="conv", parent=parent)
        _, read = _records_read(functools.partial(store.save, rec))
        assert read == 0
    assert len(store.recent(tmp_path, 1000)) == store.MAX_RUNS
    runs, read = _records_read(lambda: store.conversation_runs(tmp_path, "conv"))
    assert _ids(runs) == ["conv", "conv-2", "conv-3"] and read == 3  # was 500
    newest, read = _records_read(lambda: store.newest_of_conversation(store.load(tmp_path, "conv")))
    assert isinstance(newest, store.RunRecord) and newest.id == "conv-3"
    assert read == 1 + 3  # the named run, then its conversation

    # the index lost: the first lookup rebuilds it, the next reads the conversation only
    index = store.workspace_dir(tmp_path) / store.INDEX
    for broken in (None, "{not json", '{"format": "agentls-run-index/0", "runs": {}}', "[]"):
        if broken is None:
            index.unlink()
        else:
            index.write_text(broken)
        runs, read = _records_read(lambda: store.conversation_runs(tmp_path, "conv"))
        assert _ids(runs) == ["conv", "conv-2", "conv-3"] and read == store.MAX_RUNS + 3
        runs, read = _records_read(lambda: store.conversation_runs(tmp_path, "conv"))
        assert _ids(runs) == ["conv", "conv-2", "conv-3"] and read == 3


def test_the_conversation_index_follows_runs_saved_elsewhere_and_pruned(isolated_home, tmp_path):
    store.save(record(tmp_path, "first"))
    store.save(record(tmp_path, "other"))
    store.save(record(tmp_path, "second", conversation="first", parent="first"))
    # a run another process (or an older agentls) wrote, which the index does not know
    stray = record(tmp_path, "third", conversation="first", parent="second")
    _write_elsewhere(stray)
    path = store.record_path(tmp_path, stray)
    runs, read = _records_read(lambda: store.conversation_runs(tmp_path, "first"))
    assert _ids(runs) == ["first", "second", "third"] and read == 1 + 3  # it, then the three
    _, read = _records_read(lambda: store.conversation_runs(tmp_path, "first"))
    assert read == 3
    # an unreadable record is read once, then known to belong to no conversation
    (path.parent / "20200101T000000.000000Z-broken.json").write_text("{")
    _, read = _records_read(lambda: store.conversation_runs(tmp_path, "first"))
    assert read == 1 + 3
    _, read = _records_read(lambda: store.conversation_runs(tmp_path, "first"))
    assert read == 3
    # pruned runs leave the index with the next save
    store.prune(tmp_path, keep=2)
    store.save(record(tmp_path, "fourth", conversation="first", parent="third"))
    indexed = json.loads((path.parent / store.INDEX).read_text())["runs"]
    assert sorted(indexed.values()) == ["first", "first", "first"]  # second, third, fourth
    assert _ids(store.conversation_runs(tmp_path, "first")) == ["second", "third", "fourth"]
    assert _ids(store.conversation_runs(tmp_path, "other")) == []


# ---------------------------------------------------------------- the list (agentls/runs)


def test_the_list_is_newest_first_bounded_and_per_workspace(isolated_home, tmp_path):
    from agentls.runner.runlist import list_runs

    ws, other = tmp_path / "ws", tmp_path / "other"
    ws.mkdir()
    other.mkdir()
    for i in range(5):
        store.save(record(ws, f"r{i}", created=f"20261130T03151{i}.000000Z", cost_usd=0.0123))
    store.save(record(other, "elsewhere", created="20261130T040000.000000Z"))
    found, skipped = list_runs([ws], 3)
    assert [r.id for r in found] == ["r4", "r3", "r2"] and skipped == 0
    assert found[0].started == "2026-11-30T03:15:14.000000Z"
    assert found[0].cost == "$0.012" and found[0].lines == (9, 23)
    # the same folder named twice (a symlink, a second root) is read once
    (tmp_path / "link").symlink_to(ws)
    found, _ = list_runs([ws, tmp_path / "link", other], 10)
    assert [r.id for r in found] == ["elsewhere", "r4", "r3", "r2", "r1", "r0"]
    assert list_runs([ws], 0)[0][0].id == "r4"  # at least one


def test_the_list_passes_over_what_is_not_a_record(isolated_home, tmp_path):
    from agentls.runner.runlist import list_runs

    ws = tmp_path / "ws"
    ws.mkdir()
    good = store.save(record(ws, "good", created="20261130T031510.000000Z"))
    folder = good.parent
    (folder / store.INDEX).write_text("[1, 2")
    (folder / "20261130T031511.000000Z-list.json").write_text("[1]")
    (folder / "20261130T031512.000000Z-badsel.json").write_text(
        json.dumps(record(ws, "badsel", selection={"start": 3}).to_json())
    )
    (folder / "20261130T031513.000000Z-notjson.json").write_bytes(b"\xff{")
    found, skipped = list_runs([ws], 10)
    assert [r.id for r in found] == ["good"] and skipped == 3
    with pytest.raises(store.RunNotFound):  # a record that is a list: not found, no crash
        store.load(ws, "list")


def test_the_prompt_is_one_short_line_without_secrets(isolated_home):
    from agentls.runner.runlist import short_prompt

    secret = "sk-ant-api03-LISTTEST-0123456789abcdef0123456789abcdef-AAAA"
    register_secret(secret)
    assert short_prompt("Is\n  this\tsafe?") == "Is this safe?"
    long = short_prompt("word " * 100)
    assert long is not None and len(long) == 120 and long.endswith("…")
    shown = short_prompt(f"use {secret} please")
    assert shown is not None and secret not in shown and "please" in shown
    assert short_prompt("") is None and short_prompt(None) is None


def test_one_cost_formatter():
    from agentls.runner.pricing import format_cost

    assert [format_cost(x) for x in (1234.5, 1, 0.0123, 0.01, 0.00421, 0)] == [
        "$1,234.50",
        "$1.00",
        "$0.012",
        "$0.010",
        "$0.0042",
        "$0.0000",
    ]
