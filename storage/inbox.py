"""Queries of the durable inbox: Slack requests stored before their ack, worked off after."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.orm import Session

from storage.db import urgent_write
from storage.models import InboxRequest
from storage.plain import stored_value


@dataclass(frozen=True)
class StoredRequest:
    team_id: str
    request_key: str
    listener: str
    user_id: str | None
    body: str
    context: str


_COLUMNS = (
    "team_id",
    "request_key",
    "listener",
    "user_id",
    "body",
    "context",
    "received_at",
    "lease_until",
    "attempts",
)
_INSERT = (
    f"INSERT INTO {InboxRequest.__tablename__} ({', '.join(_COLUMNS)}) VALUES ({{marks}}) "
    "ON CONFLICT (team_id, request_key) DO NOTHING RETURNING id"
)
INSERT_SQL = {
    "postgresql": _INSERT.format(marks=", ".join(["%s"] * len(_COLUMNS))),
    "sqlite": _INSERT.format(marks=", ".join(["?"] * len(_COLUMNS))),
}


DBAPI_ERRORS = (sqlite3.OperationalError, psycopg.OperationalError)


def store_request(
    engine: Engine, request: StoredRequest, now: datetime, lease_until: datetime | None
) -> int | None:
    """The new row's id, leased to the caller until `lease_until` (None: free for whoever takes
    it up first, e.g. `serve`'s inbox worker); None when the request was seen before.

    This runs before Slack gets its answer, so it is one statement, in autocommit mode, written
    as plain SQL on a driver connection the calling thread keeps for itself (`_ThreadConnection`):
    SQLAlchemy's statement building and the pool's checkout and checkin cost more than the
    insert (bench/ack_latency.py, bench/ack_cpu.py).
    """
    dialect = engine.dialect.name
    sqlite = dialect == "sqlite"
    received = stored_value(now, sqlite=sqlite)
    leased = None if lease_until is None else stored_value(lease_until, sqlite=sqlite)
    values = (
        request.team_id,
        request.request_key,
        request.listener,
        request.user_id,
        request.body,
        request.context,
        received,
        leased,
        # Taking a request up counts an attempt; a request leased here is being attempted.
        0 if lease_until is None else 1,
    )
    connection = _thread_connection(engine)
    with urgent_write(engine):
        try:
            return connection.insert(INSERT_SQL[dialect], values)
        except DBAPI_ERRORS:
            # A connection the server dropped (a restart): once more, on a fresh one.
            return connection.insert(INSERT_SQL[dialect], values)


class _ThreadConnection:
    """One thread's own driver connection for the insert before an ack.

    Taken from the engine's pool once (so the engine's connect hooks ran: WAL and
    synchronous=NORMAL on SQLite) and detached from it: the thread keeps it, with no checkout
    or checkin per ack, and the pool stays whole for everything else. On PostgreSQL it is in
    autocommit mode for good, and the insert a prepared statement (psycopg prepares a query on
    first use when asked to). Broken, it is closed and replaced at the next insert.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._driver: Any = None
        self._pooled: Any = None
        self._pid = 0

    def insert(self, sql: str, values: tuple[object, ...]) -> int | None:
        driver = self._connected()
        try:
            cursor = driver.cursor()
            if self._engine.dialect.name == "postgresql":
                cursor.execute(sql, values, prepare=True)
            else:
                cursor.execute(sql, values)
            row = cursor.fetchone()
            cursor.close()
        except BaseException:
            self.close()
            raise
        return int(row[0]) if row else None

    def close(self) -> None:
        pooled, self._pooled, self._driver = self._pooled, None, None
        if pooled is not None:
            with contextlib.suppress(Exception):
                pooled.close()

    def _connected(self) -> Any:
        if self._driver is None or self._pid != os.getpid():  # a forked child opens its own
            pooled = self._engine.raw_connection()
            driver: Any = pooled.driver_connection
            pooled.detach()
            self._pooled = pooled  # closing it closes the driver's connection
            if self._engine.dialect.name == "postgresql":
                driver.autocommit = True
            else:
                # Copying the write-ahead log back into the database (every 1,000 pages, with
                # an fsync) is left to the connections of the work after the ack.
                driver.execute("PRAGMA wal_autocheckpoint=0")
            self._driver, self._pid = driver, os.getpid()
        return self._driver

    def __del__(self) -> None:  # the thread ended
        self.close()


_THREAD_CONNECTIONS: weakref.WeakKeyDictionary[Engine, threading.local] = (
    weakref.WeakKeyDictionary()
)


def _thread_connection(engine: Engine) -> _ThreadConnection:
    local = _THREAD_CONNECTIONS.get(engine)
    if local is None:
        local = _THREAD_CONNECTIONS.setdefault(engine, threading.local())
    connection: _ThreadConnection | None = getattr(local, "connection", None)
    if connection is None:
        connection = local.connection = _ThreadConnection(engine)
    return connection


def finish(session: Session, request_id: int, now: datetime, outcome: str) -> None:
    session.execute(
        update(InboxRequest)
        .where(InboxRequest.id == request_id)
        .values(done_at=now, lease_until=None, outcome=outcome[:80])
    )


def retry_at(session: Session, request_id: int, moment: datetime) -> None:
    """Leave the request for whoever looks after `moment` (this or another process)."""
    session.execute(
        update(InboxRequest).where(InboxRequest.id == request_id).values(lease_until=moment)
    )


def take_abandoned(
    session: Session, now: datetime, lease_until: datetime, limit: int
) -> Sequence[InboxRequest]:
    """Unfinished requests whose lease ran out (their process died, or a retry is due),
    leased to the caller."""
    rows = session.scalars(
        select(InboxRequest)
        .where(
            InboxRequest.done_at.is_(None),
            or_(InboxRequest.lease_until.is_(None), InboxRequest.lease_until < now),
        )
        .order_by(InboxRequest.received_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.lease_until = lease_until
        row.attempts += 1
    return rows


def forget_done_before(session: Session, cutoff: datetime) -> int:
    """Finished requests are kept for a day: Slack's retries and replays come within minutes."""
    result = session.execute(
        delete(InboxRequest).where(
            InboxRequest.done_at.is_not(None), InboxRequest.received_at < cutoff
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def attempts_of(session: Session, request_id: int) -> int:
    return int(
        session.scalar(select(InboxRequest.attempts).where(InboxRequest.id == request_id)) or 1
    )


def extend_leases(session: Session, request_ids: Sequence[int], lease_until: datetime) -> None:
    session.execute(
        update(InboxRequest)
        .where(InboxRequest.id.in_(request_ids), InboxRequest.done_at.is_(None))
        .values(lease_until=lease_until)
    )
