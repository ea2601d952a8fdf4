"""Is this the same company? One decision, used by compare(), the index and `radar explain`.

A false flag ("Anna knows someone at Deutsche Bank" when you wrote Deutsche Bahn) costs more
trust than a missed one, so the rules are strict and checked in this order:
1. Domains first: when both sides have one, they decide alone — the same registrable domain,
   or the same label under another suffix (siemens.de, siemens.com), is the same company; two
   different domains are different companies even if the names agree.
2. A bare domain ("acme.com") is the same company as a name equal to its label ("ACME Inc.").
3. Names: equal once folded, legal forms and spacing ignored ("Mercedes-Benz AG" =
   "Mercedes Benz"). Nothing else about the words is forgiven: no abbreviations, no word left
   out, so a shared word alone never matches (Deutsche Bank ≠ Deutsche Bahn, Bosch Rexroth ≠
   Robert Bosch, Volkswagen ≠ Volkswagen Financial Services).
4. One typo: the names differ in one word only, by one edit (insert, delete, substitute or swap
   two neighbouring letters; OSA distance 1), and both spellings of that word have at least
   six letters, all letters. "Siemens" = "Siemsns", but "Bosch" ≠ "Busch", "Müller Bau" ≠
   "Müller Bad", and a domain's label is never corrected (a typo there is another domain).
   When both spellings are known words (`common_words.py`), they are two names, not a typo:
   Schmidt ≠ Schmitt, Fischer ≠ Fisher.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.radar.common_words import is_known_word
from bot.radar.normalise import CompanyName, normalise

MIN_TYPO_LETTERS = 6


@dataclass(frozen=True)
class Verdict:
    same: bool
    rule: str
    explanation: str
    left: CompanyName
    right: CompanyName


def compare(a: str, b: str) -> Verdict:
    return decide(normalise(a), normalise(b))


def decide(left: CompanyName, right: CompanyName) -> Verdict:
    """The radar's decision on two normalised names (see the module docstring for the rules)."""
    same, rule, explanation = _decide(left, right)
    return Verdict(same, rule, explanation, left, right)


def _decide(left: CompanyName, right: CompanyName) -> tuple[bool, str, str]:
    if not left.key or not right.key:
        return False, "empty", "One side has no name or company domain left to compare."
    if left.domain and right.domain:
        return _decide_domains(left, right)
    if left.compact == right.compact:
        if left.name_from_domain or right.name_from_domain:
            return (
                True,
                "domain-matches-name",
                (
                    f"The domain's name {_quote(left.key if left.name_from_domain else right.key)} "
                    "is the company's name."
                ),
            )
        return (
            True,
            "equal-name",
            (
                "The names are equal once case, accents, punctuation, spacing and legal forms "
                "are ignored."
            ),
        )
    if not (left.name_from_domain or right.name_from_domain):
        typo = one_typo(left.words, right.words)
        if typo is not None and is_known_word(typo[0]) and is_known_word(typo[1]):
            return (
                False,
                "distinct-words",
                (
                    f"{_quote(typo[0])} and {_quote(typo[1])} are one letter apart, but both are "
                    "words or names in their own right, not a typo."
                ),
            )
        if typo is not None:
            return (
                True,
                "one-typo",
                (f"The names differ by one typo: {_quote(typo[0])} and {_quote(typo[1])}."),
            )
    shared = [word for word in left.words if word in right.words]
    if shared:
        return (
            False,
            "shared-word-only",
            (
                f"The names only share {_words(shared)}; "
                "a shared word alone is not the same company."
            ),
        )
    return False, "different-name", "The names differ."


def _decide_domains(left: CompanyName, right: CompanyName) -> tuple[bool, str, str]:
    if left.domain == right.domain:
        return True, "same-domain", f"Both have the domain {left.domain}."
    if left.domain_compact and left.domain_compact == right.domain_compact:
        return (
            True,
            "same-domain-name",
            (f"The domains {left.domain} and {right.domain} have the same name."),
        )
    return (
        False,
        "different-domain",
        (f"The domains differ ({left.domain}, {right.domain}); a domain outweighs the name."),
    )


def one_typo(left: tuple[str, ...], right: tuple[str, ...]) -> tuple[str, str] | None:
    """The one pair of words that differs by a single typo, if that is all that differs."""
    if len(left) != len(right):
        return None
    differing = [(a, b) for a, b in zip(left, right, strict=True) if a != b]
    if len(differing) != 1:
        return None
    a, b = differing[0]
    if not typo_eligible(a) or not typo_eligible(b):
        return None
    return (a, b) if OSA.distance(a, b, score_cutoff=1) <= 1 else None


def typo_eligible(word: str) -> bool:
    return len(word) >= MIN_TYPO_LETTERS and word.isalpha()


def _quote(text: str) -> str:
    return f"“{text}”"


def _words(words: list[str]) -> str:
    return ", ".join(_quote(word) for word in dict.fromkeys(words))
