"""The "never per person" audit's checker (no tests here): finds a per-person count, percentage
or ranking in anything the bot shows.

A finding is a line (of any text of a message, view or modal) that names a person — a mention
`<@U…>`, a user id, or a display name — and also carries a number, a `%`, or a ranking word.
What is not a figure is taken out first: dates and times (a Daily of 26 Nov, "since 10:00"),
emoji codes, links, channel mentions and list positions in backticks (`` `3` `` is the item
to remove, not a count). Line by line, because every renderer puts one fact on a line; user
text in the audited history holds no digits, so what remains is what the bot computed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
USER_ID = re.compile(r"\b[UW](?=[A-Z0-9]*[0-9])[A-Z0-9]{3,}\b")  # a digit: not WERT or USA
NOT_FIGURES = [
    re.compile(r"<[#!][^>]*>"),  # channel and special mentions
    re.compile(r"<https?://[^>]*>|https?://\S+"),  # links
    re.compile(r":[a-z0-9_+\-]+:"),  # emoji codes (:skin-tone-3: included)
    re.compile(r"`\d+`"),  # list positions
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # ISO dates
    re.compile(r"\b\d{1,2}:\d{2}\b"),  # times
    re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.(?:\s?\d{2,4})?"),  # 24.12. 6.1.2027
    re.compile(
        r"\b\d{1,2}\.?\s+(?:jan|feb|mar|mär|apr|may|mai|jun|jul|aug|sep|oct|okt|nov|dec|dez)"
        r"[a-zä]*\.?(?:,?\s+\d{4})?",
        re.IGNORECASE,
    ),
]
FIGURE = re.compile(r"\d|%|\bper ?cent\b|\bprozent\b", re.IGNORECASE)
RANKING = re.compile(
    r"\b(?:top|most|least|rank(?:ed|ing|s)?|leader(?:s|board)?|best|worst|winner|champion|"
    r"first place|meiste[nrs]?|wenigste[nrs]?|rang(?:liste)?|bestenliste|spitzenreiter|"
    r"beste[nrs]?|schlechteste[nrs]?)\b",
    re.IGNORECASE,
)
# Keys whose string values Slack shows (a text object's `text`, a prefilled input).
SHOWN_KEYS = frozenset({"text", "initial_value", "alt_text", "fallback", "title"})


def shown_texts(payload: Any) -> Iterator[str]:
    """Every string Slack would show from a message, blocks, a view or a render's tuple."""
    if isinstance(payload, str):
        yield payload
    elif isinstance(payload, dict):
        for key, value in payload.items():
            if isinstance(value, str):
                if key in SHOWN_KEYS:
                    yield value
            else:
                yield from shown_texts(value)
    elif isinstance(payload, list | tuple):
        for value in payload:
            yield from shown_texts(value)


def _names_person(line: str, names: Iterable[str]) -> bool:
    if MENTION.search(line) or USER_ID.search(line):
        return True
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", line) for name in names)


def per_person_findings(payload: Any, names: Iterable[str]) -> list[str]:
    """The lines of `payload` that put a person next to a figure or a ranking word."""
    names = [name for name in names if name]
    findings = []
    for text in shown_texts(payload):
        for line in text.splitlines():
            if not _names_person(line, names):
                continue
            rest = USER_ID.sub(" ", MENTION.sub(" ", line))
            for pattern in NOT_FIGURES:
                rest = pattern.sub(" ", rest)
            if FIGURE.search(rest) or RANKING.search(line):
                findings.append(line)
    return findings
