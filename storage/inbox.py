"""Queries of the durable inbox: Slack requests stored before their ack, worked off after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

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
    engine: Engine, request: StoredRequest, now: datetime, lease_until: datetime
) -> int | None:
    """The new row's id, leased to the caller; None when the request was seen before.

    One statement in autocommit mode: this runs before Slack gets its answer, and each round
    trip to the database gives up the GIL to the work running after earlier acks.
    """
    values = {
        "team_id": request.team_id,
        "request_key": request.request_key,
        "listener": request.listener,
        "user_id": request.user_id,
        "body": request.body,
        "context": request.context,
        "received_at": now,
        "lease_until": lease_until,
        "attempts": 1,
    }
    insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(InboxRequest)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(InboxRequest.id)
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(statement).scalar()


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
