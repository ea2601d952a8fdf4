"""What `python -m bot radar explain NAME_A NAME_B` prints: how both names are read, the rule
that decided, and last the verdict alone (`same` or `different`), so scripts can read it."""

from __future__ import annotations

from bot.radar.match import Verdict, compare
from bot.radar.normalise import CompanyName


def explain(name_a: str, name_b: str) -> list[str]:
    verdict = compare(name_a, name_b)
    return [
        *_describe("A", verdict.left),
        *_describe("B", verdict.right),
        f"rule: {verdict.rule}",
        verdict.explanation,
        _last_line(verdict),
    ]


def _describe(label: str, name: CompanyName) -> list[str]:
    return [
        f"{label}: {name.original!r}",
        f"   words:  {' '.join(name.tokens) if name.tokens else '(none)'}",
        f"   domain: {name.domain or '(none)'}",
        f"   key:    {name.key or '(empty)'}",
    ]


def _last_line(verdict: Verdict) -> str:
    return "same" if verdict.same else "different"
