"""Channels Redthread works in and their settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import Channel
from storage.plain import PlainSql, run_plain


def get_or_create_channel(session: Session, team_id: str, channel_id: str) -> Channel:
    insert_if_absent(
        session, Channel.__table__, {"team_id": team_id, "channel_id": channel_id, "active": True}
    )
    channel = session.scalars(
        select(Channel).where(Channel.team_id == team_id, Channel.channel_id == channel_id)
    ).one()
    return channel


def find_channel(session: Session, team_id: str, channel_id: str) -> Channel | None:
    return session.scalars(
        select(Channel).where(Channel.team_id == team_id, Channel.channel_id == channel_id)
    ).one_or_none()


class DailySettings(NamedTuple):
    """The channel's Daily columns as stored (None: the deployment's default)."""

    language: str | None
    daily_weekdays: str
    daily_prompt_time: str
    daily_reminder_time: str
    daily_summary_time: str
    timezone: str | None
    daily_state: str
    holiday_region: str | None


# A read every clock run and many listeners make: plain SQL on the driver (`storage.plain`).
_SETTINGS = PlainSql.of(
    f"SELECT {', '.join(DailySettings._fields)} FROM channels"
    " WHERE team_id = :team_id AND channel_id = :channel_id"
)


def channel_settings(engine: Engine, team_id: str, channel_id: str) -> DailySettings | None:
    """The channel's Daily settings, or None for a channel never seen."""
    parameters = {"team_id": team_id, "channel_id": channel_id}
    rows = run_plain(engine, _SETTINGS, parameters, writes=False)
    return DailySettings(*rows[0]) if rows else None


def active_channels(session: Session) -> Sequence[Channel]:
    """Across workspaces on purpose: the clock serves every installed workspace."""
    return session.scalars(select(Channel).where(Channel.active.is_(True))).all()


@dataclass(frozen=True)
class ScheduleSettings:
    """One active channel's schedule columns, as stored (None: the deployment's default)."""

    team_id: str
    channel_id: str
    timezone: str | None
    daily_weekdays: str
    daily_prompt_time: str
    daily_reminder_time: str
    daily_summary_time: str
    weekly_active: bool
    weekly_weekday: int
    weekly_time: str
    weekly_call_time: str
    daily_state: str = "on"
    holiday_region: str | None = None


def active_schedule_settings(session: Session) -> list[ScheduleSettings]:
    """Every active channel's schedule in one query: the clock plans a tick from these.

    A channel with neither a Daily (the bot was never added, "none") nor a Weekly has none.
    """
    rows = session.execute(
        select(
            Channel.team_id,
            Channel.channel_id,
            Channel.timezone,
            Channel.daily_weekdays,
            Channel.daily_prompt_time,
            Channel.daily_reminder_time,
            Channel.daily_summary_time,
            Channel.weekly_active,
            Channel.weekly_weekday,
            Channel.weekly_time,
            Channel.weekly_call_time,
            Channel.daily_state,
            Channel.holiday_region,
        ).where(
            Channel.active.is_(True),
            or_(Channel.daily_state != "none", Channel.weekly_active.is_(True)),
        )
    )
    return [ScheduleSettings(*row) for row in rows]


def update_channel(session: Session, team_id: str, channel_id: str, **changes: Any) -> Channel:
    channel = get_or_create_channel(session, team_id, channel_id)
    for name, value in changes.items():
        if not hasattr(Channel, name):
            raise AttributeError(f"channels has no column {name}")
        setattr(channel, name, value)
    return channel


def set_channel_active(session: Session, team_id: str, channel_id: str, active: bool) -> None:
    channel = get_or_create_channel(session, team_id, channel_id)
    channel.active = active


def channels_with_daily(session: Session, team_id: str, limit: int) -> list[str]:
    """A workspace's channels where the Daily runs, oldest first (a direct message's answer
    points there)."""
    rows = session.scalars(
        select(Channel.channel_id)
        .where(
            Channel.team_id == team_id,
            Channel.active.is_(True),
            Channel.daily_state == "on",
        )
        .order_by(Channel.created_at, Channel.id)
        .limit(limit)
    )
    return list(rows)
