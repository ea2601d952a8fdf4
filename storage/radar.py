"""Queries of the prospect radar: announcements, known contacts, flags, settings, the version.

Every write that changes what the radar knows (announce, knows, remove, import, forget) calls
`bump_version` in the same transaction; `bot.radar.service` compares that number with the one
its cached index was built at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import (
    KnownContact,
    ProspectAnnouncement,
    RadarChannelSetting,
    RadarFlag,
    RadarVersion,
)

OwnRow = TypeVar("OwnRow", ProspectAnnouncement, KnownContact)

# --- the version of a team's radar data ---------------------------------------------------------


def radar_version(session: Session, team_id: str) -> int:
    """One indexed primary-key read: cheap enough to run before every use of the index."""
    version = session.scalar(select(RadarVersion.version).where(RadarVersion.team_id == team_id))
    return int(version or 0)


def bump_version(session: Session, team_id: str | None) -> None:
    """Marks a team's radar data as changed; None (a `forget` across workspaces) marks all."""
    if team_id is not None:
        insert_if_absent(session, RadarVersion.__table__, {"team_id": team_id, "version": 0})
    statement = update(RadarVersion).values(version=RadarVersion.version + 1)
    if team_id is not None:
        statement = statement.where(RadarVersion.team_id == team_id)
    session.execute(statement.execution_options(synchronize_session=False))


# --- announcements and contacts ------------------------------------------------------------------


def announcements(session: Session, team_id: str) -> Sequence[ProspectAnnouncement]:
    return session.scalars(
        select(ProspectAnnouncement)
        .where(ProspectAnnouncement.team_id == team_id)
        .order_by(ProspectAnnouncement.id)
    ).all()


def contacts(session: Session, team_id: str) -> Sequence[KnownContact]:
    return session.scalars(
        select(KnownContact).where(KnownContact.team_id == team_id).order_by(KnownContact.id)
    ).all()


def save_announcement(
    session: Session,
    team_id: str,
    channel_id: str,
    user_id: str,
    company: str,
    note: str | None,
    message_ts: str,
    now: datetime,
    existing_id: int | None,
    private: bool = False,
) -> ProspectAnnouncement:
    """The member's announcement of this company, new or updated (keeping `announced_at`).

    Stored once the post is out, with its ts, so no other process ever sees an announcement
    without a thread to flag in. `existing_id` is the row the matcher found (the same company,
    maybe spelt differently); the unique key still catches a spelling a stale index missed.
    """
    row, _ = _own_or_new(
        session,
        ProspectAnnouncement,
        team_id,
        user_id,
        company,
        existing_id,
        {"channel_id": channel_id, "announced_at": now},
    )
    row.channel_id, row.company, row.note, row.message_ts = channel_id, company, note, message_ts
    row.private = private
    session.flush()
    return row


def save_contact(
    session: Session,
    team_id: str,
    user_id: str,
    company: str,
    contact: str | None,
    now: datetime,
    existing_id: int | None,
) -> tuple[KnownContact, bool]:
    """Upsert on (team, person, company); True when the row is new."""
    row, created = _own_or_new(
        session,
        KnownContact,
        team_id,
        user_id,
        company,
        existing_id,
        {"created_at": now, "updated_at": now},
    )
    row.company, row.contact, row.updated_at = company, contact, now
    session.flush()
    return row, created


def _own_or_new(
    session: Session,
    model: type[OwnRow],
    team_id: str,
    user_id: str,
    company: str,
    existing_id: int | None,
    defaults: dict[str, object],
) -> tuple[OwnRow, bool]:
    """The caller's row for this company, locked, inserted first if needed; True if new."""
    row = _own_row(session, model, team_id, user_id, company, existing_id)
    if row is not None:
        return row, False
    keys = {"team_id": team_id, "user_id": user_id, "company": company}
    created = insert_if_absent(session, model.__table__, {**keys, **defaults})
    row = _own_row(session, model, team_id, user_id, company, None)
    assert row is not None
    return row, created


def _own_row(
    session: Session,
    model: type[OwnRow],
    team_id: str,
    user_id: str,
    company: str,
    row_id: int | None,
) -> OwnRow | None:
    """By id when the matcher found one, else by the exact spelling; always the caller's own."""
    condition = model.id == row_id if row_id is not None else model.company == company
    return session.scalars(
        select(model)
        .where(model.team_id == team_id, model.user_id == user_id, condition)
        .with_for_update()
    ).one_or_none()


def delete_own(
    session: Session,
    team_id: str,
    user_id: str,
    announcement_ids: Iterable[int],
    contact_ids: Iterable[int],
) -> tuple[list[ProspectAnnouncement], list[KnownContact]]:
    """Deletes those rows that are the caller's own; returns what was deleted."""
    gone_announcements = list(
        session.scalars(
            delete(ProspectAnnouncement)
            .where(
                ProspectAnnouncement.team_id == team_id,
                ProspectAnnouncement.user_id == user_id,
                ProspectAnnouncement.id.in_(list(announcement_ids)),
            )
            .returning(ProspectAnnouncement)
        ).all()
    )
    gone_contacts = list(
        session.scalars(
            delete(KnownContact)
            .where(
                KnownContact.team_id == team_id,
                KnownContact.user_id == user_id,
                KnownContact.id.in_(list(contact_ids)),
            )
            .returning(KnownContact)
        ).all()
    )
    return gone_announcements, gone_contacts


# --- flags ----------------------------------------------------------------------------------------


def claim_flag(
    session: Session,
    team_id: str,
    channel_id: str,
    thread_ts: str,
    subject: str,
    user_id: str,
    now: datetime,
) -> bool:
    """True for exactly one caller per thread and subject, whichever process asks first."""
    return insert_if_absent(
        session,
        RadarFlag.__table__,
        {
            "team_id": team_id,
            "channel_id": channel_id,
            "thread_ts": thread_ts,
            "subject": subject,
            "user_id": user_id,
            "flagged_at": now,
        },
    )


def release_flags(
    session: Session, team_id: str, channel_id: str, thread_ts: str, subjects: Iterable[str]
) -> None:
    """After a failed post, so the flag is not lost for good."""
    session.execute(
        delete(RadarFlag).where(
            RadarFlag.team_id == team_id,
            RadarFlag.channel_id == channel_id,
            RadarFlag.thread_ts == thread_ts,
            RadarFlag.subject.in_(list(subjects)),
        )
    )


# --- per-channel setting --------------------------------------------------------------------------


def scans_messages(session: Session, team_id: str, channel_id: str) -> bool:
    return bool(
        session.scalar(
            select(RadarChannelSetting.scan_messages).where(
                RadarChannelSetting.team_id == team_id,
                RadarChannelSetting.channel_id == channel_id,
            )
        )
    )


def set_scan_messages(
    session: Session, team_id: str, channel_id: str, enabled: bool, now: datetime
) -> None:
    insert_if_absent(
        session,
        RadarChannelSetting.__table__,
        {"team_id": team_id, "channel_id": channel_id, "scan_messages": False, "updated_at": now},
    )
    session.execute(
        update(RadarChannelSetting)
        .where(RadarChannelSetting.team_id == team_id, RadarChannelSetting.channel_id == channel_id)
        .values(scan_messages=enabled, updated_at=now)
    )
