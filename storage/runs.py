"""Claims of scheduled occurrences, so that two clocks post each one once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import ScheduledRun


def claim_occurrence(
    session: Session, team_id: str, channel_id: str, job: str, occurrence_date: date
) -> bool:
    return insert_if_absent(
        session,
        ScheduledRun.__table__,
        {
            "team_id": team_id,
            "channel_id": channel_id,
            "job": job,
            "occurrence_date": occurrence_date,
        },
    )


def release_occurrence(
    session: Session, team_id: str, channel_id: str, job: str, occurrence_date: date
) -> None:
    """After a transient failure, so that the next tick tries again."""
    session.execute(
        delete(ScheduledRun).where(
            ScheduledRun.team_id == team_id,
            ScheduledRun.channel_id == channel_id,
            ScheduledRun.job == job,
            ScheduledRun.occurrence_date == occurrence_date,
        )
    )
