"""Scheduled runs as leases, so that any number of clocks post each occurrence once.

A row per (team, channel, job, local date). A clock takes the run by leasing it until
`lease_until`; `done_at` is set only after the job returned, that is once Slack accepted its
posts. A failed run gives the lease back (at once or after a backoff) and keeps its error code;
a clock that died mid-run leaves its lease to expire, and another clock, or the same one after a
restart, takes the run over.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import ScheduledRun

# Long enough for a job's own waits: slack_sdk sleeps through up to three 429 Retry-Afters per
# call and the Weekly's agenda posts one reply per item. A clock killed mid-run delays its run
# by this much at most. Jobs are idempotent, so a run outliving its lease costs no second post.
LEASE = timedelta(minutes=10)
ERROR_LENGTH = 200


class RunKey(NamedTuple):
    team_id: str
    channel_id: str
    job: str
    occurrence_date: date


@dataclass(frozen=True)
class RunState:
    done_at: datetime | None
    lease_until: datetime | None
    attempts: int
    last_error: str | None

    def held_at(self, now: datetime) -> bool:
        """Leased by a clock that is running it, or backing off after a failure."""
        return self.lease_until is not None and self.lease_until >= now


@dataclass(frozen=True)
class Claim:
    taken: bool
    # When taken: how many times the run has been tried, this time included.
    attempts: int = 0
    # When not taken: why (done, or someone else's lease).
    state: RunState | None = None


def _key_filter(key: RunKey) -> tuple[ColumnElement[bool], ...]:
    return (
        ScheduledRun.team_id == key.team_id,
        ScheduledRun.channel_id == key.channel_id,
        ScheduledRun.job == key.job,
        ScheduledRun.occurrence_date == key.occurrence_date,
    )


def claim_run(session: Session, key: RunKey, now: datetime) -> Claim:
    """Take the run: True for exactly one caller while it is not done and its lease is free.

    Both steps are settled by the database: the unique row, then a conditional UPDATE that only
    one transaction can win (PostgreSQL re-checks the WHERE after waiting for a competing
    update; SQLite's BEGIN IMMEDIATE serialises writers).
    """
    insert_if_absent(session, ScheduledRun.__table__, {**key._asdict(), "claimed_at": now})
    taken = session.execute(
        update(ScheduledRun)
        .where(
            *_key_filter(key),
            ScheduledRun.done_at.is_(None),
            or_(ScheduledRun.lease_until.is_(None), ScheduledRun.lease_until < now),
        )
        # last_error is cleared so that a held lease without one reads "running", with one
        # "backing off" (see RunState.held_at's callers).
        .values(
            lease_until=now + LEASE,
            attempts=ScheduledRun.attempts + 1,
            claimed_at=now,
            last_error=None,
        )
        .returning(ScheduledRun.attempts)
        .execution_options(synchronize_session=False)
    ).first()
    if taken is not None:
        return Claim(True, attempts=int(taken[0]))
    return Claim(False, state=run_state(session, key))


def finish_run(session: Session, key: RunKey, now: datetime) -> None:
    """The job returned: Slack accepted what it posted."""
    session.execute(
        update(ScheduledRun)
        .where(*_key_filter(key))
        .values(done_at=now, lease_until=None)
        .execution_options(synchronize_session=False)
    )


def fail_run(session: Session, key: RunKey, error_code: str, retry_at: datetime | None) -> None:
    """Give the lease back after a failure; `retry_at` None means at the next tick."""
    session.execute(
        update(ScheduledRun)
        .where(*_key_filter(key), ScheduledRun.done_at.is_(None))
        .values(lease_until=retry_at, last_error=error_code[:ERROR_LENGTH])
        .execution_options(synchronize_session=False)
    )


def run_state(session: Session, key: RunKey) -> RunState | None:
    row = session.execute(
        select(
            ScheduledRun.done_at,
            ScheduledRun.lease_until,
            ScheduledRun.attempts,
            ScheduledRun.last_error,
        ).where(*_key_filter(key))
    ).first()
    return RunState(*row) if row is not None else None


def run_states(session: Session, dates: Iterable[date]) -> dict[RunKey, RunState]:
    """Every run of these local dates, in one query: what a tick needs to plan."""
    wanted = sorted(set(dates))
    if not wanted:
        return {}
    rows = session.execute(
        select(
            ScheduledRun.team_id,
            ScheduledRun.channel_id,
            ScheduledRun.job,
            ScheduledRun.occurrence_date,
            ScheduledRun.done_at,
            ScheduledRun.lease_until,
            ScheduledRun.attempts,
            ScheduledRun.last_error,
        ).where(ScheduledRun.occurrence_date.in_(wanted))
    )
    return {RunKey(*row[:4]): RunState(*row[4:]) for row in rows}


def forget_runs_before(session: Session, day: date) -> int:
    """Runs whose every window closed long ago are of no use to any clock."""
    result = session.execute(delete(ScheduledRun).where(ScheduledRun.occurrence_date < day))
    return int(getattr(result, "rowcount", 0) or 0)
