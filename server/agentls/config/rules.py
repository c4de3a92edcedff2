"""The ``agentls-config`` dialect: a configuration file checked like any other file.

Its findings are those its reading found (:mod:`agentls.config.model`: syntax, unknown keys,
wrong values, unknown rules), and config-not-used when another configuration file of the
same folder takes precedence over it (agentls.config.discovery)."""

from __future__ import annotations

import os

from agentls.config import FILE_NAMES, PYPROJECT
from agentls.config.model import Config, read_config
from agentls.rules import codes
from agentls.rules.registry import finding
from agentls.types import Finding, Range


def check_config(text: str, path: str | None) -> tuple[Config | None, list[Finding]]:
    name = os.path.basename(path) if path else "agentls.toml"
    folder = os.path.dirname(os.path.abspath(path)) if path else ""
    config = read_config(path or name, folder, text)
    if config is None:  # a pyproject.toml without [tool.agentls]
        return None, []
    findings = list(config.findings)
    winner = _winner(folder, name) if path else None
    if winner is not None:
        findings.insert(
            0,
            finding(
                codes.CONFIG_NOT_USED,
                _table_range(config),
                f"agentls does not read this configuration: `{winner}` in the same folder "
                f"takes precedence ({' > '.join(_display(n) for n in FILE_NAMES)}), and "
                "configurations are not merged.",
            ),
        )
    return config, findings


def _winner(folder: str, name: str) -> str | None:
    """A file of ``folder`` whose configuration wins over the one named ``name``."""
    if name not in FILE_NAMES:
        return None
    for other in FILE_NAMES[: FILE_NAMES.index(name)]:
        candidate = os.path.join(folder, other)
        if other != PYPROJECT and os.path.isfile(candidate):
            return other
    return None


def _table_range(config: Config) -> Range:
    """The ``[tool.agentls]`` header, or the first line."""
    for n, line in enumerate(config.lines):
        if config.table and line.strip().startswith("[tool.agentls"):
            return Range.of(n, 0, n, len(line.rstrip()))
    first = config.lines[0] if config.lines else ""
    return Range.of(0, 0, 0, len(first))


def _display(name: str) -> str:
    return "`[tool.agentls]` in pyproject.toml" if name == PYPROJECT else name
