"""Queries of the board (cards) and of the App Home (its hash, and what a person's Home shows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.board.rules import WEEK_BOUND, Card
from storage.db import insert_if_absent
from storage.models import (
    BoardCard,
    Channel,
    Daily,
    DailyUpdate,
    HomeView,
    KnownContact,
    ProspectAnnouncement,
    Weekly,
    WeeklyAgendaItem,
    WeeklyItem,
    WeeklyReaction,
)

# --- cards ---------------------------------------------------------------------------------


def as_card(row: BoardCard) -> Card:
    return Card(
        id=row.id,
        user_id=row.user_id,
        number=row.number,
        column=row.status,
        text=row.text,
        channel_id=row.channel_id,
        created_at=row.created_at,
        moved_at=row.moved_at,
        done_at=row.done_at,
    )


def _maybe_on_board(now: datetime) -> ColumnElement[bool]:
    """Every card the week's rule could keep: done cards older than any week are left out."""
    return or_(BoardCard.status != "done", BoardCard.done_at >= now - WEEK_BOUND)


def candidate_cards(
    session: Session, team_id: str, user_ids: Sequence[str], now: datetime, lock: bool = False
) -> list[Card]:
    """The people's cards the week's rule may still show (the rule decides exactly)."""
    query = select(BoardCard).where(
        BoardCard.team_id == team_id, BoardCard.user_id.in_(user_ids), _maybe_on_board(now)
    )
    if lock:
        query = query.with_for_update()
    return [as_card(row) for row in session.scalars(query.order_by(BoardCard.id))]


def cards_since(
    session: Session, team_id: str, user_ids: Sequence[str], done_since: datetime
) -> list[Card]:
    """For sprint planning: every open card plus those done since `done_since`, archived or
    not."""
    query = select(BoardCard).where(
        BoardCard.team_id == team_id,
        BoardCard.user_id.in_(user_ids),
        or_(BoardCard.status != "done", BoardCard.done_at >= done_since),
    )
    return [as_card(row) for row in session.scalars(query.order_by(BoardCard.id))]


def channel_zones(session: Session, team_id: str) -> dict[str, str | None]:
    """Each channel's own time zone (None: the default)."""
    rows = session.execute(
        select(Channel.channel_id, Channel.timezone).where(Channel.team_id == team_id)
    )
    return {str(row[0]): row[1] for row in rows}


def add_card(
    session: Session,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    number: int,
    column: str,
    text: str,
    now: datetime,
) -> Card:
    row = BoardCard(
        team_id=team_id,
        user_id=user_id,
        channel_id=channel_id,
        number=number,
        status=column,
        text=text,
        created_at=now,
        moved_at=now,
        done_at=now if column == "done" else None,
    )
    session.add(row)
    session.flush()
    return as_card(row)


def move_card(
    session: Session, team_id: str, card_id: int, column: str, channel_id: str | None, now: datetime
) -> None:
    values: dict[str, object] = {"status": column, "moved_at": now}
    values["done_at"] = now if column == "done" else None
    if channel_id:
        values["channel_id"] = channel_id
    session.execute(
        update(BoardCard)
        .where(BoardCard.team_id == team_id, BoardCard.id == card_id)
        .values(**values)
    )


def delete_card(session: Session, team_id: str, card_id: int) -> None:
    session.execute(delete(BoardCard).where(BoardCard.team_id == team_id, BoardCard.id == card_id))


def people_with_cards(session: Session, team_id: str) -> list[str]:
    rows = session.scalars(select(BoardCard.user_id).where(BoardCard.team_id == team_id).distinct())
    return sorted(rows)


# --- the App Home --------------------------------------------------------------------------


def home_of(session: Session, team_id: str, user_id: str) -> HomeView | None:
    return session.scalars(
        select(HomeView).where(HomeView.team_id == team_id, HomeView.user_id == user_id)
    ).one_or_none()


def record_published(
    session: Session, team_id: str, user_id: str, view_hash: str, now: datetime, opened: bool
) -> None:
    """The person's Home as we published it; from now on changes to their data republish it.
    One write per publish (the Home's own path is measured: `bench/home.py`)."""
    values: dict[str, object] = {"team_id": team_id, "user_id": user_id, "view_hash": view_hash}
    values |= {"opened_at": now, "published_at": now}
    if insert_if_absent(session, HomeView.__table__, values):
        return
    changes: dict[str, object] = {"view_hash": view_hash, "published_at": now}
    if opened:
        changes["opened_at"] = now
    session.execute(
        update(HomeView)
        .where(HomeView.team_id == team_id, HomeView.user_id == user_id)
        .values(**changes)
    )


def latest_updates(
    session: Session, team_id: str, user_id: str
) -> list[tuple[str, date, DailyUpdate]]:
    """The person's latest Daily update in each channel: (channel, the Daily's date, update),
    the most recent first."""
    latest = (
        select(Daily.channel_id, func.max(Daily.local_date).label("day"))
        .join(DailyUpdate, DailyUpdate.daily_id == Daily.id)
        .where(DailyUpdate.team_id == team_id, DailyUpdate.user_id == user_id)
        .group_by(Daily.channel_id)
        .subquery()
    )
    rows = session.execute(
        select(Daily.channel_id, Daily.local_date, DailyUpdate)
        .join(DailyUpdate, DailyUpdate.daily_id == Daily.id)
        .join(
            latest, (latest.c.channel_id == Daily.channel_id) & (latest.c.day == Daily.local_date)
        )
        .where(DailyUpdate.team_id == team_id, DailyUpdate.user_id == user_id)
        .order_by(Daily.local_date.desc(), Daily.channel_id)
    )
    return [(str(row[0]), row[1], row[2]) for row in rows]


def _resolved_items(team_id: str) -> Select[int]:
    """The ids of items someone marked resolved (:white_check_mark:) in some agenda."""
    return (
        select(WeeklyAgendaItem.item_id)
        .join(WeeklyReaction, WeeklyReaction.entry_id == WeeklyAgendaItem.id)
        .where(
            WeeklyReaction.team_id == team_id,
            WeeklyReaction.kind == "resolve",
            WeeklyReaction.active.is_(True),
        )
    )


def open_items(session: Session, team_id: str, user_id: str) -> list[WeeklyItem]:
    """The person's Weekly items still to be discussed: drafts, and items of posted agendas
    nobody resolved (they carry over) and the author did not withdraw."""
    resolved = _resolved_items(team_id)
    return list(
        session.scalars(
            select(WeeklyItem)
            .where(
                WeeklyItem.team_id == team_id,
                WeeklyItem.user_id == user_id,
                WeeklyItem.withdrawn_at.is_(None),
                WeeklyItem.id.not_in(resolved),
            )
            .order_by(WeeklyItem.created_at.desc(), WeeklyItem.id.desc())
        )
    )


def claimed_items(session: Session, team_id: str, user_id: str) -> list[tuple[WeeklyItem, Weekly]]:
    """Items the person claimed (:raising_hand:) that nobody resolved, newest Weekly first."""
    resolved = _resolved_items(team_id)
    rows = session.execute(
        select(WeeklyItem, Weekly)
        .join(WeeklyAgendaItem, WeeklyAgendaItem.item_id == WeeklyItem.id)
        .join(Weekly, Weekly.id == WeeklyAgendaItem.weekly_id)
        .join(WeeklyReaction, WeeklyReaction.entry_id == WeeklyAgendaItem.id)
        .where(
            WeeklyReaction.team_id == team_id,
            WeeklyReaction.user_id == user_id,
            WeeklyReaction.kind == "claim",
            WeeklyReaction.active.is_(True),
            WeeklyItem.id.not_in(resolved),
        )
        .order_by(Weekly.local_date.desc(), WeeklyItem.id)
    )
    seen: dict[int, tuple[WeeklyItem, Weekly]] = {}
    for item, weekly in rows:
        seen.setdefault(item.id, (item, weekly))
    return list(seen.values())


def own_prospects(session: Session, team_id: str, user_id: str) -> list[ProspectAnnouncement]:
    return list(
        session.scalars(
            select(ProspectAnnouncement)
            .where(ProspectAnnouncement.team_id == team_id, ProspectAnnouncement.user_id == user_id)
            .order_by(ProspectAnnouncement.announced_at.desc())
        )
    )


def own_contacts(session: Session, team_id: str, user_id: str) -> list[KnownContact]:
    return list(
        session.scalars(
            select(KnownContact)
            .where(KnownContact.team_id == team_id, KnownContact.user_id == user_id)
            .order_by(KnownContact.updated_at.desc())
        )
    )
