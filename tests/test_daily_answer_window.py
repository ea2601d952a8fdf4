"""Which Daily an answer joins by the moment it is given: early from 18:00 the evening before
a Daily day, today's on a Daily day (even after the summary), else the last one held — in the
channel's time zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.daily.rules import (
    EARLY_ANSWERS_FROM,
    DailySchedule,
    daily_date_for_answer_at,
    early_answers_from,
)
from bot.schedule import local_to_utc

ZONES = ("Europe/Berlin", "America/Los_Angeles", "Australia/Lord_Howe")
MON_THU = frozenset({0, 3})
MON_23, WED_25, THU_26 = date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 26)


def schedule(
    tz: str = "Europe/Berlin",
    weekdays: frozenset[int] = MON_THU,
    summary_at: time = time(12, 0),
) -> DailySchedule:
    return DailySchedule(weekdays, time(9, 0), time(11, 0), summary_at, tz)


def at(day: date, clock: str, tz: str) -> datetime:
    return local_to_utc(day, time.fromisoformat(clock), tz)


@pytest.mark.parametrize("tz", ZONES)
def test_from_18_00_the_evening_before_an_answer_joins_the_next_daily(tz: str) -> None:
    rules = schedule(tz)
    assert daily_date_for_answer_at(at(WED_25, "17:59", tz), rules, MON_23) == MON_23
    assert daily_date_for_answer_at(at(WED_25, "18:00", tz), rules, MON_23) == THU_26
    assert daily_date_for_answer_at(at(WED_25, "23:59", tz), rules, MON_23) == THU_26
    assert daily_date_for_answer_at(at(THU_26, "00:00", tz), rules, MON_23) == THU_26


@pytest.mark.parametrize("clock", ["07:00", "12:00", "17:59", "23:59"])
def test_on_a_daily_day_an_answer_joins_that_days_daily_even_after_its_summary(
    clock: str,
) -> None:
    # Thursday evening: Friday is no Daily day, so even late answers stay with Thursday's.
    assert daily_date_for_answer_at(at(THU_26, clock, "Europe/Berlin"), schedule(), THU_26) == (
        THU_26
    )


def test_two_daily_days_in_a_row_hand_over_at_18_00() -> None:
    mon_tue = schedule(weekdays=frozenset({0, 1}))
    assert daily_date_for_answer_at(at(MON_23, "17:59", "Europe/Berlin"), mon_tue, MON_23) == (
        MON_23
    )
    assert daily_date_for_answer_at(at(MON_23, "18:00", "Europe/Berlin"), mon_tue, MON_23) == (
        MON_23 + timedelta(days=1)
    )


def test_a_summary_later_than_18_00_keeps_that_days_daily_open_until_it_is_out() -> None:
    late_summary = schedule(weekdays=frozenset({0, 1}), summary_at=time(19, 30))
    assert early_answers_from(MON_23, late_summary) == time(19, 30)
    assert early_answers_from(date(2026, 11, 22), late_summary) == EARLY_ANSWERS_FROM  # a Sunday
    assert daily_date_for_answer_at(at(MON_23, "19:29", "Europe/Berlin"), late_summary, MON_23) == (
        MON_23
    )
    assert daily_date_for_answer_at(at(MON_23, "19:30", "Europe/Berlin"), late_summary, MON_23) == (
        MON_23 + timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("tz", "sunday", "boundary_utc"),
    [
        # Berlin leaves summer time on Sunday 25 Oct 2026: 18:00 is then 17:00 UTC.
        ("Europe/Berlin", date(2026, 10, 25), datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
        # ... and enters it on Sunday 29 Mar 2026: 18:00 is 16:00 UTC.
        ("Europe/Berlin", date(2026, 3, 29), datetime(2026, 3, 29, 16, 0, tzinfo=UTC)),
        # Los Angeles enters summer time on Sunday 8 Mar 2026: 18:00 PDT is 01:00 UTC.
        ("America/Los_Angeles", date(2026, 3, 8), datetime(2026, 3, 9, 1, 0, tzinfo=UTC)),
        # Lord Howe moves by half an hour on Sunday 4 Oct 2026: 18:00 is 07:00 UTC (+11:00).
        ("Australia/Lord_Howe", date(2026, 10, 4), datetime(2026, 10, 4, 7, 0, tzinfo=UTC)),
        # ... and back on Sunday 5 Apr 2026: 18:00 is 07:30 UTC (+10:30).
        ("Australia/Lord_Howe", date(2026, 4, 5), datetime(2026, 4, 5, 7, 30, tzinfo=UTC)),
    ],
)
def test_the_evening_before_starts_at_local_18_00_on_the_day_the_clocks_change(
    tz: str, sunday: date, boundary_utc: datetime
) -> None:
    monday = sunday + timedelta(days=1)
    rules = schedule(tz, weekdays=frozenset({0}))
    assert sunday.weekday() == 6
    before = boundary_utc - timedelta(seconds=1)
    assert daily_date_for_answer_at(before, rules, None) == sunday  # an ad-hoc Daily
    assert daily_date_for_answer_at(boundary_utc, rules, None) == monday


# --- properties -----------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
weekday_sets = st.frozensets(st.integers(0, 6), min_size=1)
summary_times = st.times(min_value=time(9, 0), max_value=time(23, 0)).map(
    lambda t: t.replace(second=0, microsecond=0)
)


@st.composite
def situations(draw: st.DrawFn) -> tuple[datetime, DailySchedule, date | None]:
    moment = draw(instants)
    rules = schedule(draw(st.sampled_from(ZONES)), draw(weekday_sets), draw(summary_times))
    today = moment.astimezone(ZoneInfo(rules.timezone)).date()
    back = draw(st.none() | st.integers(0, 14))
    return moment, rules, None if back is None else today - timedelta(days=back)


@settings(max_examples=300)
@given(situations())
def test_an_answer_joins_today_tomorrow_or_the_last_daily_held(
    situation: tuple[datetime, DailySchedule, date | None],
) -> None:
    moment, rules, latest = situation
    local = moment.astimezone(ZoneInfo(rules.timezone))
    today, tomorrow = local.date(), local.date() + timedelta(days=1)
    joined = daily_date_for_answer_at(moment, rules, latest)
    assert joined in {today, tomorrow, latest}
    evening = local.time() >= early_answers_from(today, rules)
    assert (joined == tomorrow) == (tomorrow.weekday() in rules.weekdays and evening)
    if today.weekday() in rules.weekdays and not (tomorrow.weekday() in rules.weekdays and evening):
        assert joined == today, "a Daily day's answers join its Daily"
    if joined == tomorrow:
        assert local.time() >= EARLY_ANSWERS_FROM, "never early before 18:00"


@settings(max_examples=300)
@given(situations(), st.integers(0, 72 * 3600))
def test_a_later_answer_never_joins_an_earlier_daily(
    situation: tuple[datetime, DailySchedule, date | None], seconds_later: int
) -> None:
    moment, rules, latest = situation
    first = daily_date_for_answer_at(moment, rules, latest)
    later = daily_date_for_answer_at(moment + timedelta(seconds=seconds_later), rules, latest)
    assert later >= first


def test_days_off_are_skipped_like_days_without_a_daily() -> None:
    """A cancelled Thursday or a holiday: the evening before stays with Monday's Daily, the
    day itself joins Monday's (not an ad-hoc Daily of its own), and the next Monday is the next
    Daily again."""
    thursday_off = {THU_26}.__contains__
    rules = schedule()
    assert (
        daily_date_for_answer_at(
            at(WED_25, "18:30", "Europe/Berlin"), rules, MON_23, (thursday_off)
        )
        == MON_23
    )
    assert (
        daily_date_for_answer_at(
            at(THU_26, "10:00", "Europe/Berlin"), rules, MON_23, (thursday_off)
        )
        == MON_23
    )
    sunday = date(2026, 11, 29)
    assert daily_date_for_answer_at(
        at(sunday, "18:00", "Europe/Berlin"), rules, MON_23, (thursday_off)
    ) == sunday + timedelta(days=1)


def test_with_no_daily_held_since_the_last_one_that_was_not_off_an_answer_opens_its_own() -> None:
    monday_off = {MON_23}.__contains__
    last_week = date(2026, 11, 19)
    assert (
        daily_date_for_answer_at(
            at(MON_23, "10:00", "Europe/Berlin"), schedule(), last_week, (monday_off)
        )
        == last_week
    ), "the Monday was off: the last Daily held was the Thursday before"
    assert (
        daily_date_for_answer_at(
            at(MON_23, "10:00", "Europe/Berlin"), schedule(), None, (monday_off)
        )
        == MON_23
    )
