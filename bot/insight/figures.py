"""Team insight: from stored facts to team figures. Pure functions.

Every figure is about the team of one channel, never about a person: how many of the
channel's members posted in a Daily (not who did not), how many impediments were raised and
resolved, how many agenda items were carried over and for how long.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from bot.schedule import local_to_utc
from bot.weekly.rules import WeeklySchedule, meetings_between

# The Dailies shown, and the window impediments are counted over (about as long: the Daily
# runs twice a week by default).
DAILIES_SHOWN = 8
IMPEDIMENT_WINDOW = timedelta(weeks=4)


@dataclass(frozen=True)
class DailyShare:
    """One held Daily: how many of the channel's members posted in it."""

    day: date
    posted: int
    members: int

    @property
    def share(self) -> float:
        return self.posted / self.members if self.members else 0.0


@dataclass(frozen=True)
class Impediments:
    raised: int = 0
    resolved: int = 0


@dataclass(frozen=True)
class TeamInsight:
    channel_id: str
    dailies: tuple[DailyShare, ...] = ()  # oldest first
    impediments: Impediments = Impediments()
    # weeks carried over -> how many items, for the latest agenda
    carried: dict[int, int] = field(default_factory=dict)
    window_weeks: int = IMPEDIMENT_WINDOW.days // 7


def daily_shares(
    dailies: Iterable[tuple[date, Collection[str]]], members: Collection[str]
) -> tuple[DailyShare, ...]:
    """Per Daily, posted of members, oldest first.

    Membership is known as of now; someone who posted then and has left since was a member
    then, so the count of members of a Daily includes everyone who posted in it (the share
    never exceeds one).
    """
    current = set(members)
    shares = [
        DailyShare(day, len(set(posters)), len(current | set(posters))) for day, posters in dailies
    ]
    return tuple(sorted(shares, key=lambda share: share.day))


@dataclass(frozen=True)
class ImpedimentItem:
    item_id: int
    daily_update_id: int | None = None  # the Daily update it was made of, if any


def impediments(
    daily_updates: Collection[int], items: Iterable[ImpedimentItem], resolved: Collection[int]
) -> Impediments:
    """Impediments raised in the window: those named in a Daily, and the Weekly's own items of
    the impediment category. A Daily impediment counts once, as raised in the Daily, and as
    resolved when the Weekly item it became was marked ✅."""
    raised = len(daily_updates)
    done = 0
    for item in items:
        from_daily = item.daily_update_id is not None
        if from_daily and item.daily_update_id not in daily_updates:
            continue  # named in a Daily before the window: not this window's
        raised += 0 if from_daily else 1
        done += 1 if item.item_id in resolved else 0
    return Impediments(raised=raised, resolved=done)


def weeks_between(first: date, shown: date) -> int:
    """Weeks an item has been carried over from its first agenda to `shown` (at least one)."""
    return max(1, round((shown - first).days / 7))


def carried_weeks(first_dates: Sequence[date], shown: date) -> dict[int, int]:
    """How many items were carried over for how many weeks, shortest first."""
    counts = Counter(weeks_between(first, shown) for first in first_dates)
    return dict(sorted(counts.items()))


def impediment_window_start(today: date) -> date:
    return today - IMPEDIMENT_WINDOW


def is_first_weekly_of_month(schedule: WeeklySchedule, day: date) -> bool:
    """Whether no Weekly of this schedule met earlier in `day`'s month (in the channel's time
    zone; a Weekly moved off a holiday counts on the day it was held)."""
    month_start = local_to_utc(day.replace(day=1), time(0, 0), schedule.timezone)
    day_start = local_to_utc(day, time(0, 0), schedule.timezone)
    earlier = meetings_between(schedule, month_start - timedelta(seconds=1), day_start)
    return not any(meeting.local_date.month == day.month for meeting in earlier)
