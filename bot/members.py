"""Who is in a channel and what they are called, with users.info answers cached in the DB.

Reminders and summaries cover a channel's human members: `conversations.members` without
bots, deleted users, Slackbot and Redthread itself.

Someone Slack does not know (any more) — a stale mention, a user from another workspace — is
cached like a deleted user: both are "a former member" to the team, in the reader's language,
so no renderer needs a special case and no message fails because of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.i18n import language_for_locale, translate
from bot.presence import status_means_away
from bot.runtime import Runtime
from storage.db import transaction
from storage.members import cached_members, store_member

CACHE_FOR = timedelta(hours=12)
SLACKBOT = "USLACKBOT"
# users.info answers that mean "no such person for us"; anything else (rate limits, outages)
# may pass and must not be cached as a fact.
UNKNOWN_USER_ERRORS = frozenset({"user_not_found", "user_not_visible"})
FORMER_MEMBER_KEY = "common.former_member"


def _users_info(client: WebClient, user_id: str, **options: Any) -> dict[str, Any] | None:
    """The user as users.info describes them, or None when Slack does not know them."""
    try:
        return dict(client.users_info(user=user_id, **options)["user"] or {})
    except SlackApiError as error:
        if error.response.get("error") in UNKNOWN_USER_ERRORS:
            return None
        raise


def _display_name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    return str(
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user.get("id")
    )


def _facts(user_id: str, user: dict[str, Any] | None) -> dict[str, Any]:
    if user is None:  # unknown to Slack: cached as deleted, which is what it means to the team
        return {"name": "", "locale": None, "is_bot": False, "deleted": True}
    return {
        "name": _display_name(user),
        "locale": user.get("locale"),
        "is_bot": bool(user.get("is_bot")) or user_id == SLACKBOT,
        "deleted": bool(user.get("deleted")),
    }


def _profiles(
    runtime: Runtime, client: WebClient, team_id: str, user_ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Cached facts per user; users.info is asked only for what is missing or stale."""
    ids = list(dict.fromkeys(user_ids))
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        cached = {
            user_id: {
                "name": row.display_name,
                "locale": row.locale,
                "is_bot": row.is_bot,
                "deleted": row.deleted,
            }
            for user_id, row in cached_members(session, team_id, ids, now - CACHE_FOR).items()
        }
    fetched: dict[str, dict[str, Any]] = {}
    for user_id in ids:
        if user_id in cached:
            continue
        user = _users_info(client, user_id, include_locale=True)
        fetched[user_id] = _facts(user_id, user)
    if fetched:
        with transaction(runtime.sessions) as session:
            for user_id, facts in fetched.items():
                store_member(
                    session,
                    team_id,
                    user_id,
                    display_name=facts["name"],
                    locale=facts["locale"],
                    is_bot=facts["is_bot"],
                    deleted=facts["deleted"],
                    refreshed_at=now,
                )
    return cached | fetched


def human_members(runtime: Runtime, client: WebClient, team_id: str, channel_id: str) -> list[str]:
    member_ids: list[str] = []
    for page in client.conversations_members(channel=channel_id, limit=200):
        member_ids.extend(page.get("members") or [])
    bot_user_id = runtime.bot_user_id(client, team_id)
    profiles = _profiles(runtime, client, team_id, [m for m in member_ids if m != bot_user_id])
    return sorted(
        user_id
        for user_id, facts in profiles.items()
        if not facts["is_bot"] and not facts["deleted"]
    )


def display_names(
    runtime: Runtime, client: WebClient, team_id: str, user_ids: Iterable[str], language: str
) -> dict[str, str]:
    """Names to show for people, in `language` (the channel's, or the reader's in an ephemeral).

    Deleted people and people Slack does not know get the same neutral name.
    """
    former_member = translate(language, FORMER_MEMBER_KEY)
    return {
        user_id: former_member if facts["deleted"] else str(facts["name"])
        for user_id, facts in _profiles(runtime, client, team_id, user_ids).items()
    }


def user_language(runtime: Runtime, client: WebClient, team_id: str, user_id: str) -> str:
    """Modals and ephemeral messages follow the user's Slack locale."""
    locale = _profiles(runtime, client, team_id, [user_id])[user_id]["locale"]
    return language_for_locale(locale, runtime.settings.default_language)


@dataclass(frozen=True)
class Presence:
    """What a reminder needs to know about a person right now."""

    away: str | None  # the status text when their status says they are away
    timezone: str | None  # their Slack time zone (IANA), for the reminder's quiet hours


def presence_of(
    runtime: Runtime, client: WebClient, user_ids: Iterable[str]
) -> dict[str, Presence]:
    """Fresh users.info answers (not cached: statuses change within the day). Someone Slack no
    longer knows is left out."""
    now = runtime.now().timestamp()
    found: dict[str, Presence] = {}
    for user_id in user_ids:
        user = _users_info(client, user_id)
        if user is None:
            continue
        profile = user.get("profile") or {}
        emoji = str(profile.get("status_emoji") or "")
        text = str(profile.get("status_text") or "")
        expires_at = int(profile.get("status_expiration") or 0)
        away = text if status_means_away(emoji, text, expires_at, now) else None
        found[user_id] = Presence(away, str(user.get("tz") or "") or None)
    return found


def away_by_status(runtime: Runtime, client: WebClient, user_ids: Iterable[str]) -> dict[str, str]:
    """Who has an away status right now: user id → the status text, shown as the reason."""
    return {
        user_id: presence.away
        for user_id, presence in presence_of(runtime, client, user_ids).items()
        if presence.away is not None
    }
