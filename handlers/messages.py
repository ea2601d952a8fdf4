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

from bot.daily import lifecycle
from bot.radar import service as radar
from bot.runtime import Runtime
from bot.text import decode_slack_text
from handlers import daily
from handlers.common import workspace_id
from handlers.inbox import Inbox

# Edits are scanned too: a company added in an edit is news; flags already posted in the
# thread are not repeated. Joins, topic changes and bot posts are not people's messages.
SCANNED_SUBTYPES = (None, "thread_broadcast", "message_changed")
# What of a direct message's event is stored: enough to answer it, none of its words.
DM_KEPT = ("type", "subtype", "channel", "channel_type", "user", "bot_id", "ts", "event_ts")


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

    def direct_message(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if direct_message_from_person(event):
            lifecycle.answer_direct_message(
                runtime, client, workspace_id(body), str(event["user"]), str(event["channel"])
            )

    # First: Bolt runs only the first matching listener, and a DM's text must not be stored.
    app.event("message", matchers=[lambda body: _is_direct(body.get("event") or {})])(
        inbox.listener("direct_message", direct_message, keep=without_text)
    )
    app.event({"type": "message"})(inbox.listener("message", message))


def _is_direct(event: dict[str, Any]) -> bool:
    return str(event.get("channel_type") or "") == "im"


def direct_message_from_person(event: dict[str, Any]) -> bool:
    """A person wrote to the bot (not an edit, not the bot's own answer)."""
    return (
        _is_direct(event)
        and event.get("subtype") is None
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(event.get("channel"))
    )


def without_text(body: dict[str, Any]) -> dict[str, Any]:
    """A direct message as stored: who wrote where, never what (nothing of it is kept)."""
    event = body.get("event") or {}
    kept = {key: event[key] for key in DM_KEPT if key in event}
    return {**{key: value for key, value in body.items() if key != "event"}, "event": kept}


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
