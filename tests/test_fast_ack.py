"""The ack's fast path (handlers/fast_ack.py): which requests it takes, and end to end that a
request it stored is worked off once through Bolt's listeners, like one Bolt acked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from sqlalchemy import select

from bot.sandbox.slack.driver import FORM
from handlers.fast_ack import BotIdentity, takes_fast_path
from handlers.inbox import BOLT_ROUTED, Work
from storage.db import transaction
from storage.models import InboxRequest
from tests import slack_payloads as payloads
from tests.conftest import CHANNEL, BotUnderTest
from tests.slack_payloads import JSON_VALUES, Payload, broken_payloads, payload_of
from tests.test_daily_e2e import THURSDAY_MORNING, _ephemerals_to

BOT = BotIdentity(user_id="UBOT", bot_id="BBOT")


# -- which requests: pure ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        payloads.daily_command(),
        payload_of(lambda slack: slack.command("/weekly", "help")),
        payloads.message_event(),
        payloads.member_joined(),  # the bot's own join: Bolt keeps it, so may we
        payloads.channel_left(),
        payloads.reaction_added(),
        payloads.button_click(),
    ],
)
def test_requests_whose_ack_says_nothing_take_the_fast_path(payload: Payload) -> None:
    assert takes_fast_path(payload.content, BOT)


@pytest.mark.parametrize(
    "payload",
    [
        payload_of(lambda slack: slack.command("/unknown")),  # Bolt answers 404
        payloads.modal_submission(),  # a modal's ack may carry its errors
        payloads.daily_settings(),
        payloads.message_shortcut(),
        payloads.url_verification(),
        payloads.event(type="message", channel="D0001", channel_type="im", user="U1", text="x"),
        payloads.event(type="message", channel=CHANNEL, user="UBOT", text="the bot's own"),
        payloads.event(type="message", channel=CHANNEL, bot_id="BBOT", subtype="bot_message"),
        payloads.event(type="app_uninstalled"),
        payloads.event(type="tokens_revoked", tokens={"bot": ["UBOT"]}),
        payload_of(lambda slack: slack.block_action("no_such_action")),
    ],
)
def test_anything_else_goes_through_bolt(payload: Payload) -> None:
    assert not takes_fast_path(payload.content, BOT)


@given(body=JSON_VALUES)
def test_any_json_gets_a_verdict_and_never_raises(body: object) -> None:
    if isinstance(body, dict):
        assert takes_fast_path(body, BOT) in (True, False)


@given(broken=broken_payloads())
def test_any_broken_payload_gets_a_verdict_and_never_raises(broken: tuple[Payload, Any]) -> None:
    _payload, content = broken
    if isinstance(content, dict):
        assert takes_fast_path(content, BOT) in (True, False)


# -- end to end -----------------------------------------------------------------------------------


def rows(bot: BotUnderTest) -> list[InboxRequest]:
    with transaction(bot.runtime.sessions) as session:
        return list(session.scalars(select(InboxRequest).order_by(InboxRequest.id)))


def works_run(bot: BotUnderTest) -> list[Work]:
    """The works the inbox runs from now on, in order."""
    ran: list[Work] = []
    real_run = bot.inbox.run

    def run(request_id: int, work: Work, arguments: dict[str, Any]) -> None:
        ran.append(work)
        real_run(request_id, work, arguments)

    bot.inbox.run = run  # type: ignore[method-assign]
    return ran


def test_a_command_of_a_known_workspace_is_stored_before_bolt_and_worked_off_once(
    bot: BotUnderTest,
) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: first, through Bolt")  # Bolt authorizes the workspace
    ran = works_run(bot)
    bot.command("/daily", "today: second, before Bolt", user_id="U0003")
    first, second = rows(bot)
    assert first.listener == "daily_command" and second.listener == BOLT_ROUTED
    assert (first.outcome, second.outcome) == ("done", "done")
    assert [work.name for work in ran] == ["daily_command"]
    assert _ephemerals_to(bot, "U0003"), "the member hears that it was posted"


SENDS: dict[str, Callable[[Any], object]] = {
    "/weekly": lambda slack: slack.command("/weekly", "help"),
    "/board": lambda slack: slack.command("/board", "help"),
    "/prospect": lambda slack: slack.command("/prospect", "help"),
    "message": lambda slack: slack.event(
        {"type": "message", "channel": CHANNEL, "user": "U0002", "text": "hi", "ts": "5.000001"}
    ),
    "reaction": lambda slack: slack.event(
        {
            "type": "reaction_added",
            "user": "U0002",
            "reaction": "eyes",
            "item": {"type": "message", "channel": CHANNEL, "ts": "5.000001"},
        }
    ),
    "home": lambda slack: slack.event({"type": "app_home_opened", "user": "U0002", "tab": "home"}),
    "open modal": lambda slack: slack.block_action("daily_open_modal"),
}


@pytest.mark.parametrize("kind", sorted(SENDS))
def test_each_kind_the_fast_path_takes_reaches_a_listener_that_acks_with_nothing(
    bot: BotUnderTest, kind: str
) -> None:
    bot.command("/daily", "help")  # Bolt authorizes the workspace
    ran = works_run(bot)
    response = SENDS[kind](bot.slack)
    assert getattr(response, "status", None) == 200
    bot.settle()
    stored = rows(bot)[-1]
    assert stored.listener == BOLT_ROUTED and stored.outcome == "done"
    [work] = ran
    assert not work.needs_bolt_before_ack


def test_a_retried_event_and_a_replayed_request_have_no_second_effect(bot: BotUnderTest) -> None:
    bot.command("/daily", "help")
    ran = works_run(bot)
    message = {"type": "message", "channel": CHANNEL, "user": "U0002", "text": "x", "ts": "6.1"}
    assert bot.slack.event(message, event_id="Ev0FAST").status == 200
    assert bot.slack.event(message, event_id="Ev0FAST", retry_num=1).status == 200
    body = payloads.daily_command("help").encode()
    headers = {"Content-Type": FORM, **bot.slack.signed_headers(body)}
    assert bot.slack.raw(body, headers).status == 200
    assert bot.slack.raw(body, headers).status == 200  # the very same bytes, replayed
    bot.settle()
    assert [work.name for work in ran] == ["message", "daily_command"]
    assert [row.listener for row in rows(bot)[1:]] == [BOLT_ROUTED, BOLT_ROUTED]


def test_the_bots_own_message_and_a_direct_message_go_through_bolt(bot: BotUnderTest) -> None:
    bot.command("/daily", "help")
    bot.event({"type": "message", "channel": CHANNEL, "user": "UBOT", "text": "mine"})
    bot.event(
        {"type": "message", "channel": "D0001", "channel_type": "im", "user": "U0002", "text": "s"}
    )
    stored = rows(bot)[1:]
    # Bolt ignores the bot's own message (nothing stored); the DM is stored without its words.
    assert [row.listener for row in stored] == ["direct_message"]
    assert '"text"' not in stored[0].body


def test_a_failed_insert_before_bolt_leaves_the_request_to_bolts_listener(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "help")

    real_store = bot.inbox.store_new
    tries: list[str] = []

    def down_for_a_moment(request: Any) -> int | None:  # the fast path's try fails, Bolt's not
        tries.append(request.listener)
        if len(tries) == 1:
            raise OSError("database is down")
        return real_store(request)

    monkeypatch.setattr(bot.inbox, "store_new", down_for_a_moment)
    bot.command("/daily", "today: stored by the listener", user_id="U0003")
    assert tries == [BOLT_ROUTED, "daily_command"]
    assert [row.listener for row in rows(bot)] == ["daily_command", "daily_command"]
    assert _ephemerals_to(bot, "U0003")


def test_a_request_stored_before_bolt_whose_process_died_is_finished_by_the_next(
    bot: BotUnderTest,
) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "help")
    submit = bot.inbox._submit_to_bolt
    bot.inbox._submit_to_bolt = lambda *_args: None  # type: ignore[method-assign]
    bot.command("/daily", "today: left behind", user_id="U0003")
    bot.inbox._submit_to_bolt = submit  # type: ignore[method-assign]
    assert rows(bot)[-1].outcome is None
    assert bot.inbox.sweep() == 0, "its lease still runs: the process may be alive"
    bot.clock.set(THURSDAY_MORNING + timedelta(minutes=2))
    assert bot.inbox.sweep() == 1
    bot.settle()
    assert rows(bot)[-1].outcome == "done"
    assert bot.inbox.sweep() == 0, "done is done"
    assert _ephemerals_to(bot, "U0003")
