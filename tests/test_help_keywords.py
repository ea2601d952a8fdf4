"""Each help teaches the keywords of its language: the German help the German subcommands,
and every subcommand has a keyword there that the parser understands."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.daily import parse as daily
from bot.i18n import translate
from bot.okr import parse as okr
from bot.radar import parse as radar
from bot.weekly import parse as weekly

TODAY = date(2026, 11, 25)
# Sample arguments a keyword needs to be read as its subcommand.
ARGUMENTS = {
    "abwesend": "24.12.",
    "away": "24.12.",
    "entfernen": "2",
    "remove": "2",
    "feiertage": "DE-BY",
    "holidays": "DE-BY",
}


def taught(help_text: str, command: str) -> set[str]:
    """The subcommand words the help shows after `/command`, leaving out the line that lists
    the other language's keywords, and labels such as `heute:`."""
    shown = help_text.split("\nEnglische Stichwörter")[0].split("\nGerman keywords")[0]
    words = re.findall(rf"`{command} ([^`\s]+)", shown)
    return {word for word in words if not word.endswith(":") and word.lower() == word}


def daily_kind(word: str) -> type:
    return type(daily.parse_daily_command(f"{word} {ARGUMENTS.get(word, '')}", TODAY))


def weekly_kind(word: str) -> type:
    argument = ARGUMENTS.get(word, "" if word.endswith("en") or word == "hilfe" else "x")
    if word in {"decisions", "settings", "help", "entscheidungen", "einstellungen", "hilfe"}:
        argument = ""
    return type(weekly.parse_weekly_command(f"{word} {argument}"))


def radar_kind(word: str) -> type:
    argument = {"mitlesen": "an", "scan": "on", "liste": "", "list": "", "hilfe": "", "help": ""}
    return type(radar.parse_prospect_command(f"{word} {argument.get(word, 'Acme')}"))


def okr_kind(word: str) -> type:
    argument = {"add": "x", "neu": "x", "check": "KR1.1 5", "stand": "KR1.1 5"}
    argument |= {"remove": "O1", "entfernen": "O1"}
    return type(okr.parse_okr_command(f"{word} {argument.get(word, '')}"))


PILLARS = {
    "/daily": (
        "daily.help",
        daily_kind,
        {
            daily.Help,
            daily.Settings,
            daily.Skip,
            daily.Away,
            daily.TurnOff,
            daily.TurnOn,
            daily.Holidays,
            daily.Cancel,
        },
        {"help", "settings", "skip", "away", "off", "on", "holidays", "cancel", "uncancel"},
    ),
    "/weekly": (
        "weekly.help",
        weekly_kind,
        {
            weekly.Add,
            weekly.Remove,
            weekly.Decide,
            weekly.Decisions,
            weekly.Settings,
            weekly.Help,
        },
        {"add", "remove", "decide", "decisions", "settings", "help"},
    ),
    "/prospect": (
        "radar.help",
        radar_kind,
        {radar.Knows, radar.ListEntries, radar.Remove, radar.Scan, radar.Help},
        {"knows", "list", "remove", "scan", "help"},
    ),
    "/okr": (
        "okr.help",
        okr_kind,
        {okr.AddObjective, okr.Check, okr.Remove, okr.Close, okr.Archive},
        {"add", "check", "remove", "close", "archive"},
    ),
}


@pytest.mark.parametrize("command", PILLARS)
@pytest.mark.parametrize("language", ["en", "de"])
def test_the_help_teaches_a_keyword_of_its_language_for_every_subcommand(
    command: str, language: str
) -> None:
    key, kind_of, subcommands, english = PILLARS[command]
    words = taught(translate(language, key), command)
    kinds = {word: kind_of(word) for word in words}
    assert set(kinds.values()) == subcommands, kinds
    if language == "de":
        assert words.isdisjoint(english), f"German help teaches English {words & english}"
    else:
        assert words <= english, words - english
