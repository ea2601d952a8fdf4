"""`serve`'s inbox worker: the work after the ack, out of the web workers.

Under a burst, the work after each ack (Slack calls, several transactions) competed with the
acks for the web workers' GIL, for the CPU, and on SQLite for the file's one write lock; the
acks were up to five times slower than a bare Bolt app's (bench/ack_latency.py). So with `python
-m bot serve` a web worker only parses, stores (the request is left unleased) and acks, then
drops a datagram on a UNIX socket (`Nudger`). One worker process takes the stored requests up
with the inbox's usual leases (`Inbox.sweep`) and works them off on its threads (`InboxWorker`).
A lost nudge costs at most `POLL_SECONDS`: the worker also looks on its own. The nudge carries
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
T = TypeVar("T")


class Nudger:
    """In a web worker: tells the inbox worker that a request is waiting. Never blocks and never
    fails the ack: without a worker, or with its socket's queue full, the nudge is dropped."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._socket: socket.socket | None = None
        self._pid = 0

    def __call__(self) -> None:
        if self._socket is None or self._pid != os.getpid():  # made in the process that sends
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.setblocking(False)
            self._pid = os.getpid()
        with contextlib.suppress(OSError):
            self._socket.sendto(b"", self._path)


class InboxWorker:
    """Takes up stored requests whenever nudged (or every `POLL_SECONDS`), at most `capacity`
    in flight at once; renews the leases of those it holds."""

    def __init__(self, inbox: Inbox, path: str, capacity: int) -> None:
        self._inbox = inbox
        self._path = path
        self._capacity = capacity
        self._stop = threading.Event()
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # left by a worker that died
        self._socket.bind(path)

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            Nudger(self._path)()  # wakes the loop

    def run(self) -> None:
        renew_every = max(1.0, self._inbox.lease.total_seconds() / 3)
        next_renewal = time.monotonic() + renew_every
        try:
            while not self._stop.is_set():
                if time.monotonic() >= next_renewal:
                    next_renewal = time.monotonic() + renew_every
                    self._quietly(self._inbox.renew_leases)
                room = self._inbox.room(self._capacity, timeout=renew_every)
                taken = self._quietly(partial(self._inbox.sweep, room)) if room else 0
                if taken is None:  # the database failed: look again later
                    self._stop.wait(POLL_SECONDS)
                elif room and taken < room:  # all taken: wait for the next one
                    self._wait_for_nudge()
        finally:
            self._socket.close()
            with contextlib.suppress(OSError):
                os.unlink(self._path)

    def _wait_for_nudge(self) -> None:
        self._socket.settimeout(POLL_SECONDS)
        try:
            self._socket.recv(16)
        except TimeoutError:
            return
        self._socket.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while True:  # one look covers every nudge that came meanwhile
                self._socket.recv(16)

    @staticmethod
    def _quietly(action: Callable[[], T]) -> T | None:
        try:
            return action()
        except Exception:
            log.exception("inbox worker: could not look for requests; trying again")
            return None
