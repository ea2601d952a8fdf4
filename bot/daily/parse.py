"""Read `/daily` arguments and thread replies: labelled update fields, subcommands, dates.

Input is plain text (already through `bot.text.decode_slack_text`). Nothing here raises on user
input: a problem becomes `Invalid` with a stable message key, so the handler can answer with a
translated usage message and store nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypeAlias

from bot.holidays import parse_region

MAX_FIELD_LENGTH = 3_000
MAX_TEXT_LENGTH = 4_000
# An absence of a whole (leap) year is fine; longer is almost certainly a typo in the year.
MAX_AWAY_DAYS = 366
# A date without a year that lies up to a week back still means this year's date, so
# "away 24.12." typed on the 28th is recognised as a past absence rather than next year's.
YEARLESS_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class DailyFields:
    plan: str | None
    highlight: str | None
    impediment: str | None

    @property
    def is_empty(self) -> bool:
        return self.plan is None and self.highlight is None and self.impediment is None

    def merged_over(self, previous: DailyFields) -> DailyFields:
        """A resubmission replaces the fields it gives and keeps the ones it leaves out."""
        return DailyFields(
            plan=self.plan if self.plan is not None else previous.plan,
            highlight=self.highlight if self.highlight is not None else previous.highlight,
            impediment=self.impediment if self.impediment is not None else previous.impediment,
        )

    def without(self, names: frozenset[str]) -> DailyFields:
        """These fields emptied (an edited reply no longer gives them)."""
        return replace(self, **dict.fromkeys(names & FIELD_NAMES))

    def given(self) -> frozenset[str]:
        return frozenset(name for name in FIELD_NAMES if getattr(self, name) is not None)


FIELD_NAMES = frozenset({"plan", "highlight", "impediment"})


def removed_by_edit(before: str, after: str) -> frozenset[str]:
    """The fields an edited reply had and no longer has: the member took them out."""
    return parse_update_text(before).given() - parse_update_text(after).given()


@dataclass(frozen=True)
class OpenModal:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Settings:
    pass


@dataclass(frozen=True)
class Skip:
    reason: str | None


@dataclass(frozen=True)
class Away:
    start: date
    end: date


@dataclass(frozen=True)
class Update:
    fields: DailyFields


@dataclass(frozen=True)
class TurnOn:
    """`/daily on`: the channel's Daily is scheduled again."""


@dataclass(frozen=True)
class TurnOff:
    """`/daily off`: no more scheduled Dailies in this channel."""


@dataclass(frozen=True)
class Holidays:
    region: str | None  # a region code like "DE-BY"; None: no holidays


@dataclass(frozen=True)
class Cancel:
    day: date | None  # None: the next Daily (undo: the next cancelled one)
    undo: bool = False  # take a cancellation back


@dataclass(frozen=True)
class Invalid:
    error: str  # a message key such as "daily.error.bad_date"
    detail: str = ""  # the offending input, for the message's {detail} placeholder


DailyCommand: TypeAlias = (
    OpenModal | Help | Settings | Skip | Away | Update | TurnOn | TurnOff | Holidays | Cancel
) | Invalid

# Label word (English and German) -> DailyFields attribute.
LABELS: dict[str, str] = {
    "today": "plan",
    "plan": "plan",
    "heute": "plan",
    "highlight": "highlight",
    "yesterday": "highlight",
    "gestern": "highlight",
    "impediment": "impediment",
    "blocker": "impediment",
    "hindernis": "impediment",
}

# A label starts the text or follows whitespace and is glued to its colon, so "heute" in a
# sentence or "http://…/plan:x" is not one. The ASCII-only case folding keeps look-alikes such as
# the dotless "ı" from matching "i"; "plan://" is a URL scheme, not a label.
_LABEL = re.compile(
    r"(?<!\S)(?P<label>(?ai:" + "|".join(LABELS) + r")):(?!//)",
)

# Subcommand words, recognised only as the first word of `/daily`'s text.
_HELP_WORDS = frozenset({"help", "hilfe", "?"})
_SETTINGS_WORDS = frozenset({"settings", "einstellungen"})
_SKIP_WORDS = frozenset({"skip", "aussetzen"})
_AWAY_WORDS = frozenset({"away", "abwesend", "urlaub"})
_ON_WORDS = frozenset({"on", "an"})
_OFF_WORDS = frozenset({"off", "aus"})
_HOLIDAY_WORDS = frozenset({"holidays", "feiertage"})
_CANCEL_WORDS = frozenset({"cancel", "absagen"})
_UNCANCEL_WORDS = frozenset({"uncancel", "zurücknehmen"})

# Accepted date spellings: 2026-12-24, 24.12.2026, 24.12.26, 24.12. and 24.12 (day and month may
# have one digit). {p} prefixes the group names so one pattern can hold a start and an end date;
# ``date`` is the date as typed (for error messages); ``iso_*`` or ``d``/``m``/``y`` its parts.
_DATE = (
    r"(?P<{p}date>(?P<{p}iso_y>[0-9]{{4}})-(?P<{p}iso_m>[0-9]{{1,2}})-(?P<{p}iso_d>[0-9]{{1,2}})"
    r"|(?P<{p}d>[0-9]{{1,2}})\.(?P<{p}m>[0-9]{{1,2}})(?:\.(?P<{p}y>[0-9]{{4}}|[0-9]{{2}})?)?)"
)
# "FROM", "FROM TO", "FROM - TO", "FROM bis TO" (also "to"/"until" and dashes without spaces).
_AWAY_RANGE = re.compile(
    _DATE.format(p="start_")
    + r"(?:(?:\s*[-–—]\s*|\s+(?ai:bis|to|until)\s+|\s+)"
    + _DATE.format(p="end_")
    + r")?"
)
_SINGLE_DATE = re.compile(_DATE.format(p=""))
_RANGE_SEPARATORS = frozenset({"-", "–", "—", "bis", "to", "until"})


def parse_update_text(plain: str) -> DailyFields:
    """Split an update into plan, highlight and impediment by its labels.

    Text before the first label is the plan; text after a label belongs to it until the next
    label; a label used twice collects both parts, one per line.
    """
    parts: dict[str, list[str]] = {"plan": [], "highlight": [], "impediment": []}
    current_field = "plan"
    position = 0
    for match in _LABEL.finditer(plain):
        parts[current_field].append(plain[position : match.start()])
        current_field = LABELS[match.group("label").lower()]
        position = match.end()
    parts[current_field].append(plain[position:])
    return DailyFields(**{name: _join(pieces) for name, pieces in parts.items()})


def _join(pieces: list[str]) -> str | None:
    kept = [piece.strip() for piece in pieces if piece.strip()]
    return "\n".join(kept) if kept else None


def parse_daily_command(text: str, today: date) -> DailyCommand:
    """Decide what `/daily TEXT` asks for; ``today`` is the channel's local date."""
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        return Invalid("daily.error.too_long")
    if not text:
        return OpenModal()
    first_word, rest = _split_first_word(text)
    keyword = first_word.lower()
    # "help" and "settings" take no argument; with one it is more likely a plan ("Help Anna …").
    if keyword in _HELP_WORDS and not rest:
        return Help()
    if keyword in _SETTINGS_WORDS and not rest:
        return Settings()
    if keyword in _SKIP_WORDS:
        if len(rest) > MAX_FIELD_LENGTH:
            return Invalid("daily.error.too_long")
        return Skip(reason=rest or None)
    if keyword in _AWAY_WORDS:
        return _parse_away(rest, today)
    if keyword in _ON_WORDS | _OFF_WORDS and not rest:
        return TurnOn() if keyword in _ON_WORDS else TurnOff()
    if keyword in _HOLIDAY_WORDS:
        return _parse_holidays(rest)
    if keyword in _CANCEL_WORDS | _UNCANCEL_WORDS:
        return _parse_cancel(rest, today, undo=keyword in _UNCANCEL_WORDS)
    fields = parse_update_text(text)
    if fields.is_empty:
        return Invalid("daily.error.empty_update")
    if any(len(value or "") > MAX_FIELD_LENGTH for value in _field_values(fields)):
        return Invalid("daily.error.too_long")
    return Update(fields=fields)


def _split_first_word(text: str) -> tuple[str, str]:
    """The first word and the rest, split at any whitespace ("skip\nill" is a skip too)."""
    pieces = text.split(maxsplit=1)
    return pieces[0], pieces[1].strip() if len(pieces) > 1 else ""


def _field_values(fields: DailyFields) -> tuple[str | None, ...]:
    return (fields.plan, fields.highlight, fields.impediment)


def _parse_away(arguments: str, today: date) -> DailyCommand:
    if not arguments:
        return Invalid("daily.error.away_needs_date")
    match = _AWAY_RANGE.fullmatch(arguments)
    if match is None:
        return Invalid("daily.error.bad_date", detail=_first_unreadable_word(arguments))
    start = _resolve_date(match, "start_", today)
    if start is None:
        return Invalid("daily.error.bad_date", detail=match.group("start_date"))
    end = start
    if match.group("end_date") is not None:
        resolved_end = _resolve_date(match, "end_", today, not_before=start)
        if resolved_end is None:
            return Invalid("daily.error.bad_date", detail=match.group("end_date"))
        end = resolved_end
    if end < start:
        return Invalid("daily.error.range_reversed")
    if end < today:
        return Invalid("daily.error.away_in_past")
    if (end - start).days + 1 > MAX_AWAY_DAYS:
        return Invalid("daily.error.away_too_long")
    return Away(start=start, end=end)


def _parse_holidays(argument: str) -> DailyCommand:
    if not argument:
        return Invalid("daily.error.holidays_needs_region")
    if argument.lower() in _OFF_WORDS:
        return Holidays(region=None)
    try:
        return Holidays(region=parse_region(argument).code)
    except ValueError:
        return Invalid("daily.error.bad_region", detail=argument)


def _parse_cancel(argument: str, today: date, *, undo: bool) -> DailyCommand:
    if not argument:
        return Cancel(day=None, undo=undo)
    match = _SINGLE_DATE.fullmatch(argument)
    day = _resolve_date(match, "", today) if match is not None else None
    if day is None:
        return Invalid("daily.error.bad_date", detail=argument)
    return Cancel(day=day, undo=undo)


def _first_unreadable_word(arguments: str) -> str:
    for word in arguments.split():
        if word.lower() not in _RANGE_SEPARATORS and not _SINGLE_DATE.fullmatch(word):
            return word
    return arguments


def _resolve_date(
    match: re.Match[str], prefix: str, today: date, not_before: date | None = None
) -> date | None:
    """The calendar date a matched date stands for, or None if there is no such date.

    A year-less end date is read in the start's context when the start lies ahead, so
    "away 24.12.2027 6.1." ends in January 2028 while "away 26.12. 24.12." stays reversed.
    """
    if match.group(f"{prefix}iso_y") is not None:
        year, month, day = (int(match.group(f"{prefix}iso_{part}")) for part in "ymd")
        return _date_or_none(year, month, day)
    day, month = int(match.group(f"{prefix}d")), int(match.group(f"{prefix}m"))
    year_text = match.group(f"{prefix}y")
    if year_text is not None:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        return _date_or_none(year, month, day)
    context = max(today, not_before) if not_before is not None else today
    return _next_occurrence(day, month, _safe_subtract(context, YEARLESS_LOOKBACK))


def _next_occurrence(day: int, month: int, earliest: date) -> date | None:
    """The first day/month on or after ``earliest``; 29.02. may need a few years to recur."""
    for year in range(earliest.year, earliest.year + 9):
        candidate = _date_or_none(year, month, day)
        if candidate is not None and candidate >= earliest:
            return candidate
    return None


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _safe_subtract(day: date, delta: timedelta) -> date:
    try:
        return day - delta
    except OverflowError:
        return date.min


__all__ = [
    "Away",
    "Cancel",
    "DailyCommand",
    "DailyFields",
    "Help",
    "Holidays",
    "Invalid",
    "OpenModal",
    "Settings",
    "Skip",
    "TurnOff",
    "TurnOn",
    "Update",
    "parse_daily_command",
    "parse_update_text",
    "removed_by_edit",
]
