"""Everyday words, which alone do not name a company in running text, and known words, which
are not typos of each other.

"Müller called", "the bank", "Post kam heute", "we need better software": a known company
named "Müller GmbH", "Bank AG", "Die Post" or "Software Solutions" must not be flagged from
such sentences. The list is wordfreq's (frequencies of words in German and English from
many sources, maintained; its "small" lists, every word seen at least once per million words,
about 13 MB in memory), folded like names: a word is everyday when its Zipf frequency is at
least 4.3 in either language — about once in 50,000 words. At that line everyday nouns and the
common surnames (Müller 4.8, Schmidt 4.6, Bauer 4.4) are in, while distinctive brands like
Siemens (4.1), Bosch (4.0) or Allianz (4.2) are out and are found on their own.

A known word has a Zipf frequency of at least 3.5 (once in 300,000 words). Two known words one
letter apart are two names, not a typo: Schmidt and Schmitt, Fischer and Fisher, Becker and
Bäcker. Typos are rarely words, so "Siemsns" or "Volkswagn" still count as typos.
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import get_frequency_dict

from bot.radar.normalise import fold_word

LANGUAGES = ("de", "en")
EVERYDAY_ZIPF = 4.3
KNOWN_ZIPF = 3.5
SHORTEST_OWN_WORD = 3  # one- and two-letter words (AB, EY, HP) are too easy to write by chance


def is_everyday(token: str) -> bool:
    return len(token) < SHORTEST_OWN_WORD or token in _words_at_least(EVERYDAY_ZIPF)


def is_known_word(token: str) -> bool:
    return token in _words_at_least(KNOWN_ZIPF)


@lru_cache(maxsize=2)
def _words_at_least(zipf: float) -> frozenset[str]:
    """Folded words of LANGUAGES at least this frequent (loaded on first use, ~0.2 s)."""
    least = 10 ** (zipf - 9)  # Zipf = log10(frequency per billion words)
    words = set()
    for language in LANGUAGES:
        for word, frequency in get_frequency_dict(language, wordlist="small").items():
            if frequency >= least and (folded := fold_word(word)):
                words.add(folded)
    return frozenset(words)
