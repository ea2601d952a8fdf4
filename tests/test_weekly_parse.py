"""The `/weekly` language: subcommands, categories in two languages, limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.weekly.parse import (
    CATEGORIES,
    CATEGORY_WORDS,
    MAX_ITEM_LENGTH,
    Add,
    Decide,
    Decisions,
    Help,
    Invalid,
    Remove,
    Settings,
    Show,
    item_from_message,
    parse_weekly_command,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Show()),
        ("  ", Show()),
        ("list", Show()),
        ("help", Help()),
        ("Hilfe", Help()),
        ("settings", Settings()),
        ("einstellungen", Settings()),
        ("decisions", Decisions()),
        ("Entscheidungen", Decisions()),
        ("add impediment CRM is slow", Add("impediment", "CRM is slow")),
        ("add Hindernis: CRM ist langsam", Add("impediment", "CRM ist langsam")),
        ("ADD MARKT Preise fallen", Add("market", "Preise fallen")),
        ("add pricing is unclear", Add("other", "pricing is unclear")),
        ("add help\nreview the deck", Add("help", "review the deck")),
        ("add hilfe Angebot prüfen", Add("help", "Angebot prüfen")),
        ("remove 3", Remove(3)),
        ("remove #12", Remove(12)),
        ("entfernen 2", Remove(2)),
        ("decide We offer the pilot", Decide("We offer the pilot")),
        ("beschluss Pilot kostenlos", Decide("Pilot kostenlos")),
    ],
)
def test_commands(text: str, expected: object) -> None:
    assert parse_weekly_command(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("add", "weekly.error.empty_item"),
        ("add market", "weekly.error.empty_item"),
        ("add market:", "weekly.error.empty_item"),
        ("remove", "weekly.error.remove_needs_number"),
        ("remove two", "weekly.error.remove_needs_number"),
        ("remove 3 4", "weekly.error.remove_needs_number"),
        ("remove ３", "weekly.error.remove_needs_number"),
        ("decide", "weekly.error.empty_decision"),
        ("frobnicate", "weekly.error.usage"),
        ("help me please", "weekly.error.usage"),
        ("add " + "x" * (MAX_ITEM_LENGTH + 1), "weekly.error.too_long"),
        ("add " + "x" * 4100, "weekly.error.too_long"),
        ("decide " + "x" * (MAX_ITEM_LENGTH + 1), "weekly.error.too_long"),
    ],
)
def test_bad_input_is_invalid_with_a_message_key(text: str, error: str) -> None:
    parsed = parse_weekly_command(text)
    assert isinstance(parsed, Invalid) and parsed.error == error


def test_every_category_has_an_english_and_a_german_word() -> None:
    for category in CATEGORIES:
        words = [word for word, named in CATEGORY_WORDS.items() if named == category]
        assert category in words and len(words) >= 2, category


def test_a_message_keeps_its_category_and_is_cut_to_an_items_length() -> None:
    assert item_from_message("Hindernis: VPN") == Add("impediment", "VPN")
    assert item_from_message("Done") == Add("other", "Done")
    assert item_from_message("   ") is None
    long = item_from_message("y" * 10_000)
    assert long is not None and len(long.text) == MAX_ITEM_LENGTH and long.text.endswith("…")


words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@given(words)
def test_the_parser_never_raises(text: str) -> None:
    parse_weekly_command(text)
    parse_weekly_command("add " + text)
    parse_weekly_command("remove " + text)


@given(st.sampled_from(sorted(CATEGORY_WORDS)), words.filter(lambda t: t.strip() != ""))
def test_an_item_after_a_category_word_keeps_its_text(word: str, text: str) -> None:
    assert parse_weekly_command(f"add {word} {text}") == Add(CATEGORY_WORDS[word], text.strip())


@given(words.filter(lambda t: t.strip() != ""))
def test_text_without_a_category_word_is_other_and_kept_whole(text: str) -> None:
    first = text.split()[0]
    parsed = parse_weekly_command(f"add {text}")
    if first.casefold().removesuffix(":") not in CATEGORY_WORDS:
        assert parsed == Add("other", text.strip())
