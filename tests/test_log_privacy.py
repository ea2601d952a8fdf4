"""Bolt's and slack_sdk's records stay out of the log below WARNING, and no payload in the rest."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from slack_bolt.logger import get_bolt_logger
from slack_bolt.middleware import RequestVerification
from slack_sdk import WebClient

from bot.log_privacy import LIBRARY_RECORD_FILTER, bolt_base_logger, filter_library_loggers
from handlers.common import tell_user


@pytest.fixture
def debug_everywhere(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every level lowered, as someone chasing a bug would."""
    filter_library_loggers()
    caplog.set_level(logging.DEBUG)
    for name in [*logging.root.manager.loggerDict]:
        if name.startswith(("slack_bolt", "slack_sdk")):
            caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def test_library_records_below_warning_are_dropped(
    debug_everywhere: pytest.LogCaptureFixture,
) -> None:
    logging.getLogger("slack_sdk.web.base_client").debug("json_body: SECRET-1")
    # Made as Bolt makes the loggers of an App given `logger=`.
    get_bolt_logger(RequestVerification, base_logger=bolt_base_logger()).info("body: SECRET-2")
    logging.getLogger("slack_bolt").warning("As you gave `client` as well, `token` is unused.")
    assert [record.getMessage() for record in debug_everywhere.records] == [
        "As you gave `client` as well, `token` is unused."
    ]


def test_bolts_warnings_about_a_request_keep_only_its_type_and_ids(
    debug_everywhere: pytest.LogCaptureFixture,
) -> None:
    quoted = {"type": "dialog_submission", "callback_id": "cb_1", "submission": {"a": "SECRET-3"}}
    logging.getLogger("slack_bolt").warning(f"Unhandled request ({quoted})\n---\n[Suggestion]")
    middleware = "A global middleware (check) skipped calling `next()` for the request"
    logging.getLogger("slack_bolt").warning(f"{middleware} ({ {'text': 'SECRET-4'} })")
    assert [record.getMessage() for record in debug_everywhere.records] == [
        "Unhandled request (type=dialog_submission callback_id=cb_1)",
        "A global middleware (check) skipped (payload not logged)",
    ]


def test_a_client_made_after_the_app_logs_nothing_below_warning(
    debug_everywhere: pytest.LogCaptureFixture,
) -> None:
    bolt_base_logger()
    client = WebClient(token="xoxb-1", base_url="http://127.0.0.1:9/api/", timeout=1)
    assert LIBRARY_RECORD_FILTER in client.logger.filters
    with pytest.raises(OSError):  # nothing listens there; only the log matters
        client.chat_postMessage(channel="C1", text="SECRET-5")
    assert "SECRET-5" not in debug_everywhere.text


def test_a_message_that_cannot_be_delivered_is_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = WebClient(token="xoxb-1", base_url="http://127.0.0.1:9/api/")
    tell_user(client, None, "U0001", "Your update: SECRET-6")
    assert "U0001" in caplog.text
    assert "SECRET-6" not in caplog.text
