"""The `/prospect` grammar: keywords in two languages, COMPANY [: NOTE], no crash on any input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.radar.parse import (
    MAX_COMPANY_LENGTH,
    Announce,
    Help,
    Invalid,
    Knows,
    ListEntries,
    Remove,
    Scan,
    parse_prospect_command,
)


def test_a_company_alone_is_an_announcement() -> None:
    assert parse_prospect_command("Müller Maschinenbau GmbH") == Announce(
        "Müller Maschinenbau GmbH", None
    )


def test_text_after_the_first_colon_is_the_note() -> None:
    assert parse_prospect_command("Müller GmbH : call the CFO: next week") == Announce(
        "Müller GmbH", "call the CFO: next week"
    )


def test_a_bare_url_is_one_company_name() -> None:
    assert parse_prospect_command("http://acme.com") == Announce("http://acme.com", None)
    assert parse_prospect_command("https://acme.com: intro via Jane") == Announce(
        "https://acme.com", "intro via Jane"
    )


@pytest.mark.parametrize("keyword", ["knows", "kennt", "KNOWS", "Kenne"])
def test_knows_in_english_and_german(keyword: str) -> None:
    assert parse_prospect_command(f"{keyword} Müller AG: Jane Doe (CFO)") == Knows(
        "Müller AG", "Jane Doe (CFO)"
    )


def test_knows_without_a_contact_name() -> None:
    assert parse_prospect_command("knows Bosch") == Knows("Bosch", None)
    assert parse_prospect_command("knows Bosch:") == Knows("Bosch", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("list", ListEntries()),
        ("Liste", ListEntries()),
        ("help", Help()),
        ("hilfe", Help()),
        ("?", Help()),
        ("remove Müller GmbH", Remove("Müller GmbH")),
        ("entfernen Müller GmbH", Remove("Müller GmbH")),
        ("löschen Bosch", Remove("Bosch")),
        ("scan on", Scan(True)),
        ("scan an", Scan(True)),
        ("mitlesen aus", Scan(False)),
        ("scan OFF", Scan(False)),
        ("scan", Scan(None)),
    ],
)
def test_keywords(text: str, expected: object) -> None:
    assert parse_prospect_command(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "radar.error.empty"),
        ("   ", "radar.error.empty"),
        ("knows", "radar.error.knows_needs_company"),
        ("knows : Jane", "radar.error.knows_needs_company"),
        ("remove", "radar.error.remove_needs_company"),
        (": just a note", "radar.error.no_company"),
        ("!!! ---", "radar.error.no_company"),
        ("help me please", "radar.error.no_argument"),
        ("list all", "radar.error.no_argument"),
        ("scan maybe", "radar.error.scan_usage"),
        ("x" * (MAX_COMPANY_LENGTH + 1), "radar.error.company_too_long"),
        ("Bosch: " + "n" * 1001, "radar.error.note_too_long"),
        ("knows Bosch: " + "c" * 201, "radar.error.contact_too_long"),
        ("Bosch: " + "n" * 5000, "radar.error.too_long"),
    ],
)
def test_bad_input_is_invalid_with_a_message_key(text: str, error: str) -> None:
    result = parse_prospect_command(text)
    assert isinstance(result, Invalid)
    assert result.error == error


def test_a_company_is_one_line_without_invisible_characters() -> None:
    result = parse_prospect_command("Müller\u200b   \n Maschinenbau\u202e: a\nnote")
    assert result == Announce("Müller Maschinenbau", "a\nnote")


def test_a_decoded_broadcast_stays_plain_text() -> None:
    """`<!channel>` arrives decoded as the word "@channel": plain text, escaped on the way out."""
    assert parse_prospect_command("@channel Acme") == Announce("@channel Acme", None)


@given(st.text(max_size=400))
def test_no_input_crashes_the_parser(text: str) -> None:
    result = parse_prospect_command(text)
    if isinstance(result, Announce | Knows | Remove):
        assert result.company and len(result.company) <= MAX_COMPANY_LENGTH
        assert "\n" not in result.company and result.company == result.company.strip()


@given(
    st.text(alphabet=st.characters(categories=["L", "N", "Zs", "P"]), min_size=1, max_size=60),
    st.text(max_size=60),
)
def test_knows_keeps_the_company_before_the_first_colon(company: str, contact: str) -> None:
    result = parse_prospect_command(f"knows {company.replace(':', '')}: {contact}")
    assert isinstance(result, Knows | Invalid)
    if isinstance(result, Knows):
        assert ":" not in result.company
