"""Slack listeners of the Daily: `/daily`, its modals, the prompt's button, thread replies."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.daily import lifecycle, render, service
from bot.daily.calendar import DAILY_ON
from bot.daily.parse import (
    Away,
    Cancel,
    DailyFields,
    Help,
    Holidays,
    Invalid,
    OpenModal,
    Settings,
    Skip,
    TurnOff,
    TurnOn,
    Update,
    parse_daily_command,
    parse_update_text,
    removed_by_edit,
)
from bot.daily.settings_form import DailySettingsForm, SettingsError, validate_settings
from bot.i18n import translate
from bot.members import user_language
from bot.runtime import Runtime
from bot.text import decode_slack_text, escape_for_slack, quote_user_text
from handlers.common import (
    SlashCommand,
    acknowledge_form,
    slash_command,
    tell_user,
    workspace_id,
)
from handlers.inbox import Inbox
from storage import daily as store
from storage.channels import update_channel
from storage.db import transaction

# `/daily holidays REGION` confirms with the region's next few holidays.
HOLIDAYS_SHOWN = 4


def register(app: App, runtime: Runtime, inbox: Inbox) -> None:
    def daily_command(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        caller = slash_command(runtime, body, client, context, respond)
        team_id, channel_id, user_id, language = caller.identity
        if caller.in_direct_message:  # a DM has no team Daily; and nothing is stored for it
            caller.tell_key("daily.error.not_in_channel")
            return
        config = service.channel_config(runtime, team_id, channel_id)
        command = parse_daily_command(caller.text, service.local_day(runtime, config))
        tell = caller.tell_key

        match command:
            case Help():
                tell("daily.help")
            case Invalid(error=error, detail=detail):
                tell(error, detail=quote_user_text(detail))
            case OpenModal():
                _open_update_modal(runtime, client, config, user_id, language, body["trigger_id"])
            case Settings():
                _open_settings(client, config, language, body["trigger_id"])
            case TurnOn() | TurnOff():
                on = isinstance(command, TurnOn)
                if not lifecycle.set_state(runtime, client, config, user_id, on):
                    tell("daily.lifecycle.already_on" if on else "daily.lifecycle.already_off")
            case Holidays(region=region):
                upcoming = lifecycle.set_holidays(runtime, config, region)
                _confirm_holidays(caller, region, upcoming)
            case Cancel(day=day, undo=undo):
                act = lifecycle.uncancel if undo else lifecycle.cancel
                cancelled, problem = act(runtime, client, config, user_id, day)
                if problem is not None:
                    when = render.long_date(cancelled, language) if cancelled else ""
                    tell(problem, date=when)
            case Skip(reason=reason):
                day = service.current_daily_day(runtime, config)
                _store_absence(runtime, team_id, user_id, "skip", day, day, channel_id, reason)
                why = f" ({quote_user_text(reason)})" if reason else ""
                if day > service.local_day(runtime, config):  # the evening before: the next one
                    tell("daily.ack.skip_next", reason=why, date=render.long_date(day, language))
                else:
                    tell("daily.ack.skip", reason=why)
            case Away(start=start, end=end):
                _store_absence(runtime, team_id, user_id, "away", start, end, None, None)
                if start == end:
                    tell("daily.ack.away_one_day", start=render.long_date(start, language))
                else:
                    tell(
                        "daily.ack.away",
                        start=render.long_date(start, language),
                        end=render.long_date(end, language),
                    )
            case Update(fields=fields):
                result = service.submit_update(runtime, client, config, user_id, fields)
                key, values = _acknowledgement(runtime, config, result, language)
                tell(key, **values)

    def open_modal_button(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team_id, user_id = workspace_id(body, context), body["user"]["id"]
        config = service.channel_config(runtime, team_id, body["channel"]["id"])
        language = user_language(runtime, client, team_id, user_id)
        _open_update_modal(runtime, client, config, user_id, language, body["trigger_id"])

    def update_submitted(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        view = body["view"]
        modal_context = render.UpdateModalContext.decode(view["private_metadata"])
        team_id, user_id = workspace_id(body, context), body["user"]["id"]
        values = view["state"]["values"]
        fields = DailyFields(
            plan=_clean(render.bk.input_value(values, "plan")),
            highlight=_clean(render.bk.input_value(values, "highlight")),
            impediment=_clean(render.bk.input_value(values, "impediment")),
        )
        config = service.channel_config(runtime, team_id, modal_context.channel_id)
        # The modal shows every field, so an emptied field is meant to be empty, not kept.
        result = service.submit_update(
            runtime, client, config, user_id, fields, day=modal_context.day, replace=True
        )
        language = user_language(runtime, client, team_id, user_id)
        key, values = _acknowledgement(runtime, config, result, language)
        tell_user(client, config.channel_id, user_id, translate(language, key, **values))

    def welcome_settings(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team_id, user_id = workspace_id(body, context), body["user"]["id"]
        config = service.channel_config(runtime, team_id, body["channel"]["id"])
        language = user_language(runtime, client, team_id, user_id)
        _open_settings(client, config, language, body["trigger_id"])

    def welcome_off(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team_id, user_id = workspace_id(body, context), body["user"]["id"]
        config = service.channel_config(runtime, team_id, body["channel"]["id"])
        if not lifecycle.set_state(runtime, client, config, user_id, on=False):
            language = user_language(runtime, client, team_id, user_id)
            text = translate(language, "daily.lifecycle.already_off")
            tell_user(client, config.channel_id, user_id, text)

    def check_settings(ack: Ack, body: dict[str, Any]) -> bool:
        """Validation answers in the ack itself, so Slack shows the error on the field."""
        answers = render.settings_from_values(body["view"]["state"]["values"])
        language = answers.get("language") or runtime.settings.default_language
        return acknowledge_form(ack, language, lambda: validate_settings(answers))

    def save_settings(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        view = body["view"]
        try:
            form = validate_settings(render.settings_from_values(view["state"]["values"]))
        except SettingsError:
            return  # answered in check_settings
        team_id, user_id = workspace_id(body, context), body["user"]["id"]
        channel_id = json.loads(view["private_metadata"])["channel"]
        with transaction(runtime.sessions) as session:
            # Saving the settings (re)starts the channel's Daily.
            update_channel(session, team_id, channel_id, daily_state=DAILY_ON, **form.as_columns())
        user_lang = user_language(runtime, client, team_id, user_id)
        tell_user(client, channel_id, user_id, form.confirmation(user_lang))

    # Each request is stored and acked at once, its work done afterwards (handlers/inbox.py),
    # so a slow or rate-limited Web API call never delays another request's ack.
    app.command("/daily")(inbox.listener("daily_command", daily_command))
    app.action(render.OPEN_MODAL_ACTION)(inbox.listener("daily_open_modal", open_modal_button))
    app.view(render.UPDATE_MODAL)(inbox.listener("daily_update_submitted", update_submitted))
    app.action(render.WELCOME_SETTINGS_ACTION)(
        inbox.listener("daily_welcome_settings", welcome_settings)
    )
    app.action(render.WELCOME_OFF_ACTION)(inbox.listener("daily_welcome_off", welcome_off))
    app.view(render.SETTINGS_MODAL)(
        inbox.listener("daily_settings", save_settings, validate=check_settings)
    )
    # Thread replies arrive as `message` events, which handlers/messages.py receives (Bolt runs
    # only the first matching listener) and hands to `handle_thread_reply`.


def handle_thread_reply(
    runtime: Runtime, body: dict[str, Any], event: dict[str, Any], client: WebClient
) -> bool:
    """A reply in the thread of a Daily prompt is that member's update; True when it was one."""
    reply = _reply_in_thread(event)
    if reply is None:
        return False
    team_id = workspace_id(body)
    with transaction(runtime.sessions) as session:
        daily = store.daily_by_prompt_ts(session, team_id, event["channel"], reply["thread_ts"])
    if daily is None:
        return False
    text = decode_slack_text(reply.get("text", ""))
    fields = parse_update_text(text)
    if fields.is_empty:
        return False
    # An edit that took a field out (say the impediment is solved) empties it.
    before = (
        (event.get("previous_message") or {}) if event.get("subtype") == "message_changed" else {}
    )
    cleared = removed_by_edit(decode_slack_text(before.get("text") or ""), text)
    config = service.channel_config(runtime, team_id, event["channel"])
    service.submit_update(
        runtime,
        client,
        config,
        reply["user"],
        fields,
        day=daily.local_date,
        reply_ts=reply["ts"],
        cleared=cleared,
    )
    return True


def handle_deleted_reply(
    runtime: Runtime, body: dict[str, Any], event: dict[str, Any], client: WebClient
) -> bool:
    """A deleted reply in a Daily's thread takes back the update it was; True when the deleted
    message was in a Daily's thread (then nobody else needs the event)."""
    if event.get("subtype") != "message_deleted" or not event.get("deleted_ts"):
        return False
    team_id, channel_id = workspace_id(body), str(event["channel"])
    previous = event.get("previous_message") or {}
    taken_back = service.take_back_reply(
        runtime, client, team_id, channel_id, str(event["deleted_ts"])
    )
    thread_ts = previous.get("thread_ts")
    daily = taken_back
    if daily is None and thread_ts and previous.get("user") and not previous.get("bot_id"):
        # Perhaps a retry after the update was deleted but before the summary was refreshed.
        # (Not for the bot's own messages: deleting its copy of an update sends this event.)
        with transaction(runtime.sessions) as session:
            daily = store.daily_by_prompt_ts(session, team_id, channel_id, str(thread_ts))
    if daily is None:
        return False
    if daily.summary_ts:
        config = service.channel_config(runtime, team_id, channel_id)
        service.refresh_summary(runtime, client, config, daily)
    return True


def _reply_in_thread(event: dict[str, Any]) -> dict[str, Any] | None:
    """A member's own reply in some thread (new or edited), or None for anything else."""
    subtype = event.get("subtype")
    message = event.get("message") if subtype == "message_changed" else event
    if subtype not in (None, "thread_broadcast", "message_changed") or not message:
        return None
    if message.get("bot_id") or not message.get("user") or not message.get("thread_ts"):
        return None
    if message.get("thread_ts") == message.get("ts"):
        return None
    return message


def _acknowledgement(
    runtime: Runtime, config: service.ChannelConfig, result: service.SubmitResult, language: str
) -> tuple[str, dict[str, Any]]:
    """What the member is told: posted, edited, or posted early in the next Daily's thread."""
    if result.edited:
        return "daily.ack.edited", {}
    day = result.daily.local_date
    if day > service.local_day(runtime, config):
        return "daily.ack.posted_early", {"date": render.long_date(day, language)}
    return "daily.ack.posted", {}


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _open_update_modal(
    runtime: Runtime,
    client: WebClient,
    config: service.ChannelConfig,
    user_id: str,
    language: str,
    trigger_id: str,
) -> None:
    day = service.current_daily_day(runtime, config)
    current = service.current_fields(runtime, config, user_id)
    modal_context = render.UpdateModalContext(channel_id=config.channel_id, day=day)
    client.views_open(
        trigger_id=trigger_id, view=render.update_modal(language, modal_context, current)
    )


def _open_settings(
    client: WebClient, config: service.ChannelConfig, language: str, trigger_id: str
) -> None:
    schedule = config.schedule
    form = DailySettingsForm(
        weekdays=schedule.weekdays,
        prompt_at=schedule.prompt_at,
        reminder_at=schedule.reminder_at,
        summary_at=schedule.summary_at,
        timezone=schedule.timezone,
        language=config.language,
        holiday_region=config.holiday_region,
    )
    client.views_open(
        trigger_id=trigger_id, view=render.settings_modal(language, config.channel_id, form)
    )


def _confirm_holidays(
    caller: SlashCommand, region: str | None, upcoming: list[tuple[date, str]]
) -> None:
    if region is None:
        caller.tell_key("daily.holidays.off")
        return
    shown = [
        f"{render.long_date(day, caller.language)}: {escape_for_slack(name)}"
        for day, name in upcoming[:HOLIDAYS_SHOWN]
    ]
    caller.tell_key(
        "daily.holidays.set",
        region=region,
        upcoming="; ".join(shown) or translate(caller.language, "daily.holidays.none_soon"),
    )


def _store_absence(
    runtime: Runtime,
    team_id: str,
    user_id: str,
    kind: str,
    start: date,
    end: date,
    channel_id: str | None,
    reason: str | None,
) -> None:
    with transaction(runtime.sessions) as session:
        store.add_absence(
            session,
            team_id,
            user_id,
            kind=kind,
            start=start,
            end=end,
            channel_id=channel_id,
            reason=reason,
        )
