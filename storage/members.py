"""Cached facts about workspace members (locale, display name, bot or deleted)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import Member


def cached_members(
    session: Session, team_id: str, user_ids: Iterable[str], fresh_since: datetime
) -> dict[str, Member]:
    ids = list(user_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(Member).where(
            Member.team_id == team_id,
            Member.user_id.in_(ids),
            Member.refreshed_at >= fresh_since,
        )
    ).all()
    return {row.user_id: row for row in rows}


def store_member(
    session: Session,
    team_id: str,
    user_id: str,
    *,
    display_name: str,
    locale: str | None,
    is_bot: bool,
    deleted: bool,
    refreshed_at: datetime,
) -> Member:
    insert_if_absent(
        session,
        Member.__table__,
        {"team_id": team_id, "user_id": user_id, "refreshed_at": refreshed_at},
    )
    member = session.scalars(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    ).one()
    member.display_name = display_name
    member.locale = locale
    member.is_bot = is_bot
    member.deleted = deleted
    member.refreshed_at = refreshed_at
    return member


def known_locale(session: Session, team_id: str, user_id: str) -> str | None:
    return session.scalar(
        select(Member.locale).where(Member.team_id == team_id, Member.user_id == user_id)
    )
