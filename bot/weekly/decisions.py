"""The decision log: `/weekly decide` posts in the current agenda's thread, `/weekly decisions`
lists the recent ones with their dates and links."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.members import display_names
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
    """Stored, then posted in the current agenda's thread (before any agenda: in the channel).

    A post Slack refuses leaves no decision behind that nobody saw.
    """
    with transaction(runtime.sessions) as session:
        weekly = store.latest_posted_weekly(session, config.team_id, config.channel_id)
        decision = store.add_decision(
            session,
            team_id=config.team_id,
            channel_id=config.channel_id,
            weekly_id=weekly.id if weekly else None,
            user_id=user_id,
            text=text,
            created_at=runtime.now(),
        )
        decision_id = decision.id
    people = [user_id, *mentioned_user_ids(text)]
    names = display_names(runtime, client, config.team_id, people, config.language)
    fallback, blocks = render.decision_post(config.language, text, user_id, names)
    try:
        response = client.chat_postMessage(
            channel=config.channel_id,
            thread_ts=weekly.agenda_ts if weekly else None,
            text=fallback,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError:
        with transaction(runtime.sessions) as session:
            store.delete_decision(session, decision_id)
        raise
    ts = str(response["ts"])
    permalink = permalink_of(client, config.channel_id, ts)
    with transaction(runtime.sessions) as session:
        store.record_decision_post(session, decision_id, ts, permalink)
    if weekly is not None:
        refresh_parent(runtime, client, config, weekly.id)
    return Decision(weekly.id if weekly else None, permalink)


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
