"""The OKRs' rules: progress, a key result's value at a moment, the change since then, which key
results went without a check-in, numbering, and quarters. Pure: no Slack, no database.

Progress is always the team's: a key result's value is its latest check-in, whoever made it, and
nothing here counts or ranks people. A key result starts at 0 and moves towards its target
(higher is better).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.okr.parse import Quarter

# "Without a check-in for seven days" (the call for items names these key results).
STALE_AFTER = timedelta(days=7)
# Teams close a quarter's OKRs at its end, often a few days late: a close in the first days of
# a quarter archives the quarter before.
LATE_CLOSE_DAYS = 14
BAR_WIDTH = 10


@dataclass(frozen=True)
class CheckIn:
    value: float
    at: datetime
    note: str | None = None
    user_id: str | None = None  # None once the person was forgotten (GDPR)


@dataclass(frozen=True)
class KeyResult:
    id: int
    objective_number: int
    number: int
    text: str
    target: float
    unit: str
    created_at: datetime
    check_ins: tuple[CheckIn, ...] = ()  # oldest first

    @property
    def label(self) -> str:
        return f"KR{self.objective_number}.{self.number}"

    @property
    def value(self) -> float:
        """The latest check-in's value; 0 before the first."""
        return self.check_ins[-1].value if self.check_ins else 0.0

    @property
    def last_activity(self) -> datetime:
        return self.check_ins[-1].at if self.check_ins else self.created_at


@dataclass(frozen=True)
class Objective:
    id: int
    number: int
    text: str
    created_at: datetime
    key_results: tuple[KeyResult, ...] = ()
    quarter: str | None = None  # set once archived
    closed_at: datetime | None = None

    @property
    def label(self) -> str:
        return f"O{self.number}"


@dataclass(frozen=True)
class Change:
    """A key result's value then and now; `then` None: it did not exist then."""

    then: float | None
    now: float

    @property
    def delta(self) -> float | None:
        return None if self.then is None else self.now - self.then


@dataclass(frozen=True)
class OkrSet:
    """The open objectives of a channel, in number order."""

    objectives: tuple[Objective, ...] = field(default_factory=tuple)

    @property
    def key_results(self) -> list[KeyResult]:
        return [kr for objective in self.objectives for kr in objective.key_results]

    def objective(self, number: int) -> Objective | None:
        return next((o for o in self.objectives if o.number == number), None)

    def key_result(self, objective: int, number: int) -> KeyResult | None:
        found = self.objective(objective)
        if found is None:
            return None
        return next((kr for kr in found.key_results if kr.number == number), None)


def progress(kr: KeyResult) -> float:
    """Value over target, 0 upwards (1.0 = reached; above 1.0 = beyond the target)."""
    return max(kr.value, 0.0) / kr.target if kr.target > 0 else 0.0


def objective_progress(objective: Objective) -> float | None:
    """The mean of its key results' progress, each capped at 100 %; None without any."""
    if not objective.key_results:
        return None
    return sum(min(progress(kr), 1.0) for kr in objective.key_results) / len(objective.key_results)


def value_at(kr: KeyResult, moment: datetime) -> float | None:
    """The key result's value as it stood at `moment`; None if it did not exist yet."""
    if kr.created_at > moment:
        return None
    value = 0.0
    for check_in in kr.check_ins:
        if check_in.at > moment:
            break
        value = check_in.value
    return value


def change_since(kr: KeyResult, moment: datetime) -> Change:
    return Change(then=value_at(kr, moment), now=kr.value)


def stale(key_results: Iterable[KeyResult], now: datetime) -> list[KeyResult]:
    """Key results nobody checked in for seven days (a new one counts from its creation)."""
    return [kr for kr in key_results if now - kr.last_activity >= STALE_AFTER]


def next_number(taken: Iterable[int]) -> int:
    """One above the highest number of the open set: a removed O2 leaves a gap rather than
    lending its number to the next objective (O1, O3, then O4), so `KR2.1` in last week's notes
    does not come to mean something else. A new quarter (after `close`) starts at 1 again."""
    return max(taken, default=0) + 1


def bar(share: float, width: int = BAR_WIDTH) -> str:
    """A text progress bar, full at 100 % (beyond the target it stays full)."""
    filled = round(min(max(share, 0.0), 1.0) * width)
    return "▓" * filled + "░" * (width - filled)


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def closing_quarter(day: date) -> Quarter:
    """The quarter a `close` on local `day` archives: the running one, or the one before in the
    first two weeks of a quarter (the usual late close)."""
    current = quarter_of(day)
    first_day = date(current.year, 3 * current.quarter - 2, 1)
    if (day - first_day).days >= LATE_CLOSE_DAYS:
        return current
    if current.quarter == 1:
        return Quarter(current.year - 1, 4)
    return Quarter(current.year, current.quarter - 1)


def capped(items: Sequence[KeyResult], limit: int) -> tuple[list[KeyResult], int]:
    """At most `limit` of them (Block Kit's limits), and how many were left out."""
    return list(items[:limit]), max(len(items) - limit, 0)
