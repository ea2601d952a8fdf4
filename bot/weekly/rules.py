"""Pure decisions of the Weekly: its schedule, which Weekly a run is for, the agenda's order,
and what reactions mean."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from bot import holidays
from bot.schedule import (
    Occurrence,
    WeeklyPattern,
    local_date_of,
    local_to_utc,
    occurrences_between,
    parse_clock_time,
    weekly_pattern,
    working_day_before,
)
from bot.weekly.parse import CATEGORIES

DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_AT = time(10, 0)
DEFAULT_CALL_AT = time(15, 0)

CLAIM = "claim"
RESOLVE = "resolve"
# Contract reactions; Slack appends a skin tone ("raising_hand::skin-tone-3") when one is used.
REACTION_KINDS = {"raising_hand": CLAIM, "white_check_mark": RESOLVE}

# Sources of an item: typed with /weekly, taken from a message, or an impediment of a Daily.
FROM_COMMAND = "command"
FROM_MESSAGE = "message"
FROM_DAILY = "daily"

# A monday, to turn a weekday into a date for `working_day_before`.
_SOME_MONDAY = date(2024, 1, 1)
# How far a Weekly moved off a holiday (and its call before it) may lie from its regular date.
MOVE_SPAN = timedelta(days=14)
NEXT_WEEKLY_HORIZON = timedelta(days=22)
Occurrences = Callable[[WeeklyPattern, datetime, datetime], list[Occurrence]]


@dataclass(frozen=True)
class WeeklySchedule:
    weekday: int
    at: time
    call_at: time
    timezone: str
    # Public holidays of this region move the Weekly to the next working day (None: none).
    holiday_region: str | None = None

    @property
    def call_weekday(self) -> int:
        """The call for items goes out on the working day (Mon–Fri) before the Weekly."""
        return working_day_before(
            date.fromordinal(_SOME_MONDAY.toordinal() + self.weekday)
        ).weekday()

    @property
    def agenda_pattern(self) -> WeeklyPattern:
        return weekly_pattern(frozenset({self.weekday}), self.at, self.timezone)

    @property
    def call_pattern(self) -> WeeklyPattern:
        return weekly_pattern(frozenset({self.call_weekday}), self.call_at, self.timezone)

    @property
    def jobs(self) -> dict[str, WeeklyPattern]:
        return {"weekly-call": self.call_pattern, "weekly-agenda": self.agenda_pattern}


def schedule_from_settings(
    weekday: int, at: str, call_at: str, timezone: str, holiday_region: str | None = None
) -> WeeklySchedule:
    """The schedule as a channel's settings store it (the clock reads thousands at once)."""
    return WeeklySchedule(
        weekday=weekday,
        at=parse_clock_time(at),
        call_at=parse_clock_time(call_at),
        timezone=timezone,
        holiday_region=holiday_region,
    )


def meetings_between(
    schedule: WeeklySchedule,
    start: datetime,
    end: datetime,
    occurrences: Occurrences = occurrences_between,
) -> list[Occurrence]:
    """The Weekly's meetings starting in (start, end]; one that falls on a public holiday moves
    to the next working day at the same time."""
    found: list[Occurrence] = []
    for regular in occurrences(schedule.agenda_pattern, start - MOVE_SPAN, end):
        day = regular.local_date
        if holidays.holiday_name(schedule.holiday_region, day) is not None:
            day = holidays.next_working_day(schedule.holiday_region, day)
        fire_at = regular.fire_at if day == regular.local_date else _at(schedule, day, schedule.at)
        if start < fire_at <= end:
            found.append(Occurrence(day, fire_at))
    return found


def calls_between(
    schedule: WeeklySchedule,
    start: datetime,
    end: datetime,
    occurrences: Occurrences = occurrences_between,
) -> list[tuple[Occurrence, Occurrence]]:
    """The calls for items going out in (start, end], each with its meeting: on the working
    day (Mon–Fri, no holiday) before the meeting, so a moved Weekly takes its call along."""
    found: list[tuple[Occurrence, Occurrence]] = []
    for meeting in meetings_between(schedule, start, end + MOVE_SPAN, occurrences):
        day = holidays.working_day_before(schedule.holiday_region, meeting.local_date)
        call = Occurrence(day, _at(schedule, day, schedule.call_at))
        if start < call.fire_at <= end:
            found.append((call, meeting))
    return found


def _at(schedule: WeeklySchedule, day: date, at: time) -> datetime:
    return local_to_utc(day, at, schedule.timezone)


def agenda_date_for(schedule: WeeklySchedule, at: datetime) -> date:
    """The Weekly whose agenda a run at `at` posts: that day's Weekly, else the next one.

    Run late on the Weekly's own day (the clock was down, someone runs it by hand) it is still
    that day's meeting the team is waiting for.
    """
    today = local_date_of(at, schedule.timezone)
    around = meetings_between(schedule, at - timedelta(days=2), at + NEXT_WEEKLY_HORIZON)
    if any(meeting.local_date == today for meeting in around):
        return today
    return next(meeting.local_date for meeting in around if meeting.fire_at > at)


def next_weekly(schedule: WeeklySchedule, at: datetime) -> datetime:
    """When the next Weekly starts (UTC), for the call for items and the draft's title."""
    return meetings_between(schedule, at, at + NEXT_WEEKLY_HORIZON)[0].fire_at


def reaction_kind(name: str) -> str | None:
    return REACTION_KINDS.get(name.split("::", 1)[0])


def is_newer(event_ts: str, stored_ts: str | None) -> bool:
    """Whether an event happened after the one a stored state came from (Slack ts order)."""
    if stored_ts is None:
        return True
    try:
        return Decimal(event_ts) > Decimal(stored_ts)
    except InvalidOperation:
        return event_ts > stored_ts


@dataclass(frozen=True)
class AgendaItem:
    """One item as the agenda, the draft and the call show it."""

    id: int
    category: str
    text: str
    user_id: str
    source: str = FROM_COMMAND
    link: str | None = None
    carried_over: bool = False
    claimants: tuple[str, ...] = ()
    resolved: bool = False
    number: int = 0


@dataclass(frozen=True)
class Mark:
    """One person's current claim or resolve mark on one of an item's replies."""

    item_id: int
    user_id: str
    kind: str
    active: bool


@dataclass(frozen=True)
class ItemState:
    claimants: tuple[str, ...] = ()
    resolved: bool = False


def item_states(marks: Iterable[Mark]) -> dict[int, ItemState]:
    """Owners are everyone with a raised hand on any reply of the item; one ✅ resolves it."""
    claimants: dict[int, set[str]] = {}
    resolved: set[int] = set()
    items: set[int] = set()
    for mark in marks:
        items.add(mark.item_id)
        if not mark.active:
            continue
        if mark.kind == CLAIM:
            claimants.setdefault(mark.item_id, set()).add(mark.user_id)
        elif mark.kind == RESOLVE:
            resolved.add(mark.item_id)
    return {
        item_id: ItemState(tuple(sorted(claimants.get(item_id, ()))), item_id in resolved)
        for item_id in items
    }


def numbered(items: Sequence[AgendaItem]) -> list[AgendaItem]:
    """Numbers in the order given (carried over first, then as added): adding an item never
    shifts the numbers `/weekly remove N` refers to."""
    return [replace(item, number=position) for position, item in enumerate(items, start=1)]


@dataclass(frozen=True)
class CategoryGroup:
    category: str
    items: list[AgendaItem] = field(default_factory=list)


def by_category(items: Iterable[AgendaItem]) -> list[CategoryGroup]:
    """The agenda's sections in the fixed category order; empty categories are left out."""
    groups = {category: CategoryGroup(category) for category in CATEGORIES}
    for item in items:
        groups.get(item.category, groups["other"]).items.append(item)
    return [group for group in groups.values() if group.items]
