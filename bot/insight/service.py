"""The team insight's use cases: figures for the App Home's Team section, and the reply the
first Weekly agenda of each month gets. Database work in short transactions, Slack outside."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.insight.figures import (
    DAILIES_SHOWN,
    ImpedimentItem,
    TeamInsight,
    carried_weeks,
    daily_shares,
    impediment_window_start,
    impediments,
    is_first_weekly_of_month,
)
from bot.insight.render import MAX_CHANNELS, agenda_insight_message
from bot.members import human_members
from bot.posting import Message, post_once
from bot.runtime import Runtime
from bot.schedule import local_date_of
from bot.weekly.service import WeeklyConfig
from storage import insight as store
from storage import weekly as weekly_store
from storage.db import transaction
from storage.models import Weekly

log = logging.getLogger(__name__)


def compute_insight(
    session: Session,
    team_id: str,
    channel_id: str,
    today: date,
    members: Collection[str],
    agenda: Weekly | None = None,
) -> TeamInsight:
    """A channel's figures as of `today` (its local date); carried-over items are those of
    `agenda`, else of the latest agenda up to today."""
    since = impediment_window_start(today)
    dailies = store.held_dailies(session, team_id, channel_id, today, DAILIES_SHOWN)
    updates = set(store.daily_impediments(session, team_id, channel_id, since, today))
    items = [
        ImpedimentItem(*row) for row in store.impediment_items(session, team_id, channel_id, since)
    ]
    resolved = store.resolved_since(session, team_id, channel_id, since)
    agenda = agenda or weekly_store.latest_frozen_weekly(
        session, team_id, channel_id, today + timedelta(days=1)
    )
    firsts = store.carried_over(session, agenda.id) if agenda else []
    return TeamInsight(
        channel_id=channel_id,
        dailies=daily_shares(dailies, members),
        impediments=impediments(updates, items, resolved),
        carried=carried_weeks(firsts, agenda.local_date) if agenda else {},
    )


def _members(runtime: Runtime, client: WebClient, team_id: str, channel_id: str) -> list[str]:
    """The channel's people; none when Slack will not tell (the bot left, the channel is gone):
    the Home is published without that channel rather than not at all."""
    try:
        return human_members(runtime, client, team_id, channel_id)
    except SlackApiError as error:
        log.info("insight: no members of %s/%s: %s", team_id, channel_id, error)
        return []


def home_insights(
    runtime: Runtime, client: WebClient, team_id: str, user_id: str
) -> list[TeamInsight]:
    """The figures of every team channel the person is a member of."""
    with transaction(runtime.sessions) as session:
        channels = store.team_channels(session, team_id, MAX_CHANNELS * 2)
    insights = []
    for channel_id, timezone in channels:
        members = _members(runtime, client, team_id, channel_id)
        if user_id not in members:
            continue
        today = local_date_of(runtime.now(), timezone or runtime.settings.default_timezone)
        with transaction(runtime.sessions) as session:
            insights.append(compute_insight(session, team_id, channel_id, today, members))
        if len(insights) == MAX_CHANNELS:
            break
    return insights


def post_monthly_insight(
    runtime: Runtime, client: WebClient, config: WeeklyConfig, weekly_id: int
) -> None:
    """The first Weekly agenda of a month gets the team's figures as a reply in its thread."""
    with transaction(runtime.sessions) as session:
        weekly = weekly_store.get_weekly(session, weekly_id)
    if weekly.agenda_ts is None or not is_first_weekly_of_month(config.schedule, weekly.local_date):
        return
    # Slack not telling who is in the channel fails the run (the clock tries again): figures
    # without the members would be wrong, not missing.
    members = human_members(runtime, client, config.team_id, config.channel_id)
    with transaction(runtime.sessions) as session:
        weekly = weekly_store.get_weekly(session, weekly_id)
        insight = compute_insight(
            session, config.team_id, config.channel_id, weekly.local_date, members, weekly
        )
    text, blocks = agenda_insight_message(config.language, insight)
    message = Message(config.channel_id, text, blocks, str(weekly.agenda_ts))
    post_once(runtime, client, config.team_id, f"weekly.insight:{weekly_id}", message)
