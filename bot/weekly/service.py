"""The Weekly's use cases around the draft: settings, adding and removing items, decisions.

Posting the call, the agenda and reacting to claims live in `bot.weekly.agenda`. Database work
happens in short transactions and Slack is called outside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.holidays import effective_region
from bot.members import display_names
from bot.posting import request_effect_key
from bot.runtime import Runtime
from bot.schedule import local_now
from bot.text import mentioned_user_ids
from bot.weekly import render
from bot.weekly.rules import (
    DEFAULT_AT,
    DEFAULT_CALL_AT,
    DEFAULT_WEEKDAY,
    FROM_COMMAND,
    AgendaItem,
    ItemState,
    Mark,
    WeeklySchedule,
    item_states,
    next_weekly,
    numbered,
    schedule_from_settings,
)
from storage import weekly as store
from storage.channels import find_channel, update_channel
from storage.db import transaction
from storage.effects import created_once
from storage.models import WeeklyItem

# Before the first Weekly, impediments of the last week's Dailies are on its agenda.
FIRST_WEEKLY_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class WeeklyConfig:
    team_id: str
    channel_id: str
    language: str
    schedule: WeeklySchedule
    active: bool = True


def weekly_config(runtime: Runtime, team_id: str, channel_id: str) -> WeeklyConfig:
    """The channel's Weekly settings; read only (a channel never seen gets the defaults)."""
    with transaction(runtime.sessions) as session:
        row = find_channel(session, team_id, channel_id)
        if row is None:
            return WeeklyConfig(
                team_id=team_id,
                channel_id=channel_id,
                language=runtime.settings.default_language,
                schedule=WeeklySchedule(
                    DEFAULT_WEEKDAY,
                    DEFAULT_AT,
                    DEFAULT_CALL_AT,
                    runtime.settings.default_timezone,
                    runtime.settings.default_holiday_region,
                ),
                active=False,
            )
        return WeeklyConfig(
            team_id=team_id,
            channel_id=channel_id,
            language=row.language or runtime.settings.default_language,
            schedule=schedule_from_settings(
                row.weekly_weekday,
                row.weekly_time,
                row.weekly_call_time,
                row.timezone or runtime.settings.default_timezone,
                effective_region(row.holiday_region, runtime.settings.default_holiday_region),
            ),
            active=row.weekly_active,
        )


def activate(runtime: Runtime, config: WeeklyConfig) -> WeeklyConfig:
    """From the first use of the Weekly in a channel on, the clock posts its call and agenda."""
    if not config.active:
        with transaction(runtime.sessions) as session:
            update_channel(session, config.team_id, config.channel_id, weekly_active=True)
    return replace(config, active=True)


def next_start(runtime: Runtime, config: WeeklyConfig, at: datetime | None = None) -> datetime:
    """The next Weekly's start in the channel's local time."""
    start = next_weekly(config.schedule, at or runtime.now())
    return local_now(start, config.schedule.timezone)


# --- the draft -----------------------------------------------------------------------------


def as_agenda_item(item: WeeklyItem, state: ItemState, carried_over: bool) -> AgendaItem:
    return AgendaItem(
        id=item.id,
        category=item.category,
        text=item.text,
        user_id=item.user_id,
        source=item.source,
        link=item.link,
        carried_over=carried_over,
        claimants=state.claimants,
        resolved=state.resolved,
    )


def states_of(session: Session, item_ids: Sequence[int]) -> dict[int, ItemState]:
    marks = store.marks_of(session, item_ids)
    return item_states(Mark(*row) for row in marks)


def carried_items(session: Session, weekly_id: int) -> list[AgendaItem]:
    """What of a posted agenda carries over: not resolved, not withdrawn by its author."""
    entries = store.entries_of(session, weekly_id)
    states = states_of(session, [item.id for _, item in entries])
    carried = []
    for _, item in entries:
        state = states.get(item.id, ItemState())
        if not state.resolved and item.withdrawn_at is None:
            carried.append(as_agenda_item(item, state, carried_over=True))
    return carried


def sync_impediments(session: Session, config: WeeklyConfig, now: datetime) -> None:
    """Impediments named in the Daily since the last Weekly become items of the next one."""
    previous = store.latest_frozen_weekly(session, config.team_id, config.channel_id)
    since = previous.agenda_frozen_at if previous and previous.agenda_frozen_at else None
    store.sync_daily_impediments(
        session, config.team_id, config.channel_id, since or now - FIRST_WEEKLY_LOOKBACK, now
    )


def draft(runtime: Runtime, config: WeeklyConfig) -> list[AgendaItem]:
    """The next Weekly's items as `/weekly` numbers them: carried over first, then as added."""
    with transaction(runtime.sessions) as session:
        sync_impediments(session, config, runtime.now())
        previous = store.latest_frozen_weekly(session, config.team_id, config.channel_id)
        carried = carried_items(session, previous.id) if previous else []
        new = store.draft_items(session, config.team_id, config.channel_id)
        fresh = [as_agenda_item(item, ItemState(), carried_over=False) for item in new]
    return numbered([*carried, *fresh])


def names_for(
    runtime: Runtime,
    client: WebClient,
    config: WeeklyConfig,
    items: Sequence[AgendaItem],
    language: str | None = None,
) -> dict[str, str]:
    """Display names of authors, owners and everyone an item mentions (shown without ping).

    In the channel's language, which its posts use, unless a reader's `language` is given.
    """
    people = [user for item in items for user in (item.user_id, *item.claimants)]
    mentioned = mentioned_user_ids(" ".join(item.text for item in items))
    return display_names(
        runtime, client, config.team_id, [*people, *mentioned], language or config.language
    )


def show_draft(
    runtime: Runtime, client: WebClient, config: WeeklyConfig, language: str
) -> render.Message:
    items = draft(runtime, config)
    names = names_for(runtime, client, config, items, language)
    return render.draft_message(language, next_start(runtime, config), items, names)


def add_item(
    runtime: Runtime,
    config: WeeklyConfig,
    user_id: str,
    category: str,
    text: str,
    *,
    source: str = FROM_COMMAND,
    link: str | None = None,
    source_user_id: str | None = None,
) -> AgendaItem:
    """Adds an item to the next Weekly not posted yet; returns it with its draft number.

    `source_user_id` is who wrote the message an item was made of, when that is not `user_id`.
    """
    with transaction(runtime.sessions) as session:

        def create() -> int:
            return store.add_item(
                session,
                team_id=config.team_id,
                channel_id=config.channel_id,
                user_id=user_id,
                category=category,
                text=text,
                source=source,
                link=link,
                source_user_id=source_user_id,
                created_at=runtime.now(),
            ).id

        key = request_effect_key("weekly-item")
        item_id = created_once(session, config.team_id, key, WeeklyItem, create)
        item = session.get_one(WeeklyItem, item_id)
    added = next((entry for entry in draft(runtime, config) if entry.id == item_id), None)
    return added or as_agenda_item(item, ItemState(), carried_over=False)


@dataclass(frozen=True)
class Removal:
    """What `/weekly remove N` did: `error` is a message key when nothing was removed."""

    item: AgendaItem | None
    error: str | None = None


def remove_item(runtime: Runtime, config: WeeklyConfig, user_id: str, number: int) -> Removal:
    chosen = next((item for item in draft(runtime, config) if item.number == number), None)
    if chosen is None:
        return Removal(None, "weekly.error.no_such_item")
    if chosen.user_id != user_id:
        return Removal(chosen, "weekly.error.not_yours")
    with transaction(runtime.sessions) as session:
        store.remove_item(session, store.get_item(session, chosen.id), runtime.now())
    return Removal(chosen)


def permalink_of(client: WebClient, channel_id: str, ts: str) -> str | None:
    """A link is a convenience: without one (Slack said no) the item or decision still counts."""
    try:
        return str(client.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"])
    except SlackApiError:
        return None


def without_numbers(items: Sequence[AgendaItem]) -> list[AgendaItem]:
    """Channel posts show bullets: numbers are the draft's, for the person who asks."""
    return [replace(item, number=0) for item in items]
