"""Queries of the post-once protocol (`bot.posting`): one `slack_posts` row per intended post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from storage.db import insert_if_absent
from storage.models import SlackPost
from storage.plain import PlainSql, run_plain

# Every post runs two or three of these: plain SQL on the driver (`storage.plain`).
_TAKE_NEW = PlainSql.of(
    """
    INSERT INTO slack_posts
        (team_id, post_key, channel_id, thread_ts, uncertain, lease_until, first_attempt_at,
         created_at)
    VALUES (:team_id, :post_key, :channel_id, :thread_ts, :uncertain, :lease_until, :now, :now)
    ON CONFLICT DO NOTHING
    RETURNING id
    """
)
_RECORD = PlainSql.of(
    "UPDATE slack_posts SET ts = :ts, lease_until = NULL, uncertain = :uncertain WHERE id = :id"
)
_RELEASE = PlainSql.of(
    "UPDATE slack_posts SET lease_until = NULL, uncertain = :uncertain"
    " WHERE id = :id AND ts IS NULL"
)


@dataclass(frozen=True)
class PostState:
    """What a poster needs to know about one intended post."""

    post_id: int
    ts: str | None
    # Taken now by this caller: it must post (after looking, when `look_first`).
    taken: bool
    # An earlier attempt got no answer: Slack may have posted it.
    look_first: bool
    first_attempt_at: datetime | None


def take_new_post(
    engine: Engine,
    team_id: str,
    post_key: str,
    channel_id: str,
    thread_ts: str | None,
    now: datetime,
    lease_until: datetime,
) -> PostState | None:
    """The usual case, a post never tried before, in one statement: its row inserted already
    taken (leased, attempt marked uncertain). None when the row exists: see `take_post`."""
    row = {
        "team_id": team_id,
        "post_key": post_key,
        "channel_id": channel_id,
        "thread_ts": thread_ts,
        "uncertain": True,
        "lease_until": lease_until,
        "now": now,
    }
    taken = run_plain(engine, _TAKE_NEW, row)
    return PostState(int(taken[0][0]), None, True, False, now) if taken else None


def take_post(
    session: Session,
    team_id: str,
    post_key: str,
    channel_id: str,
    thread_ts: str | None,
    now: datetime,
    lease_until: datetime,
) -> PostState:
    """The post's row, locked; taken (lease set, attempt marked uncertain) when free."""
    insert_if_absent(
        session,
        SlackPost.__table__,
        {
            "team_id": team_id,
            "post_key": post_key,
            "channel_id": channel_id,
            "thread_ts": thread_ts,
            "uncertain": False,
            "created_at": now,
        },
    )
    row = session.scalars(
        select(SlackPost)
        .where(SlackPost.team_id == team_id, SlackPost.post_key == post_key)
        .with_for_update()
    ).one()
    if row.ts is not None:
        return PostState(row.id, row.ts, False, False, row.first_attempt_at)
    if row.lease_until is not None and row.lease_until > now:
        return PostState(row.id, None, False, False, row.first_attempt_at)
    look_first = row.uncertain
    # Marked uncertain before the call: if this process dies during it, the next poster looks.
    row.uncertain = True
    row.lease_until = lease_until
    row.first_attempt_at = row.first_attempt_at or now
    return PostState(row.id, None, True, look_first, row.first_attempt_at)


def posted_ts(session: Session, post_id: int) -> str | None:
    return session.scalar(select(SlackPost.ts).where(SlackPost.id == post_id))


def record_posted(engine: Engine, post_id: int, ts: str) -> None:
    run_plain(engine, _RECORD, {"id": post_id, "ts": ts, "uncertain": False})


def release_post(engine: Engine, post_id: int, *, uncertain: bool) -> None:
    """After a failed attempt: Slack's error answer means nothing was posted; a lost answer
    (`uncertain`) means it may have been."""
    run_plain(engine, _RELEASE, {"id": post_id, "uncertain": uncertain})


def forget_posts_before(session: Session, cutoff: datetime) -> None:
    """Posted rows are kept a while so a re-run finds its ts; the pillars keep their own."""
    session.execute(
        delete(SlackPost).where(SlackPost.created_at < cutoff, SlackPost.ts.is_not(None))
    )
