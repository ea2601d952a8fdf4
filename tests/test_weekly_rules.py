"""Pure Weekly decisions: which Weekly a run is for, the call's day, reactions, order."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.weekly.render import agenda_message, item_line
from bot.weekly.rules import (
    CLAIM,
    RESOLVE,
    AgendaItem,
    ItemState,
    Mark,
    WeeklySchedule,
    agenda_date_for,
    by_category,
    is_newer,
    item_states,
    next_weekly,
    numbered,
    reaction_kind,
)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = WeeklySchedule(0, time(10), time(15), "Europe/Berlin")


@pytest.mark.parametrize(
    ("weekday", "call_weekday"),
    [(0, 4), (1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 4)],
)
def test_the_call_goes_out_on_the_working_day_before(weekday: int, call_weekday: int) -> None:
    schedule = WeeklySchedule(weekday, time(10), time(15), "Europe/Berlin")
    assert schedule.call_weekday == call_weekday
    assert schedule.jobs["weekly-call"].weekdays == frozenset({call_weekday})
    assert schedule.jobs["weekly-agenda"].weekdays == frozenset({weekday})


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN), date(2026, 11, 30)),  # due at T
        (datetime(2026, 11, 30, 11, 30, tzinfo=BERLIN), date(2026, 11, 30)),  # late, same day
        (datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN), date(2026, 11, 30)),
        (datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN), date(2026, 12, 7)),  # the next one
        (datetime(2026, 11, 29, 23, 30, tzinfo=BERLIN), date(2026, 11, 30)),
        # 23:30 UTC on Sunday is already Monday in Berlin
        (datetime(2026, 11, 29, 23, 30, tzinfo=UTC), date(2026, 11, 30)),
    ],
)
def test_the_agenda_run_at_t_is_for_the_weekly_due_then_or_the_next(
    at: datetime, expected: date
) -> None:
    assert agenda_date_for(MONDAY_10, at) == expected


def test_the_next_weekly_crosses_daylight_saving_in_local_time() -> None:
    start = next_weekly(MONDAY_10, datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN))
    assert start.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 30, 10, 0)
    assert start.utcoffset() is not None and start.hour == 8  # CEST: UTC+2


def test_reaction_names_with_skin_tones_and_others() -> None:
    assert reaction_kind("raising_hand") == CLAIM
    assert reaction_kind("raising_hand::skin-tone-2") == CLAIM
    assert reaction_kind("white_check_mark") == RESOLVE
    assert reaction_kind("heavy_check_mark") is None
    assert reaction_kind("thumbsup") is None


def test_event_order_is_numeric_not_textual() -> None:
    assert is_newer("1790000001.000020", "1790000001.000010")
    assert not is_newer("1790000001.000010", "1790000001.000020")
    assert is_newer("10.5", "9.9"), "ts of different lengths compare as numbers"
    assert is_newer("1.0", None)


def test_owners_are_everyone_with_an_active_hand_and_one_check_resolves() -> None:
    states = item_states(
        [
            Mark(1, "U2", CLAIM, True),
            Mark(1, "U1", CLAIM, True),
            Mark(1, "U3", CLAIM, False),
            Mark(1, "U1", CLAIM, True),  # the same person on a carried-over reply
            Mark(2, "U1", RESOLVE, False),
            Mark(3, "U4", RESOLVE, True),
        ]
    )
    assert states[1] == ItemState(("U1", "U2"), False)
    assert states[2] == ItemState((), False)
    assert states[3] == ItemState((), True)


def _item(n: int, category: str, **kwargs: object) -> AgendaItem:
    return AgendaItem(id=n, category=category, text=f"item {n}", user_id="U1", **kwargs)  # type: ignore[arg-type]


def test_numbers_follow_the_given_order_and_groups_the_category_order() -> None:
    items = numbered([_item(7, "other"), _item(3, "impediment"), _item(5, "done")])
    assert [(i.id, i.number) for i in items] == [(7, 1), (3, 2), (5, 3)]
    groups = by_category(items)
    assert [g.category for g in groups] == ["done", "impediment", "other"]
    assert [g.items[0].number for g in groups] == [3, 2, 1]
    assert by_category([_item(1, "bogus")])[0].category == "other"


def test_item_lines_ping_owners_only_where_asked() -> None:
    item = _item(1, "plan", claimants=("U0002", "odd id"), resolved=True, carried_over=True)
    names = {"U1": "Anna", "U0002": "<!here> Ben"}
    pinging = item_line("en", item, names, ping_owners=True)
    quiet = item_line("en", item, names)
    assert pinging.endswith(":raising_hand: <@U0002>, odd id") and "~item 1~" in pinging
    assert "carried over" in pinging
    assert "&lt;!here&gt; Ben" in quiet and "<@" not in quiet and "<!" not in quiet


def test_a_huge_agenda_fits_slacks_limits_and_keeps_its_status_line() -> None:
    items = [
        AgendaItem(
            id=n, category="plan", text="x" * 2500, user_id=f"U{n:04d}", claimants=("U0001",)
        )
        for n in range(60)
    ]
    _, blocks = agenda_message("de", date(2026, 11, 30), items, [], {})
    assert len(blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert "0 von 60 Punkten erledigt" in blocks[-1]["elements"][0]["text"]
