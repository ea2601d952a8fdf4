"""The one listener for `message` events, handing each message to every pillar that reads it.

Bolt runs only the first listener that matches a request, so two pillars registering
`app.event("message")` would silently starve the second one. Here a reply in a Daily thread
becomes that member's update (the Daily's own path flags the companies it names), and deleting
it takes the update back; any other
human message is scanned by the prospect radar when its channel turned that on.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.radar import service as radar
from bot.runtime import Runtime
from bot.text import decode_slack_text
from handlers import daily
from handlers.common import workspace_id
from handlers.inbox import Inbox

# Edits are scanned too: a company added in an edit is news; flags already posted in the
# thread are not repeated. Joins, topic changes and bot posts are not people's messages.
SCANNED_SUBTYPES = (None, "thread_broadcast", "message_changed")


def register(app: App, runtime: Runtime, inbox: Inbox) -> None:
    def message(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if daily.handle_thread_reply(runtime, body, event, client):
            return
        if daily.handle_deleted_reply(runtime, body, event, client):
            return
        found = human_message(event)
        if found is None:
            return
        team_id, channel_id = workspace_id(body), str(event["channel"])
        if not radar.scans_messages(runtime, team_id, channel_id):
            return
        radar.flag_mentions(
            runtime,
            client,
            team_id,
            channel_id,
            str(found.get("thread_ts") or found["ts"]),
            decode_slack_text(str(found.get("text") or "")),
            str(found["user"]),
        )

    app.event({"type": "message"})(inbox.listener("message", message))


def human_message(event: dict[str, Any]) -> dict[str, Any] | None:
    """A person's message in a channel (new or edited), or None for anything else."""
    subtype = event.get("subtype")
    if subtype not in SCANNED_SUBTYPES or not event.get("channel"):
        return None
    message = event.get("message") if subtype == "message_changed" else event
    if not isinstance(message, dict) or message.get("bot_id") or not message.get("user"):
        return None
    if not message.get("ts") or str(event.get("channel_type") or "") == "im":
        return None
    return message
