"""The OKRs' pure rules and rendering: progress, the value at a moment and the change since,
stale key results, numbering, quarters, and the Weekly section's Block Kit limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.okr import render
from bot.okr.parse import Quarter
from bot.okr.rules import (
    CheckIn,
    KeyResult,
    Objective,
    OkrSet,
    bar,
    change_since,
    closing_quarter,
    next_number,
    objective_progress,
    progress,
    quarter_of,
    stale,
    value_at,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _kr(
    *values: tuple[int, float], target: float = 20, created: datetime = T0, n: int = 1
) -> KeyResult:
    check_ins = tuple(CheckIn(value, T0 + day * DAY) for day, value in values)
    return KeyResult(n, 1, n, f"key result {n}", target, "", created, check_ins)


def test_progress_is_the_latest_value_over_the_target() -> None:
    assert progress(_kr()) == 0
    assert progress(_kr((1, 5), (3, 12))) == pytest.approx(0.6)
    assert progress(_kr((1, 30))) == pytest.approx(1.5), "beyond the target is shown"


def test_an_objective_is_the_mean_of_its_key_results_each_capped() -> None:
    objective = Objective(1, 1, "o", T0, (_kr((1, 40), n=1), _kr((1, 5), n=2)))
    assert objective_progress(objective) == pytest.approx((1.0 + 0.25) / 2)
    assert objective_progress(Objective(2, 2, "empty", T0)) is None


def test_the_value_at_a_moment_and_the_change_since() -> None:
    kr = _kr((1, 4), (5, 9), (9, 7))
    assert value_at(kr, T0 - DAY) is None, "did not exist yet"
    assert value_at(kr, T0) == 0
    assert value_at(kr, T0 + 1 * DAY) == 4, "a check-in at the moment counts"
    assert value_at(kr, T0 + 6 * DAY) == 9
    change = change_since(kr, T0 + 2 * DAY)
    assert (change.then, change.now, change.delta) == (4, 7, 3)
    assert change_since(kr, T0 - DAY).delta is None


def test_stale_means_seven_days_without_a_check_in_counting_from_creation() -> None:
    now = T0 + 10 * DAY
    old_check_in = _kr((2, 1), n=1)
    recent_check_in = _kr((2, 1), (6, 2), n=2)
    new = _kr(created=T0 + 5 * DAY, n=3)
    never = _kr(n=4)
    assert [kr.number for kr in stale([old_check_in, recent_check_in, new, never], now)] == [1, 4]
    assert stale([_kr((3, 1))], T0 + 10 * DAY) == [_kr((3, 1))], "exactly seven days"


def test_numbers_continue_above_the_highest_open_one() -> None:
    assert next_number([]) == 1
    assert next_number([1, 3]) == 4


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 12, 30), Quarter(2026, 4)),
        (date(2027, 1, 5), Quarter(2026, 4)),
        (date(2027, 1, 15), Quarter(2027, 1)),
        (date(2026, 4, 14), Quarter(2026, 1)),
        (date(2026, 5, 1), Quarter(2026, 2)),
    ],
)
def test_a_close_archives_the_running_quarter_or_after_a_late_close_the_one_before(
    day: date, quarter: Quarter
) -> None:
    assert closing_quarter(day) == quarter


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_day_lies_in_its_quarter(day: date) -> None:
    quarter = quarter_of(day)
    assert quarter.year == day.year and 3 * quarter.quarter - 2 <= day.month <= 3 * quarter.quarter
    closing = closing_quarter(day)
    assert closing == quarter or (day - date(day.year, 3 * quarter.quarter - 2, 1)).days < 14


@given(st.floats(min_value=-1, max_value=5, allow_nan=False))
def test_the_bar_has_a_fixed_width(share: float) -> None:
    assert len(bar(share)) == 10


def test_the_agenda_section_is_capped_and_says_how_many_more() -> None:
    objectives = tuple(
        Objective(o, o, f"objective {o}", T0, tuple(_kr(n=o * 10 + k) for k in range(1, 8)))
        for o in range(1, 4)
    )
    section = render.agenda_section("en", OkrSet(objectives), None, 42)
    text = " ".join(str(block) for block in section)
    assert "…and 6 more" in text
    assert section[-1]["elements"][0]["value"] == "42"
    assert len(section) <= 3


def test_the_modal_offers_at_most_a_hundred_key_results() -> None:
    krs = tuple(_kr(n=n) for n in range(1, 131))
    modal = render.check_in_modal("en", OkrSet((Objective(1, 1, "o", T0, krs),)), {"channel": "C"})
    options = modal["blocks"][0]["element"]["options"]
    assert len(options) == 100
    assert all(len(option["text"]["text"]) <= 75 for option in options)


def test_changes_read_as_arrows_and_never_name_anyone() -> None:
    kr = _kr((1, 4), (5, 9))
    line = render.key_result_line(kr, "en", change_since(kr, T0 + 2 * DAY))
    assert line.endswith("▲ +5 since the last Weekly")
    down = _kr((1, 9), (5, 4))
    assert "▼ −5" in render.key_result_line(down, "de", change_since(down, T0 + 2 * DAY))
