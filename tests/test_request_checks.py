"""The pure checks before Bolt: body size and signature (http_guard), shape (request_shape)."""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.http_guard import (
    DISCARDED_BYTES_LIMIT,
    MAX_BODY_BYTES,
    Rejected,
    is_ssl_check,
    parsed_body,
    read_body,
    signature_is_valid,
)
from bot.request_shape import (
    EVENT_CHANNEL_PATHS,
    INTERACTIVITY_MATCHED_ON,
    SLASH_COMMAND_FIELDS,
    missing_field,
)
from bot.sandbox.slack.driver import FORM
from tests.slack_payloads import (
    ALL_KINDS,
    JSON,
    JSON_VALUES,
    NEEDED_FIELDS,
    Payload,
    broken_payloads,
    reaction_added,
)

SECRET = "shhh"
NOW = 1_800_000_000


# -- body size ---------------------------------------------------------------------------------


class CountingStream(io.BytesIO):
    """wsgi.input that remembers the most it handed out in one read."""

    largest_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.largest_read = max(self.largest_read, len(chunk))
        return chunk


def environ_for(body: bytes, length: str | None = None, terminated: bool = False) -> dict[str, Any]:
    environ: dict[str, Any] = {"wsgi.input": CountingStream(body)}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    if terminated:
        environ["wsgi.input_terminated"] = True
    return environ


def rejection(action: Callable[[], object]) -> tuple[int, str]:
    with pytest.raises(Rejected) as raised:
        action()
    return raised.value.status, raised.value.reason


def test_a_body_up_to_the_limit_is_read_whole() -> None:
    body = b"x" * MAX_BODY_BYTES
    assert read_body(environ_for(body, str(len(body)))) == body
    assert read_body(environ_for(body, terminated=True)) == body


def test_a_body_over_the_limit_is_refused_without_being_kept() -> None:
    environ = environ_for(b"x" * (3 * MAX_BODY_BYTES), str(3 * MAX_BODY_BYTES))
    assert rejection(lambda: read_body(environ)) == (413, f"body of {3 * MAX_BODY_BYTES} bytes")
    stream = environ["wsgi.input"]
    assert stream.largest_read <= 64 * 1024, "thrown away in small pieces"
    assert stream.tell() == 3 * MAX_BODY_BYTES, "read to its end, so the client sees the 413"


def test_a_huge_declared_body_is_thrown_away_only_up_to_a_limit() -> None:
    declared = 100 * MAX_BODY_BYTES
    environ = environ_for(b"x" * (DISCARDED_BYTES_LIMIT + 10), str(declared))
    assert rejection(lambda: read_body(environ))[0] == 413
    assert environ["wsgi.input"].tell() == DISCARDED_BYTES_LIMIT


def test_a_body_without_length_counts_only_where_the_server_ends_it() -> None:
    body = b"x" * (MAX_BODY_BYTES + 1)
    assert read_body(environ_for(body)) == b"", "PEP 3333: no length, nothing to read"
    assert rejection(lambda: read_body(environ_for(body, terminated=True)))[0] == 413


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "0x10", "\u00b2"])
def test_an_unreadable_content_length_is_400(length: str) -> None:
    assert rejection(lambda: read_body(environ_for(b"{}", length)))[0] == 400


def test_no_input_stream_is_an_empty_body() -> None:
    assert read_body({"CONTENT_LENGTH": "10"}) == b""


# -- signature ---------------------------------------------------------------------------------


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    signed = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("body", [b"command=%2Fdaily", b"\xff\xfe not UTF-8", b""])
def test_slacks_signature_is_checked_on_the_raw_bytes(body: bytes) -> None:
    stamp = str(NOW)
    assert signature_is_valid(SECRET, body, stamp, sign(body, stamp), NOW)
    assert not signature_is_valid(SECRET, body + b"!", stamp, sign(body, stamp), NOW)
    assert not signature_is_valid(SECRET, body, stamp, sign(body, stamp, "other"), NOW)


def test_a_signature_more_than_five_minutes_off_is_invalid() -> None:
    body = b"x=1"
    for moment, valid in [(NOW - 300, True), (NOW - 301, False), (NOW + 301, False)]:
        stamp = str(moment)
        assert signature_is_valid(SECRET, body, stamp, sign(body, stamp), NOW) is valid


@given(timestamp=st.text(max_size=30), signature=st.text(max_size=80), body=st.binary())
def test_any_headers_give_a_verdict_and_never_raise(
    timestamp: str, signature: str, body: bytes
) -> None:
    assert signature_is_valid(SECRET, body, timestamp, signature, NOW) in (True, False)


def test_bodies_are_parsed_as_slack_sends_them() -> None:
    assert parsed_body('{"type": "event_callback"}', JSON) == {"type": "event_callback"}
    assert parsed_body('{"a": 1}', FORM) == {"a": 1}, "an object is JSON whatever its type says"
    assert parsed_body(urlencode({"payload": '{"type": "shortcut"}'}), FORM) == {"type": "shortcut"}
    assert parsed_body("command=%2Fdaily&text=", FORM) == {"command": "/daily", "text": ""}
    assert parsed_body("", FORM) == {}


def test_a_slash_command_that_mentions_payload_keeps_its_fields() -> None:
    # Bolt's parser reads any form mentioning "payload" as an interactivity payload: {}.
    form = urlencode({"command": "/daily", "text": "today: fix the payload parser"})
    assert parsed_body(form, f"{FORM}; charset=utf-8")["text"] == "today: fix the payload parser"


@pytest.mark.parametrize(
    "text, content_type",
    [
        ("{", JSON),
        ("[1]", JSON),
        ("null", JSON),
        ("[" * 100_000, JSON),
        ("payload=%7B", FORM),
        ("payload=42", FORM),
    ],
)
def test_a_body_that_is_no_json_object_is_400(text: str, content_type: str) -> None:
    assert rejection(lambda: parsed_body(text, content_type))[0] == 400


def test_slacks_ssl_check_is_recognised() -> None:
    assert is_ssl_check(b"ssl_check=1&token=abc")
    assert not is_ssl_check(b"ssl_check=0&token=abc")
    assert not is_ssl_check(b"command=%2Fdaily&text=ssl_check%3D1")
    assert not is_ssl_check(b"\xff ssl_check=\xfe")


# -- shape -------------------------------------------------------------------------------------


@pytest.mark.parametrize("build", ALL_KINDS.values(), ids=ALL_KINDS.keys())
def test_what_slack_sends_is_complete(build: Callable[[], Payload]) -> None:
    assert missing_field(build().content) is None


@pytest.mark.parametrize("build, path", NEEDED_FIELDS.values(), ids=NEEDED_FIELDS.keys())
def test_a_needed_field_missing_is_named(build: Callable[[], Payload], path: str) -> None:
    verdict = missing_field(build().without(path))
    assert verdict is not None
    assert path.split(".")[-1] in verdict or "neither" in verdict


@pytest.mark.parametrize("value", [None, "", 42, ["U0001"], {"id": "U0001"}])
def test_an_id_that_is_not_text_is_missing(value: object) -> None:
    content = ALL_KINDS["slash command"]().content | {"user_id": value}
    assert missing_field(content) == "slash command: user_id"


def test_what_the_bot_does_not_handle_passes_to_bolt() -> None:
    event = reaction_added().content
    assert missing_field(event | {"event": {"type": "app_home_opened"}}) is None
    assert missing_field({"type": "app_rate_limited", "team_id": "T1"}) is None
    assert missing_field({"type": "view_closed"}) is None


@pytest.mark.parametrize("body", [{}, [], "x", 42, None, {"token": "t"}, {"type": ""}])
def test_a_body_that_is_no_slack_request_is_malformed(body: object) -> None:
    assert missing_field(body) is not None


@settings(max_examples=500)
@given(body=JSON_VALUES)
def test_any_json_gets_a_verdict_and_never_raises(body: object) -> None:
    verdict = missing_field(body)
    assert verdict is None or isinstance(verdict, str)


@settings(max_examples=500)
@given(broken=broken_payloads())
def test_a_broken_payload_passes_only_with_what_listeners_read(
    broken: tuple[Payload, Any],
) -> None:
    _, body = broken
    if missing_field(body) is not None:
        return
    if "command" in body:
        assert all(isinstance(body[field], str) and body[field] for field in SLASH_COMMAND_FIELDS)
    if body.get("type") == "event_callback":
        event = body["event"]
        if EVENT_CHANNEL_PATHS.get(event["type"]) == ("channel",):
            assert isinstance(event["channel"], str) and event["channel"]
    if body.get("type") in INTERACTIVITY_MATCHED_ON:
        assert isinstance(body["user"]["id"], str) and body["user"]["id"]
