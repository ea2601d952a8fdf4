"""Unit tests of the radar's matching core: how names are read, the rules, the index."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bot.radar.explain import explain
from bot.radar.index import CompanyIndex, Mention
from bot.radar.match import compare
from bot.radar.normalise import normalise


@pytest.mark.parametrize(
    ("name", "tokens", "domain"),
    [
        ("Müller Maschinenbau GmbH & Co. KG", ("muller", "maschinenbau"), None),
        ("MUELLER MASCHINENBAU", ("muller", "maschinenbau"), None),
        ("Bauer Logistik", ("bauer", "logistik"), None),  # "ue" after a vowel stays
        ("Straße Süd OHG", ("strasse", "sud"), None),
        ("Mustermann UG (haftungsbeschränkt)", ("mustermann",), None),
        ("Huber Ges.m.b.H.", ("huber",), None),
        ("Miele & Cie. KG", ("miele",), None),
        ("The Boeing Company", ("boing",), None),
        ("Gebr. Heller", ("gebruder", "heller"), None),
        ("Procter & Gamble", ("procter", "and", "gamble"), None),
        ("AG", ("ag",), None),  # a name made only of a legal form keeps it
        ("ACME Inc. (https://www.acme.com/about)", ("acme",), "acme.com"),
        ("anna.schmidt@acme.co.uk", (), "acme.co.uk"),
        ("anna.schmidt@gmail.com", (), None),  # a free-mail address names no company
        ("Müller Co.KG", ("muller",), None),  # "Co.KG" is a legal form, not a domain
        ("Förderverein e.V.", ("forderverein",), None),
        ("acme.co", (), "acme.co"),  # a two-letter country code is a domain, not "Co."
    ],
)
def test_normalise(name: str, tokens: tuple[str, ...], domain: str | None) -> None:
    company = normalise(name)
    assert (company.tokens, company.domain) == (tokens, domain)


def test_the_key_of_a_bare_domain_is_its_name() -> None:
    company = normalise("mueller-maschinenbau.de")
    assert company.key == "muller maschinenbau"
    assert company.domain == "mueller-maschinenbau.de"
    assert normalise("Müller Maschinenbau AG").key == company.key


@pytest.mark.parametrize(
    ("a", "b", "same", "rule"),
    [
        ("Müller", "MUELLER", True, "equal-name"),
        ("Mueller", "Muller", True, "equal-name"),
        ("Mercedes-Benz AG", "MercedesBenz", True, "equal-name"),
        ("acme.com", "ACME Inc.", True, "domain-matches-name"),
        ("https://shop.acme.com/x", "sales@acme.com", True, "same-domain"),
        ("siemens.de", "siemens.com", True, "same-domain-name"),
        (
            "Müller GmbH (mueller-bau.de)",
            "Müller GmbH (mueller-logistik.de)",
            False,
            "different-domain",
        ),
        ("Siemens", "Siemsns AG", True, "one-typo"),
        ("Volkswagen", "Volksawgen", True, "one-typo"),  # two letters swapped
        ("Bosch", "Busch", False, "different-name"),  # five letters: no typo allowed
        ("Tesla", "Telsa", False, "different-name"),
        ("Müller Bau", "Müller Bad", False, "shared-word-only"),  # the typo word is short
        ("Schmidt GmbH", "Schmitt GmbH", False, "distinct-words"),
        ("siemsns.com", "Siemens", False, "different-name"),  # a domain is never corrected
        ("Deutsche Bank", "Deutsche Bahn", False, "shared-word-only"),
        ("Müller Logistik", "Müller Maschinenbau", False, "shared-word-only"),
        ("Bosch Rexroth", "Robert Bosch", False, "shared-word-only"),
        ("Volkswagen", "Volkswagen Financial Services", False, "shared-word-only"),
        ("anna@gmail.com", "max@gmail.com", False, "empty"),
        ("", "", False, "empty"),
    ],
)
def test_compare(a: str, b: str, same: bool, rule: str) -> None:
    verdict = compare(a, b)
    assert (verdict.same, verdict.rule) == (same, rule), verdict.explanation
    assert verdict.explanation.endswith(".")


def test_explain_ends_with_the_verdict() -> None:
    lines = explain("Deutsche Bank AG", "Deutsche Bahn")
    assert lines[-1] == "different"
    assert "rule: shared-word-only" in lines
    assert any("deutsche bank" in line for line in lines)
    assert explain("Müller GmbH", "mueller.de")[-1] == "same"


def test_domains_are_read_without_network() -> None:
    """tldextract must use its bundled suffix list: with sockets refused it still works."""
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise AssertionError("network access")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from bot.radar.match import compare
        verdict = compare("www.muellerbau.co.uk", "anna@muellerbau.co.uk")
        print(verdict.rule, verdict.left.domain)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["same-domain", "muellerbau.co.uk"]


def make_index() -> CompanyIndex[str]:
    return CompanyIndex(
        [
            ("anna-mm", "Müller Maschinenbau GmbH"),
            ("ben-mm", "Mueller Maschinenbau"),
            ("anna-ml", "Müller Logistik GmbH"),
            ("carl-acme", "ACME Inc."),
            ("dora-db", "Deutsche Bank AG"),
            ("dora-post", "Deutsche Post AG"),
            ("eve-siemens", "Siemens AG"),
            ("eve-health", "Siemens Healthineers"),
            ("finn-mueller", "Müller GmbH"),
            ("gina-bosch", "bosch.com"),
            ("hans-pg", "Procter & Gamble"),
        ]
    )


def test_lookup_finds_every_key_of_the_same_company() -> None:
    index = make_index()
    assert sorted(index.lookup("MÜLLER MASCHINENBAU AG")) == ["anna-mm", "ben-mm"]
    assert index.lookup("Muller Maschinenbua") == ["anna-mm", "ben-mm"]  # one typo
    assert index.lookup("https://www.acme.com") == ["carl-acme"]
    assert index.lookup("Bosch") == ["gina-bosch"]
    assert index.lookup("Deutsche Bahn") == []
    assert index.lookup("Müller") == ["finn-mueller"]
    assert index.lookup("Siemens") == ["eve-siemens"]
    assert index.lookup("") == []
    assert len(index) == 11


def test_add_replaces_and_remove_forgets() -> None:
    index = make_index()
    index.add("anna-mm", "Trumpf GmbH + Co. KG")
    assert index.lookup("Müller Maschinenbau") == ["ben-mm"]
    assert index.lookup("Trumpf") == ["anna-mm"]
    index.remove("ben-mm")
    index.remove("not-there")
    assert index.lookup("Müller Maschinenbau") == []
    assert index.scan("Called Mueller Maschinenbau and Trumpf") == [
        Mention("anna-mm", 32, 38, "Trumpf")
    ]
    assert len(index) == 10


def test_scan_finds_names_and_domains_in_running_text() -> None:
    text = "Called Müller Maschinenbau GmbH today, and acme.com wants a demo"
    mentions = make_index().scan(text)
    assert [(m.key, m.text) for m in mentions] == [
        ("anna-mm", "Müller Maschinenbau GmbH"),
        ("ben-mm", "Müller Maschinenbau GmbH"),
        ("carl-acme", "acme.com"),
    ]
    assert all(text[m.start : m.end] == m.text for m in mentions)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Herr Müller rief an, die Bank auch", []),  # everyday words alone name nothing
        ("Müller GmbH wants a quote", ["finn-mueller"]),  # …but with a legal form they do
        ("Deutsche Bank AG and Deutsche Post", ["dora-db", "dora-post"]),
        ("die deutsche post kam", []),  # everyday words in lower case: not a name
        ("siemens called back", ["eve-siemens"]),  # a distinctive single word: found
        ("Siemens Healthineers called", ["eve-health"]),  # the longest name wins
        ("mail from k.weber@bosch.com and info@gmail.com", ["gina-bosch"]),
        ("Procter+Gamble and P&G", ["hans-pg"]),
        ("Siemens, siemens and SIEMENS", ["eve-siemens"]),  # each key once
        ("Maschinenbau Logistik Solutions Deutsche", []),
        ("", []),
    ],
)
def test_scan(text: str, keys: list[str]) -> None:
    assert [mention.key for mention in make_index().scan(text)] == keys


def test_an_empty_index_finds_nothing() -> None:
    index: CompanyIndex[int] = CompanyIndex()
    assert index.scan("Siemens and acme.com") == []
    assert index.lookup("Siemens") == []
    assert len(index) == 0
