"""Block Kit for the board: my board, the team's `doing` and `long`, the sprint-planning reply.
Pure functions.

Cards are listed, never counted: no totals per person or column, anywhere (the board is not a
scorecard). Names never ping; a card's radar hint names the teammate, as the radar's flags do,
but never a contact's name (that is shown only to its owner).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot import blocks as bk
from bot.board.parse import COLUMNS
from bot.board.rules import Card, Sprint, by_column
from bot.i18n import translate
from bot.text import escape_for_slack, truncate

Message = tuple[str, list[bk.Block]]
# Hints per card id, already worded ("Anna knows someone at ACME").
Hints = Mapping[int, Sequence[str]]
# A card's line in a list; the text is at most 500 characters anyway.
LINE_LIMIT = 600
COLUMN_KEYS = {column: f"board.column.{column}" for column in COLUMNS}


def column_label(language: str, column: str) -> str:
    return translate(language, COLUMN_KEYS[column])


def card_text(card: Card, hints: Hints | None = None) -> str:
    """A card's text, escaped so nothing typed pings, with its radar hints."""
    text = escape_for_slack(truncate(" ".join(card.text.split()), LINE_LIMIT), {})
    for hint in (hints or {}).get(card.id, ()):
        text += f"\n      :mag: _{hint}_"
    return text


def card_line(card: Card, hints: Hints | None = None) -> str:
    return f"`{card.number}` {card_text(card, hints)}"


def board_message(language: str, cards: Sequence[Card], hints: Hints) -> Message:
    """`/board`: my board, every column, cards numbered."""
    fallback = translate(language, "board.show.title")
    if not cards:
        return fallback, [bk.section(translate(language, "board.show.empty"))]
    blocks: list[bk.Block] = [bk.header(fallback)]
    for column, column_cards in by_column(cards).items():
        lines = [card_line(card, hints) for card in column_cards]
        if not lines:
            lines = [translate(language, "board.show.no_cards")]
        blocks += bk.sections([f"*{column_label(language, column)}*", *lines])
    blocks.append(bk.context(translate(language, "board.show.hint")))
    return fallback, bk.limit_blocks(blocks)


def team_message(
    language: str, boards: Sequence[tuple[str, Sequence[Card]]], names: Mapping[str, str]
) -> Message:
    """`/board team`: each person's `doing` and `long` cards, grouped by person, no counts."""
    fallback = translate(language, "board.team.title")
    shown = [(user_id, cards) for user_id, cards in boards if cards]
    if not shown:
        return fallback, [bk.section(translate(language, "board.team.empty"))]
    blocks: list[bk.Block] = [bk.header(fallback)]
    for user_id, cards in shown:
        lines = [f"*{escape_for_slack(names.get(user_id, user_id), {})}*"]
        for column in ("doing", "long"):
            column_cards = [card for card in cards if card.column == column]
            if column_cards:
                lines.append(f"_{column_label(language, column)}_")
                lines += [f"• {card_text(card)}" for card in column_cards]
        blocks += bk.sections(lines)
    return fallback, bk.limit_blocks(blocks)


def sprint_reply(language: str, sprint: Sprint, names: Mapping[str, str], hints: Hints) -> Message:
    """One member's reply in the Weekly's agenda thread: what was done, what is planned."""
    name = escape_for_slack(names.get(sprint.user_id, sprint.user_id), {})
    title = translate(language, "board.sprint.title", name=name)
    lines = [f"*{title}*"]
    parts = (
        ("board.sprint.done", sprint.done),
        ("board.sprint.planned", sprint.planned),
        ("board.sprint.long", sprint.long),
    )
    for key, cards in parts:
        if not cards:
            continue
        lines.append(f"_{translate(language, key)}_")
        for card in cards:
            marker = ":arrows_counterclockwise: " if card.column == "doing" else ""
            lines.append(f"• {marker}{card_text(card, hints)}")
    return title, bk.limit_blocks(bk.sections(lines))
