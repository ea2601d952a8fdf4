"""Planning a tick: which runs are due, which were dropped and why, in two queries in all.

One query reads every active channel's schedule settings, one more the run rows of the (job,
local date) pairs in question. Channels sharing a schedule (most keep the defaults) or one of
its patterns share their computation, so planning costs little more per channel than building
a few small objects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial

from bot.daily import rules as daily_rules
from bot.daily.calendar import DAILY_NONE, skip_reason
from bot.daily.rules import DailySchedule
from bot.holidays import effective_region
from bot.runtime import Runtime
from bot.schedule import Occurrence, WeeklyPattern, occurrences_between
from bot.weekly import rules as weekly_rules
from schedules.later import QUIET_HOURS
from schedules.windows import TickWindows, Window, tick_windows
from storage.channels import ScheduleSettings, active_schedule_settings
from storage.daily import cancelled_dailies
from storage.db import transaction
from storage.runs import RunKey, RunState, run_states
from storage.workspaces import served

log = logging.getLogger("schedules.clock")

RAN, SKIPPED, FAILED = "ran", "skipped", "failed"
ALREADY_DONE = "already done"
RUNNING_ELSEWHERE = "another clock is running it"
CHANNEL_ELSEWHERE = "another clock is working on this channel"
DAILY_JOB = "daily-"
DAILY_PROMPT, DAILY_REMINDER, DAILY_SUMMARY = "daily-prompt", "daily-reminder", "daily-summary"


@dataclass(frozen=True)
class DueRun:
    team_id: str
    channel_id: str
    window: Window

    @property
    def job(self) -> str:
        return self.window.job

    @property
    def key(self) -> RunKey:
        return RunKey(self.team_id, self.channel_id, self.window.job, self.window.local_date)

    @property
    def label(self) -> str:
        return f"{self.job} {self.team_id}/{self.channel_id} {self.window.local_date.isoformat()}"


@dataclass(frozen=True)
class Outcome:
    """What became of one run; `line` is what `clock --once` prints and the log says."""

    run: DueRun
    status: str
    reason: str = ""
    level: int = field(default=logging.INFO, compare=False)

    @property
    def line(self) -> str:
        return f"{self.status} {self.run.label}" + (f": {self.reason}" if self.reason else "")

    def log(self) -> None:
        if log.isEnabledFor(self.level):
            log.log(self.level, "%s", self.line)


def why_not_taken(state: RunState | None) -> str:
    """Why a clock could not take a run (the run's error code only, never user text)."""
    if state is None:
        return RUNNING_ELSEWHERE
    if state.done:
        return ALREADY_DONE
    if state.last_error == QUIET_HOURS:
        return f"{QUIET_HOURS}: waiting for members' 08:00"
    if state.last_error:
        return f"waiting to retry after {state.last_error}"
    return RUNNING_ELSEWHERE


def why_dropped(window: Window, state: RunState | None) -> str:
    if state is None or not state.last_error:
        return window.closing_reason
    if state.last_error == QUIET_HOURS:
        return f"{window.closing_reason}; members still in {QUIET_HOURS} were not reminded"
    tries = "1 attempt" if state.attempts == 1 else f"{state.attempts} attempts"
    return f"{window.closing_reason} (last error {state.last_error} after {tries})"


@dataclass(frozen=True)
class TickPlan:
    now: datetime
    runs: list[DueRun]  # by the time they were due
    skipped: list[Outcome]


class _ScheduleCache:
    """Each distinct schedule is parsed and evaluated once per tick."""

    def __init__(
        self, default_timezone: str, default_region: str | None, since: datetime, now: datetime
    ) -> None:
        self._default_timezone = default_timezone
        self._default_region = default_region
        self._since, self._now = since, now
        self._daily: dict[tuple[str, str, str, str, str], TickWindows] = {}
        self._daily_jobs: dict[tuple[str, frozenset[int], time, time | None, str], TickWindows] = {}
        self._weekly: dict[tuple[int, str, str, str, str | None], TickWindows] = {}
        # Schedules that differ in one time still share the others' patterns.
        self._occurrences: dict[tuple[WeeklyPattern, datetime, datetime], list[Occurrence]] = {}

    def _occurrences_between(
        self, pattern: WeeklyPattern, start: datetime, end: datetime
    ) -> list[Occurrence]:
        key = (pattern, start, end)
        if key not in self._occurrences:
            self._occurrences[key] = occurrences_between(pattern, start, end)
        return self._occurrences[key]

    def windows_of(self, channel: ScheduleSettings) -> list[TickWindows]:
        """Raises ValueError when the channel's settings do not make a schedule."""
        timezone = channel.timezone or self._default_timezone
        found: list[TickWindows] = []
        if channel.daily_state != DAILY_NONE:
            found.append(self._daily_windows(channel, timezone))
        if channel.weekly_active:
            weekly = (
                channel.weekly_weekday,
                channel.weekly_time,
                channel.weekly_call_time,
                timezone,
                effective_region(channel.holiday_region, self._default_region),
            )
            if weekly not in self._weekly:
                schedule_of_weekly = weekly_rules.schedule_from_settings(*weekly)
                self._weekly[weekly] = tick_windows(
                    schedule_of_weekly, self._since, self._now, self._occurrences_between
                )
            found.append(self._weekly[weekly])
        return found

    def _daily_windows(self, channel: ScheduleSettings, timezone: str) -> TickWindows:
        daily = (
            channel.daily_weekdays,
            channel.daily_prompt_time,
            channel.daily_reminder_time,
            channel.daily_summary_time,
            timezone,
        )
        if daily not in self._daily:
            schedule = daily_rules.schedule_from_settings(*daily)
            self._daily[daily] = TickWindows.joined(
                [self._daily_job_windows(job, schedule) for job in schedule.jobs]
            )
        return self._daily[daily]

    def _daily_job_windows(self, job: str, schedule: DailySchedule) -> TickWindows:
        """One job's windows, shared by the channels whose settings differ in other times
        (every channel's prompt at 09:00, reminders and summaries at times of their own)."""
        at = {
            DAILY_PROMPT: schedule.prompt_at,
            DAILY_REMINDER: schedule.reminder_at,
            DAILY_SUMMARY: schedule.summary_at,
        }[job]
        # A reminder's window closes when the summary is due.
        closes = schedule.summary_at if job == DAILY_REMINDER else None
        key = (job, schedule.weekdays, at, closes, schedule.timezone)
        if key not in self._daily_jobs:
            self._daily_jobs[key] = tick_windows(
                schedule, self._since, self._now, self._occurrences_between, only=job
            )
        return self._daily_jobs[key]


def plan_tick(
    runtime: Runtime, since: datetime, now: datetime, *, report_done: bool = True
) -> TickPlan:
    """The runs due at `now` that no clock has done or holds, and what was skipped and why.

    `since` is the previous tick: windows that closed after it are reported as dropped. A
    running clock passes `report_done=False`: every tick of the day would list the day's done
    runs of every channel again.
    """
    settings = runtime.settings
    cache = _ScheduleCache(settings.default_timezone, settings.default_holiday_region, since, now)
    with transaction(runtime.sessions) as session:
        serves = served(session, runtime.token_digest, oauth=runtime.settings.oauth_enabled)
        channels = [c for c in active_schedule_settings(session) if serves(c.team_id)]
        planned: list[tuple[ScheduleSettings, list[TickWindows]]] = []
        for channel in channels:
            try:
                planned.append((channel, cache.windows_of(channel)))
            except ValueError as error:
                # One channel's broken settings must not stop every other channel's posts.
                log.warning(
                    "skipped %s/%s: its schedule settings are invalid (%s)",
                    channel.team_id,
                    channel.channel_id,
                    error,
                )
        occurrences = {
            (window.job, window.local_date)
            for _, schedules in planned
            for windows in schedules
            for window in (*windows.open, *windows.closed)
        }
        states = run_states(session, occurrences)
        cancelled = cancelled_dailies(
            session, {day for job, day in occurrences if job.startswith(DAILY_JOB)}
        )
    runs: list[DueRun] = []
    skipped: list[Outcome] = []
    for channel, schedules in planned:
        region = effective_region(channel.holiday_region, settings.default_holiday_region)
        why_not_held = partial(_why_no_daily, channel, region, cancelled)
        channel_runs, channel_skipped = _plan_channel(
            channel, schedules, states, since, now, report_done, why_not_held
        )
        runs += channel_runs
        skipped += channel_skipped
    runs.sort(key=lambda run: (run.window.fire_at, run.team_id, run.channel_id, run.job))
    return TickPlan(now, runs, skipped)


def _why_no_daily(
    channel: ScheduleSettings,
    region: str | None,
    cancelled: set[tuple[str, str, date]],
    window: Window,
) -> str | None:
    """Why a Daily window is not held (the Daily is off, cancelled, a holiday), or None."""
    if not window.job.startswith(DAILY_JOB):
        return None
    return skip_reason(
        window.local_date,
        state=channel.daily_state,
        region=region,
        cancelled=(channel.team_id, channel.channel_id, window.local_date) in cancelled,
    )


def _plan_channel(
    channel: ScheduleSettings,
    schedules: list[TickWindows],
    states: dict[RunKey, RunState],
    since: datetime,
    now: datetime,
    report_done: bool,
    why_not_held: Callable[[Window], str | None],
) -> tuple[list[DueRun], list[Outcome]]:
    runs: list[DueRun] = []
    skipped: list[Outcome] = []
    elsewhere = False
    for windows in schedules:
        for window in windows.open:
            run = DueRun(channel.team_id, channel.channel_id, window)
            state = states.get(run.key)
            not_held = why_not_held(window)
            if not_held is not None:
                # A holiday, a cancelled Daily, the Daily turned off: said at INFO when it
                # comes due, at DEBUG by every later tick of its window.
                level = logging.INFO if window.fire_at > since else logging.DEBUG
                skipped.append(Outcome(run, SKIPPED, not_held, level))
                continue
            if state is None or not (state.done or state.held_at(now)):
                runs.append(run)
                continue
            reason = why_not_taken(state)
            elsewhere = elsewhere or reason == RUNNING_ELSEWHERE
            if report_done or not state.done:
                # DEBUG: every tick would repeat these while the lease lasts.
                skipped.append(Outcome(run, SKIPPED, reason, logging.DEBUG))
        for window in windows.closed:
            run = DueRun(channel.team_id, channel.channel_id, window)
            state = states.get(run.key)
            if state is None or not state.done:
                reason = why_not_held(window) or why_dropped(window, state)
                skipped.append(Outcome(run, SKIPPED, reason))
    if elsewhere:
        # The clock running one of the channel's runs runs the others after it, a second
        # apart; running them here too could post twice within that second.
        skipped += [Outcome(run, SKIPPED, CHANNEL_ELSEWHERE, logging.DEBUG) for run in runs]
        runs = []
    return runs, skipped
