"""Every way an agent run can fail, as one clear, key-free message."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import anthropic
import httpx2

from agentls.runner.redact import redact, safe_url

HOW_TO_SET_KEY = (
    "Set ANTHROPIC_API_KEY in the environment that starts agentls, or in VS Code run "
    '"agentls: Set Anthropic API key" (other editors: the `apiKey` initialization option '
    "or the `agentls/setApiKey` notification)."
)


@dataclass
class RunError(Exception):
    """A failed run. ``kind`` is stable (tests, clients); ``message`` is for people."""

    kind: str
    message: str
    retry_after: float | None = None
    status: int | None = None

    def __post_init__(self) -> None:
        self.message = redact(self.message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def no_api_key() -> RunError:
    return RunError("no_api_key", f"No Anthropic API key is set. {HOW_TO_SET_KEY}")


def _retry_after(headers: httpx2.Headers | None) -> float | None:
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            continue
    for name in ("anthropic-ratelimit-requests-reset", "anthropic-ratelimit-tokens-reset"):
        if headers.get(name):
            try:
                from datetime import UTC, datetime

                reset = datetime.fromisoformat(headers[name].replace("Z", "+00:00"))
                return max(0.0, (reset - datetime.now(UTC)).total_seconds())
            except ValueError:
                continue
    return None


def _api_detail(exc: anthropic.APIStatusError) -> str:
    msg = exc.api_message if isinstance(exc.api_message, str) else None
    return f": {msg}" if msg else ""


def _by_error_type(kind: str | None, detail: str, status: int | None) -> RunError | None:
    if kind == "overloaded_error":
        return RunError(
            "overloaded",
            f"The Anthropic API is overloaded (529){detail}. Try again in a minute.",
            status=529,
        )
    if kind == "rate_limit_error":
        return RunError(
            "rate_limited", f"Rate limited by the Anthropic API (429){detail}.", status=429
        )
    if kind == "api_error":
        return RunError(
            "server_error",
            f"The Anthropic API failed with an internal error{detail}. Try again later.",
            status=status,
        )
    return None


def map_exception(
    exc: BaseException, *, base_url: str | None = None, timeout: float | None = None
) -> RunError:
    """The :class:`RunError` for any exception raised while talking to the API."""
    if isinstance(exc, RunError):
        return exc
    where = f" at {safe_url(base_url)}" if base_url else ""
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        detail = _api_detail(exc)
        if status == 401:
            return RunError(
                "unauthorized",
                f"The Anthropic API rejected the API key (401 unauthorized){detail}. "
                f"Check that the key is valid and not revoked. {HOW_TO_SET_KEY}",
                status=401,
            )
        if status == 403:
            return RunError(
                "forbidden",
                f"The API key is not allowed to do this (403 forbidden){detail}. "
                "Check the key's workspace, organisation and model access.",
                status=403,
            )
        if status == 404:
            return RunError(
                "not_found",
                f"Not found (404){detail}. Check the agent's model (and the `models` setting) "
                f"and ANTHROPIC_BASE_URL{where}.",
                status=404,
            )
        if status == 429:
            wait = _retry_after(exc.response.headers)
            when = f" Retry in {math.ceil(wait)} s." if wait is not None else " Retry in a moment."
            return RunError(
                "rate_limited",
                f"Rate limited by the Anthropic API (429 too many requests){detail}.{when}",
                retry_after=wait,
                status=429,
            )
        if status == 529:
            return RunError(
                "overloaded",
                f"The Anthropic API is overloaded (529){detail}. Try again in a minute.",
                status=529,
            )
        if status >= 500:
            return RunError(
                "server_error",
                f"The Anthropic API failed with HTTP {status}{detail}. Try again later.",
                status=status,
            )
        if status == 200:  # an `error` event inside the stream
            body = exc.body
            kind = None
            msg = ""
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                kind = body["error"].get("type")
                msg = str(body["error"].get("message") or "")
            mapped = _by_error_type(kind, f": {msg}" if msg else "", None)
            if mapped is not None:
                mapped.message += " The answer was cut off; nothing was applied."
                return mapped
            return RunError(
                "broken_stream",
                f"The Anthropic API reported an error in the middle of the answer"
                f"{': ' + msg if msg else ''}. Nothing was applied.",
            )
        return RunError(
            "bad_request",
            f"The Anthropic API refused the request (HTTP {status}){detail}.",
            status=status,
        )
    if isinstance(exc, anthropic.APITimeoutError | httpx2.TimeoutException):
        secs = f" within {timeout:g} s" if timeout else ""
        return RunError(
            "timeout",
            f"The Anthropic API{where} did not answer{secs} (timeout). "
            "Try again, or raise the `timeout` setting.",
        )
    if isinstance(exc, anthropic.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, httpx2.ConnectError) or "refused" in str(cause).lower():
            return RunError(
                "connection_refused",
                f"Could not connect to the Anthropic API{where}: connection refused. "
                "Check your network, proxy and ANTHROPIC_BASE_URL.",
            )
        return RunError(
            "connection_error",
            f"Could not reach the Anthropic API{where}. Check your network, proxy and "
            "ANTHROPIC_BASE_URL.",
        )
    if isinstance(exc, httpx2.TransportError):
        return RunError(
            "broken_stream",
            "The connection to the Anthropic API broke in the middle of the answer. "
            "Nothing was applied; try again.",
        )
    if isinstance(exc, json.JSONDecodeError | ValueError):
        return RunError(
            "malformed_stream",
            "The Anthropic API sent a malformed answer (invalid server-sent events or tool "
            "input). Nothing was applied; try again.",
        )
    if isinstance(exc, anthropic.AnthropicError):
        return RunError("api_error", f"The Anthropic SDK failed: {type(exc).__name__}.")
    return RunError("internal", f"The agent run failed: {type(exc).__name__}: {exc}")
