"""`/weekly`, the message shortcut and decisions end to end: signed requests into the real app,
assertions on the Web API calls it makes."""

from __future__ import annotations

from sqlalchemy import select

from bot.privacy import forget_user
from bot.sandbox.slack import select as selected
from bot.sandbox.slack import timepicker
from storage.db import transaction
from storage.models import WeeklyDecision, WeeklyItem
from tests.conftest import BotUnderTest
from tests.test_weekly_support import (
    count,
    ephemerals_to,
    run_agenda,
    text_of,
    thread_messages,
    top_level_posts,
)


def _items(bot: BotUnderTest) -> list[WeeklyItem]:
    with transaction(bot.runtime.sessions) as session:
        return list(session.scalars(select(WeeklyItem).order_by(WeeklyItem.id)))


def test_add_then_show_lists_the_draft_numbered_and_grouped_ephemerally(bot: BotUnderTest) -> None:
    bot.command("/weekly", "add impediment CRM export is broken")
    bot.command("/weekly", "add market: Competitor X cut prices", user_id="U0003")
    bot.command("/weekly", "add pricing is unclear")
    confirmations = ephemerals_to(bot, "U0001")
    assert "item 1" in confirmations[0] and "Impediments" in confirmations[0]
    assert "Monday, 30 November, 10:00" in confirmations[0]

    bot.command("/weekly", "")
    draft = ephemerals_to(bot, "U0001")[-1]
    assert "Draft agenda for the Weekly on Monday, 30 November, 10:00" in draft
    assert draft.index("Impediments") < draft.index("Market news") < draft.index("Other")
    assert "`1` CRM export is broken — Anna" in draft
    assert "`2` Competitor X cut prices — Carla" in draft
    assert "`3` pricing is unclear — Anna" in draft, "an unknown category word is just text"
    assert bot.fake.calls_to("chat.postMessage") == [], "nothing is posted in the channel"
    assert [(i.category, i.text) for i in _items(bot)] == [
        ("impediment", "CRM export is broken"),
        ("market", "Competitor X cut prices"),
        ("other", "pricing is unclear"),
    ]


def test_german_categories_and_answers_in_the_users_locale(bot: BotUnderTest) -> None:
    aliases = {
        "erledigt": "done",
        "geplant": "plan",
        "hindernis": "impediment",
        "markt": "market",
        "bedarf": "need",
        "hilfe": "help",
        "sonstiges": "other",
    }
    for word in aliases:
        bot.command("/weekly", f"add {word} Punkt {word}", user_id="U0002")
    assert [(i.category, i.text) for i in _items(bot)] == [
        (category, f"Punkt {word}") for word, category in aliases.items()
    ]
    answers = ephemerals_to(bot, "U0002")
    assert "Als Punkt 1 (Erledigt letzte Woche)" in answers[0]
    assert "Montag, 30. November, 10:00 Uhr" in answers[0]
    bot.command("/weekly", "hilfe", user_id="U0002")
    assert "Kategorien" in ephemerals_to(bot, "U0002")[-1]


def test_remove_takes_only_your_own_item(bot: BotUnderTest) -> None:
    bot.command("/weekly", "add plan visit Bosch")
    bot.command("/weekly", "add need faster quotes", user_id="U0003")
    bot.command("/weekly", "remove 2")
    bot.command("/weekly", "remove 7")
    bot.command("/weekly", "remove two")
    errors = ephemerals_to(bot, "U0001")[-3:]
    assert "Carla" in errors[0] and "only they can remove it" in errors[0]
    assert "no item 7" in errors[1]
    assert "/weekly remove 2" in errors[2]
    assert len(_items(bot)) == 2, "nothing was removed"

    bot.command("/weekly", "remove 1")
    assert "Removed item 1: visit Bosch" in ephemerals_to(bot, "U0001")[-1]
    assert [item.text for item in _items(bot)] == ["faster quotes"]


def test_bad_input_gets_a_clear_ephemeral_answer_and_stores_nothing(bot: BotUnderTest) -> None:
    bot.command("/weekly", "add " + "x" * 4100)
    bot.command("/weekly", "add market " + "y" * 2600)
    bot.command("/weekly", "add")
    bot.command("/weekly", "add hindernis")
    bot.command("/weekly", "frobnicate the agenda")
    bot.command("/weekly", "decide")
    answers = ephemerals_to(bot, "U0001")
    assert len(answers) == 6
    assert "too long" in answers[0] and "too long" in answers[1]
    assert "What is the item?" in answers[2] and "What is the item?" in answers[3]
    assert "`frobnicate`" in answers[4] and "/weekly add" in answers[4]
    assert "What was decided?" in answers[5]
    assert count(bot, WeeklyItem) == 0 and count(bot, WeeklyDecision) == 0
    assert bot.fake.calls_to("chat.postMessage") == []


def test_broadcasts_in_an_item_never_ping(bot: BotUnderTest) -> None:
    bot.command("/weekly", "add help <!here> and <!channel> review the <!subteam^S01|@sales> deck")
    assert _items(bot)[0].text == "@here and @channel review the @sales deck"
    run_agenda(bot)
    posted = "\n".join(text_of(call) for call in bot.fake.calls_to("chat.postMessage"))
    echoed = "\n".join(ephemerals_to(bot, "U0001"))
    assert "@here and @channel" in posted
    assert "<!" not in posted and "<!" not in echoed


def test_weekly_in_a_direct_message_explains_where_to_use_it(bot: BotUnderTest) -> None:
    bot.command("/weekly", "add plan something", channel_id="D0001")
    answers = bot.fake.calls_to("response_url")
    assert len(answers) == 1 and "team channel" in answers[0].params["text"]
    assert count(bot, WeeklyItem) == 0


def test_message_shortcut_turns_a_message_into_an_item_with_a_link(bot: BotUnderTest) -> None:
    message = {
        "type": "message",
        "user": "U0003",
        "ts": "1764000123.000200",
        "text": "Hindernis: Bosch wants the offer &lt;today&gt; <@U0002>",
    }
    response = bot.slack.message_shortcut("weekly_add_message", message, user_id="U0001")
    assert response.status == 200
    bot.settle()
    item = _items(bot)[0]
    assert (item.category, item.text, item.user_id, item.source) == (
        "impediment",
        "Bosch wants the offer <today> <@U0002>",
        "U0001",
        "message",
    )
    permalink = bot.fake.calls_to("chat.getPermalink")[0]
    assert permalink.params["message_ts"] == "1764000123.000200"
    assert item.link and item.link.endswith("/p1764000123000200")
    assert "Added as item 1 (Impediments)" in ephemerals_to(bot, "U0001")[0]

    parent = run_agenda(bot)
    reply = text_of(thread_messages(bot, parent)[0][1])
    assert f"<{item.link}|message>" in reply and "@Ben" in reply and "<@U0002>" not in reply


def test_message_shortcut_on_a_message_without_text_stores_nothing(bot: BotUnderTest) -> None:
    message = {"type": "message", "user": "U0003", "ts": "1764000123.000300", "text": ""}
    bot.slack.message_shortcut("weekly_add_message", message, user_id="U0002")
    bot.settle()
    assert count(bot, WeeklyItem) == 0
    assert any("keinen Text" in call.params["text"] for call in bot.fake.calls_to("response_url"))


def test_decisions_go_into_the_agenda_thread_and_the_log(bot: BotUnderTest) -> None:
    bot.command("/weekly", "decide Trade fairs only with a booked meeting")
    assert len(top_level_posts(bot)) == 1, "before any agenda, a decision goes to the channel"
    bot.command("/weekly", "add plan fair in Hannover")
    parent = run_agenda(bot)
    bot.command("/weekly", "decide Bosch gets the pilot for free", user_id="U0003")
    in_thread = [text_of(m) for _, m in thread_messages(bot, parent)]
    assert any("Decision:* Bosch gets the pilot for free" in text for text in in_thread)
    assert "recorded by Carla" in in_thread[-1] and "<@" not in in_thread[-1]
    assert "Decisions" in text_of(bot.fake.calls_to("chat.update")[-1]), "the parent lists it"

    bot.command("/weekly", "decisions", user_id="U0002")
    log = ephemerals_to(bot, "U0002")[-1]
    assert "Letzte Entscheidungen" in log
    assert log.index("Bosch gets the pilot") < log.index("Trade fairs"), "newest first"
    assert "30. Nov. 2026" in log and "25. Nov. 2026" in log
    with transaction(bot.runtime.sessions) as session:
        links = [d.permalink for d in session.scalars(select(WeeklyDecision))]
    assert all(link and f"<{link}|Nachricht>" in log for link in links)


def test_settings_modal_validates_then_saves(bot: BotUnderTest) -> None:
    bot.command("/weekly", "settings", user_id="U0002")
    view = bot.fake.calls_to("views.open")[-1].params["view"]
    assert view["callback_id"] == "weekly_settings" and view["title"]["text"].startswith("Weekly")
    picker = next(b for b in view["blocks"] if b["block_id"] == "timezone")["element"]
    assert picker["type"] == "static_select", "a time zone is picked, not typed"
    assert picker["initial_option"]["value"] == "Europe/Berlin"
    values = {
        "weekday": {"value": selected("1")},
        "at": {"value": timepicker("09:30")},
        "call_at": {"value": timepicker("16:00")},
        "timezone": {"value": selected("Nowhere/Special")},  # a forged option
    }
    rejected = bot.slack.view_submission(
        "weekly_settings", values, user_id="U0002", private_metadata=view["private_metadata"]
    )
    assert rejected.json["response_action"] == "errors"
    assert "Zeitzone" in rejected.json["errors"]["timezone"], "the error speaks the user's language"
    values["timezone"] = {"value": selected("America/New_York")}
    accepted = bot.slack.view_submission(
        "weekly_settings", values, user_id="U0002", private_metadata=view["private_metadata"]
    )
    assert accepted.status == 200
    bot.settle()
    saved = ephemerals_to(bot, "U0002")[-1]
    assert "Di. um 09:30" in saved and "Themenaufruf Mo. um 16:00" in saved
    assert "America/New_York" in saved
    bot.command("/weekly", "")
    assert "Tuesday, 1 December, 09:30" in ephemerals_to(bot, "U0001")[-1]


def test_forgetting_a_person_erases_their_items_and_marks(bot: BotUnderTest) -> None:
    bot.command("/weekly", "add plan mine")
    bot.command("/weekly", "add plan theirs", user_id="U0003")
    bot.command("/weekly", "decide keep it", user_id="U0003")
    forget_user(bot.runtime, "U0003")
    assert [item.user_id for item in _items(bot)] == ["U0001"]
    assert count(bot, WeeklyDecision) == 0
