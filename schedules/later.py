"""A job that did part of its work and must be run again later (not a failure).

The Daily's reminder waits for members in quiet hours: it reminds the others and asks to be run
again at the next member's 08:00. The runner keeps the run open, leased until then.
"""

from __future__ import annotations

from datetime import datetime

# Stored as the run's `last_error` while it waits, so the plan can say why it is held.
QUIET_HOURS = "quiet hours"


class RunLater(Exception):
    def __init__(self, until: datetime, reason: str, *, did_something: bool) -> None:
        super().__init__(reason)
        self.until = until
        self.reason = reason
        self.did_something = did_something
