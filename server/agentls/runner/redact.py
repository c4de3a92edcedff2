"""Keep API keys out of every log line, message and exception text.

Two layers: the exact secrets this process knows (registered when a key is set), and
patterns that catch keys we were never told about (``sk-ant-...``, ``x-api-key: ...``,
``"apiKey": "..."``, ``Authorization: Bearer ...``). :func:`install_log_redaction` wraps the
logging record factory so that every record, from any library (pygls logs initialization
options at INFO, the SDK logs requests at DEBUG), is redacted when it is created.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

MASK = "[REDACTED]"
_MIN_PASSWORD = 4
_MIN_TOKEN = 12

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False

_PATTERNS = [
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{4,}"),
    # key/value shapes: apiKey='x', "api_key": "x", x-api-key: x, ANTHROPIC_API_KEY=x
    re.compile(
        r"""(?ix)
        ((?:x-)?api[_-]?key|apikey|anthropic_api_key|anthropic_auth_token|auth[_-]?token)
        (['"]?\s*[:=]\s*['"]?)
        ([^'"\s,;})\]]+)
        """
    ),
    re.compile(
        r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:(?:bearer|basic)\s+)?)([^'\"\s,;})\]]+)"
    ),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9_\-.=]{8,})"),
    # the user and password of any URL: scheme://user:password@host (the scheme is not
    # required: a stream may have been cut after it)
    re.compile(r"(://)([^/\s?#@]+(?:@[^/\s?#@]+)*)@"),
    # the query of a labelled base URL (baseUrl='...?key=...', ANTHROPIC_BASE_URL=...?...),
    # even before it is registered (pygls logs the initialization options as they arrive)
    re.compile(r"(?i)(base_?url['\"]?\s*[:=]\s*['\"]?[^'\"\s?#]*\?)([^'\"\s#]+)"),
]
# What may be the start of a masked value still arriving, at the end of streamed text: a
# label with or without its value so far, a key prefix, a URL's authority.
_TAIL = [
    re.compile(
        r"""(?ix)
        (?:(?:x-)?api[_-]?key|apikey|anthropic_api_key|anthropic_auth_token|auth[_-]?token
           |authorization|bearer)
        ['"]?\s*[:=]?\s*['"]?(?:(?:bearer|basic)\s*)?[^'"\s,;})\]]*\Z
        """
    ),
    re.compile(r"sk-ant-[A-Za-z0-9_\-]*\Z"),
    re.compile(r":(?://[^/\s?#]*)?\Z|:/\Z"),
]
# Labels and prefixes that a piece may end in the middle of ("Authoriz", "x-api-k", "sk-a").
_STARTS = (
    "x-api-key",
    "api_key",
    "api-key",
    "apikey",
    "anthropic_api_key",
    "anthropic_auth_token",
    "auth_token",
    "auth-token",
    "authorization",
    "bearer",
    "sk-ant-",
)
_WINDOW = 512  # longer than any key or token that is masked


def register_secret(secret: str | None) -> None:
    """Remember ``secret`` so that it is masked wherever it appears later."""
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def register_url(url: str | None) -> None:
    """Remember the secret parts of ``url`` (a base URL) wherever they appear later: its
    password, its user name and query values when they are long enough to be tokens (a
    user ``admin`` or a query ``beta=true`` masked everywhere would garble answers and
    files), as written and percent-decoded, and the Basic credential built from them.
    In URLs, the user and password are masked whatever their length (:func:`redact`)."""
    if not url:
        return
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return
    user, _, password = parts.netloc.rpartition("@")[0].partition(":")
    values = [(password, _MIN_PASSWORD), (user, _MIN_TOKEN), (parts.query, _MIN_TOKEN)]
    # the query and fragment with their `?` and `#`, whatever their length: the SDK's debug
    # log prints the base URL as given (`POST http://host/?key=abc/v1/messages`), and a
    # short token there was shown (issue 14 class 11, second attack); "?beta=true" masked
    # in an answer costs little
    for mark, raw in (("?", parts.query), ("#", parts.fragment)):
        if raw:
            register_secret(mark + raw)
            register_secret(mark + unquote(raw))
    values.append((parts.fragment, _MIN_TOKEN))
    values += [(v, _MIN_TOKEN) for _, v in parse_qsl(parts.query, keep_blank_values=True)]
    for raw, least in values:
        for form in {raw, unquote(raw), quote(unquote(raw), safe="")}:
            if len(form) >= least:
                register_secret(form)
    if user or password:
        basic = f"{unquote(user)}:{unquote(password)}".encode()
        register_secret(base64.b64encode(basic).decode())


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a base URL (None: it can), in words that show none of it: the
    HTTP library raised InvalidURL with the URL's text in a traceback (``http://[::1:pw``)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return "it is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "it must start with http:// or https://"
    if not parts.hostname:
        return "it names no host"
    return None


def safe_url(url: str) -> str:
    """``url`` for messages: its user, password and query replaced by the mask."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return MASK
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{MASK}@{host}" if "@" in parts.netloc else host
    query = MASK if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def redact(text: str) -> str:
    """``text`` with every known secret and every key-shaped value masked."""
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, MASK)
    text = _PATTERNS[0].sub(MASK, text)
    text = _PATTERNS[1].sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _PATTERNS[2].sub(lambda m: m.group(1) + MASK, text)
    text = _PATTERNS[3].sub(lambda m: m.group(1) + MASK, text)
    text = _PATTERNS[4].sub(lambda m: m.group(1) + MASK + "@", text)
    text = _PATTERNS[5].sub(lambda m: m.group(1) + MASK, text)
    return text


class StreamRedactor:
    """Redact text that arrives in pieces (a streamed answer) without letting a secret
    through because it was cut in two: each piece is given back up to the first place where
    a masked value may still be arriving (a prefix of a known secret, ``sk-ant-...``, a
    label such as ``api_key =`` or ``Bearer`` with or without its value so far, a URL whose
    user and password may follow), the rest is held until the next piece or :meth:`flush`.
    Text that can start nothing of the kind (nearly all of it) is not held at all: no
    latency is added to the first token."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, text: str) -> str:
        self._pending += text
        cut = _safe_cut(self._pending)
        out, self._pending = self._pending[:cut], self._pending[cut:]
        return redact(out)

    def flush(self) -> str:
        out, self._pending = self._pending, ""
        return redact(out)


def _safe_cut(text: str) -> int:
    lo = max(0, len(text) - _WINDOW)
    tail = text[lo:]
    cut = len(tail)
    for rx in _TAIL:
        m = rx.search(tail)
        if m is not None and m.start() < cut:
            cut = m.start()
    with _lock:
        secrets = list(_secrets)
    low = tail[-32:].lower()
    for starts, text_end in ((secrets, tail), (_STARTS, low)):
        for s in starts:
            k = _longest_prefix_suffix(text_end, s)
            if k:
                cut = min(cut, len(tail) - k)
    cut += lo
    # never cut through a complete match
    start = max(0, lo - _WINDOW)
    window = text[start:]
    spans = [(m.start(), m.end()) for rx in _PATTERNS for m in rx.finditer(window)]
    for s in secrets:
        i = window.find(s)
        while i >= 0:
            spans.append((i, i + len(s)))
            i = window.find(s, i + 1)
    moved = True
    while moved:
        moved = False
        for a, b in spans:
            if start + a < cut < start + b:
                cut = start + a
                moved = True
    if len(text) - cut > 2 * _WINDOW:  # a held value that never ends is not a key
        cut = len(text) - _WINDOW
    return cut


def mask_known_secrets(value: Any) -> Any:
    """``value`` (a JSON-like value) with every registered secret masked, and nothing else
    changed: for records that keep code as it was (a pattern such as ``api_key = ...``
    in the user's code stays as it is)."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    if not secrets:
        return value

    def mask(v: Any) -> Any:
        if isinstance(v, str):
            for s in secrets:
                if s in v:
                    v = v.replace(s, MASK)
            return v
        if isinstance(v, dict):
            return {k: mask(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [mask(x) for x in v]
        return v

    return mask(value)


def _longest_prefix_suffix(text: str, s: str) -> int:
    """The longest ``k < len(s)`` such that ``text`` ends with ``s[:k]`` (0: none). Only the
    places where ``s``'s first character occurs near the end are tried: one ``find`` per
    candidate instead of one ``endswith`` per length (a streamed answer pays this for every
    registered secret and label on every piece)."""
    if not s:
        return 0
    start = max(0, len(text) - len(s) + 1)
    i = text.find(s[0], start)
    while i >= 0:
        k = len(text) - i
        if s.startswith(text[i:]):
            return k
        i = text.find(s[0], i + 1)
    return 0


def redact_obj(value: Any) -> Any:
    """Redact every string inside a JSON-like value."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_obj(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_obj(v) for v in value]
    return value


def install_log_redaction() -> None:
    """Redact every log record of this process at creation (idempotent)."""
    global _installed
    register_url(os.environ.get("ANTHROPIC_BASE_URL"))
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the record as it is, redacted
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            import traceback

            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
        return record

    logging.setLogRecordFactory(factory)
