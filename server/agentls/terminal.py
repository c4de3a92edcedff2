"""Text that is safe to print on a terminal: the one escaping function for human output.

Everything agentls prints for people can hold text it did not write: a model's streamed
answer, a tool call's arguments, a diff of a workspace file, an agent file's ``name`` or
``tools``. A terminal obeys control characters in that text: ESC starts sequences that clear
the screen (``ESC [2J``), set the window title or write to the clipboard (OSC ``ESC ]``),
or make links; BEL rings; CR and BS overwrite what was printed before, so a forged line can
hide a real one; C1 controls (U+0080-U+009F) are the 8-bit forms of the same sequences on
some terminals; bidirectional overrides reorder what is shown (the "Trojan Source" trick).

:func:`escape` keeps line feeds and tabs (and, unless ``multiline=False``, only those) and
shows every other such character visibly, so that nothing is lost and nothing acts:

- C0 controls and DEL become their Unicode "control pictures" (``ESC`` → ``␛``,
  ``CR`` → ``␍``, ``BEL`` → ``␇``, ``DEL`` → ``␡``): one column wide each, so columns stay
  aligned, and unlike a backslash escape they cannot be confused with source code that
  spells ``"\\x1b"`` itself (a diff of such code must show it as it is);
- C1 controls, bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
  U+2066-U+2069), the line and paragraph separators U+2028 and U+2029, and lone surrogates
  (undecodable bytes kept by ``surrogateescape``; printing one raises UnicodeEncodeError)
  become ``<U+XXXX>``.

Text without any of them (nearly all text) is returned as it is, after one regular
expression search.
"""

from __future__ import annotations

import re

__all__ = ["escape"]

# C0 except TAB and LF, DEL, C1, bidi controls, LS/PS, lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNSAFE_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _picture(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def escape(text: str, *, multiline: bool = True) -> str:
    """``text`` with every control character shown visibly (see the module docstring).

    ``multiline=False`` escapes line feeds and tabs too: for a value shown inside one line
    (a file name, a tool argument), where a line feed could forge a line of its own.
    """
    rx = _UNSAFE if multiline else _UNSAFE_LINE
    if rx.search(text) is None:
        return text
    return rx.sub(_picture, text)
