"""pytest fixtures for agent-run tests: an isolated HOME and the fake Messages API.

Load with ``pytest_plugins = ["fakes.plugin"]`` in ``tests/conftest.py``.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.fake_messages_api import FakeMessagesAPI

#: A recognisable fake key: tests assert it never shows up anywhere.
FAKE_KEY = "sk-ant-api03-LEAKCANARY-5f1e2d3c4b5a69788796a5b4c3d2e1f0-AAAA"
#: A key without the usual prefix, so only exact-secret redaction can catch it.
PLAIN_KEY = "plainLEAKCANARYkey-8c1f0e9d2b7a"

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


def _engine_fallback() -> None:
    """TEMPORARY, tests only: a stand-in for ``agentls.engine.analyze`` until the engine
    lands. It reads well-formed frontmatter only. Remove when ``agentls.engine`` exists."""
    try:
        import agentls.engine  # noqa: F401

        return
    except ImportError:
        pass
    import frontmatter

    from agentls.types import Effective

    class _Analysis:
        def __init__(self, effective: Effective) -> None:
            self.effective = effective

    def analyze(text: str, path: str | None = None) -> _Analysis:
        try:
            meta = frontmatter.loads(text).metadata
        except Exception as e:
            return _Analysis(Effective(loads=False, reason=f"broken YAML: {type(e).__name__}"))
        name, desc = meta.get("name"), meta.get("description")
        if not isinstance(name, str) or not isinstance(desc, str):
            return _Analysis(Effective(loads=False, reason="name and description are required"))
        tools = meta.get("tools")
        tool_list: list[str] | None
        if tools is None:
            tool_list = None
        elif isinstance(tools, str):
            tool_list = [t.strip() for t in tools.split(",") if t.strip()]
        else:
            tool_list = [str(t) for t in tools]
        model = meta.get("model")
        return _Analysis(
            Effective(
                loads=True,
                name=name,
                description=desc,
                tools=tool_list,
                model=str(model) if model else None,
            )
        )

    mod = types.ModuleType("agentls.engine")
    mod.analyze = analyze  # type: ignore[attr-defined]
    sys.modules["agentls.engine"] = mod


_engine_fallback()


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
