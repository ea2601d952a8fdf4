"""The radar's decisions on real company-name variants (tests/data/company_pairs.csv).

Labels are what is true of the companies, not what the matcher does: a pair is `1` when both
names stand for the same company. Where the radar decides otherwise by design, the pair stays
in the set and costs recall, so the figures are honest:
- acronym ("BMW" / "Bayerische Motoren Werke") and long_form ("Robert Bosch GmbH" / "Bosch"):
  expanding abbreviations or dropping words would match on too little (a false flag is far
  worse than a missed one, USERS.md § Prospect overlap);
- "Deutsche Telekom" / "Deutsche Telecom": both spellings are words, so not a typo.
Negatives: subsidiaries and sister companies (Volkswagen / Volkswagen Financial Services,
Siemens / Siemens Healthineers, Bosch Rexroth / Robert Bosch) are different companies to the
radar (separate buyers and contacts) and sit in `shared_word` with the textbook cases
(Deutsche Bank / Deutsche Bahn, Müller Logistik / Müller Maschinenbau).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.radar.index import CompanyIndex
from bot.radar.match import compare, decide
from bot.radar.normalise import normalise

PAIRS_FILE = Path(__file__).parent / "data" / "company_pairs.csv"
MIN_F1 = 0.97


@dataclass(frozen=True)
class Pair:
    name_a: str
    name_b: str
    same: bool
    kind: str


def load_pairs() -> list[Pair]:
    with PAIRS_FILE.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == ["name_a", "name_b", "same", "kind"]
        return [
            Pair(row["name_a"], row["name_b"], row["same"] == "1", row["kind"]) for row in reader
        ]


PAIRS = load_pairs()


@dataclass
class Counts:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    true_neg: int = 0

    def add(self, expected: bool, predicted: bool) -> None:
        if expected and predicted:
            self.true_pos += 1
        elif predicted:
            self.false_pos += 1
        elif expected:
            self.false_neg += 1
        else:
            self.true_neg += 1

    @property
    def precision(self) -> float:
        predicted = self.true_pos + self.false_pos
        return self.true_pos / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_pos + self.false_neg
        return self.true_pos / actual if actual else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def row(self, label: str) -> str:
        n = self.true_pos + self.false_pos + self.false_neg + self.true_neg
        return (
            f"{label:<14}{n:>5}{self.true_pos:>5}{self.false_pos:>5}{self.false_neg:>5}"
            f"{self.true_neg:>5}  {self.precision:9.3f}{self.recall:7.3f}{self.f1:7.3f}"
        )


def evaluate() -> tuple[Counts, dict[str, Counts], list[str]]:
    overall, per_kind, wrong = Counts(), defaultdict(Counts), []
    for pair in PAIRS:
        verdict = compare(pair.name_a, pair.name_b)
        overall.add(pair.same, verdict.same)
        per_kind[pair.kind].add(pair.same, verdict.same)
        if verdict.same != pair.same:
            expected = "same" if pair.same else "different"
            wrong.append(
                f"{pair.kind}: {pair.name_a!r} / {pair.name_b!r} should be {expected} "
                f"({verdict.rule}: {verdict.left.key!r} vs {verdict.right.key!r})"
            )
    return overall, dict(per_kind), wrong


def report(overall: Counts, per_kind: dict[str, Counts], wrong: list[str]) -> str:
    lines = [f"{'kind':<14}{'n':>5}{'TP':>5}{'FP':>5}{'FN':>5}{'TN':>5}  precision recall     F1"]
    lines += [per_kind[kind].row(kind) for kind in sorted(per_kind)]
    lines.append(overall.row("overall"))
    lines += ["misclassified:", *(f"  {line}" for line in wrong)]
    return "\n".join(lines)


def test_the_set_is_large_and_has_both_labels() -> None:
    assert len(PAIRS) >= 150
    assert sum(pair.same for pair in PAIRS) >= 60
    assert sum(not pair.same for pair in PAIRS) >= 60
    assert sum(pair.kind == "shared_word" for pair in PAIRS) >= 30


def test_precision_recall_and_f1() -> None:
    overall, per_kind, wrong = evaluate()
    summary = report(overall, per_kind, wrong)
    print(summary)  # shown with -s, and on failure
    assert per_kind["shared_word"].false_pos == 0, summary
    assert overall.f1 >= MIN_F1, summary


def test_the_decision_does_not_depend_on_the_order() -> None:
    for pair in PAIRS:
        forward, backward = compare(pair.name_a, pair.name_b), compare(pair.name_b, pair.name_a)
        assert (forward.same, forward.rule) == (backward.same, backward.rule), pair


@pytest.fixture(scope="module")
def index_of_all_names() -> tuple[CompanyIndex[int], list[str]]:
    names = sorted({name for pair in PAIRS for name in (pair.name_a, pair.name_b)})
    return CompanyIndex(enumerate(names)), names


def test_lookup_agrees_with_compare_on_every_name_of_the_set(
    index_of_all_names: tuple[CompanyIndex[int], list[str]],
) -> None:
    index, names = index_of_all_names
    normalised = [normalise(name) for name in names]
    for query in names:
        found = set(index.lookup(query))
        wanted = {key for key, name in enumerate(normalised) if decide(normalise(query), name).same}
        assert found == wanted, (query, [names[key] for key in found ^ wanted])
