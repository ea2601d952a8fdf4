"""Queries of the Weekly: its row, items, agenda entries, reaction marks, decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import (
    Daily,
    DailyUpdate,
    Weekly,
    WeeklyAgendaItem,
    WeeklyDecision,
    WeeklyItem,
    WeeklyReaction,
)

# --- the Weekly row and its claims ---------------------------------------------------------

# A process that died while re-rendering the parent leaves its claim; after this long another
# may take it over.
RENDER_LEASE = timedelta(minutes=2)


def get_or_create_weekly(session: Session, team_id: str, channel_id: str, day: date) -> Weekly:
    insert_if_absent(
        session,
        Weekly.__table__,
        {"team_id": team_id, "channel_id": channel_id, "local_date": day, "state_version": 0},
    )
    return session.scalars(
        select(Weekly).where(
            Weekly.team_id == team_id, Weekly.channel_id == channel_id, Weekly.local_date == day
        )
    ).one()


def get_weekly(session: Session, weekly_id: int) -> Weekly:
    return session.get_one(Weekly, weekly_id)


def lock_weekly(session: Session, weekly_id: int) -> Weekly:
    """For the rest of the transaction nobody else freezes or changes this Weekly."""
    return session.get_one(Weekly, weekly_id, with_for_update=True)


def latest_frozen_weekly(
    session: Session, team_id: str, channel_id: str, before: date | None = None
) -> Weekly | None:
    """The last Weekly whose agenda took its items (optionally: dated before `before`)."""
    query = select(Weekly).where(
        Weekly.team_id == team_id,
        Weekly.channel_id == channel_id,
        Weekly.agenda_frozen_at.is_not(None),
    )
    if before is not None:
        query = query.where(Weekly.local_date < before)
    return session.scalars(query.order_by(Weekly.local_date.desc()).limit(1)).one_or_none()


def latest_posted_weekly(session: Session, team_id: str, channel_id: str) -> Weekly | None:
    return session.scalars(
        select(Weekly)
        .where(
            Weekly.team_id == team_id,
            Weekly.channel_id == channel_id,
            Weekly.agenda_ts.is_not(None),
        )
        .order_by(Weekly.local_date.desc())
        .limit(1)
    ).one_or_none()


def set_columns(session: Session, weekly_id: int, **values: object) -> None:
    session.execute(update(Weekly).where(Weekly.id == weekly_id).values(**values))


# --- items ---------------------------------------------------------------------------------


def add_item(session: Session, **columns: object) -> WeeklyItem:
    item = WeeklyItem(**columns)
    session.add(item)
    session.flush()
    return item


def draft_items(session: Session, team_id: str, channel_id: str) -> Sequence[WeeklyItem]:
    """Items no agenda has taken yet, in the order they were added."""
    return session.scalars(
        select(WeeklyItem)
        .where(
            WeeklyItem.team_id == team_id,
            WeeklyItem.channel_id == channel_id,
            WeeklyItem.weekly_id.is_(None),
            WeeklyItem.withdrawn_at.is_(None),
        )
        .order_by(WeeklyItem.created_at, WeeklyItem.id)
    ).all()


def remove_item(session: Session, item: WeeklyItem, now: datetime) -> None:
    """A draft nobody saw goes; one an agenda showed (or a synced impediment) is withdrawn,
    so it neither carries over nor comes back with the next sync."""
    if item.weekly_id is None and item.daily_update_id is None:
        session.delete(item)
    else:
        item.withdrawn_at = now


def get_item(session: Session, item_id: int) -> WeeklyItem:
    return session.get_one(WeeklyItem, item_id)


# --- impediments from the Daily ------------------------------------------------------------


def sync_daily_impediments(
    session: Session, team_id: str, channel_id: str, since: datetime, now: datetime
) -> None:
    """Every impediment named in this channel's Daily since `since` is an item, once."""
    updates = session.execute(
        select(DailyUpdate.id, DailyUpdate.user_id, DailyUpdate.impediment)
        .join(Daily, Daily.id == DailyUpdate.daily_id)
        .where(
            Daily.team_id == team_id,
            Daily.channel_id == channel_id,
            DailyUpdate.updated_at > since,
        )
    ).all()
    for update_id, user_id, impediment in updates:
        draft = session.scalars(
            select(WeeklyItem).where(WeeklyItem.daily_update_id == update_id)
        ).one_or_none()
        if draft is None:
            if impediment:
                insert_if_absent(
                    session,
                    WeeklyItem.__table__,
                    {
                        "team_id": team_id,
                        "channel_id": channel_id,
                        "user_id": user_id,
                        "category": "impediment",
                        "text": impediment,
                        "source": "daily",
                        "daily_update_id": update_id,
                        "created_at": now,
                    },
                )
        elif draft.weekly_id is None and draft.withdrawn_at is None:
            # Not on an agenda yet: it follows the Daily update (edited, or emptied).
            if impediment:
                draft.text = impediment
            else:
                session.delete(draft)


# --- agenda entries ------------------------------------------------------------------------


def entries_of(session: Session, weekly_id: int) -> Sequence[tuple[WeeklyAgendaItem, WeeklyItem]]:
    rows = session.execute(
        select(WeeklyAgendaItem, WeeklyItem)
        .join(WeeklyItem, WeeklyItem.id == WeeklyAgendaItem.item_id)
        .where(WeeklyAgendaItem.weekly_id == weekly_id)
        .order_by(WeeklyAgendaItem.position)
    ).all()
    return [(entry, item) for entry, item in rows]


def freeze_agenda(
    session: Session, weekly: Weekly, carried: Sequence[int], new: Sequence[int], now: datetime
) -> None:
    """The agenda takes its items: carried-over ones first, then the drafts."""
    position = 0
    for item_ids, carried_over in ((carried, True), (new, False)):
        for item_id in item_ids:
            position += 1
            session.add(
                WeeklyAgendaItem(
                    team_id=weekly.team_id,
                    weekly_id=weekly.id,
                    item_id=item_id,
                    position=position,
                    carried_over=carried_over,
                )
            )
    if new:
        session.execute(
            update(WeeklyItem)
            .where(WeeklyItem.id.in_(new), WeeklyItem.weekly_id.is_(None))
            .values(weekly_id=weekly.id)
        )
    weekly.agenda_frozen_at = now


def record_reply(session: Session, entry_id: int, ts: str) -> None:
    session.execute(
        update(WeeklyAgendaItem).where(WeeklyAgendaItem.id == entry_id).values(reply_ts=ts)
    )


def entry_by_reply(
    session: Session, team_id: str, channel_id: str, ts: str
) -> WeeklyAgendaItem | None:
    return session.scalars(
        select(WeeklyAgendaItem)
        .join(Weekly, Weekly.id == WeeklyAgendaItem.weekly_id)
        .where(
            WeeklyAgendaItem.team_id == team_id,
            WeeklyAgendaItem.reply_ts == ts,
            Weekly.channel_id == channel_id,
        )
    ).one_or_none()


def weeklies_showing(session: Session, item_id: int) -> list[int]:
    """The Weeklies whose posted agenda lists this item."""
    return list(
        session.scalars(
            select(WeeklyAgendaItem.weekly_id)
            .join(Weekly, Weekly.id == WeeklyAgendaItem.weekly_id)
            .where(WeeklyAgendaItem.item_id == item_id, Weekly.agenda_ts.is_not(None))
        )
    )


# --- reaction marks ------------------------------------------------------------------------


def lock_mark(
    session: Session, entry: WeeklyAgendaItem, user_id: str, kind: str, now: datetime
) -> WeeklyReaction:
    """The person's mark, locked for this transaction, so racing events apply one by one."""
    insert_if_absent(
        session,
        WeeklyReaction.__table__,
        {
            "team_id": entry.team_id,
            "entry_id": entry.id,
            "user_id": user_id,
            "kind": kind,
            # Not active and older than any event: the first event sets it, whichever it is.
            "active": False,
            "event_ts": "0",
            "updated_at": now,
        },
    )
    return session.scalars(
        select(WeeklyReaction)
        .where(
            WeeklyReaction.entry_id == entry.id,
            WeeklyReaction.user_id == user_id,
            WeeklyReaction.kind == kind,
        )
        .with_for_update()
    ).one()


def marks_of(session: Session, item_ids: Sequence[int]) -> Sequence[tuple[int, str, str, bool]]:
    """(item id, user, kind, active) for every mark on any reply of these items."""
    if not item_ids:
        return []
    rows = session.execute(
        select(
            WeeklyAgendaItem.item_id,
            WeeklyReaction.user_id,
            WeeklyReaction.kind,
            WeeklyReaction.active,
        )
        .join(WeeklyAgendaItem, WeeklyAgendaItem.id == WeeklyReaction.entry_id)
        .where(WeeklyAgendaItem.item_id.in_(list(item_ids)))
    ).all()
    return [(item_id, user_id, kind, active) for item_id, user_id, kind, active in rows]


# --- re-rendering the parent ---------------------------------------------------------------


def bump_and_claim_render(session: Session, weekly_id: int, now: datetime) -> bool:
    """Records that the parent must change; True when this caller is the one to render it."""
    session.execute(
        update(Weekly).where(Weekly.id == weekly_id).values(state_version=Weekly.state_version + 1)
    )
    return claim_render(session, weekly_id, now)


def claim_render(session: Session, weekly_id: int, now: datetime) -> bool:
    row = session.execute(
        update(Weekly)
        .where(
            Weekly.id == weekly_id,
            or_(Weekly.render_claimed_at.is_(None), Weekly.render_claimed_at < now - RENDER_LEASE),
        )
        .values(render_claimed_at=now)
        .returning(Weekly.id)
        .execution_options(synchronize_session=False)
    ).first()
    return row is not None


def state_version(session: Session, weekly_id: int) -> int:
    return int(session.scalar(select(Weekly.state_version).where(Weekly.id == weekly_id)) or 0)


def finish_render(session: Session, weekly_id: int, shown_version: int) -> bool:
    """Gives the render up only if nothing changed since `shown_version` (one atomic update,
    so a change committed meanwhile is never left unrendered)."""
    row = session.execute(
        update(Weekly)
        .where(Weekly.id == weekly_id, Weekly.state_version == shown_version)
        .values(render_claimed_at=None)
        .returning(Weekly.id)
        .execution_options(synchronize_session=False)
    ).first()
    return row is not None


# --- decisions -----------------------------------------------------------------------------


def add_decision(session: Session, **columns: object) -> WeeklyDecision:
    decision = WeeklyDecision(**columns)
    session.add(decision)
    session.flush()
    return decision


def decision_posted_as(
    session: Session, team_id: str, channel_id: str, ts: str
) -> WeeklyDecision | None:
    return session.scalars(
        select(WeeklyDecision).where(
            WeeklyDecision.team_id == team_id,
            WeeklyDecision.channel_id == channel_id,
            WeeklyDecision.posted_ts == ts,
        )
    ).first()


def decisions_of_weekly(session: Session, weekly_id: int) -> Sequence[WeeklyDecision]:
    return session.scalars(
        select(WeeklyDecision)
        .where(WeeklyDecision.weekly_id == weekly_id)
        .order_by(WeeklyDecision.created_at, WeeklyDecision.id)
    ).all()


def recent_decisions(
    session: Session, team_id: str, channel_id: str, limit: int
) -> Sequence[WeeklyDecision]:
    return session.scalars(
        select(WeeklyDecision)
        .where(WeeklyDecision.team_id == team_id, WeeklyDecision.channel_id == channel_id)
        .order_by(WeeklyDecision.created_at.desc(), WeeklyDecision.id.desc())
        .limit(limit)
    ).all()
