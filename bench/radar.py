"""Prospect radar matching at scale: 100,000 known companies, lookups and mention scanning.

    .venv/bin/python bench/radar.py [--companies 100000] [--lookups 2000] [--messages 10000]
                                    [--baseline-lookups 200] [--seed 7]

Prints index build time and memory, lookup latency (p50/p99) per announced company, scanning
throughput over realistic messages, and the same lookups through a naive
`rapidfuzz.process.extractOne(name, names, scorer=fuzz.WRatio)` as the baseline, with both
methods' accuracy on the generated variants. Everything is generated from --seed.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import string
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.radar.index import CompanyIndex


def words(text: str) -> list[str]:
    return text.split()


SURNAMES = words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann "
    "Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König "
    "Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel "
    "Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht "
    "Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger Otto Sommer "
    "Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn Pohl Engel "
    "Horn Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer Oberhuber Gruber Pichler "
    "Steiner Moser Hofer Leitner Egger Brunner Lechner Wallner Ebner Haller Wyss Gerber "
    "Baumgartner "
    "Brügger Lüthi Käser Zürcher Eberle Häberle Nägele Würfel Löffler Dörfler Fröhlich Blümel"
)
PLACES = words(
    "Berlin Hamburg München Köln Frankfurt Stuttgart Düsseldorf Leipzig Dortmund Essen Bremen "
    "Dresden Hannover Nürnberg Duisburg Bochum Wuppertal Bielefeld Bonn Münster Mannheim "
    "Karlsruhe Augsburg Wiesbaden Mönchengladbach Gelsenkirchen Aachen Braunschweig Kiel Chemnitz "
    "Halle Magdeburg Freiburg Krefeld Mainz Lübeck Erfurt Oberhausen Rostock Kassel Hagen Potsdam "
    "Saarbrücken Hamm Ludwigshafen Oldenburg Osnabrück Leverkusen Heidelberg Darmstadt Solingen "
    "Regensburg Paderborn Ingolstadt Würzburg Ulm Wolfsburg Göttingen Wien Graz Linz Salzburg "
    "Innsbruck Klagenfurt Zürich Genf Basel Bern Lausanne Luzern Winterthur Sankt-Gallen Lugano"
)
SECTORS = words(
    "Maschinenbau Logistik Software Elektrotechnik Metallbau Bau Consulting Solutions Systems "
    "Technik Automation Medizintechnik Werkzeugbau Kunststofftechnik Immobilien Steuerberatung "
    "Spedition Haustechnik Anlagenbau Antriebstechnik Verpackung Druckerei Holzbau Stahlbau "
    "Elektronik Sensorik Robotik Fördertechnik Umwelttechnik Energie Solartechnik Gebäudetechnik "
    "Lasertechnik Feinmechanik Präzisionsteile Oberflächentechnik Messtechnik Industriebedarf "
    "Transporte Entsorgung Personalservice IT-Services Datentechnik Netzwerke Medien Werbetechnik "
    "Catering Reinigung Sicherheitstechnik Kältetechnik Hydraulik Pneumatik Armaturen Lacke"
)
LEGAL_FORMS = (
    ["GmbH"] * 30
    + ["GmbH & Co. KG"] * 12
    + ["AG"] * 6
    + ["KG"] * 4
    + ["e.K."] * 3
    + ["SE"] * 2
    + ["UG (haftungsbeschränkt)"] * 3
    + ["OHG", "GbR", "Ges.m.b.H.", "AG & Co. KG", "Inc.", "Ltd."]
    + ["LLC", "S.A.", "B.V.", "SE & Co. KG", "Sàrl", "plc"]
    + [""] * 10
)
ONSETS = words("b br c ch d dr f fl fr g gr h j k kl kr l m n p pl pr qu r s sch sp st t tr v w z")
VOWELS = words("a e i o u au ei ie y")
CODAS = ["", "", "n", "r", "l", "s", "x", "nd", "rt", "ck", "m"]
ENDINGS = words("tec tex lix nova tron nex ion ra via tis ix on um ica ent ware")
TLDS = ["de"] * 6 + ["com"] * 3 + ["at", "ch", "eu", "io", "net"]
WARM_UP_MESSAGES, WARM_UP_LOOKUPS = 2_000, 200  # other ones than those measured
FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


@dataclass(frozen=True)
class Company:
    name: str
    core: str  # the name without legal form or domain
    domain: str | None


class Generator:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def brand(self) -> str:
        """An invented brand name ("Kraustron", "Pliemix"): syllables and a common ending."""
        pick = self.random.choice
        count = self.random.choice([2, 2, 3])
        word = "".join(pick(ONSETS) + pick(VOWELS) + pick(CODAS) for _ in range(count))
        return (word + pick(ENDINGS)).capitalize()

    def core(self) -> str:
        pick, roll = self.random.choice, self.random.random()
        if roll < 0.30:
            return f"{pick(SURNAMES)} {pick(SECTORS)}"
        if roll < 0.42:
            return f"{pick(SURNAMES)} & {pick(SURNAMES)}"
        if roll < 0.55:
            return f"{pick(SECTORS)} {pick(PLACES)}"
        if roll < 0.75:
            return self.brand()
        if roll < 0.88:
            return f"{self.brand()} {pick(SECTORS)}"
        return f"{pick(SURNAMES)} {pick(SECTORS)} {pick(PLACES)}"

    def company(self) -> Company:
        core = self.core()
        legal = self.random.choice(LEGAL_FORMS)
        domain = None
        if self.random.random() < 0.12:
            domain = domain_of(core, self.random.choice(TLDS))
        name = f"{core} {legal}".strip()
        if domain and self.random.random() < 0.4:
            name = domain  # known only by its web address
        elif domain:
            name = f"{name} ({domain})"
        return Company(name, core, domain)

    def companies(self, count: int) -> list[Company]:
        seen: dict[str, Company] = {}
        while len(seen) < count:
            company = self.company()
            seen.setdefault(company.core.lower(), company)
        return list(seen.values())

    def variant(self, company: Company) -> str:
        """How a teammate might write a known company: case, legal form, umlauts, domain."""
        roll = self.random.random()
        if company.domain and roll < 0.25:
            return self.random.choice(
                [
                    company.domain,
                    f"https://www.{company.domain}/kontakt",
                    f"vertrieb@{company.domain}",
                ]
            )
        core = company.core
        if self.random.random() < 0.5:
            core = core.translate(FOLD)
        if self.random.random() < 0.3:
            core = core.upper() if self.random.random() < 0.5 else core.lower()
        return f"{core} {self.random.choice(LEGAL_FORMS)}".strip()

    def typo(self, company: Company) -> str | None:
        """One edit in a word of at least eight letters (safely above the six-letter rule)."""
        words = company.core.split()
        long_words = [i for i, word in enumerate(words) if len(word) >= 8 and word.isalpha()]
        if not long_words:
            return None
        i = self.random.choice(long_words)
        word, at = words[i], self.random.randint(2, len(words[i]) - 3)
        kind = self.random.choice(["swap", "drop", "double", "change"])
        if kind == "swap":
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        elif kind == "drop":
            word = word[:at] + word[at + 1 :]
        elif kind == "double":
            word = word[:at] + word[at] + word[at:]
        else:
            word = word[:at] + self.random.choice(string.ascii_lowercase) + word[at + 1 :]
        words[i] = word
        return " ".join(words)


def domain_of(core: str, tld: str) -> str:
    label = core.translate(FOLD).lower().replace(" & ", "-").replace(" ", "-")
    return f"{label}.{tld}"


@dataclass(frozen=True)
class Lookup:
    query: str
    wanted: int | None  # the company it names, None for an unknown company
    kind: str


def make_lookups(gen: Generator, companies: list[Company], count: int) -> list[Lookup]:
    lookups: list[Lookup] = []
    known = {company.core.lower() for company in companies}
    while len(lookups) < count:
        roll, target = gen.random.random(), gen.random.randrange(len(companies))
        if roll < 0.45:
            lookups.append(Lookup(gen.variant(companies[target]), target, "variant"))
        elif roll < 0.65:
            typo = gen.typo(companies[target])
            if typo is not None:
                lookups.append(Lookup(typo, target, "typo"))
        else:
            unknown = gen.company()
            if unknown.core.lower() not in known:
                lookups.append(Lookup(unknown.name, None, "unknown"))
    return lookups


MESSAGES = [
    "Call with {a} at 10, they want a quote for the new line.",
    "Heute Termin bei {a} in {place}, lief gut. Angebot bis Freitag.",
    "Follow-up mit {a}: Einkauf fragt nach Rabatt, ich melde mich.",
    "{a} and {b} both asked for a demo next week.",
    "No answer from the {sector} prospect yet, will try again tomorrow.",
    "Demo für {a} verschoben auf Dienstag, {person} ist krank.",
    "Got an intro to {a} via a former colleague, first call on Monday.",
    "Messe in {place}: gute Gespräche, u.a. mit {a}. Details im CRM.",
    "Pricing question from {a} — can someone from product join?",
    "Kunde will Referenzen aus dem Bereich {sector}, hat jemand was?",
    "Reminder: contract renewal {a} end of month.",
    "Lost the deal with {a}, they went with a competitor.",
    "Internes Meeting zur Pipeline, nichts Neues von Kunden.",
    "Quick sync with {person} on the Q3 numbers.",
]


def make_messages(gen: Generator, companies: list[Company], count: int) -> list[str]:
    pick = gen.random.choice
    messages = []
    for _ in range(count):
        values = {
            "a": gen.variant(pick(companies)),
            "b": gen.variant(pick(companies)),
            "place": pick(PLACES),
            "sector": pick(SECTORS),
            "person": f"Herr {pick(SURNAMES)}",
        }
        messages.append(pick(MESSAGES).format(**values))
    return messages


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 2**20


def accuracy(results: Sequence[set[int]], lookups: Sequence[Lookup], core_of: list[str]) -> dict:
    """Per kind: share answered right (the wanted company found; nothing for unknown ones),
    and false flags (a company returned that is not the wanted one)."""
    by_kind: dict[str, list[int]] = {}
    for found, lookup in zip(results, lookups, strict=True):
        right = lookup.wanted in found if lookup.wanted is not None else not found
        wrong = any(
            core_of[key].lower() != core_of[lookup.wanted].lower()
            if lookup.wanted is not None
            else True
            for key in found
        )
        tally = by_kind.setdefault(lookup.kind, [0, 0, 0])
        tally[0] += right
        tally[1] += wrong
        tally[2] += 1
    return by_kind


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--baseline-lookups", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    gen = Generator(args.seed)
    companies = gen.companies(args.companies)
    lookups = make_lookups(gen, companies, args.lookups)
    messages = make_messages(gen, companies, args.messages)
    warm_up = make_messages(gen, companies, WARM_UP_MESSAGES)
    names = [company.name for company in companies]
    core_of = [company.core for company in companies]

    import bot.radar.common_words as common_words  # loaded once, like in a running bot

    common_words.is_everyday("warm")
    common_words.is_known_word("warm")
    before = rss_mb()
    index: CompanyIndex[int] = CompanyIndex()
    build = timed(lambda: [index.add(key, name) for key, name in enumerate(names)])
    automaton = timed(lambda: index.scan("warm up"))
    index_mb = rss_mb() - before

    for lookup in make_lookups(gen, companies, WARM_UP_LOOKUPS):
        index.lookup(lookup.query)
    gc.collect()
    ours, latencies = [], []
    for lookup in lookups:
        started = time.perf_counter()
        found = index.lookup(lookup.query)
        latencies.append(time.perf_counter() - started)
        ours.append(set(found))

    for message in warm_up:  # fills the word-folding cache, as a running bot's would be
        index.scan(message)
    gc.collect()
    mentions = 0
    started, started_cpu = time.perf_counter(), time.process_time()
    for message in messages:
        mentions += len(index.scan(message))
    scan_seconds = time.perf_counter() - started
    scan_cpu_seconds = time.process_time() - started_cpu

    sample = lookups[: args.baseline_lookups]
    baseline, baseline_latencies = [], []
    for lookup in sample:
        started = time.perf_counter()
        best = process.extractOne(lookup.query, names, scorer=fuzz.WRatio, score_cutoff=90)
        baseline_latencies.append(time.perf_counter() - started)
        baseline.append({best[2]} if best else set())

    print(
        f"radar matching bench: {len(names):,} companies (seed {args.seed}), "
        f"{len(lookups):,} lookups, {len(messages):,} messages "
        f"(after {WARM_UP_LOOKUPS} + {WARM_UP_MESSAGES:,} others to warm up), "
        f"baseline on the first {len(sample)} lookups"
    )
    print(f"{'':34}{'radar index':>16}{'rapidfuzz extractOne':>24}")
    print(f"{'index build (s)':34}{build:>16.2f}{'—':>24}")
    print(f"{'  + Aho-Corasick automaton (s)':34}{automaton:>16.2f}{'—':>24}")
    print(f"{'index memory (MB, RSS increase)':34}{index_mb:>16.0f}{'—':>24}")
    print(f"{'process RSS (MB)':34}{rss_mb():>16.0f}{'':>24}")
    for share, label in ((0.5, "p50"), (0.99, "p99")):
        ours_ms = percentile(latencies, share) * 1000
        theirs_ms = percentile(baseline_latencies, share) * 1000
        print(f"{'lookup ' + label + ' (ms)':34}{ours_ms:>16.3f}{theirs_ms:>24.1f}")
    print(
        f"{'lookup mean (ms)':34}{statistics.fmean(latencies) * 1000:>16.3f}"
        f"{statistics.fmean(baseline_latencies) * 1000:>24.1f}"
    )
    print(f"{'scan (messages/s)':34}{len(messages) / scan_seconds:>16,.0f}{'—':>24}")
    print(f"{'  per CPU second (other load aside)':34}{len(messages) / scan_cpu_seconds:>16,.0f}")
    print(f"{'  mentions found':34}{mentions:>16,}")
    ours_acc = accuracy(ours[: len(sample)], sample, core_of)
    theirs_acc = accuracy(baseline, sample, core_of)
    print(f"accuracy on the first {len(sample)} lookups (right / false flags / n):")
    for kind in sorted(theirs_acc):
        a, b = ours_acc.get(kind, [0, 0, 0]), theirs_acc[kind]
        print(f"  {kind:32}{a[0]:>7}/{a[1]}/{a[2]:<8}{b[0]:>15}/{b[1]}/{b[2]}")
    full = accuracy(ours, lookups, core_of)
    print(f"radar accuracy on all {len(lookups):,} lookups:")
    for kind, (right, wrong, n) in sorted(full.items()):
        print(f"  {kind:10} right {right / n:6.1%}   false flags {wrong / n:6.1%}   (n={n})")
    p99 = percentile(latencies, 0.99) * 1000
    rate = len(messages) / scan_seconds
    print(
        f"goals: lookup p99 < 1 ms: {'PASS' if p99 < 1 else 'MISS'}; "
        f"≥ 20,000 messages/s: {'PASS' if rate >= 20_000 else 'MISS'}; "
        f"RSS < 300 MB: {'PASS' if rss_mb() < 300 else 'MISS'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
