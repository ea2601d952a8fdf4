"""Slack listener of the prospect radar: `/prospect` and its subcommands."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.i18n import translate, translate_count
from bot.members import display_names
from bot.radar import render, service
from bot.radar.parse import (
    Announce,
    Help,
    Invalid,
    Knows,
    ListEntries,
    Remove,
    Scan,
    is_matchable,
    parse_prospect_command,
)
from bot.runtime import Runtime
from handlers.common import slash_command
from handlers.inbox import Inbox


def register(app: App, runtime: Runtime, inbox: Inbox) -> None:
    def prospect_command(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        caller = slash_command(runtime, body, client, context, respond)
        team_id, channel_id, user_id, language = caller.identity
        in_direct_message = caller.in_direct_message
        tell = caller.tell

        def refuse(key: str, detail: str = "") -> None:
            usage = translate(language, "radar.usage")
            tell(f"{translate(language, key, detail=render.user_text(detail))}\n{usage}")

        command = parse_prospect_command(caller.text)
        if in_direct_message and isinstance(command, Announce | Scan):
            # An announcement belongs where the team sees it; a DM has no channel to scan.
            tell(translate(language, "radar.error.not_in_channel"))
            return
        match command:
            case Help():
                tell(translate(language, "radar.help"))
            case Invalid(error=error, detail=detail):
                refuse(error, detail)
            case Announce(company=company) | Knows(company=company) | Remove(company=company) if (
                not is_matchable(company)
            ):
                refuse("radar.error.not_a_company", company)
            case Announce(company=company, note=note):
                service.announce(runtime, client, team_id, channel_id, user_id, company, note)
            case Knows(company=company, contact=contact):
                result = service.knows(runtime, client, team_id, user_id, company, contact)
                tell(_knows_confirmation(runtime, client, team_id, language, command, result))
            case Remove(company=company):
                removed = service.remove(runtime, client, team_id, user_id, company)
                tell(_removal_confirmation(language, company, removed))
            case ListEntries():
                text, blocks = service.list_message(
                    runtime, client, team_id, channel_id, user_id, language
                )
                tell(text, blocks)
            case Scan(enabled=None):
                scanning = service.scans_messages(runtime, team_id, channel_id)
                tell(translate(language, _scan_status_key(scanning)))
            case Scan(enabled=enabled):
                changed = service.set_scan_messages(
                    runtime, client, team_id, channel_id, user_id, bool(enabled)
                )
                if not changed:  # a change is announced in the channel; no need to repeat it
                    tell(translate(language, _scan_status_key(bool(enabled))))

    app.command("/prospect")(inbox.listener("radar_command", prospect_command))


def _scan_status_key(scanning: bool) -> str:
    return "radar.scan.status_on" if scanning else "radar.scan.status_off"


def _knows_confirmation(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    language: str,
    command: Knows,
    result: service.KnowsResult,
) -> str:
    company = render.user_text(command.company)
    if command.contact:
        contact = render.user_text(command.contact)
        text = translate(language, "radar.ack.knows", contact=contact, company=company)
    else:
        text = translate(language, "radar.ack.knows_someone", company=company)
    if result.announcers:
        names = display_names(runtime, client, team_id, result.announcers, language)
        listed = ", ".join(render.user_text(names[user]) for user in dict.fromkeys(names))
        text += "\n" + translate_count(language, "radar.ack.flagged", len(names), names=listed)
    return text


def _removal_confirmation(language: str, company: str, removed: service.RemoveResult) -> str:
    parts = [
        translate(language, "radar.ack.removed_announcement", company=render.user_text(name))
        for name in removed.announcements
    ] + [
        translate(language, "radar.ack.removed_contact", company=render.user_text(name))
        for name in removed.contacts
    ]
    if not parts:
        return translate(language, "radar.ack.nothing_removed", company=render.user_text(company))
    return translate(language, "radar.ack.removed", what="; ".join(parts))
