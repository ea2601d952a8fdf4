"""Cross-cutting: event deduplication (middleware), channel membership, error logging."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest

from bot.runtime import Runtime
from handlers.common import acknowledge_then, workspace_id
from storage.channels import set_channel_active
from storage.db import transaction
from storage.events import first_delivery

log = logging.getLogger(__name__)


class DropRepeatedEvents(Middleware):
    """Slack redelivers an event it thinks was lost; the database remembers event ids.

    A `Middleware` subclass rather than an `@app.middleware` function: Bolt builds every
    listener argument for a function middleware on every request (about 40 µs of the ack).
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            with transaction(self._runtime.sessions) as session:
                is_new = first_delivery(session, workspace_id(body), str(event_id))
            if not is_new:
                log.info(
                    "dropping repeated event %s (retry %s)",
                    event_id,
                    req.headers.get("x-slack-retry-num", [None])[0],
                )
                return BoltResponse(status=200, body="")
        return next()


def register_middleware(app: App, runtime: Runtime) -> None:
    app.middleware(DropRepeatedEvents(runtime))


def register(app: App, runtime: Runtime, after_ack: Executor) -> None:
    def bot_joined(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        if event.get("user") == context.bot_user_id:
            with transaction(runtime.sessions) as session:
                set_channel_active(session, workspace_id(body), event["channel"], True)

    def bot_left(body: dict[str, Any], event: dict[str, Any]) -> None:
        with transaction(runtime.sessions) as session:
            set_channel_active(session, workspace_id(body), event["channel"], False)

    app.event("member_joined_channel")(acknowledge_then(bot_joined, after_ack))
    for event_type in ("channel_left", "group_left"):
        app.event(event_type)(acknowledge_then(bot_left, after_ack))

    @app.error
    def log_unhandled(error: Exception, body: dict[str, Any]) -> None:
        log.error(
            "unhandled error for %s request (team=%s)",
            body.get("type") or body.get("command"),
            workspace_id(body),
            exc_info=error,
        )
