"""GDPR: a workspace's data as JSON, and erasing one person everywhere."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select

from bot.runtime import Runtime
from storage.db import transaction
from storage.models import (
    Absence,
    Base,
    DailyReminder,
    DailyUpdate,
    KnownContact,
    Member,
    ProspectAnnouncement,
    RadarFlag,
    WeeklyDecision,
    WeeklyItem,
    WeeklyReaction,
)
from storage.radar import bump_version

# Rows that belong to one person: erased by `forget`.
PERSONAL_TABLES = [DailyUpdate, DailyReminder, Absence, Member]
PERSONAL_TABLES += [WeeklyItem, WeeklyReaction, WeeklyDecision]  # the Weekly
PERSONAL_TABLES += [ProspectAnnouncement, KnownContact, RadarFlag]  # the prospect radar
# slack_sdk's OAuth tables hold tokens: never exported.
NOT_EXPORTED = {"slack_installations", "slack_bots", "slack_oauth_states", "processed_events"}


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
            rows = session.execute(select(table).where(table.c.team_id == team_id)).mappings()
            tables[table.name] = [{k: _jsonable(v) for k, v in row.items()} for row in rows]
    return json.dumps({"team_id": team_id, "tables": tables}, ensure_ascii=False, indent=2)


def forget_user(runtime: Runtime, user_id: str, team_id: str | None = None) -> dict[str, int]:
    """Deletes every row about the person; in one transaction, so it is all or nothing."""
    counts: dict[str, int] = {}
    with transaction(runtime.sessions) as session:
        for model in PERSONAL_TABLES:
            table = Base.metadata.tables[model.__tablename__]
            statement = delete(table).where(table.c.user_id == user_id)
            if team_id:
                statement = statement.where(table.c.team_id == team_id)
            result = session.execute(statement)
            counts[table.name] = int(getattr(result, "rowcount", 0) or 0)
        # Every process's cached radar index is rebuilt without the person on its next use.
        bump_version(session, team_id)
    return {table: count for table, count in counts.items() if count}
