"""Telling a person that their request failed: what failed, and whether anything is kept."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.failures import Failure
from bot.i18n import language_for_locale, translate
from bot.members import user_language
from bot.runtime import Runtime
from handlers.common import channel_of, tell_user, user_of, workspace_id

log = logging.getLogger(__name__)


def tell_about_failure(
    runtime: Runtime,
    client: WebClient | None,
    body: dict[str, Any],
    respond: Any,
    failure: Failure,
    *,
    stored: bool,
) -> None:
    """An ephemeral message in the person's language; never raises (it is the last resort)."""
    user_id = user_of(body)
    if client is None or not user_id:
        return
    if body.get("type") == "event_callback" and failure.kind != "slack_refused":
        # Nobody typed anything for most events (reactions, joins, channel messages); a
        # message would come out of the blue. Their failure is in the log.
        return
    team_id = workspace_id(body)
    language = _language(runtime, client, team_id, user_id)
    key = failure.message_key(kept=stored)
    try:
        tell_user(
            client,
            channel_of(body),
            user_id,
            translate(language, key, code=failure.code),
            respond=respond,
        )
    except Exception as error:
        log.warning("could not tell %s about a failure: %s", user_id, type(error).__name__)


def _language(runtime: Runtime, client: WebClient, team_id: str, user_id: str) -> str:
    """From the cached profile; straight from Slack when the database is what failed."""
    try:
        return user_language(runtime, client, team_id, user_id)
    except Exception:
        try:
            locale = client.users_info(user=user_id, include_locale=True)["user"].get("locale")
            return language_for_locale(locale, runtime.settings.default_language)
        except Exception:
            return runtime.settings.default_language
