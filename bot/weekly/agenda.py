"""The Weekly in the channel: the call for items, the agenda thread, claims by reaction.

Posts are idempotent like the Daily's: one `weeklies` row per channel and meeting date, and the
call, the agenda's parent and each item's reply go out once through `bot.posting`, so a process
killed mid-way does not lose the agenda and a re-run completes it.

The parent re-render is serialised per Weekly: every change bumps `state_version` in the same
transaction that stores it, and one process at a time holds the render claim, updating the
parent until what it showed is the latest version. A change committed while someone else renders
is therefore always shown, by them, and concurrent reactions cost few `chat.update` calls.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk import WebClient

from bot.insight.service import post_monthly_insight
from bot.members import display_names
from bot.okr.service import agenda_section, call_lines
from bot.posting import Message, post_once
from bot.radar.service import flag_mentions
from bot.runtime import Runtime
from bot.text import mentioned_user_ids
from bot.weekly import render
from bot.weekly.rules import (
    AgendaItem,
    ItemState,
    agenda_date_for,
    is_newer,
    reaction_kind,
)
from bot.weekly.service import (
    WeeklyConfig,
    as_agenda_item,
    carried_items,
    draft,
    names_for,
    next_start,
    states_of,
    sync_impediments,
    weekly_config,
    without_numbers,
)
from storage import weekly as store
from storage.db import transaction
from storage.models import Weekly

log = logging.getLogger(__name__)


# --- the call for items --------------------------------------------------------------------


def post_call(runtime: Runtime, client: WebClient, config: WeeklyConfig, at: datetime) -> None:
    """Once per Weekly; a re-run edits the call with what is on the agenda by now."""
    start = next_start(runtime, config, at)
    with transaction(runtime.sessions) as session:
        weekly = store.get_or_create_weekly(
            session, config.team_id, config.channel_id, start.date()
        )
    if weekly.agenda_frozen_at is not None:
        return  # the agenda is out; calling for items now would only confuse
    items = without_numbers(draft(runtime, config))
    okr_lines = call_lines(runtime, config.team_id, config.channel_id, config.language)
    text, blocks = render.call_message(
        config.language, start, items, names_for(runtime, client, config, items), okr_lines
    )
    if weekly.call_ts is not None:
        client.chat_update(channel=config.channel_id, ts=weekly.call_ts, text=text, blocks=blocks)
        return
    ts = post_once(
        runtime,
        client,
        config.team_id,
        f"weekly.call:{weekly.id}",
        Message(config.channel_id, text, blocks),
    )
    with transaction(runtime.sessions) as session:
        store.set_columns(session, weekly.id, call_ts=ts)


# --- the agenda ----------------------------------------------------------------------------


def post_agenda(runtime: Runtime, client: WebClient, config: WeeklyConfig, at: datetime) -> Weekly:
    """The agenda of the Weekly due at `at` (or the next): a parent and one reply per item.

    Each post goes out once (`bot.posting`), so two runners at once, or a re-run after a crash,
    complete the same agenda instead of posting a second one.
    """
    day = agenda_date_for(config.schedule, at)
    with transaction(runtime.sessions) as session:
        weekly = store.get_or_create_weekly(session, config.team_id, config.channel_id, day)
    if weekly.agenda_done_at is not None:
        refresh_parent(runtime, client, config, weekly.id)  # a re-run shows the latest
        return weekly
    _freeze(runtime, config, weekly.id, day)
    _post_parent(runtime, client, config, weekly.id)
    _post_replies(runtime, client, config, weekly.id)
    post_monthly_insight(runtime, client, config, weekly.id)
    with transaction(runtime.sessions) as session:
        store.set_columns(session, weekly.id, agenda_done_at=runtime.now())
        return store.get_weekly(session, weekly.id)


def _freeze(runtime: Runtime, config: WeeklyConfig, weekly_id: int, day: date) -> None:
    """Fix the agenda's items once: the previous agenda's open items, then the drafts."""
    with transaction(runtime.sessions) as session:
        weekly = store.lock_weekly(session, weekly_id)
        if weekly.agenda_frozen_at is not None:
            return
        sync_impediments(session, config, runtime.now())
        previous = store.latest_frozen_weekly(session, config.team_id, config.channel_id, day)
        carried = [item.id for item in carried_items(session, previous.id)] if previous else []
        new = [item.id for item in store.draft_items(session, config.team_id, config.channel_id)]
        store.freeze_agenda(session, weekly, carried, new, runtime.now())


def _post_parent(runtime: Runtime, client: WebClient, config: WeeklyConfig, weekly_id: int) -> None:
    view = _agenda_view(runtime, client, config, weekly_id)
    if view.agenda_ts is not None:
        return
    text, blocks = view.message
    ts = post_once(
        runtime,
        client,
        config.team_id,
        f"weekly.agenda:{weekly_id}",
        Message(config.channel_id, text, blocks),
    )
    with transaction(runtime.sessions) as session:
        store.set_columns(session, weekly_id, agenda_ts=ts)


def _post_replies(
    runtime: Runtime, client: WebClient, config: WeeklyConfig, weekly_id: int
) -> None:
    with transaction(runtime.sessions) as session:
        weekly = store.get_weekly(session, weekly_id)
        pending = [
            (entry.id, as_agenda_item(item, ItemState(), entry.carried_over), item.weekly_id)
            for entry, item in store.entries_of(session, weekly_id)
            if entry.reply_ts is None
        ]
        first_dates = {
            first: store.get_weekly(session, first).local_date
            for _, _, first in pending
            if first is not None and first != weekly_id
        }
    if not pending:
        return
    names = names_for(runtime, client, config, [item for _, item, _ in pending])
    for entry_id, item, first_weekly in pending:
        carried_from = first_dates.get(first_weekly) if item.carried_over and first_weekly else None
        text, blocks = render.item_reply(config.language, item, names, carried_from)
        ts = post_item_reply(
            runtime, client, config, f"weekly.item:{entry_id}", str(weekly.agenda_ts), text, blocks
        )
        with transaction(runtime.sessions) as session:
            store.record_reply(session, entry_id, ts)
        flag_mentions(
            runtime,
            client,
            config.team_id,
            config.channel_id,
            str(weekly.agenda_ts),
            item.text,
            item.user_id,
        )


def post_item_reply(
    runtime: Runtime,
    client: WebClient,
    config: WeeklyConfig,
    key: str,
    agenda_ts: str,
    text: str,
    blocks: list[dict],
) -> str:
    """The one place an agenda item becomes its own reply in the thread (people react to it;
    hooks that answer in an item's thread start from the ts returned here)."""
    return post_once(
        runtime, client, config.team_id, key, Message(config.channel_id, text, blocks, agenda_ts)
    )


@dataclass(frozen=True)
class AgendaView:
    agenda_ts: str | None
    message: render.Message


def _agenda_view(
    runtime: Runtime, client: WebClient, config: WeeklyConfig, weekly_id: int
) -> AgendaView:
    """The parent as the stored state says now: items with owners, resolved, decisions."""
    with transaction(runtime.sessions) as session:
        weekly = store.get_weekly(session, weekly_id)
        entries = store.entries_of(session, weekly_id)
        states = states_of(session, [item.id for _, item in entries])
        items: list[AgendaItem] = [
            as_agenda_item(item, states.get(item.id, ItemState()), entry.carried_over)
            for entry, item in entries
        ]
        decisions = [
            render.DecisionFacts(row.text, row.user_id, weekly.local_date, row.permalink)
            for row in store.decisions_of_weekly(session, weekly_id)
        ]
    names = names_for(runtime, client, config, items)
    if decisions:
        decision_people = [d.user_id for d in decisions]
        decision_people += mentioned_user_ids(" ".join(d.text for d in decisions))
        names |= display_names(runtime, client, config.team_id, decision_people, config.language)
    okr_section = agenda_section(runtime, weekly, config.language)
    message = render.agenda_message(
        config.language, weekly.local_date, items, decisions, names, okr_section
    )
    return AgendaView(weekly.agenda_ts, message)


# --- claims and resolution by reaction -----------------------------------------------------


@dataclass(frozen=True)
class ReactionEvent:
    team_id: str
    channel_id: str
    message_ts: str
    user_id: str
    reaction: str
    added: bool
    event_ts: str


def apply_reaction(runtime: Runtime, client: WebClient, event: ReactionEvent) -> bool:
    """Store what a reaction on an item reply means; True when the agenda changed.

    Reactions elsewhere, and other emoji, change nothing. Of two events about the same mark,
    the later one (by Slack's event time) wins, whatever order they arrive in.
    """
    kind = reaction_kind(event.reaction)
    if kind is None:
        return False
    with transaction(runtime.sessions) as session:
        entry = store.entry_by_reply(session, event.team_id, event.channel_id, event.message_ts)
        if entry is None:
            return False
        mark = store.lock_mark(session, entry, event.user_id, kind, runtime.now())
        if not is_newer(event.event_ts, mark.event_ts):
            return False
        changed = mark.active != event.added
        mark.active, mark.event_ts, mark.updated_at = event.added, event.event_ts, runtime.now()
        if not changed:
            return False
        to_render = [
            weekly_id
            for weekly_id in sorted(store.weeklies_showing(session, entry.item_id))
            if store.bump_and_claim_render(session, weekly_id, runtime.now())
        ]
    if to_render:
        config = weekly_config(runtime, event.team_id, event.channel_id)
        for weekly_id in to_render:
            _render_until_current(runtime, client, config, weekly_id)
    return True


def refresh_parent(
    runtime: Runtime, client: WebClient, config: WeeklyConfig, weekly_id: int
) -> None:
    """Show the latest state in the parent (after a decision, or on a re-run)."""
    with transaction(runtime.sessions) as session:
        mine = store.bump_and_claim_render(session, weekly_id, runtime.now())
    if mine:
        _render_until_current(runtime, client, config, weekly_id)


def _render_until_current(
    runtime: Runtime, client: WebClient, config: WeeklyConfig, weekly_id: int
) -> None:
    """Holding the render claim: update the parent until no change came in meanwhile."""
    try:
        while True:
            with transaction(runtime.sessions) as session:
                version = store.state_version(session, weekly_id)
            view = _agenda_view(runtime, client, config, weekly_id)
            if view.agenda_ts is not None:
                text, blocks = view.message
                client.chat_update(
                    channel=config.channel_id, ts=view.agenda_ts, text=text, blocks=blocks
                )
            with transaction(runtime.sessions) as session:
                if store.finish_render(session, weekly_id, version):
                    return
    except Exception:
        with transaction(runtime.sessions) as session:
            store.set_columns(session, weekly_id, render_claimed_at=None)
        raise
