"""Rows created once per Slack request, however often the request is worked off.

The durable inbox delivers a request at least once: a process that dies after its work
committed and before the inbox marked the request done leaves it to be worked off again. Rows
with a natural key (one Daily update per person and Daily) settle that by themselves; rows that
are simply added (a Weekly item, a card, an objective, a check-in) record the request's key
here in the same transaction, so the second time finds the first row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import RequestEffect
from storage.types import utc_now


def created_once(
    session: Session, team_id: str, key: str | None, model: Any, create: Callable[[], int]
) -> int:
    """The id of the `model` row this request creates: made by `create` (which returns the new
    row's id) the first time, the recorded one when the request is worked off again. A row
    removed in the minutes between is made again rather than failing the request. Without a key
    (outside a Slack request) it just creates."""
    if key is None:
        return create()
    found = session.scalar(
        select(RequestEffect).where(
            RequestEffect.team_id == team_id, RequestEffect.effect_key == key
        )
    )
    if found is not None:
        if session.get(model, found.row_id) is not None:
            return found.row_id
        session.delete(found)
        session.flush()
    row_id = create()
    session.add(RequestEffect(team_id=team_id, effect_key=key, row_id=row_id, created_at=utc_now()))
    session.flush()
    return row_id


def forget_effects_before(session: Session, cutoff: datetime) -> None:
    session.execute(delete(RequestEffect).where(RequestEffect.created_at < cutoff))
