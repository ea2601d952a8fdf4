"""Sprint planning in the Weekly: as the agenda is posted, its thread gets one reply per member
who has cards — done since the last Weekly, planned this week (`todo`, `doing`), and `long` —
so "what did we do, what do we plan" needs no retyping.

Each reply goes out once (`bot.posting`, key `board.sprint:<weekly>:<member>`): a re-run of
the agenda, or a second clock, completes the replies and never repeats one.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.board.service import sprint_messages
from bot.posting import Message, post_once
from bot.runtime import Runtime
from storage import weekly as weekly_store
from storage.db import transaction
from storage.models import Weekly


def post_sprint_planning(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    channel_id: str,
    language: str,
    weekly: Weekly,
) -> int:
    """The members' boards as replies in the agenda's thread; returns how many there are."""
    if weekly.agenda_ts is None:
        return 0
    with transaction(runtime.sessions) as session:
        previous = weekly_store.latest_frozen_weekly(
            session, team_id, channel_id, before=weekly.local_date
        )
        done_since = previous.agenda_frozen_at if previous else None
    replies = sprint_messages(runtime, client, team_id, channel_id, language, done_since)
    for user_id, (text, blocks) in replies:
        post_once(
            runtime,
            client,
            team_id,
            f"board.sprint:{weekly.id}:{user_id}",
            Message(channel_id, text, blocks, weekly.agenda_ts),
        )
    return len(replies)
