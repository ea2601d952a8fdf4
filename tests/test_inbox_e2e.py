"""The durable inbox end to end: replays, crashes between ack and work, outages, and that a
crash in a listener's work can never pass a test unnoticed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

import handlers.daily
from bot.runtime import Runtime
from bot.sandbox.slack.driver import FORM
from storage import inbox as inbox_store
from storage.db import transaction
from storage.models import (
    BoardCard,
    DailyUpdate,
    InboxRequest,
    OkrObjective,
    ProspectAnnouncement,
    WeeklyItem,
)
from tests.conftest import CHANNEL, BotUnderTest
from tests.test_daily_e2e import THURSDAY_MORNING, _ephemerals_to, _top_level_posts


def count(bot: BotUnderTest, model: Any) -> int:
    with transaction(bot.runtime.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_replayed_signed_request_has_no_second_effect(bot: BotUnderTest) -> None:
    fields = {
        "team_id": "T0001",
        "channel_id": CHANNEL,
        "user_id": "U0001",
        "command": "/prospect",
        "text": "Müller Maschinenbau: met the CFO",
        "response_url": f"{bot.fake.hooks_url}/commands/T0001/1/abc",
        "trigger_id": "1.2.3",
    }
    body = urlencode(fields).encode()
    headers = {"Content-Type": FORM, **bot.slack.signed_headers(body)}
    first = bot.slack.raw(body, headers)
    bot.settle()
    replay = bot.slack.raw(body, headers)  # the very same bytes and headers, as an eavesdropper
    bot.settle()
    assert (first.status, replay.status) == (200, 200)
    assert len(_top_level_posts(bot)) == 1
    assert count(bot, ProspectAnnouncement) == 1


def test_work_left_by_a_dead_process_is_finished_once_by_the_next(bot: BotUnderTest) -> None:
    """A row stored and acked, whose process died before working it off."""
    bot.clock.set(THURSDAY_MORNING)
    stop_after_storing(bot)
    assert bot.slack.command(command="/daily", text="today: left behind").status == 200
    assert count(bot, DailyUpdate) == 0 and count(bot, InboxRequest) == 1

    assert bot.inbox.sweep() == 0, "its lease still runs: the process may be alive"
    bot.clock.set(THURSDAY_MORNING + timedelta(minutes=2))
    assert bot.inbox.sweep() == 1
    bot.settle()
    assert count(bot, DailyUpdate) == 1
    assert bot.inbox.sweep() == 0, "done is done"
    replies = [c for c in bot.fake.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert len(replies) == 1
    assert _ephemerals_to(bot, "U0001"), "the member still hears that it was posted"


def stop_after_storing(bot: BotUnderTest) -> None:
    """The next request is stored and acked, and then its process 'dies' (no work runs)."""
    submit = bot.inbox._submit

    def die(request_id: int, work: Any, arguments: dict[str, Any]) -> None:
        bot.inbox._submit = submit  # type: ignore[method-assign]

    bot.inbox._submit = die  # type: ignore[method-assign]


def test_a_database_outage_before_the_ack_stores_nothing_and_says_so(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("INSERT", {}, ConnectionRefusedError("database is down"))

    monkeypatch.setattr(inbox_store, "store_request", unreachable)
    answer = bot.slack.command(command="/daily", text="today: lost?", user_id="U0002")
    bot.settle()
    assert answer.status == 200
    [told] = _ephemerals_to(bot, "U0002")  # Ben reads German
    assert "Datenbank" in told and "nichts gespeichert" in told
    # An event is not acknowledged, so Slack delivers it again later.
    event = bot.slack.event({"type": "message", "channel": CHANNEL, "user": "U0001", "text": "x"})
    assert event.status >= 500
    bot.take_failures()
    monkeypatch.undo()
    assert count(bot, DailyUpdate) == 0 and count(bot, InboxRequest) == 0


def test_a_database_outage_after_the_ack_keeps_the_request_and_finishes_it(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.clock.set(THURSDAY_MORNING)
    calls = {"count": 0}
    real_submit = handlers.daily.service.submit_update

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == 1:
            raise OperationalError("UPDATE", {}, ConnectionRefusedError("database is down"))
        return real_submit(*args, **kwargs)

    monkeypatch.setattr(handlers.daily.service, "submit_update", flaky)
    assert bot.slack.command(command="/daily", text="today: kept").status == 200
    [(where, error)] = bot.take_failures()
    assert where == "daily_command" and isinstance(error, OperationalError)
    [told] = _ephemerals_to(bot, "U0001")
    assert "database" in told and "saved" in told
    bot.clock.set(THURSDAY_MORNING + timedelta(minutes=1))
    assert bot.inbox.sweep() == 1
    bot.settle()
    assert count(bot, DailyUpdate) == 1


def test_a_crash_in_a_listeners_work_fails_the_test(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixture's guard itself: a listener that raises is seen, not swallowed."""

    def broken(runtime: Runtime, *args: Any) -> bool:
        raise RuntimeError("a bug in a listener")

    monkeypatch.setattr(handlers.daily, "handle_thread_reply", broken)
    response = bot.slack.event(
        {"type": "message", "channel": CHANNEL, "user": "U0001", "text": "hi", "ts": "1.000001"}
    )
    assert response.status == 200
    with pytest.raises(AssertionError, match="a bug in a listener"):
        bot.settle()
    bot.take_failures()
    [row] = _inbox_rows(bot)
    assert row.outcome and row.outcome.startswith("failed: bug RuntimeError")


def _inbox_rows(bot: BotUnderTest) -> list[InboxRequest]:
    with transaction(bot.runtime.sessions) as session:
        return list(session.scalars(select(InboxRequest)).all())


def test_a_listener_whose_arguments_could_not_be_rebuilt_is_refused_at_start(
    bot: BotUnderTest,
) -> None:
    def wants_say(body: dict[str, Any], say: Any) -> None:
        raise AssertionError("never run")

    with pytest.raises(ValueError, match="say"):
        bot.inbox.listener("wants_say", wants_say)
    with pytest.raises(ValueError, match="duplicate"):
        bot.inbox.listener("daily_command", lambda body: None)


@pytest.mark.parametrize(
    ("command", "text", "model"),
    [
        ("/weekly", "add plan visit Bosch", WeeklyItem),
        ("/board", "add call ACME", BoardCard),
        ("/okr", "add Win the south", OkrObjective),
    ],
)
def test_work_done_but_not_marked_done_is_not_done_twice(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, command: str, text: str, model: Any
) -> None:
    """The process died after the work committed and before the inbox recorded "done": the
    request is worked off again, and finds the row it created the first time."""
    bot.clock.set(THURSDAY_MORNING)
    marked: list[int] = []
    monkeypatch.setattr(bot.inbox, "_finish", lambda request_id, outcome: marked.append(request_id))
    assert bot.slack.command(command=command, text=text).status == 200
    bot.settle()
    assert count(bot, model) == 1 and marked, "worked off, but 'done' never reached the database"
    monkeypatch.undo()
    bot.clock.set(THURSDAY_MORNING + timedelta(minutes=5))
    assert bot.inbox.sweep() == 1, "taken up again"
    bot.settle()
    assert count(bot, model) == 1, "not created twice"
    assert bot.inbox.sweep() == 0
