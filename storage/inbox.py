"""Queries of the durable inbox: Slack requests stored before their ack, worked off after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.orm import Session

from storage.group_insert import InsertStatement, group_insert
from storage.models import InboxRequest
from storage.plain import stored_value


@dataclass(frozen=True)
class StoredRequest:
    team_id: str
    request_key: str
    listener: str
    user_id: str | None
    body: str
    context: str


INSERT = InsertStatement(
    table=InboxRequest.__tablename__,
    columns=(
        "team_id",
        "request_key",
        "listener",
        "user_id",
        "body",
        "context",
        "received_at",
        "lease_until",
        "attempts",
    ),
    unique=("team_id", "request_key"),
)


def store_request(
    engine: Engine, request: StoredRequest, now: datetime, lease_until: datetime | None
) -> int | None:
    """The new row's id, leased to the caller until `lease_until` (None: free for whoever takes
    it up first, e.g. `serve`'s inbox worker); None when the request was seen before.

    This runs before Slack gets its answer, so it is plain SQL on a driver connection the
    process keeps for it, and the requests that come together are committed together
    (`storage.group_insert`): SQLAlchemy's statement building, the pool's checkout and a commit
    per request cost more than the rest of the ack (bench/ack_latency.py, bench/ack_cpu.py).
    """
    sqlite = engine.dialect.name == "sqlite"
    return group_insert(engine, INSERT).insert(
        (
            request.team_id,
            request.request_key,
            request.listener,
            request.user_id,
            request.body,
            request.context,
            stored_value(now, sqlite=sqlite),
            None if lease_until is None else stored_value(lease_until, sqlite=sqlite),
            # Taking a request up counts an attempt; a request leased here is being attempted.
            0 if lease_until is None else 1,
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
