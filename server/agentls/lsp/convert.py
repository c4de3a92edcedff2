"""Engine types ↔ lsprotocol types. Positions go through pygls' codec (negotiated encoding)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from lsprotocol import types as lsp
from pygls.workspace.position_codec import PositionCodec

if TYPE_CHECKING:  # imported when first needed: start-up time
    from agentls.types import Finding, Position, Range, TextEdit


def _rule_url(code: str) -> str:
    from agentls.rules.registry import rule_url  # imported when first needed: start-up time

    return rule_url(code)


_TAGS = {"unnecessary": lsp.DiagnosticTag.Unnecessary, "deprecated": lsp.DiagnosticTag.Deprecated}


def to_lsp_range(codec: PositionCodec, lines: Sequence[str], r: Range) -> lsp.Range:
    """Code points → the client's units. ``lines`` are the document lines."""
    raw = lsp.Range(
        start=lsp.Position(r.start.line, r.start.character),
        end=lsp.Position(r.end.line, r.end.character),
    )
    return codec.range_to_client_units(lines, raw)


def from_lsp_position(codec: PositionCodec, lines: Sequence[str], p: lsp.Position) -> Position:
    from agentls.types import Position

    pos = codec.position_from_client_units(lines, p)
    return Position(pos.line, pos.character)


def from_lsp_range(codec: PositionCodec, lines: Sequence[str], r: lsp.Range) -> Range:
    from agentls.types import Range

    return Range(from_lsp_position(codec, lines, r.start), from_lsp_position(codec, lines, r.end))


def _file_uri(path: str) -> str:
    """A related location's file as a URI (the engine names files by path)."""
    if "://" in path:
        return path
    from pygls.uris import from_fs_path

    return from_fs_path(path) or path


def to_diagnostic(
    codec: PositionCodec, lines: Sequence[str], f: Finding, uri_of: dict[str, str] | None = None
) -> lsp.Diagnostic:
    related = None
    if f.related:
        related = [
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(
                    uri=(uri_of or {}).get(rel.path) or _file_uri(rel.path),
                    range=lsp.Range(
                        lsp.Position(rel.range.start.line, rel.range.start.character),
                        lsp.Position(rel.range.end.line, rel.range.end.character),
                    ),
                ),
                message=rel.message,
            )
            for rel in f.related
        ]
    return lsp.Diagnostic(
        range=to_lsp_range(codec, lines, f.range),
        message=f.message,
        severity=lsp.DiagnosticSeverity(int(f.severity)),  # Severity uses LSP's numbers
        code=f.code,
        code_description=lsp.CodeDescription(href=_rule_url(f.code)),
        source="agentls",
        tags=[_TAGS[t] for t in f.tags if t in _TAGS] or None,
        related_information=related,
        data={"code": f.code},
    )


def to_text_edit(codec: PositionCodec, lines: Sequence[str], e: TextEdit) -> lsp.TextEdit:
    return lsp.TextEdit(range=to_lsp_range(codec, lines, e.range), new_text=e.new_text)


def text_edits_for(
    codec: PositionCodec, text: str, edits: Iterable[TextEdit]
) -> list[lsp.TextEdit]:
    """Engine edits on ``text`` as LSP edits in the client's units: how every edit the
    server sends is made (agent proposals, quick fixes, fix-all, rename), with the lines
    split as LSP splits them (:mod:`agentls.lines`), never with ``str.splitlines``."""
    from agentls.lines import lsp_lines

    lines = lsp_lines(text)
    return [to_text_edit(codec, lines, e) for e in edits]
