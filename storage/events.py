"""Slack event deduplication by `event_id`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import ProcessedEvent


def first_delivery(session: Session, team_id: str, event_id: str) -> bool:
    """Record the event; False when it was seen before (a Slack retry)."""
    return insert_if_absent(
        session, ProcessedEvent.__table__, {"team_id": team_id, "event_id": event_id}
    )


def forget_events_before(session: Session, cutoff: datetime) -> int:
    """Slack stops retrying after minutes; a day of history is plenty."""
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
