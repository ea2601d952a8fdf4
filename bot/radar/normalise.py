"""A company name as the radar compares it: folded tokens without legal forms, plus its domain.

Folding, in this order, per word:
- anyascii transliterates to ASCII (ü→u, ß→ss, é→e, ø→o, Ł→L), then lower case, then only
  letters and digits are kept ("McDonald's" → "mcdonalds", "e.V." → "ev").
- German umlauts are written three ways (Müller, Mueller, Muller) and all three must match,
  so the canonical form is the plain vowel: "ae", "oe", "ue" become "a", "o", "u". Not after
  another vowel or a "q", where the "e" is its own sound or part of "que": Bauer, Feuer,
  neue, Banque keep it. The costs: "Boeing" is "boing" and "Michael" "michal" (the same on
  both sides, so only names that differ by exactly that would merge), and an umlaut after a
  vowel written as "ue" ("Bauueberwachung") no longer equals it (the one-typo rule then still
  matches a single such word).
- "&", "+", "und", "and" are one word "and"; "Gebr." is "Gebrüder", "Bros." "Brothers",
  "Intl." "International" (abbreviations that are always the same word in names).
Then for the whole name: trailing legal forms go (`legal_forms.py`), and a leading "The".
A domain, URL or e-mail address in the name is taken out of the words and kept as `domain`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from bot.radar.domains import find_domains
from bot.radar.legal_forms import compact_legal_forms, strip_legal_forms

# A word: letters/digits, joined across inner dots and apostrophes ("e.V.", "McDonald's"),
# or an ampersand, or a plus sign standing alone ("A + B", not "Google+").
WORD = re.compile(r"[^\W_]+(?:['’´`.][^\W_]+)*|&|(?<!\S)\+(?!\S)")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_UMLAUT_DIGRAPH = re.compile(r"(?<![aeiouq])([aou])e+")
SAME_WORDS = {
    "&": "and",
    "+": "and",
    "und": "and",
    "gebr": "gebruder",
    "bros": "brothers",
    "intl": "international",
}
LEADING_ARTICLES = frozenset({"the"})
CONNECTOR = "and"


@lru_cache(maxsize=262_144)
def fold_word(word: str) -> str:
    """One word in the radar's canonical spelling ("" if nothing of it is a letter or digit)."""
    if word in SAME_WORDS:
        return SAME_WORDS[word]
    folded = _UMLAUT_DIGRAPH.sub(r"\1", _NOT_ALNUM.sub("", anyascii(word).lower()))
    return SAME_WORDS.get(folded, folded)


def tokenise(text: str) -> list[str]:
    """The folded words of `text`, legal forms and all."""
    return [folded for word in WORD.findall(text) if (folded := fold_word(word))]


LEGAL_FORMS = compact_legal_forms(tokenise)


@dataclass(frozen=True, slots=True)
class CompanyName:
    original: str
    tokens: tuple[str, ...]  # folded words of the name, legal forms removed
    domain: str | None = None  # registrable domain ("acme.com") from a URL, domain or e-mail
    domain_tokens: tuple[str, ...] = ()  # the domain's label read as a name ("acme-bau" → acme bau)

    @property
    def key(self) -> str:
        """The canonical form: the name's tokens, or the domain's label if there is no name."""
        return " ".join(self.name_tokens)

    @property
    def name_tokens(self) -> tuple[str, ...]:
        return self.tokens or self.domain_tokens

    @property
    def words(self) -> tuple[str, ...]:
        """The name's words that tell it apart: `name_tokens` without the connector "and"
        ("Endress+Hauser" = "Endress + Hauser", "Procter & Gamble" = "Procter Gamble")."""
        words = tuple(token for token in self.name_tokens if token != CONNECTOR)
        return words or self.name_tokens

    @property
    def compact(self) -> str:
        """The words without spaces: "Mercedes-Benz" = "Mercedes Benz" = "MercedesBenz"."""
        return "".join(self.words)

    @property
    def domain_compact(self) -> str:
        return "".join(self.domain_tokens)

    @property
    def name_from_domain(self) -> bool:
        """True if the only name is the domain's label (the input was just "acme.com")."""
        return not self.tokens and bool(self.domain_tokens)


def normalise(name: str) -> CompanyName:
    domain, domain_label, rest = _split_domain(name)
    tokens = tokenise(rest)
    simplify(tokens, keep_one=domain is None)
    domain_tokens: list[str] = []
    if domain is not None:
        domain_tokens = tokenise(domain_label.replace("-", " "))
        simplify(domain_tokens, keep_one=True)
    return CompanyName(name, tuple(tokens), domain, tuple(domain_tokens))


def simplify(tokens: list[str], keep_one: bool = True) -> None:
    """Drop trailing legal forms and a leading "The" (in place), until nothing changes.

    With `keep_one`, a name made only of such words keeps its last one ("AG" stays "ag").
    """
    floor = 1 if keep_one else 0
    changed = True
    while changed:
        changed = strip_legal_forms(tokens, LEGAL_FORMS, keep_one)
        while len(tokens) > floor and tokens[0] in LEADING_ARTICLES:
            del tokens[0]
            changed = True


def _split_domain(name: str) -> tuple[str | None, str, str]:
    """(first company domain, its label, the name without any domain or e-mail address)."""
    spans = find_domains(name, LEGAL_FORMS)
    if not spans:
        return None, "", name
    company = next((span for span in spans if span.domain), None)
    pieces, position = [], 0
    for span in spans:
        pieces.append(name[position : span.start])
        position = span.end
    pieces.append(name[position:])
    rest = " ".join(pieces)
    if company is None:
        return None, "", rest
    return company.domain, company.label, rest
