"""Read `/prospect` arguments: announce, knows, list, remove, scan, help — in English and German.

Input is plain text (already through `bot.text.decode_slack_text`). Nothing here raises on user
input: a problem becomes `Invalid` with a stable message key, so the handler answers with a
translated usage message and stores nothing. `is_matchable` asks the (pure) matcher whether a
name gives it anything to match on; the handler checks it after parsing.

Keywords are recognised only as the first word. `help` and `list` take no argument: with one,
the text is more likely a company ("List GmbH") than a command, and announcing it publicly by
mistake would be worse than asking again, so it is refused with the usage message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

from bot.radar.normalise import normalise
from bot.text import neutralise_plain

MAX_TEXT_LENGTH = 3_000
MAX_COMPANY_LENGTH = 150
MAX_NOTE_LENGTH = 1_000
MAX_CONTACT_LENGTH = 200

# Keyword (English and German) -> command. Shown in `/prospect help`; keep both in step.
KNOWS_WORDS = frozenset({"knows", "know", "kennt", "kenne"})
LIST_WORDS = frozenset({"list", "liste"})
REMOVE_WORDS = frozenset({"remove", "delete", "entfernen", "löschen", "loeschen"})
HELP_WORDS = frozenset({"help", "hilfe", "?"})
SCAN_WORDS = frozenset({"scan", "mitlesen"})
SCAN_ON_WORDS = frozenset({"on", "an", "ein"})
SCAN_OFF_WORDS = frozenset({"off", "aus"})

# The separator of `COMPANY : NOTE` — the first colon that does not start "://", so a company
# typed as a bare URL (`http://acme.com`, which Slack sends as a link) stays one name.
_SEPARATOR = re.compile(r":(?!//)")
_WHITESPACE = re.compile(r"\s+")
# A company name needs something to match on: a letter or a digit in any script.
_NAME_CHARACTER = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Announce:
    company: str
    note: str | None


@dataclass(frozen=True)
class Knows:
    company: str
    contact: str | None


@dataclass(frozen=True)
class ListEntries:
    pass


@dataclass(frozen=True)
class Remove:
    company: str


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Scan:
    """`scan on|off`; `enabled` is None for a bare `scan`, which shows the current setting."""

    enabled: bool | None


@dataclass(frozen=True)
class Invalid:
    error: str  # a message key such as "radar.error.too_long"
    detail: str = ""  # the offending input, for the message's {detail} placeholder


ProspectCommand: TypeAlias = Announce | Knows | ListEntries | Remove | Help | Scan | Invalid


def parse_prospect_command(text: str) -> ProspectCommand:
    """Decide what `/prospect TEXT` asks for."""
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        return Invalid("radar.error.too_long")
    if not text:
        return Invalid("radar.error.empty")
    first_word, rest = _split_first_word(text)
    keyword = first_word.lower()
    if keyword in HELP_WORDS or keyword in LIST_WORDS:
        if rest:
            return Invalid("radar.error.no_argument", detail=first_word)
        return Help() if keyword in HELP_WORDS else ListEntries()
    if keyword in SCAN_WORDS:
        return _parse_scan(rest)
    if keyword in KNOWS_WORDS:
        company, contact = _split_note(rest)
        problem = _company_problem(company, "radar.error.knows_needs_company")
        if problem is not None:
            return problem
        if contact is not None and len(contact) > MAX_CONTACT_LENGTH:
            return Invalid("radar.error.contact_too_long")
        return Knows(company=company, contact=_one_line(contact) if contact else None)
    if keyword in REMOVE_WORDS:
        company, _ = _split_note(rest)
        problem = _company_problem(company, "radar.error.remove_needs_company")
        return problem or Remove(company=company)
    company, note = _split_note(text)
    problem = _company_problem(company, "radar.error.no_company")
    if problem is not None:
        return problem
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        return Invalid("radar.error.note_too_long")
    return Announce(company=company, note=note)


def clean_company(raw: str) -> str:
    """One line, single spaces, no invisible characters: how a name is stored and shown."""
    return _one_line(raw)


def company_problem(company: str) -> str | None:
    """The message key of what is wrong with a (cleaned) company name, or None."""
    if not company or not _NAME_CHARACTER.search(company):
        return "radar.error.no_company"
    if len(company) > MAX_COMPANY_LENGTH:
        return "radar.error.company_too_long"
    return None


def is_matchable(company: str) -> bool:
    """False for a name the matcher finds nothing in (punctuation, symbols only)."""
    return bool(normalise(company).key)


def _company_problem(company: str, empty_key: str) -> Invalid | None:
    problem = company_problem(company)
    if problem is None:
        return None
    if problem == "radar.error.no_company" and not company:
        return Invalid(empty_key)
    return Invalid(problem, detail=company[:MAX_COMPANY_LENGTH])


def _split_first_word(text: str) -> tuple[str, str]:
    pieces = text.split(maxsplit=1)
    return pieces[0], pieces[1].strip() if len(pieces) > 1 else ""


def _split_note(text: str) -> tuple[str, str | None]:
    """`COMPANY : NOTE` -> the cleaned company and the note (None when there is none)."""
    match = _SEPARATOR.search(text)
    if match is None:
        return clean_company(text), None
    note = neutralise_plain(text[match.end() :]).strip()
    return clean_company(text[: match.start()]), note or None


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", neutralise_plain(text)).strip()


def _parse_scan(rest: str) -> ProspectCommand:
    word = rest.lower()
    if not word:
        return Scan(enabled=None)
    if word in SCAN_ON_WORDS:
        return Scan(enabled=True)
    if word in SCAN_OFF_WORDS:
        return Scan(enabled=False)
    return Invalid("radar.error.scan_usage", detail=rest[:50])


__all__ = [
    "Announce",
    "Help",
    "Invalid",
    "Knows",
    "ListEntries",
    "ProspectCommand",
    "Remove",
    "Scan",
    "clean_company",
    "company_problem",
    "is_matchable",
    "parse_prospect_command",
]
