"""Redaction: the base URL's user, password and query, and streamed text cut anywhere."""

from __future__ import annotations

import base64
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from agentls.runner.redact import (
    MASK,
    StreamRedactor,
    redact,
    register_secret,
    register_url,
    safe_url,
)
from fakes.fake_messages_api import FAKE_KEY, PLAIN_KEY

URL = "https://alice.tokenuser42:s3cret%40Pass@proxy.example:8443/anthropic?key=QUERYKEY-7f3e9a1b"


def test_safe_url_masks_user_password_and_query():
    assert safe_url(URL) == f"https://{MASK}@proxy.example:8443/anthropic?{MASK}"
    assert safe_url("http://127.0.0.1:9/v1") == "http://127.0.0.1:9/v1"
    assert safe_url("https://tok@h/") == f"https://{MASK}@h/"
    assert safe_url("https://h/?a=1#frag") == f"https://h/?{MASK}"


def test_registered_url_parts_are_masked_in_any_text():
    register_url(URL)
    basic = base64.b64encode(b"alice.tokenuser42:s3cret@Pass").decode()
    for leak in (
        "s3cret%40Pass",
        "s3cret@Pass",
        "alice.tokenuser42",
        "key=QUERYKEY-7f3e9a1b",
        "QUERYKEY-7f3e9a1b",
        basic,
    ):
        out = redact(f"log: {leak} end")
        assert leak not in out and MASK in out, leak
    # any URL's user and password, registered or not, whatever their length
    assert redact("GET http://u:p@10.0.0.1/x") == f"GET http://{MASK}@10.0.0.1/x"
    assert redact("see ftp://a@b@host/") == f"see ftp://{MASK}@host/"
    # short or common words of a URL are not masked everywhere (answers stay readable)
    register_url("https://admin:hunter2@h/?beta=true")
    assert redact("the admin says beta=true") == "the admin says beta=true"
    assert "hunter2" not in redact("password hunter2")


def test_authorization_basic_header_is_masked():
    assert "dXNlcjpwYXNz" not in redact("Authorization: Basic dXNlcjpwYXNz")


SECRETY = [
    FAKE_KEY,
    PLAIN_KEY,
    "api_key = 'val-123456789'",
    "Authorization: Bearer abcdefghijk123",
    "x-api-key: zzzzzzzz",
    "https://bob:pw12345@h.example/v1",
    "sk-ant-api03-xyzXYZ0123456789",
]
VALUES = [FAKE_KEY, PLAIN_KEY, "val-123456789", "abcdefghijk123", "zzzzzzzz", "pw12345", "xyzXYZ"]
PIECES = st.lists(
    st.one_of(st.sampled_from(SECRETY), st.text(max_size=12), st.sampled_from([" ", "\n", ":"])),
    max_size=8,
)
CUTS = st.lists(st.integers(min_value=0, max_value=400), max_size=12)


def _stream(text: str, cuts: list[int]) -> str:
    bounds = sorted({c for c in cuts if c <= len(text)} | {0, len(text)})
    sr = StreamRedactor()
    shown = "".join(sr.feed(text[a:b]) for a, b in itertools.pairwise(bounds))
    return shown + sr.flush()


@settings(max_examples=300, deadline=None)
@given(PIECES, CUTS)
def test_stream_redactor_equals_redacting_the_whole_text(parts, cuts):
    """Words apart (as in answers): the stream shows exactly the redacted whole text."""
    register_secret(PLAIN_KEY)
    text = " ".join(parts)
    assert _stream(text, cuts) == redact(text)


@settings(max_examples=300, deadline=None)
@given(PIECES, CUTS)
def test_stream_redactor_leaks_nothing_the_whole_text_hides(parts, cuts):
    """Glued together, masks may fall differently, but no value the whole text hides."""
    register_secret(PLAIN_KEY)
    text = "".join(parts)
    shown, whole = _stream(text, cuts), redact(text)
    for value in VALUES:
        assert shown.count(value) <= whole.count(value), value
    assert FAKE_KEY not in shown and PLAIN_KEY not in shown


def test_stream_redactor_holds_nothing_back_from_ordinary_text(monkeypatch):
    from agentls.runner import redact as module

    monkeypatch.setattr(module, "_secrets", set())  # no secret registered by other tests
    sr = StreamRedactor()
    assert sr.feed("First") == "First"
    assert sr.feed(" token") == " token"
    assert sr.feed("\n## Findings\n") == "\n## Findings\n"


def test_stream_redactor_key_one_character_at_a_time():
    register_secret(PLAIN_KEY)
    sr = StreamRedactor()
    text = f"your key is {PLAIN_KEY} and {FAKE_KEY}."
    shown = "".join(sr.feed(c) for c in text) + sr.flush()
    assert PLAIN_KEY not in shown and FAKE_KEY not in shown
    assert shown == redact(text)


def test_a_short_query_or_fragment_of_the_base_url_is_masked_where_the_url_is_shown():
    """Issue 14 class 11, second attack: ``?key=QSECRET`` (shorter than a token) and
    ``#FRAGSECRET`` showed in the SDK's debug log, which prints the base URL as given."""
    register_url("http://127.0.0.1:1/?key=QSHORT#FRAGSHORT")
    line = "Sending HTTP Request: POST http://127.0.0.1:1/?key=QSHORT/v1/messages#FRAGSHORT"
    out = redact(line)
    assert "QSHORT" not in out and "FRAGSHORT" not in out, out
    assert "http://127.0.0.1:1/" in out
    assert redact("key QSHORT alone") == "key QSHORT alone"  # short values elsewhere stay


def test_url_problem_names_what_is_wrong_without_the_url():
    from agentls.runner.redact import url_problem

    assert url_problem("https://api.anthropic.com") is None
    assert url_problem("http://127.0.0.1:8080/v1?x=1") is None
    for bad in ("http://[::1:PWSECRET", "http://h:notaport/", "ftp://u:PWSECRET@h", "http://"):
        why = url_problem(bad)
        assert why and "PWSECRET" not in why, bad
