"""The scheduling rules the clock relies on: one post per local date, on time, across DST.

Expected instants around the changes are written out by hand from the 2026 tz rules rather
than recomputed with zoneinfo, so the tests do not share the implementation's assumptions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.schedule import (
    Occurrence,
    WeeklyPattern,
    format_weekdays,
    local_date_of,
    local_now,
    local_to_utc,
    next_occurrence,
    occurrences_between,
    parse_clock_time,
    parse_weekdays,
    previous_occurrence,
    working_day_before,
)

EVERY_DAY = frozenset(range(7))
BERLIN = "Europe/Berlin"
LOS_ANGELES = "America/Los_Angeles"
LORD_HOWE = "Australia/Lord_Howe"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def offset_of(moment: datetime) -> timedelta:
    offset = moment.utcoffset()
    assert offset is not None
    return offset


@dataclass(frozen=True)
class DstCase:
    tz: str
    at: time
    change: date
    # Hand-checked: the first reading in a fold, the wall time moved on by the gap in a gap.
    fire_at_on_change: datetime

    def __str__(self) -> str:
        return f"{self.tz}-{self.change}-{self.at:%H%M}"


DST_CASES = [
    # Berlin: 02:00 CET -> 03:00 CEST on 29 March, 03:00 CEST -> 02:00 CET on 25 October.
    DstCase(BERLIN, time(9), date(2026, 3, 29), utc(2026, 3, 29, 7)),
    DstCase(BERLIN, time(2, 30), date(2026, 3, 29), utc(2026, 3, 29, 1, 30)),  # 03:30 CEST
    DstCase(BERLIN, time(2), date(2026, 3, 29), utc(2026, 3, 29, 1)),  # 03:00 CEST
    DstCase(BERLIN, time(9), date(2026, 10, 25), utc(2026, 10, 25, 8)),
    DstCase(BERLIN, time(2, 30), date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),  # CEST reading
    # Los Angeles: 02:00 PST -> 03:00 PDT on 8 March, 02:00 PDT -> 01:00 PST on 1 November.
    DstCase(LOS_ANGELES, time(9), date(2026, 3, 8), utc(2026, 3, 8, 16)),
    DstCase(LOS_ANGELES, time(2, 30), date(2026, 3, 8), utc(2026, 3, 8, 10, 30)),  # 03:30 PDT
    DstCase(LOS_ANGELES, time(9), date(2026, 11, 1), utc(2026, 11, 1, 17)),
    DstCase(LOS_ANGELES, time(1, 30), date(2026, 11, 1), utc(2026, 11, 1, 8, 30)),  # PDT reading
    DstCase(LOS_ANGELES, time(2, 30), date(2026, 11, 1), utc(2026, 11, 1, 10, 30)),  # just PST
    # Lord Howe shifts by half an hour: 02:00 +11 -> 01:30 +10:30 on 5 April,
    # 02:00 +10:30 -> 02:30 +11 on 4 October.
    DstCase(LORD_HOWE, time(9), date(2026, 4, 5), utc(2026, 4, 4, 22, 30)),
    DstCase(LORD_HOWE, time(2, 15), date(2026, 4, 5), utc(2026, 4, 4, 15, 45)),  # after the fold
    DstCase(LORD_HOWE, time(1, 45), date(2026, 4, 5), utc(2026, 4, 4, 14, 45)),  # +11 reading
    DstCase(LORD_HOWE, time(9), date(2026, 10, 4), utc(2026, 10, 3, 22)),
    DstCase(LORD_HOWE, time(2, 15), date(2026, 10, 4), utc(2026, 10, 3, 15, 45)),  # 02:45 +11
    DstCase(LORD_HOWE, time(2), date(2026, 10, 4), utc(2026, 10, 3, 15, 30)),  # 02:30 +11
]


def _local_midnight(day: date, tz: str) -> datetime:
    # None of these zones changes at midnight, so local midnight is unambiguous.
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _ticks(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    now = start + step
    while now <= end:
        yield now
        now += step


def _check_week(case: DstCase, found: list[Occurrence]) -> None:
    week = [case.change + timedelta(days=offset) for offset in range(-3, 4)]
    assert [occurrence.local_date for occurrence in found] == week
    for occurrence in found:
        assert occurrence.fire_at.utcoffset() == timedelta(0)
        if occurrence.local_date == case.change:
            assert occurrence.fire_at == case.fire_at_on_change
        else:
            local = occurrence.fire_at.astimezone(ZoneInfo(case.tz))
            assert local.replace(tzinfo=None) == datetime.combine(occurrence.local_date, case.at)


@pytest.mark.parametrize("case", DST_CASES, ids=str)
def test_clock_ticking_through_a_dst_week_posts_once_per_local_date(case: DstCase) -> None:
    pattern = WeeklyPattern(EVERY_DAY, case.at, case.tz)
    start = _local_midnight(case.change - timedelta(days=3), case.tz)
    end = _local_midnight(case.change + timedelta(days=4), case.tz)
    found: list[Occurrence] = []
    previous = start
    for now in _ticks(start, end, timedelta(seconds=30)):
        found.extend(occurrences_between(pattern, previous, now))
        previous = now
    _check_week(case, found)


@pytest.mark.parametrize("case", DST_CASES, ids=str)
def test_overlapping_catch_up_windows_agree_on_each_dates_instant(case: DstCase) -> None:
    """Like the clock: every 30 s it looks back two hours and claims by local date."""
    pattern = WeeklyPattern(EVERY_DAY, case.at, case.tz)
    start = _local_midnight(case.change - timedelta(days=3), case.tz)
    end = _local_midnight(case.change + timedelta(days=4), case.tz)
    tick = timedelta(seconds=30)
    first_seen: dict[Occurrence, datetime] = {}
    for now in _ticks(start, end, tick):
        for occurrence in occurrences_between(pattern, now - timedelta(hours=2), now):
            first_seen.setdefault(occurrence, now)
    claimed = sorted(first_seen, key=lambda occurrence: occurrence.fire_at)
    # Distinct occurrences for one local date would be claimed once and the other one lost.
    assert len({occurrence.local_date for occurrence in claimed}) == len(claimed)
    for occurrence, seen_at in first_seen.items():
        assert occurrence.fire_at <= seen_at < occurrence.fire_at + tick
    _check_week(case, claimed)


DST_ZONES = [BERLIN, LOS_ANGELES, LORD_HOWE, "UTC", "America/St_Johns", "Pacific/Chatham"]
DST_CHANGES = [case.fire_at_on_change for case in DST_CASES]
TRICKY_TIMES = [time(0, 15), time(1, 30), time(1, 45), time(2), time(2, 15), time(2, 30)]
clock_times = st.sampled_from(TRICKY_TIMES) | st.times()


@given(
    tz=st.sampled_from(DST_ZONES),
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    at=clock_times,
    anchor=st.sampled_from(DST_CHANGES),
    start_offset=st.integers(-5 * 86_400, 5 * 86_400),
    span=st.integers(1, 10 * 86_400),
    cut_fractions=st.lists(st.floats(0, 1), max_size=20),
)
def test_one_big_window_equals_the_union_of_its_pieces(
    tz: str,
    weekdays: frozenset[int],
    at: time,
    anchor: datetime,
    start_offset: int,
    span: int,
    cut_fractions: list[float],
) -> None:
    pattern = WeeklyPattern(weekdays, at, tz)
    start = anchor + timedelta(seconds=start_offset)
    end = start + timedelta(seconds=span)
    cuts = sorted({start + timedelta(seconds=span * fraction) for fraction in cut_fractions})
    edges = [start, *(cut for cut in cuts if start < cut < end), end]
    pieces = [
        occurrence
        for piece_start, piece_end in pairwise(edges)
        for occurrence in occurrences_between(pattern, piece_start, piece_end)
    ]
    whole = occurrences_between(pattern, start, end)
    assert pieces == whole
    assert len({occurrence.local_date for occurrence in whole}) == len(whole)
    assert all(start < occurrence.fire_at <= end for occurrence in whole)


@given(
    tz=st.sampled_from(DST_ZONES),
    day=st.sampled_from([case.change for case in DST_CASES]) | st.dates(),
    at=clock_times,
)
def test_local_to_utc_shows_the_wall_time_or_moves_it_by_the_gap(
    tz: str, day: date, at: time
) -> None:
    zone = ZoneInfo(tz)
    fire_at = local_to_utc(day, at, tz)
    shown = fire_at.astimezone(zone)
    shift = shown.replace(tzinfo=None) - datetime.combine(day, at)
    assert timedelta(0) <= shift <= timedelta(hours=1)
    if shift:
        # Moved past a gap of exactly that length: the clocks jumped by it just before.
        just_before = (fire_at - shift - timedelta(microseconds=1)).astimezone(zone)
        assert offset_of(shown) - offset_of(just_before) == shift
    else:
        # The first reading of a repeated hour: no earlier instant showed the same wall time.
        for half_hours in range(1, 5):
            earlier = (fire_at - timedelta(minutes=30 * half_hours)).astimezone(zone)
            assert earlier.replace(tzinfo=None) != shown.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("day", "at", "tz", "expected_local"),
    [
        (date(2026, 3, 29), time(2, 30), BERLIN, "2026-03-29T03:30:00+02:00"),
        (date(2026, 10, 25), time(2, 30), BERLIN, "2026-10-25T02:30:00+02:00"),
        (date(2026, 10, 4), time(2, 15), LORD_HOWE, "2026-10-04T02:45:00+11:00"),
        (date(2026, 4, 5), time(1, 45), LORD_HOWE, "2026-04-05T01:45:00+11:00"),
        (date(2026, 3, 8), time(2, 30), LOS_ANGELES, "2026-03-08T03:30:00-07:00"),
        (date(2026, 11, 1), time(1, 30), LOS_ANGELES, "2026-11-01T01:30:00-07:00"),
    ],
)
def test_local_to_utc_in_gaps_and_folds(day: date, at: time, tz: str, expected_local: str) -> None:
    fire_at = local_to_utc(day, at, tz)
    assert fire_at.tzinfo is UTC
    assert fire_at == datetime.fromisoformat(expected_local)
    assert local_now(fire_at, tz).isoformat() == expected_local


def test_default_daily_after_a_wednesday_noon() -> None:
    daily = WeeklyPattern(frozenset({0, 3}), time(9), BERLIN)
    wednesday_noon = utc(2026, 11, 25, 12)
    thursday = next_occurrence(daily, wednesday_noon)
    assert thursday == Occurrence(date(2026, 11, 26), utc(2026, 11, 26, 8))
    monday = next_occurrence(daily, thursday.fire_at)
    assert monday == Occurrence(date(2026, 11, 30), utc(2026, 11, 30, 8))
    assert occurrences_between(daily, wednesday_noon, monday.fire_at) == [thursday, monday]
    assert previous_occurrence(daily, monday.fire_at) == monday
    assert previous_occurrence(daily, monday.fire_at - timedelta(seconds=1)) == thursday


def test_windows_in_any_time_zone_and_empty_windows() -> None:
    daily = WeeklyPattern(frozenset({0, 3}), time(9), BERLIN)
    new_york = ZoneInfo("America/New_York")
    start = datetime(2026, 11, 25, 7, tzinfo=new_york)
    assert [o.local_date for o in occurrences_between(daily, start, start + timedelta(days=7))] == [
        date(2026, 11, 26),
        date(2026, 11, 30),
    ]
    assert occurrences_between(daily, start, start) == []
    assert occurrences_between(daily, start, start - timedelta(days=3)) == []


def test_naive_instants_are_rejected() -> None:
    daily = WeeklyPattern(frozenset({0}), time(9), BERLIN)
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrences_between(daily, datetime(2026, 11, 25), utc(2026, 11, 30))
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date_of(datetime(2026, 11, 25), BERLIN)


def test_local_date_of_follows_the_zone_not_utc() -> None:
    late_utc_evening = utc(2026, 11, 25, 23, 30)
    assert local_date_of(late_utc_evening, BERLIN) == date(2026, 11, 26)
    assert local_date_of(late_utc_evening, LOS_ANGELES) == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("weekdays", "at", "tz"),
    [
        (frozenset(), time(9), BERLIN),
        (frozenset({7}), time(9), BERLIN),
        (frozenset({-1, 2}), time(9), BERLIN),
        (frozenset({0}), time(9), "Mars/Olympus_Mons"),
        (frozenset({0}), time(9), "Europe"),  # a folder: zoneinfo raises IsADirectoryError
        (frozenset({0}), time(9), ""),
        (frozenset({0}), time(9, tzinfo=UTC), BERLIN),
    ],
)
def test_invalid_patterns_raise_value_error(weekdays: frozenset[int], at: time, tz: str) -> None:
    with pytest.raises(ValueError):
        WeeklyPattern(weekdays, at, tz)


def test_pattern_stores_any_set_of_days_as_frozenset() -> None:
    pattern = WeeklyPattern({0, 3}, time(9), BERLIN)  # type: ignore[arg-type]
    assert pattern.weekdays == frozenset({0, 3})
    assert hash(pattern) == hash(WeeklyPattern(frozenset({3, 0}), time(9), BERLIN))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 30), date(2026, 11, 27)),  # Monday -> Friday
        (date(2026, 12, 1), date(2026, 11, 30)),  # Tuesday -> Monday
        (date(2026, 11, 29), date(2026, 11, 27)),  # Sunday -> Friday
    ],
)
def test_working_day_before(day: date, expected: date) -> None:
    assert working_day_before(day) == expected


def test_working_day_before_with_a_sunday_to_thursday_week() -> None:
    assert working_day_before(date(2026, 11, 29), frozenset({6, 0, 1, 2, 3})) == date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:00", time(9)),
        ("09:00", time(9)),
        ("9.30", time(9, 30)),
        ("14:05", time(14, 5)),
        ("9", time(9)),
        (" 0:00 ", time(0)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_clock_time(text: str, expected: time) -> None:
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("24:00", "hours"),
        ("9:60", "minutes"),
        ("9:5", "time of day"),
        ("", "time of day"),
        ("nine", "time of day"),
        ("9:00pm", "time of day"),
        ("1:02:03", "time of day"),
        ("٩:٣٠", "time of day"),  # non-ASCII digits that int() would accept
    ],
)
def test_parse_clock_time_rejects_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_clock_time(text)


@given(st.text())
def test_parse_clock_time_only_ever_raises_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        parse_clock_time(text)


@given(st.times().map(lambda moment: moment.replace(second=0, microsecond=0)))
def test_parse_clock_time_reads_what_strftime_and_people_write(moment: time) -> None:
    for text in (f"{moment:%H:%M}", f"{moment.hour}:{moment:%M}", f"{moment.hour}.{moment:%M}"):
        assert parse_clock_time(text) == moment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon,thu", {0, 3}),
        ("Monday Thursday", {0, 3}),
        ("Mo, Do", {0, 3}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("Montag und Donnerstag", {0, 3}),
        ("montags und donnerstags", {0, 3}),
        ("Mo.–Fr.", {0, 1, 2, 3, 4}),
        ("Montag bis Mittwoch, Sa", {0, 1, 2, 5}),
        ("Sa-Mo", {5, 6, 0}),
        ("Tue/Thu and Sun", {1, 3, 6}),
        ("MON, mon", {0}),
    ],
)
def test_parse_weekdays(text: str, expected: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(expected)


@pytest.mark.parametrize(
    "text", ["", " , ", "mon,xyz", "funday", "mon-", "-fri", "mon--fri", "1,2"]
)
def test_parse_weekdays_rejects_unknown_words_and_broken_ranges(text: str) -> None:
    with pytest.raises(ValueError):
        parse_weekdays(text)


DAY_WORDS = ["Mon", "thu", "Mo.", "Donnerstag", "und", "and", "-", "bis", ",", " ", "x", "9"]


@given(st.text() | st.lists(st.sampled_from(DAY_WORDS)).map("".join))
def test_parse_weekdays_only_ever_raises_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        assert parse_weekdays(text) <= EVERY_DAY


@given(
    days=st.frozensets(st.integers(0, 6), min_size=1),
    lang=st.sampled_from(["en", "de", "en-US", "de_DE", "xx"]),
)
def test_formatted_weekdays_parse_back(days: frozenset[int], lang: str) -> None:
    assert parse_weekdays(format_weekdays(days, lang)) == days


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Mon, Thu"), ("de", "Mo., Do."), ("de-DE", "Mo., Do."), ("xx", "Mon, Thu")],
)
def test_format_weekdays(lang: str, expected: str) -> None:
    assert format_weekdays({3, 0}, lang) == expected


def test_a_skipped_calendar_day_still_gets_its_post() -> None:
    """Samoa jumped from 29 to 31 December 2011: the 30th's post goes out with the 31st's."""
    daily = WeeklyPattern(EVERY_DAY, time(9), "Pacific/Apia")
    new_years_eve_nine = utc(2011, 12, 30, 19)  # 09:00 +14:00 on the 31st
    found = occurrences_between(daily, new_years_eve_nine - timedelta(hours=1), new_years_eve_nine)
    assert found == [
        Occurrence(date(2011, 12, 30), new_years_eve_nine),
        Occurrence(date(2011, 12, 31), new_years_eve_nine),
    ]
