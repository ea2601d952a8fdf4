"""Pure decisions of the Daily: its schedule, which Daily an answer joins, who is reminded."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.schedule import WeeklyPattern, parse_clock_time, weekly_pattern

DEFAULT_WEEKDAYS = frozenset({0, 3})  # Monday and Thursday
DEFAULT_PROMPT_AT = time(9, 0)
DEFAULT_REMINDER_AT = time(11, 0)
DEFAULT_SUMMARY_AT = time(12, 0)
# From this local time the day before a Daily day, an answer joins that next Daily (early).
EARLY_ANSWERS_FROM = time(18, 0)


@dataclass(frozen=True)
class DailySchedule:
    weekdays: frozenset[int]
    prompt_at: time
    reminder_at: time
    summary_at: time
    timezone: str

    def pattern(self, at: time) -> WeeklyPattern:
        return weekly_pattern(self.weekdays, at, self.timezone)

    @property
    def jobs(self) -> dict[str, WeeklyPattern]:
        return {
            "daily-prompt": self.pattern(self.prompt_at),
            "daily-reminder": self.pattern(self.reminder_at),
            "daily-summary": self.pattern(self.summary_at),
        }


def schedule_from_settings(
    weekdays: str, prompt_at: str, reminder_at: str, summary_at: str, timezone: str
) -> DailySchedule:
    """The schedule as a channel's settings store it (the clock reads thousands at once)."""
    return DailySchedule(
        weekdays=deserialise_weekdays(weekdays),
        prompt_at=parse_clock_time(prompt_at),
        reminder_at=parse_clock_time(reminder_at),
        summary_at=parse_clock_time(summary_at),
        timezone=timezone,
    )


def serialise_weekdays(weekdays: Iterable[int]) -> str:
    return ",".join(str(day) for day in sorted(set(weekdays)))


@lru_cache(maxsize=256)  # the clock reads every channel's weekdays every tick
def deserialise_weekdays(text: str) -> frozenset[int]:
    days = frozenset(int(part) for part in text.split(",") if part.strip())
    return days or DEFAULT_WEEKDAYS


def no_day_off(_day: date) -> bool:
    return False


def most_recent_daily_day(
    weekdays: frozenset[int], before: date, is_day_off: Callable[[date], bool] = no_day_off
) -> date:
    """The last scheduled Daily date strictly before `before` that was not a day off (a
    holiday or cancelled); a year back at most, as every day could be off."""
    day = before - timedelta(days=1)
    for _ in range(366):
        if day.weekday() in weekdays and not is_day_off(day):
            return day
        day -= timedelta(days=1)
    return day


def daily_date_for_answer(
    today: date,
    weekdays: frozenset[int],
    latest_posted: date | None,
    is_day_off: Callable[[date], bool] = no_day_off,
) -> date:
    """Which Daily an update given today belongs to.

    On a Daily day it is today's. Between Daily days — and on a Daily day that is off, a
    public holiday or cancelled — a late answer joins the last Daily that was held, so nobody
    "misses" it; with none held since the last scheduled day, the answer opens today's (an
    ad-hoc Daily).
    """
    if latest_posted == today or (today.weekday() in weekdays and not is_day_off(today)):
        return today
    last_scheduled = most_recent_daily_day(weekdays, today, is_day_off)
    if latest_posted is not None and latest_posted >= last_scheduled:
        return latest_posted
    return today


def early_answers_from(day: date, schedule: DailySchedule) -> time:
    """When, on `day`, answers start to join the next day's Daily.

    18:00 local: an answer written after the working day is tomorrow's plan and today's
    highlight, and an earlier one on a day between Dailies most likely still reports on the
    last Daily. A fixed wall-clock time is what people can remember and the help can state;
    one derived from the prompt (e.g. "15 hours before") would move with every setting. On a
    Daily day whose summary comes later than that, the window waits for the summary, so an
    answer never skips the Daily that is still open.
    """
    if day.weekday() in schedule.weekdays:
        return max(EARLY_ANSWERS_FROM, schedule.summary_at)
    return EARLY_ANSWERS_FROM


def daily_date_for_answer_at(
    moment: datetime,
    schedule: DailySchedule,
    latest_posted: date | None,
    is_day_off: Callable[[date], bool] = no_day_off,
) -> date:
    """Which Daily an answer given at `moment` (aware) joins, in the channel's time zone.

    The evening before a Daily day (see `early_answers_from`) it is that next Daily; otherwise
    `daily_date_for_answer` decides (today's on a Daily day, even after its summary; between
    Daily days the last one held). A reply in a Daily's thread does not ask: it joins that one.
    """
    local = moment.astimezone(ZoneInfo(schedule.timezone))
    today = local.date()
    tomorrow = today + timedelta(days=1)
    if (
        tomorrow.weekday() in schedule.weekdays
        and not is_day_off(tomorrow)
        and local.time() >= early_answers_from(today, schedule)
    ):
        return tomorrow
    return daily_date_for_answer(today, schedule.weekdays, latest_posted, is_day_off)


def members_to_remind(
    members: Iterable[str], answered: Iterable[str], absent: Iterable[str]
) -> list[str]:
    return sorted(set(members) - set(answered) - set(absent))


@dataclass(frozen=True)
class NamedText:
    name: str
    text: str


@dataclass(frozen=True)
class DailySummary:
    """What the summary shows. Ordered by name, never by count: it is not a scoreboard."""

    posted: list[str] = field(default_factory=list)
    highlights: list[NamedText] = field(default_factory=list)
    impediments: list[NamedText] = field(default_factory=list)
    away: list[NamedText] = field(default_factory=list)
    not_posted: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UpdateFacts:
    user_id: str
    highlight: str | None
    impediment: str | None


def summarise(
    updates: Iterable[UpdateFacts],
    members: Iterable[str],
    absences: Mapping[str, str | None],
    names: Mapping[str, str],
) -> DailySummary:
    """`absences` maps user id → reason (None when none was given)."""

    def name(user_id: str) -> str:
        return names.get(user_id, user_id)

    def by_name(user_ids: Iterable[str]) -> list[str]:
        return sorted(user_ids, key=lambda user_id: name(user_id).casefold())

    ordered = sorted(updates, key=lambda facts: name(facts.user_id).casefold())
    answered = {facts.user_id for facts in ordered}
    return DailySummary(
        posted=[name(facts.user_id) for facts in ordered],
        highlights=[NamedText(name(f.user_id), f.highlight) for f in ordered if f.highlight],
        impediments=[NamedText(name(f.user_id), f.impediment) for f in ordered if f.impediment],
        away=[
            NamedText(name(user_id), absences[user_id] or "")
            for user_id in by_name(set(absences) - answered)
        ],
        not_posted=[name(user_id) for user_id in by_name(set(members) - answered - set(absences))],
    )
