"""Acknowledging comes first: work after the ack steps aside while requests are being answered.

Every database round trip the work makes (and the database server's CPU behind it) competes
with the one insert each ack must make before Slack gets its answer. Under a burst that made
the acks five times slower than a bare Bolt app's (bench/ack_latency.py), niceness alone could
not help: the database server and SQLite's write lock do not know which thread is which.
So a background thread waits, before each transaction, until no request is being answered —
at most `MAX_WAIT_SECONDS` each time, so that under endless load the work still moves on.

PostgreSQL only (bench, 2 rounds of 1,500 requests, 50 clients: p99 ratio to bare Bolt 2.0
with, 3.6 without). On SQLite it made things worse (3.9 without, 13.9 with): a transaction
that waited here then held the file's one write lock while acks queued behind it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WAIT_SECONDS = 0.25

_in_flight = 0
_quiet = threading.Condition()
_background = threading.local()


@contextmanager
def answering_request() -> Iterator[None]:
    """Around the handling of one Slack request, up to its answer."""
    global _in_flight
    with _quiet:
        _in_flight += 1
    try:
        yield
    finally:
        with _quiet:
            _in_flight -= 1
            if _in_flight == 0:
                _quiet.notify_all()


def mark_background_thread() -> None:
    """For threads that only do work after acks (the after-ack executor)."""
    _background.active = True


def yield_to_requests() -> None:
    """In a background thread: wait (briefly) until no request is being answered."""
    if not getattr(_background, "active", False):
        return
    with _quiet:
        _quiet.wait_for(lambda: _in_flight == 0, timeout=MAX_WAIT_SECONDS)
