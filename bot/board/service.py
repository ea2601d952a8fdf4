"""The board's use cases, shared by `/board`, the App Home's card controls and the Weekly."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.board import render
from bot.board.rules import Card, next_number, on_board, sprint_of
from bot.i18n import translate
from bot.members import display_names, human_members
from bot.posting import request_effect_key
from bot.radar.team_index import team_radar
from bot.runtime import Runtime
from bot.text import escape_for_slack
from storage import board as store
from storage.db import serialize_on, transaction
from storage.effects import created_once
from storage.models import BoardCard

log = logging.getLogger(__name__)

# Without an earlier Weekly, sprint planning shows what was done in the week before.
FIRST_SPRINT_LOOKBACK = timedelta(days=7)


def _zone_of(session: Session, runtime: Runtime, team_id: str) -> Callable[[Card], str]:
    zones = store.channel_zones(session, team_id)
    default = runtime.settings.default_timezone
    return lambda card: zones.get(card.channel_id or "") or default


def boards_of(runtime: Runtime, team_id: str, user_ids: Sequence[str]) -> dict[str, list[Card]]:
    """This week's board of each person (one query for all of them)."""
    with transaction(runtime.sessions) as session:
        return boards_in(session, runtime, team_id, user_ids)


def boards_in(
    session: Session, runtime: Runtime, team_id: str, user_ids: Sequence[str]
) -> dict[str, list[Card]]:
    now = runtime.now()
    cards = store.candidate_cards(session, team_id, user_ids, now)
    zone_of = _zone_of(session, runtime, team_id)
    boards: dict[str, list[Card]] = {user_id: [] for user_id in user_ids}
    for card in on_board(cards, now, zone_of):
        boards[card.user_id].append(card)
    return boards


def board_of(runtime: Runtime, team_id: str, user_id: str) -> list[Card]:
    return boards_of(runtime, team_id, [user_id])[user_id]


def add_card(
    runtime: Runtime, team_id: str, user_id: str, channel_id: str | None, column: str, text: str
) -> Card:
    """A new card with the smallest number free on the person's board."""
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        # Two adds at once must not take the same number, even on a board with no cards yet
        # (locking the person's cards locks nothing then).
        serialize_on(session, f"board:{team_id}:{user_id}")
        cards = store.candidate_cards(session, team_id, [user_id], now, lock=True)
        live = on_board(cards, now, _zone_of(session, runtime, team_id))

        def create() -> int:
            number = next_number(live)
            return store.add_card(
                session, team_id, user_id, channel_id, number, column, text, now
            ).id

        card_id = created_once(
            session, team_id, request_effect_key("board-card"), BoardCard, create
        )
        return store.as_card(session.get_one(BoardCard, card_id))


@dataclass(frozen=True)
class Change:
    """What became of a move or removal: the card as it was, or the message key of why not."""

    card: Card | None
    error: str | None = None


def change_card(
    runtime: Runtime,
    team_id: str,
    user_id: str,
    *,
    number: int | None = None,
    card_id: int | None = None,
    column: str | None = None,
    channel_id: str | None = None,
) -> Change:
    """Move (to `column`) or remove (no column) one of the person's cards on the board, named
    by its number (`/board`) or its id (the Home's control). Only one's own cards."""
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        cards = store.candidate_cards(session, team_id, [user_id], now, lock=True)
        live = on_board(cards, now, _zone_of(session, runtime, team_id))
        found = [c for c in live if c.number == number or (card_id and c.id == card_id)]
        if not found:
            return Change(None, "board.error.no_such_card")
        card = found[0]
        if column is None:
            store.delete_card(session, team_id, card.id)
        elif column != card.column:
            store.move_card(session, team_id, card.id, column, channel_id, now)
        return Change(card)


def radar_hints(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    cards: Sequence[Card],
    language: str,
    channel_id: str | None = None,
) -> dict[int, list[str]]:
    """For each card that names a company a teammate knows or pursues, who: the way the radar
    flags it ("Anna knows someone at ACME"), without the contact's name. An extra: a failure
    is logged and shows no hints."""
    try:
        radar = team_radar(runtime, team_id)
        found: dict[int, list[tuple[str, str, str]]] = {}
        for card in cards:
            seen: set[str] = set()
            for _, entry in radar.mentioned_in(card.text):
                visible = entry.visible_in(channel_id) if channel_id else not entry.private
                if entry.user_id == card.user_id or not visible or entry.subject in seen:
                    continue
                seen.add(entry.subject)
                found.setdefault(card.id, []).append((entry.kind, entry.user_id, entry.company))
        people = {user_id for hints in found.values() for _, user_id, _ in hints}
        names = display_names(runtime, client, team_id, people, language) if people else {}
    except Exception:
        log.exception("board radar hints failed (team=%s)", team_id)
        return {}
    keys = {"contact": "radar.flag.knows_someone", "prospect": "board.hint.in_touch"}
    return {
        card_id: [
            translate(
                language,
                keys[kind],
                user=escape_for_slack(names.get(user_id, user_id), {}),
                company=escape_for_slack(company, {}),
            )
            for kind, user_id, company in hints
        ]
        for card_id, hints in found.items()
    }


def team_boards(
    runtime: Runtime, client: WebClient, team_id: str, channel_id: str, language: str
) -> render.Message:
    """`/board team` in a channel: its members' `doing` and `long` cards."""
    members = human_members(runtime, client, team_id, channel_id)
    boards = boards_of(runtime, team_id, members)
    shown = [
        (user_id, [card for card in boards[user_id] if card.column in ("doing", "long")])
        for user_id in members
    ]
    people = [user_id for user_id, cards in shown if cards]
    names = display_names(runtime, client, team_id, people, language) if people else {}
    shown.sort(key=lambda pair: names.get(pair[0], pair[0]).casefold())
    return render.team_message(language, shown, names)


def sprint_messages(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    channel_id: str,
    language: str,
    done_since: datetime | None,
) -> list[tuple[str, render.Message]]:
    """Sprint planning for the Weekly: (member, reply) for each channel member with cards."""
    since = done_since or runtime.now() - FIRST_SPRINT_LOOKBACK
    members = human_members(runtime, client, team_id, channel_id)
    with transaction(runtime.sessions) as session:
        cards = store.cards_since(session, team_id, members, since)
    sprints = [
        sprint_of(user_id, [c for c in cards if c.user_id == user_id], since) for user_id in members
    ]
    sprints = [sprint for sprint in sprints if not sprint.empty]
    if not sprints:
        return []
    names = display_names(runtime, client, team_id, [s.user_id for s in sprints], language)
    shown = [card for s in sprints for card in (*s.done, *s.planned, *s.long)]
    hints = radar_hints(runtime, client, team_id, shown, language, channel_id)
    return [(s.user_id, render.sprint_reply(language, s, names, hints)) for s in sprints]
