"""Cross-cutting events: the bot joining or leaving a channel, and the last-resort error log."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.daily import lifecycle
from bot.runtime import Runtime
from handlers.common import workspace_id
from handlers.inbox import DatabaseUnavailable, Inbox
from storage.channels import set_channel_active
from storage.db import transaction

log = logging.getLogger(__name__)


def register(app: App, runtime: Runtime, inbox: Inbox) -> None:
    def bot_joined(
        body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        # The bot added to a channel: its Daily is scheduled from now on, with a welcome.
        if event.get("user") == context.bot_user_id:
            lifecycle.welcome(runtime, client, workspace_id(body), event["channel"])

    def bot_left(body: dict[str, Any], event: dict[str, Any]) -> None:
        with transaction(runtime.sessions) as session:
            set_channel_active(session, workspace_id(body), event["channel"], False)

    app.event("member_joined_channel")(inbox.listener("channel_joined", bot_joined))
    for event_type in ("channel_left", "group_left"):
        app.event(event_type)(inbox.listener(f"channel_{event_type}", bot_left))

    @app.error
    def log_unhandled(error: Exception, body: dict[str, Any]) -> None:
        # Only the request's kind and workspace: bodies hold what people typed.
        log.error(
            "unhandled error for %s request (team=%s)",
            body.get("type") or body.get("command"),
            workspace_id(body),
            exc_info=error,
        )
        if not isinstance(error, DatabaseUnavailable):  # expected: Slack delivers it again
            runtime.report_failure("bolt", error)
