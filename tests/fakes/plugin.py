"""pytest fixtures for agent-run tests: an isolated HOME and the fake Messages API.

Load with ``pytest_plugins = ["fakes.plugin"]`` in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.fake_messages_api import FAKE_KEY, PLAIN_KEY, FakeMessagesAPI

__all__ = ["FAKE_KEY", "PLAIN_KEY"]


_ENV_TO_CLEAR = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_PROFILE",
    "ANTHROPIC_CONFIG_DIR",
    "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_LOG",
    "CLAUDE_CONFIG_DIR",
    "XDG_CACHE_HOME",
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME, caches and every Anthropic/Claude variable pointed at a throw-away folder."""
    home = tmp_path / "home"
    home.mkdir()
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return home


@pytest.fixture
def fake_api(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMessagesAPI]:
    """A running fake Messages API; ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY point at it."""
    api = FakeMessagesAPI().start()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A small workspace with code, a secret and a git folder."""
    ws = tmp_path / "ws"
    (ws / "src").mkdir(parents=True)
    (ws / "src" / "app.py").write_text(
        "import sqlite3\n"
        "\n"
        "\n"
        "def get_user(db, user_id):\n"
        '    cur = db.execute(f"SELECT * FROM users WHERE id = {user_id}")\n'
        "    return cur.fetchone()\n"
        "\n"
        "\n"
        "def add(a, b):\n"
        "    return a + b\n",
        "utf-8",
    )
    (ws / "src" / "util.py").write_text("def helper():\n    return 42\n", "utf-8")
    (ws / ".env").write_text("SECRET_TOKEN=do-not-read-env\n", "utf-8")
    (ws / ".git").mkdir()
    (ws / ".git" / "config").write_text("[remote]\n url = do-not-read-git\n", "utf-8")
    return ws
