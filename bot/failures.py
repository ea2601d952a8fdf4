"""What went wrong after an ack, in the terms a user is told and a retry is decided by."""

from __future__ import annotations

import http.client
import socket
import urllib.error
from dataclasses import dataclass
from typing import Literal

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.posting import PostPending

FailureKind = Literal["slack_busy", "slack_refused", "database", "bug"]

# Slack answers that heal by waiting; anything else Slack says is final for this request.
TRANSIENT_SLACK_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)
CONNECTION_ERRORS = (
    urllib.error.URLError,
    http.client.HTTPException,
    ConnectionError,
    socket.timeout,
    TimeoutError,
)


MESSAGE_KEYS: dict[tuple[FailureKind, bool], str] = {
    ("slack_busy", True): "error.slack_busy.kept",
    ("slack_busy", False): "error.slack_busy.not_kept",
    ("slack_refused", True): "error.slack_refused.kept",
    ("slack_refused", False): "error.slack_refused.not_kept",
    ("database", True): "error.database.kept",
    ("database", False): "error.database.not_kept",
    ("bug", True): "error.bug.kept",
    ("bug", False): "error.bug.not_kept",
}


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    # A short code for logs and users (Slack's error, the exception's class): never user text.
    code: str

    @property
    def worth_retrying(self) -> bool:
        return self.kind in ("slack_busy", "database")

    def message_key(self, *, kept: bool) -> str:
        """What the person is told: what failed, and whether their request is kept."""
        return MESSAGE_KEYS[self.kind, kept]


def classify(error: BaseException) -> Failure:
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error") or f"http_{error.response.status_code}")
        status = int(error.response.status_code or 200)
        if code in TRANSIENT_SLACK_ERRORS or status == 429 or status >= 500:
            return Failure("slack_busy", code)
        return Failure("slack_refused", code)
    if isinstance(error, PostPending):
        return Failure("slack_busy", "post_pending")
    if isinstance(error, CONNECTION_ERRORS):
        return Failure("slack_busy", "no_answer")
    if isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        # The database went away (restart, network, lock timeout): waiting helps.
        return Failure("database", type(error.orig).__name__ if error.orig else "database")
    return Failure("bug", type(error).__name__)
