"""The SQLite write gate hands itself to one waiter at a time: urgent writers first, then in the
order they came, and a read in `alone` takes no write lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from storage.db import (
    SessionFactory,
    WriteGate,
    alone,
    make_engine,
    make_session_factory,
    transaction,
)


def _wait_until_queued(gate: WriteGate, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(gate._urgent) + len(gate._queued) < count:
        assert time.monotonic() < deadline, "the waiters never queued"
        time.sleep(0.005)


def test_the_gate_goes_to_urgent_writers_first_then_in_order() -> None:
    gate = WriteGate()
    gate.acquire()
    order: list[str] = []

    def writer(name: str, urgent: bool) -> None:
        gate.acquire(urgent=urgent)
        gate.acquire()  # the owner may enter again
        order.append(name)
        gate.release()
        gate.release()

    threads = []
    for queued, (name, urgent) in enumerate(
        [("first", False), ("second", False), ("ack", True), ("third", False)], start=1
    ):
        thread = threading.Thread(target=writer, args=(name, urgent))
        thread.start()
        threads.append(thread)
        _wait_until_queued(gate, queued)
    gate.release()
    for thread in threads:
        thread.join(5)
    assert order == ["ack", "first", "second", "third"]
    assert gate._owner is None


def test_a_read_alone_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    try:
        with transaction(sessions) as session:
            session.execute(text("INSERT INTO t VALUES (1)"))  # holds the write lock and gate
            read: list[int] = []
            reader = threading.Thread(target=lambda: read.append(_count(sessions)), name="reader")
            reader.start()
            reader.join(5)
            assert read == [0], "the read waited for the writer"
        with alone(sessions) as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        assert _count(sessions) == 2
    finally:
        engine.dispose()


def _count(sessions: SessionFactory) -> int:
    with alone(sessions, writes=False) as connection:
        return int(connection.execute(text("SELECT count(*) FROM t")).scalar_one())
