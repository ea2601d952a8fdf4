"""Read `/board` arguments: subcommands and columns in English and German, card numbers, text.

Input is plain text (already through `bot.text.decode_slack_text`). Nothing here raises on user
input: a problem becomes `Invalid` with a stable message key, so the handler answers with a
usage message and stores nothing. Keywords follow `/weekly`'s (`add`/`neu`/`hinzufügen`,
`remove`/`entfernen`/`löschen`, `help`/`hilfe`), and a column word may end in a colon like a
`/daily` label (`/board add doing: call ACME`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from bot.daily.parse import Help, Invalid
from bot.weekly.parse import split_first_word

# A card is a line on a board, not a document: short enough for one Home section with room
# for its controls and radar hint.
MAX_CARD_LENGTH = 500
MAX_TEXT_LENGTH = 4_000
DEFAULT_COLUMN = "todo"

# The board's order: this week, in progress, done, and the long-running acquisition.
COLUMNS = ("todo", "doing", "done", "long")

COLUMN_WORDS: dict[str, str] = {
    "todo": "todo",
    "to-do": "todo",
    "offen": "todo",
    "doing": "doing",
    "läuft": "doing",
    "laeuft": "doing",
    "done": "done",
    "erledigt": "done",
    "long": "long",
    "lang": "long",
    "langfristig": "long",
}

_ADD_WORDS = frozenset({"add", "new", "neu", "hinzufügen"})
_MOVE_WORDS = frozenset({"move", "verschieben"})
_DONE_WORDS = frozenset({"done", "erledigt"})
_REMOVE_WORDS = frozenset({"remove", "delete", "entfernen", "löschen"})
_TEAM_WORDS = frozenset({"team"})
_SHOW_WORDS = frozenset({"show", "list", "zeigen", "liste"})
_HELP_WORDS = frozenset({"help", "hilfe", "?"})


@dataclass(frozen=True)
class Show:
    pass


@dataclass(frozen=True)
class Team:
    pass


@dataclass(frozen=True)
class Add:
    column: str
    text: str


@dataclass(frozen=True)
class Move:
    number: int
    column: str


@dataclass(frozen=True)
class Remove:
    number: int


BoardCommand: TypeAlias = Show | Team | Help | Add | Move | Remove | Invalid


def column_of(word: str) -> str | None:
    """The column a word names ("Läuft:", "long"), or None for an ordinary word."""
    return COLUMN_WORDS.get(word.casefold().removesuffix(":"))


def parse_board_command(text: str) -> BoardCommand:
    """Decide what `/board TEXT` asks for."""
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        return Invalid("board.error.too_long")
    if not text:
        return Show()
    first, rest = split_first_word(text)
    keyword = first.casefold()
    if keyword in _ADD_WORDS:
        return _parse_add(rest)
    if keyword in _MOVE_WORDS:
        return _parse_move(rest)
    if keyword in _DONE_WORDS:
        number = _number(rest)
        return Move(number, "done") if number else Invalid("board.error.needs_number", rest)
    if keyword in _REMOVE_WORDS:
        number = _number(rest)
        return Remove(number) if number else Invalid("board.error.needs_number", rest)
    if rest:
        return Invalid("board.error.usage", detail=first)
    if keyword in _SHOW_WORDS:
        return Show()
    if keyword in _TEAM_WORDS:
        return Team()
    if keyword in _HELP_WORDS:
        return Help()
    return Invalid("board.error.usage", detail=first)


def _parse_add(text: str) -> Add | Invalid:
    """`[COLUMN] TEXT`: a first word that is no column is simply part of the card."""
    first, rest = split_first_word(text)
    column = column_of(first) if first else None
    if column is None:
        column, rest = DEFAULT_COLUMN, text.strip()
    if not rest:
        return Invalid("board.error.empty_card")
    if len(rest) > MAX_CARD_LENGTH:
        return Invalid("board.error.card_too_long")
    return Add(column=column, text=rest)


def _parse_move(text: str) -> Move | Invalid:
    number_word, column_word = split_first_word(text)
    number = _number(number_word)
    if number is None:
        return Invalid("board.error.needs_number", text)
    column = column_of(column_word) if column_word else None
    if column is None or len(column_word.split()) > 1:
        return Invalid("board.error.needs_column", column_word)
    return Move(number, column)


def _number(text: str) -> int | None:
    digits = text.strip().removeprefix("#")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 6 or int(digits) < 1:
        return None
    return int(digits)


__all__ = [
    "COLUMNS",
    "Add",
    "BoardCommand",
    "Help",
    "Invalid",
    "Move",
    "Remove",
    "Show",
    "Team",
    "column_of",
    "parse_board_command",
]
