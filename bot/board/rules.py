"""The board's rules: which cards are on it this week, their numbers, what sprint planning shows.

Pure: no Slack, no database. The new week is a rule over stored times rather than a job that
rewrites rows at Monday 00:00: a `done` card whose done time lies before the start of the
current week is archived, whenever anyone looks. So a clock that was down over the weekend
cannot leave last week's done cards on the board, and a card keeps its history (the Weekly's
"done since the last Weekly" reads archived cards). `todo` and `doing` simply stay where they
are (they carry over), and `long` never resets.

The week's time zone: a board belongs to a person in a workspace, but `/board` is used in a
channel. Each card remembers the channel it was last put into a column from, and its week is
that channel's (else the default time zone). A person in a Berlin and a New York channel thus
sees a card done from New York archived at New York's Monday 00:00 — what the people of that
channel expect — and nothing depends on where the person happens to type next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.board.parse import COLUMNS
from bot.schedule import local_date_of, local_to_utc

# Any week started at most this long ago, whatever the time zone: done cards older than this
# are archived without asking their zone (a bound for the query, the rule decides exactly).
WEEK_BOUND = timedelta(days=8)


@dataclass(frozen=True)
class Card:
    id: int
    user_id: str
    number: int
    column: str
    text: str
    channel_id: str | None
    created_at: datetime
    moved_at: datetime
    done_at: datetime | None = None


def week_start(instant: datetime, tz: str) -> datetime:
    """Monday 00:00 of the week `instant` lies in, in `tz`, as a UTC instant.

    Where a daylight-saving change skips midnight, the week starts when the clocks jump.
    """
    day = local_date_of(instant, tz)
    monday = day - timedelta(days=day.weekday())
    return local_to_utc(monday, time(0, 0), tz)


def is_archived(card: Card, now: datetime, tz: str) -> bool:
    return card.column == "done" and card.done_at is not None and card.done_at < week_start(now, tz)


def on_board(cards: Iterable[Card], now: datetime, zone_of: Callable[[Card], str]) -> list[Card]:
    """This week's board: the cards not archived, by column, then number."""
    live = [card for card in cards if not is_archived(card, now, zone_of(card))]
    return sorted(live, key=lambda card: (COLUMNS.index(card.column), card.number))


def next_number(live: Iterable[Card]) -> int:
    """The smallest number none of the person's cards on the board has.

    Numbers stay with a card while it is on the board (a move does not renumber, so `/board
    done 3` after `/board move 2 doing` still means the card the person saw as 3); an archived
    or removed card's number is free again, so numbers stay small.
    """
    taken = {card.number for card in live}
    number = 1
    while number in taken:
        number += 1
    return number


def by_column(cards: Iterable[Card]) -> dict[str, list[Card]]:
    columns: dict[str, list[Card]] = {column: [] for column in COLUMNS}
    for card in cards:
        columns[card.column].append(card)
    return columns


@dataclass(frozen=True)
class Sprint:
    """One person's part of sprint planning in the Weekly: cards, never counts."""

    user_id: str
    done: list[Card]
    planned: list[Card]
    long: list[Card]

    @property
    def empty(self) -> bool:
        return not (self.done or self.planned or self.long)


def sprint_of(user_id: str, cards: Sequence[Card], done_since: datetime) -> Sprint:
    """Done since the last Weekly (archived or not), this week's `todo` and `doing`, `long`."""
    ordered = sorted(cards, key=lambda card: (COLUMNS.index(card.column), card.number))
    return Sprint(
        user_id=user_id,
        done=[c for c in ordered if c.column == "done" and c.done_at and c.done_at >= done_since],
        planned=[c for c in ordered if c.column in ("todo", "doing")],
        long=[c for c in ordered if c.column == "long"],
    )


def most_recent(cards: Sequence[Card], limit: int) -> tuple[list[Card], int]:
    """At most `limit` cards, the most recently moved first kept, in board order; and how many
    were left out (a Home has room for only so many blocks)."""
    if len(cards) <= limit:
        return list(cards), 0
    kept = {card.id for card in sorted(cards, key=lambda c: c.moved_at, reverse=True)[:limit]}
    return [card for card in cards if card.id in kept], len(cards) - limit
