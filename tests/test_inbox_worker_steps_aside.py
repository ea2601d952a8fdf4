"""`serve`'s inbox worker steps aside while web workers are answering requests (their nudges
come less than QUIET_SECONDS apart), but never longer than STEP_ASIDE_SECONDS at a time."""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from handlers import inbox_worker
from handlers.inbox_worker import (
    NUDGE_INTERVAL_SECONDS,
    POLL_SECONDS,
    STEP_ASIDE_SECONDS,
    TRICKLE_SECONDS,
    InboxWorker,
    Nudger,
)

# Longer than in production, so that a test thread descheduled on a busy machine does not
# look like the end of a burst.
QUIET_SECONDS = 0.2


@pytest.fixture
def worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InboxWorker]:
    monkeypatch.setattr(inbox_worker, "QUIET_SECONDS", QUIET_SECONDS)
    inbox: Any = object()  # stepping aside never touches the inbox
    worker = InboxWorker(inbox, str(tmp_path / "nudge.sock"), capacity=1)
    receiver = worker.listen()
    yield worker
    worker.stop()
    receiver.join(timeout=5)


def nudging(path: str, seconds: float) -> threading.Thread:
    """Nudges every 2 ms for `seconds`, as web workers acking a burst would."""

    def send() -> None:
        nudge = Nudger(path)
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            nudge()
            time.sleep(0.002)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def timed(action: Any) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def test_without_acks_the_work_goes_on_at_once(worker: InboxWorker) -> None:
    assert timed(worker.step_aside) < 0.05


def test_the_work_waits_while_a_burst_is_acked(worker: InboxWorker, tmp_path: Path) -> None:
    burst = nudging(str(tmp_path / "nudge.sock"), 0.5)
    time.sleep(0.05)
    waited = timed(worker.step_aside)
    burst.join()
    assert 0.3 < waited < STEP_ASIDE_SECONDS  # the rest of the burst, and a quiet moment


def test_under_endless_acks_the_work_still_moves_on(worker: InboxWorker, tmp_path: Path) -> None:
    burst = nudging(str(tmp_path / "nudge.sock"), STEP_ASIDE_SECONDS + 1.0)
    time.sleep(0.05)
    waited = timed(worker.step_aside)
    burst.join()
    # Not less than the quiet time; on a busy machine a stalled sender may end the wait early.
    assert QUIET_SECONDS < waited < STEP_ASIDE_SECONDS + 0.5


def test_under_endless_acks_the_waiting_work_goes_one_at_a_time(
    worker: InboxWorker, tmp_path: Path
) -> None:
    burst = nudging(str(tmp_path / "nudge.sock"), STEP_ASIDE_SECONDS + 2.0)
    time.sleep(0.05)
    released: list[float] = []
    started = time.monotonic()

    def work() -> None:
        worker.step_aside()
        released.append(time.monotonic() - started)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    burst.join()
    released.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(released)]
    # Not all four at once after the first second (a stalled sender may end a wait early).
    assert max(gaps) >= TRICKLE_SECONDS * 0.8, released


def test_a_web_worker_nudges_at_most_once_per_interval(tmp_path: Path) -> None:
    path = str(tmp_path / "nudges.sock")
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(path)
    receiver.setblocking(False)
    nudge = Nudger(path)
    started = time.monotonic()
    for _ in range(2000):  # a burst of acks in one web worker
        nudge()
    elapsed = time.monotonic() - started
    received = 0
    with contextlib.suppress(BlockingIOError):
        while True:
            receiver.recv(16)
            received += 1
    receiver.close()
    assert 1 <= received <= elapsed / NUDGE_INTERVAL_SECONDS + 2


class RecordingInbox:
    """What InboxWorker.run needs of an inbox: one request is waiting once `store` was called."""

    lease = timedelta(seconds=30)

    def __init__(self) -> None:
        self.waiting = 0
        self.taken_at: list[float] = []
        self.sweeps = 0

    def renew_leases(self) -> None:
        pass

    def room(self, capacity: int, timeout: float) -> int:
        return capacity

    def sweep(self, limit: int) -> int:
        self.sweeps += 1
        taken, self.waiting = self.waiting, 0
        self.taken_at += [time.monotonic()] * taken
        return taken


def test_a_request_whose_nudge_was_left_out_is_taken_up_soon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wider than in production, so that a descheduled test thread is still within them.
    monkeypatch.setattr(inbox_worker, "LOOK_AGAIN_SECONDS", 0.05)
    monkeypatch.setattr(inbox_worker, "RECENT_SECONDS", 0.5)
    path = str(tmp_path / "nudge.sock")
    inbox = RecordingInbox()
    worker = InboxWorker(inbox, path, capacity=4)  # type: ignore[arg-type]
    running = threading.Thread(target=worker.run, daemon=True)
    running.start()
    try:
        time.sleep(0.05)
        nudge = Nudger(path)
        sweeps_before = inbox.sweeps
        nudge()  # the first request's
        while inbox.sweeps == sweeps_before:  # its sweep found nothing more
            time.sleep(0.001)
        inbox.waiting = 1  # the second request, stored within the interval:
        nudge._next_nudge = time.monotonic() + 10
        nudge()
        stored_at = time.monotonic()
        while not inbox.taken_at and time.monotonic() < stored_at + POLL_SECONDS / 2:
            time.sleep(0.005)
        assert inbox.taken_at, "taken up only by the worker's slow poll"
        time.sleep(0.5)  # nudges stopped a while ago
        sweeps = inbox.sweeps
        time.sleep(0.3)
        assert inbox.sweeps - sweeps <= 1  # no busy polling once nudges stop
    finally:
        worker.stop()
        running.join(timeout=5)
