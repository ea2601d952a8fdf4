"""Scheduled runs as leases, so that any number of clocks post each occurrence once.

A row per (team, channel, job, local date). A clock takes the run by leasing it until
`lease_until`; `done_at` is set only after the job returned, that is once Slack accepted its
posts. A failed run gives the lease back (at once or after a backoff) and keeps its error code;
a clock that died mid-run leaves its lease to expire, and another clock, or the same one after a
restart, takes the run over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, delete, or_, select, tuple_, update
from sqlalchemy.orm import Session

from storage.db import Database, backend, connection_of, per_backend
from storage.models import ScheduledRun

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


# The clock runs these thousands of times a minute: built once, with bound parameters, so
# each run costs the statement's execution rather than its construction.
_BY_KEY = tuple(column == bindparam(f"key_{column.name}") for column in KEY_COLUMNS)
_FINISH = update(RUNS).where(*_BY_KEY).values(done_at=bindparam("done"), lease_until=None)
_FAIL = (
    update(RUNS)
    .where(*_BY_KEY, RUNS.c.done_at.is_(None))
    .values(lease_until=bindparam("retry_at"), last_error=bindparam("error"))
)
_STATE = select(*STATE_COLUMNS).where(*_BY_KEY)


def _key_parameters(key: RunKey) -> dict[str, Any]:
    return {f"key_{column.name}": value for column, value in zip(KEY_COLUMNS, key, strict=True)}


def _claim(insert_of: Callable[[Any], Any]) -> Any:
    """INSERT the run leased, or on conflict take the lease if the run is free."""
    insert = insert_of(RUNS)
    proposed = insert.excluded
    return insert.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        # last_error is cleared: a held lease without one reads "running", with one
        # "backing off after that error" (see `schedules.plan.why_not_taken`).
        set_={
            "lease_until": proposed.lease_until,
            "claimed_at": proposed.claimed_at,
            "attempts": RUNS.c.attempts + 1,
            "last_error": None,
        },
        where=RUNS.c.done_at.is_(None)
        & or_(RUNS.c.lease_until.is_(None), RUNS.c.lease_until < proposed.claimed_at),
    ).returning(RUNS.c.attempts)


_CLAIMS = per_backend(_claim)


def claim_run(database: Database, key: RunKey, now: datetime) -> Claim:
    """Take the run: True for exactly one caller while it is not done and its lease is free.

    One statement, settled by the database: an INSERT of a new run, or, on conflict, an UPDATE
    whose WHERE only one transaction can satisfy (PostgreSQL locks the conflicting row and
    re-checks the WHERE on its latest version; SQLite has one writer at a time). It commits
    on its own (`storage.db.alone`) or with the caller's transaction.
    """
    new_run = {**key._asdict(), "lease_until": now + LEASE, "claimed_at": now, "attempts": 1}
    connection = connection_of(database)
    taken = connection.execute(_CLAIMS[backend(connection)], new_run).first()
    if taken is not None:
        return Claim(True, attempts=int(taken[0]))
    return Claim(False, state=run_state(connection, key))


def finish_run(database: Database, key: RunKey, now: datetime) -> None:
    """The job returned: Slack accepted what it posted."""
    connection_of(database).execute(_FINISH, {**_key_parameters(key), "done": now})


def fail_run(session: Session, key: RunKey, error_code: str, retry_at: datetime | None) -> None:
    """Give the lease back after a failure; `retry_at` None means at the next tick."""
    parameters = {"retry_at": retry_at, "error": error_code[:ERROR_LENGTH]}
    session.execute(_FAIL, {**_key_parameters(key), **parameters})


def run_state(database: Database, key: RunKey) -> RunState | None:
    row = connection_of(database).execute(_STATE, _key_parameters(key)).first()
    return _state(row[0], *row[1:]) if row is not None else None


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
