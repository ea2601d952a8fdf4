"""Until when a scheduled post may still go out: pure, no database, Slack or APScheduler.

A post that did not go out on time (the clock was down, Slack was down, the job failed) keeps
being tried for as long as it still makes sense, then is dropped with a reason:

- the Daily's prompt and summary, and the Weekly's agenda: until the end of their local day;
- the Daily's reminder: until the summary is due (reminding after it would contradict it);
- the Weekly's call for items: until the agenda is due.

Every tick asks which windows are open now (`fire_at <= now < closes_at`) and which closed
since the previous tick, so that each dropped occurrence is reported once per clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from bot.daily.rules import DailySchedule
from bot.schedule import (
    ONE_DAY,
    Occurrence,
    WeeklyPattern,
    local_date_of,
    local_to_utc,
    occurrences_between,
)
from bot.weekly.rules import WeeklySchedule, calls_between, meetings_between

DAY_IS_OVER = "its day is over"
SUMMARY_IS_DUE = "the summary is due"
AGENDA_IS_DUE = "the agenda is due"

# How far before `since` an occurrence may have fired and its window still be open or have
# closed after `since`: the longest window of each kind, with an hour to spare for DST.
DAILY_LONGEST_WINDOW = timedelta(hours=26)
# The call goes out on the working day before the Weekly: at the most from a Friday's early
# morning to a Monday's late evening, under four days; a week more when holidays lie between.
WEEKLY_LONGEST_WINDOW = timedelta(days=12)


@dataclass(frozen=True)
class Window:
    """One occurrence of a job and how long it may still run."""

    job: str
    local_date: date
    fire_at: datetime  # aware, UTC
    closes_at: datetime  # aware, UTC; the occurrence is dropped from here on
    closing_reason: str

    def is_open(self, now: datetime) -> bool:
        return self.fire_at <= now < self.closes_at

    @property
    def dropped_at(self) -> datetime:
        """When the occurrence is given up: its close, or its fire time for a window closed
        before it opened (a reminder set after the summary)."""
        return max(self.closes_at, self.fire_at)

    def closed_between(self, since: datetime, now: datetime) -> bool:
        return since < self.dropped_at <= now


Closing = Callable[[Occurrence], tuple[datetime, str]]
# `occurrences_between`, or a memo of it: thousands of channels share a few patterns.
Occurrences = Callable[[WeeklyPattern, datetime, datetime], list[Occurrence]]


@lru_cache(maxsize=4096)  # thousands of channels' windows close at a few local midnights
def end_of_local_day(instant: datetime, tz: str) -> datetime:
    """Local midnight after `instant` in `tz` (UTC), the end of the day people are living."""
    return local_to_utc(local_date_of(instant, tz) + ONE_DAY, time(0), tz)


def _windows(jobs: dict[str, tuple[Occurrence, ...]], closings: dict[str, Closing]) -> list[Window]:
    found: list[Window] = []
    for job, occurrences in jobs.items():
        for occurrence in occurrences:
            closes_at, reason = closings[job](occurrence)
            found.append(Window(job, occurrence.local_date, occurrence.fire_at, closes_at, reason))
    return found


def daily_windows(
    schedule: DailySchedule,
    start: datetime,
    end: datetime,
    occurrences: Occurrences = occurrences_between,
    only: str | None = None,
) -> list[Window]:
    """Windows of the Daily's jobs (or of the job `only`) whose occurrence fires in
    (start, end]."""
    tz = schedule.timezone

    def until_end_of_day(occurrence: Occurrence) -> tuple[datetime, str]:
        # The day the post goes out: a wall time pushed past midnight by a DST gap still
        # gets a window.
        return end_of_local_day(occurrence.fire_at, tz), DAY_IS_OVER

    def until_summary(occurrence: Occurrence) -> tuple[datetime, str]:
        return local_to_utc(occurrence.local_date, schedule.summary_at, tz), SUMMARY_IS_DUE

    closings: dict[str, Closing] = {
        "daily-prompt": until_end_of_day,
        "daily-reminder": until_summary,
        "daily-summary": until_end_of_day,
    }
    jobs = {
        job: tuple(occurrences(pattern, start, end))
        for job, pattern in schedule.jobs.items()
        if only is None or job == only
    }
    return _windows(jobs, closings)


def weekly_windows(
    schedule: WeeklySchedule,
    start: datetime,
    end: datetime,
    occurrences: Occurrences = occurrences_between,
) -> list[Window]:
    """Windows of the Weekly's jobs whose occurrence fires in (start, end]; a Weekly moved
    off a public holiday takes its call for items along (`bot.weekly.rules`)."""
    tz = schedule.timezone
    found = [
        Window("weekly-call", call.local_date, call.fire_at, meeting.fire_at, AGENDA_IS_DUE)
        for call, meeting in calls_between(schedule, start, end, occurrences)
    ]
    found += [
        Window(
            "weekly-agenda",
            meeting.local_date,
            meeting.fire_at,
            end_of_local_day(meeting.fire_at, tz),
            DAY_IS_OVER,
        )
        for meeting in meetings_between(schedule, start, end, occurrences)
    ]
    return found


@dataclass(frozen=True)
class TickWindows:
    """What one tick sees of a schedule: windows open now, and windows that closed since the
    previous tick (dropped, to be reported)."""

    open: tuple[Window, ...]
    closed: tuple[Window, ...]

    @classmethod
    def joined(cls, parts: Sequence[TickWindows]) -> TickWindows:
        return cls(
            open=tuple(window for part in parts for window in part.open),
            closed=tuple(window for part in parts for window in part.closed),
        )


def tick_windows(
    schedule: DailySchedule | WeeklySchedule,
    since: datetime,
    now: datetime,
    occurrences: Occurrences = occurrences_between,
    only: str | None = None,
) -> TickWindows:
    """The windows a tick at `now` acts on, the previous tick having been at `since` (of the
    Daily's job `only`, when given)."""
    if isinstance(schedule, DailySchedule):
        windows = daily_windows(schedule, since - DAILY_LONGEST_WINDOW, now, occurrences, only)
    else:
        windows = weekly_windows(schedule, since - WEEKLY_LONGEST_WINDOW, now, occurrences)
    return TickWindows(
        open=tuple(window for window in windows if window.is_open(now)),
        closed=tuple(window for window in windows if window.closed_between(since, now)),
    )
