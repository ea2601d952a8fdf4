"""Publishing a person's App Home: gathering their week, `views.publish` guarded by its hash.

Two processes may republish one person's Home at once (a command and a reaction). Each
publishes with the hash of the view it last saw; Slack refuses a stale hash (`hash_conflict`),
and the loser renders again from the database — which by then holds the winner's change too —
and publishes over the winner's view. So the Home that stays was rendered after every change
that republished it.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.board.service import boards_in, radar_hints
from bot.home.render import DailyFacts, HomeFacts, ItemFacts, RadarFacts, home_view
from bot.insight.render import home_team_blocks
from bot.insight.service import home_insights
from bot.members import user_language
from bot.runtime import Runtime
from storage import board as store
from storage.db import transaction

log = logging.getLogger(__name__)

PUBLISH_ATTEMPTS = 3


def home_facts(
    runtime: Runtime, client: WebClient, team_id: str, user_id: str, language: str
) -> HomeFacts:
    """Everything the person's Home shows, in a few queries (one transaction)."""
    with transaction(runtime.sessions) as session:
        cards = boards_in(session, runtime, team_id, [user_id])[user_id]
        dailies = [
            DailyFacts(channel_id, day, update.plan, update.highlight, update.impediment)
            for channel_id, day, update in store.latest_updates(session, team_id, user_id)
        ]
        items = [
            ItemFacts(item.channel_id, item.category, item.text)
            for item in store.open_items(session, team_id, user_id)
        ]
        items += [
            ItemFacts(item.channel_id, item.category, item.text, True, weekly.local_date)
            for item, weekly in store.claimed_items(session, team_id, user_id)
        ]
        radar = [
            RadarFacts(row.company, known=False, detail=row.note)
            for row in store.own_prospects(session, team_id, user_id)
        ]
        radar += [
            RadarFacts(row.company, known=True, detail=row.contact)
            for row in store.own_contacts(session, team_id, user_id)
        ]
    hints = radar_hints(runtime, client, team_id, cards, language)
    return HomeFacts(cards=cards, hints=hints, dailies=dailies, items=items, radar=radar)


def publish_home(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    user_id: str,
    seen_hash: str | None = None,
) -> bool:
    """Render and publish the person's Home; True when Slack took it.

    `seen_hash` is given when Slack just reported the Home opened (`app_home_opened`): the
    hash of the view it shows ("" when none yet). Otherwise, and after a conflict, the hash
    of our last publish is used.
    """
    language = user_language(runtime, client, team_id, user_id)
    view_hash = seen_hash
    for attempt in range(1, PUBLISH_ATTEMPTS + 1):
        if view_hash is None or attempt > 1:
            with transaction(runtime.sessions) as session:
                home = store.home_of(session, team_id, user_id)
                view_hash = home.view_hash if home else None
        facts = home_facts(runtime, client, team_id, user_id, language)
        team = home_team_blocks(language, home_insights(runtime, client, team_id, user_id))
        view = home_view(language, facts, team)
        # The last try goes without a hash: one we lost track of (a publish whose answer was
        # lost) must not keep the Home stale for good, and this view was just rendered.
        guard = {"hash": view_hash} if view_hash and attempt < PUBLISH_ATTEMPTS else {}
        try:
            answer = client.views_publish(user_id=user_id, view=view, **guard)
        except SlackApiError as error:
            if error.response.get("error") == "hash_conflict":
                log.info("home of %s/%s: published meanwhile, rendering again", team_id, user_id)
                continue
            raise
        published = str((answer.get("view") or {}).get("hash") or "")
        with transaction(runtime.sessions) as session:
            store.record_published(
                session, team_id, user_id, published, runtime.now(), seen_hash is not None
            )
        return True
    return False


def refresh_if_open(runtime: Runtime, client: WebClient, team_id: str, user_id: str) -> bool:
    """After a change to the person's data: republish their Home if they have one open.

    Slack says when a Home is opened, never when it is closed, so "open" means published
    before: a closed Home republished is what the person sees when they come back anyway.
    """
    with transaction(runtime.sessions) as session:
        home = store.home_of(session, team_id, user_id)
    if home is None:
        return False
    return publish_home(runtime, client, team_id, user_id)
