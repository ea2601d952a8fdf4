"""Block Kit of the Daily: what the prompt, update, summary and modals look like to Slack."""

from __future__ import annotations

import json
import re
from datetime import date, time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.daily import render
from bot.daily.parse import DailyFields
from bot.daily.rules import DailySummary, NamedText, UpdateFacts, summarise
from bot.daily.settings_form import DailySettingsForm, validate_settings

MONDAY = date(2026, 11, 30)
HEADER_LIMIT = 150
SECTION_LIMIT = 3000
CONTEXT_LIMIT = 2000
MAX_BLOCKS = 50
MODAL_TEXT_LIMIT = 24
# Any Slack token that could ping someone: <!here>, <!channel>, <!subteam^…>, <@U…>.
PINGING = re.compile(r"<[!@]")
HOSTILE_TEXT = "<!here> <!channel|channel> <!subteam^S123|@sales> Tom & Jerry <script>x</script>"


def texts(blocks: Any) -> list[str]:
    """Every `text` string anywhere in a Block Kit structure."""
    found: list[str] = []
    if isinstance(blocks, dict):
        for key, value in blocks.items():
            if key == "text" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(texts(value))
    elif isinstance(blocks, list):
        for item in blocks:
            found.extend(texts(item))
    return found


def all_text(blocks: Any) -> str:
    return "\n".join(texts(blocks))


def assert_within_slack_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= HEADER_LIMIT
        elif block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_LIMIT
        elif block["type"] == "context":
            assert all(len(element["text"]) <= CONTEXT_LIMIT for element in block["elements"])
    json.dumps(blocks)  # serialisable as Slack receives it


def big_summary(people: int, text_length: int) -> tuple[DailySummary, dict[str, str]]:
    ids = [f"U{index:04d}" for index in range(people)]
    names = {user: f"Person {index} " + "x" * 40 for index, user in enumerate(ids)}
    updates = [
        UpdateFacts(user, "h" * text_length, "i" * text_length) for user in ids[: people // 2]
    ]
    away: dict[str, str | None] = dict.fromkeys(
        ids[people // 2 : people * 3 // 4], "r" * text_length
    )
    return summarise(updates, ids, away, names), names


# --- the prompt -----------------------------------------------------------------------------------


def test_the_prompt_has_a_dated_header_and_a_button_that_opens_the_modal_for_that_day() -> None:
    fallback, blocks = render.prompt_message("en", MONDAY)
    assert blocks[0]["type"] == "header"
    assert "Monday" in blocks[0]["text"]["text"]
    assert "30" in blocks[0]["text"]["text"]
    buttons = [
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]
    assert len(buttons) == 1
    assert buttons[0]["action_id"] == render.OPEN_MODAL_ACTION
    assert buttons[0]["value"] == "2026-11-30"
    assert fallback  # notifications and screen readers need a text


def test_the_prompt_explains_the_labels_in_the_channel_language() -> None:
    english = all_text(render.prompt_message("en", MONDAY)[1])
    german = all_text(render.prompt_message("de", MONDAY)[1])
    assert "today:" in english and "highlight:" in english and "impediment:" in english
    assert "heute:" in german and "hindernis:" in german
    assert "Montag" in german and "Monday" not in german


def test_the_prompt_with_a_summary_shows_posted_away_and_pending_without_pinging() -> None:
    summary = DailySummary(
        posted=["Anna"], away=[NamedText("Ben", "sick")], not_posted=["Carla <!here>"]
    )
    _, blocks = render.prompt_message("en", MONDAY, summary)
    status = all_text(blocks[-1])
    assert blocks[-1]["type"] == "context"
    assert "Anna" in status and "Ben" in status and "Carla" in status
    assert not PINGING.search(status)


def test_the_prompt_stays_within_slack_limits_for_200_people() -> None:
    summary, _ = big_summary(200, 3000)
    _, blocks = render.prompt_message("de", MONDAY, summary)
    assert_within_slack_limits(blocks)
    assert blocks[0]["type"] == "header"


# --- an update ------------------------------------------------------------------------------------


def test_an_update_shows_the_author_and_each_given_field_with_its_label() -> None:
    fields = DailyFields("call Müller AG", "signed ACME", None)
    fallback, blocks = render.update_message("en", "Anna", fields, {})
    text = all_text(blocks)
    assert "*Anna*" in text
    assert "*Today:* call Müller AG" in text
    assert "*Highlight:* signed ACME" in text
    assert "Impediment" not in text
    assert "Anna" in fallback


def test_an_update_is_worded_in_the_channel_language() -> None:
    fields = DailyFields("Müller anrufen", None, "CRM kaputt")
    german = all_text(render.update_message("de", "Ben", fields, {})[1])
    english = all_text(render.update_message("en", "Ben", fields, {})[1])
    assert "*Heute:*" in german and "*Hindernis:*" in german
    assert "*Today:*" in english and "*Impediment:*" in english


def test_mentions_in_an_update_name_people_without_pinging_them() -> None:
    fields = DailyFields("demo with <@U0002>", "call with <@W0003AB>", None)
    _, blocks = render.update_message("en", "Anna", fields, {"U0002": "Ben"})
    text = all_text(blocks)
    assert "@Ben" in text
    assert "@W0003AB" in text  # unknown names fall back to the id, still without a ping
    assert not PINGING.search(text)


def test_user_text_is_escaped_so_it_cannot_ping_or_inject_markup() -> None:
    fields = DailyFields(HOSTILE_TEXT, HOSTILE_TEXT, HOSTILE_TEXT)
    _, blocks = render.update_message("en", "Anna & <!channel>", fields, {})
    text = all_text(blocks)
    assert not PINGING.search(text)
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "Tom &amp; Jerry" in text
    assert "Anna &amp; &lt;!channel&gt;" in text
    assert " & " not in text


def test_the_fallback_text_of_an_update_cannot_ping_through_the_authors_name() -> None:
    fallback, _ = render.update_message("en", "<!here> Anna", DailyFields("x", None, None), {})
    assert not PINGING.search(fallback)


TOKEN_TEXT = st.lists(
    st.sampled_from(
        ["<@U0002>", "<@U0003>", "<!here>", "<!channel>", "<!everyone>", "<#C1>", "&", "<", ">"]
    )
    | st.text(max_size=8),
    max_size=8,
).map("".join)
# Display names come from Slack profiles, not from escaped user input.
NAME_TEXT = TOKEN_TEXT.filter(lambda name: "<@" not in name)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(author=NAME_TEXT, plan=TOKEN_TEXT, highlight=TOKEN_TEXT, impediment=TOKEN_TEXT)
def test_no_update_or_summary_can_ping_when_names_are_given(
    author: str, plan: str, highlight: str, impediment: str
) -> None:
    names = {"U0001": author or "Anna", "U0002": "Ben <!here>", "U0003": "Carla"}
    fields = DailyFields(plan or None, highlight or None, impediment or None)
    _, update_blocks = render.update_message("en", names["U0001"], fields, names)
    assert not PINGING.search(all_text(update_blocks))

    summary = summarise(
        [UpdateFacts("U0001", highlight, impediment), UpdateFacts("U0002", plan, None)],
        ["U0001", "U0002", "U0003", "U0004"],
        {"U0004": None},
        names,
    )
    for language in ("en", "de"):
        summary_fallback, summary_blocks = render.summary_message(language, summary, names)
        assert not PINGING.search(all_text(summary_blocks))
        assert not PINGING.search(summary_fallback)
        _, prompt_blocks = render.prompt_message(language, MONDAY, summary)
        assert not PINGING.search(all_text(prompt_blocks))


def test_a_mention_in_an_away_reason_does_not_ping_in_the_summary() -> None:
    summary = DailySummary(away=[NamedText("Anna", "covering for <@U0002>")])
    _, blocks = render.summary_message("en", summary, {"U0002": "Ben"})
    assert not PINGING.search(all_text(blocks))


def test_a_name_that_looks_like_a_mention_does_not_ping() -> None:
    names = {"U0001": "<@U0002>"}
    _, update_blocks = render.update_message("en", "<@U0002>", DailyFields("x", None, None), names)
    summary = DailySummary(posted=["<@U0002>"], not_posted=["<@U0003>"])
    _, summary_blocks = render.summary_message("en", summary, names)
    _, prompt_blocks = render.prompt_message("en", MONDAY, summary)
    for blocks in (update_blocks, summary_blocks, prompt_blocks):
        assert not PINGING.search(all_text(blocks))


# --- the summary ----------------------------------------------------------------------------------


def summary_of_three() -> DailySummary:
    return DailySummary(
        posted=["Anna", "Carla"],
        highlights=[NamedText("Anna", "signed ACME & Co")],
        impediments=[NamedText("Carla", "CRM down <!here>")],
        away=[NamedText("Dora", "vacation"), NamedText("Emil", "")],
        not_posted=["Ben"],
    )


def test_the_summary_lists_posted_highlights_impediments_away_and_pending() -> None:
    _, blocks = render.summary_message("en", summary_of_three(), {})
    text = all_text(blocks)
    assert "Daily summary" in text
    assert "*Posted:* Anna, Carla" in text
    assert "• Anna: signed ACME &amp; Co" in text
    assert "• Carla: CRM down &lt;!here&gt;" in text
    assert "*Away:* Dora (vacation), Emil" in text
    assert "*No update yet:* Ben" in text
    # The name lists first (they must survive a long report), then what happened.
    positions = [text.index(part) for part in ("Posted", "Away", "No", "Highlights", "Impediments")]
    assert positions == sorted(positions)


def test_the_summary_is_worded_in_german_for_a_german_channel() -> None:
    text = all_text(render.summary_message("de", summary_of_three(), {})[1])
    assert "Daily-Zusammenfassung" in text
    assert "*Gepostet:* Anna, Carla" in text
    assert "*Hindernisse*" in text
    assert "*Abwesend:* Dora (vacation), Emil" in text
    assert "*Noch kein Update:* Ben" in text
    assert "Posted" not in text


def test_a_summary_without_updates_says_so_neutrally() -> None:
    _, blocks = render.summary_message("en", DailySummary(not_posted=["Ben", "Anna"]), {})
    text = all_text(blocks)
    assert "No updates yet." in text
    assert "*No update yet:* Ben, Anna" in text
    assert "Highlights" not in text and "Impediments" not in text


def test_the_summary_does_not_rank_people_by_anything() -> None:
    text = all_text(render.summary_message("en", summary_of_three(), {})[1])
    for word in ("rank", "most", "least", "score", "%"):
        assert word not in text.lower()


def test_the_summary_stays_within_slack_limits_for_200_people_with_3000_character_texts() -> None:
    summary, names = big_summary(200, 3000)
    for language in ("en", "de"):
        fallback, blocks = render.summary_message(language, summary, names)
        assert_within_slack_limits(blocks)
        assert blocks
        assert len(fallback) < 4000


def test_a_long_summary_still_shows_who_is_away_and_who_has_not_posted() -> None:
    summary, names = big_summary(200, 3000)
    text = all_text(render.summary_message("en", summary, names)[1])
    assert "*Away:*" in text
    assert "*No update yet:*" in text


SHORT_NAME = st.text(st.characters(codec="utf-8"), max_size=60)
LONG_TEXT = st.text(st.characters(codec="utf-8"), max_size=3000)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.integers(min_value=0, max_value=200),
    name=SHORT_NAME,
    highlight=LONG_TEXT,
    impediment=LONG_TEXT,
)
def test_summary_and_prompt_fit_slack_limits_whatever_people_write(
    people: int, name: str, highlight: str, impediment: str
) -> None:
    ids = [f"U{index:04d}" for index in range(people)]
    names = {user: f"{name}{index}" for index, user in enumerate(ids)}
    updates = [UpdateFacts(user, highlight, impediment) for user in ids[::2]]
    summary = summarise(updates, ids, {ids[-1]: highlight} if ids else {}, names)
    _, summary_blocks = render.summary_message("en", summary, names)
    assert_within_slack_limits(summary_blocks)
    _, prompt_blocks = render.prompt_message("de", MONDAY, summary)
    assert_within_slack_limits(prompt_blocks)


@settings(max_examples=25, deadline=None)
@given(name=SHORT_NAME, plan=LONG_TEXT, highlight=LONG_TEXT, impediment=LONG_TEXT)
def test_an_update_fits_slack_limits_whatever_is_written(
    name: str, plan: str, highlight: str, impediment: str
) -> None:
    fields = DailyFields(plan or None, highlight or None, impediment or None)
    _, blocks = render.update_message("de", name or "Anna", fields, {})
    assert_within_slack_limits(blocks)


# --- the update modal -----------------------------------------------------------------------------


def modal_inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


@pytest.mark.parametrize("language", ["en", "de"])
def test_modal_titles_and_buttons_fit_slack_without_being_cut(language: str) -> None:
    context = render.UpdateModalContext("C0001", MONDAY)
    current = DailySettingsForm(frozenset({0}), time(9), time(11), time(12), "UTC", "en")
    for view in (
        render.update_modal(language, context, None),
        render.settings_modal(language, "C0001", current),
    ):
        for key in ("title", "submit", "close"):
            text = view[key]["text"]
            assert 0 < len(text) <= MODAL_TEXT_LIMIT
            assert not text.endswith("…"), f"{key} was cut: {text!r}"


def test_the_update_modal_has_plan_required_and_highlight_and_impediment_optional() -> None:
    view = render.update_modal("en", render.UpdateModalContext("C0001", MONDAY), None)
    assert view["type"] == "modal"
    assert view["callback_id"] == render.UPDATE_MODAL
    inputs = modal_inputs(view)
    assert list(inputs) == ["plan", "highlight", "impediment"]
    assert inputs["plan"]["optional"] is False
    assert inputs["highlight"]["optional"] is True
    assert inputs["impediment"]["optional"] is True
    assert inputs["plan"]["label"]["text"] == "Today's plan"
    assert inputs["highlight"]["label"]["text"] == "Yesterday's highlight"
    assert all("initial_value" not in block["element"] for block in inputs.values())


def test_the_update_modal_opens_pre_filled_with_the_previous_update() -> None:
    current = DailyFields("call Müller", "signed <ACME> & Co", None)
    view = render.update_modal("de", render.UpdateModalContext("C0001", MONDAY), current)
    inputs = modal_inputs(view)
    # plain_text inputs show text verbatim: no Slack escaping in initial values.
    assert inputs["plan"]["element"]["initial_value"] == "call Müller"
    assert inputs["highlight"]["element"]["initial_value"] == "signed <ACME> & Co"
    assert "initial_value" not in inputs["impediment"]["element"]
    assert inputs["plan"]["label"]["text"] == "Plan für heute"
    assert view["title"]["text"] == "Daily-Update"


def test_the_update_modal_carries_its_channel_and_day() -> None:
    context = render.UpdateModalContext("C0001", MONDAY)
    view = render.update_modal("en", context, None)
    assert render.UpdateModalContext.decode(view["private_metadata"]) == context


@given(
    channel=st.from_regex(r"[CGD][A-Z0-9]{2,12}", fullmatch=True),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
)
def test_the_modal_context_survives_a_round_trip(channel: str, day: date) -> None:
    context = render.UpdateModalContext(channel, day)
    encoded = context.encode()
    assert len(encoded) <= 3000  # Slack's private_metadata limit
    assert render.UpdateModalContext.decode(encoded) == context


# --- the settings modal ---------------------------------------------------------------------------


def settings_view(language: str, current: DailySettingsForm) -> dict[str, dict[str, Any]]:
    view = render.settings_modal(language, "C0042", current)
    assert view["callback_id"] == render.SETTINGS_MODAL
    assert json.loads(view["private_metadata"]) == {"channel": "C0042"}
    return modal_inputs(view)


def test_the_settings_modal_starts_from_the_channels_current_settings() -> None:
    current = DailySettingsForm(
        weekdays=frozenset({1, 4}),
        prompt_at=time(8, 30),
        reminder_at=time(10, 0),
        summary_at=time(15, 45),
        timezone="America/New_York",
        language="de",
    )
    inputs = settings_view("en", current)
    days = inputs["weekdays"]["element"]
    assert [option["value"] for option in days["options"]] == [str(day) for day in range(7)]
    assert [option["value"] for option in days["initial_options"]] == ["1", "4"]
    assert [option["text"]["text"] for option in days["initial_options"]] == [
        "Tuesday",
        "Friday",
    ]
    assert inputs["prompt_at"]["element"]["initial_time"] == "08:30"
    assert inputs["reminder_at"]["element"]["initial_time"] == "10:00"
    assert inputs["summary_at"]["element"]["initial_time"] == "15:45"
    assert inputs["timezone"]["element"]["initial_option"]["value"] == "America/New_York"
    assert inputs["language"]["element"]["initial_option"]["value"] == "de"


def test_the_settings_modal_names_days_and_languages_in_the_users_language() -> None:
    current = DailySettingsForm(frozenset({0, 3}), time(9), time(11), time(12), "UTC", "en")
    inputs = settings_view("de", current)
    days = [option["text"]["text"] for option in inputs["weekdays"]["element"]["options"]]
    assert days[0] == "Montag" and days[3] == "Donnerstag"
    languages = {
        option["value"]: option["text"]["text"]
        for option in inputs["language"]["element"]["options"]
    }
    assert languages == {"en": "Englisch", "de": "Deutsch"}
    assert inputs["language"]["element"]["initial_option"]["value"] == "en"


def test_what_the_settings_modal_sends_back_validates_to_the_chosen_settings() -> None:
    """The modal's own options, as Slack returns them in view_submission state."""
    current = DailySettingsForm(frozenset({0, 3}), time(9), time(11), time(12), "UTC", "en")
    view = render.settings_modal("en", "C0001", current)
    inputs = modal_inputs(view)
    days = inputs["weekdays"]["element"]["options"]
    german = next(o for o in inputs["language"]["element"]["options"] if o["value"] == "de")
    vienna = next(
        option
        for group in inputs["timezone"]["element"]["option_groups"]
        for option in group["options"]
        if option["value"] == "Europe/Vienna"
    )
    values = {
        "weekdays": {"value": {"type": "checkboxes", "selected_options": [days[2], days[4]]}},
        "prompt_at": {"value": {"type": "timepicker", "selected_time": "08:00"}},
        "reminder_at": {"value": {"type": "timepicker", "selected_time": "10:00"}},
        "summary_at": {"value": {"type": "timepicker", "selected_time": "13:00"}},
        "timezone": {"value": {"type": "static_select", "selected_option": vienna}},
        "language": {"value": {"type": "static_select", "selected_option": german}},
        "holiday_region": {"value": {"type": "plain_text_input", "value": "at"}},
    }
    form = validate_settings(render.settings_from_values(values))
    assert form.as_columns() == {
        "holiday_region": "AT",
        "daily_weekdays": "2,4",
        "daily_prompt_time": "08:00",
        "daily_reminder_time": "10:00",
        "daily_summary_time": "13:00",
        "timezone": "Europe/Vienna",
        "language": "de",
    }


# --- dates ----------------------------------------------------------------------------------------


def test_long_dates_are_written_in_the_channel_language() -> None:
    assert render.long_date(MONDAY, "en") == "Monday, 30 November"
    assert render.long_date(MONDAY, "de").startswith("Montag, 30")
    assert "November" in render.long_date(MONDAY, "de")


def test_german_dates_have_the_ordinal_dot() -> None:
    assert render.long_date(MONDAY, "de") == "Montag, 30. November"
