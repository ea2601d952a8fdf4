"""When scheduled posts are due: pure calendar arithmetic, no Slack, database or APScheduler.

The clock asks every tick which occurrences fell into its (overlapping) catch-up window and
claims each one by its local date, so everything here is written to give every local date at
most one fire instant, whichever window asks, and never to lose a date to a daylight-saving
change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ONE_DAY = timedelta(days=1)
# Every weekday recurs within a week; the extra days leave room for a wall time pushed past
# midnight by a gap and for the UTC offset changing inside the horizon.
NEXT_OCCURRENCE_HORIZON = timedelta(days=15)
PREVIOUS_OCCURRENCE_LOOKBACK = timedelta(days=14)
WORKDAYS = frozenset({0, 1, 2, 3, 4})


def zone_for(tz: str) -> ZoneInfo:
    """The zone, or a ValueError callers can show, whatever way the name is wrong."""
    try:
        return ZoneInfo(tz)
    # A folder such as "Europe" raises IsADirectoryError rather than ZoneInfoNotFoundError,
    # and malformed keys ("", "/etc/x") raise ValueError.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {tz!r}; use an IANA name like Europe/Berlin") from None


def _validated_weekdays(days: Iterable[int]) -> frozenset[int]:
    weekdays = frozenset(days)
    if not weekdays:
        raise ValueError("at least one weekday is needed")
    invalid = [day for day in weekdays if not isinstance(day, int) or not 0 <= day <= 6]
    if invalid:
        raise ValueError(
            f"weekdays are 0 (Monday) to 6 (Sunday), got {sorted(invalid, key=repr)!r}"
        )
    return weekdays


@dataclass(frozen=True)
class WeeklyPattern:
    """Fires at one local wall time on some weekdays; 0 = Monday … 6 = Sunday."""

    weekdays: frozenset[int]
    at: time
    tz: str

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        # Accept any set of days but store a frozenset so patterns stay hashable.
        object.__setattr__(self, "weekdays", _validated_weekdays(self.weekdays))
        if self.at.tzinfo is not None:
            raise ValueError("the time must be a local wall time without tzinfo")
        zone_for(self.tz)


@dataclass(frozen=True)
class Occurrence:
    """One due post: the local date it belongs to (the idempotency key) and when to send it."""

    local_date: date
    fire_at: datetime  # aware, UTC


def _require_aware(instant: datetime, name: str) -> None:
    # A naive datetime would silently be read in the server's time zone.
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {instant!r}")


def _offset(moment: datetime) -> timedelta:
    offset = moment.utcoffset()
    assert offset is not None, "zoneinfo always knows the offset"
    return offset


@lru_cache(maxsize=4096)
def local_to_utc(local_date: date, at: time, tz: str) -> datetime:
    """The UTC instant a clock in ``tz`` shows ``at`` on ``local_date``.

    A wall time skipped by spring-forward moves forward by the gap's length (02:30 in
    Berlin's 02:00–03:00 gap fires at 03:30), so the day still gets its post, as late as the
    clocks jumped. A wall time shown twice at fall-back fires the first time (fold=0) so the
    post is never an hour later than people expect. Cached because the clock asks the same
    few dates every tick.
    """
    zone = zone_for(tz)
    wall = datetime.combine(local_date, at.replace(tzinfo=None))
    first_reading = wall.replace(tzinfo=zone, fold=0)
    instant = first_reading.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # Nothing round-trips to a skipped wall time. Inside a gap zoneinfo reads fold=0 with the
    # offset before the jump and fold=1 with the offset after, so they differ by the gap.
    gap = _offset(wall.replace(tzinfo=zone, fold=1)) - _offset(first_reading)
    return (wall + gap).replace(tzinfo=zone).astimezone(UTC)


@lru_cache(maxsize=4096)
def weekly_pattern(weekdays: frozenset[int], at: time, tz: str) -> WeeklyPattern:
    """The pattern, validated once however many channels share it: the clock builds three per
    channel every tick (thousands), from a few hundred distinct settings at most."""
    return WeeklyPattern(weekdays=weekdays, at=at, tz=tz)


def local_now(instant: datetime, tz: str) -> datetime:
    """``instant`` as the clocks in ``tz`` show it (aware)."""
    _require_aware(instant, "instant")
    return instant.astimezone(zone_for(tz))


def local_date_of(instant: datetime, tz: str) -> date:
    """The calendar date people in ``tz`` are living through at ``instant``."""
    return local_now(instant, tz).date()


def occurrences_between(pattern: WeeklyPattern, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence with ``start < fire_at <= end``, sorted.

    Half-open windows make consecutive ticks partition time: each occurrence lands in exactly
    one window. Works date by date in the pattern's zone, so the cost is one step per local
    day in the window, however the offsets change inside it.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        return []
    # A wall time pushed across midnight by a gap fires on the following local date, so the
    # date before the window's first one may still be due inside it.
    day = local_date_of(start, pattern.tz) - ONE_DAY
    last_day = local_date_of(end, pattern.tz)
    found: list[Occurrence] = []
    while day <= last_day:
        if day.weekday() in pattern.weekdays:
            fire_at = local_to_utc(day, pattern.at, pattern.tz)
            if start < fire_at <= end:
                found.append(Occurrence(day, fire_at))
        day += ONE_DAY
    found.sort(key=lambda occurrence: (occurrence.fire_at, occurrence.local_date))
    return found


def next_occurrence(pattern: WeeklyPattern, after: datetime) -> Occurrence:
    """The first occurrence firing strictly after ``after``."""
    return occurrences_between(pattern, after, after + NEXT_OCCURRENCE_HORIZON)[0]


def previous_occurrence(pattern: WeeklyPattern, at_or_before: datetime) -> Occurrence | None:
    """The latest occurrence at or before ``at_or_before``, looking back two weeks at most."""
    found = occurrences_between(pattern, at_or_before - PREVIOUS_OCCURRENCE_LOOKBACK, at_or_before)
    return found[-1] if found else None


def working_day_before(d: date, workdays: frozenset[int] = WORKDAYS) -> date:
    """The last working day before ``d``: what "yesterday" means on a Monday."""
    workdays = _validated_weekdays(workdays)
    day = d - ONE_DAY
    while day.weekday() not in workdays:
        day -= ONE_DAY
    return day


_CLOCK_TIME = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?")


@lru_cache(maxsize=4096)  # the clock parses every channel's times every tick
def parse_clock_time(text: str) -> time:
    """A time of day as people type it: "9", "9:00", "09:00", "9.30", "14:05"."""
    match = _CLOCK_TIME.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time of day; write it like 9:00, 09:30 or 14.05")
    hours, minutes = int(match[1]), int(match[2] or 0)
    if hours > 23:
        raise ValueError(f"{text!r}: hours must be between 0 and 23")
    if minutes > 59:
        raise ValueError(f"{text!r}: minutes must be between 0 and 59")
    return time(hours, minutes)


# English and German, full, abbreviated and plural ("montags und donnerstags").
_DAY_ALIASES: tuple[tuple[str, ...], ...] = (
    ("monday", "mondays", "mon", "mo", "montag", "montags"),
    ("tuesday", "tuesdays", "tue", "tues", "tu", "dienstag", "dienstags", "di"),
    ("wednesday", "wednesdays", "wed", "we", "mittwoch", "mittwochs", "mi"),
    ("thursday", "thursdays", "thu", "thur", "thurs", "th", "donnerstag", "donnerstags", "do"),
    ("friday", "fridays", "fri", "fr", "freitag", "freitags"),
    ("saturday", "saturdays", "sat", "sa", "samstag", "samstags", "sonnabend"),
    ("sunday", "sundays", "sun", "su", "sonntag", "sonntags", "so"),
)
_DAY_BY_WORD = {alias: day for day, aliases in enumerate(_DAY_ALIASES) for alias in aliases}
_RANGE_WORDS = frozenset({"-", "–", "—", "to", "through", "thru", "bis"})
_FILLER_WORDS = frozenset({"and", "und"})
# Dashes are tokens of their own so "mon-fri" needs no spaces; dots end abbreviations ("Mo.").
_WEEKDAY_TOKEN = re.compile(r"[-–—]|[^\s,;/&+.\-–—]+")
_ENGLISH_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _day_from_word(word: str) -> int:
    day = _DAY_BY_WORD.get(word.casefold())
    if day is None:
        raise ValueError(f"{word!r} is not a weekday; write days like Mon, Thu or Mo, Do")
    return day


def _day_range(first: int, last: int) -> list[int]:
    # Ranges wrap around the weekend, so "Sa-Mo" means Saturday, Sunday, Monday.
    return [(first + step) % 7 for step in range((last - first) % 7 + 1)]


def parse_weekdays(text: str) -> frozenset[int]:
    """Weekdays as people type them: "mon,thu", "Mo, Do", "mon-fri", "Montag und Donnerstag"."""
    days: set[int] = set()
    previous_day: int | None = None
    range_start: int | None = None
    for token in _WEEKDAY_TOKEN.findall(text):
        word = token.casefold()
        if word in _FILLER_WORDS:
            continue
        if word in _RANGE_WORDS:
            if previous_day is None:
                raise ValueError(f"{text!r}: a range needs a day on both sides, like Mon-Fri")
            range_start, previous_day = previous_day, None
            continue
        day = _day_from_word(token)
        if range_start is not None:
            days.update(_day_range(range_start, day))
            range_start = None
        else:
            days.add(day)
            previous_day = day
    if range_start is not None:
        raise ValueError(f"{text!r}: a range needs a day on both sides, like Mon-Fri")
    if not days:
        raise ValueError(f"{text!r} names no weekdays; write days like Mon, Thu or Mo, Do")
    return frozenset(days)


@lru_cache(maxsize=32)
def _abbreviated_day_names(lang: str) -> tuple[str, ...]:
    try:
        from babel import UnknownLocaleError
        from babel.dates import get_day_names
    except ImportError:
        return _ENGLISH_ABBREVIATIONS
    try:
        # Babel wants "de_DE"; Slack and HTTP speak "de-DE".
        names = get_day_names("abbreviated", locale=lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return _ENGLISH_ABBREVIATIONS
    return tuple(names[day] for day in range(7))


def format_weekdays(days: Iterable[int], lang: str) -> str:
    """Weekdays Monday first in the reader's language: "Mon, Thu" or "Mo., Do."."""
    names = _abbreviated_day_names(lang)
    return ", ".join(names[day] for day in sorted(_validated_weekdays(days)))
