"""Group commit for the insert before an ack: the rows of requests that arrive together are
written by one statement in one commit.

Under a burst, one commit per acknowledged request cost more than the rest of the ack: on
PostgreSQL a round trip, a WAL flush and the statement's start-up in the server per row; on
SQLite the write lock and five pages appended to the write-ahead log per row
(bench/ack_latency.py, bench/README.md). So the threads of a process take turns: one of them,
the leader, writes every row waiting at that moment with a multi-row `INSERT … RETURNING`;
the rows that come while it waits on the database form the next group, which the first of
them writes. Nobody waits for a group to fill: a request alone is written at once, as before.
Each thread is told its own row's id only after the commit that holds it, so an ack still
never goes out before its request is durable.

A group the database rejects (a row no column can hold, say) is written again row by row, so
that one bad request fails alone.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Engine, event

from storage.db import urgent_write

# A group takes at most this many rows (each size is a statement of its own, prepared once on
# PostgreSQL); more wait for the next turn. gunicorn's threads per worker are far fewer.
MAX_GROUP = 32
# A connection the server dropped (a restart) is replaced once, within the same turn.
DBAPI_ERRORS = (sqlite3.OperationalError, psycopg.OperationalError)


@dataclass(frozen=True)
class InsertStatement:
    """`INSERT INTO table (columns) VALUES … ON CONFLICT (unique) DO NOTHING RETURNING …`."""

    table: str
    columns: tuple[str, ...]
    unique: tuple[str, ...]  # the columns of the unique key a row is known by

    @functools.lru_cache(maxsize=2 * MAX_GROUP)  # noqa: B019 — statements live for good
    def sql(self, rows: int, dialect: str) -> str:
        mark = "%s" if dialect == "postgresql" else "?"
        one_row = f"({', '.join([mark] * len(self.columns))})"
        return (
            f"INSERT INTO {self.table} ({', '.join(self.columns)}) "
            f"VALUES {', '.join([one_row] * rows)} "
            f"ON CONFLICT ({', '.join(self.unique)}) DO NOTHING "
            f"RETURNING id, {', '.join(self.unique)}"
        )

    @functools.cached_property
    def _unique_positions(self) -> tuple[int, ...]:
        return tuple(self.columns.index(column) for column in self.unique)

    def key_of(self, values: Sequence[object]) -> tuple[object, ...]:
        return tuple(values[position] for position in self._unique_positions)


@dataclass(eq=False)
class _Row:
    values: tuple[object, ...]
    key: tuple[object, ...]
    # Held until the row is written or its thread is to lead (a lock is CPython's cheapest
    # way to wake one thread).
    ready: threading.Lock = field(default_factory=threading.Lock)
    written: bool = False
    row_id: int | None = None
    error: BaseException | None = None

    def outcome(self) -> int | None:
        if self.error is not None:
            raise self.error
        return self.row_id


class GroupInsert:
    """One process's turn-taking writer for one statement on one engine."""

    def __init__(self, engine: Engine, statement: InsertStatement) -> None:
        # Weak: the writers of an engine are dropped with it (and closed when it is disposed of).
        self._engine = weakref.ref(engine)
        self._statement = statement
        self._dialect = engine.dialect.name
        self._turn = threading.Lock()  # held while the connection is in use
        self._lock = threading.Lock()  # guards _waiting and _leading
        self._waiting: list[_Row] = []
        self._leading = False
        self._connection = _KeptConnection(engine)

    def close(self) -> None:
        """Closes the connection; a later insert opens another."""
        with self._turn:
            self._connection.close()

    def insert(self, values: tuple[object, ...]) -> int | None:
        """The new row's id; None when a row with its unique key exists (or came first in its
        group). Returns once the row is committed; raises what the database raised for it."""
        row = _Row(values, self._statement.key_of(values))
        row.ready.acquire()
        with self._lock:
            self._waiting.append(row)
            leads, self._leading = not self._leading, True
        if not leads:
            row.ready.acquire()  # written by a leader, or handed the lead
            if row.written:
                return row.outcome()
        self._lead()
        return row.outcome()

    def _lead(self) -> None:
        with self._lock:
            group, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
        completed = False
        try:
            self._write(group)
            completed = True
        finally:
            with self._lock:
                successor = self._waiting[0] if self._waiting else None
                self._leading = successor is not None
            for row in group:
                if not completed and row.error is None:  # the leader was stopped mid-write
                    row.error = RuntimeError("the group insert was interrupted")
                row.written = True
                row.ready.release()  # the leader's own is released too, harmlessly
            if successor is not None:
                successor.ready.release()  # not written: it leads the next group

    def _write(self, group: list[_Row]) -> None:
        try:
            self._write_together(group)
        except Exception as error:
            if len(group) == 1:
                group[0].error = error
                return
            for row in group:
                try:
                    self._write_together([row])
                except Exception as alone:
                    row.error = alone

    def _write_together(self, group: list[_Row]) -> None:
        first: dict[tuple[object, ...], _Row] = {}
        for row in group:
            first.setdefault(row.key, row)  # a replay in the same group is "seen before"
        rows = list(first.values())
        sql = self._statement.sql(len(rows), self._dialect)
        values = tuple(value for row in rows for value in row.values)
        with self._turn, urgent_write(_alive(self._engine)):
            try:
                returned = self._connection.execute(sql, values)
            except DBAPI_ERRORS:
                returned = self._connection.execute(sql, values)
        for row_id, *key in returned:
            first[tuple(key)].row_id = int(row_id)


def _alive(engine: weakref.ref[Engine]) -> Engine:
    alive = engine()
    if alive is None:
        raise RuntimeError("the engine of this group insert is gone")
    return alive


class _KeptConnection:
    """The process's own driver connection for the group insert.

    Taken from the engine's pool once (so the engine's connect hooks ran: WAL and
    synchronous=NORMAL on SQLite) and detached from it: no checkout or checkin per turn, and
    the pool stays whole for everything else. On PostgreSQL it is in autocommit mode for good
    and each statement is prepared. Broken, it is closed and replaced at the next turn.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)
        self._dialect = engine.dialect.name
        self._driver: Any = None
        self._pooled: Any = None

    def execute(self, sql: str, values: tuple[object, ...]) -> list[tuple[Any, ...]]:
        driver = self._connected()
        try:
            cursor = driver.cursor()
            if self._dialect == "postgresql":
                cursor.execute(sql, values, prepare=True)
            else:
                cursor.execute(sql, values)
            rows = [tuple(row) for row in cursor.fetchall()]
            cursor.close()
        except BaseException:
            self.close()
            raise
        return rows

    def close(self) -> None:
        pooled, self._pooled, self._driver = self._pooled, None, None
        if pooled is not None:
            with contextlib.suppress(Exception):
                pooled.close()

    def _connected(self) -> Any:
        if self._driver is None:
            pooled = _alive(self._engine).raw_connection()
            driver: Any = pooled.driver_connection
            pooled.detach()
            self._pooled = pooled  # closing it closes the driver's connection
            if self._dialect == "postgresql":
                driver.autocommit = True
            else:
                # Copying the write-ahead log back into the database (every 1,000 pages, with
                # an fsync) is left to the connections of the work after the ack.
                driver.execute("PRAGMA wal_autocheckpoint=0")
            self._driver = driver
        return self._driver

    def __del__(self) -> None:
        self.close()


_GROUPS: weakref.WeakKeyDictionary[Engine, dict[InsertStatement, GroupInsert]] = (
    weakref.WeakKeyDictionary()
)
_GROUPS_LOCK = threading.Lock()
_GROUPS_PID = [os.getpid()]
_INHERITED: list[object] = []


def group_insert(engine: Engine, statement: InsertStatement) -> GroupInsert:
    """This process's writer of `statement` on `engine` (a forked child makes its own); its
    connection is closed when the engine is disposed of."""
    with _GROUPS_LOCK:
        if _GROUPS_PID[0] != os.getpid():
            # The parent's locks and connection are not the child's. Kept, not closed: closing
            # a driver connection here would end the parent's session on the server too.
            _INHERITED.extend(_GROUPS.values())
            _GROUPS.clear()
            _GROUPS_PID[0] = os.getpid()
        groups = _GROUPS.get(engine)
        if groups is None:
            groups = _GROUPS[engine] = {}
            event.listen(engine, "engine_disposed", _close_groups)
        group = groups.get(statement)
        if group is None:
            group = groups[statement] = GroupInsert(engine, statement)
        return group


def _close_groups(engine: Engine) -> None:
    with _GROUPS_LOCK:
        groups = _GROUPS.pop(engine, {})
    for group in groups.values():
        group.close()
