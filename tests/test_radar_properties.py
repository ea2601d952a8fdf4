"""Properties of the radar's matcher that must hold for any input (hypothesis)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.radar.explain import explain
from bot.radar.index import CompanyIndex
from bot.radar.match import compare
from bot.radar.normalise import LEGAL_FORMS, fold_word, normalise

LEGAL_FORM_SPELLINGS = [
    "GmbH",
    "AG",
    "SE",
    "KG",
    "GmbH & Co. KG",
    "GmbH&Co.KG",
    "e.V.",
    "e.K.",
    "UG (haftungsbeschränkt)",
    "KGaA",
    "AG & Co. KGaA",
    "OHG",
    "Inc.",
    "Ltd.",
    "LLC",
    "S.A.",
    "S.p.A.",
    "B.V.",
    "plc",
    "Corp.",
    "Ges.m.b.H.",
    "Sàrl",
    "& Co.",
]
# Words real names are made of, with umlauts, shared words and one-typo neighbours, so that
# generated names collide often and every rule gets exercised.
VOCABULARY = [
    "Müller",
    "Mueller",
    "Muller",
    "Maschinenbau",
    "Maschienbau",
    "Logistik",
    "Deutsche",
    "Bank",
    "Bahn",
    "Post",
    "Siemens",
    "Siemsns",
    "Bosch",
    "Busch",
    "Rexroth",
    "Robert",
    "Schmidt",
    "Schmitt",
    "Volkswagen",
    "Financial",
    "Services",
    "Kärcher",
    "Kaercher",
    "Solutions",
    "Digital",
    "&",
    "The",
    "Gebr.",
    "Süd",
    "Nord",
]
DOMAINS = ["acme.com", "mueller-maschinenbau.de", "siemens.de", "siemens.com", "anna@gmail.com"]

name_words = st.from_regex(r"[A-Za-zÄÖÜäöüßéÉ]{3,10}", fullmatch=True)
any_text = st.text(max_size=60)


@st.composite
def company_names(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3))
    if draw(st.booleans()):
        words.append(draw(st.sampled_from(LEGAL_FORM_SPELLINGS)))
    if draw(st.integers(0, 4)) == 0:
        words.append(draw(st.sampled_from(DOMAINS)))
    return " ".join(words)


@settings(deadline=None)
@given(any_text)
def test_normalising_is_idempotent(name: str) -> None:
    key = normalise(name).key
    assert normalise(key).key == key


@settings(deadline=None)
@given(st.one_of(any_text, company_names()))
def test_a_name_matches_itself(name: str) -> None:
    assume(normalise(name).key)
    assert compare(name, name).same


def ends_a_legal_form(words: list[str]) -> bool:
    """True if some last words of the name could begin a legal form ("… Ges" + "mbH")."""
    folded = [fold_word(word) for word in words]
    tails = ["".join(folded[start:]) for start in range(len(folded))]
    return any(form.startswith(tail) for tail in tails for form in LEGAL_FORMS)


UMLAUT_AFTER_VOWEL = re.compile(r"[aeiouqéäöü][äöü]", re.IGNORECASE)


@settings(deadline=None)
@given(st.lists(name_words, min_size=1, max_size=4), st.sampled_from(LEGAL_FORM_SPELLINGS))
def test_a_name_matches_its_legal_form_and_spelling_variants(
    words: list[str], legal_form: str
) -> None:
    assume(not ends_a_legal_form(words) and fold_word(words[0]) != "the")
    # "ae" after a vowel or q is not read as "ä" (Bauer is not Baür): see normalise.py
    assume(not any(UMLAUT_AFTER_VOWEL.search(word) for word in words))
    name = " ".join(words)
    variants = [
        f"{name} {legal_form}",
        name.upper(),
        name.lower(),
        name.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae"),
        name.replace("ü", "u").replace("ö", "o").replace("ä", "a"),
        "-".join(words),
        f"  {name}, {legal_form}",
    ]
    for variant in variants:
        verdict = compare(name, variant)
        assert verdict.same, (name, variant, verdict)


@settings(deadline=None)
@given(any_text, any_text)
def test_no_input_crashes_the_matcher(a: str, b: str) -> None:
    verdict = compare(a, b)
    assert verdict.same == compare(b, a).same
    assert explain(a, b)[-1] in {"same", "different"}


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(company_names(), max_size=12), st.lists(company_names(), min_size=1, max_size=6))
def test_lookup_agrees_with_compare(names: list[str], queries: list[str]) -> None:
    index = CompanyIndex(enumerate(names))
    for query in queries:
        wanted = [key for key, name in enumerate(names) if compare(query, name).same]
        assert sorted(index.lookup(query)) == wanted, query


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(company_names(), min_size=1, max_size=12),
    st.data(),
    st.lists(company_names(), max_size=4),
)
def test_add_and_remove_give_the_index_a_fresh_build_would(
    names: list[str], data: st.DataObject, messages: list[str]
) -> None:
    index = CompanyIndex(enumerate(names))
    index.scan("warm up the automaton")
    removed = data.draw(st.sets(st.sampled_from(range(len(names)))))
    for key in removed:
        index.remove(key)
    renamed = data.draw(st.dictionaries(st.sampled_from(range(len(names))), company_names()))
    remaining = {key: name for key, name in enumerate(names) if key not in removed}
    for key, name in renamed.items():
        index.add(key, name)
        remaining[key] = name
    fresh = CompanyIndex(remaining.items())
    assert len(index) == len(fresh) == len(remaining)
    for query in [*names, *renamed.values()]:
        assert sorted(index.lookup(query)) == sorted(fresh.lookup(query))
    for message in messages:
        text = f"Called {message} today."
        assert set(index.scan(text)) == set(fresh.scan(text))


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(company_names(), min_size=1, max_size=12),
    st.lists(st.one_of(company_names(), any_text, st.sampled_from(VOCABULARY)), max_size=6),
)
def test_scan_names_what_lookup_finds(names: list[str], pieces: list[str]) -> None:
    index = CompanyIndex(enumerate(names))
    text = " and ".join(pieces)
    mentions = index.scan(text)
    assert len({mention.key for mention in mentions}) == len(mentions)
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert mention.key in index.lookup(mention.text), (mention, names[mention.key])


@st.composite
def one_edit(draw: st.DrawFn) -> tuple[str, str]:
    """A word and the same word with one typo: insert, delete, substitute or swap.

    Without "e", so that folding ("ae" → "a") leaves both as they are."""
    word = draw(st.from_regex(r"[a-df-z]{6,14}", fullmatch=True))
    at = draw(st.integers(0, len(word) - 2))
    letter = draw(st.sampled_from("abcdfghijklmnopqrstuvwxyz"))
    edited = draw(
        st.sampled_from(
            [
                word[:at] + letter + word[at:],
                word[:at] + word[at + 1 :],
                word[:at] + letter + word[at + 1 :],
                word[:at] + word[at + 1] + word[at] + word[at + 2 :],
            ]
        )
    )
    return word, edited


@settings(max_examples=300, deadline=None)
@given(one_edit(), st.sampled_from(["", "Müller ", "Deutsche "]), st.sampled_from(["", " GmbH"]))
def test_lookup_finds_every_name_one_typo_away(
    edit: tuple[str, str], before: str, legal_form: str
) -> None:
    word, edited = edit
    index = CompanyIndex([("known", f"{before}{word.capitalize()}{legal_form}")])
    verdict = compare(f"{before}{edited}", f"{before}{word}")
    assert index.lookup(f"{before}{edited}") == (["known"] if verdict.same else [])
    if len(edited) >= 6:
        assert verdict.same or verdict.rule == "distinct-words", verdict
