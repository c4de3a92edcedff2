"""Escape attempts through Read/Grep/Glob: none reads outside the workspace or a denied file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentls.runner.sandbox import MAX_READ_BYTES, Sandbox, SandboxError

OUTSIDE = "OUTSIDE-CANARY-93f1"
DENIED = "DENIED-CANARY-77a2"


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    ws = tmp_path / "ws"
    (ws / "src").mkdir(parents=True)
    (ws / "src" / "ok.py").write_text("print('fine')\n")
    (ws / ".env").write_text(f"KEY={DENIED}\n")
    (ws / ".env.local").write_text(f"KEY={DENIED}\n")
    (ws / "config").mkdir()
    (ws / "config" / "prod.env").write_text(f"KEY={DENIED}\n")
    (ws / ".git").mkdir()
    (ws / ".git" / "config").write_text(f"[x]\n{DENIED}\n")
    (ws / "id_rsa").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{DENIED}\n")
    (ws / "server.pem").write_text(DENIED)
    (ws / ".ssh").mkdir()
    (ws / ".ssh" / "known_hosts").write_text(DENIED)
    out = tmp_path / "outside"
    out.mkdir()
    (out / "secret.txt").write_text(OUTSIDE)
    (ws / "link_dir").symlink_to(out)
    (ws / "link_file").symlink_to(out / "secret.txt")
    (ws / "link_env").symlink_to(ws / ".env")
    (ws / "src" / "deep_link").symlink_to(Path("../../outside/secret.txt"))
    (ws / "loop_a").symlink_to(ws / "loop_b")
    (ws / "loop_b").symlink_to(ws / "loop_a")
    os.link(out / "secret.txt", ws / "hardlink.txt")
    os.mkfifo(ws / "fifo")
    (ws / "big.txt").write_bytes(b"x" * (MAX_READ_BYTES + 1))
    (ws / "bin.dat").write_bytes(b"\x00\x01" + OUTSIDE.encode())
    return Sandbox(ws)


ESCAPES = [
    "../outside/secret.txt",
    "src/../../outside/secret.txt",
    "/etc/passwd",
    "/proc/self/environ",
    "/proc/self/cmdline",
    "link_dir/secret.txt",
    "link_file",
    "src/deep_link",
    "hardlink.txt",
    ".env",
    ".env.local",
    "config/prod.env",
    "link_env",
    ".git/config",
    "./.git/config",
    "src/../.git/config",
    "id_rsa",
    "server.pem",
    ".ssh/known_hosts",
    "~/.ssh/id_rsa",
    "~/.bashrc",
    "src/ok.py\x00.txt",
    "..\\outside\\secret.txt",
    "C:\\Windows\\win.ini",
    "C:/Windows/win.ini",
    "file:///etc/passwd",
    "%2e%2e/outside/secret.txt",
    "..%2foutside%2fsecret.txt",
    "fifo",
    "big.txt",
    "bin.dat",
    "loop_a",
    "src",
    "",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_read_refuses(box: Sandbox, path: str) -> None:
    with pytest.raises(SandboxError) as info:
        box.read(path)
    assert OUTSIDE not in str(info.value) and DENIED not in str(info.value)


def test_absolute_path_inside_is_allowed(box: Sandbox) -> None:
    assert "print('fine')" in box.read(str(box.root / "src" / "ok.py"))
    assert "1\tprint('fine')" in box.read("src/ok.py")


def test_read_caps_lines(box: Sandbox) -> None:
    (box.root / "many.txt").write_text("\n".join(str(i) for i in range(5000)))
    out = box.read("many.txt", limit=10)
    assert out.count("\n") == 10 and "more lines" in out
    assert "  101\t100" in box.read("many.txt", offset=101, limit=1)


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("CANARY", None),
        ("CANARY", "."),
        ("CANARY", "link_dir"),
        ("CANARY", "../outside"),
        ("CANARY", "/"),
        ("CANARY", ".git"),
        ("KEY", ".env"),
        ("CANARY", "hardlink.txt"),
    ],
)
def test_grep_never_shows_outside_or_denied(box: Sandbox, pattern: str, path: str | None) -> None:
    try:
        out = box.grep(pattern, path)
    except SandboxError as e:
        out = str(e)
    assert OUTSIDE not in out and DENIED not in out


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("**/*", None),
        ("**/*", "link_dir"),
        ("*", "/"),
        ("../*", None),
        ("/etc/*", None),
        ("**/.env*", None),
        (".git/*", None),
        ("**/secret.txt", None),
    ],
)
def test_glob_never_lists_outside_or_denied(box: Sandbox, pattern: str, path: str | None) -> None:
    try:
        out = box.glob(pattern, path)
    except SandboxError as e:
        out = str(e)
    assert "secret.txt" not in out and ".env" not in out and ".git/" not in out
    assert "id_rsa" not in out and "server.pem" not in out


def test_glob_and_grep_work_inside(box: Sandbox) -> None:
    assert "src/ok.py" in box.glob("**/*.py")
    assert "src/ok.py:1:print('fine')" in box.grep("fine", glob="*.py")
    found = box.grep("fine", output_mode="files_with_matches").splitlines()
    assert found[0] == "src/ok.py"
    # the FIFO, the hard link and the symlink loop are said, not silently passed over
    assert found[1:] == [
        "[4 file(s) not searched (over 1 MB, not regular files, or unreadable)]",
        "[1 binary file(s) not searched]",  # the fixture's NUL-holding file, said too
    ]


def test_grep_bad_regex_and_huge_pattern(box: Sandbox) -> None:
    with pytest.raises(SandboxError):
        box.grep("(")
    with pytest.raises(SandboxError):
        box.grep("a" * 10_000)


# ------------------------------------------------ issue 14 class 12, second attack


@pytest.fixture
def limits_box(tmp_path: Path) -> Sandbox:
    ws = tmp_path / "limits"
    (ws / "node_modules" / "lib").mkdir(parents=True)
    (ws / "node_modules" / "lib" / "index.js").write_text("needle\n")
    (ws / ".venv").mkdir()
    (ws / ".venv" / "site.py").write_text("needle\n")
    (ws / "a.py").write_text("x = 1\n" * 10)
    (ws / "blob.dat").write_bytes(b"needle\x00\x01")
    return Sandbox(ws)


def test_read_past_the_end_says_so(limits_box: Sandbox) -> None:
    """An offset past the last line gave an empty answer."""
    assert limits_box.read("a.py", 1000) == "(a.py has 10 lines: offset 1000 is past its end)"


def test_folders_not_walked_are_named(limits_box: Sandbox) -> None:
    """Glob ``**/*.js`` answered "No files found" with a node_modules/ full of them."""
    out = limits_box.glob("**/*.js")
    assert out.startswith("No files found") and "node_modules/" in out and ".venv/" in out
    out = limits_box.grep("needle")
    assert "node_modules/" in out and "1 binary file(s) not searched" in out
    assert "index.js" in limits_box.grep("needle", path="node_modules")


def test_offset_given_as_digits_is_used() -> None:
    from agentls.runner.runtime import _int

    assert _int("40") == 40 and _int(" 7 ") == 7 and _int(3) == 3
    assert _int("x") is None and _int(True) is None and _int("9" * 5000) is None
