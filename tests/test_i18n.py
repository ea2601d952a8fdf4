"""Translations: en.po and de.po in step, every key the code uses present, placeholders intact."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import (
    SUPPORTED_LANGUAGES,
    catalog_files,
    language_for_locale,
    message_keys,
    translate,
    translate_count,
)

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ["bot", "handlers", "schedules", "storage"]
# A message key in a plain (not f-) string literal: "daily.prompt.title", 'error.unexpected'.
KEY_PREFIXES = (
    "daily",
    "weekly",
    "prospect",
    "radar",
    "error",
    "language",
    "common",
    "help",
    "okr",
    "insight",
)
KEY_LITERAL = re.compile(
    r"(?<![\w\"'])(?P<quote>[\"'])(?P<key>(?:"
    + "|".join(KEY_PREFIXES)
    + r")(?:\.[a-z][a-z0-9_]*)+)(?P=quote)"
)
NOT_KEYS = re.compile(r"\.(py|po|json|md|txt|csv|db)$")


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def keys_used_in_source() -> dict[str, list[str]]:
    """Message key -> where it is used, from the string literals of the shipped packages."""
    used: dict[str, list[str]] = {}
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            for match in KEY_LITERAL.finditer(source):
                key = match.group("key")
                if NOT_KEYS.search(key):
                    continue
                line = source.count("\n", 0, match.start()) + 1
                used.setdefault(key, []).append(f"{path.relative_to(ROOT)}:{line}")
    return used


def test_the_source_scan_finds_the_keys_it_is_meant_to_find() -> None:
    """Guards the regex: if it found nothing, the next test would pass vacuously."""
    used = keys_used_in_source()
    assert "daily.prompt.title" in used
    assert "error.database.kept" in used
    assert "daily.settings.error.no_days" in used
    assert not any("{" in key for key in used)


def test_both_catalogs_have_exactly_the_same_keys() -> None:
    english, german = message_keys("en"), message_keys("de")
    assert english, "en.po is empty or unreadable"
    assert sorted(english - german) == [], "missing in de.po"
    assert sorted(german - english) == [], "missing in en.po"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_no_key_is_defined_twice_in_a_language(language: str) -> None:
    """A duplicate msgid silently wins over the other one when the catalogs are read."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in catalog_files(language))
    ids = re.findall(r'^msgid "(.+)"$', text, flags=re.MULTILINE)
    duplicates = sorted({key for key in ids if ids.count(key) > 1})
    assert duplicates == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_key_used_in_the_code_is_in_the_catalog(language: str) -> None:
    keys = message_keys(language)
    missing = {key: where for key, where in keys_used_in_source().items() if key not in keys}
    assert missing == {}


def test_every_supported_language_has_a_name_for_the_settings_menu() -> None:
    """`language.{code}` is built with an f-string, so the source scan cannot see it."""
    for language in SUPPORTED_LANGUAGES:
        keys = message_keys(language)
        for code in SUPPORTED_LANGUAGES:
            assert f"language.{code}" in keys


def test_every_key_has_the_same_placeholders_in_english_and_german() -> None:
    mismatched = {
        key: (placeholders(translate("en", key)), placeholders(translate("de", key)))
        for key in message_keys("en") & message_keys("de")
        if placeholders(translate("en", key)) != placeholders(translate("de", key))
    }
    assert mismatched == {}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_message_formats_with_its_placeholders(language: str) -> None:
    """A stray `{` or `}` would make translate() raise at the moment a user needs the text."""
    for key in message_keys(language):
        raw = translate(language, key)
        try:
            names = placeholders(raw)
        except ValueError as error:
            pytest.fail(f"{language}.po {key}: {error}")
        formatted = translate(language, key, **dict.fromkeys(names, "X"))
        assert "{" not in formatted.replace("{{", ""), (key, formatted)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_no_message_is_left_empty(language: str) -> None:
    """An empty msgstr falls back silently to English (or to the key) in front of users."""
    empty = []
    for path in catalog_files(language):
        with path.open("rb") as po_file:
            catalog = read_po(po_file)
        empty += [str(message.id) for message in catalog if message.id and not message.string]
    assert empty == []


def test_every_language_has_the_same_catalog_files() -> None:
    """A pillar's catalog missing in one language would fall back to English unnoticed."""
    names = {lang: [path.name for path in catalog_files(lang)] for lang in SUPPORTED_LANGUAGES}
    assert len({tuple(files) for files in names.values()}) == 1, names


def test_german_is_really_translated() -> None:
    assert translate("de", "daily.summary.title") != translate("en", "daily.summary.title")
    assert translate("de", "daily.modal.cancel") == "Abbrechen"


def test_translate_fills_in_placeholders() -> None:
    assert translate("en", "daily.update.fallback", name="Anna") == "Daily update from Anna"
    assert translate("de", "daily.update.fallback", name="Anna") == "Daily-Update von Anna"


def test_an_unknown_key_shows_the_key_rather_than_failing() -> None:
    assert translate("de", "daily.no.such.key") == "daily.no.such.key"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de-DE", "de"),
        ("de-AT", "de"),
        ("de-CH", "de"),
        ("DE-de", "de"),
        ("en-GB", "en"),
        ("en-US", "en"),
    ],
)
def test_slack_locales_map_to_the_supported_language(locale: str, expected: str) -> None:
    assert language_for_locale(locale, fallback="en") == expected
    other = "en" if expected == "de" else "de"
    assert language_for_locale(locale, fallback=other) == expected


@pytest.mark.parametrize("locale", ["fr-FR", "es-ES", "ja-JP", "", None])
@pytest.mark.parametrize("fallback", SUPPORTED_LANGUAGES)
def test_other_locales_get_the_fallback_language(locale: str | None, fallback: str) -> None:
    assert language_for_locale(locale, fallback=fallback) == fallback


def test_an_unsupported_fallback_becomes_english() -> None:
    assert language_for_locale("fr-FR", fallback="fr") == "en"


# --- plural forms ---------------------------------------------------------------------------------

PLURAL_KEYS = (
    "daily.summary.fallback",
    "weekly.agenda.status",
    "radar.ack.flagged",
    "home.more_cards",
    "home.more_dailies",
    "home.more_items",
    "home.more_radar",
    "insight.impediments",
    "insight.carried",
    "insight.carried.weeks",
)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_count_bearing_messages_have_plural_forms_in_every_language(language: str) -> None:
    plural_ids = []
    for path in catalog_files(language):
        with path.open("rb") as po_file:
            catalog = read_po(po_file)
        assert catalog.num_plurals == 2, f"{path}: Plural-Forms header"
        plural_ids += [
            message.id[0]
            for message in catalog
            if message.pluralizable and all(message.string) and len(message.string) == 2
        ]
    assert sorted(plural_ids) == sorted(PLURAL_KEYS)


@pytest.mark.parametrize(
    ("language", "key", "values", "one", "many"),
    [
        ("en", "daily.summary.fallback", {}, "Daily summary: 1 update", "Daily summary: 2 updates"),
        (
            "de",
            "daily.summary.fallback",
            {},
            "Daily-Zusammenfassung: 1 Update",
            "Daily-Zusammenfassung: 2 Updates",
        ),
        ("en", "weekly.agenda.status", {"resolved": 1}, "1 of 1 item resolved", "1 of 2 items"),
        (
            "de",
            "weekly.agenda.status",
            {"resolved": 1},
            "1 von 1 Punkt erledigt",
            "1 von 2 Punkten",
        ),
        ("en", "radar.ack.flagged", {"names": "Ben"}, "thread of Ben", "threads of Ben"),
        ("de", "radar.ack.flagged", {"names": "Ben"}, "Im Ankündigungs-Thread", "In den"),
        ("en", "home.more_cards", {}, "1 more card ", "2 more cards "),
        ("de", "home.more_cards", {}, "1 weitere Karte ", "2 weitere Karten "),
        ("en", "home.more_dailies", {}, "1 more channel.", "2 more channels."),
        ("de", "home.more_dailies", {}, "1 weiterer Kanal.", "2 weitere Kanäle."),
    ],
)
def test_a_count_picks_the_singular_for_one_and_the_plural_otherwise(
    language: str, key: str, values: dict[str, object], one: str, many: str
) -> None:
    assert one in translate_count(language, key, 1, **values)
    assert many in translate_count(language, key, 2, **values)
    zero = translate_count(language, key, 0, **values)
    assert zero != translate_count(language, key, 1, **values), "0 takes the plural form"


INSIGHT_VALUES = {"weeks": 4, "details": "X", "items": 2}


def test_every_plural_form_has_the_same_placeholders_in_both_languages() -> None:
    for key in PLURAL_KEYS:
        for count in (1, 2):
            english = translate_count("en", key, count, names="X", resolved=1, **INSIGHT_VALUES)
            german = translate_count("de", key, count, names="X", resolved=1, **INSIGHT_VALUES)
            assert "{" not in english + german, (key, count)
            assert ("X" in english) == ("X" in german), key


def test_a_plural_key_missing_in_german_falls_back_to_english() -> None:
    assert translate_count("de", "daily.no.such.key", 2) == "daily.no.such.key.plural"
    assert translate_count("de", "daily.no.such.key", 1) == "daily.no.such.key"
