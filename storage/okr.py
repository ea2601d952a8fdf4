"""Queries of the team OKRs: objectives, key results and check-ins of a channel.

Plain functions taking a session, so a bench or a seed script can fill a channel quickly
(`add_objective`, `add_key_result`, `add_check_in`) and read it back (`open_okrs`,
`archived_okrs`) the way the bot does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.okr.rules import CheckIn, KeyResult, Objective, OkrSet
from storage.channels import get_or_create_channel
from storage.models import Channel, OkrCheckIn, OkrKeyResult, OkrObjective, Weekly


def _assemble(
    session: Session, objectives: Sequence[OkrObjective], with_notes: bool = True
) -> list[Objective]:
    """The objectives with their key results and check-ins (three queries in all)."""
    ids = [row.id for row in objectives]
    krs = session.scalars(
        select(OkrKeyResult)
        .where(OkrKeyResult.objective_id.in_(ids))
        .order_by(OkrKeyResult.objective_id, OkrKeyResult.number)
    ).all()
    check_ins: dict[int, list[CheckIn]] = {kr.id: [] for kr in krs}
    rows = session.execute(
        select(
            OkrCheckIn.key_result_id,
            OkrCheckIn.value,
            OkrCheckIn.created_at,
            OkrCheckIn.note,
            OkrCheckIn.user_id,
        )
        .where(OkrCheckIn.key_result_id.in_(list(check_ins)))
        .order_by(OkrCheckIn.created_at, OkrCheckIn.id)
    )
    for kr_id, value, at, note, user_id in rows:
        check_ins[kr_id].append(CheckIn(value, at, note if with_notes else None, user_id))
    numbers = {row.id: row.number for row in objectives}
    by_objective: dict[int, list[KeyResult]] = {objective_id: [] for objective_id in ids}
    for kr in krs:
        by_objective[kr.objective_id].append(
            _as_key_result(kr, numbers[kr.objective_id], check_ins[kr.id])
        )
    return [_as_objective(row, by_objective[row.id]) for row in objectives]


def _as_key_result(
    row: OkrKeyResult, objective_number: int, check_ins: Sequence[CheckIn] = ()
) -> KeyResult:
    return KeyResult(
        id=row.id,
        objective_number=objective_number,
        number=row.number,
        text=row.text,
        target=row.target,
        unit=row.unit,
        created_at=row.created_at,
        check_ins=tuple(check_ins),
    )


def _as_objective(row: OkrObjective, key_results: Sequence[KeyResult] = ()) -> Objective:
    return Objective(
        id=row.id,
        number=row.number,
        text=row.text,
        created_at=row.created_at,
        key_results=tuple(key_results),
        quarter=row.quarter,
        closed_at=row.closed_at,
    )


def _open_rows(session: Session, team_id: str, channel_id: str) -> Sequence[OkrObjective]:
    query = select(OkrObjective).where(
        OkrObjective.team_id == team_id,
        OkrObjective.channel_id == channel_id,
        OkrObjective.quarter.is_(None),
    )
    return session.scalars(query.order_by(OkrObjective.number)).all()


def open_okrs(session: Session, team_id: str, channel_id: str, lock: bool = False) -> OkrSet:
    """The channel's open objectives with their key results and check-ins. `lock`: nobody
    else adds, removes or closes in the channel until the transaction ends — the channel's row
    is the lock, so it holds even while the channel has no objective yet (SQLite: the insert
    that makes sure the row exists takes the database's write lock)."""
    if lock:
        get_or_create_channel(session, team_id, channel_id)
        session.execute(
            select(Channel.id)
            .where(Channel.team_id == team_id, Channel.channel_id == channel_id)
            .with_for_update()
        )
    return OkrSet(tuple(_assemble(session, _open_rows(session, team_id, channel_id))))


def add_objective(
    session: Session, team_id: str, channel_id: str, number: int, text: str, now: datetime
) -> Objective:
    row = OkrObjective(
        team_id=team_id, channel_id=channel_id, number=number, text=text, created_at=now
    )
    session.add(row)
    session.flush()
    return _as_objective(row)


def add_key_result(
    session: Session,
    team_id: str,
    channel_id: str,
    objective: Objective,
    number: int,
    text: str,
    target: float,
    unit: str,
    now: datetime,
) -> KeyResult:
    row = OkrKeyResult(
        team_id=team_id,
        channel_id=channel_id,
        objective_id=objective.id,
        number=number,
        text=text,
        target=target,
        unit=unit,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _as_key_result(row, objective.number)


def add_check_in(
    session: Session,
    team_id: str,
    channel_id: str,
    key_result_id: int,
    value: float,
    note: str | None,
    user_id: str | None,
    now: datetime,
) -> int:
    """Stores a check-in; returns its id."""
    row = OkrCheckIn(
        team_id=team_id,
        channel_id=channel_id,
        key_result_id=key_result_id,
        value=value,
        note=note,
        user_id=user_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def remove_objective(session: Session, team_id: str, objective_id: int) -> None:
    """The objective with its key results and their check-ins (children first: SQLite may
    not enforce the cascade)."""
    kr_ids = select(OkrKeyResult.id).where(
        OkrKeyResult.team_id == team_id, OkrKeyResult.objective_id == objective_id
    )
    session.execute(delete(OkrCheckIn).where(OkrCheckIn.key_result_id.in_(kr_ids)))
    session.execute(
        delete(OkrKeyResult).where(
            OkrKeyResult.team_id == team_id, OkrKeyResult.objective_id == objective_id
        )
    )
    session.execute(
        delete(OkrObjective).where(OkrObjective.team_id == team_id, OkrObjective.id == objective_id)
    )


def remove_key_result(session: Session, team_id: str, key_result_id: int) -> None:
    session.execute(
        delete(OkrCheckIn).where(
            OkrCheckIn.team_id == team_id, OkrCheckIn.key_result_id == key_result_id
        )
    )
    session.execute(
        delete(OkrKeyResult).where(
            OkrKeyResult.team_id == team_id, OkrKeyResult.id == key_result_id
        )
    )


def close_open(session: Session, team_id: str, channel_id: str, quarter: str, now: datetime) -> int:
    """Archives the open set under `quarter`; returns how many objectives were archived."""
    result = session.execute(
        update(OkrObjective)
        .where(
            OkrObjective.team_id == team_id,
            OkrObjective.channel_id == channel_id,
            OkrObjective.quarter.is_(None),
        )
        .values(quarter=quarter, closed_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def archived_okrs(session: Session, team_id: str, channel_id: str, quarter: str) -> list[Objective]:
    """A quarter's archived objectives, in the order they were closed and numbered."""
    rows = session.scalars(
        select(OkrObjective)
        .where(
            OkrObjective.team_id == team_id,
            OkrObjective.channel_id == channel_id,
            OkrObjective.quarter == quarter,
        )
        .order_by(OkrObjective.closed_at, OkrObjective.number)
    ).all()
    return _assemble(session, rows)


def archived_quarters(session: Session, team_id: str, channel_id: str) -> list[str]:
    """The channel's archived quarters, the latest first."""
    rows = session.execute(
        select(OkrObjective.quarter, func.max(OkrObjective.closed_at))
        .where(
            OkrObjective.team_id == team_id,
            OkrObjective.channel_id == channel_id,
            OkrObjective.quarter.is_not(None),
        )
        .group_by(OkrObjective.quarter)
    ).all()
    return [str(quarter) for quarter, _ in sorted(rows, key=lambda row: str(row[0]), reverse=True)]


def forget_author(session: Session, user_id: str, team_id: str | None) -> int:
    """GDPR: the person's check-ins stay the team's values, without their name or their note.
    Returns how many check-ins changed."""
    statement = (
        update(OkrCheckIn).where(OkrCheckIn.user_id == user_id).values(user_id=None, note=None)
    )
    if team_id:
        statement = statement.where(OkrCheckIn.team_id == team_id)
    return int(getattr(session.execute(statement), "rowcount", 0) or 0)


def is_channels_weekly(session: Session, team_id: str, channel_id: str, weekly_id: int) -> bool:
    """Whether the Weekly a button or modal names is this channel's (nothing crosses teams)."""
    weekly = session.get(Weekly, weekly_id)
    return weekly is not None and (weekly.team_id, weekly.channel_id) == (team_id, channel_id)
