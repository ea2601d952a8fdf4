"""The OKRs' use cases, shared by `/okr`, the Weekly's check-in modal and the Weekly's posts.

Every change locks the channel's open objectives first (`open_okrs(lock=True)`), so two adds at
once cannot take the same number and a check-in cannot land on a key result being removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot import blocks as bk
from bot.members import display_names
from bot.okr import render
from bot.okr.parse import Quarter
from bot.okr.rules import (
    Change,
    KeyResult,
    Objective,
    OkrSet,
    change_since,
    closing_quarter,
    next_number,
    stale,
)
from bot.posting import Message, post_once, request_effect_key
from bot.runtime import Runtime
from bot.schedule import local_date_of
from bot.weekly.service import weekly_config
from storage import okr as store
from storage import weekly as weekly_store
from storage.db import transaction
from storage.effects import created_once
from storage.models import OkrCheckIn, OkrKeyResult, OkrObjective, Weekly


@dataclass(frozen=True)
class OkrChannel:
    """Where the OKRs live: the channel, its language (for its posts) and time zone."""

    team_id: str
    channel_id: str
    language: str
    timezone: str


def okr_channel(runtime: Runtime, team_id: str, channel_id: str) -> OkrChannel:
    config = weekly_config(runtime, team_id, channel_id)
    return OkrChannel(team_id, channel_id, config.language, config.schedule.timezone)


@dataclass(frozen=True)
class Outcome:
    """What a change did: the objective or key result concerned, or the message key of why
    nothing was stored (with the values the message names)."""

    objective: Objective | None = None
    key_result: KeyResult | None = None
    error: str | None = None
    detail: dict[str, Any] | None = None


def open_set(runtime: Runtime, where: OkrChannel) -> OkrSet:
    with transaction(runtime.sessions) as session:
        return store.open_okrs(session, where.team_id, where.channel_id)


def add_objective(runtime: Runtime, client: WebClient, where: OkrChannel, text: str) -> Objective:
    """A new objective, announced in the channel (once, whatever retries)."""
    with transaction(runtime.sessions) as session:
        okrs = store.open_okrs(session, where.team_id, where.channel_id, lock=True)

        def create() -> int:
            number = next_number(o.number for o in okrs.objectives)
            return store.add_objective(
                session, where.team_id, where.channel_id, number, text, runtime.now()
            ).id

        key = request_effect_key("okr-objective")
        made = created_once(session, where.team_id, key, OkrObjective, create)
        okrs = store.open_okrs(session, where.team_id, where.channel_id)
        objective = next(o for o in okrs.objectives if o.id == made)
    message = render.objective_post(where.language, objective)
    _post(runtime, client, where, f"okr.objective:{objective.id}", message)
    return objective


def add_key_result(
    runtime: Runtime, where: OkrChannel, objective: int, text: str, target: float, unit: str
) -> Outcome:
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        okrs = store.open_okrs(session, where.team_id, where.channel_id, lock=True)
        found = okrs.objective(objective)
        if found is None:
            return Outcome(error="okr.error.no_objective", detail={"number": objective})

        def create() -> int:
            number = next_number(kr.number for kr in found.key_results)
            return store.add_key_result(
                session, where.team_id, where.channel_id, found, number, text, target, unit, now
            ).id

        key = request_effect_key("okr-key-result")
        made = created_once(session, where.team_id, key, OkrKeyResult, create)
        okrs = store.open_okrs(session, where.team_id, where.channel_id)
        kr = next(kr for kr in okrs.key_results if kr.id == made)
    return Outcome(objective=found, key_result=kr)


def check_in(
    runtime: Runtime,
    client: WebClient,
    where: OkrChannel,
    user_id: str,
    value: float,
    note: str | None,
    *,
    label: tuple[int, int] | None = None,
    key_result_id: int | None = None,
) -> Outcome:
    """A check-in on a key result named by its label (`/okr check`) or id (the modal). With a
    note it is posted in the channel, its author named without a ping."""
    with transaction(runtime.sessions) as session:
        okrs = store.open_okrs(session, where.team_id, where.channel_id, lock=True)
        found = next(
            (
                kr
                for kr in okrs.key_results
                if kr.id == key_result_id or (label and (kr.objective_number, kr.number) == label)
            ),
            None,
        )
        if found is None and label:
            shown = f"KR{label[0]}.{label[1]}"
            return Outcome(error="okr.error.no_key_result", detail={"label": shown})
        if found is None:
            return Outcome(error="okr.error.key_result_gone")

        def create() -> int:
            return store.add_check_in(
                session, where.team_id, where.channel_id, found.id, value, note, user_id, now
            )

        now = runtime.now()
        key = request_effect_key("okr-check-in")
        check_in_id = created_once(session, where.team_id, key, OkrCheckIn, create)
        updated = store.open_okrs(session, where.team_id, where.channel_id).key_result(
            found.objective_number, found.number
        )
    if note and updated is not None:
        name = display_names(runtime, client, where.team_id, [user_id], where.language)[user_id]
        message = render.check_in_post(where.language, updated, note, name)
        _post(runtime, client, where, f"okr.check_in:{check_in_id}", message)
    return Outcome(key_result=updated)


def remove(runtime: Runtime, where: OkrChannel, objective: int, key_result: int | None) -> Outcome:
    with transaction(runtime.sessions) as session:
        okrs = store.open_okrs(session, where.team_id, where.channel_id, lock=True)
        found = okrs.objective(objective)
        if found is None:
            return Outcome(error="okr.error.no_objective", detail={"number": objective})
        if key_result is None:
            store.remove_objective(session, where.team_id, found.id)
            return Outcome(objective=found)
        kr = okrs.key_result(objective, key_result)
        if kr is None:
            label = f"KR{objective}.{key_result}"
            return Outcome(error="okr.error.no_key_result", detail={"label": label})
        store.remove_key_result(session, where.team_id, kr.id)
        return Outcome(objective=found, key_result=kr)


def close(
    runtime: Runtime, client: WebClient, where: OkrChannel, quarter: Quarter | None
) -> str | None:
    """Archives the open set under its quarter and posts how it ended; the quarter, or None
    when nothing was open."""
    now = runtime.now()
    name = str(quarter or closing_quarter(local_date_of(now, where.timezone)))
    with transaction(runtime.sessions) as session:
        okrs = store.open_okrs(session, where.team_id, where.channel_id, lock=True)
        if not okrs.objectives:
            return None
        store.close_open(session, where.team_id, where.channel_id, name, now)
    message = render.close_post(where.language, name, okrs.objectives)
    _post(runtime, client, where, f"okr.close:{okrs.objectives[0].id}", message)
    return name


def archive(
    runtime: Runtime, where: OkrChannel, quarter: Quarter | None
) -> tuple[str | None, list[Objective], list[str]]:
    """An archived quarter (default: the latest): its name, objectives, and every archived
    quarter of the channel."""
    with transaction(runtime.sessions) as session:
        quarters = store.archived_quarters(session, where.team_id, where.channel_id)
        name = str(quarter) if quarter else (quarters[0] if quarters else None)
        if name is None:
            return None, [], quarters
        return name, store.archived_okrs(session, where.team_id, where.channel_id, name), quarters


# --- the Weekly ----------------------------------------------------------------------------


def agenda_section(runtime: Runtime, weekly: Weekly, language: str) -> list[bk.Block]:
    """The OKR part of a Weekly's agenda parent: open key results with the change since the
    channel's previous Weekly (none before the first)."""
    with transaction(runtime.sessions) as session:
        okrs = store.open_okrs(session, weekly.team_id, weekly.channel_id)
        if not okrs.key_results:
            return []
        previous = weekly_store.latest_frozen_weekly(
            session, weekly.team_id, weekly.channel_id, before=weekly.local_date
        )
    since = previous.agenda_frozen_at if previous else None
    changes = _changes(okrs.key_results, since)
    return render.agenda_section(language, okrs, changes, weekly.id)


def _changes(key_results: Sequence[KeyResult], since: datetime | None) -> dict[int, Change]:
    if since is None:
        return {}
    return {kr.id: change_since(kr, since) for kr in key_results}


def call_lines(runtime: Runtime, team_id: str, channel_id: str, language: str) -> list[str]:
    """For the call for items: the key results nobody checked in for seven days."""
    with transaction(runtime.sessions) as session:
        okrs = store.open_okrs(session, team_id, channel_id)
    return render.call_lines(language, stale(okrs.key_results, runtime.now()))


def check_in_modal(
    runtime: Runtime, team_id: str, channel_id: str, weekly_id: int | None, language: str
) -> bk.Block | None:
    """The check-in modal of the channel's open key results; None when there are none."""
    where = OkrChannel(team_id, channel_id, language, "UTC")
    okrs = open_set(runtime, where)
    if not okrs.key_results:
        return None
    metadata = {"channel": channel_id, "weekly": weekly_id, "language": language}
    return render.check_in_modal(language, okrs, metadata)


def weekly_to_refresh(runtime: Runtime, where: OkrChannel, weekly_id: int | None) -> int | None:
    """The Weekly whose parent should show the OKRs as they are now: the one the modal was
    opened from (if it is this channel's), else the channel's latest posted one of the last
    seven days."""
    with transaction(runtime.sessions) as session:
        if weekly_id and store.is_channels_weekly(
            session, where.team_id, where.channel_id, weekly_id
        ):
            return weekly_id
        weekly = weekly_store.latest_posted_weekly(session, where.team_id, where.channel_id)
    today = local_date_of(runtime.now(), where.timezone)
    if weekly is None or (today - weekly.local_date).days > 7:
        return None
    return weekly.id


def _post(
    runtime: Runtime, client: WebClient, where: OkrChannel, key: str, message: render.Message
) -> None:
    text, blocks = message
    post_once(runtime, client, where.team_id, key, Message(where.channel_id, text, blocks))
