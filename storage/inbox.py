"""Queries of the durable inbox: Slack requests stored before their ack, worked off after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import InboxRequest


@dataclass(frozen=True)
class StoredRequest:
    team_id: str
    request_key: str
    listener: str
    user_id: str | None
    body: str
    context: str


def store_request(
    session: Session, request: StoredRequest, now: datetime, lease_until: datetime
) -> int | None:
    """The new row's id, leased to the caller; None when the request was seen before."""
    inserted = insert_if_absent(
        session,
        InboxRequest.__table__,
        {
            "team_id": request.team_id,
            "request_key": request.request_key,
            "listener": request.listener,
            "user_id": request.user_id,
            "body": request.body,
            "context": request.context,
            "received_at": now,
            "lease_until": lease_until,
            "attempts": 1,
        },
    )
    if not inserted:
        return None
    return session.scalar(
        select(InboxRequest.id).where(
            InboxRequest.team_id == request.team_id,
            InboxRequest.request_key == request.request_key,
        )
    )


def finish(session: Session, request_id: int, now: datetime, outcome: str) -> None:
    session.execute(
        update(InboxRequest)
        .where(InboxRequest.id == request_id)
        .values(done_at=now, lease_until=None, outcome=outcome[:80])
    )


def retry_at(session: Session, request_id: int, moment: datetime) -> None:
    """Leave the request for whoever looks after `moment` (this or another process)."""
    session.execute(
        update(InboxRequest).where(InboxRequest.id == request_id).values(lease_until=moment)
    )


def take_abandoned(
    session: Session, now: datetime, lease_until: datetime, limit: int
) -> Sequence[InboxRequest]:
    """Unfinished requests whose lease ran out (their process died, or a retry is due),
    leased to the caller."""
    rows = session.scalars(
        select(InboxRequest)
        .where(
            InboxRequest.done_at.is_(None),
            or_(InboxRequest.lease_until.is_(None), InboxRequest.lease_until < now),
        )
        .order_by(InboxRequest.received_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.lease_until = lease_until
        row.attempts += 1
    return rows


def forget_done_before(session: Session, cutoff: datetime) -> int:
    """Finished requests are kept for a day: Slack's retries and replays come within minutes."""
    result = session.execute(
        delete(InboxRequest).where(
            InboxRequest.done_at.is_not(None), InboxRequest.received_at < cutoff
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def attempts_of(session: Session, request_id: int) -> int:
    return int(
        session.scalar(select(InboxRequest.attempts).where(InboxRequest.id == request_id)) or 1
    )


def extend_leases(session: Session, request_ids: Sequence[int], lease_until: datetime) -> None:
    session.execute(
        update(InboxRequest)
        .where(InboxRequest.id.in_(request_ids), InboxRequest.done_at.is_(None))
        .values(lease_until=lease_until)
    )
