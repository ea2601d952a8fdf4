"""Pure scheduling decisions of the clock: until when a post may go out, retries, error codes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.daily.rules import DailySchedule
from bot.weekly.rules import WeeklySchedule
from schedules.runner import FIRST_BACKOFF, MAX_BACKOFF, error_code, retry_delay
from schedules.windows import (
    AGENDA_IS_DUE,
    DAY_IS_OVER,
    SUMMARY_IS_DUE,
    TickWindows,
    Window,
    daily_windows,
    end_of_local_day,
    tick_windows,
)

BERLIN = "Europe/Berlin"
ZONES = [BERLIN, "America/Los_Angeles", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
DEFAULT_DAILY = DailySchedule(frozenset({0, 3}), time(9), time(11), time(12), BERLIN)
MONDAY_WEEKLY = WeeklySchedule(weekday=0, at=time(10), call_at=time(15), timezone=BERLIN)


def berlin(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(BERLIN)).astimezone(UTC)


def open_jobs(schedule: DailySchedule | WeeklySchedule, now: datetime) -> dict[str, date]:
    windows = tick_windows(schedule, now - timedelta(seconds=30), now).open
    return {window.job: window.local_date for window in windows}


def closed(
    schedule: DailySchedule | WeeklySchedule, since: datetime, now: datetime
) -> list[Window]:
    return list(tick_windows(schedule, since, now).closed)


# --- the windows of the Daily and the Weekly ----------------------------------------------


def test_a_prompt_missed_by_five_hours_still_goes_out_that_day_and_not_the_next() -> None:
    thursday = date(2026, 11, 26)
    assert open_jobs(DEFAULT_DAILY, berlin(26, 14))["daily-prompt"] == thursday
    assert open_jobs(DEFAULT_DAILY, berlin(26, 23, 59))["daily-prompt"] == thursday
    assert "daily-prompt" not in open_jobs(DEFAULT_DAILY, berlin(27, 0, 0))
    [prompt, _summary] = closed(DEFAULT_DAILY, berlin(26, 23, 59), berlin(27, 0, 0))
    assert (prompt.job, prompt.local_date, prompt.closing_reason) == (
        "daily-prompt",
        thursday,
        DAY_IS_OVER,
    )


def test_the_reminder_is_dropped_once_the_summary_is_due() -> None:
    assert "daily-reminder" in open_jobs(DEFAULT_DAILY, berlin(26, 11, 59))
    assert "daily-reminder" not in open_jobs(DEFAULT_DAILY, berlin(26, 12, 0))
    [reminder] = closed(DEFAULT_DAILY, berlin(26, 11, 59), berlin(26, 12, 0))
    assert (reminder.job, reminder.closing_reason) == ("daily-reminder", SUMMARY_IS_DUE)


def test_a_reminder_set_after_the_summary_never_goes_out_and_says_so_once() -> None:
    late_reminder = DailySchedule(frozenset({3}), time(9), time(13), time(12), BERLIN)
    assert "daily-reminder" not in open_jobs(late_reminder, berlin(26, 13, 0))
    assert closed(late_reminder, berlin(26, 12, 30), berlin(26, 12, 59)) == []
    [reminder] = closed(late_reminder, berlin(26, 12, 59), berlin(26, 13, 0))
    assert (reminder.job, reminder.closing_reason) == ("daily-reminder", SUMMARY_IS_DUE)


def test_the_call_for_items_may_go_out_until_the_agenda_is_due() -> None:
    # Friday 15:00 calls for Monday 10:00's Weekly; the clock was down all weekend.
    assert open_jobs(MONDAY_WEEKLY, berlin(27, 15)) == {"weekly-call": date(2026, 11, 27)}
    assert open_jobs(MONDAY_WEEKLY, berlin(30, 9, 59)) == {"weekly-call": date(2026, 11, 27)}
    assert open_jobs(MONDAY_WEEKLY, berlin(30, 10)) == {"weekly-agenda": date(2026, 11, 30)}
    [call] = closed(MONDAY_WEEKLY, berlin(30, 9, 59), berlin(30, 10))
    assert (call.job, call.closing_reason) == ("weekly-call", AGENDA_IS_DUE)
    assert open_jobs(MONDAY_WEEKLY, berlin(30, 23, 59)) == {"weekly-agenda": date(2026, 11, 30)}
    assert open_jobs(MONDAY_WEEKLY, berlin(1, 0, 0, month=12)) == {}


def test_the_day_ends_at_local_midnight_also_on_a_dst_day() -> None:
    # Berlin's 29 March 2026 has 23 hours: midnight after it is 22:00 UTC.
    assert end_of_local_day(datetime(2026, 3, 29, 7, tzinfo=UTC), BERLIN) == datetime(
        2026, 3, 29, 22, tzinfo=UTC
    )
    assert end_of_local_day(datetime(2026, 10, 25, 8, tzinfo=UTC), BERLIN) == datetime(
        2026, 10, 25, 23, tzinfo=UTC
    )


clock_times = st.times().map(lambda moment: moment.replace(second=0, microsecond=0))
daily_schedules = st.builds(
    DailySchedule,
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    prompt_at=clock_times,
    reminder_at=clock_times,
    summary_at=clock_times,
    timezone=st.sampled_from(ZONES),
)
weekly_schedules = st.builds(
    WeeklySchedule,
    weekday=st.integers(0, 6),
    at=clock_times,
    call_at=clock_times,
    timezone=st.sampled_from(ZONES),
)
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None)
@given(
    schedule=st.one_of(daily_schedules, weekly_schedules),
    start=instants,
    steps=st.lists(st.integers(1, 6 * 3600), min_size=1, max_size=60),
)
def test_ticks_see_each_window_open_all_along_and_report_its_close_once(
    schedule: DailySchedule | WeeklySchedule, start: datetime, steps: list[int]
) -> None:
    """Whatever the tick spacing (a restarted clock, a slow tick), an occurrence is due at
    every tick inside its window and reported dropped exactly once after it."""
    previous = start
    reported: list[Window] = []
    for step in steps:
        now = previous + timedelta(seconds=step)
        windows = tick_windows(schedule, previous, now)
        for window in windows.open:
            assert window.fire_at <= now < window.closes_at
        reported += windows.closed
        # Everything the whole span contains, computed in one go, agrees with this tick.
        every = tick_windows(schedule, start, now)
        assert set(windows.open) == set(every.open)
        previous = now
    assert len(reported) == len(set(reported)), "a dropped occurrence is reported once"
    assert set(reported) == set(tick_windows(schedule, start, previous).closed)


@settings(max_examples=100, deadline=None)
@given(schedule=daily_schedules, now=instants)
def test_daily_windows_follow_the_rules(schedule: DailySchedule, now: datetime) -> None:
    for window in daily_windows(schedule, now - timedelta(days=3), now):
        zone = ZoneInfo(schedule.timezone)
        if window.job == "daily-reminder":
            assert window.closing_reason == SUMMARY_IS_DUE
            summary = window.closes_at.astimezone(zone)
            assert (summary.date(), summary.time()) >= (window.local_date, schedule.summary_at)
        else:
            assert window.closing_reason == DAY_IS_OVER
            assert window.closes_at > window.fire_at
            assert window.closes_at - window.fire_at <= timedelta(hours=25)
            assert window.closes_at.astimezone(zone).time() <= time(1)  # midnight, or a gap's end


# --- retries and error codes ----------------------------------------------------------------


def test_the_first_failure_is_retried_at_the_next_tick_and_later_ones_back_off() -> None:
    assert retry_delay(1) == timedelta(0)
    assert retry_delay(2) == FIRST_BACKOFF
    assert retry_delay(3) == 2 * FIRST_BACKOFF
    assert retry_delay(50) == MAX_BACKOFF


@given(st.integers(1, 10_000))
def test_retry_delays_grow_and_stay_bounded(attempts: int) -> None:
    assert retry_delay(attempts) <= retry_delay(attempts + 1) <= MAX_BACKOFF


def _slack_error(code: str) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=200,
    )
    return SlackApiError("The request to the Slack API failed. secret user text", response)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (_slack_error("ratelimited"), "ratelimited"),
        (ConnectionRefusedError("user text here"), "ConnectionRefusedError"),
        (RuntimeError("someone is posting 'my plan' right now"), "RuntimeError"),
    ],
)
def test_the_error_code_is_slacks_code_or_the_class_never_the_message(
    error: BaseException, code: str
) -> None:
    assert error_code(error) == code


@settings(max_examples=60, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    zone=st.sampled_from(ZONES),
    times=st.lists(st.integers(0, 23 * 60 + 59), min_size=3, max_size=3),
    since_seconds=st.sampled_from([30, 3600, 86400]),
)
def test_a_dailys_windows_job_by_job_are_its_windows(
    now: datetime, zone: str, times: list[int], since_seconds: int
) -> None:
    """The planner computes each job's windows once for every channel sharing that job's
    times (`schedules.plan`); joined, they are the schedule's windows, in the same order."""
    prompt, reminder, summary = (time(minutes // 60, minutes % 60) for minutes in times)
    schedule = DailySchedule(frozenset({0, 2, 3, 6}), prompt, reminder, summary, zone)
    at = now.replace(tzinfo=UTC)
    since = at - timedelta(seconds=since_seconds)
    whole = tick_windows(schedule, since, at)
    by_job = TickWindows.joined(
        [tick_windows(schedule, since, at, only=job) for job in schedule.jobs]
    )
    assert by_job == whole
