"""`/okr` end to end: signed slash commands, the Weekly's check-in button and modal into the
real app, posts and ephemeral answers in the fake Slack, rows in the database (both DBs)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.sandbox.slack.states import plain
from bot.sandbox.slack.states import select as chosen
from storage.db import transaction
from storage.models import OkrCheckIn, OkrKeyResult, OkrObjective
from tests.conftest import CHANNEL, BotUnderTest
from tests.support import assert_cannot_ping_beyond_user_mentions, text_of
from tests.test_weekly_support import (
    FRIDAY_CALL,
    MONDAY_WEEKLY,
    NEXT_MONDAY_WEEKLY,
    count,
    ephemerals_to,
    parent_text,
    run_agenda,
    run_call,
    top_level_posts,
)


def _okr(bot: BotUnderTest, text: str, user_id: str = "U0001") -> str:
    bot.command("/okr", text, user_id=user_id)
    return ephemerals_to(bot, user_id)[-1]


def _rows(bot: BotUnderTest) -> tuple[list[Any], list[Any], list[Any]]:
    with transaction(bot.runtime.sessions) as session:
        objectives = [
            (row.number, row.text, row.quarter)
            for row in session.scalars(select(OkrObjective).order_by(OkrObjective.id))
        ]
        krs = [
            (row.number, row.text, row.target, row.unit)
            for row in session.scalars(select(OkrKeyResult).order_by(OkrKeyResult.id))
        ]
        check_ins = [
            (row.value, row.note, row.user_id)
            for row in session.scalars(select(OkrCheckIn).order_by(OkrCheckIn.id))
        ]
    return objectives, krs, check_ins


def _seed(bot: BotUnderTest) -> None:
    _okr(bot, "add Grow in the DACH region")
    _okr(bot, "add O1: Win new customers 20")
    _okr(bot, "add O1: Customers who would recommend us")


def test_objectives_key_results_and_check_ins_show_the_teams_progress(bot: BotUnderTest) -> None:
    answer = _okr(bot, "add Grow in the DACH region")
    assert "Objective *O1*" in answer
    announced = top_level_posts(bot)
    assert len(announced) == 1 and "New team objective *O1*" in text_of(announced[0])
    assert "KR1.1" in _okr(bot, "add O1: Win new customers 20")
    assert "target 100%" in _okr(bot, "add o1: Customers who would recommend us")
    assert "*O2*" in _okr(bot, "add Make onboarding faster")
    assert "target 1,500" in _okr(bot, "add O2: Demo minutes watched 1.500")
    assert _rows(bot)[1] == [
        (1, "Win new customers 20", 20.0, ""),
        (2, "Customers who would recommend us", 100.0, "%"),
        (1, "Demo minutes watched 1.500", 1500.0, ""),
    ]
    checked = _okr(bot, "check KR1.1 12")
    assert "12 / 20" in checked and "60%" in checked
    assert len(top_level_posts(bot)) == 2, "a check-in without a note stays ephemeral"
    _okr(bot, "check KR1.2 45,5: survey of <!channel> the pilot customers", user_id="U0003")
    note_post = text_of(top_level_posts(bot)[-1])
    assert "the pilot customers" in note_post and "Carla" in note_post
    assert "45.5% / 100%" in note_post
    assert_cannot_ping_beyond_user_mentions(note_post)
    assert "<@U0003>" not in note_post, "the author is named, not pinged"
    listing = _okr(bot, "", user_id="U0002")  # German reader
    assert "Unsere OKRs" in listing
    assert "12 / 20" in listing and "▓▓▓▓▓▓░░░░ 60 %" in listing
    assert "45,5 % / 100 %" in listing
    assert "O1* Grow in the DACH region — 53 %" in listing, "the mean of its key results"
    assert listing.index("KR1.2") < listing.index("O2*") < listing.index("KR2.1")
    assert "Carla" not in listing and "Anna" not in listing, "never per person"


def test_remove_leaves_a_gap_and_the_next_number_follows_the_highest(bot: BotUnderTest) -> None:
    _seed(bot)
    _okr(bot, "add Second objective")
    _okr(bot, "add Third objective")
    _okr(bot, "check KR1.2 30")
    assert "removed" in _okr(bot, "remove KR1.2")
    assert "removed" in _okr(bot, "remove O2")
    objectives, krs, check_ins = _rows(bot)
    assert [o[0] for o in objectives] == [1, 3]
    assert [k[0] for k in krs] == [1] and check_ins == []
    assert "*O4*" in _okr(bot, "add Fourth objective")
    assert "KR1.2" in _okr(bot, "add O1: Replaces the removed one")


def test_close_archives_the_quarter_and_a_new_one_starts_at_o1(bot: BotUnderTest) -> None:
    _seed(bot)
    _okr(bot, "check KR1.1 20: all in")
    bot.clock.set(datetime(2026, 12, 30, 12, 0, tzinfo=UTC))
    assert "archived under 2026-Q4" in _okr(bot, "close")
    closing = text_of(top_level_posts(bot)[-1])
    assert "OKRs of 2026-Q4 closed" in closing and "20 / 20" in closing
    assert [o[2] for o in _rows(bot)[0]] == ["2026-Q4"]
    assert "no open OKRs" in _okr(bot, "")
    assert "nothing was changed" in _okr(bot, "close").lower()
    # Early January: a late close still belongs to the quarter that just ended.
    bot.clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=UTC))
    assert "*O1*" in _okr(bot, "add Next quarter's objective")
    assert "archived under 2026-Q4" in _okr(bot, "close")
    bot.clock.set(datetime(2027, 2, 1, 9, 0, tzinfo=UTC))
    _okr(bot, "add Q1 objective")
    assert "2026-Q3" in _okr(bot, "close 2026-Q3"), "an explicit quarter wins"
    archive = _okr(bot, "archive 2026-Q4", user_id="U0003")
    assert "OKRs of 2026-Q4 (archived)" in archive
    assert "Grow in the DACH region" in archive and "Next quarter's objective" in archive
    assert "20 / 20" in archive and "Q1 objective" not in archive
    latest = _okr(bot, "archive")
    assert "2026-Q4" in latest and "2026-Q3" in latest
    assert "no archived OKRs for 2025-Q1" in _okr(bot, "archive 2025-Q1")


def test_bad_input_gets_usage_and_stores_nothing(bot: BotUnderTest) -> None:
    _seed(bot)
    before = _rows(bot)
    posts = len(top_level_posts(bot))
    for text in (
        "frobnicate",
        "add",
        "add O1:",
        "add O7: no such objective 5",
        "add O1: zero target 0",
        "add " + "x" * 400,
        "check",
        "check KR1 5",
        "check KR1.1",
        "check KR1.1 -3",
        "check KR1.1 lots",
        "check KR9.9 5",
        "remove",
        "remove everything",
        "remove O9",
        "remove KR1.9",
        "close next quarter",
        "archive sometime",
        "list now",
    ):
        answer = _okr(bot, text)
        assert _rows(bot) == before, text
        assert "nothing was saved" in answer.lower(), (text, answer)
    assert len(top_level_posts(bot)) == posts, "nothing posted in the channel"
    assert "only" not in _okr(bot, "check KR1.1 5", user_id="U0002")


def test_german_keywords_and_answers(bot: BotUnderTest) -> None:
    assert "Ziel *O1*" in _okr(bot, "neu Wachstum in DACH", user_id="U0002")
    assert "Zielwert 2,5" in _okr(bot, "neu O1: Umsatz in Mio 2,5", user_id="U0002")
    assert "Stand gemeldet" in _okr(bot, "stand KR1.1 1,25", user_id="U0002")
    assert "1,25 / 2,5" in _okr(bot, "liste", user_id="U0002")
    assert "entfernt" in _okr(bot, "entfernen KR1.1", user_id="U0002")
    assert "archiviert" in _okr(bot, "abschließen", user_id="U0002")
    assert "2026-Q4" in _okr(bot, "archiv", user_id="U0002")
    help_text = _okr(bot, "hilfe", user_id="U0002")
    assert "`/okr stand KR1.1" in help_text and "Englische Stichwörter" in help_text
    assert "nichts wurde gespeichert" in _okr(bot, "quatsch", user_id="U0002").lower()
    assert "`/okr check KR1.1" in _okr(bot, "help")


def test_a_direct_message_stores_nothing(bot: BotUnderTest) -> None:
    bot.command("/okr", "add Secret objective", channel_id="D0001")
    assert count(bot, OkrObjective) == 0
    assert bot.fake.calls_to("chat.postMessage") == []


def test_the_agenda_shows_value_target_and_the_change_since_the_last_weekly(
    bot: BotUnderTest,
) -> None:
    _seed(bot)
    bot.command("/weekly", "add plan visit Bosch")
    _okr(bot, "check KR1.1 4")
    first_ts = run_agenda(bot)
    first = parent_text(bot, first_ts)
    assert "Our OKRs" in first and "`KR1.1` Win new customers 20 — 4 / 20" in first
    assert "since the last Weekly" not in first, "no earlier Weekly to compare with"
    bot.clock.set(MONDAY_WEEKLY + timedelta(days=2))
    _okr(bot, "check KR1.1 9")
    _okr(bot, "add O1: Added after the first Weekly 10")
    second_ts = run_agenda(bot, NEXT_MONDAY_WEEKLY)
    second = parent_text(bot, second_ts)
    assert "9 / 20" in second and "▲ +5 since the last Weekly" in second
    assert "KR1.2" in second and "no change since the last Weekly" in second
    assert "new since the last Weekly" in second
    assert "visit Bosch" in second, "the agenda's items are still there"


def test_the_call_for_items_names_key_results_without_a_check_in_for_a_week(
    bot: BotUnderTest,
) -> None:
    bot.clock.set(FRIDAY_CALL - timedelta(days=10))
    _seed(bot)
    bot.clock.set(FRIDAY_CALL - timedelta(days=2))
    _okr(bot, "check KR1.1 3")
    _okr(bot, "add O1: Brand new key result 5")
    run_call(bot)
    call = text_of(top_level_posts(bot)[-1])
    assert "No check-in for seven days" in call
    assert "`KR1.2` Customers who would recommend us" in call
    named = call.split("No check-in")[1].split(" — ")[0]
    assert "KR1.1" not in named, "checked in two days ago"
    assert "KR1.3" not in call, "added two days ago"


def test_the_weekly_button_opens_a_modal_that_validates_and_checks_in(bot: BotUnderTest) -> None:
    _seed(bot)
    parent_ts = run_agenda(bot)
    parent = bot.fake.message(CHANNEL, parent_ts)
    assert parent is not None
    button = next(
        element
        for block in parent["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    )
    bot.slack.block_action(
        button["action_id"], button["value"], user_id="U0003", message_ts=parent_ts
    )
    bot.settle()
    view = bot.fake.calls_to("views.open")[-1].params["view"]
    options = view["blocks"][0]["element"]["options"]
    assert [option["text"]["text"].split()[0] for option in options] == ["KR1.1", "KR1.2"]
    values = {
        "key_result": {"value": chosen(options[0]["value"])},
        "value": {"value": plain("a dozen")},
        "note": {"value": plain("two signed <!here> this week")},
    }
    metadata = view["private_metadata"]
    rejected = bot.slack.view_submission(
        view["callback_id"], values, user_id="U0003", private_metadata=metadata
    )
    assert rejected.json["response_action"] == "errors" and "value" in rejected.json["errors"]
    bot.settle()
    assert count(bot, OkrCheckIn) == 0
    values["value"] = {"value": plain("12")}
    accepted = bot.slack.view_submission(
        view["callback_id"], values, user_id="U0003", private_metadata=metadata
    )
    assert accepted.status == 200
    bot.settle()
    assert _rows(bot)[2] == [(12.0, "two signed <!here> this week", "U0003")]
    assert "Checked in" in ephemerals_to(bot, "U0003")[-1]
    assert "12 / 20" in parent_text(bot, parent_ts), "the agenda parent shows the new value"
    note_post = text_of(top_level_posts(bot)[-1])
    assert "two signed" in note_post and "Carla" in note_post
    assert_cannot_ping_beyond_user_mentions(note_post)


def test_a_long_okr_list_keeps_the_agenda_within_block_kits_limits(bot: BotUnderTest) -> None:
    for objective in range(1, 5):
        _okr(bot, f"add Objective {objective}")
        for kr in range(1, 7):
            _okr(bot, f"add O{objective}: Key result {objective}.{kr} 10")
    for item in range(60):
        bot.command("/weekly", f"add plan item {item} " + "x" * 200)
    parent_ts = run_agenda(bot)
    parent = bot.fake.message(CHANNEL, parent_ts)
    assert parent is not None and len(parent["blocks"]) <= 50
    text = text_of(parent)
    assert "…and 9 more" in text and "KR3.3" in text and "KR3.4" not in text
    assert any(block["type"] == "actions" for block in parent["blocks"])


def test_forget_keeps_the_teams_values_without_the_persons_name_or_note(bot: BotUnderTest) -> None:
    from bot.privacy import export_team, forget_user

    _seed(bot)
    _okr(bot, "check KR1.1 5: my words")
    _okr(bot, "check KR1.1 7: theirs", user_id="U0003")
    exported = json.loads(export_team(bot.runtime, "T0001"))
    assert [row["note"] for row in exported["tables"]["okr_check_ins"]] == ["my words", "theirs"]
    counts = forget_user(bot.runtime, "U0001", "T0001")
    assert counts["okr_check_ins"] == 1
    assert _rows(bot)[2] == [(5.0, None, None), (7.0, "theirs", "U0003")]


def test_a_check_in_on_a_key_result_removed_meanwhile_stores_nothing(bot: BotUnderTest) -> None:
    _seed(bot)
    run_agenda(bot)
    values = {
        "key_result": {"value": chosen(str(_kr_id(bot, 2)))},
        "value": {"value": plain("3")},
        "note": {"value": plain(None)},
    }
    _okr(bot, "remove KR1.2")
    metadata = json.dumps({"channel": CHANNEL, "weekly": None, "language": "en"})
    bot.slack.view_submission("okr_check_in", values, private_metadata=metadata)
    bot.settle()
    assert count(bot, OkrCheckIn) == 0
    assert "removed or archived in the meantime" in ephemerals_to(bot, "U0001")[-1]


def test_objectives_added_at_once_get_different_numbers(bot: BotUnderTest) -> None:
    threads = [
        threading.Thread(
            target=bot.slack.command, args=("/okr", f"add Objective {n}", f"U000{n % 3 + 1}")
        )
        for n in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bot.settle()
    assert sorted(number for number, _, _ in _rows(bot)[0]) == [1, 2, 3, 4, 5, 6]


def _kr_id(bot: BotUnderTest, number: int) -> int:
    with transaction(bot.runtime.sessions) as session:
        return session.scalars(select(OkrKeyResult.id).where(OkrKeyResult.number == number)).one()
