"""The deny list, pattern by pattern: every pattern of data/denied-paths.json, in upper
case, behind a symlink, inside a folder, and in each editor or backup variant, is refused by
Read, never listed by Glob, never searched by Grep, and refused as an Edit or Write; and no
workspace is ``/``, the home folder or a folder above it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentls.data import load_json
from agentls.runner.deny import denied_name, denied_part
from agentls.runner.proposals import Proposals
from agentls.runner.sandbox import Sandbox, SandboxError, UnsafeRoot

CANARY = "DENY-CANARY-5b1f"
DATA = load_json("denied-paths.json")
REGEX_SAMPLES = {"^.+-[0-9a-f]{12}\\.json$": "my-project-0123456789ab.json"}


def _sample(glob: str) -> str:
    return glob.replace("*", "x").replace("?", "x")


PATTERNS = {g: _sample(g) for group in DATA["names"].values() for g in group}
PATTERNS.update({rx: REGEX_SAMPLES[rx] for rx in DATA["nameRegexes"].values()})
NAMES = list(PATTERNS.values())
PATHS = [p.replace("*", "x") for group in DATA["paths"].values() for p in group]


def _variants(name: str) -> list[str]:
    return [
        name,
        name.upper(),
        name + "~",
        name + ".bak",
        name + ".orig",
        name + ".old",
        name + ".save",
        name + ".swp",
        "." + name + ".swp",
        name + ".backup",
        "#" + name + "#",
        ".#" + name,
        name + " (1)",
        "Copy of " + name,
        name + ".",
        name + ".bak~",
    ]


ALL = sorted({v for n in NAMES for v in _variants(n)} | set(PATHS))
INNOCENT = ["app.py", "README.md", "package.json", "config.json", "settings.py", "main.go"]


def test_every_pattern_has_a_sample():
    assert len(REGEX_SAMPLES) == len(DATA["nameRegexes"])
    assert len(NAMES) > 100 and len(ALL) > 1500  # counted in the report


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_each_name_pattern_and_its_variants_are_denied(pattern: str):
    for name in _variants(PATTERNS[pattern]):
        assert denied_name(name), name
        assert denied_part(("src", name, "x")) is not None  # as a folder too
        assert denied_part(("src", "deeper", name)) is not None


@pytest.mark.parametrize("path", PATHS)
def test_each_path_pattern_is_denied(path: str):
    assert denied_part(tuple(path.split("/"))) is not None
    assert denied_part(("home", *path.split("/"), "file")) is not None


@pytest.mark.parametrize("name", INNOCENT)
def test_ordinary_files_are_not_denied(name: str):
    assert not denied_name(name)
    assert denied_part(("src", name)) is None


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    ws = tmp_path_factory.mktemp("deny") / "ws"
    ws.mkdir()
    (ws / "ok.txt").write_text("fine\n")
    for i, rel in enumerate(ALL):
        p = ws / "d" / str(i) / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"{CANARY} {i}\n")
        link = ws / "links" / f"innocent-{i}.txt"
        link.parent.mkdir(exist_ok=True)
        link.symlink_to(p)
    return Sandbox(ws)


def test_read_refuses_every_variant_and_every_link(box: Sandbox):
    for i, rel in enumerate(ALL):
        where = f"d/{i}/{rel}"
        for path in (where, f"links/innocent-{i}.txt", str(box.root / where)):
            with pytest.raises(SandboxError, match="protected"):
                box.read(path)


def test_glob_and_grep_never_show_any_of_them(box: Sandbox):
    listed = box.glob("**/*")
    assert "ok.txt" in listed and "d/" not in listed and "links/" not in listed
    assert box.grep(CANARY) == "No matches found"
    assert box.grep(CANARY, path="links") == "No matches found"
    assert box.grep("fine", output_mode="files_with_matches") == "ok.txt"
    for i in range(0, len(ALL), max(1, len(ALL) // 50)):  # a denied file by name
        with pytest.raises(SandboxError):
            box.grep(CANARY, path=f"d/{i}/{ALL[i]}")


def test_edit_and_write_proposals_refuse_every_variant(box: Sandbox):
    props = Proposals(box, box.root / "ok.txt", "fine\n")
    for i, rel in enumerate(ALL):
        with pytest.raises(SandboxError, match="protected"):
            props.write(f"d/{i}/{rel}", "x")
        with pytest.raises(SandboxError, match="protected"):
            props.edit(f"links/innocent-{i}.txt", CANARY, "x")
    # a new file named like a denied one is refused as well
    with pytest.raises(SandboxError):
        props.write("new/.env.production", "X=1")
    assert props.list() == []


# ---------------------------------------------------------------- the root


def test_root_is_never_the_file_system_root_or_home(tmp_path, monkeypatch):
    home = tmp_path / "home" / "me"
    (home / "project").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for root in ("/", home, home.parent, tmp_path, Path(str(home) + "/.")):
        with pytest.raises(UnsafeRoot, match="refused"):
            Sandbox(root)
    (tmp_path / "link-to-home").symlink_to(home)
    with pytest.raises(UnsafeRoot):
        Sandbox(tmp_path / "link-to-home")
    real_home = Path(os.path.realpath(os.path.expanduser("~")))
    assert real_home == home
    assert Sandbox(home / "project").root == home / "project"  # below home is fine


def test_root_is_never_the_password_database_home(tmp_path, monkeypatch):
    import pwd

    monkeypatch.setenv("HOME", str(tmp_path))  # a changed HOME does not hide the real one
    real = Path(pwd.getpwuid(os.getuid()).pw_dir)
    with pytest.raises(UnsafeRoot):
        Sandbox(real)


def test_path_patterns_match_across_the_root(tmp_path, monkeypatch):
    """Issue 14 class 1, second attack: a root inside a state folder (``~/.config/gcloud``,
    ``~/.claude/projects/p``) saw its files by their names below the root only, so
    ``.config/gcloud`` or ``.claude/projects`` never matched."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    files = {
        ".config/gcloud/application_default.json": "gcloud",
        ".config/github-copilot/hosts.json": "copilot",
        ".claude/projects/p/session.jsonl": "transcript",
        ".m2/repo/settings.xml": "not maven's settings (below repo/)",
    }
    for rel in files:
        p = home / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"{CANARY} {rel}\n")
    for rel, what in list(files.items())[:3]:
        box = Sandbox(home / Path(rel).parent)
        name = Path(rel).name
        with pytest.raises(SandboxError, match="protected"):
            box.read(name)
        assert box.grep(CANARY) == "No matches found", what
        assert box.glob("**/*") == "No files found", what
    box = Sandbox(home / ".m2" / "repo")
    assert CANARY in box.read("settings.xml")
    # names are checked below the root only: a project kept in a folder named like a
    # denied file stays usable
    proj = home / "secrets.d" / "app"
    proj.mkdir(parents=True)
    (proj / "main.py").write_text("x = 1\n")
    assert "x = 1" in Sandbox(proj).read("main.py")


def test_no_root_is_a_state_folder_of_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    for d in (".claude", ".config", ".aws", ".dotfiles"):
        (home / d).mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for d in (".claude", ".config", ".aws", ".dotfiles"):
        with pytest.raises(UnsafeRoot, match="settings, state and credentials"):
            Sandbox(home / d)
    (home / ".config" / "nvim").mkdir()
    assert Sandbox(home / ".config" / "nvim").root == home / ".config" / "nvim"


SECOND_ATTACK = [  # project files that held secrets and were read through Grep (issue 14)
    ("config", "database.yml"),
    (".dev.vars",),
    ("wp-config.php",),
    ("config", "credentials.yml.enc"),
    ("myapp-firebase-adminsdk-x1y2z-0123456789.json",),
    ("token.json",),
    ("token.pickle",),
    (".ipython", "profile_default", "history.sqlite"),
    (".m2", "settings.xml"),
    (".claude", "settings.local.json"),
    (".claude", "history.jsonl"),
    (".config", "github-copilot", "apps.json"),
    (".cloudflared", "tunnel.json"),
]


@pytest.mark.parametrize("parts", SECOND_ATTACK, ids="/".join)
def test_second_attack_files_are_denied(parts: tuple[str, ...]):
    assert denied_part(parts) is not None
    assert denied_part((*parts[:-1], parts[-1] + ".bak")) is not None
