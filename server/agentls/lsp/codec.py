"""Position conversion between code points and the client's units, at C speed.

pygls' ``PositionCodec`` counts code units one character at a time in a Python generator:
for a diagnostic at the end of a 5,000-character ``description:`` line that is 10,000
generator steps per range, most of the work of publishing diagnostics. This codec gives
the same answers from ``str.isascii`` and ``str.encode`` (a test compares the two on every
position of mixed ASCII / two-byte / BMP / astral / lone-surrogate lines), except for a
character offset past the end of a line: pygls maps it one character short of the end, or
past the line break; this codec maps it to the end of the line, before its line break, as
LSP says (and a line past the last one to the end of the document, in code points where
pygls counts client units).
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types as lsp
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

_CODECS: dict[object, str] = {
    lsp.PositionEncodingKind.Utf8: "utf-8",
    lsp.PositionEncodingKind.Utf16: "utf-16-le",
}
_WIDTH = {"utf-8": 1, "utf-16-le": 2}


class FastPositionCodec(PositionCodec):
    """A drop-in ``PositionCodec`` (UTF-8, UTF-16 or UTF-32) without per-character loops."""

    def __init__(self, encoding: lsp.PositionEncodingKind | str | None = None) -> None:
        super().__init__(encoding or lsp.PositionEncodingKind.Utf16)
        self._codec: str | None = _CODECS.get(self.encoding)
        if self.encoding not in _CODECS and self.encoding != lsp.PositionEncodingKind.Utf32:
            self._codec = "utf-16-le"  # pygls' fallback for an unknown encoding
        self._width = _WIDTH.get(self._codec or "", 1)

    def client_num_units(self, string: str) -> int:
        if self._codec is None or string.isascii():
            return len(string)
        return len(string.encode(self._codec, "surrogatepass")) // self._width

    def position_from_client_units(
        self, lines: Sequence[str], position: lsp.Position
    ) -> ServerTextPosition:
        if len(lines) == 0:
            return ServerTextPosition(0, 0)
        if position.line >= len(lines):
            # past the last line: the end of the document, after a last line break (the
            # empty line after it is not in `lines`)
            return ServerTextPosition(len(lines) - 1, len(lines[-1]))
        # LSP: a character past the end of the line means the end of the line (before
        # its line break)
        line = _content(lines[position.line])
        units = max(position.character, 0)
        if self._codec is None or line.isascii():
            return ServerTextPosition(position.line, min(units, len(line)))
        raw = line.encode(self._codec, "surrogatepass")
        # the characters that fit entirely in `units` code units...
        index = len(raw[: units * self._width].decode(self._codec, "ignore"))
        # ...and, as pygls does, the one a position inside a character's units points into
        if index < len(line) and self.client_num_units(line[:index]) < units:
            index += 1
        return ServerTextPosition(position.line, index)

    def position_to_client_units(
        self, lines: Sequence[str], position: ServerTextPosition | lsp.Position
    ) -> lsp.Position:
        if not 0 <= position.line < len(lines):
            return lsp.Position(line=len(lines), character=0)
        prefix = lines[position.line][: position.character]
        return lsp.Position(line=position.line, character=self.client_num_units(prefix))


def _content(line: str) -> str:
    if line.endswith("\n"):
        return line[:-2] if line.endswith("\r\n") else line[:-1]
    return line[:-1] if line.endswith("\r") else line


def fast_codec(codec: PositionCodec) -> FastPositionCodec:
    """The fast codec for the encoding ``codec`` was negotiated with."""
    if isinstance(codec, FastPositionCodec):
        return codec
    return FastPositionCodec(codec.encoding)
