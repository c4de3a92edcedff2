"""Proposals (issue 14, class 9): a path is checked when the tool is called and again before
anything is written, proposals are bounded, files that run code are marked."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from agentls.fswrite import WriteRefused
from agentls.runner.proposals import (
    MAX_FILE_BYTES,
    MAX_FILES,
    FileChange,
    Proposals,
    recheck,
    write_changes,
)
from agentls.runner.sandbox import Sandbox, SandboxError


@pytest.fixture
def props(tmp_path: Path) -> Proposals:
    ws = tmp_path / "ws"
    (ws / "src").mkdir(parents=True)
    (ws / "src" / "app.py").write_text("def add(a, b):\n    return a + b\n")
    (ws / "big.txt").write_text("a" * 100_000)
    box = Sandbox(ws)
    return Proposals(box, box.root / "src" / "app.py", (ws / "src" / "app.py").read_text())


@pytest.mark.parametrize(
    "path", ["src/app.py/evil.py", "src/app.py/a/b/c.py", "src", "src/app.py/x/.."]
)
def test_write_where_no_file_can_be_is_refused_at_the_call(props: Proposals, path: str) -> None:
    with pytest.raises(SandboxError):
        props.write(path, "print('evil')\n")
    assert props.list() == []


def test_replace_all_that_would_explode_is_refused_before_it_is_built(props: Proposals) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(SandboxError, match="limited to 1,048,576 bytes"):
            props.edit("big.txt", "a", "b" * 1600, replace_all=True)  # 160 MB
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000  # the 160 MB text is never built
    with pytest.raises(SandboxError, match="limited to"):
        props.write("huge.txt", "x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(SandboxError, match="limited to"):
        props.write("wide.txt", "é" * (MAX_FILE_BYTES // 2 + 1))  # the limit is in UTF-8 bytes
    assert props.list() == []


def test_total_and_count_are_bounded(props: Proposals) -> None:
    chunk = "x" * (MAX_FILE_BYTES - 10)
    for i in range(4):
        props.write(f"gen/{i}.txt", chunk)
    with pytest.raises(SandboxError, match="limited to 4,194,304 bytes together"):
        props.write("gen/4.txt", "y" * 100)
    props.write("gen/0.txt", "small")  # rewriting one of them counts once
    props.write("gen/4.txt", "y" * 100)
    for i in range(MAX_FILES - 5):
        props.write(f"many/{i}.txt", "y")
    with pytest.raises(SandboxError, match=f"{MAX_FILES} files at most"):
        props.write("many/one-more.txt", "y")


@pytest.mark.parametrize(
    ("path", "what"),
    [
        (".github/workflows/ci.yml", "CI pipeline"),
        (".claude/settings.json", "agent"),
        (".vscode/tasks.json", "editor"),
        (".pre-commit-config.yaml", "hook"),
        ("Makefile", "build"),
        ("src/app.py", None),
        # issue 14 class 9, second attack: folders read wherever a tool starts, and tool
        # configurations that test and build commands run
        ("packages/a/.claude/settings.json", "agent"),
        ("packages/a/.claude/hooks/check.sh", "agent"),
        ("web/.vscode/tasks.json", "editor"),
        ("crate/.cargo/config.toml", "build"),
        ("web/vite.config.ts", "build"),
        ("jest.config.js", "build"),
        (".eslintrc.cjs", "build"),
        ("gulpfile.js", "build"),
        ("Vagrantfile", "build"),
        ("pytest.ini", "build"),
        ("src/config.py", None),
        ("docs/settings.json", None),
    ],
)
def test_files_that_run_code_are_marked(props: Proposals, path: str, what: str | None) -> None:
    props.write(path, "x\n")
    [change] = [c for c in props.list() if c.rel == path]
    assert (change.runs_code is None) if what is None else (what in (change.runs_code or ""))


def test_paths_are_checked_again_before_writing(props: Proposals, tmp_path: Path) -> None:
    props.edit("src/app.py", "a + b", "b + a")
    props.write("src/new.py", "x = 1\n")
    root = props.sandbox.root
    # after the proposal, src/new.py's folder is swapped for a link to a secret place
    (tmp_path / "elsewhere").mkdir()
    (root / "src" / "app.py").rename(root / "app.py.bak")
    (root / "src").rename(root / "src.bak")
    (root / "src").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(WriteRefused):
        recheck(props.sandbox, props.list())
    with pytest.raises(WriteRefused):
        write_changes(props.sandbox, props.list())
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_write_changes_is_all_or_nothing(props: Proposals) -> None:
    props.edit("src/app.py", "a + b", "b + a")
    props.write("src/new.py", "x = 1\n")
    props.write("docs/guide.md", "# Guide\n")
    root = props.sandbox.root
    (root / "src" / "app.py").write_text("changed by the user\n")
    with pytest.raises(WriteRefused, match="changed while"):
        write_changes(props.sandbox, props.list())
    assert not (root / "src" / "new.py").exists() and not (root / "docs").exists()
    assert (root / "src" / "app.py").read_text() == "changed by the user\n"


# issue 14 class 9, second attack


@pytest.mark.parametrize("path", ["src/", "src/new/", "new/ "])
def test_a_path_that_names_a_folder_is_refused(props: Proposals, path: str) -> None:
    """``src/new/`` used to become a file named ``new``."""
    with pytest.raises(SandboxError, match="names a folder"):
        props.write(path, "x\n")
    assert props.list() == []


def test_proposals_that_cannot_all_be_files_are_refused_at_the_call(props: Proposals) -> None:
    """``a.py`` then ``a.py/b.py`` (or ``d/x.py`` then ``d``): the apply refused both at the
    end, saying that a.py "was created while the agent was running"."""
    props.write("a.py", "1\n")
    with pytest.raises(SandboxError, match=r"a\.py is proposed as a file"):
        props.write("a.py/b.py", "2\n")
    props.write("d/x.py", "1\n")
    with pytest.raises(SandboxError, match=r"d is a folder of the proposed d/x\.py"):
        props.write("d", "2\n")
    assert sorted(c.rel for c in props.list()) == ["a.py", "d/x.py"]
    write_changes(props.sandbox, props.list())
    assert (props.sandbox.root / "d" / "x.py").read_text() == "1\n"


@pytest.mark.parametrize("path", ["s" * 300 + ".py", "/".join(["d"] * 2100) + "/x.py"])
def test_a_path_the_system_refuses_is_a_refusal_not_a_crash(props: Proposals, path: str) -> None:
    """A name of 300 bytes (or a path of 4,200): ENAMETOOLONG ended the whole run."""
    with pytest.raises(SandboxError, match="too long"):
        props.write(path, "x\n")
    box = props.sandbox
    change = FileChange(path, box.root / path, None, "x\n")
    with pytest.raises(WriteRefused, match="too long"):
        write_changes(box, [change])
