"""Engine and session setup for SQLite (embedded default, WAL) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            # Listener threads and the scheduler share the engine.
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_pre_ping=False,
        )
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=10)


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


def _begin_immediate(connection: Any) -> None:
    # A deferred SQLite transaction that reads and then writes fails at once with "database is
    # locked" when another process wrote in between; taking the write lock up front makes
    # concurrent writers wait their turn (busy_timeout) instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


SessionFactory = sessionmaker[Session]


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: SessionFactory) -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on any error."""
    with sessions() as session, session.begin():
        yield session


def database_is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


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
