"""agentls's effective configuration against recorded Claude Code 2.1.332 behaviour.

No Claude Code binary is needed: the observations in ``observations/*.json`` were recorded
by ``record.py``. Files whose bytes changed since recording are skipped. See
docs/conformance.md for the method and the mapping.
"""

from __future__ import annotations

import cc_conformance as cc
import pytest

pytest.importorskip("agentls.engine", reason="agentls.engine is not available yet")

FIXTURE_DATA = cc.load_observations("fixtures")
SEED_DATA = cc.load_observations("seeds")
CORPUS_DATA = cc.load_observations("corpus")
MIN_CORPUS_AGREEMENT = 99.5
SUMMARY: list[str] = []


def _env(data: dict[str, object]) -> dict[str, object]:
    return {k: data[k] for k in ("sentinel_main_model", "model_resolution", "tool_pools")}


def _ids(data: dict[str, object] | None) -> list[str]:
    return [f["path"] for f in data["files"]] if data else []  # type: ignore[index]


def _check(label: str, data: dict[str, object] | None, path: str) -> None:
    assert data is not None, f"observations/{label}.json is missing: run record.py"
    obs = next(f for f in data["files"] if f["path"] == path)  # type: ignore[attr-defined]
    out = cc.compare_file(label, obs, _env(data))
    if out.status == "skipped":
        pytest.skip(out.note)
    known = cc.load_known_differences().get((label, path))
    if out.differences and known and set(out.differences) <= set(known.get("fields", cc.FIELDS)):
        pytest.xfail(f"known difference: {known['reason']}")
    assert not out.differences, "\n".join(
        f"{f}: agentls {ours} | Claude Code {theirs}"
        for f, (ours, theirs) in out.differences.items()
    )


def test_fixture_observations_exist() -> None:
    assert FIXTURE_DATA is not None, "observations/fixtures.json is missing"
    assert len(FIXTURE_DATA["files"]) >= 60
    assert FIXTURE_DATA["claude_code_version"] == "2.1.332"


@pytest.mark.parametrize("path", _ids(FIXTURE_DATA))
def test_fixture(path: str) -> None:
    _check("fixtures", FIXTURE_DATA, path)


@pytest.mark.parametrize("path", _ids(SEED_DATA))
def test_seed(path: str) -> None:
    if not (cc.SHARED / "seeds").is_dir():
        pytest.skip("../shared/seeds is not present")
    _check("seeds", SEED_DATA, path)


def test_fixture_agreement_is_total() -> None:
    fig = cc.figures("fixtures")
    SUMMARY.append(fig.line())
    assert not fig.unexplained, fig.line()


@pytest.mark.corpus
def test_corpus_agreement() -> None:
    if not (cc.SHARED / "corpus" / "MANIFEST.tsv").is_file():
        pytest.skip("../shared/corpus is not present")
    if CORPUS_DATA is None:
        pytest.skip("observations/corpus.json has not been recorded")
    fig = cc.figures("corpus")
    SUMMARY.append(fig.line())
    details = "\n".join(
        f"{o.path}: {f}: agentls {a} | Claude Code {b}"
        for o in fig.unexplained[:40]
        for f, (a, b) in o.differences.items()
    )
    assert not fig.unexplained, f"{fig.line()}\n{details}"
    assert fig.agreement >= MIN_CORPUS_AGREEMENT, fig.line()
