"""SQLite's writers queue in `storage.db.WriteGate`: one at a time, acks first, across processes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from storage.db import FileLock, WriteGate


def test_one_writer_at_a_time_and_an_urgent_one_goes_first(tmp_path: Path) -> None:
    gate = WriteGate(FileLock(str(tmp_path / "db-writer.lock")))
    order: list[str] = []
    inside = 0
    most_inside = 0

    def write(name: str, urgent: bool) -> None:
        nonlocal inside, most_inside
        gate.acquire(urgent=urgent)
        inside += 1
        most_inside = max(most_inside, inside)
        order.append(name)
        time.sleep(0.01)
        inside -= 1
        gate.release()

    gate.acquire()
    gate.acquire()  # re-entrant: a nested transaction of the same thread
    queued = [threading.Thread(target=write, args=(f"work{n}", False)) for n in range(5)]
    for thread in queued:
        thread.start()
    time.sleep(0.05)
    ack = threading.Thread(target=write, args=("ack", True))
    ack.start()
    time.sleep(0.05)
    gate.release()
    assert order == []  # still held once
    gate.release()
    for thread in [*queued, ack]:
        thread.join(5)
    assert order[0] == "ack"
    assert sorted(order[1:]) == [f"work{n}" for n in range(5)]
    assert most_inside == 1


def test_a_writer_of_another_process_waits_for_the_lock_file(tmp_path: Path) -> None:
    # flock locks belong to an open file: two gates with their own descriptors behave as two
    # processes would.
    path = str(tmp_path / "db-writer.lock")
    here, there = WriteGate(FileLock(path)), WriteGate(FileLock(path))
    got_it = threading.Event()

    def other_process() -> None:
        there.acquire()
        got_it.set()
        there.release()

    here.acquire()
    thread = threading.Thread(target=other_process)
    thread.start()
    assert not got_it.wait(0.2)
    here.release()
    assert got_it.wait(5)
    thread.join(5)
