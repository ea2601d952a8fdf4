"""Block Kit for the App Home: a person's week in one view. Pure functions.

Slack takes at most 100 blocks in a view, an overflow menu of at most 5 options and section
texts of at most 3,000 characters; a view it refuses leaves the Home on its spinner. So every
section has a budget, a long list shows its most recent entries and says how many more there
are (and where to see them), and the Team section (`team_blocks`, the next pillar's) gets a
fixed share that the person's own sections never take.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot import blocks as bk
from bot.board.parse import COLUMNS
from bot.board.render import Hints, card_text, column_label
from bot.board.rules import Card, by_column, most_recent
from bot.i18n import translate, translate_count
from bot.text import escape_for_slack, truncate
from bot.weekly.render import category_label, short_date

MAX_VIEW_BLOCKS = 100
# The Team section's share (team-level insight, next to the person's own sections).
TEAM_BLOCKS = 20
# Each card is one section (its move control is the section's accessory).
MAX_CARDS = 40
MAX_DAILY_CHANNELS = 5
MAX_WEEKLY_LINES = 15
MAX_RADAR_LINES = 15
LINE_LIMIT = 200
CARD_ACTION = "home_card"
REMOVE = "remove"


@dataclass(frozen=True)
class DailyFacts:
    channel_id: str
    day: date
    plan: str | None
    highlight: str | None
    impediment: str | None


@dataclass(frozen=True)
class ItemFacts:
    channel_id: str
    category: str
    text: str
    claimed: bool = False
    weekly_day: date | None = None


@dataclass(frozen=True)
class RadarFacts:
    company: str
    known: bool  # a known contact (else: an announced prospect)
    detail: str | None = None  # the contact's name (the Home is its owner's only) or the note


@dataclass(frozen=True)
class HomeFacts:
    cards: Sequence[Card] = ()
    hints: Hints = field(default_factory=dict)
    dailies: Sequence[DailyFacts] = ()
    items: Sequence[ItemFacts] = ()
    radar: Sequence[RadarFacts] = ()


def home_view(
    language: str, facts: HomeFacts, team_blocks: Sequence[bk.Block] = ()
) -> dict[str, Any]:
    blocks: list[bk.Block] = [
        bk.header(translate(language, "home.title")),
        bk.context(translate(language, "home.intro")),
    ]
    blocks += _board(language, facts.cards, facts.hints)
    blocks += _dailies(language, facts.dailies)
    blocks += _items(language, facts.items)
    blocks += _radar(language, facts.radar)
    blocks += list(team_blocks)[:TEAM_BLOCKS]
    assert len(blocks) <= MAX_VIEW_BLOCKS, "the budgets add up to at most 100 blocks"
    return {"type": "home", "blocks": blocks}


def _title(text: str) -> list[bk.Block]:
    return [{"type": "divider"}, bk.section(f"*{text}*")]


def _more(language: str, key: str, count: int) -> list[bk.Block]:
    return [bk.context(translate_count(language, key, count))] if count > 0 else []


def _board(language: str, cards: Sequence[Card], hints: Hints) -> list[bk.Block]:
    blocks = _title(translate(language, "home.board"))
    if not cards:
        return [*blocks, bk.context(translate(language, "home.board.empty"))]
    shown, more = most_recent(cards, MAX_CARDS)
    # The menu's labels are the same for every card: built once (plain text is cleaned
    # character by character, 160 times per Home otherwise).
    labels = {
        column: bk.plain(translate(language, "home.move", column=column_label(language, column)))
        for column in COLUMNS
    }
    labels[REMOVE] = bk.plain(translate(language, "home.remove"))
    for column, column_cards in by_column(shown).items():
        if not column_cards:
            continue
        blocks.append(bk.context(f"*{column_label(language, column)}*"))
        blocks += [_card(card, hints, labels) for card in column_cards]
    return blocks + _more(language, "home.more_cards", more)


def _card(card: Card, hints: Hints, labels: dict[str, dict[str, Any]]) -> bk.Block:
    """A card with an overflow menu: each other column, and remove (4 of Slack's 5 options)."""
    targets = [column for column in COLUMNS if column != card.column] + [REMOVE]
    options = [{"text": labels[target], "value": f"{card.id}:{target}"} for target in targets]
    block = bk.section(card_text(card, hints))
    block["block_id"] = f"card:{card.id}"
    block["accessory"] = {"type": "overflow", "action_id": CARD_ACTION, "options": options}
    return block


def _line(text: str | None) -> str:
    return escape_for_slack(truncate(" ".join((text or "").split()), LINE_LIMIT), {})


def _dailies(language: str, dailies: Sequence[DailyFacts]) -> list[bk.Block]:
    blocks = _title(translate(language, "home.daily"))
    if not dailies:
        return [*blocks, bk.context(translate(language, "home.daily.empty"))]
    for daily in dailies[:MAX_DAILY_CHANNELS]:
        when = translate(
            language,
            "home.daily.line",
            channel=daily.channel_id,
            date=short_date(daily.day, language),
        )
        lines = [when]
        for key, value in (
            ("home.daily.plan", daily.plan),
            ("home.daily.highlight", daily.highlight),
            ("home.daily.impediment", daily.impediment),
        ):
            if value:
                lines.append(f"*{translate(language, key)}:* {_line(value)}")
        blocks.append(bk.section("\n".join(lines)))
    return blocks + _more(language, "home.more_dailies", len(dailies) - MAX_DAILY_CHANNELS)


def _items(language: str, items: Sequence[ItemFacts]) -> list[bk.Block]:
    blocks = _title(translate(language, "home.weekly"))
    if not items:
        return [*blocks, bk.context(translate(language, "home.weekly.empty"))]
    lines = []
    for item in items[:MAX_WEEKLY_LINES]:
        label = category_label(language, item.category)
        if item.claimed:
            label = translate(language, "home.weekly.claimed")
        lines.append(f"• <#{item.channel_id}> _{label}_ — {_line(item.text)}")
    blocks += bk.sections(lines)
    return blocks + _more(language, "home.more_items", len(items) - MAX_WEEKLY_LINES)


def _radar(language: str, entries: Sequence[RadarFacts]) -> list[bk.Block]:
    blocks = _title(translate(language, "home.radar"))
    if not entries:
        return [*blocks, bk.context(translate(language, "home.radar.empty"))]
    lines = []
    for entry in entries[:MAX_RADAR_LINES]:
        key = "home.radar.knows" if entry.known else "home.radar.prospect"
        line = f"• {translate(language, key)} *{_line(entry.company)}*"
        if entry.detail:
            line += f" — {_line(entry.detail)}"
        lines.append(line)
    blocks += bk.sections(lines)
    return blocks + _more(language, "home.more_radar", len(entries) - MAX_RADAR_LINES)
