"""Queries of the Daily: the day's row, updates, reminders, absences."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import Absence, Daily, DailyCancellation, DailyReminder, DailyUpdate, WeeklyItem
from storage.plain import PlainSql, run_plain
from storage.types import utc_now

# The clock prompts every channel at once: plain SQL on the driver (`storage.plain`).
_NEW_DAILY = PlainSql.of(
    """
    INSERT INTO dailies (team_id, channel_id, local_date, created_at)
    VALUES (:team_id, :channel_id, :local_date, :created_at)
    ON CONFLICT DO NOTHING
    RETURNING id, prompt_ts, summary_ts
    """
)
_DAILY = PlainSql.of(
    "SELECT id, prompt_ts, summary_ts FROM dailies"
    " WHERE team_id = :team_id AND channel_id = :channel_id AND local_date = :local_date"
)
_RECORD_PROMPT = PlainSql.of("UPDATE dailies SET prompt_ts = :prompt_ts WHERE id = :id")


def find_daily(session: Session, team_id: str, channel_id: str, local_date: date) -> Daily | None:
    return session.scalars(
        select(Daily).where(
            Daily.team_id == team_id, Daily.channel_id == channel_id, Daily.local_date == local_date
        )
    ).one_or_none()


def get_or_create_daily(engine: Engine, team_id: str, channel_id: str, local_date: date) -> Daily:
    """The day's row; a new one in one statement (the clock creates thousands at once).

    Attached to no session, its `created_at` not read: the caller reads its id and ts."""
    key = {"team_id": team_id, "channel_id": channel_id, "local_date": local_date}
    rows = run_plain(engine, _NEW_DAILY, {**key, "created_at": utc_now()})
    if not rows:  # it was there already
        rows = run_plain(engine, _DAILY, key, writes=False)
    daily_id, prompt_ts, summary_ts = rows[0]
    return Daily(id=daily_id, **key, prompt_ts=prompt_ts, summary_ts=summary_ts)


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


def get_update(session: Session, update_id: int) -> DailyUpdate:
    return session.get_one(DailyUpdate, update_id)


def record_prompt(engine: Engine, daily_id: int, ts: str) -> None:
    run_plain(engine, _RECORD_PROMPT, {"id": daily_id, "prompt_ts": ts})


def record_summary(session: Session, daily_id: int, ts: str) -> None:
    session.execute(update(Daily).where(Daily.id == daily_id).values(summary_ts=ts))


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


def update_by_reply(
    session: Session, team_id: str, channel_id: str, reply_ts: str
) -> DailyUpdate | None:
    """The update a member gave (or last changed) with their reply `reply_ts` in a thread."""
    return session.scalars(
        select(DailyUpdate)
        .join(Daily, Daily.id == DailyUpdate.daily_id)
        .where(
            Daily.team_id == team_id,
            Daily.channel_id == channel_id,
            DailyUpdate.reply_ts == reply_ts,
        )
    ).first()


def delete_update(session: Session, update_id: int) -> None:
    """Takes an update back; its impediment leaves the Weekly's draft too, unless an agenda
    already showed it (as when the impediment is emptied, storage.weekly)."""
    session.execute(
        delete(WeeklyItem).where(
            WeeklyItem.daily_update_id == update_id,
            WeeklyItem.weekly_id.is_(None),
            WeeklyItem.withdrawn_at.is_(None),
        )
    )
    session.execute(delete(DailyUpdate).where(DailyUpdate.id == update_id))


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


def cancel_daily(session: Session, team_id: str, channel_id: str, local_date: date) -> bool:
    """True when the Daily of that day was not cancelled yet."""
    return insert_if_absent(
        session,
        DailyCancellation.__table__,
        {"team_id": team_id, "channel_id": channel_id, "local_date": local_date},
    )


def uncancel_daily(session: Session, team_id: str, channel_id: str, local_date: date) -> bool:
    """True when the Daily of that day was cancelled and no longer is."""
    result = session.execute(
        delete(DailyCancellation).where(
            DailyCancellation.team_id == team_id,
            DailyCancellation.channel_id == channel_id,
            DailyCancellation.local_date == local_date,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def cancelled_days(session: Session, team_id: str, channel_id: str, since: date) -> set[date]:
    rows = session.scalars(
        select(DailyCancellation.local_date).where(
            DailyCancellation.team_id == team_id,
            DailyCancellation.channel_id == channel_id,
            DailyCancellation.local_date >= since,
        )
    )
    return set(rows)


def cancelled_dailies(session: Session, days: Iterable[date]) -> set[tuple[str, str, date]]:
    """(team, channel, date) of every cancelled Daily on these dates, across workspaces: the
    clock plans every channel at once."""
    wanted = sorted(set(days))
    if not wanted:
        return set()
    rows = session.execute(
        select(
            DailyCancellation.team_id, DailyCancellation.channel_id, DailyCancellation.local_date
        ).where(DailyCancellation.local_date.in_(wanted))
    )
    return {(team, channel, day) for team, channel, day in rows}
