"""The decision log: `/weekly decide` posts in the current agenda's thread, `/weekly decisions`
lists the recent ones with their dates and links."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot.members import display_names
from bot.posting import Message, post_once, request_post_key
from bot.runtime import Runtime
from bot.schedule import local_date_of
from bot.text import mentioned_user_ids
from bot.weekly import render
from bot.weekly.agenda import refresh_parent
from bot.weekly.service import WeeklyConfig, permalink_of
from storage import weekly as store
from storage.db import transaction

RECENT_DECISIONS = 10


@dataclass(frozen=True)
class Decision:
    weekly_id: int | None
    permalink: str | None


def record_decision(
    runtime: Runtime, client: WebClient, config: WeeklyConfig, user_id: str, text: str
) -> Decision:
    """Posted in the current agenda's thread (before any agenda: in the channel), then stored.

    Posting first means a post Slack refuses leaves no decision behind that nobody saw, and a
    request worked off again after a crash finds its post (the key comes from the request)
    and stores the decision once.
    """
    with transaction(runtime.sessions) as session:
        weekly = store.latest_posted_weekly(session, config.team_id, config.channel_id)
        weekly_id, thread_ts = (weekly.id, weekly.agenda_ts) if weekly else (None, None)
    people = [user_id, *mentioned_user_ids(text)]
    names = display_names(runtime, client, config.team_id, people, config.language)
    fallback, blocks = render.decision_post(config.language, text, user_id, names)
    message = Message(config.channel_id, fallback, blocks, thread_ts)
    ts = post_once(runtime, client, config.team_id, request_post_key("weekly-decision"), message)
    permalink = permalink_of(client, config.channel_id, ts)
    with transaction(runtime.sessions) as session:
        if store.decision_posted_as(session, config.team_id, config.channel_id, ts) is None:
            store.add_decision(
                session,
                team_id=config.team_id,
                channel_id=config.channel_id,
                weekly_id=weekly_id,
                user_id=user_id,
                text=text,
                created_at=runtime.now(),
                posted_ts=ts,
                permalink=permalink,
            )
    if weekly_id is not None:
        refresh_parent(runtime, client, config, weekly_id)
    return Decision(weekly_id, permalink)


def recent_decisions(
    runtime: Runtime, client: WebClient, config: WeeklyConfig, language: str
) -> render.Message:
    with transaction(runtime.sessions) as session:
        rows = store.recent_decisions(session, config.team_id, config.channel_id, RECENT_DECISIONS)
        decisions = [
            render.DecisionFacts(
                text=row.text,
                user_id=row.user_id,
                day=local_date_of(row.created_at, config.schedule.timezone),
                permalink=row.permalink,
            )
            for row in rows
        ]
    names = display_names(
        runtime,
        client,
        config.team_id,
        [
            *(decision.user_id for decision in decisions),
            *mentioned_user_ids(" ".join(decision.text for decision in decisions)),
        ],
        language,
    )
    return render.decisions_list(language, decisions, names)
