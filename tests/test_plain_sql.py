"""Plain SQL on the driver's cursor binds and reads values as SQLAlchemy's columns do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.dialects.sqlite import DATETIME as SQLITE_DATETIME
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.exc import DBAPIError

from storage.db import make_engine, make_session_factory, transaction
from storage.migrate import upgrade
from storage.models import ScheduledRun
from storage.plain import PlainSql, run_plain, statements_sent, stored_time, stored_value
from storage.runs import RunKey, claim_run, run_state

KEY = RunKey("T0001", "C0001", "daily-prompt", date(2026, 11, 26))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_parameters_are_spelled_for_each_driver() -> None:
    statement = PlainSql.of(
        """
        UPDATE t SET a = :a, b = excluded.b
        WHERE c = :c_1 AND d::text = 'x:y'
        """
    )
    assert (
        statement.sqlite == "UPDATE t SET a = :a, b = excluded.b WHERE c = :c_1 AND d::text = 'x:y'"
    )
    assert statement.postgresql == (
        "UPDATE t SET a = %(a)s, b = excluded.b WHERE c = %(c_1)s AND d::text = 'x:y'"
    )


@given(
    st.datetimes(
        min_value=datetime(2, 1, 1), timezones=st.just(timezone(timedelta(hours=5, minutes=30)))
    )
)
def test_times_are_stored_as_naive_utc_and_read_back_aware(moment: datetime) -> None:
    for sqlite in (True, False):
        stored = stored_value(moment, sqlite=sqlite)
        assert stored_time(stored) == moment
    # What SQLAlchemy's SQLite DateTime writes, so that times compare as text.
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    assert stored_value(moment, sqlite=True) == SQLITE_DATETIME().bind_processor(sqlite_dialect())(
        naive
    )


def test_naive_times_dates_and_booleans() -> None:
    with pytest.raises(ValueError):
        stored_value(datetime(2026, 1, 1), sqlite=False)
    assert stored_value(date(2026, 1, 2), sqlite=True) == "2026-01-02"
    assert stored_value(date(2026, 1, 2), sqlite=False) == date(2026, 1, 2)
    assert stored_value(True, sqlite=True) == 1
    assert stored_value(True, sqlite=False) is True
    assert stored_value("x", sqlite=True) == "x"


def test_a_run_claimed_by_plain_sql_reads_the_same_through_sqlalchemy(engine: Engine) -> None:
    now = datetime(2026, 11, 26, 8, 0, 10, 123456, tzinfo=UTC)
    before = statements_sent()
    assert claim_run(engine, KEY, now).taken
    assert statements_sent() == before + 1
    with transaction(make_session_factory(engine)) as session:
        row = session.scalars(select(ScheduledRun)).one()
        assert (row.occurrence_date, row.claimed_at, row.attempts) == (KEY.occurrence_date, now, 1)
        lease_until = row.lease_until
    state = run_state(engine, KEY)
    assert state is not None and state.lease_until == lease_until


def test_a_driver_error_is_raised_as_sqlalchemys(engine: Engine) -> None:
    with pytest.raises(DBAPIError):
        run_plain(engine, PlainSql.of("SELECT nothing FROM nowhere"), {}, writes=False)
    # The connection that failed was dropped; the next statement gets a good one.
    assert run_plain(engine, PlainSql.of("SELECT 1"), {}, writes=False) == [(1,)]
