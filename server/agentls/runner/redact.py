"""Keep API keys out of every log line, message and exception text.

Two layers: the exact secrets this process knows (registered when a key is set), and
patterns that catch keys we were never told about (``sk-ant-...``, ``x-api-key: ...``,
``"apiKey": "..."``, ``Authorization: Bearer ...``). :func:`install_log_redaction` wraps the
logging record factory so that every record, from any library (pygls logs initialization
options at INFO, the SDK logs requests at DEBUG), is redacted when it is created.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

MASK = "[REDACTED]"

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
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer\s+)?)([^'\"\s,;})\]]+)"),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9_\-.=]{8,})"),
]


def register_secret(secret: str | None) -> None:
    """Remember ``secret`` so that it is masked wherever it appears later."""
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


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
    return text


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
