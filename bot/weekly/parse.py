"""Read `/weekly` arguments: subcommands, categories (English and German), item text.

Input is plain text (already through `bot.text.decode_slack_text`). Nothing here raises on user
input: a problem becomes `Invalid` with a stable message key, so the handler answers with a
translated message and stores nothing. A small, specific grammar, so hand-written (as the
`/daily` parser) and covered by hypothesis properties.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

# The same outcomes as `/daily`'s: help, the settings modal, a message key for bad input.
from bot.daily.parse import Help, Invalid, Settings

# Longer items would not fit one Block Kit section with their markup; 4,000 is the whole
# command's limit, as for `/daily`.
MAX_ITEM_LENGTH = 2_500
MAX_TEXT_LENGTH = 4_000
DEFAULT_CATEGORY = "other"

# The agenda's order: what we did, what we plan, then what needs the meeting's attention.
CATEGORIES = ("done", "plan", "impediment", "market", "need", "help", "other")

CATEGORY_WORDS: dict[str, str] = {
    "done": "done",
    "erledigt": "done",
    "plan": "plan",
    "planned": "plan",
    "geplant": "plan",
    "impediment": "impediment",
    "impediments": "impediment",
    "blocker": "impediment",
    "hindernis": "impediment",
    "hindernisse": "impediment",
    "market": "market",
    "markt": "market",
    "need": "need",
    "needs": "need",
    "bedarf": "need",
    "help": "help",
    "feedback": "help",
    "hilfe": "help",
    "other": "other",
    "sonstiges": "other",
}

_ADD_WORDS = frozenset({"add", "neu", "hinzufügen"})
_REMOVE_WORDS = frozenset({"remove", "delete", "entfernen", "löschen"})
_DECIDE_WORDS = frozenset({"decide", "decision", "entscheidung", "beschluss", "beschließen"})
_DECISIONS_WORDS = frozenset({"decisions", "entscheidungen", "beschlüsse"})
_SHOW_WORDS = frozenset({"show", "list", "agenda", "zeigen", "liste"})
_HELP_WORDS = frozenset({"help", "hilfe", "?"})
_SETTINGS_WORDS = frozenset({"settings", "einstellungen"})


@dataclass(frozen=True)
class Show:
    pass


@dataclass(frozen=True)
class Decisions:
    pass


@dataclass(frozen=True)
class Add:
    category: str
    text: str


@dataclass(frozen=True)
class Remove:
    number: int


@dataclass(frozen=True)
class Decide:
    text: str


WeeklyCommand: TypeAlias = Show | Help | Settings | Decisions | Add | Remove | Decide | Invalid


def split_first_word(text: str) -> tuple[str, str]:
    """The first word and the rest, split at any whitespace."""
    pieces = text.split(maxsplit=1)
    if not pieces:
        return "", ""
    return pieces[0], pieces[1].strip() if len(pieces) > 1 else ""


def category_of(word: str) -> str | None:
    """The category a word names ("Hindernis:", "market"), or None for an ordinary word."""
    return CATEGORY_WORDS.get(word.casefold().removesuffix(":"))


def parse_item(text: str) -> Add | Invalid:
    """`[CATEGORY] TEXT`: a first word that is no category is simply part of the text."""
    text = text.strip()
    first, rest = split_first_word(text)
    category = category_of(first) if first else None
    if category is None:
        category, rest = DEFAULT_CATEGORY, text
    if not rest:
        return Invalid("weekly.error.empty_item")
    if len(rest) > MAX_ITEM_LENGTH:
        return Invalid("weekly.error.too_long")
    return Add(category=category, text=rest)


def parse_weekly_command(text: str) -> WeeklyCommand:
    """Decide what `/weekly TEXT` asks for."""
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        return Invalid("weekly.error.too_long")
    if not text:
        return Show()
    first, rest = split_first_word(text)
    keyword = first.casefold()
    if keyword in _ADD_WORDS:
        return parse_item(rest)
    if keyword in _REMOVE_WORDS:
        return _parse_remove(rest)
    if keyword in _DECIDE_WORDS:
        if not rest:
            return Invalid("weekly.error.empty_decision")
        if len(rest) > MAX_ITEM_LENGTH:
            return Invalid("weekly.error.too_long")
        return Decide(text=rest)
    if rest:
        # The argument-less subcommands with an argument are more likely a typo of `add`.
        return Invalid("weekly.error.usage", detail=first)
    if keyword in _SHOW_WORDS:
        return Show()
    if keyword in _DECISIONS_WORDS:
        return Decisions()
    if keyword in _HELP_WORDS:
        return Help()
    if keyword in _SETTINGS_WORDS:
        return Settings()
    return Invalid("weekly.error.usage", detail=first)


def _parse_remove(argument: str) -> Remove | Invalid:
    number = argument.removeprefix("#")
    if not number.isascii() or not number.isdigit() or len(number) > 6:
        return Invalid("weekly.error.remove_needs_number", detail=argument)
    return Remove(number=int(number))


def item_from_message(text: str) -> Add | None:
    """A message turned into an item ("Hindernis: CRM is slow" keeps its category), or None
    for a message without text.

    The item links to the message, so a long message is cut: the link still shows it all.
    """
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_ITEM_LENGTH:
        text = text[: MAX_ITEM_LENGTH - 1].rstrip() + "…"
    parsed = parse_item(text)
    return parsed if isinstance(parsed, Add) else Add(DEFAULT_CATEGORY, text)


__all__ = [
    "CATEGORIES",
    "Add",
    "Decide",
    "Decisions",
    "Help",
    "Invalid",
    "Remove",
    "Settings",
    "Show",
    "WeeklyCommand",
    "category_of",
    "item_from_message",
    "parse_item",
    "parse_weekly_command",
]
