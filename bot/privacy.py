"""GDPR: a workspace's data as JSON, erasing one person everywhere, or a whole workspace.

Besides the rows that are the person's own, `forget` erases their words where a teammate put
them: a Weekly item made of their message with the shortcut; and the notes and name of their OKR
check-ins, whose values stay the team's. Messages already posted in Slack
stay as they are; Slack's own retention governs those.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.i18n import translate
from bot.runtime import Runtime
from storage.channels import find_channel
from storage.db import transaction
from storage.models import (
    SLACK_BOTS_TABLE,
    SLACK_INSTALLATIONS_TABLE,
    Absence,
    Base,
    BoardCard,
    DailyReminder,
    DailyUpdate,
    HomeView,
    InboxRequest,
    KnownContact,
    Member,
    OkrCheckIn,
    ProspectAnnouncement,
    RadarFlag,
    WeeklyDecision,
    WeeklyItem,
    WeeklyReaction,
)
from storage.okr import forget_author
from storage.radar import bump_version
from storage.workspaces import TOKEN_REVOKED, UNINSTALLED, erase_team, stop

# Rows that belong to one person: erased by `forget`. (`slack_posts` holds no text and no
# person, only where the bot posted: nothing to erase there.)
PERSONAL_TABLES = [DailyUpdate, DailyReminder, Absence, Member]
PERSONAL_TABLES += [InboxRequest]  # stored requests hold what the person typed
PERSONAL_TABLES += [WeeklyItem, WeeklyReaction, WeeklyDecision]  # the Weekly
PERSONAL_TABLES += [ProspectAnnouncement, KnownContact, RadarFlag]  # the prospect radar
PERSONAL_TABLES += [BoardCard, HomeView]  # a person's cards are their words
# slack_sdk's OAuth tables hold tokens: never exported.
NOT_EXPORTED = {"slack_installations", "slack_bots", "slack_oauth_states"}
ERASED_TEXT_KEY = "weekly.item.erased"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def export_team(runtime: Runtime, team_id: str) -> str:
    tables: dict[str, list[dict[str, Any]]] = {}
    with transaction(runtime.sessions) as session:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_EXPORTED or "team_id" not in table.c:
                continue
            # In key order, so two exports of the same data are the same text.
            query = select(table).where(table.c.team_id == team_id)
            rows = session.execute(query.order_by(*table.primary_key.columns)).mappings()
            tables[table.name] = [{k: _jsonable(v) for k, v in row.items()} for row in rows]
    return json.dumps({"team_id": team_id, "tables": tables}, ensure_ascii=False, indent=2)


def forget_user(runtime: Runtime, user_id: str, team_id: str | None = None) -> dict[str, int]:
    """Deletes every row about the person and erases their words from teammates' items; in one
    transaction, so it is all or nothing. Returns how many rows changed, per table."""
    counts: dict[str, int] = {}
    with transaction(runtime.sessions) as session:
        for model in PERSONAL_TABLES:
            table = Base.metadata.tables[model.__tablename__]
            statement = delete(table).where(table.c.user_id == user_id)
            if team_id:
                statement = statement.where(table.c.team_id == team_id)
            result = session.execute(statement)
            counts[table.name] = int(getattr(result, "rowcount", 0) or 0)
        erased = _erase_words_in_teammates_items(session, runtime, user_id, team_id)
        counts[WeeklyItem.__tablename__] += erased
        # A check-in's value is the team's: it stays, without the person's name and note.
        counts[OkrCheckIn.__tablename__] = forget_author(session, user_id, team_id)
        # Every process's cached radar index is rebuilt without the person on its next use.
        bump_version(session, team_id)
    return {table: count for table, count in counts.items() if count}


def _erase_words_in_teammates_items(
    session: Session, runtime: Runtime, user_id: str, team_id: str | None
) -> int:
    """Items teammates made of the person's messages: erased without erasing the teammate's.

    An item no posted agenda has taken yet is deleted: nobody has claimed, resolved or
    discussed it. One a posted agenda showed stays — its claims and resolution, and its
    carrying over, are the teammate's — with its text replaced by a neutral note in the
    channel's language and its link to the message dropped. Returns how many items changed.
    """
    query = select(WeeklyItem).where(WeeklyItem.source_user_id == user_id)
    if team_id:
        query = query.where(WeeklyItem.team_id == team_id)
    items = session.scalars(query).all()
    for item in items:
        if item.weekly_id is None:
            session.delete(item)
            continue
        channel = find_channel(session, item.team_id, item.channel_id)
        language = (channel.language if channel else None) or runtime.settings.default_language
        item.text = translate(language, ERASED_TEXT_KEY)
        item.link = None
        item.source_user_id = None
    session.flush()
    return len(items)


def forget_team(runtime: Runtime, team_id: str) -> dict[str, int]:
    """`forget --team`: every row of the workspace, its tokens included, in one transaction.
    Returns how many rows went, per table."""
    with transaction(runtime.sessions) as session:
        counts = erase_team(session, team_id)
        bump_version(session, team_id)  # cached radar indexes of the team are stale now
    return counts


def app_uninstalled(runtime: Runtime, team_id: str) -> dict[str, int]:
    """Slack reports the app uninstalled: erase as `forget --team` does, and stop working
    there (a request or clock run still in flight finds the workspace gone)."""
    with transaction(runtime.sessions) as session:
        counts = erase_team(session, team_id)
        bump_version(session, team_id)
        stop(session, team_id, UNINSTALLED, runtime.token_digest)
    return counts


def bot_token_revoked(runtime: Runtime, team_id: str) -> None:
    """Slack revoked the bot's token: stop working there; the data stays (until the app is
    uninstalled or the workspace forgotten), the useless token goes."""
    with transaction(runtime.sessions) as session:
        stop(session, team_id, TOKEN_REVOKED, runtime.token_digest)
        for table in (SLACK_BOTS_TABLE, SLACK_INSTALLATIONS_TABLE):
            session.execute(delete(table).where(table.c.team_id == team_id))
