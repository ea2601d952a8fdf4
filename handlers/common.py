"""What every listener needs: the workspace, channel and user of a request, telling a user."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.daily.settings_form import SettingsError
from bot.i18n import translate
from bot.members import user_language
from bot.runtime import Runtime
from bot.text import decode_slack_text

log = logging.getLogger(__name__)


def workspace_id(body: dict[str, Any], context: BoltContext | None = None) -> str:
    """The workspace a request acts for; in shared channels the installing one (authorizations)."""
    authorizations = body.get("authorizations") or []
    if authorizations and authorizations[0].get("team_id"):
        return str(authorizations[0]["team_id"])
    if context is not None and context.team_id:
        return str(context.team_id)
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    return str(body.get("team_id") or body.get("user", {}).get("team_id") or "")


def acknowledge_form(ack: Ack, language: str, validate: Callable[[], object]) -> bool:
    """A settings modal's validation: an error is answered in the ack itself, so Slack shows
    it on the field, and then nothing is stored and no work follows. True when the form is
    valid (the inbox acks it once the request is stored)."""
    try:
        validate()
    except SettingsError as problem:
        ack(
            response_action="errors",
            errors={problem.block_id: translate(language, problem.message_key)},
        )
        return False
    return True


def tell_user(
    client: WebClient,
    channel_id: str | None,
    user_id: str,
    text: str,
    respond: Callable[..., Any] | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """An ephemeral message; via the response URL when the bot cannot post in the channel."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as error:
            if respond is None:
                raise
            log.info("postEphemeral failed (%s); using response_url", error.response.get("error"))
    if respond is not None:
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    else:
        log.warning("no way to tell %s (no channel, no response URL)", user_id)


@dataclass(frozen=True)
class SlashCommand:
    """Who ran a slash command where, what they typed (decoded), and how to answer only them."""

    team_id: str
    channel_id: str
    user_id: str
    language: str
    text: str
    client: WebClient
    respond: Respond

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """Workspace, channel, user and the user's language."""
        return self.team_id, self.channel_id, self.user_id, self.language

    @property
    def in_direct_message(self) -> bool:
        return self.channel_id.startswith("D")

    def tell(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        # In a DM the bot may not be a member: answer through the command's response URL.
        where = None if self.in_direct_message else self.channel_id
        tell_user(self.client, where, self.user_id, text, self.respond, blocks=blocks)

    def tell_key(self, key: str, blocks: list[dict[str, Any]] | None = None, **values: Any) -> None:
        self.tell(translate(self.language, key, **values), blocks)


def slash_command(
    runtime: Runtime,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> SlashCommand:
    team_id, user_id = workspace_id(body, context), body["user_id"]
    return SlashCommand(
        team_id=team_id,
        channel_id=body["channel_id"],
        user_id=user_id,
        language=user_language(runtime, client, team_id, user_id),
        text=decode_slack_text(body.get("text", "")),
        client=client,
        respond=respond,
    )


def channel_of(body: dict[str, Any]) -> str | None:
    event = body.get("event") or {}
    channel = body.get("channel_id") or event.get("channel") or event.get("item", {}).get("channel")
    if not channel and isinstance(body.get("channel"), dict):
        channel = body["channel"].get("id")
    return str(channel) if channel else None


def user_of(body: dict[str, Any]) -> str | None:
    user = body.get("user_id") or (body.get("event") or {}).get("user")
    if not user and isinstance(body.get("user"), dict):
        user = body["user"].get("id")
    return str(user) if user else None


def view_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's private_metadata as the JSON object the bot put there ({} if it is not)."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
