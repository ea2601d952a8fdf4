"""The team insight's pure parts: figures from facts, and their rendering in both languages."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.insight.figures import (
    DailyShare,
    ImpedimentItem,
    Impediments,
    TeamInsight,
    carried_weeks,
    daily_shares,
    impediments,
    is_first_weekly_of_month,
    weeks_between,
)
from bot.insight.render import agenda_insight_message, home_team_blocks
from bot.weekly.rules import schedule_from_settings
from tests.support import text_of

MONDAYS = schedule_from_settings(0, "10:00", "15:00", "Europe/Berlin", "DE-BY")
people = st.sets(st.sampled_from([f"U{n:04d}" for n in range(1, 15)]))


def test_shares_count_who_posted_of_the_channels_members() -> None:
    shares = daily_shares(
        [(date(2026, 11, 26), {"U1", "U2"}), (date(2026, 11, 23), {"U1", "UGONE"})],
        ["U1", "U2", "U3"],
    )
    assert shares == (
        DailyShare(date(2026, 11, 23), posted=2, members=4),  # someone who left was a member
        DailyShare(date(2026, 11, 26), posted=2, members=3),
    )
    assert DailyShare(date(2026, 11, 26), 0, 0).share == 0.0


@given(st.lists(people, max_size=8), people)
def test_a_share_lies_within_zero_and_one_and_never_exceeds_the_members(
    posters: list[set[str]], members: set[str]
) -> None:
    days = [date(2026, 11, 2) + timedelta(days=3 * n) for n in range(len(posters))]
    for share in daily_shares(zip(days, posters, strict=True), members):
        assert 0.0 <= share.share <= 1.0
        assert share.posted <= share.members
        assert share.members >= len(members)


def test_a_daily_impediment_counts_once_and_is_resolved_through_its_weekly_item() -> None:
    items = [
        ImpedimentItem(10, daily_update_id=1),  # from the Daily, then ✅ in the Weekly
        ImpedimentItem(11, daily_update_id=99),  # from a Daily before the window
        ImpedimentItem(12),  # added with /weekly, resolved
        ImpedimentItem(13),  # added with /weekly, open
    ]
    assert impediments({1, 2}, items, resolved={10, 11, 12}) == Impediments(raised=4, resolved=2)
    assert impediments(set(), [], set()) == Impediments()


@given(st.sets(st.integers(0, 30)), st.lists(st.integers(0, 30)), st.sets(st.integers(0, 60)))
def test_never_more_resolved_than_raised(
    updates: set[int], own: list[int], resolved: set[int]
) -> None:
    items = [ImpedimentItem(100 + n, n if n % 2 else None) for n in own]
    counts = impediments(updates, items, resolved)
    assert 0 <= counts.resolved <= counts.raised


def test_carried_items_by_weeks() -> None:
    shown = date(2026, 12, 7)
    firsts = [date(2026, 11, 30), date(2026, 11, 30), date(2026, 11, 16), date(2026, 12, 1)]
    assert carried_weeks(firsts, shown) == {1: 3, 3: 1}
    assert weeks_between(shown, shown) == 1


def test_the_first_weekly_of_a_month_in_the_channels_calendar() -> None:
    assert is_first_weekly_of_month(MONDAYS, date(2026, 12, 7))
    assert not is_first_weekly_of_month(MONDAYS, date(2026, 12, 14))
    assert not is_first_weekly_of_month(MONDAYS, date(2026, 11, 30))
    assert is_first_weekly_of_month(MONDAYS, date(2026, 11, 2))
    # 1 May 2023 was a Monday and a holiday: the Weekly moved to Tuesday 2 May, the first.
    assert is_first_weekly_of_month(MONDAYS, date(2023, 5, 2))
    assert not is_first_weekly_of_month(MONDAYS, date(2023, 5, 8))


INSIGHT = TeamInsight(
    channel_id="C0001",
    dailies=(DailyShare(date(2026, 11, 23), 7, 9), DailyShare(date(2026, 11, 26), 9, 9)),
    impediments=Impediments(raised=5, resolved=3),
    carried={1: 2, 3: 1},
)


def test_the_team_section_in_english_and_german() -> None:
    english = text_of({"text": "", "blocks": home_team_blocks("en", [INSIGHT])})
    assert "*Team*" in english and "<#C0001>" in english
    assert "23 Nov 7 of 9 (78 %) · 26 Nov 9 of 9 (100 %)" in english
    assert "5 impediments raised in the last 4 weeks, 3 resolved" in english
    assert "3 agenda items carried over: 2 for 1 week, 1 for 3 weeks" in english
    german = text_of({"text": "", "blocks": home_team_blocks("de", [INSIGHT])})
    assert "23. Nov. 7 von 9 (78 %)" in german
    assert "5 Hindernisse in den letzten 4 Wochen genannt, 3 gelöst" in german
    assert "3 Agendapunkte übernommen: 2 seit 1 Woche, 1 seit 3 Wochen" in german


def test_an_empty_history_and_no_channel_render_plainly() -> None:
    empty = text_of({"text": "", "blocks": home_team_blocks("en", [TeamInsight("C0001")])})
    assert "No Daily held yet." in empty and "No agenda items carried over." in empty
    assert "0 impediments raised" in empty
    none = text_of({"text": "", "blocks": home_team_blocks("en", [])})
    assert "team channels you are in" in none


def test_the_agenda_reply_says_what_it_is() -> None:
    text, blocks = agenda_insight_message("en", INSIGHT)
    assert text == "Team insight at the start of the month"
    assert "7 of 9" in text_of({"text": text, "blocks": blocks})
