"""Read `/okr` arguments: subcommands in English and German, `O1` / `KR1.1` references, numbers,
quarters.

Input is plain text (already through `bot.text.decode_slack_text`). Nothing here raises on user
input: a problem becomes `Invalid` with a stable message key, so the handler answers with a
usage message and stores nothing.

Numbers (targets and check-in values), decided once for both languages:
- `,` or `.` is the decimal separator (`2,5` = `2.5`): Germans and English speakers both type
  what they are used to;
- a separator followed by exactly three digits groups thousands (`1.500` = `1,500` = 1500):
  three-place decimals are rare in sales targets, thousands are common;
- a `k` suffix multiplies by 1000 (`20k` = 20000);
- a `%` suffix marks a percentage (it changes the display, not the value).
Negative numbers are refused: a key result is progress from 0 towards its target.

A key result's target is the *last* word of its text when that word is a number (`/okr add O1:
Win new customers 20`); its text keeps every word as typed, so nothing typed is lost. Without a
number at the end the target is 100 (%).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from bot.daily.parse import Help, Invalid
from bot.weekly.parse import split_first_word

MAX_TEXT_LENGTH = 4_000
MAX_OKR_TEXT = 300
MAX_NOTE_LENGTH = 1_000
DEFAULT_TARGET = 100.0
PERCENT = "%"
# Far beyond any sales target, small enough to print and store as a float without surprise.
MAX_NUMBER = 1e12

_SHOW_WORDS = frozenset({"list", "show", "liste", "zeigen"})
_HELP_WORDS = frozenset({"help", "hilfe", "?"})
_ADD_WORDS = frozenset({"add", "new", "neu", "hinzufügen"})
_CHECK_WORDS = frozenset({"check", "checkin", "check-in", "stand"})
_REMOVE_WORDS = frozenset({"remove", "delete", "entfernen", "löschen"})
_CLOSE_WORDS = frozenset({"close", "abschließen", "abschliessen"})
_ARCHIVE_WORDS = frozenset({"archive", "archiv"})

_NUMBER = re.compile(
    r"(?P<int>\d{1,3}(?:(?P<sep>[.,])\d{3})(?:(?P=sep)\d{3})*|\d+)"
    r"(?:[.,](?P<frac>\d{1,2}|\d{4,}))?"
    r"(?P<k>k)?(?P<percent>\s?%)?",
    re.IGNORECASE,
)
_OBJECTIVE_REF = re.compile(r"o(\d{1,4})", re.IGNORECASE)
_KEY_RESULT_REF = re.compile(r"kr(\d{1,4})\.(\d{1,4})", re.IGNORECASE)
_OBJECTIVE_PREFIX = re.compile(r"o(\d{1,4})\s*:\s*", re.IGNORECASE)
_QUARTER = re.compile(
    r"(?:(?P<year>\d{4})\s*[-/ ]?\s*q(?P<q>[1-4])|q(?P<q2>[1-4])\s*[-/ ]?\s*(?P<year2>\d{4}))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Number:
    value: float
    percent: bool = False


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"


@dataclass(frozen=True)
class Show:
    pass


@dataclass(frozen=True)
class AddObjective:
    text: str


@dataclass(frozen=True)
class AddKeyResult:
    objective: int
    text: str
    target: float
    unit: str  # "%" or ""


@dataclass(frozen=True)
class Check:
    objective: int
    key_result: int
    value: float
    note: str | None


@dataclass(frozen=True)
class Remove:
    objective: int
    key_result: int | None  # None: the whole objective


@dataclass(frozen=True)
class Close:
    quarter: Quarter | None  # None: the quarter the close falls in (see rules.closing_quarter)


@dataclass(frozen=True)
class Archive:
    quarter: Quarter | None  # None: the latest archived quarter


OkrCommand: TypeAlias = (
    Show | Help | AddObjective | AddKeyResult | Check | Remove | Close | Archive | Invalid
)


def parse_number(text: str) -> Number | None:
    """`20`, `2,5`, `1.500`, `20k`, `80%`; None for anything else (negative numbers too)."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    whole = match.group("int")
    if match.group("sep"):
        whole = whole.replace(match.group("sep"), "")
    value = float(f"{whole}.{match.group('frac') or 0}")
    if match.group("k"):
        value *= 1000
    if not math.isfinite(value) or value > MAX_NUMBER:
        return None
    return Number(value, percent=bool(match.group("percent")))


def parse_quarter(text: str) -> Quarter | None:
    """`2026-Q3`, `2026Q3`, `Q3 2026`, `q3/2026`."""
    match = _QUARTER.fullmatch(text.strip())
    if match is None:
        return None
    year = int(match.group("year") or match.group("year2"))
    return Quarter(year, int(match.group("q") or match.group("q2")))


def parse_okr_command(text: str) -> OkrCommand:
    """Decide what `/okr TEXT` asks for."""
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        return Invalid("okr.error.too_long")
    first, rest = split_first_word(text)
    keyword = first.casefold()
    if not text or (keyword in _SHOW_WORDS and not rest):
        return Show()
    if keyword in _HELP_WORDS and not rest:
        return Help()
    parse_rest = _SUBCOMMANDS.get(keyword)
    return parse_rest(rest) if parse_rest else Invalid("okr.error.usage", first)


def _parse_close(text: str) -> Close | Invalid:
    quarter = parse_quarter(text) if text else None
    return Invalid("okr.error.bad_quarter", text) if text and not quarter else Close(quarter)


def _parse_archive(text: str) -> Archive | Invalid:
    quarter = parse_quarter(text) if text else None
    return Invalid("okr.error.bad_quarter", text) if text and not quarter else Archive(quarter)


def _parse_add(text: str) -> AddObjective | AddKeyResult | Invalid:
    prefix = _OBJECTIVE_PREFIX.match(text)
    body = text[prefix.end() :].strip() if prefix else text.strip()
    if not body:
        return Invalid("okr.error.empty_text")
    if len(body) > MAX_OKR_TEXT:
        return Invalid("okr.error.text_too_long")
    if prefix is None:
        return AddObjective(body)
    last = body.split()[-1]
    target = parse_number(last)
    if target is None:
        target = Number(DEFAULT_TARGET, percent=True)
    if target.value <= 0:
        return Invalid("okr.error.bad_target", last)
    return AddKeyResult(
        objective=int(prefix.group(1)),
        text=body,
        target=target.value,
        unit=PERCENT if target.percent else "",
    )


def _parse_check(text: str) -> Check | Invalid:
    reference, rest = split_first_word(text)
    key_result = _KEY_RESULT_REF.fullmatch(reference.removesuffix(":"))
    if key_result is None:
        return Invalid("okr.error.needs_key_result", reference)
    value_text, _, note = rest.partition(":")
    value = parse_number(value_text)
    if value is None:
        return Invalid("okr.error.bad_value", value_text.strip())
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        return Invalid("okr.error.note_too_long")
    return Check(
        objective=int(key_result.group(1)),
        key_result=int(key_result.group(2)),
        value=value.value,
        note=note or None,
    )


def _parse_remove(text: str) -> Remove | Invalid:
    reference = text.strip()
    key_result = _KEY_RESULT_REF.fullmatch(reference)
    if key_result is not None:
        return Remove(int(key_result.group(1)), int(key_result.group(2)))
    objective = _OBJECTIVE_REF.fullmatch(reference)
    if objective is not None:
        return Remove(int(objective.group(1)), None)
    return Invalid("okr.error.needs_reference", reference)


_SUBCOMMANDS: dict[str, Callable[[str], OkrCommand]] = {
    **dict.fromkeys(_ADD_WORDS, _parse_add),
    **dict.fromkeys(_CHECK_WORDS, _parse_check),
    **dict.fromkeys(_REMOVE_WORDS, _parse_remove),
    **dict.fromkeys(_CLOSE_WORDS, _parse_close),
    **dict.fromkeys(_ARCHIVE_WORDS, _parse_archive),
}

__all__ = [
    "AddKeyResult",
    "AddObjective",
    "Archive",
    "Check",
    "Close",
    "Help",
    "Invalid",
    "Number",
    "OkrCommand",
    "Quarter",
    "Remove",
    "Show",
    "parse_number",
    "parse_okr_command",
    "parse_quarter",
]
