"""Faults the fake Slack plays so tests can show the app survives them: error answers, 429 storms,
connections dropped before or after Slack handled a call, and slow answers.

Scripted faults are used up by the calls they match, in the order a test set them up. The server
(`server.py`) asks here how to treat each Web API call; the tests only call the public methods.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

DropPoint = Literal["before", "after"]


class Drop(NamedTuple):
    """A call whose connection the fake closed without answering, `before` or `after` handling."""

    method: str
    params: dict[str, Any]
    when: DropPoint


@dataclass(frozen=True)
class Failure:
    """An ok:false answer the fake gives instead of handling the call."""

    error: str
    status: int
    retry_after: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.status == 429 else {}


@dataclass
class _ScriptedFailure:
    method: str | None  # None: whatever method comes next
    failure: Failure
    times: int


@dataclass
class _Storm:
    method: str | None
    probability: float
    draws: random.Random
    retry_after: int
    until: float | None  # a time.monotonic() deadline

    def hits(self, method: str) -> bool:
        return self.method in (None, method) and self.draws.random() < self.probability


class FaultInjection:
    """What the fake does wrong on purpose; mixed into FakeSlack."""

    def __init__(self) -> None:
        # Its own lock: faults are set up from test threads while the server answers calls.
        self._fault_lock = threading.Lock()
        self._scripted: list[_ScriptedFailure] = []
        self._storms: list[_Storm] = []
        self._pending_drops: dict[DropPoint, Counter[str]] = {
            "before": Counter(),
            "after": Counter(),
        }
        self._latency: dict[str | None, float] = {}
        self._dropped: list[Drop] = []

    # -- for tests --------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error: str = "ratelimited",
        status: int | None = None,
        retry_after: int = 1,
        times: int = 1,
    ) -> None:
        """The next `times` valid calls to `method` fail; status defaults to 429 for ratelimited."""
        if status is None:
            status = 429 if error == "ratelimited" else 200
        self._script(method, Failure(error, status, retry_after), times)

    def rate_limit(self, method: str | None = None, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` valid calls to `method` (to any method when None, `times` in all) get
        HTTP 429 with `Retry-After: retry_after`; 0 is allowed, to keep tests fast."""
        self._script(method, Failure("ratelimited", 429, retry_after), times)

    def rate_limit_randomly(
        self,
        probability: float,
        seed: int,
        retry_after: int = 0,
        method: str | None = None,
        until: float | None = None,
    ) -> None:
        """A 429 storm: each valid call to `method` (any method when None) is rate limited with
        this probability, drawn from a generator seeded with `seed`. `until` is a
        `time.monotonic()` deadline that ends the storm; without one it lasts until
        `clear_faults()`. Scripted faults (`fail_next`, `rate_limit`) come first."""
        if not 0 <= probability <= 1:
            raise ValueError(f"probability must be between 0 and 1, not {probability}")
        if until is not None and until <= time.monotonic():
            raise ValueError("until is a time.monotonic() deadline and has passed (a duration?)")
        storm = _Storm(method, probability, random.Random(seed), retry_after, until)
        with self._fault_lock:
            self._storms.append(storm)

    def drop_before(self, method: str, times: int = 1) -> None:
        """The next `times` calls to `method` get their connection closed unanswered and
        unhandled: nothing recorded in `calls`, no state changed. The client sees
        RemoteDisconnected (a ConnectionResetError)."""
        self._add_drops("before", method, times)

    def drop_after(self, method: str, times: int = 1) -> None:
        """The next `times` calls to `method` that reach its handler (ok or ApiError; not ones
        rejected or failed by another fault) are handled and recorded, and then their
        connection is closed unanswered: a message IS posted, yet the client sees an error."""
        self._add_drops("after", method, times)

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Every call (to `method` only, when given; that beats the general setting) waits
        `seconds` before the fake handles it. Calls wait in parallel, as on a real network."""
        if seconds < 0:
            raise ValueError(f"latency cannot be negative: {seconds}")
        with self._fault_lock:
            self._latency[method] = seconds

    def clear_faults(self) -> None:
        """Forgets every pending fault, storm, drop and latency; `dropped` stays."""
        with self._fault_lock:
            self._scripted.clear()
            self._storms.clear()
            for pending in self._pending_drops.values():
                pending.clear()
            self._latency.clear()

    @property
    def dropped(self) -> list[Drop]:
        with self._fault_lock:
            return list(self._dropped)

    # -- asked by the server for each Web API call --------------------------------------------

    def _latency_for(self, method: str) -> float:
        with self._fault_lock:
            return self._latency.get(method, self._latency.get(None, 0.0))

    def _take_drop(self, when: DropPoint, method: str, params: dict[str, Any]) -> bool:
        """Whether to drop this call's connection here; a drop is recorded when taken."""
        with self._fault_lock:
            pending = self._pending_drops[when]
            if pending[method] <= 0:
                return False
            pending[method] -= 1
            self._dropped.append(Drop(method, params, when))
            return True

    def _take_failure(self, method: str) -> Failure | None:
        """The failure to answer this valid call with, if any fault claims it."""
        with self._fault_lock:
            for scripted in self._scripted:
                if scripted.method in (None, method):
                    scripted.times -= 1
                    if scripted.times <= 0:
                        self._scripted.remove(scripted)
                    return scripted.failure
            now = time.monotonic()
            self._storms = [s for s in self._storms if s.until is None or s.until > now]
            for storm in self._storms:
                if storm.hits(method):
                    return Failure("ratelimited", 429, storm.retry_after)
            return None

    def _forget_dropped(self) -> None:
        with self._fault_lock:
            self._dropped.clear()

    # -- helpers ----------------------------------------------------------------------------

    def _script(self, method: str | None, failure: Failure, times: int) -> None:
        if times < 1:
            raise ValueError(f"times must be at least 1, not {times}")
        with self._fault_lock:
            self._scripted.append(_ScriptedFailure(method, failure, times))

    def _add_drops(self, when: DropPoint, method: str, times: int) -> None:
        if times < 1:
            raise ValueError(f"times must be at least 1, not {times}")
        with self._fault_lock:
            self._pending_drops[when][method] += times
