"""What one person sees in the sandbox's workspace, as the page's `GET /api/state` gives it.

Messages are listed the way conversations.history and conversations.replies list them; the
rest (ephemerals, modals, the Home) only for the person they belong to.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from bot.sandbox.slack.history import Message
from bot.sandbox.standin import SandboxSlack

USER_FIELDS = ("id", "name", "real_name", "locale", "tz", "is_bot")


def direct_channel(user_id: str) -> str:
    """The bot's direct-message channel with a person, as the stand-in names it."""
    return f"D{user_id[1:]}"


def snapshot(slack: SandboxSlack, me: str, jobs: list[str], now: datetime) -> dict[str, Any]:
    """The state of the workspace for `me` (a copy: the page may keep it)."""
    with slack.lock:
        channels = [
            {"id": channel_id, "name": facts["name"]}
            for channel_id, facts in slack.channels.items()
            if me in slack.members.get(channel_id, [])
        ]
        visible = [channel["id"] for channel in channels] + [direct_channel(me)]
        state = {
            "version": slack.versions.current,
            "me": me,
            "team": {"id": slack.team_id, "name": slack.team_name, "domain": slack.team_domain},
            "users": [
                {name: user.get(name) for name in USER_FIELDS}
                for user in slack.users.values()
                if not user.get("deleted")
            ],
            "channels": channels,
            "messages": {channel: _listed(slack, channel) for channel in visible},
            "ephemerals": [
                {k: v for k, v in message.items() if k != "for_user"}
                for message in slack.ephemerals
                if message["for_user"] == me
            ],
            "modal": _top_modal(slack, me),
            "home": next(
                (
                    view
                    for view in slack.views.values()
                    if view.get("type") == "home" and view.get("user_id") == me
                ),
                None,
            ),
            "jobs": jobs,
            "now": now.isoformat(),
        }
        return copy.deepcopy(state)


def _top_modal(slack: SandboxSlack, me: str) -> dict[str, Any] | None:
    stack = slack.modal_stacks.get(me) or []
    return slack.views.get(stack[-1]) if stack else None


def _listed(slack: SandboxSlack, channel: str) -> list[Message]:
    """Top-level messages oldest first, each with its replies and reactions."""
    listing = slack.thread_listing(channel)
    for message in listing:
        for shown in (message, *message["replies"]):
            reacted = slack.reacted.get((channel, shown["ts"]), {})
            shown["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)}
                for name, users in reacted.items()
            ]
    return listing
