"""The app's life in a workspace: uninstalled, or its bot token revoked (Slack's events).

Both stop all work for the workspace (`storage.workspaces`); uninstalling also erases its data
as `python -m bot forget --team` does. A new install (OAuth) or a new token lifts the stop.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.privacy import app_uninstalled, bot_token_revoked
from bot.runtime import Runtime
from handlers.common import workspace_id
from handlers.inbox import Inbox

log = logging.getLogger(__name__)


def register(app: App, runtime: Runtime, inbox: Inbox) -> None:
    def uninstalled(body: dict[str, Any]) -> None:
        team_id = workspace_id(body)
        counts = app_uninstalled(runtime, team_id)
        erased = sum(counts.values())
        log.info("app uninstalled from %s: its data erased (%d rows)", team_id, erased)

    def tokens_revoked(body: dict[str, Any], event: dict[str, Any]) -> None:
        # Only the bot's token matters: Redthread asks for no user tokens.
        if (event.get("tokens") or {}).get("bot"):
            team_id = workspace_id(body)
            bot_token_revoked(runtime, team_id)
            log.info("bot token revoked in %s: no more work there", team_id)

    app.event("app_uninstalled")(inbox.listener("app_uninstalled", uninstalled))
    app.event("tokens_revoked")(inbox.listener("tokens_revoked", tokens_revoked))
