"""`POST /slack/events` against oversized, malformed and unsigned requests (PRODUCT.md contract).

Malformed requests get 400 (never 500), bodies over 1 MB get 413, a bad or missing signature
gets 401; none of them stores anything or calls Slack, and no body reaches the log.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import logging
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from bot.app import build_app
from bot.runtime import build_runtime
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.driver import FORM, Response, SlackDriver
from bot.server import WsgiApp, make_wsgi_app
from handlers.inbox import Inbox
from storage.db import transaction
from storage.models import Base
from tests.conftest import SIGNING_SECRET, TEAM, BotUnderTest, make_settings
from tests.slack_payloads import (
    JSON,
    NEEDED_FIELDS,
    Payload,
    broken_payloads,
    button_click,
    daily_command,
    member_joined,
    message_event,
    reaction_added,
)
from tests.support import text_of
from tests.test_cli import free_port, slack_env, stop, wait_until_healthy

ONE_MB = 1_048_576
THURSDAY_MORNING = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # a Daily day, 10:30 in Berlin


# -- sending -----------------------------------------------------------------------------------


def slack_signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 signature over raw bytes (slack_sdk's signer takes only UTF-8)."""
    signed = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, secret: str = SIGNING_SECRET) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signature = slack_signature(body, timestamp, secret)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def send_signed(bot: BotUnderTest, body: bytes, content_type: str = FORM) -> Response:
    return bot.slack.raw(body, {"Content-Type": content_type, **signed_headers(body)})


def send_unsigned(bot: BotUnderTest, body: bytes, content_type: str = FORM) -> Response:
    return bot.slack.raw(body, {"Content-Type": content_type})


def stored_rows(bot: BotUnderTest) -> dict[str, int]:
    with transaction(bot.runtime.sessions) as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def nothing_happens(bot: BotUnderTest) -> Callable[[], None]:
    """Call at the end of a test: no row was stored and Slack was not called since the start."""
    before = stored_rows(bot)

    def check() -> None:
        bot.settle()
        assert stored_rows(bot) == before
        assert bot.fake.calls == []

    return check


@pytest.fixture
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    yield
    assert not [record for record in caplog.records if record.exc_info], "a traceback was logged"


# -- 413 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("send", [send_signed, send_unsigned], ids=["signed", "unsigned"])
def test_a_body_over_one_megabyte_is_413(
    bot: BotUnderTest, nothing_happens: Callable[[], None], send: Callable[..., Response]
) -> None:
    body = daily_command("today: " + "x" * (2 * ONE_MB)).encode()
    assert send(bot, body).status == 413
    nothing_happens()


def test_a_body_of_one_megabyte_exactly_is_read(bot: BotUnderTest) -> None:
    # Whitespace after JSON is still JSON: the challenge is answered from a body of the limit.
    at_limit = url_verification_body().ljust(ONE_MB)
    answer = send_signed(bot, at_limit, JSON)
    assert answer.status == 200 and answer.json == {"challenge": "c-1"}
    assert send_signed(bot, at_limit + b" ", JSON).status == 413


def url_verification_body() -> bytes:
    return b'{"type": "url_verification", "token": "t", "challenge": "c-1"}'


# -- 401 before anything is parsed, 400 for signed bodies that do not parse -----------------------

# Bodies Bolt cannot make a request of: it used to answer them 500, with a traceback.
UNPARSABLE = {
    "bad JSON in payload=": (urlencode({"payload": '{"type": "block_actions", '}).encode(), FORM),
    "bad JSON body": (b'{"type": "event_callback", "event": ', JSON),
    "JSON nested too deep": (b"[" * 100_000, JSON),
    "JSON that is not an object": (b'["event_callback"]', JSON),
    "payload that is not an object": (urlencode({"payload": "42"}).encode(), FORM),
    "authorizations that are not objects": (
        b'{"type": "event_callback", "authorizations": [1]}',
        JSON,
    ),
    "not UTF-8": (b"command=%2Fdaily&text=\xff\xfe\xfa&team_id=T0001", FORM),
    "empty": (b"", FORM),
}


@pytest.mark.usefixtures("no_tracebacks")
@pytest.mark.parametrize("body, content_type", UNPARSABLE.values(), ids=UNPARSABLE.keys())
def test_an_unsigned_unparsable_body_is_401(
    bot: BotUnderTest, nothing_happens: Callable[[], None], body: bytes, content_type: str
) -> None:
    assert send_unsigned(bot, body, content_type).status == 401
    forged = signed_headers(body, secret="not-the-secret")
    assert bot.slack.raw(body, {"Content-Type": content_type, **forged}).status == 401
    nothing_happens()


@pytest.mark.usefixtures("no_tracebacks")
@pytest.mark.parametrize("body, content_type", UNPARSABLE.values(), ids=UNPARSABLE.keys())
def test_a_signed_unparsable_body_is_400(
    bot: BotUnderTest, nothing_happens: Callable[[], None], body: bytes, content_type: str
) -> None:
    answer = send_signed(bot, body, content_type)
    assert answer.status == 400 and answer.json == {"error": "Bad Request"}
    nothing_happens()


@pytest.mark.usefixtures("no_tracebacks")
@pytest.mark.parametrize(
    "timestamp, signature",
    [
        (None, None),
        ("", ""),
        ("abc", "v0=00"),
        ("abc", slack_signature(daily_command().encode(), "abc")),
        ("1e3", "v0=00"),
        (None, "v0=00"),
        ("now", "v0=\u00e9\u00e8"),
    ],
    ids=[
        "no headers",
        "empty headers",
        "timestamp abc",
        "the right signature over timestamp abc",
        "timestamp 1e3",
        "no timestamp",
        "signature not ASCII",
    ],
)
def test_missing_or_unreadable_signature_headers_are_401(
    bot: BotUnderTest,
    nothing_happens: Callable[[], None],
    timestamp: str | None,
    signature: str | None,
) -> None:
    body = daily_command().encode()
    headers = {"Content-Type": FORM}
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = (
            str(int(time.time())) if timestamp == "now" else timestamp
        )
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    assert bot.slack.raw(body, headers).status == 401
    nothing_happens()


def test_slacks_unsigned_ssl_check_is_answered_and_nothing_else_happens(
    bot: BotUnderTest, nothing_happens: Callable[[], None]
) -> None:
    # Slack checks the certificate of a slash command's URL without signing the request.
    answer = send_unsigned(bot, b"ssl_check=1&token=fake-verification-token")
    assert answer.status == 200 and answer.body == ""
    smuggled = b"ssl_check=1&" + daily_command().encode()
    assert send_unsigned(bot, smuggled).status == 200
    nothing_happens()


# -- 400 for signed requests without what the listeners need ---------------------------------------


@pytest.mark.usefixtures("no_tracebacks")
@pytest.mark.parametrize("build, path", NEEDED_FIELDS.values(), ids=NEEDED_FIELDS.keys())
def test_a_signed_request_without_a_needed_field_is_400(
    bot: BotUnderTest, nothing_happens: Callable[[], None], build: Callable[[], Payload], path: str
) -> None:
    payload = build()
    answer = send_signed(bot, payload.encode(payload.without(path)), payload.content_type)
    assert answer.status == 400, answer.body
    nothing_happens()


def test_an_event_without_any_team_is_400(
    bot: BotUnderTest, nothing_happens: Callable[[], None]
) -> None:
    payload = message_event()
    content = payload.without("team_id") | {"authorizations": []}
    assert send_signed(bot, payload.encode(content), JSON).status == 400
    nothing_happens()


def test_an_interactivity_payload_without_any_team_is_400(
    bot: BotUnderTest, nothing_happens: Callable[[], None]
) -> None:
    payload = button_click()
    content = payload.without("team")
    del content["user"]["team_id"]
    assert send_signed(bot, payload.encode(content), FORM).status == 400
    nothing_happens()


def test_what_slack_really_sends_still_gets_through(bot: BotUnderTest) -> None:
    assert send_signed(bot, member_joined().encode(), JSON).status == 200
    bot.settle()
    assert stored_rows(bot)["channels"] == 1
    assert send_signed(bot, reaction_added("file").encode(), JSON).status == 200
    in_shared_channel = message_event().without("team_id")  # authorizations name the team
    assert send_signed(bot, message_event().encode(in_shared_channel), JSON).status == 200
    unhandled = {"type": "pin_added", "user": "U0001", "channel_id": "C0001"}
    assert bot.slack.event(unhandled).status == 404, "Bolt answers what no listener handles"
    bot.settle()


def test_a_slash_command_mentioning_payload_is_not_lost(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: fix the payload parser")
    posts = [text_of(call) for call in bot.fake.calls_to("chat.postMessage")]
    assert any("fix the payload parser" in text for text in posts)


# -- whatever Slack's payloads hold, never a 500 -------------------------------------------------


class SkipWork(Executor):
    """Only the ack is under test here: the work after it is not done."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        skipped: Future[Any] = Future()
        skipped.set_result(None)
        return skipped


@pytest.fixture
def events_endpoint(tmp_path: Path) -> Iterator[WsgiApp]:
    with FakeSlack() as fake:
        runtime = build_runtime(make_settings(f"sqlite:///{tmp_path / 'bot.db'}", fake))
        inbox = Inbox(runtime, SkipWork())
        yield make_wsgi_app(build_app(runtime, inbox=inbox), runtime, inbox)
        runtime.engine.dispose()


# One app for all examples, on purpose: each request stands alone.
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(broken=broken_payloads())
def test_a_signed_payload_never_gets_a_500(
    events_endpoint: WsgiApp, broken: tuple[Payload, Any]
) -> None:
    payload, content = broken
    body = payload.encode(content)
    headers = signed_headers(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": payload.content_type,
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
        "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"],
        "wsgi.input": io.BytesIO(body),
    }
    statuses: list[str] = []
    b"".join(events_endpoint(environ, lambda status, headers: statuses.append(status)))
    assert statuses[0][:3] in ("200", "400", "404"), statuses


# -- the log -----------------------------------------------------------------------------------


def test_no_request_body_or_user_text_reaches_the_log(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Lowered on purpose: bodies must stay out even when someone turns on debug logging.
    for name in [*logging.root.manager.loggerDict]:
        if name.startswith(("slack_bolt", "slack_sdk")):
            caplog.set_level(logging.DEBUG, logger=name)
    bot.clock.set(THURSDAY_MORNING)
    hook = f"{bot.fake.hooks_url}/commands/{TEAM}/1/SECRET-HOOK-456"
    bot.command("/daily", "today: SECRET-MARKER-123", response_url=hook)
    assert bot.fake.calls_to("chat.postMessage"), "the update was posted"
    # In a direct message the answer goes through the response_url.
    bot.command("/daily", "SECRET-MARKER-124", channel_id="D0001", response_url=hook)

    rejected = daily_command("today: SECRET-MARKER-789").encode()
    assert send_unsigned(bot, rejected).status == 401
    forged = {"Content-Type": FORM, **signed_headers(rejected, secret="not-the-secret")}
    assert bot.slack.raw(rejected, forged).status == 401
    assert send_signed(bot, rejected.replace(b"user_id=U0001&", b"")).status == 400
    assert send_signed(bot, rejected + b"&x=" + b"y" * ONE_MB).status == 413
    bot.settle()

    logged = [caplog.text, *(record.getMessage() for record in caplog.records)]
    for secret in ("SECRET-MARKER-123", "SECRET-MARKER-124", "SECRET-MARKER-789", "SECRET-HOOK"):
        assert not [text for text in logged if secret in text], secret
    assert any("refused with 400" in text for text in logged), "the refusal itself is logged"


# -- the real server ---------------------------------------------------------------------------


def test_serve_answers_big_bodies_413_and_keeps_them_out_of_its_output(tmp_path: Path) -> None:
    port = free_port()
    output = tmp_path / "serve.log"
    with FakeSlack() as fake, output.open("wb") as log:
        env = slack_env(
            fake, tmp_path, SLACK_SIGNING_SECRET=SIGNING_SECRET, PORT=str(port), WEB_CONCURRENCY="1"
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=env, stdout=log, stderr=log
        )
        try:
            wait_until_healthy(process, port, output)
            slack = SlackDriver(f"http://127.0.0.1:{port}", SIGNING_SECRET)
            big = b"text=" + b"SECRET-MARKER-2MB." * (2 * ONE_MB // 18)
            for _ in range(5):
                assert slack.raw(big, {"Content-Type": FORM}).status == 413
            assert slack.raw(big, {"Content-Type": FORM, **signed_headers(big)}).status == 413
            # Without a Content-Length, gunicorn hands over the chunks: still at most 1 MB.
            assert post_chunked(port, big, {}) == 413
            small = url_verification_body()
            assert post_chunked(port, small, {"Content-Type": JSON, **signed_headers(small)}) == 200
        finally:
            stop(process)
    printed = output.read_bytes()
    assert b"SECRET-MARKER" not in printed
    assert len(printed) < 10_000, printed[-2000:]


def post_chunked(port: int, body: bytes, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        chunks = (body[start : start + 65_536] for start in range(0, len(body), 65_536))
        headers = {"Content-Type": FORM, **headers}
        connection.request("POST", "/slack/events", chunks, headers, encode_chunked=True)
        return connection.getresponse().status
    finally:
        connection.close()
