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
from typing import Any, NamedTuple

from sqlalchemy import Engine, Table, bindparam, delete, select, tuple_, update
from sqlalchemy.orm import Session

from storage.models import ScheduledRun
from storage.plain import PlainSql, run_plain, stored_time

# Long enough for a job's own waits: slack_sdk sleeps through up to three 429 Retry-Afters per
# call and the Weekly's agenda posts one reply per item. A clock killed mid-run delays its run
# by this much at most. Jobs are idempotent, so a run outliving its lease costs no second post.
LEASE = timedelta(minutes=10)
ERROR_LENGTH = 200
# Core statements on the table: the clock issues a few per run, thousands per minute, and the
# ORM's bulk-update machinery costs more CPU than the statements themselves.
RUNS: Table = ScheduledRun.__table__  # type: ignore[assignment]  # declarative: a Table
KEY_COLUMNS = (RUNS.c.team_id, RUNS.c.channel_id, RUNS.c.job, RUNS.c.occurrence_date)
# `done` as a flag: a tick reads tens of thousands of done runs, and parsing their times (text
# in SQLite) would cost more than the query.
STATE_COLUMNS = (
    RUNS.c.done_at.is_not(None).label("done"),
    RUNS.c.lease_until,
    RUNS.c.attempts,
    RUNS.c.last_error,
)


class RunKey(NamedTuple):
    team_id: str
    channel_id: str
    job: str
    occurrence_date: date


@dataclass(frozen=True)
class RunState:
    done: bool
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


# The clock runs these thousands of times a minute: plain SQL on the driver (`storage.plain`).
_BY_KEY = tuple(column == bindparam(f"key_{column.name}") for column in KEY_COLUMNS)
_FAIL = (
    update(RUNS)
    .where(*_BY_KEY, RUNS.c.done_at.is_(None))
    .values(lease_until=bindparam("retry_at"), last_error=bindparam("error"))
)
_WHERE_KEY = (
    "team_id = :team_id AND channel_id = :channel_id AND job = :job"
    " AND occurrence_date = :occurrence_date"
)
# INSERT the run leased, or on conflict take the lease if the run is free; last_error is
# cleared: a held lease without one reads "running", with one "backing off after that error"
# (see `schedules.plan.why_not_taken`).
_CLAIM = PlainSql.of(
    """
    INSERT INTO scheduled_runs
        (team_id, channel_id, job, occurrence_date, claimed_at, lease_until, attempts)
    VALUES (:team_id, :channel_id, :job, :occurrence_date, :claimed_at, :lease_until, 1)
    ON CONFLICT (team_id, channel_id, job, occurrence_date) DO UPDATE SET
        claimed_at = excluded.claimed_at,
        lease_until = excluded.lease_until,
        attempts = scheduled_runs.attempts + 1,
        last_error = NULL
    WHERE scheduled_runs.done_at IS NULL
        AND (scheduled_runs.lease_until IS NULL
             OR scheduled_runs.lease_until < excluded.claimed_at)
    RETURNING attempts
    """
)
_STATE_NOW = PlainSql.of(
    "SELECT done_at IS NOT NULL, lease_until, attempts, last_error FROM scheduled_runs"
    f" WHERE {_WHERE_KEY}"
)
_FINISH = PlainSql.of(
    f"UPDATE scheduled_runs SET done_at = :done_at, lease_until = NULL WHERE {_WHERE_KEY}"
)


def _key_parameters(key: RunKey) -> dict[str, Any]:
    return {f"key_{column.name}": value for column, value in zip(KEY_COLUMNS, key, strict=True)}


def claim_run(engine: Engine, key: RunKey, now: datetime) -> Claim:
    """Take the run: True for exactly one caller while it is not done and its lease is free.

    One statement in autocommit, settled by the database: an INSERT of a new run, or, on
    conflict, an UPDATE whose WHERE only one transaction can satisfy (PostgreSQL locks the
    conflicting row and re-checks the WHERE on its latest version; SQLite has one writer at a
    time).
    """
    new_run = {**key._asdict(), "claimed_at": now, "lease_until": now + LEASE}
    taken = run_plain(engine, _CLAIM, new_run)
    if taken:
        return Claim(True, attempts=int(taken[0][0]))
    return Claim(False, state=run_state(engine, key))


def finish_run(engine: Engine, key: RunKey, now: datetime) -> None:
    """The job returned: Slack accepted what it posted."""
    run_plain(engine, _FINISH, {**key._asdict(), "done_at": now})


def fail_run(session: Session, key: RunKey, error_code: str, retry_at: datetime | None) -> None:
    """Give the lease back after a failure; `retry_at` None means at the next tick."""
    parameters = {"retry_at": retry_at, "error": error_code[:ERROR_LENGTH]}
    session.execute(_FAIL, {**_key_parameters(key), **parameters})


def run_state(engine: Engine, key: RunKey) -> RunState | None:
    found = run_plain(engine, _STATE_NOW, key._asdict(), writes=False)
    if not found:
        return None
    done, lease_until, attempts, error = found[0]
    return _state(done, stored_time(lease_until), attempts, error)


def _state(
    done: object, lease_until: datetime | None, attempts: int, error: str | None
) -> RunState:
    return RunState(bool(done), lease_until, attempts, error)


def run_states(session: Session, occurrences: Iterable[tuple[str, date]]) -> dict[RunKey, RunState]:
    """Every run of these (job, local date) pairs in all channels, in one query: what a tick
    needs to plan."""
    wanted = sorted(set(occurrences))
    if not wanted:
        return {}
    rows = session.execute(
        select(*KEY_COLUMNS, *STATE_COLUMNS).where(
            tuple_(RUNS.c.job, RUNS.c.occurrence_date).in_(wanted)
        )
    )
    return {RunKey(*row[:4]): _state(*row[4:]) for row in rows}


def forget_runs_before(session: Session, day: date) -> int:
    """Runs whose every window closed long ago are of no use to any clock."""
    result = session.execute(delete(RUNS).where(RUNS.c.occurrence_date < day))
    return int(getattr(result, "rowcount", 0) or 0)
