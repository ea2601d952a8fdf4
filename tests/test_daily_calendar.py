"""Pure decisions of where and when the Daily happens: holidays, cancelled days, the Daily
turned off, quiet hours for reminders, and the Weekly moved off a holiday — across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.daily.calendar import (
    CANCELLED,
    DAILY_IS_OFF,
    DAILY_NONE,
    DAILY_OFF,
    DAILY_ON,
    cancel_problem,
    next_daily,
    reminder_time,
    skip_reason,
)
from bot.daily.rules import DailySchedule
from bot.holidays import effective_region, holiday_name, parse_region
from bot.weekly.rules import (
    WeeklySchedule,
    agenda_date_for,
    calls_between,
    meetings_between,
    next_weekly,
)

BERLIN, LA, LORD_HOWE = "Europe/Berlin", "America/Los_Angeles", "Australia/Lord_Howe"


def local(tz: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(tz))  # type: ignore[misc]


def daily(tz: str, weekdays: set[int] | None = None) -> DailySchedule:
    return DailySchedule(frozenset(weekdays or {0, 3}), time(9), time(11), time(12), tz)


# --- quiet hours ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "now", "summary", "expected"),
    [
        # Inside 08:00–19:00 of the member's own time: at once.
        (BERLIN, local(BERLIN, 2026, 11, 26, 11), local(BERLIN, 2026, 11, 26, 12), "now"),
        (BERLIN, local(BERLIN, 2026, 11, 26, 8), local(BERLIN, 2026, 11, 26, 12), "now"),
        # New York at 05:00 their time (11:00 in Berlin): waits for their 08:00.
        (
            "America/New_York",
            local(BERLIN, 2026, 11, 26, 11),
            local(BERLIN, 2026, 11, 26, 23),
            local("America/New_York", 2026, 11, 26, 8),
        ),
        # ... and is dropped when the summary is out before their 08:00.
        (
            "America/New_York",
            local(BERLIN, 2026, 11, 26, 11),
            local(BERLIN, 2026, 11, 26, 12),
            None,
        ),
        # 19:00 is quiet already; the next 08:00 is tomorrow, after the summary.
        (
            BERLIN,
            local(BERLIN, 2026, 11, 26, 19),
            local(BERLIN, 2026, 11, 27, 12),
            local(BERLIN, 2026, 11, 27, 8),
        ),
        # The night DST starts in Berlin (29 March 2026): 08:00 CEST, not CET.
        (
            BERLIN,
            local(BERLIN, 2026, 3, 29, 1, 30),
            local(BERLIN, 2026, 3, 29, 12),
            datetime(2026, 3, 29, 6, tzinfo=UTC),
        ),
        # Los Angeles the morning DST starts (8 March 2026): 08:00 PDT.
        (
            LA,
            local(LA, 2026, 3, 8, 3, 30),
            local(LA, 2026, 3, 8, 12),
            datetime(2026, 3, 8, 15, tzinfo=UTC),
        ),
        # Lord Howe the morning DST ends (5 April 2026, half an hour back): 08:00 +10:30.
        (
            LORD_HOWE,
            local(LORD_HOWE, 2026, 4, 5, 7, 45),
            local(LORD_HOWE, 2026, 4, 5, 12),
            datetime(2026, 4, 4, 21, 30, tzinfo=UTC),
        ),
        # Lord Howe the morning DST starts (4 October 2026, half an hour forward): 08:00 +11.
        (
            LORD_HOWE,
            local(LORD_HOWE, 2026, 10, 4, 6),
            local(LORD_HOWE, 2026, 10, 4, 12),
            datetime(2026, 10, 3, 21, tzinfo=UTC),
        ),
    ],
)
def test_a_reminder_reaches_a_member_only_between_8_and_19_their_time(
    tz: str, now: datetime, summary: datetime, expected: datetime | str | None
) -> None:
    when = reminder_time(now.astimezone(UTC), tz, BERLIN, summary.astimezone(UTC))
    assert when == (now if expected == "now" else expected)


def test_a_member_without_a_known_time_zone_gets_the_channels() -> None:
    now = local(LA, 2026, 11, 26, 6).astimezone(UTC)
    summary = local(LA, 2026, 11, 26, 12).astimezone(UTC)
    expected = local(LA, 2026, 11, 26, 8).astimezone(UTC)
    assert reminder_time(now, None, LA, summary) == expected
    assert reminder_time(now, "Mars/Olympus_Mons", LA, summary) == expected


# --- holidays, cancelled days, the Daily off ---------------------------------------------


def test_why_a_scheduled_daily_does_not_take_place() -> None:
    epiphany = date(2026, 1, 6)
    assert skip_reason(epiphany, state=DAILY_ON, region="DE-BY", cancelled=False) == (
        "a public holiday in DE-BY (Epiphany)"
    )
    assert skip_reason(epiphany, state=DAILY_ON, region="DE-BE", cancelled=False) is None
    assert skip_reason(epiphany, state=DAILY_ON, region=None, cancelled=False) is None
    assert skip_reason(epiphany, state=DAILY_ON, region="DE-BY", cancelled=True) == CANCELLED
    assert skip_reason(epiphany, state=DAILY_OFF, region="DE-BY", cancelled=True) == DAILY_IS_OFF
    assert skip_reason(date(2026, 1, 8), state=DAILY_ON, region=None, cancelled=False) is None


def test_a_channels_region_is_its_own_none_when_off_else_the_default() -> None:
    assert effective_region("AT", "DE-BE") == "AT"
    assert effective_region("off", "DE-BE") is None
    assert effective_region(None, "DE-BE") == "DE-BE"
    assert effective_region(None, None) is None


@pytest.mark.parametrize("tz", [BERLIN, LA, LORD_HOWE])
def test_the_next_daily_skips_holidays_and_cancelled_days_across_dst(tz: str) -> None:
    schedule = daily(tz, {0, 3})
    # Thursday 1 January 2026 (New Year) is a holiday, Monday 5 January is cancelled.
    now = local(tz, 2025, 12, 30, 10).astimezone(UTC)
    assert next_daily(schedule, "DE", {date(2026, 1, 5)}, now) == date(2026, 1, 8)
    assert next_daily(schedule, None, set(), now) == date(2026, 1, 1)
    # Before today's prompt today's Daily is the next; after it, the next Daily day.
    thursday = local(tz, 2026, 3, 26, 8, 59).astimezone(UTC)
    assert next_daily(schedule, None, set(), thursday) == date(2026, 3, 26)
    assert next_daily(schedule, None, set(), local(tz, 2026, 3, 26, 9, 1)) == date(2026, 3, 30)


def test_a_daily_can_be_cancelled_until_its_summary_is_due() -> None:
    schedule = daily(BERLIN)
    thursday = date(2026, 11, 26)
    assert cancel_problem(schedule, None, thursday, local(BERLIN, 2026, 11, 26, 11, 59)) is None
    assert cancel_problem(schedule, None, thursday, local(BERLIN, 2026, 11, 26, 12)) == (
        "daily.cancel.error.past"
    )
    assert cancel_problem(schedule, None, date(2026, 11, 25), local(BERLIN, 2026, 11, 20)) == (
        "daily.cancel.error.no_daily"
    )
    assert cancel_problem(schedule, "DE", date(2026, 12, 24), local(BERLIN, 2026, 11, 20)) is None
    assert cancel_problem(schedule, "DE", date(2026, 1, 1), local(BERLIN, 2025, 11, 20)) == (
        "daily.cancel.error.holiday"
    )
    assert cancel_problem(schedule, None, date(2028, 1, 6), local(BERLIN, 2026, 11, 20)) == (
        "daily.cancel.error.too_far"
    )


def test_the_none_state_means_the_bot_was_never_added() -> None:
    assert DAILY_NONE not in (DAILY_ON, DAILY_OFF)


# --- regions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [("DE", "DE"), ("de-by", "DE-BY"), ("AT", "AT"), ("ch-zh", "CH-ZH"), ("US CA", "US-CA")],
)
def test_regions_are_read_as_people_type_them(typed: str, code: str) -> None:
    assert parse_region(typed).code == code


@pytest.mark.parametrize("typed", ["XX", "DE-XX", "Bayern", "", "D", "DE-BY-X"])
def test_unknown_regions_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_region(typed)


@given(st.text(max_size=20))
def test_reading_any_region_text_fails_only_with_a_value_error(text: str) -> None:
    try:
        region = parse_region(text)
    except ValueError:
        return
    assert parse_region(region.code) == region


def test_holidays_differ_by_subdivision() -> None:
    assert holiday_name("DE-BY", date(2026, 1, 6)) == "Epiphany"
    assert holiday_name("DE-BE", date(2026, 3, 8)) is not None  # Women's Day in Berlin only
    assert holiday_name("DE-BY", date(2026, 3, 8)) is None
    assert holiday_name("US-CA", date(2026, 7, 4)) == "Independence Day"
    assert holiday_name("off", date(2026, 12, 25)) is None


# --- the Weekly moves off a holiday, and its call for items with it ------------------------


@pytest.mark.parametrize("tz", [BERLIN, LA, LORD_HOWE])
def test_a_weekly_on_easter_monday_moves_to_tuesday_with_its_call(tz: str) -> None:
    schedule = WeeklySchedule(0, time(10), time(15), tz, "DE")
    start, end = local(tz, 2026, 3, 28).astimezone(UTC), local(tz, 2026, 4, 15).astimezone(UTC)
    meetings = meetings_between(schedule, start, end)
    assert [m.local_date for m in meetings] == [
        date(2026, 3, 30),
        date(2026, 4, 7),
        date(2026, 4, 13),
    ]
    assert meetings[1].fire_at == local(tz, 2026, 4, 7, 10).astimezone(UTC)
    calls = {
        meeting.local_date: call.local_date for call, meeting in calls_between(schedule, start, end)
    }
    # Good Friday is a holiday too: the call goes out on the Thursday before.
    assert calls[date(2026, 4, 7)] == date(2026, 4, 2)
    assert calls[date(2026, 4, 13)] == date(2026, 4, 10)
    easter_monday = local(tz, 2026, 4, 6, 10, 30).astimezone(UTC)
    assert agenda_date_for(schedule, easter_monday) == date(2026, 4, 7)
    assert next_weekly(schedule, local(tz, 2026, 4, 2, 15).astimezone(UTC)) == meetings[1].fire_at


def test_without_a_region_the_weekly_keeps_its_day() -> None:
    schedule = WeeklySchedule(0, time(10), time(15), BERLIN)
    start, end = (
        local(BERLIN, 2026, 4, 1).astimezone(UTC),
        local(BERLIN, 2026, 4, 8).astimezone(UTC),
    )
    assert [m.local_date for m in meetings_between(schedule, start, end)] == [date(2026, 4, 6)]
    calls = calls_between(schedule, start, end)
    assert [call.local_date for call, _ in calls] == [date(2026, 4, 3)]
