"""The Daily's pure decisions: which Daily an answer joins, who is reminded, what the summary
shows, and how the `/daily settings` modal is validated."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date, time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.daily.rules import (
    DailySummary,
    NamedText,
    UpdateFacts,
    daily_date_for_answer,
    members_to_remind,
    summarise,
)
from bot.daily.settings_form import DailySettingsForm, SettingsError, validate_settings

MON_THU = frozenset({0, 3})
# November 2026: Monday 23rd, Tuesday 24th, Wednesday 25th, Thursday 26th, Friday 27th.
MON_23 = date(2026, 11, 23)
TUE_24 = date(2026, 11, 24)
WED_25 = date(2026, 11, 25)
THU_26 = date(2026, 11, 26)
FRI_27 = date(2026, 11, 27)
THU_19 = date(2026, 11, 19)


def test_the_calendar_of_these_tests_is_right() -> None:
    assert [day.weekday() for day in (MON_23, TUE_24, WED_25, THU_26, FRI_27, THU_19)] == [
        0,
        1,
        2,
        3,
        4,
        3,
    ]


# --- daily_date_for_answer -----------------------------------------------------------------------


@pytest.mark.parametrize("latest_posted", [None, THU_19, MON_23])
def test_an_answer_on_a_daily_day_belongs_to_that_days_daily(latest_posted: date | None) -> None:
    assert daily_date_for_answer(THU_26, MON_THU, latest_posted) == THU_26


def test_a_late_answer_between_daily_days_joins_the_latest_posted_daily() -> None:
    assert daily_date_for_answer(WED_25, MON_THU, MON_23) == MON_23
    assert daily_date_for_answer(TUE_24, MON_THU, MON_23) == MON_23


def test_a_late_answer_joins_an_ad_hoc_daily_held_after_the_last_scheduled_day() -> None:
    assert daily_date_for_answer(WED_25, MON_THU, TUE_24) == TUE_24


def test_a_stale_latest_daily_opens_todays_daily_instead() -> None:
    # Monday's Daily was never posted; the latest one is last week's Thursday.
    assert daily_date_for_answer(WED_25, MON_THU, THU_19) == WED_25


def test_without_any_daily_an_answer_between_daily_days_opens_todays() -> None:
    assert daily_date_for_answer(WED_25, MON_THU, None) == WED_25


def test_an_answer_on_the_day_of_the_latest_daily_joins_it() -> None:
    # An ad-hoc Daily already opened today (a Wednesday, not a Daily day).
    assert daily_date_for_answer(WED_25, MON_THU, WED_25) == WED_25


def test_with_a_single_daily_day_a_late_answer_still_joins_the_last_one() -> None:
    # Only Mondays: Friday's answer belongs to Monday's Daily of the same week.
    assert daily_date_for_answer(FRI_27, frozenset({0}), MON_23) == MON_23
    assert daily_date_for_answer(FRI_27, frozenset({0}), date(2026, 11, 16)) == FRI_27


# --- members_to_remind ---------------------------------------------------------------------------


def test_only_members_who_neither_answered_nor_are_away_are_reminded() -> None:
    members = ["U3", "U1", "U2", "U4"]
    assert members_to_remind(members, answered=["U2"], absent=["U4"]) == ["U1", "U3"]


def test_answers_and_absences_of_non_members_change_nothing() -> None:
    assert members_to_remind(["U1"], answered=["U9"], absent=["U8"]) == ["U1"]


def test_a_member_listed_twice_is_reminded_once() -> None:
    assert members_to_remind(["U1", "U1"], answered=[], absent=[]) == ["U1"]


def test_nobody_is_reminded_when_everyone_answered_or_is_away() -> None:
    assert members_to_remind(["U1", "U2"], answered=["U1"], absent=["U2"]) == []


# --- summarise ----------------------------------------------------------------------------------

NAMES = {"U1": "anna", "U2": "Ben", "U3": "carla", "U4": "Dora", "U5": "Emil"}


def test_people_are_ordered_by_name_ignoring_case_not_by_id_or_answer_order() -> None:
    updates = [
        UpdateFacts("U4", highlight="won Dora's deal", impediment=None),
        UpdateFacts("U1", highlight="anna's demo", impediment="CRM down"),
        UpdateFacts("U3", highlight=None, impediment="no leads"),
    ]
    summary = summarise(updates, ["U5", "U2", "U1", "U3", "U4"], {}, NAMES)
    assert summary.posted == ["anna", "carla", "Dora"]
    assert summary.highlights == [
        NamedText("anna", "anna's demo"),
        NamedText("Dora", "won Dora's deal"),
    ]
    assert summary.impediments == [NamedText("anna", "CRM down"), NamedText("carla", "no leads")]
    assert summary.not_posted == ["Ben", "Emil"]


def test_away_people_are_ordered_by_name_with_their_reason() -> None:
    summary = summarise([], ["U1", "U2", "U3"], {"U3": "sick", "U1": None}, NAMES)
    assert summary.away == [NamedText("anna", ""), NamedText("carla", "sick")]


def test_someone_away_who_posted_anyway_is_shown_as_posted_not_away() -> None:
    updates = [UpdateFacts("U2", highlight="demo", impediment=None)]
    summary = summarise(updates, ["U1", "U2"], {"U2": "vacation"}, NAMES)
    assert summary.posted == ["Ben"]
    assert summary.away == []


def test_not_posted_leaves_out_the_people_who_are_away() -> None:
    summary = summarise([], ["U1", "U2", "U3"], {"U2": None}, NAMES)
    assert summary.not_posted == ["anna", "carla"]
    assert [item.name for item in summary.away] == ["Ben"]


def test_a_person_without_a_known_name_is_shown_by_id() -> None:
    summary = summarise([], ["U1", "U99"], {}, NAMES)
    assert summary.not_posted == ["anna", "U99"]


def test_empty_highlights_and_impediments_are_left_out() -> None:
    updates = [UpdateFacts("U1", highlight="", impediment=None)]
    summary = summarise(updates, ["U1"], {}, NAMES)
    assert summary.posted == ["anna"]
    assert summary.highlights == []
    assert summary.impediments == []


def test_nobody_posted_means_everyone_present_is_listed_neutrally() -> None:
    assert summarise([], ["U2", "U1"], {}, NAMES) == DailySummary(not_posted=["anna", "Ben"])


def test_the_summary_holds_names_and_texts_only_never_counts() -> None:
    """It is not a scoreboard: nothing in it is a number per person or in total."""
    updates = [UpdateFacts(user, "h", "i") for user in ("U1", "U2")]
    summary = summarise(updates, list(NAMES), {"U3": "sick"}, NAMES)
    for field in dataclasses.fields(summary):
        values = getattr(summary, field.name)
        assert isinstance(values, list), field.name
        for value in values:
            assert isinstance(value, str | NamedText), (field.name, value)
            if isinstance(value, NamedText):
                assert isinstance(value.name, str)
                assert isinstance(value.text, str)


USER_IDS = st.lists(
    st.from_regex(r"U[A-Z0-9]{2,6}", fullmatch=True), unique=True, min_size=0, max_size=12
)


@st.composite
def daily_situations(
    draw: st.DrawFn,
) -> tuple[list[str], list[UpdateFacts], dict[str, str | None], dict[str, str]]:
    people = draw(USER_IDS)
    members = [user for user in people if draw(st.booleans())]
    # Updates and absences may come from people who have since left the channel.
    posters = [user for user in people if draw(st.booleans())]
    updates = [
        UpdateFacts(
            user,
            draw(st.none() | st.text(max_size=5)),
            draw(st.none() | st.text(max_size=5)),
        )
        for user in posters
    ]
    absent = [user for user in people if draw(st.booleans())]
    absences = {user: draw(st.none() | st.text(max_size=5)) for user in absent}
    # Names are unique per person (suffix) but vary in case, so the ordering is exercised.
    names = {
        user: draw(st.sampled_from(["anna", "Anna", "ben", "Zoe", "émile", "Ömer"])) + f" {user}"
        for user in people
        if draw(st.booleans())
    }
    return members, updates, absences, names


@given(daily_situations())
def test_every_member_appears_exactly_once_in_posted_away_or_not_posted(
    situation: tuple[list[str], list[UpdateFacts], dict[str, str | None], dict[str, str]],
) -> None:
    members, updates, absences, names = situation
    summary = summarise(updates, members, absences, names)
    shown = Counter([*summary.posted, *(item.name for item in summary.away), *summary.not_posted])
    for member in members:
        assert shown[names.get(member, member)] == 1, (member, summary)
    # Nobody else is listed twice either, and nobody shows up who had no part in this Daily.
    assert all(count == 1 for count in shown.values()), summary
    involved = {names.get(user, user) for user in [*members, *absences]} | {
        names.get(facts.user_id, facts.user_id) for facts in updates
    }
    assert set(shown) <= involved


@given(daily_situations())
def test_every_list_in_the_summary_is_sorted_by_name_ignoring_case(
    situation: tuple[list[str], list[UpdateFacts], dict[str, str | None], dict[str, str]],
) -> None:
    members, updates, absences, names = situation
    summary = summarise(updates, members, absences, names)
    for shown in (
        summary.posted,
        summary.not_posted,
        [item.name for item in summary.away],
        [item.name for item in summary.highlights],
        [item.name for item in summary.impediments],
    ):
        assert shown == sorted(shown, key=str.casefold)


# --- validate_settings (the /daily settings modal) -----------------------------------------------


def answers(**changes: Any) -> dict[str, Any]:
    """What the settings modal sends, keyed by block id, with valid defaults."""
    values: dict[str, Any] = {
        "weekdays": ["0", "3"],
        "prompt_at": "09:00",
        "reminder_at": "11:00",
        "summary_at": "12:00",
        "timezone": "Europe/Berlin",
        "language": "de",
    }
    values.update(changes)
    return values


def test_valid_answers_become_a_form() -> None:
    form = validate_settings(answers(weekdays=["3", "0", "4"], timezone=" America/New_York "))
    assert form == DailySettingsForm(
        weekdays=frozenset({0, 3, 4}),
        prompt_at=time(9, 0),
        reminder_at=time(11, 0),
        summary_at=time(12, 0),
        timezone="America/New_York",
        language="de",
    )


def test_the_form_becomes_the_channel_columns_in_storage_format() -> None:
    form = validate_settings(
        answers(weekdays=["4", "1"], prompt_at="8:05", reminder_at="10:30", summary_at="16:00")
    )
    assert form.as_columns() == {
        "daily_weekdays": "1,4",
        "daily_prompt_time": "08:05",
        "daily_reminder_time": "10:30",
        "daily_summary_time": "16:00",
        "timezone": "Europe/Berlin",
        "language": "de",
        "holiday_region": "off",  # none given: no holidays
    }


def test_the_confirmation_lists_the_chosen_settings_in_the_users_language() -> None:
    form = validate_settings(answers())
    english = form.confirmation("en")
    assert "Mon, Thu" in english
    assert all(part in english for part in ("09:00", "11:00", "12:00", "Europe/Berlin"))
    german = form.confirmation("de")
    assert german != english
    assert "Mo" in german and "Do" in german


@pytest.mark.parametrize(
    ("changes", "block_id", "message_key"),
    [
        ({"weekdays": []}, "weekdays", "daily.settings.error.no_days"),
        ({"weekdays": None}, "weekdays", "daily.settings.error.no_days"),
        ({"weekdays": ["7"]}, "weekdays", "daily.settings.error.no_days"),
        ({"weekdays": ["-1", "0"]}, "weekdays", "daily.settings.error.no_days"),
        ({"weekdays": ["monday"]}, "weekdays", "daily.settings.error.no_days"),
        ({"prompt_at": None}, "prompt_at", "daily.settings.error.time"),
        ({"prompt_at": "25:00"}, "prompt_at", "daily.settings.error.time"),
        ({"reminder_at": "noon"}, "reminder_at", "daily.settings.error.time"),
        ({"summary_at": ""}, "summary_at", "daily.settings.error.time"),
        ({"reminder_at": "08:00"}, "reminder_at", "daily.settings.error.order"),
        ({"summary_at": "10:00"}, "reminder_at", "daily.settings.error.order"),
        ({"reminder_at": "09:00"}, "reminder_at", "daily.settings.error.order"),
        ({"timezone": "Mars/Base"}, "timezone", "daily.settings.error.timezone"),
        ({"timezone": ""}, "timezone", "daily.settings.error.timezone"),
        ({"timezone": None}, "timezone", "daily.settings.error.timezone"),
        ({"timezone": "../etc/passwd"}, "timezone", "daily.settings.error.timezone"),
    ],
)
def test_each_problem_is_reported_on_the_block_that_has_it(
    changes: dict[str, Any], block_id: str, message_key: str
) -> None:
    with pytest.raises(SettingsError) as problem:
        validate_settings(answers(**changes))
    assert problem.value.block_id == block_id
    assert problem.value.message_key == message_key


@pytest.mark.parametrize("language", [None, "fr", ""])
def test_an_unsupported_language_falls_back_to_english(language: str | None) -> None:
    assert validate_settings(answers(language=language)).language == "en"
