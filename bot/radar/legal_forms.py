"""Legal forms the radar ignores at the end of a company name ("Müller GmbH & Co. KG" → "Müller").

The term list is cleanco's (a maintained, multi-country list of legal-form designators),
extended with the DACH, EU, UK and US forms it lacks or spells differently. cleanco's own
`basename()` is not used: it strips one term per position with a naive split, so
"GmbH&Co.KG", "Ges.m.b.H." or "UG (haftungsbeschränkt)" survive, and it works on raw text
while the radar needs the same decision on its folded tokens. Here every term is folded with
the radar's own tokeniser and kept in its compact form (tokens joined without spaces), and a
name loses the longest run of trailing tokens whose compact form is a legal form — so
"GmbH & Co. KG", "GmbH&Co.KG" and "Gmbh u. Co KG" all end the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cleanco.clean import get_unique_terms

# Forms cleanco lacks (or only has in one spelling). Written as people write them; they are
# folded like any name, so "haftungsbeschränkt" and "haftungsbeschraenkt" are the same term.
EXTRA_TERMS = (
    # Germany
    "GmbH & Co. KG",
    "GmbH u. Co. KG",
    "GmbH & Co. KGaA",
    "GmbH & Co. OHG",
    "AG & Co. KG",
    "AG & Co. KGaA",
    "SE & Co. KG",
    "SE & Co. KGaA",
    "UG & Co. KG",
    "UG (haftungsbeschränkt) & Co. KG",
    "UG (haftungsbeschränkt)",
    "UG",
    "gGmbH",
    "mbH",
    "e.K.",
    "e.Kfm.",
    "e.Kfr.",
    "e.V.",
    "eG",
    "KGaA",
    "OHG",
    "GbR",
    "PartG",
    "PartG mbB",
    "PartGmbB",
    "VVaG",
    "& Co. KG",
    "Co. KG",
    "AG & Co.",
    "GmbH & Co.",
    "& Cie.",
    "Cie.",
    "Aktiengesellschaft",
    "Kommanditgesellschaft",
    "Gesellschaft mit beschränkter Haftung",
    "eingetragener Verein",
    "eingetragene Genossenschaft",
    # Austria
    "GesmbH",
    "Ges.m.b.H.",
    "Ges. m. b. H.",
    "GmbH & Co KEG",
    "KEG",
    "OEG",
    "e.U.",
    # Switzerland, France, Italy, Benelux, Iberia, Scandinavia (EU-wide forms included)
    "Sàrl",
    "S.à r.l.",
    "SA",
    "S.A.",
    "SAS",
    "S.p.A.",
    "S.r.l.",
    "B.V.",
    "N.V.",
    "BVBA",
    "S.L.",
    "S.A.U.",
    "AB",
    "A/S",
    "ApS",
    "ASA",
    "Oy",
    "Oyj",
    "SE",
    "SCE",
    "EWIV",
    # UK, Ireland, US
    "plc",
    "p.l.c.",
    "Ltd",
    "Ltd.",
    "Limited",
    "LLP",
    "LLC",
    "L.L.C.",
    "LP",
    "L.P.",
    "Inc",
    "Inc.",
    "Incorporated",
    "Corp",
    "Corp.",
    "Corporation",
    "Co.",
    "Co",
    "Company",
    "& Co.",
    "& Company",
    "PLLC",
    "P.C.",
    "DAC",
    "CIC",
)

# cleanco terms that are everyday words at the end of real names ("Barclays UK", "Audi OK",
# "Virgin Unlimited"): removing them would merge companies that differ only there.
NOT_LEGAL_FORMS = frozenset({"uk", "eu", "ok", "private", "unlimited", "at", "da", "pp", "ps"})

# Longest legal form in tokens ("ug haftungsbeschrankt and co kg" is 5); runs are bounded by it.
MAX_TERM_TOKENS = 6


def compact_legal_forms(tokenise: Callable[[str], Sequence[str]]) -> frozenset[str]:
    """Every legal form, folded by `tokenise` and joined without spaces."""
    compact = set()
    for term in (*get_unique_terms(), *EXTRA_TERMS):
        tokens = tokenise(term)
        # "GmbH & Co. KG" is also written "GmbH Co. KG"; the connector never tells forms apart
        for folded in ("".join(tokens), "".join(token for token in tokens if token != "and")):
            if folded and folded not in NOT_LEGAL_FORMS:
                compact.add(folded)
    return frozenset(compact)


def strip_legal_forms(tokens: list[str], forms: frozenset[str], keep_one: bool) -> bool:
    """Remove trailing legal forms from `tokens` in place; True if anything was removed.

    The longest trailing run that is a legal form goes first, then again, so
    "Foo GmbH & Co. KG" and "Foo AG GmbH" both end as "foo". With `keep_one`, the last token
    stays even if it is a legal form: "AG" alone is a name, not nothing.
    """
    removed = False
    while tokens:
        floor = 1 if keep_one else 0
        for start in range(max(floor, len(tokens) - MAX_TERM_TOKENS), len(tokens)):
            if "".join(tokens[start:]) in forms:
                del tokens[start:]
                removed = True
                break
        else:
            return removed
    return removed
