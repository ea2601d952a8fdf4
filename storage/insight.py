"""Aggregate queries behind the team insight: a few small reads per channel, each on an index.

Every query is scoped by team and channel and reads only a bounded slice of the history (the
last Dailies, the Weeklies of a window, one agenda), so the cost does not grow with years of
history. None of them returns a figure per person: who posted is read only to count heads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, or_, select, union_all
from sqlalchemy.orm import Session

from storage.models import (
    Channel,
    Daily,
    DailyUpdate,
    Weekly,
    WeeklyAgendaItem,
    WeeklyItem,
    WeeklyReaction,
)

IMPEDIMENT = "impediment"


def team_channels(session: Session, team_id: str, limit: int) -> list[tuple[str, str | None]]:
    """The workspace's team channels (Daily on or Weekly used) with their time zones, oldest
    first."""
    rows = session.execute(
        select(Channel.channel_id, Channel.timezone)
        .where(
            Channel.team_id == team_id,
            Channel.active.is_(True),
            or_(Channel.daily_state == "on", Channel.weekly_active.is_(True)),
        )
        .order_by(Channel.created_at, Channel.id)
        .limit(limit)
    )
    return [(channel_id, timezone) for channel_id, timezone in rows]


def held_dailies(
    session: Session, team_id: str, channel_id: str, until: date, limit: int
) -> list[tuple[date, frozenset[str]]]:
    """The last `limit` Dailies whose prompt went out, up to `until`: (date, who posted),
    newest first. (uq_dailies_channel_date, then uq_daily_updates_user per Daily.)"""
    dailies = session.execute(
        select(Daily.id, Daily.local_date)
        .where(
            Daily.team_id == team_id,
            Daily.channel_id == channel_id,
            Daily.local_date <= until,
            Daily.prompt_ts.is_not(None),
        )
        .order_by(Daily.local_date.desc())
        .limit(limit)
    ).all()
    posters: dict[int, set[str]] = {daily_id: set() for daily_id, _ in dailies}
    if posters:
        rows = session.execute(
            select(DailyUpdate.daily_id, DailyUpdate.user_id).where(
                DailyUpdate.daily_id.in_(list(posters))
            )
        )
        for daily_id, user_id in rows:
            posters[daily_id].add(user_id)
    return [(day, frozenset(posters[daily_id])) for daily_id, day in dailies]


def daily_impediments(
    session: Session, team_id: str, channel_id: str, since: date, until: date
) -> list[int]:
    """The Daily updates of the window that named an impediment (their ids)."""
    return list(
        session.scalars(
            select(DailyUpdate.id)
            .join(Daily, Daily.id == DailyUpdate.daily_id)
            .where(
                Daily.team_id == team_id,
                Daily.channel_id == channel_id,
                Daily.local_date >= since,
                Daily.local_date <= until,
                DailyUpdate.impediment.is_not(None),
                DailyUpdate.impediment != "",
            )
        )
    )


def _weeklies_since(team_id: str, channel_id: str, since: date) -> Select[int]:
    return select(Weekly.id).where(
        Weekly.team_id == team_id, Weekly.channel_id == channel_id, Weekly.local_date >= since
    )


def impediment_items(
    session: Session, team_id: str, channel_id: str, since: date
) -> list[tuple[int, int | None]]:
    """Impediment items first on an agenda of the window, or still drafts: (item id, the Daily
    update it came from). Two branches, so each seeks ix_weekly_items_channel (team, channel,
    weekly_id) instead of reading every item the channel ever had."""

    def impediments(first_on: ColumnElement[bool]) -> Select[int, int | None]:
        return select(WeeklyItem.id, WeeklyItem.daily_update_id).where(
            WeeklyItem.team_id == team_id,
            WeeklyItem.channel_id == channel_id,
            first_on,
            WeeklyItem.category == IMPEDIMENT,
        )

    drafts = impediments(WeeklyItem.weekly_id.is_(None))
    on_agendas = impediments(WeeklyItem.weekly_id.in_(_weeklies_since(team_id, channel_id, since)))
    rows = session.execute(union_all(drafts, on_agendas))
    return [(int(row[0]), row[1]) for row in rows]


def resolved_since(session: Session, team_id: str, channel_id: str, since: date) -> set[int]:
    """Items someone marked ✅ on an agenda of a Weekly since `since` (uq_weekly_agenda_items
    by weekly, then uq_weekly_reactions_mark by entry)."""
    return set(
        session.scalars(
            select(WeeklyAgendaItem.item_id)
            .join(WeeklyReaction, WeeklyReaction.entry_id == WeeklyAgendaItem.id)
            .where(
                WeeklyAgendaItem.weekly_id.in_(_weeklies_since(team_id, channel_id, since)),
                WeeklyReaction.kind == "resolve",
                WeeklyReaction.active.is_(True),
            )
        )
    )


def carried_over(session: Session, weekly_id: int) -> Sequence[date]:
    """For each item this agenda carried over: the date of the first agenda that showed it."""
    first = Weekly.__table__.alias("first_weekly")
    return list(
        session.scalars(
            select(first.c.local_date)
            .select_from(WeeklyAgendaItem)
            .join(WeeklyItem, WeeklyItem.id == WeeklyAgendaItem.item_id)
            .join(first, first.c.id == WeeklyItem.weekly_id)
            .where(
                WeeklyAgendaItem.weekly_id == weekly_id,
                WeeklyAgendaItem.carried_over.is_(True),
            )
        )
    )
