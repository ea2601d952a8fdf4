"""`serve`'s inbox worker: the work after the ack, out of the web workers.

Under a burst, the work after each ack (Slack calls, several transactions) competed with the
acks for the web workers' GIL, for the CPU, and on SQLite for the file's one write lock; the
acks were up to five times slower than a bare Bolt app's (bench/ack_latency.py). So with `python
-m bot serve` a web worker only parses, stores (the request is left unleased) and acks, then
drops a datagram on a UNIX socket (`Nudger`). One worker process takes the stored requests up
with the inbox's usual leases (`Inbox.sweep`) and works them off on its threads (`InboxWorker`).
A lost nudge costs at most `POLL_SECONDS`: the worker also looks on its own. While nudges keep
coming, the worker's work steps aside for the acks (`InboxWorker.step_aside`). The nudge carries
nothing; the database is the queue, so a request survives the death of any process, the worker's
included (`bot.inbox_process` restarts it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from handlers.inbox import Inbox

log = logging.getLogger(__name__)

# Without a nudge the worker looks for requests this often (and a nudge lost is late by this).
POLL_SECONDS = 1.0
# A web worker nudges at most this often: a datagram per ack cost the acks a fifth of their
# rate under a burst (bench/README.md), the sending and above all the worker's receiving.
NUDGE_INTERVAL_SECONDS = 0.005
# Web workers are answering requests while their nudges come less than this apart.
QUIET_SECONDS = 0.02
# A request whose nudge was left out was stored within `NUDGE_INTERVAL_SECONDS` of the nudge
# sent before it, maybe after the sweep that nudge caused: so for a while after a nudge the
# worker looks again every `LOOK_AGAIN_SECONDS` (twice, when nudges stop).
LOOK_AGAIN_SECONDS = 2 * NUDGE_INTERVAL_SECONDS
RECENT_SECONDS = 2 * LOOK_AGAIN_SECONDS
# The longest a request's work waits for them at a time (bot/ack_priority.py did the same
# within a process, before each transaction: 0.25 s).
STEP_ASIDE_SECONDS = 1.0
# Past that, while acks keep coming, the waiting requests go one at a time this far apart
# (all of them at once would take a core from the acks the moment the second is up).
TRICKLE_SECONDS = 0.5
T = TypeVar("T")


class Nudger:
    """In a web worker: tells the inbox worker that a request is waiting, at most once per
    `NUDGE_INTERVAL_SECONDS`. Never blocks and never fails the ack: without a worker, or with
    its socket's queue full, the nudge is dropped."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._socket: socket.socket | None = None
        self._pid = 0
        self._next_nudge = 0.0

    def __call__(self) -> None:
        now = time.monotonic()
        if now < self._next_nudge:
            return  # a race between threads here costs one datagram more, nothing else
        self._next_nudge = now + NUDGE_INTERVAL_SECONDS
        if self._socket is None or self._pid != os.getpid():  # made in the process that sends
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.setblocking(False)
            self._pid = os.getpid()
        with contextlib.suppress(OSError):
            self._socket.sendto(b"", self._path)


class InboxWorker:
    """Takes up stored requests whenever nudged (or every `POLL_SECONDS`), at most `capacity`
    in flight at once; renews the leases of those it holds.

    The nudges also tell it that web workers are answering requests: while they come, each
    request's work waits (`step_aside`) until none came for `QUIET_SECONDS`, at most
    `STEP_ASIDE_SECONDS`; then, while they still come, the waiting requests go one every
    `TRICKLE_SECONDS`, so that under endless load the work still moves on.
    Otherwise this process's CPU competes with the acks for the same cores (bench/README.md).
    """

    def __init__(self, inbox: Inbox, path: str, capacity: int) -> None:
        self._inbox = inbox
        self._path = path
        self._capacity = capacity
        self._stop = threading.Event()
        self._nudged = threading.Event()
        self._last_nudge = 0.0
        self._turns = threading.Lock()
        self._next_turn = 0.0
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # left by a worker that died
        self._socket.bind(path)
        self._socket.settimeout(POLL_SECONDS)

    def stop(self) -> None:
        self._stop.set()
        self._nudged.set()  # wakes the loop

    def listen(self) -> threading.Thread:
        """Start receiving nudges (a thread of its own, until `stop`)."""
        receiver = threading.Thread(target=self._receive, name="inbox-nudges", daemon=True)
        receiver.start()
        return receiver

    def run(self) -> None:
        receiver = self.listen()
        renew_every = max(1.0, self._inbox.lease.total_seconds() / 3)
        next_renewal = time.monotonic() + renew_every
        try:
            while not self._stop.is_set():
                if time.monotonic() >= next_renewal:
                    next_renewal = time.monotonic() + renew_every
                    self._quietly(self._inbox.renew_leases)
                room = self._inbox.room(self._capacity, timeout=renew_every)
                self._nudged.clear()  # a nudge from now on is a request this sweep may miss
                taken = self._quietly(partial(self._inbox.sweep, room)) if room else 0
                if taken is None:  # the database failed: look again later
                    self._stop.wait(POLL_SECONDS)
                elif room and taken < room:  # all taken: wait for the next one
                    recent = time.monotonic() - self._last_nudge < RECENT_SECONDS
                    self._nudged.wait(LOOK_AGAIN_SECONDS if recent else POLL_SECONDS)
        finally:
            self._socket.close()
            receiver.join(timeout=2 * POLL_SECONDS)
            with contextlib.suppress(OSError):
                os.unlink(self._path)

    def step_aside(self) -> None:
        """In a thread about to work a request off: wait while web workers answer requests —
        until a quiet moment, or `STEP_ASIDE_SECONDS`, then for this thread's turn."""
        self._wait_for_quiet(time.monotonic() + STEP_ASIDE_SECONDS)
        now = time.monotonic()
        if now >= self._last_nudge + QUIET_SECONDS:
            return
        with self._turns:
            turn = max(now, self._next_turn)
            self._next_turn = turn + TRICKLE_SECONDS
        self._wait_for_quiet(turn)

    def _wait_for_quiet(self, until: float) -> None:
        while not self._stop.is_set():
            quiet_at = self._last_nudge + QUIET_SECONDS
            now = time.monotonic()
            if now >= quiet_at or now >= until:
                return
            time.sleep(min(quiet_at, until) - now)

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                self._socket.recv(16)
            except TimeoutError:
                continue
            except OSError:  # closed: the worker ends
                return
            self._last_nudge = time.monotonic()
            self._nudged.set()

    @staticmethod
    def _quietly(action: Callable[[], T]) -> T | None:
        try:
            return action()
        except Exception:
            log.exception("inbox worker: could not look for requests; trying again")
            return None


class InboxSweeper:
    """A daemon thread per process: renews its own leases, takes up abandoned requests."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="inbox-sweeper", daemon=True)

    def start(self) -> InboxSweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        interval = max(1.0, self._inbox.lease.total_seconds() / 3)
        while not self._stop.is_set():
            try:
                self._inbox.renew_leases()
                while self._inbox.sweep() and not self._stop.is_set():
                    pass
            except Exception:
                log.exception("inbox sweep failed; trying again in %.0f s", interval)
            self._stop.wait(interval)
