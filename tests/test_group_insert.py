"""The insert before an ack commits the rows of concurrent requests together
(storage/group_insert.py): every row is written once, each thread gets its own row's id only
after the commit, a replay gets None, and one bad row fails alone. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, text

from storage import group_insert as module
from storage.db import make_engine
from storage.group_insert import GroupInsert, InsertStatement, group_insert

STATEMENT = InsertStatement(
    table="group_items",
    columns=("team_id", "request_key", "body"),
    unique=("team_id", "request_key"),
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    key = "SERIAL PRIMARY KEY" if engine.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(
            text(
                f"CREATE TABLE group_items (id {key}, team_id TEXT NOT NULL, "
                "request_key TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (team_id, request_key))"
            )
        )
    yield engine
    engine.dispose()


def stored(engine: Engine) -> dict[tuple[str, str], tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, team_id, request_key, body FROM group_items"))
        return {(team, key): (row_id, body) for row_id, team, key, body in rows}


class HeldWriter:
    """Holds the first group's statement until released, so that the next rows queue up and
    are written as one group."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.first_running = threading.Event()
        self.release = threading.Event()
        self.groups: list[int] = []  # rows per statement sent
        original = module._KeptConnection.execute

        def execute(connection: Any, sql: str, values: tuple[object, ...]) -> Any:
            self.groups.append(sql.count("), (") + 1)
            if len(self.groups) == 1:
                self.first_running.set()
                assert self.release.wait(10)
            return original(connection, sql, values)

        monkeypatch.setattr(module._KeptConnection, "execute", execute)

    def queue_behind_first(
        self, pool: ThreadPoolExecutor, writer: GroupInsert, rows: list[tuple[object, ...]]
    ) -> tuple[Future[int | None], list[Future[int | None]]]:
        """The first request's insert, held; then `rows`, each from a thread of its own, all
        waiting for the next turn."""
        first = pool.submit(writer.insert, ("T1", "first", "x"))
        assert self.first_running.wait(10)
        queued = [pool.submit(writer.insert, row) for row in rows]
        while len(writer._waiting) < len(rows):
            threading.Event().wait(0.01)
        return first, queued


@pytest.fixture
def held(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> tuple[HeldWriter, GroupInsert]:
    return HeldWriter(monkeypatch), group_insert(engine, STATEMENT)


def test_concurrent_inserts_are_each_written_once(engine: Engine) -> None:
    writer = group_insert(engine, STATEMENT)
    keys = [("T1", f"key-{n}") for n in range(400)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(lambda key: writer.insert((*key, f"body of {key[1]}")), keys))
    rows = stored(engine)
    assert len(rows) == 400
    assert all(row_id is not None for row_id in ids)
    assert dict(zip(keys, ids, strict=True)) == {
        key: row_id for key, (row_id, _body) in rows.items()
    }
    assert all(body == f"body of {key[1]}" for key, (_id, body) in rows.items())


def test_rows_that_come_while_a_group_is_written_form_the_next_group(
    engine: Engine, held: tuple[HeldWriter, GroupInsert]
) -> None:
    holder, writer = held
    with ThreadPoolExecutor(max_workers=8) as pool:
        rows: list[tuple[object, ...]] = [("T1", f"next-{n}", "x") for n in range(6)]
        first, waiting = holder.queue_behind_first(pool, writer, rows)
        assert not any(future.done() for future in waiting)  # nobody acked before the commit
        holder.release.set()
        ids = [first.result(10)] + [future.result(10) for future in waiting]
    assert holder.groups == [1, 6]
    assert len(set(ids)) == 7 and None not in ids
    assert len(stored(engine)) == 7


def test_a_replay_gets_none_in_the_same_group_and_later(
    engine: Engine, held: tuple[HeldWriter, GroupInsert]
) -> None:
    holder, writer = held
    with ThreadPoolExecutor(max_workers=4) as pool:
        copies: list[tuple[object, ...]] = [("T1", "twin", f"copy {n}") for n in range(2)]
        first, twins = holder.queue_behind_first(pool, writer, copies)
        holder.release.set()
        results = sorted((future.result(10) for future in twins), key=lambda v: v is None)
    assert first.result() is not None
    assert results[0] is not None and results[1] is None
    assert writer.insert(("T1", "twin", "a retry, later")) is None
    assert writer.insert(("T2", "twin", "another workspace")) is not None
    assert len(stored(engine)) == 3


def test_a_row_the_database_rejects_fails_alone(
    engine: Engine, held: tuple[HeldWriter, GroupInsert]
) -> None:
    holder, writer = held
    with ThreadPoolExecutor(max_workers=4) as pool:
        # body is NOT NULL
        _first, (good, bad) = holder.queue_behind_first(
            pool, writer, [("T1", "good", "x"), ("T1", "bad", None)]
        )
        holder.release.set()
        assert good.result(10) is not None
        with pytest.raises(Exception, match=r"(?i)null"):
            bad.result(10)
    assert set(stored(engine)) == {("T1", "first"), ("T1", "good")}
    assert writer.insert(("T1", "after", "x")) is not None  # the writer goes on


def test_a_connection_the_server_ended_is_replaced(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a SQLite connection has no server to end it")
    writer = group_insert(engine, STATEMENT)
    assert writer.insert(("T1", "before", "x")) is not None
    backend = writer._connection._driver.info.backend_pid
    with engine.begin() as connection:  # as a server restart would
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    assert writer.insert(("T1", "after", "x")) is not None
    assert set(stored(engine)) == {("T1", "before"), ("T1", "after")}
