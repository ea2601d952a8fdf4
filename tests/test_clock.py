"""The clock: due occurrences run once, at the right local time, across DST and two clocks."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from schedules.clock import tick
from storage.channels import update_channel
from storage.db import transaction
from storage.models import Daily
from tests.conftest import CHANNEL, TEAM, BotUnderTest


def _prompts(bot: BotUnderTest) -> list[object]:
    return [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" not in c.params]


def _configure(bot: BotUnderTest, **columns: object) -> None:
    with transaction(bot.runtime.sessions) as session:
        update_channel(session, TEAM, CHANNEL, **columns)


def test_tick_posts_the_prompt_at_the_channels_local_time_once(bot: BotUnderTest) -> None:
    _configure(bot)
    berlin = ZoneInfo("Europe/Berlin")
    bot.clock.set(datetime(2026, 11, 26, 8, 59, 30, tzinfo=berlin))
    assert tick(bot.runtime).ran == 0
    bot.clock.set(datetime(2026, 11, 26, 9, 0, 10, tzinfo=berlin))
    assert tick(bot.runtime).ran == 1
    assert tick(bot.runtime).ran == 0
    assert len(_prompts(bot)) == 1


def test_a_restarted_clock_catches_up_in_order_and_drops_the_late_reminder(
    bot: BotUnderTest,
) -> None:
    _configure(bot)
    bot.clock.set(datetime(2026, 11, 26, 12, 5, tzinfo=ZoneInfo("Europe/Berlin")))
    report = tick(bot.runtime)
    assert report.ran == 2, "the morning's prompt and the summary"
    posts = bot.fake.calls_to("chat.postMessage")
    assert "thread_ts" not in posts[0].params, "the prompt comes first"
    assert "thread_ts" in posts[1].params
    assert bot.fake.calls_to("chat.postEphemeral") == [], "the summary is out: no reminders"


def test_two_clocks_at_once_post_every_prompt_exactly_once(bot: BotUnderTest) -> None:
    _configure(bot)
    bot.clock.set(datetime(2026, 11, 26, 12, 5, tzinfo=ZoneInfo("Europe/Berlin")))
    ran: list[int] = []
    errors: list[BaseException] = []

    def clock() -> None:
        try:
            ran.append(tick(bot.runtime).ran)
        except BaseException as error:  # surfaced below
            errors.append(error)

    clocks = [threading.Thread(target=clock) for _ in range(2)]
    for thread in clocks:
        thread.start()
    for thread in clocks:
        thread.join(30)
    assert not errors
    assert sum(ran) == 2, "the prompt and the summary, each by one clock"
    assert len(_prompts(bot)) == 1
    summaries = [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" in c.params]
    assert len(summaries) == 1


def test_a_channel_that_is_gone_stops_being_scheduled(bot: BotUnderTest) -> None:
    _configure(bot)
    bot.fake.missing_channels.add(CHANNEL)
    bot.clock.set(datetime(2026, 11, 26, 9, 0, 10, tzinfo=ZoneInfo("Europe/Berlin")))
    tick(bot.runtime)
    bot.clock.set(datetime(2026, 11, 30, 9, 0, 10, tzinfo=ZoneInfo("Europe/Berlin")))
    tick(bot.runtime)
    assert len(bot.fake.calls_to("chat.postMessage")) == 1, "tried once, then left alone"


DST_CHANGES = [
    ("Europe/Berlin", date(2026, 3, 29)),
    ("Europe/Berlin", date(2026, 10, 25)),
    ("America/Los_Angeles", date(2026, 3, 8)),
    ("America/Los_Angeles", date(2026, 11, 1)),
    ("Australia/Lord_Howe", date(2026, 4, 5)),
    ("Australia/Lord_Howe", date(2026, 10, 4)),
]


@pytest.mark.parametrize(("timezone", "change_day"), DST_CHANGES)
def test_one_prompt_per_local_day_at_nine_across_a_dst_change(
    bot: BotUnderTest, timezone: str, change_day: date
) -> None:
    zone = ZoneInfo(timezone)
    _configure(
        bot,
        timezone=timezone,
        daily_weekdays="0,1,2,3,4,5,6",
        daily_prompt_time="09:00",
        daily_reminder_time="22:00",
        daily_summary_time="23:00",
    )
    # From 01:30 so that the day before's 23:00 summary is outside the catch-up window.
    start = datetime.combine(change_day - timedelta(days=1), time(1, 30), zone)
    moment = start.astimezone(UTC)
    end = (start + timedelta(days=3)).astimezone(UTC)
    posted_at: dict[date, datetime] = {}
    while moment < end:
        bot.clock.set(moment)
        before = len(_prompts(bot))
        tick(bot.runtime)
        if len(_prompts(bot)) > before:
            local = moment.astimezone(zone)
            assert local.date() not in posted_at, f"second prompt on {local.date()}"
            posted_at[local.date()] = local
        moment += timedelta(minutes=30)
    expected_days = [change_day + timedelta(days=offset) for offset in (-1, 0, 1)]
    assert sorted(posted_at) == expected_days
    for day, local in posted_at.items():
        assert (local.hour, local.minute) == (9, 0), f"{day}: posted at {local}"
    with transaction(bot.runtime.sessions) as session:
        days = sorted(session.scalars(select(Daily.local_date)).all())
    assert days == expected_days
