"""The clock: APScheduler ticks; our tables say what is due; unique rows make posts idempotent.

APScheduler keeps no job store of ours: every tick reads the channels' schedules from the
database and asks the pure `bot.schedule` which occurrences fell into the catch-up window.
Settings changes therefore apply at the next tick, a restarted clock catches up, and a second
clock by mistake finds every occurrence already claimed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from bot.schedule import occurrences_between
from schedules.jobs import JOBS, channel_patterns
from storage.channels import active_channels, set_channel_active
from storage.db import transaction
from storage.events import forget_events_before
from storage.runs import claim_occurrence, release_occurrence

log = logging.getLogger(__name__)

TICK_SECONDS = 30
# How late a post may still go out after the clock was down (APScheduler's own misfire grace
# only covers the tick itself).
CATCH_UP = timedelta(hours=2)
# Errors that will not heal by retrying: stop scheduling for that channel.
CHANNEL_GONE = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive"}


@dataclass(frozen=True)
class DueRun:
    team_id: str
    channel_id: str
    job: str
    fire_at: datetime
    local_date: date


def due_runs(runtime: Runtime, now: datetime) -> list[DueRun]:
    with transaction(runtime.sessions) as session:
        channels = [(row.team_id, row.channel_id) for row in active_channels(session)]
    runs: list[DueRun] = []
    for team_id, channel_id in channels:
        for job, pattern in channel_patterns(runtime, team_id, channel_id).items():
            for occurrence in occurrences_between(pattern, now - CATCH_UP, now):
                runs.append(
                    DueRun(team_id, channel_id, job, occurrence.fire_at, occurrence.local_date)
                )
    return sorted(runs, key=lambda run: run.fire_at)


def tick(runtime: Runtime) -> int:
    """Run every due, unclaimed occurrence; returns how many this clock ran."""
    ran = 0
    for run in due_runs(runtime, runtime.now()):
        with transaction(runtime.sessions) as session:
            mine = claim_occurrence(session, run.team_id, run.channel_id, run.job, run.local_date)
        if not mine:
            continue
        try:
            JOBS[run.job](runtime, run.team_id, run.channel_id, run.fire_at)
            ran += 1
        except SlackApiError as error:
            _handle_slack_failure(runtime, run, str(error.response.get("error")))
        except Exception:
            log.exception(
                "%s failed for %s/%s; retrying next tick", run.job, run.team_id, run.channel_id
            )
            _release(runtime, run)
    return ran


def _handle_slack_failure(runtime: Runtime, run: DueRun, error: str) -> None:
    if error in CHANNEL_GONE:
        log.warning(
            "%s in %s/%s: %s; no more posts there", run.job, run.team_id, run.channel_id, error
        )
        with transaction(runtime.sessions) as session:
            set_channel_active(session, run.team_id, run.channel_id, False)
        return
    log.error(
        "%s failed in %s/%s: %s; retrying next tick", run.job, run.team_id, run.channel_id, error
    )
    _release(runtime, run)


def _release(runtime: Runtime, run: DueRun) -> None:
    with transaction(runtime.sessions) as session:
        release_occurrence(session, run.team_id, run.channel_id, run.job, run.local_date)


def housekeeping(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        forget_events_before(session, runtime.now() - timedelta(days=1))


def add_clock_jobs(scheduler: BaseScheduler, runtime: Runtime) -> None:
    now = datetime.now(UTC)
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=TICK_SECONDS),
        args=[runtime],
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
