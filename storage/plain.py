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
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, TimeoutError
from sqlalchemy.pool import PoolProxiedConnection

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
        return naive.isoformat(" ", "microseconds") if sqlite else naive
    if isinstance(value, date):
        return value.isoformat() if sqlite else value
    if isinstance(value, bool) and sqlite:
        return int(value)
    return value


class _DriverConnections:
    """Driver connections kept for plain SQL, taken from the engine's pool once and detached.

    Checking a connection out of SQLAlchemy's pool and back in for every statement (its
    bookkeeping, the reset on return) cost as much CPU as the statement. These stay in
    autocommit, at most `KEPT_CONNECTIONS` of them: a statement waits for one to be free, as
    it would for the pool. They are closed with the engine (`Engine.dispose`); one that raised
    is closed at once and replaced when needed.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._idle: list[PoolProxiedConnection] = []
        self._lock = threading.Lock()
        self._free = threading.BoundedSemaphore(KEPT_CONNECTIONS)
        event.listen(engine, "engine_disposed", lambda _engine: self.close_idle())

    def take(self) -> PoolProxiedConnection:
        if not self._free.acquire(timeout=WAIT_FOR_CONNECTION_SECONDS):
            raise TimeoutError(f"no driver connection free within {WAIT_FOR_CONNECTION_SECONDS} s")
        try:
            with self._lock:
                if self._idle:
                    return self._idle.pop()
            connection = self._engine.raw_connection()
            if self._engine.dialect.name != "sqlite":  # SQLite's run in autocommit already
                driver = connection.driver_connection
                assert driver is not None
                driver.autocommit = True  # no BEGIN/COMMIT round trips, nothing left open
            connection.detach()  # ours until closed: the pool's other users keep their limit
            return connection
        except BaseException:
            self._free.release()
            raise

    def give_back(self, connection: PoolProxiedConnection) -> None:
        with self._lock:
            self._idle.append(connection)
        self._free.release()

    def discard(self, connection: PoolProxiedConnection) -> None:
        try:
            connection.close()
        finally:
            self._free.release()

    def close_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


# As many as the engine's pool keeps (`storage.db.make_engine`): the clock's 32 workers had
# up to 30 statements under way at once when each had its own, too many for PostgreSQL's
# connection limit beside the pool's.
KEPT_CONNECTIONS = 10
# As long as the engine's pool waits for a connection (SQLAlchemy's `pool_timeout`).
WAIT_FOR_CONNECTION_SECONDS = 30
_CONNECTIONS: weakref.WeakKeyDictionary[Engine, _DriverConnections] = weakref.WeakKeyDictionary()
_CONNECTIONS_LOCK = threading.Lock()


def _connections_of(engine: Engine) -> _DriverConnections:
    connections = _CONNECTIONS.get(engine)
    if connections is None:
        with _CONNECTIONS_LOCK:
            connections = _CONNECTIONS.get(engine)
            if connections is None:
                connections = _CONNECTIONS[engine] = _DriverConnections(engine)
    return connections


def run_plain(
    engine: Engine, statement: PlainSql, parameters: Mapping[str, object], *, writes: bool = True
) -> list[tuple[Any, ...]]:
    """Run one statement in autocommit and return its rows (RETURNING included).

    On SQLite a write queues at the process's write gate (`storage.db.WriteGate`) like every
    other writer; a read takes no lock. The driver's errors are raised as SQLAlchemy's
    (`OperationalError` …), as from any other statement.
    """
    sqlite = engine.dialect.name == "sqlite"
    sql = statement.sqlite if sqlite else statement.postgresql
    values = {name: stored_value(value, sqlite=sqlite) for name, value in parameters.items()}
    _sent.add()
    gate = write_gate(engine) if sqlite and writes else None
    if gate is not None:
        gate.acquire()
    try:
        connections = _connections_of(engine)
        connection = connections.take()
        try:
            cursor = connection.cursor()
            # On SQLite (isolation_level None, storage.db) the statement commits as it
            # completes, which for INSERT … RETURNING is once its rows are fetched.
            cursor.execute(sql, values)
            rows = list(cursor.fetchall()) if cursor.description else []
            cursor.close()
        except BaseException as error:
            connections.discard(connection)
            dbapi_error = engine.dialect.loaded_dbapi.Error
            if isinstance(error, dbapi_error):
                raise DBAPIError.instance(sql, values, error, dbapi_error) from error
            raise
        connections.give_back(connection)
        return rows
    finally:
        if gate is not None:
            gate.release()


def stored_time(value: object) -> datetime | None:
    """A time column read back by plain SQL, aware UTC (SQLite returns SQLAlchemy's text)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC)
