"""Slack listeners of the team OKRs: `/okr`, the Weekly's check-in button and its modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import input_value
from bot.daily.settings_form import SettingsError
from bot.i18n import translate
from bot.members import user_language
from bot.okr import render, service
from bot.okr.parse import (
    AddKeyResult,
    AddObjective,
    Archive,
    Check,
    Close,
    Help,
    Invalid,
    Remove,
    Show,
    parse_number,
    parse_okr_command,
)
from bot.runtime import Runtime
from bot.text import quote_user_text
from bot.weekly import agenda
from bot.weekly.service import weekly_config
from handlers.common import (
    acknowledge_form,
    slash_command,
    tell_user,
    view_metadata,
    workspace_id,
)
from handlers.inbox import Inbox

# How much of an unknown subcommand the usage message quotes.
DETAIL_LIMIT = 40


def register(app: App, runtime: Runtime, inbox: Inbox) -> None:
    def okr_command(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        caller = slash_command(runtime, body, client, context, respond)
        team_id, channel_id, user_id, language = caller.identity
        tell = caller.tell_key
        command = parse_okr_command(caller.text)
        if isinstance(command, Help):
            tell("okr.help")
            return
        if isinstance(command, Invalid):
            tell(command.error, detail=quote_user_text(command.detail, DETAIL_LIMIT))
            return
        if caller.in_direct_message:  # OKRs are a channel's; nothing is stored for a DM
            tell("okr.error.not_in_channel")
            return
        where = service.okr_channel(runtime, team_id, channel_id)
        outcome: service.Outcome | None = None
        match command:
            case Show():
                caller.tell(*render.list_message(language, service.open_set(runtime, where)))
            case Archive(quarter=quarter):
                name, objectives, quarters = service.archive(runtime, where, quarter)
                caller.tell(*render.archive_message(language, name, objectives, quarters))
            case AddObjective(text=text):
                objective = service.add_objective(runtime, client, where, text)
                tell("okr.ack.objective_added", label=objective.label, text=quote_user_text(text))
            case AddKeyResult(objective=objective, text=text, target=target, unit=unit):
                outcome = service.add_key_result(runtime, where, objective, text, target, unit)
                if outcome.key_result is not None:
                    kr = outcome.key_result
                    target_shown = render.amount(kr, kr.target, language)
                    text_shown = quote_user_text(text)
                    tell(
                        "okr.ack.key_result_added",
                        label=kr.label,
                        text=text_shown,
                        target=target_shown,
                    )
            case Check(objective=objective, key_result=number, value=value, note=note):
                outcome = service.check_in(
                    runtime, client, where, user_id, value, note, label=(objective, number)
                )
                _confirm_check_in(caller.tell_key, outcome, language)
            case Remove(objective=objective, key_result=number):
                outcome = service.remove(runtime, where, objective, number)
                removed = outcome.key_result or outcome.objective
                if outcome.error is None and removed is not None:
                    key = "okr.ack.removed_key_result" if number else "okr.ack.removed_objective"
                    tell(key, label=removed.label, text=quote_user_text(removed.text))
            case Close(quarter=quarter):
                name = service.close(runtime, client, where, quarter)
                tell("okr.ack.closed" if name else "okr.error.nothing_open", quarter=name)
        if outcome is not None and outcome.error:
            tell(outcome.error, **(outcome.detail or {}))
        elif not isinstance(command, Show | Archive):
            refresh_weekly(client, where, None)

    def open_check_in(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team_id, user_id = workspace_id(body, context), body["user"]["id"]
        channel_id = str(body["channel"]["id"])
        language = user_language(runtime, client, team_id, user_id)
        action = (body.get("actions") or [{}])[0]
        weekly_id = int(action["value"]) if str(action.get("value", "")).isdigit() else None
        view = service.check_in_modal(runtime, team_id, channel_id, weekly_id, language)
        if view is None:
            text = translate(language, "okr.list.empty")
            tell_user(client, channel_id, user_id, text)
            return
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def check_value(ack: Ack, body: dict[str, Any]) -> bool:
        """A value that is no number is answered on the field, in the ack; nothing stored."""
        view = body["view"]
        language = view_metadata(view).get("language") or runtime.settings.default_language

        def validate() -> None:
            if parse_number(str(input_value(view["state"]["values"], "value") or "")) is None:
                raise SettingsError("value", "okr.modal.error.value")

        return acknowledge_form(ack, language, validate)

    def check_in_submitted(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        view = body["view"]
        metadata = view_metadata(view)
        values = view["state"]["values"]
        number = parse_number(str(input_value(values, "value") or ""))
        key_result = str(input_value(values, "key_result") or "")
        if number is None or not key_result.isdigit():
            return  # answered in check_value (Slack requires the select)
        team_id, user_id = workspace_id(body, context), body["user"]["id"]
        where = service.okr_channel(runtime, team_id, str(metadata["channel"]))
        note = str(input_value(values, "note") or "").strip() or None
        outcome = service.check_in(
            runtime, client, where, user_id, number.value, note, key_result_id=int(key_result)
        )
        language = user_language(runtime, client, team_id, user_id)

        def tell(key: str, **values: Any) -> None:
            tell_user(client, where.channel_id, user_id, translate(language, key, **values))

        if outcome.error:
            tell(outcome.error, **(outcome.detail or {}))
            return
        _confirm_check_in(tell, outcome, language)
        weekly = metadata.get("weekly")
        refresh_weekly(client, where, weekly if isinstance(weekly, int) else None)

    def refresh_weekly(client: WebClient, where: service.OkrChannel, weekly_id: int | None) -> None:
        """The Weekly's agenda parent shows the OKRs as they are now."""
        weekly_id = service.weekly_to_refresh(runtime, where, weekly_id)
        if weekly_id is not None:
            config = weekly_config(runtime, where.team_id, where.channel_id)
            agenda.refresh_parent(runtime, client, config, weekly_id)

    app.command("/okr")(inbox.listener("okr_command", okr_command))
    app.action(render.OPEN_CHECK_IN_ACTION)(inbox.listener("okr_open_check_in", open_check_in))
    app.view(render.CHECK_IN_MODAL)(
        inbox.listener("okr_check_in", check_in_submitted, validate=check_value)
    )


def _confirm_check_in(tell: Any, outcome: service.Outcome, language: str) -> None:
    if outcome.error is None and outcome.key_result is not None:
        tell("okr.ack.checked_in", line=render.key_result_line(outcome.key_result, language))
