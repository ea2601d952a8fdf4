"""The clock: APScheduler ticks; our tables say what is due; leases make each post happen once.

APScheduler keeps no job store of ours: every tick reads the channels' schedules from the
database (`schedules.plan`), asks the pure `schedules.windows` which occurrences may still go
out, and runs them (`schedules.runner`), each under a lease in `scheduled_runs`. Settings changes
therefore apply at the next tick, a restarted clock catches up for as long as each post's day
lasts, and a second clock by mistake finds every run done or leased.

Channels run in parallel in a bounded pool, each channel's runs one after another. A tick waits
for its runs only so long: a channel still busy is left alone by the next tick, so one slow
channel never holds up the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.runtime import Runtime
from schedules.plan import (
    CHANNEL_ELSEWHERE,
    FAILED,
    RAN,
    RUNNING_ELSEWHERE,
    SKIPPED,
    DueRun,
    Outcome,
    plan_tick,
)
from schedules.runner import CHANNEL_GAP_SECONDS, ChannelRuns
from storage.db import transaction
from storage.effects import forget_effects_before
from storage.inbox import forget_done_before
from storage.posts import forget_posts_before
from storage.runs import forget_runs_before

log = logging.getLogger(__name__)
# A post's key outlives any re-run of its job or request; the pillars keep their own ts.
POSTS_KEPT = timedelta(days=30)

TICK_SECONDS = 30
# Slack takes many channels' messages at once; 32 threads keep ~300 posts/s in flight at
# 100 ms a call while the database's connection pool (10 + 10) is shared in short transactions.
WORKERS = 32
# A clock that starts (or `clock --once`) reports the posts dropped in the last day; afterwards
# each tick reports those dropped since the previous one.
MISSED_LOOKBACK = timedelta(days=1)
# Every window closes within a few days; older runs only fill the table.
RUNS_KEPT = timedelta(days=14)
STILL_RUNNING = "still running from an earlier tick"


@dataclass
class TickReport:
    outcomes: list[Outcome] = field(default_factory=list)
    planning_seconds: float = 0.0
    # Channels whose runs went on after the tick stopped waiting for them.
    still_running: int = 0

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def ran(self) -> int:
        return self.count(RAN)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    @property
    def skipped(self) -> int:
        return self.count(SKIPPED)

    def lines(self) -> list[str]:
        ordered = sorted(
            self.outcomes,
            key=lambda o: (o.run.window.fire_at, o.run.team_id, o.run.channel_id, o.run.job),
        )
        return [outcome.line for outcome in ordered]


ChannelKey = tuple[str, str]


def by_channel(runs: Sequence[DueRun]) -> dict[ChannelKey, list[DueRun]]:
    """Runs grouped per channel, channels and runs in the order they were due."""
    grouped: dict[ChannelKey, list[DueRun]] = {}
    for run in runs:
        grouped.setdefault((run.team_id, run.channel_id), []).append(run)
    return grouped


class Clock:
    """One clock process's state: its pool, the channels it is busy with, its last tick."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        workers: int = WORKERS,
        gap_seconds: float = CHANNEL_GAP_SECONDS,
    ) -> None:
        self.runtime = runtime
        self._gap = gap_seconds
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clock")
        self._busy: set[ChannelKey] = set()
        self._lock = threading.Lock()
        self._last_tick: datetime | None = None

    def tick(
        self,
        *,
        since: datetime | None = None,
        wait_seconds: float | None = TICK_SECONDS,
        report_done: bool = False,
    ) -> TickReport:
        """Plan and run what is due; wait at most `wait_seconds` (None: until all are done).

        `report_done` lists the runs found done too (`clock --once` prints them).
        """
        now = self.runtime.now()
        since = since or self._last_tick or now - MISSED_LOOKBACK
        started = time.perf_counter()
        plan = plan_tick(self.runtime, since, now, report_done=report_done)
        report = TickReport(planning_seconds=time.perf_counter() - started)
        self._last_tick = now
        for outcome in self._mine_still_running(plan.skipped):
            outcome.log()
            report.outcomes.append(outcome)
        futures = self._submit(plan.runs, report)
        finished, pending = wait(futures, timeout=wait_seconds)
        for future in finished:
            if future.exception() is None:
                report.outcomes += future.result()
            else:  # every run records its own failure; this is a bug in the clock itself
                log.error("a channel's runs stopped: %s", type(future.exception()).__name__)
        report.still_running = len(pending)
        if pending:
            log.warning(
                "%d channels still running after %s s; the next tick leaves them alone",
                len(pending),
                wait_seconds,
            )
        return report

    def _mine_still_running(self, skipped: list[Outcome]) -> list[Outcome]:
        """A lease this clock holds reads "another clock" in the database; say what it is."""
        with self._lock:
            busy = set(self._busy)
        return [
            replace(outcome, reason=STILL_RUNNING)
            if outcome.reason in (RUNNING_ELSEWHERE, CHANNEL_ELSEWHERE)
            and (outcome.run.team_id, outcome.run.channel_id) in busy
            else outcome
            for outcome in skipped
        ]

    def _submit(self, runs: Sequence[DueRun], report: TickReport) -> list[Future[list[Outcome]]]:
        futures: list[Future[list[Outcome]]] = []
        for channel, channel_runs in by_channel(runs).items():
            with self._lock:
                busy = channel in self._busy
                self._busy.add(channel)
            if busy:
                for run in channel_runs:
                    outcome = Outcome(run, SKIPPED, STILL_RUNNING, logging.DEBUG)
                    outcome.log()
                    report.outcomes.append(outcome)
                continue
            done: Future[list[Outcome]] = Future()
            self._pool.submit(self._step, channel, ChannelRuns(channel_runs, self._gap), done)
            futures.append(done)
        return futures

    def _step(self, channel: ChannelKey, runs: ChannelRuns, done: Future[list[Outcome]]) -> None:
        """One run of a channel, then its next run goes to the back of the queue: every
        channel's first post comes before any channel's second, and no worker sleeps the
        channel's gap away while others wait."""
        try:
            runs.step(self.runtime)
            if not runs.finished:
                self._pool.submit(self._step, channel, runs, done)
                return
        except BaseException as error:  # a bug in the clock itself: still free the channel
            with self._lock:
                self._busy.discard(channel)
            done.set_exception(error)
            return
        with self._lock:
            self._busy.discard(channel)
        done.set_result(runs.outcomes)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def tick(
    runtime: Runtime,
    *,
    since: datetime | None = None,
    workers: int = WORKERS,
    gap_seconds: float = CHANNEL_GAP_SECONDS,
) -> TickReport:
    """One whole tick, waiting for every run: `clock --once`, and tests."""
    clock = Clock(runtime, workers=workers, gap_seconds=gap_seconds)
    try:
        return clock.tick(since=since, wait_seconds=None, report_done=True)
    finally:
        clock.close()


def housekeeping(runtime: Runtime) -> None:
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        forget_done_before(session, now - timedelta(days=1))
        # A request is given up after about an hour of retries: its effects are not needed after.
        forget_effects_before(session, now - timedelta(days=1))
        forget_posts_before(session, now - POSTS_KEPT)
        forget_runs_before(session, (now - RUNS_KEPT).date())


def add_clock_jobs(scheduler: BaseScheduler, runtime: Runtime) -> Clock:
    now = datetime.now(UTC)
    clock = Clock(runtime)
    scheduler.add_job(
        clock.tick,
        IntervalTrigger(seconds=TICK_SECONDS),
        id="tick",
        next_run_time=now,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=TICK_SECONDS * 2,
    )
    scheduler.add_job(
        housekeeping,
        IntervalTrigger(hours=1),
        args=[runtime],
        id="housekeeping",
        next_run_time=now,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    return clock
