"""`serve`'s inbox worker steps aside while web workers are answering requests (their nudges
come less than QUIET_SECONDS apart), but never longer than STEP_ASIDE_SECONDS at a time."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handlers import inbox_worker
from handlers.inbox_worker import STEP_ASIDE_SECONDS, TRICKLE_SECONDS, InboxWorker, Nudger

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
