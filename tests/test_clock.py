"""The clock: due occurrences run once, at the right local time, across DST and two clocks."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
from _pytest.logging import LogCaptureFixture
from _pytest.monkeypatch import MonkeyPatch
from sqlalchemy import select

from bot.runtime import Runtime
from schedules.clock import tick
from schedules.jobs import JOBS
from schedules.plan import plan_tick
from schedules.runner import run_channel
from storage.channels import update_channel
from storage.db import transaction
from storage.models import Daily
from storage.runs import LEASE, RunKey, RunState, claim_run, run_state
from tests.conftest import CHANNEL, TEAM, BotUnderTest
from tests.support import text_of


def _prompts(bot: BotUnderTest) -> list[object]:
    return [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" not in c.params]


def _configure(bot: BotUnderTest, **columns: object) -> None:
    with transaction(bot.runtime.sessions) as session:
        update_channel(session, TEAM, CHANNEL, **{"daily_state": "on", **columns})


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
    # The job failed on purpose: each failure reached the test, none was swallowed.
    assert all(where.startswith("daily-prompt") for where, _ in bot.take_failures())


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
    start = datetime.combine(change_day - timedelta(days=1), clock_time(1, 30), zone)
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


# --- runs are leases: retried until done, taken over from a dead clock ---------------------

BERLIN = ZoneInfo("Europe/Berlin")
THURSDAY = date(2026, 11, 26)


def _at(hour: int, minute: int = 0, second: int = 0, day: int = 26) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=BERLIN)


def _run_row(bot: BotUnderTest, job: str = "daily-prompt", channel: str = CHANNEL) -> RunState:
    state = run_state(bot.runtime.engine, RunKey(TEAM, channel, job, THURSDAY))
    assert state is not None
    return state


def _top_level_messages(bot: BotUnderTest) -> list[dict[str, object]]:
    return [m for m in bot.fake.messages.values() if not m.get("thread_ts")]


def test_a_run_slack_refused_is_retried_at_the_next_tick_and_posts_once(bot: BotUnderTest) -> None:
    _configure(bot)
    bot.fake.fail_next("chat.postMessage", "internal_error")
    bot.clock.set(_at(9, 0, 10))
    first = tick(bot.runtime)
    assert first.lines() == [
        "failed daily-prompt T0001/C0001 2026-11-26: internal_error; will retry"
    ]
    state = _run_row(bot)
    assert (state.done, state.attempts, state.last_error) == (False, 1, "internal_error")
    bot.clock.set(_at(9, 0, 40))
    assert tick(bot.runtime).lines() == ["ran daily-prompt T0001/C0001 2026-11-26"]
    bot.clock.set(_at(9, 1, 10))
    assert tick(bot.runtime).ran == 0
    assert len(_top_level_messages(bot)) == 1
    state = _run_row(bot)
    assert state.done and state.attempts == 2
    # The job failed on purpose: each failure reached the test, none was swallowed.
    assert all(where.startswith("daily-prompt") for where, _ in bot.take_failures())


def test_any_exception_counts_as_not_done(bot: BotUnderTest, monkeypatch: MonkeyPatch) -> None:
    """A lost connection, a database error, "another process is posting this": all retried."""
    _configure(bot)
    real_job = JOBS["daily-prompt"]
    calls: list[int] = []

    def flaky(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionResetError("peer went away")
        real_job(runtime, team_id, channel_id, at)

    monkeypatch.setitem(JOBS, "daily-prompt", flaky)
    bot.clock.set(_at(9, 0, 10))
    assert tick(bot.runtime).failed == 1
    assert _run_row(bot).last_error == "ConnectionResetError"
    assert _top_level_messages(bot) == []
    bot.clock.set(_at(9, 0, 40))
    assert tick(bot.runtime).ran == 1
    assert len(_top_level_messages(bot)) == 1
    # The job failed on purpose: each failure reached the test, none was swallowed.
    assert all(where.startswith("daily-prompt") for where, _ in bot.take_failures())


def test_a_run_leased_by_a_dead_clock_is_taken_over_once_the_lease_expired(
    bot: BotUnderTest,
) -> None:
    _configure(bot)
    dead_clock_started = _at(9, 0, 10).astimezone(UTC)
    key = RunKey(TEAM, CHANNEL, "daily-prompt", THURSDAY)
    assert claim_run(bot.runtime.engine, key, dead_clock_started).taken
    bot.clock.set(dead_clock_started + timedelta(minutes=1))
    report = tick(bot.runtime)
    assert report.lines() == [
        "skipped daily-prompt T0001/C0001 2026-11-26: another clock is running it"
    ]
    assert _top_level_messages(bot) == []
    bot.clock.set(dead_clock_started + LEASE + timedelta(seconds=30))
    assert tick(bot.runtime).ran == 1
    assert len(_top_level_messages(bot)) == 1
    assert _run_row(bot).attempts == 2


def test_while_another_clock_works_on_a_channel_this_one_leaves_the_channel_alone(
    bot: BotUnderTest,
) -> None:
    """The other clock runs the channel's other runs a second apart; this one would not."""
    _configure(bot)
    bot.clock.set(_at(12, 5))
    now = bot.clock()
    planned = plan_tick(bot.runtime, now - timedelta(seconds=30), now).runs
    assert [run.job for run in planned] == ["daily-prompt", "daily-summary"]
    assert claim_run(bot.runtime.engine, planned[0].key, now).taken  # the other clock, just now
    assert [outcome.line for outcome in run_channel(bot.runtime, planned)] == [
        "skipped daily-prompt T0001/C0001 2026-11-26: another clock is running it",
        "skipped daily-summary T0001/C0001 2026-11-26: another clock is working on this channel",
    ]
    assert [line for line in tick(bot.runtime).lines() if "already" not in line] == [
        "skipped daily-prompt T0001/C0001 2026-11-26: another clock is running it",
        "skipped daily-reminder T0001/C0001 2026-11-26: the summary is due",
        "skipped daily-summary T0001/C0001 2026-11-26: another clock is working on this channel",
    ]
    assert bot.fake.calls_to("chat.postMessage") == []


# --- catch-up windows ------------------------------------------------------------------------


def test_a_prompt_missed_by_five_hours_still_goes_out_that_day(bot: BotUnderTest) -> None:
    _configure(bot)
    bot.clock.set(_at(14))
    lines = tick(bot.runtime).lines()
    assert lines == [
        "ran daily-prompt T0001/C0001 2026-11-26",
        "skipped daily-reminder T0001/C0001 2026-11-26: the summary is due",
        "ran daily-summary T0001/C0001 2026-11-26",
    ]
    [prompt] = _top_level_messages(bot)
    assert "Thursday, 26 November" in text_of(prompt)
    posts = len(bot.fake.calls_to("chat.postMessage"))
    bot.clock.set(_at(9, 0, 10, day=27))
    assert tick(bot.runtime).ran == 0, "nothing of Thursday's is due on Friday"
    assert len(bot.fake.calls_to("chat.postMessage")) == posts


def test_a_prompt_missed_all_day_is_not_posted_the_next_day_and_says_so(
    bot: BotUnderTest, caplog: LogCaptureFixture
) -> None:
    _configure(bot)
    bot.clock.set(_at(7, day=27))
    with caplog.at_level(logging.INFO, logger="schedules.clock"):
        report = tick(bot.runtime)
    assert report.ran == 0
    assert _top_level_messages(bot) == []
    assert "skipped daily-prompt T0001/C0001 2026-11-26: its day is over" in caplog.messages
    assert "skipped daily-summary T0001/C0001 2026-11-26: its day is over" in caplog.messages


def test_a_reminder_after_the_summary_time_is_dropped_with_a_log_line(
    bot: BotUnderTest, caplog: LogCaptureFixture
) -> None:
    _configure(bot)
    bot.clock.set(_at(9, 0, 10))
    tick(bot.runtime)
    bot.clock.set(_at(12, 0, 10))  # the clock was down from 9 to 12
    with caplog.at_level(logging.INFO, logger="schedules.clock"):
        report = tick(bot.runtime, since=_at(9, 0, 10))
    assert "skipped daily-reminder T0001/C0001 2026-11-26: the summary is due" in caplog.messages
    assert report.ran == 1, "the summary"
    assert bot.fake.calls_to("chat.postEphemeral") == []


def test_a_failure_that_lasts_all_day_is_dropped_with_its_last_error(
    bot: BotUnderTest, caplog: LogCaptureFixture
) -> None:
    _configure(bot)
    bot.fake.fail_next("chat.postMessage", "internal_error")
    bot.clock.set(_at(9, 0, 10))
    tick(bot.runtime)
    bot.clock.set(_at(0, 0, 10, day=27))  # the clock was down from then on
    with caplog.at_level(logging.INFO, logger="schedules.clock"):
        tick(bot.runtime, since=_at(23, 59, 40))
    assert (
        "skipped daily-prompt T0001/C0001 2026-11-26: its day is over "
        "(last error internal_error after 1 attempt)" in caplog.messages
    )
    # The job failed on purpose: each failure reached the test, none was swallowed.
    assert all(where.startswith("daily-prompt") for where, _ in bot.take_failures())


def test_after_the_channel_is_gone_its_other_runs_are_skipped(bot: BotUnderTest) -> None:
    _configure(bot)
    bot.fake.missing_channels.add(CHANNEL)
    bot.clock.set(_at(12, 5))
    assert tick(bot.runtime).lines() == [
        "failed daily-prompt T0001/C0001 2026-11-26: channel_not_found; no more posts there",
        "skipped daily-reminder T0001/C0001 2026-11-26: the summary is due",
        "skipped daily-summary T0001/C0001 2026-11-26: the channel is inactive (channel_not_found)",
    ]
    # The job failed on purpose: each failure reached the test, none was swallowed.
    assert all(where.startswith("daily-prompt") for where, _ in bot.take_failures())


def test_a_channel_with_broken_settings_does_not_stop_the_others(
    bot: BotUnderTest, caplog: LogCaptureFixture
) -> None:
    _configure(bot)
    with transaction(bot.runtime.sessions) as session:
        update_channel(session, TEAM, "C0BROKEN", timezone="Mars/Olympus_Mons", daily_state="on")
    bot.clock.set(_at(9, 0, 10))
    with caplog.at_level(logging.WARNING, logger="schedules.clock"):
        assert tick(bot.runtime).ran == 1
    assert any("T0001/C0BROKEN" in message for message in caplog.messages)
