"""The sandbox's workspace: its ids, one team channel and five teammates in two languages."""

from __future__ import annotations

import re
from dataclasses import dataclass

TEAM_ID = "T0SANDBOX"
TEAM_NAME = "Redthread Sandbox"
TEAM_DOMAIN = "redthread-sandbox"
BOT_USER_ID = "U0REDTHREAD"
BOT_ID = "B0REDTHREAD"
APP_ID = "A0REDTHREAD"
CHANNEL_ID = "C0SALES"
CHANNEL_NAME = "sales"


@dataclass(frozen=True)
class Teammate:
    user_id: str
    name: str
    locale: str  # as users.info gives it
    tz: str


TEAMMATES = (
    Teammate("U0ANNA", "Anna Schmidt", "de-DE", "Europe/Berlin"),
    Teammate("U0BEN", "Ben Carter", "en-US", "America/New_York"),
    Teammate("U0CLARA", "Clara Weber", "de-DE", "Europe/Vienna"),
    Teammate("U0DAVID", "David Okafor", "en-US", "Europe/London"),
    Teammate("U0EMMA", "Emma Fischer", "en-US", "Europe/Berlin"),
)

# A mention the page already wrote as Slack encodes it (`<@U…>`) stays a mention.
USER_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")


def as_slack_sends(typed: str) -> str:
    """Text a person typed as Slack delivers it to apps: &, < and > escaped, mentions kept."""
    parts = USER_MENTION.split(typed)
    mentions = USER_MENTION.findall(typed)
    escaped = [
        part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for part in parts
    ]
    return "".join(piece for pair in zip(escaped, [*mentions, ""], strict=True) for piece in pair)
