"""Slack listeners of the Weekly: `/weekly`, the message shortcut, the settings modal, and
reactions on agenda items."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.daily.settings_form import SettingsError
from bot.i18n import translate
from bot.members import display_names, user_language
from bot.runtime import Runtime
from bot.text import decode_slack_text, escape_for_slack, quote_user_text
from bot.weekly import agenda, decisions, render, service
from bot.weekly.parse import (
    Add,
    Decide,
    Decisions,
    Help,
    Invalid,
    Remove,
    Settings,
    Show,
    item_from_message,
    parse_weekly_command,
)
from bot.weekly.rules import FROM_MESSAGE, AgendaItem
from bot.weekly.settings_form import (
    SETTINGS_MODAL,
    settings_from_values,
    settings_modal,
    validate_settings,
)
from handlers.common import (
    acknowledge_form,
    slash_command,
    tell_user,
    view_metadata,
    workspace_id,
)
from handlers.inbox import Inbox
from storage.channels import update_channel
from storage.db import transaction

ADD_MESSAGE_SHORTCUT = "weekly_add_message"
# How much of an unknown subcommand the usage message quotes.
DETAIL_LIMIT = 40


def register(app: App, runtime: Runtime, inbox: Inbox) -> None:
    def weekly_command(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        caller = slash_command(runtime, body, client, context, respond)
        team_id, channel_id, user_id, language = caller.identity
        if caller.in_direct_message:  # a DM has no team Weekly; nothing is stored for it
            caller.tell_key("weekly.error.not_in_channel")
            return
        tell = caller.tell_key
        command = parse_weekly_command(caller.text)
        config = service.weekly_config(runtime, team_id, channel_id)
        if not isinstance(command, Help | Invalid):
            config = service.activate(runtime, config)
        match command:
            case Help():
                tell("weekly.help")
            case Invalid(error=error, detail=detail):
                tell(error, detail=quote_user_text(detail, DETAIL_LIMIT))
            case Show():
                text, blocks = service.show_draft(runtime, client, config, language)
                tell_user(client, channel_id, user_id, text, respond, blocks=blocks)
            case Add(category=category, text=text):
                item = service.add_item(runtime, config, user_id, category, text)
                _confirm_added(runtime, config, item, language, tell)
            case Remove(number=number):
                removal = service.remove_item(runtime, config, user_id, number)
                if removal.error == "weekly.error.not_yours" and removal.item is not None:
                    owner = removal.item.user_id
                    name = display_names(runtime, client, team_id, [owner], language)[owner]
                    tell(removal.error, number=number, name=escape_for_slack(name, {}))
                elif removal.error:
                    tell(removal.error, number=number)
                elif removal.item is not None:
                    tell(
                        "weekly.ack.removed", number=number, text=quote_user_text(removal.item.text)
                    )
            case Decide(text=text):
                decision = decisions.record_decision(runtime, client, config, user_id, text)
                tell("weekly.ack.decided" if decision.weekly_id else "weekly.ack.decided_channel")
            case Decisions():
                text, blocks = decisions.recent_decisions(runtime, client, config, language)
                tell_user(client, channel_id, user_id, text, respond, blocks=blocks)
            case Settings():
                client.views_open(
                    trigger_id=body["trigger_id"],
                    view=settings_modal(language, channel_id, config.schedule),
                )

    def add_message(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        """The message shortcut: any message becomes an item, with a link to it."""
        team_id, user_id = workspace_id(body, context), body["user"]["id"]
        channel_id, message = body["channel"]["id"], body.get("message") or {}
        language = user_language(runtime, client, team_id, user_id)
        parsed = item_from_message(decode_slack_text(str(message.get("text") or "")))
        if channel_id.startswith("D") or parsed is None:
            key = "weekly.error.not_in_channel" if parsed else "weekly.error.empty_message"
            tell_user(client, None, user_id, translate(language, key), respond)
            return
        config = service.activate(runtime, service.weekly_config(runtime, team_id, channel_id))
        link = service.permalink_of(client, channel_id, str(body.get("message_ts") or ""))
        item = service.add_item(
            runtime,
            config,
            user_id,
            parsed.category,
            parsed.text,
            source=FROM_MESSAGE,
            link=link,
            source_user_id=str(message.get("user") or "") or None,
        )

        def tell(key: str, **values: Any) -> None:
            text = translate(language, key, **values)
            tell_user(client, channel_id, user_id, text, respond)

        _confirm_added(runtime, config, item, language, tell)

    def check_settings(ack: Ack, body: dict[str, Any]) -> bool:
        """Validation answers in the ack itself, so Slack shows the error on the field."""
        view = body["view"]
        language = view_metadata(view).get("language") or runtime.settings.default_language
        answers = settings_from_values(view["state"]["values"])
        return acknowledge_form(ack, language, lambda: validate_settings(answers))

    def save_settings(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        view = body["view"]
        try:
            form = validate_settings(settings_from_values(view["state"]["values"]))
        except SettingsError:
            return  # answered in check_settings
        team_id, user_id = workspace_id(body, context), body["user"]["id"]
        channel_id = str(view_metadata(view)["channel"])
        with transaction(runtime.sessions) as session:
            update_channel(session, team_id, channel_id, weekly_active=True, **form.as_columns())
        language = user_language(runtime, client, team_id, user_id)
        tell_user(client, channel_id, user_id, form.confirmation(language))

    def reaction(
        body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        item = event.get("item") or {}
        user_id = str(event.get("user") or "")
        if item.get("type") != "message" or not user_id or _is_the_bot(user_id, body, context):
            return
        team_id = workspace_id(body, context)
        agenda.apply_reaction(
            runtime,
            client,
            agenda.ReactionEvent(
                team_id=team_id,
                channel_id=str(item.get("channel")),
                message_ts=str(item.get("ts")),
                user_id=user_id,
                reaction=str(event.get("reaction") or ""),
                added=event.get("type") == "reaction_added",
                event_ts=str(event.get("event_ts") or body.get("event_time") or "0"),
            ),
        )

    app.command("/weekly")(inbox.listener("weekly_command", weekly_command))
    app.shortcut(ADD_MESSAGE_SHORTCUT)(inbox.listener("weekly_add_message", add_message))
    app.view(SETTINGS_MODAL)(
        inbox.listener("weekly_settings", save_settings, validate=check_settings)
    )
    for event_type in ("reaction_added", "reaction_removed"):
        app.event(event_type)(inbox.listener(f"weekly_{event_type}", reaction))


def _confirm_added(
    runtime: Runtime,
    config: service.WeeklyConfig,
    item: AgendaItem,
    language: str,
    tell: Any,
) -> None:
    tell(
        "weekly.ack.added",
        number=item.number,
        category=render.category_label(language, item.category),
        when=render.when(language, service.next_start(runtime, config)),
        text=quote_user_text(item.text),
    )


def _is_the_bot(user_id: str, body: dict[str, Any], context: BoltContext) -> bool:
    """The bot's own reactions never claim or resolve anything."""
    if context.bot_user_id and user_id == context.bot_user_id:
        return True
    authorizations = body.get("authorizations") or []
    return any(auth.get("is_bot") and auth.get("user_id") == user_id for auth in authorizations)
