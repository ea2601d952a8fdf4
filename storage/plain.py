"""Plain SQL on the driver's cursor, for the few statements the clock runs thousands a minute.

Each clock run sends about eight single statements (claim the run, read the channel, insert
the day's row and the post's, record the ts, mark the run done). Through SQLAlchemy each cost a
Connection, a BEGIN/COMMIT bracket and the execution machinery: ~80 µs of CPU on SQLite and
~200 µs on PostgreSQL around a statement that takes ~4 µs / ~40 µs on the driver's cursor
(bench/clock.py). Here a statement is written once in plain SQL, runs in autocommit on a
pooled driver connection and binds values as the columns store them (`storage.types`: UTC
times without zone; on SQLite times and dates as SQLAlchemy's text, booleans as 0/1).

Only statements that stand alone belong here: each leaves the database as it should be
without the next (an upsert that settles a race by itself, a read, recording a ts).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine

from storage.db import write_gate

_PARAMETER = re.compile(r"(?<![:\w]):(\w+)")


class _Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self) -> None:
        with self._lock:
            self.value += 1


# Statements sent, for bench/clock.py (SQLAlchemy's events do not see the driver's cursor).
_sent = _Counter()


def statements_sent() -> int:
    """How many statements this process has sent through `run_plain` so far."""
    return _sent.value


@dataclass(frozen=True)
class PlainSql:
    """One statement in each driver's parameter style, from SQL written with `:name`."""

    sqlite: str
    postgresql: str

    @classmethod
    def of(cls, sql: str) -> PlainSql:
        text = " ".join(sql.split())
        return cls(sqlite=text, postgresql=_PARAMETER.sub(r"%(\1)s", text))


def stored_value(value: object, *, sqlite: bool) -> object:
    """`value` as its column stores it (see `storage.types.UTCDateTime`)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes only")
        naive = value.astimezone(UTC).replace(tzinfo=None)
        # SQLAlchemy's SQLite DateTime text, microseconds always written: compared as text.
        return f"{naive:%Y-%m-%d %H:%M:%S.%f}" if sqlite else naive
    if isinstance(value, date):
        return value.isoformat() if sqlite else value
    if isinstance(value, bool) and sqlite:
        return int(value)
    return value


def run_plain(
    engine: Engine, statement: PlainSql, parameters: Mapping[str, object], *, writes: bool = True
) -> list[tuple[Any, ...]]:
    """Run one statement in autocommit and return its rows (RETURNING included).

    On SQLite a write queues at the process's write gate (`storage.db.WriteGate`) like every
    other writer; a read takes no lock.
    """
    sqlite = engine.dialect.name == "sqlite"
    values = {name: stored_value(value, sqlite=sqlite) for name, value in parameters.items()}
    _sent.add()
    connection = engine.raw_connection()
    try:
        if sqlite:
            gate = write_gate(engine) if writes else None
            if gate is not None:
                gate.acquire()
            try:
                # isolation_level None (storage.db): the statement commits as it completes,
                # which for INSERT … RETURNING is once its rows are fetched.
                cursor = connection.cursor()
                cursor.execute(statement.sqlite, values)
                return list(cursor.fetchall())
            finally:
                if gate is not None:
                    gate.release()
        driver = connection.driver_connection
        assert driver is not None
        driver.autocommit = True  # no BEGIN/COMMIT round trips, nothing left open
        try:
            cursor = connection.cursor()
            cursor.execute(statement.postgresql, values)
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            driver.autocommit = False  # the pool's other users expect transactions
    finally:
        connection.close()


def stored_time(value: object) -> datetime | None:
    """A time column read back by plain SQL, aware UTC (SQLite returns SQLAlchemy's text)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC)
