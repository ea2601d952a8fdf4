"""Queries of the Daily: the day's row, updates, reminders, absences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import Absence, Daily, DailyReminder, DailyUpdate

# A poster that died mid-way leaves a claim without a message; after this long another
# process may take the post over.
CLAIM_LEASE = timedelta(minutes=2)


def find_daily(session: Session, team_id: str, channel_id: str, local_date: date) -> Daily | None:
    return session.scalars(
        select(Daily).where(
            Daily.team_id == team_id, Daily.channel_id == channel_id, Daily.local_date == local_date
        )
    ).one_or_none()


def get_or_create_daily(session: Session, team_id: str, channel_id: str, local_date: date) -> Daily:
    insert_if_absent(
        session,
        Daily.__table__,
        {"team_id": team_id, "channel_id": channel_id, "local_date": local_date},
    )
    daily = find_daily(session, team_id, channel_id, local_date)
    assert daily is not None
    return daily


def get_daily(session: Session, daily_id: int) -> Daily:
    return session.get_one(Daily, daily_id)


def latest_daily_on_or_before(
    session: Session, team_id: str, channel_id: str, local_date: date
) -> Daily | None:
    return session.scalars(
        select(Daily)
        .where(
            Daily.team_id == team_id,
            Daily.channel_id == channel_id,
            Daily.local_date <= local_date,
            Daily.prompt_ts.is_not(None),
        )
        .order_by(Daily.local_date.desc())
        .limit(1)
    ).one_or_none()


def daily_by_prompt_ts(session: Session, team_id: str, channel_id: str, ts: str) -> Daily | None:
    return session.scalars(
        select(Daily).where(
            Daily.team_id == team_id, Daily.channel_id == channel_id, Daily.prompt_ts == ts
        )
    ).one_or_none()


def _claim(
    session: Session,
    model: type[Daily] | type[DailyUpdate],
    row_id: int,
    claimed_column: str,
    done_column: str,
    now: datetime,
) -> bool:
    claimed = getattr(model, claimed_column)
    done = getattr(model, done_column)
    claimed_row = session.execute(
        update(model)
        .where(
            model.id == row_id,
            done.is_(None),
            or_(claimed.is_(None), claimed < now - CLAIM_LEASE),
        )
        .values({claimed_column: now})
        .returning(model.id)
        .execution_options(synchronize_session=False)
    ).first()
    return claimed_row is not None


def claim_prompt(session: Session, daily_id: int, now: datetime) -> bool:
    """True for exactly one caller while the prompt is unposted (two clocks, re-runs, /daily)."""
    return _claim(session, Daily, daily_id, "prompt_claimed_at", "prompt_ts", now)


def claim_summary(session: Session, daily_id: int, now: datetime) -> bool:
    return _claim(session, Daily, daily_id, "summary_claimed_at", "summary_ts", now)


def claim_update_post(session: Session, update_id: int, now: datetime) -> bool:
    """True for the one submission that posts the member's reply; the others edit it."""
    return _claim(session, DailyUpdate, update_id, "post_claimed_at", "posted_ts", now)


def get_update(session: Session, update_id: int) -> DailyUpdate:
    return session.get_one(DailyUpdate, update_id)


def record_prompt(session: Session, daily_id: int, ts: str) -> None:
    session.execute(update(Daily).where(Daily.id == daily_id).values(prompt_ts=ts))


def record_summary(session: Session, daily_id: int, ts: str) -> None:
    session.execute(update(Daily).where(Daily.id == daily_id).values(summary_ts=ts))


def release_claim(session: Session, daily_id: int, claimed_column: str) -> None:
    """After a failed post, so the next attempt need not wait out the lease."""
    session.execute(update(Daily).where(Daily.id == daily_id).values({claimed_column: None}))


def find_update(session: Session, daily_id: int, user_id: str) -> DailyUpdate | None:
    return session.scalars(
        select(DailyUpdate).where(DailyUpdate.daily_id == daily_id, DailyUpdate.user_id == user_id)
    ).one_or_none()


def updates_of(session: Session, daily_id: int) -> Sequence[DailyUpdate]:
    return session.scalars(
        select(DailyUpdate).where(DailyUpdate.daily_id == daily_id).order_by(DailyUpdate.created_at)
    ).all()


def lock_update(
    session: Session, daily: Daily, user_id: str, now: datetime
) -> tuple[DailyUpdate, bool]:
    """The member's update row, locked for this transaction; True when it was just created.

    The lock makes quick resubmissions merge one after the other instead of losing fields
    (SQLite gets the same from BEGIN IMMEDIATE).
    """
    created = insert_if_absent(
        session,
        DailyUpdate.__table__,
        {"team_id": daily.team_id, "daily_id": daily.id, "user_id": user_id, "created_at": now},
    )
    row = session.scalars(
        select(DailyUpdate)
        .where(DailyUpdate.daily_id == daily.id, DailyUpdate.user_id == user_id)
        .with_for_update()
    ).one()
    return row, created


def write_update(
    row: DailyUpdate,
    *,
    plan: str | None,
    highlight: str | None,
    impediment: str | None,
    now: datetime,
    reply_ts: str | None = None,
) -> None:
    row.plan, row.highlight, row.impediment = plan, highlight, impediment
    row.updated_at = now
    if reply_ts is not None:
        row.reply_ts = reply_ts


def record_update_post(session: Session, update_id: int, ts: str) -> None:
    session.execute(update(DailyUpdate).where(DailyUpdate.id == update_id).values(posted_ts=ts))


def mark_reminded(session: Session, daily: Daily, user_id: str) -> bool:
    """True when this user had not been reminded for this Daily yet."""
    return insert_if_absent(
        session,
        DailyReminder.__table__,
        {"team_id": daily.team_id, "daily_id": daily.id, "user_id": user_id},
    )


def unmark_reminded(session: Session, daily: Daily, user_id: str) -> None:
    session.execute(
        delete(DailyReminder).where(
            DailyReminder.daily_id == daily.id, DailyReminder.user_id == user_id
        )
    )


def add_absence(
    session: Session,
    team_id: str,
    user_id: str,
    *,
    kind: str,
    start: date,
    end: date,
    channel_id: str | None = None,
    reason: str | None = None,
) -> Absence:
    absence = Absence(
        team_id=team_id,
        user_id=user_id,
        kind=kind,
        start_date=start,
        end_date=end,
        channel_id=channel_id,
        reason=reason,
    )
    session.add(absence)
    return absence


def absences_on(session: Session, team_id: str, channel_id: str, day: date) -> dict[str, Absence]:
    """Who is away (anywhere) or skipping this channel's Daily on that day."""
    rows = session.scalars(
        select(Absence)
        .where(
            Absence.team_id == team_id,
            Absence.start_date <= day,
            Absence.end_date >= day,
            or_(Absence.channel_id.is_(None), Absence.channel_id == channel_id),
        )
        .order_by(Absence.created_at)
    ).all()
    return {row.user_id: row for row in rows}
