"""The team's companies, for lookups by name and for finding them in free text.

lookup() makes exactly compare()'s decision: it gathers candidates from hash tables (equal
compact name, equal domain or domain name, and "typo slots") and lets `match.decide` judge
each. A typo slot is a word's position, its length L, its first or its last k = (L - 2) // 2
letters, and the other words. One edit (OSA distance 1) between a word of length L and one of
length L - 1, L or L + 1 cannot touch both its first k and its last k letters, so every name
one typo away shares a slot with the query (the query probes the slots of all three lengths).
Within a slot rapidfuzz compares the words in C, so a full slot costs microseconds.

scan() finds names in running text: the text's words are folded like names and an
Aho-Corasick automaton (pyahocorasick) over the folded names, each padded with spaces so only
whole words match, finds every known name in one pass; domains and e-mail addresses in the
text are looked up like a name. After add() or remove() the automaton is rebuilt lazily, on
the next scan(). A name that is only everyday words ("Müller", "Bank", "Deutsche Post") is
found only when the text looks like the name: a single everyday word only with a legal form
after it ("Müller GmbH"), several everyday words only when each starts with a capital letter
("Deutsche Post", not "die deutsche post").

Not safe for add() or remove() while another thread reads; the caller serialises writes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Generic, TypeVar

import ahocorasick
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.radar.common_words import is_everyday
from bot.radar.domains import find_domains
from bot.radar.legal_forms import MAX_TERM_TOKENS
from bot.radar.match import MIN_TYPO_LETTERS, decide, typo_eligible
from bot.radar.normalise import CONNECTOR, LEGAL_FORMS, WORD, CompanyName, fold_word, normalise

K = TypeVar("K", bound=Hashable)

ANYWHERE, CAPITALISED, WITH_LEGAL_FORM = 0, 1, 2
# Words are separated by two spaces in the automaton's text and patterns are padded with one,
# so a match that takes the space after its last word leaves one for the next name to start.
SEPARATOR = "  "


@dataclass(frozen=True)
class Mention(Generic[K]):
    key: K
    start: int
    end: int
    text: str  # the span of the original text that named the company


class CompanyIndex(Generic[K]):
    def __init__(self, entries: Iterable[tuple[K, str]] = ()) -> None:
        self._names: dict[K, CompanyName] = {}
        # value → the keys filed under it: one key alone, or a list of several (saves memory)
        self._by_compact: dict[str, Any] = {}
        self._by_domain: dict[str, Any] = {}
        self._by_domain_name: dict[str, Any] = {}
        self._by_words: dict[str, Any] = {}
        # typo slot → (word, key) for one entry, or [[words…], [keys…]] for several
        self._by_typo_slot: dict[int, Any] = {}
        self._automaton: ahocorasick.Automaton | None = None
        for key, name in entries:
            self.add(key, name)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, key: object) -> bool:
        return key in self._names

    def add(self, key: K, name: str) -> None:
        """Index `name` under `key`; a key already present gets the new name."""
        if key in self._names:
            self.remove(key)
        company = normalise(name)
        self._names[key] = company
        for table, value in self._tables(company):
            _file(table, value, key)
        for slot, word in _typo_slots(company, exact_length=True):
            _file_typo(self._by_typo_slot, slot, word, key)
        self._automaton = None

    def remove(self, key: K) -> None:
        """Forget `key` (nothing happens if it is not there)."""
        company = self._names.pop(key, None)
        if company is None:
            return
        for table, value in self._tables(company):
            _unfile(table, value, key)
        for slot, _ in _typo_slots(company, exact_length=True):
            _unfile_typo(self._by_typo_slot, slot, key)
        self._automaton = None

    def name_of(self, key: K) -> CompanyName:
        return self._names[key]

    def lookup(self, name: str) -> list[K]:
        """Keys whose company is the same as `name`'s, by the rules of `match.compare`."""
        return self._lookup(normalise(name))

    def scan(self, text: str) -> list[Mention[K]]:
        """Companies named in `text`, each key once, in the order they first appear."""
        found: dict[K, tuple[int, int]] = {}
        for start, end, words_key in self._name_spans(text):
            for key in _filed(self._by_words, words_key):
                found.setdefault(key, (start, end))
        for span in find_domains(text, LEGAL_FORMS):
            if span.domain is not None:
                for key in self._lookup(normalise(text[span.start : span.end])):
                    found.setdefault(key, (span.start, span.end))
        return [
            Mention(key, start, end, text[start:end])
            for key, (start, end) in sorted(found.items(), key=lambda item: item[1][0])
        ]

    def _lookup(self, query: CompanyName) -> list[K]:
        if not query.key:
            return []
        candidates: dict[K, None] = dict.fromkeys(_filed(self._by_compact, query.compact))
        if query.domain:
            candidates.update(dict.fromkeys(_filed(self._by_domain, query.domain)))
            candidates.update(dict.fromkeys(_filed(self._by_domain_name, query.domain_compact)))
        for slot, word in _typo_slots(query, exact_length=False):
            candidates.update(dict.fromkeys(_typo_neighbours(self._by_typo_slot, slot, word)))
        return [key for key in candidates if decide(query, self._names[key]).same]

    def _tables(self, company: CompanyName) -> Iterator[tuple[dict[str, Any], str]]:
        """Where an indexed company is filed (besides its typo slots)."""
        yield self._by_compact, company.compact
        yield self._by_words, " ".join(company.words)
        if company.domain:
            yield self._by_domain, company.domain
            yield self._by_domain_name, company.domain_compact

    def _name_spans(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, words key) of the known names in `text`, leftmost-longest first."""
        raw = WORD.findall(text)
        words = list(map(fold_word, raw))
        kept = None  # positions of the words that count, when some do not
        if "" in words or CONNECTOR in words:
            kept = [at for at, word in enumerate(words) if word and word != CONNECTOR]
            words = [words[at] for at in kept]
        if not words:
            return
        hits = self._built_automaton().iter_long(f" {SEPARATOR.join(words)} ")
        spans: list[tuple[int, int]] = []
        offsets: list[int] = []
        for end, (length, count, requirement, words_key) in hits:
            if not spans:  # most messages name nothing: locate the words only when needed
                offsets = list(accumulate((len(word) + 2 for word in words[:-1]), initial=1))
                spans = _spans(text, raw)
                spans = spans if kept is None else [spans[at] for at in kept]
            first = bisect_left(offsets, end - length + 2)
            last = first + count - 1
            closing = _legal_form_after(words, last)
            if requirement == WITH_LEGAL_FORM and closing == last:
                continue
            if requirement == CAPITALISED and not all(
                text[start].isupper() for start, _ in spans[first : last + 1]
            ):
                continue
            yield spans[first][0], spans[closing][1], words_key

    def _built_automaton(self) -> ahocorasick.Automaton:
        automaton = self._automaton
        if automaton is None:
            automaton = ahocorasick.Automaton()
            for words_key in self._by_words:
                tokens = words_key.split(" ")
                pattern = f" {SEPARATOR.join(tokens)} "
                value = (len(pattern), len(tokens), _requirement(tokens), words_key)
                automaton.add_word(pattern, value)
            if len(automaton) == 0:  # an empty automaton cannot iter(); this never matches
                automaton.add_word("\x00", (1, 1, ANYWHERE, ""))
            automaton.make_automaton()
            self._automaton = automaton
        return automaton


def _spans(text: str, raw: list[str]) -> list[tuple[int, int]]:
    """Where each of WORD.findall(text) is in `text` (finding them again is cheaper than
    finditer: each word is the first occurrence of its string after the previous word, since
    the regex takes the leftmost match; only a lone "+" may be placed at a "+" glued to the word
    before it, and "+" is a connector that never starts or ends a name)."""
    spans, position = [], 0
    for word in raw:
        start = text.find(word, position)
        position = start + len(word)
        spans.append((start, position))
    return spans


def _requirement(tokens: list[str]) -> int:
    if not all(is_everyday(token) for token in tokens):
        return ANYWHERE
    return WITH_LEGAL_FORM if len(tokens) == 1 else CAPITALISED


def _legal_form_after(words: list[str], last: int) -> int:
    """The index of the last word of a legal form right after words[last], else `last`."""
    if last + 1 >= len(words) or words[last + 1][:2] not in _LEGAL_FORM_OPENINGS:
        return last
    for end in range(min(len(words), last + 1 + MAX_TERM_TOKENS), last + 1, -1):
        if "".join(words[last + 1 : end]) in LEGAL_FORMS:
            return end - 1
    return last


_LEGAL_FORM_OPENINGS = frozenset(form[:2] for form in LEGAL_FORMS)


def _typo_slots(company: CompanyName, exact_length: bool) -> Iterator[tuple[int, str]]:
    """(slot, word) for each word that a typo may change; see the module docstring."""
    if company.name_from_domain:
        return
    words = company.words
    for position, word in enumerate(words):
        if not typo_eligible(word):
            continue
        others = words[:position] + words[position + 1 :]
        lengths = (len(word),) if exact_length else (len(word) - 1, len(word), len(word) + 1)
        for length in lengths:
            if length < MIN_TYPO_LETTERS:
                continue
            keep = (length - 2) // 2  # letters an edit cannot reach at one end or the other
            yield hash((position, length, "<", word[:keep], others)), word
            yield hash((position, length, ">", word[-keep:], others)), word


def _file(table: dict[str, Any], value: str, key: Hashable) -> None:
    present = table.get(value, _MISSING)
    if present is _MISSING:
        table[value] = key
    elif isinstance(present, list):  # a key is hashable, so never a list
        present.append(key)
    else:
        table[value] = [present, key]


def _unfile(table: dict[str, Any], value: str, key: Hashable) -> None:
    present = table[value]
    if not isinstance(present, list):
        del table[value]
        return
    present.remove(key)
    if len(present) == 1:
        table[value] = present[0]


def _filed(table: dict[str, Any], value: str) -> list[Any]:
    present = table.get(value, _MISSING)
    if present is _MISSING:
        return []
    return present if isinstance(present, list) else [present]


def _file_typo(table: dict[int, Any], slot: int, word: str, key: Hashable) -> None:
    present = table.get(slot)
    if present is None:
        table[slot] = (word, key)
    elif isinstance(present, tuple):
        table[slot] = [[present[0], word], [present[1], key]]
    else:
        present[0].append(word)
        present[1].append(key)


def _unfile_typo(table: dict[int, Any], slot: int, key: Hashable) -> None:
    present = table[slot]
    if isinstance(present, tuple):
        del table[slot]
        return
    words, keys = present
    at = keys.index(key)
    del words[at], keys[at]
    if len(keys) == 1:
        table[slot] = (words[0], keys[0])


def _typo_neighbours(table: dict[int, Any], slot: int, word: str) -> list[Any]:
    """Keys in `slot` whose word is at most one edit from `word` (compared in C, by rapidfuzz)."""
    present = table.get(slot)
    if present is None:
        return []
    if isinstance(present, tuple):
        return [present[1]] if OSA.distance(word, present[0], score_cutoff=1) <= 1 else []
    words, keys = present
    near = process.extract(word, words, scorer=OSA.distance, score_cutoff=1, limit=None)
    return [keys[at] for _, _, at in near]


_MISSING = object()
