"""Slack listeners of the App Home: the tab opened, a card's move control; and the hook that
republishes an open Home after any other request changed the person's data."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.board.parse import COLUMNS
from bot.board.service import change_card
from bot.home.render import CARD_ACTION, REMOVE
from bot.home.service import publish_home, refresh_if_open
from bot.runtime import Runtime
from handlers.common import user_of, workspace_id
from handlers.inbox import Inbox

# The Home's own listeners publish by themselves.
OWN_LISTENERS = ("home_opened", "home_card")


def register(app: App, runtime: Runtime, inbox: Inbox) -> None:
    def opened(
        body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        if event.get("tab") != "home":
            return  # the Messages tab: nothing to publish
        view = event.get("view") or {}
        seen_hash = str(view.get("hash") or "")
        publish_home(runtime, client, workspace_id(body, context), str(event["user"]), seen_hash)

    def card_action(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        team_id, user_id = workspace_id(body, context), body["user"]["id"]
        action = (body.get("actions") or [{}])[0]
        value = str((action.get("selected_option") or {}).get("value") or "")
        card_id, _, column = value.partition(":")
        if card_id.isdigit() and (column in COLUMNS or column == REMOVE):
            # Someone else's card id, or one no longer on the board, changes nothing.
            change_card(
                runtime,
                team_id,
                user_id,
                card_id=int(card_id),
                column=None if column == REMOVE else column,
            )
        publish_home(runtime, client, team_id, user_id)

    def after_work(listener: str, body: dict[str, Any]) -> None:
        user_id = user_of(body)
        if listener in OWN_LISTENERS or not user_id:
            return
        team_id = workspace_id(body)
        refresh_if_open(runtime, runtime.client_for(team_id), team_id, user_id)

    app.event("app_home_opened")(inbox.listener("home_opened", opened))
    app.action(CARD_ACTION)(inbox.listener("home_card", card_action))
    inbox.after_work.append(after_work)
