"""Engine and session setup for SQLite (embedded default, WAL) and PostgreSQL (production)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            # Listener threads and the scheduler share the engine.
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_pre_ping=False,
            # Every thread that writes keeps its connection: beyond the default pool of five,
            # each checkout opened a new one (and set WAL again), a cost seen in py-spy.
            pool_size=20,
        )
        gate = WriteGate(_lock_file_beside(engine.url.database))
        _WRITE_GATES[engine] = gate
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", partial(_begin_immediate, gate))
        event.listen(engine, "commit", lambda _connection: gate.release())
        event.listen(engine, "rollback", lambda _connection: gate.release())
        return engine
    # No ping before every checkout: it doubled the round trips of the insert that precedes an
    # ack. A connection the server dropped fails once and is replaced (the inbox's insert tries
    # once more; other work is retried as a transient failure).
    return create_engine(
        database_url, pool_pre_ping=False, pool_recycle=1800, pool_size=10, max_overflow=10
    )


class WriteGate:
    """One SQLite writer at a time, handed over at once, acks first.

    SQLite has one write lock per file, and a writer that finds it taken sleeps in growing
    steps (1, 2, 5, 10 … ms) before it looks again. With the web process's threads all writing,
    those sleeps came to 80 ms per ack (bench/ack_latency.py). Queued here instead, a thread
    is woken the moment the writer before it commits, and an urgent writer (the insert that
    must precede an ack) goes before the queued work of its process. Between processes (the
    web workers, `serve`'s inbox worker, the clock) the writers queue on a `flock` of a file
    beside the database, in which the kernel wakes a waiter as soon as the lock is given up.

    The gate is handed to the next waiter in line (urgent ones first, then first come, first
    served) rather than announced to all: with the clock's 32 threads queued, waking them all
    at every commit made each wake the others only to sleep again, and that herd took a quarter
    of the clock's CPU (bench/clock.py).
    """

    def __init__(self, lock_file: FileLock | None = None) -> None:
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        # Each waiter blocks on a lock of its own, which the releasing thread lets go of.
        self._urgent: deque[tuple[int, threading.Lock]] = deque()
        self._queued: deque[tuple[int, threading.Lock]] = deque()
        self._lock_file = lock_file

    def acquire(self, *, urgent: bool = False) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None:
                self._owner, self._depth = me, 1
                waiting = None
            else:
                turn = threading.Lock()
                turn.acquire()
                line = self._urgent if urgent else self._queued
                line.append((me, turn))
                waiting = (line, turn)
        if waiting is not None:
            line, turn = waiting
            try:
                turn.acquire()  # released by `_hand_over` once the gate is ours
            except BaseException:  # interrupted (Ctrl-C in the main thread): leave the line
                with self._mutex:
                    if (me, turn) in line:
                        line.remove((me, turn))
                        raise
                self._hand_over()
                raise
        if self._lock_file is not None:
            try:
                self._lock_file.acquire()
            except BaseException:
                self._hand_over()
                raise

    def release(self) -> None:
        with self._mutex:
            if self._owner != threading.get_ident():
                return  # a rollback after a failed BEGIN, or of a connection never written on
            self._depth -= 1
            if self._depth > 0:
                return
        if self._lock_file is not None:
            self._lock_file.release()
        self._hand_over()

    def _hand_over(self) -> None:
        """To the next waiter in line, or to nobody."""
        with self._mutex:
            line = self._urgent or self._queued
            if not line:
                self._owner = None
                return
            self._owner, turn = line.popleft()
            self._depth = 1
            turn.release()


class FileLock:
    """An exclusive `flock` on a file, one descriptor per process (locks are per descriptor)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._fd = -1
        self._pid = 0

    def acquire(self) -> None:
        if self._pid != os.getpid():  # first use, or a forked child: a descriptor of its own
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)


def _lock_file_beside(database: str | None) -> FileLock | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return FileLock(f"{database}-writer.lock")


_WRITE_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


def write_gate(engine: Engine) -> WriteGate | None:
    """The SQLite engine's gate, for writers on the driver's cursor (`storage.plain`)."""
    return _WRITE_GATES.get(engine)


@contextmanager
def urgent_write(engine: Engine) -> Iterator[None]:
    """Around a single autocommit statement that someone is waiting for (SQLite only)."""
    gate = _WRITE_GATES.get(engine)
    if gate is None:
        yield
        return
    gate.acquire(urgent=True)
    try:
        yield
    finally:
        gate.release()


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web and clock processes read while one of them writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # Let SQLAlchemy, not the driver, emit BEGIN (see _begin_immediate).
    dbapi_connection.isolation_level = None


def _begin_immediate(gate: WriteGate, connection: Any) -> None:
    # A deferred SQLite transaction that reads and then writes fails at once with "database is
    # locked" when another process wrote in between; taking the write lock up front makes
    # concurrent writers wait their turn (busy_timeout) instead. A connection in autocommit
    # mode runs single statements (the inbox's insert before an ack) without a BEGIN.
    options = connection.get_execution_options()
    alone = options.get(_ALONE)
    if options.get("isolation_level") == "AUTOCOMMIT" or alone == "read":
        return
    gate.acquire()  # released by the commit or rollback that ends the unit of work
    if alone == "write":
        return  # the driver (isolation_level None) commits each statement as it runs
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        gate.release()
        raise


SessionFactory = sessionmaker[Session]


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: SessionFactory) -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on any error."""
    with sessions() as session, session.begin():
        yield session


# The execution option of an engine whose statements each commit as they run (`alone`).
_ALONE = "redthread_alone"
_ALONE_BINDS: weakref.WeakKeyDictionary[Engine, dict[bool, Engine]] = weakref.WeakKeyDictionary()


@contextmanager
def alone(sessions: SessionFactory, *, writes: bool = True) -> Iterator[Connection]:
    """A connection whose every statement is a transaction of its own, committed as it runs.

    For work of one statement, or of statements each of which leaves the database as it should
    be without the next (an upsert that settles a race by itself, a read, recording a ts). It
    saves the BEGIN and COMMIT round trips on PostgreSQL (autocommit), two of three for a single
    statement; on SQLite a read (`writes=False`) takes no write lock, and writes queue at the
    process's write gate but take SQLite's own lock for each statement only. The clock runs
    thousands of these a minute (bench/clock.py); a Core connection rather than an ORM session
    costs a third of the CPU for each.
    """
    engine = sessions.kw["bind"]
    binds = _ALONE_BINDS.setdefault(engine, {})
    if writes not in binds:
        binds[writes] = engine.execution_options(
            **(
                {_ALONE: "write" if writes else "read"}
                if engine.dialect.name == "sqlite"
                else {"isolation_level": "AUTOCOMMIT"}
            )
        )
    with binds[writes].connect() as connection, connection.begin():
        yield connection


# What the queries that run in `alone` as well as in a `transaction` take.
Database = Session | Connection


def connection_of(database: Database) -> Connection:
    return database if isinstance(database, Connection) else database.connection()


def database_is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def backend(database: Database) -> str:
    """The dialect's name ("sqlite", "postgresql") of this session or connection."""
    return connection_of(database).dialect.name


def upsertable_insert(session: Session, table: Any) -> Any:
    """The backend's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite alike)."""
    if session.bind is None:
        raise RuntimeError("session is not bound")
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def insert_if_absent(session: Session, table: Any, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on both backends; True when this call inserted the row.

    Unique rows are how two processes agree on who does a thing once (events, prompts, runs),
    so the conflict must be settled by the database, not by a read before the write.
    """
    statement = (
        upsertable_insert(session, table)
        .values(**values)
        .on_conflict_do_nothing()
        # rowcount is not reliable here (psycopg reports -1), a returned row is.
        .returning(*table.primary_key.columns)
    )
    return session.execute(statement).first() is not None


def serialize_on(session: Session, key: str) -> None:
    """Make transactions that take the same `key` run one after the other until this one ends.

    For a read-then-write that no unique row can settle (the smallest free number of a board
    whose cards may all be gone). SQLite needs nothing: every transaction there begins with
    BEGIN IMMEDIATE and so holds the one write lock. PostgreSQL takes a transaction-level
    advisory lock on a 64-bit digest of the key.
    """
    if backend(session) != "postgresql":
        return
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"),
        {"key": int.from_bytes(digest, "big", signed=True)},
    )
