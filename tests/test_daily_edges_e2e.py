"""Answers at the edges of a Daily, through the Slack protocol: early (the evening before),
late (after the summary), in an old Daily's thread, and replies edited or deleted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from schedules.daily import daily_prompt, daily_summary
from storage.db import transaction
from storage.models import Daily, DailyUpdate
from tests.conftest import CHANNEL, TEAM, BotUnderTest
from tests.support import text_of

WED_EVENING = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)  # 18:30 in Berlin
WED_AFTERNOON = datetime(2026, 11, 25, 16, 59, tzinfo=UTC)  # 17:59 in Berlin
THU_MORNING = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 09:00, the prompt's time
THU_AFTERNOON = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # 15:00, after the 12:00 summary
THU_26 = date(2026, 11, 26)


def dailies(bot: BotUnderTest) -> list[date]:
    with transaction(bot.runtime.sessions) as session:
        return [row.local_date for row in session.scalars(select(Daily).order_by(Daily.id))]


def updates(bot: BotUnderTest) -> dict[str, tuple[date, str | None, str | None]]:
    with transaction(bot.runtime.sessions) as session:
        rows = session.execute(select(DailyUpdate, Daily).join(Daily)).all()
        return {u.user_id: (d.local_date, u.plan, u.impediment) for u, d in rows}


def the_daily(bot: BotUnderTest, day: date) -> Daily:
    with transaction(bot.runtime.sessions) as session:
        return session.scalars(select(Daily).where(Daily.local_date == day)).one()


def top_level_posts(bot: BotUnderTest) -> list[Any]:
    return [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" not in c.params]


def ephemerals(bot: BotUnderTest, user_id: str) -> list[str]:
    calls = bot.fake.calls_to("chat.postEphemeral")
    return [c.params["text"] for c in calls if c.params["user"] == user_id]


def last_edit_of(bot: BotUnderTest, ts: str | None) -> str:
    return text_of([c for c in bot.fake.calls_to("chat.update") if c.params["ts"] == ts][-1])


def summary_post(bot: BotUnderTest, daily: Daily) -> str:
    [post] = [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == daily.prompt_ts and "summary" in text_of(c).lower()
    ]
    return text_of(post)


def reply(user_id: str, thread_ts: str | None, text: str, ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": CHANNEL,
        "user": user_id,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
        "channel_type": "channel",
    }


def deleted(message: dict[str, Any], event_ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": CHANNEL,
        "ts": event_ts,
        "deleted_ts": message["ts"],
        "previous_message": {k: v for k, v in message.items() if k not in ("channel", "type")},
        "channel_type": "channel",
    }


def edited(message: dict[str, Any], new_text: str, event_ts: str) -> dict[str, Any]:
    previous = {k: v for k, v in message.items() if k not in ("channel", "type", "channel_type")}
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": CHANNEL,
        "ts": event_ts,
        "message": {**previous, "text": new_text, "edited": {"user": message["user"]}},
        "previous_message": previous,
        "channel_type": "channel",
    }


def test_an_answer_the_evening_before_joins_the_next_daily_posted_once(bot: BotUnderTest) -> None:
    bot.clock.set(WED_AFTERNOON)
    bot.command("/daily", "today: prepare the Bosch offer")
    assert dailies(bot) == [date(2026, 11, 25)], "17:59: not yet the evening before"

    bot.clock.set(WED_EVENING)
    bot.command("/daily", "today: call Siemens", user_id="U0003")
    assert updates(bot)["U0003"][0] == THU_26
    assert "next Daily (Thursday, 26 November)" in ephemerals(bot, "U0003")[-1]
    thursday = the_daily(bot, THU_26)
    assert thursday.prompt_ts, "the next Daily's prompt is posted for the update's thread"
    assert any(
        c.params.get("thread_ts") == thursday.prompt_ts and "call Siemens" in text_of(c)
        for c in bot.fake.calls_to("chat.postMessage")
    )
    prompts = len(top_level_posts(bot))
    daily_prompt(bot.runtime, TEAM, CHANNEL, THU_MORNING)  # the clock at prompt time
    assert len(top_level_posts(bot)) == prompts, "the prompt is not posted a second time"


def test_the_german_help_explains_early_and_late_answers(bot: BotUnderTest) -> None:
    bot.command("/daily", "hilfe", user_id="U0002")  # Ben's Slack is German
    [help_text] = ephemerals(bot, "U0002")
    assert "Ab 18:00 Uhr" in help_text and "`/daily aussetzen" in help_text
    assert "`/daily skip" not in help_text


def test_an_answer_after_the_summary_joins_that_days_daily_and_updates_the_summary(
    bot: BotUnderTest,
) -> None:
    bot.clock.set(THU_MORNING)
    bot.command("/daily", "today: demo highlight: signed")
    daily_summary(bot.runtime, TEAM, CHANNEL, THU_MORNING)
    thursday = the_daily(bot, THU_26)
    assert "No update yet:* Ben, Carla" in summary_post(bot, thursday)
    bot.clock.set(THU_AFTERNOON)
    bot.command("/daily", "today: follow-up highlight: met Zeiss", user_id="U0003")
    assert updates(bot)["U0003"][0] == THU_26
    summary = last_edit_of(bot, thursday.summary_ts)
    assert "Carla: met Zeiss" in summary and "*No update yet:* Ben\n" in summary
    assert "Posted: Anna, Carla" in last_edit_of(bot, thursday.prompt_ts)
    assert "late" not in summary.lower(), "late answers are shown neutrally"


def test_a_reply_in_an_old_dailys_thread_joins_that_daily(bot: BotUnderTest) -> None:
    bot.clock.set(THU_MORNING)
    daily_prompt(bot.runtime, TEAM, CHANNEL, THU_MORNING)
    thursday = the_daily(bot, THU_26)
    bot.clock.set(datetime(2026, 11, 30, 8, 30, tzinfo=UTC))  # the next Monday, a Daily day
    daily_prompt(bot.runtime, TEAM, CHANNEL, bot.clock())
    bot.event(reply("U0003", thursday.prompt_ts, "today: late one", "1764500000.000100"))
    assert updates(bot)["U0003"][0] == THU_26


def test_deleting_the_reply_that_was_an_update_takes_it_back(bot: BotUnderTest) -> None:
    bot.clock.set(THU_MORNING)
    daily_prompt(bot.runtime, TEAM, CHANNEL, THU_MORNING)
    thursday = the_daily(bot, THU_26)
    carla = reply("U0003", thursday.prompt_ts, "today: a highlight: won Bosch", "1764144000.000100")
    bot.event(carla)
    daily_summary(bot.runtime, TEAM, CHANNEL, THU_MORNING)
    assert "Carla: won Bosch" in summary_post(bot, thursday)
    bot.event(deleted(carla, "1764144100.000100"))
    assert "U0003" not in updates(bot)
    summary = last_edit_of(bot, the_daily(bot, THU_26).summary_ts)
    assert "won Bosch" not in summary and "*No update yet:* Anna, Ben, Carla" in summary
    assert bot.fake.calls_to("chat.delete") == [], "the member's own reply was the only copy"


def test_deleting_a_reply_also_deletes_the_bots_copy_of_the_update(bot: BotUnderTest) -> None:
    bot.clock.set(THU_MORNING)
    bot.command("/daily", "today: first via the command", user_id="U0003")
    thursday = the_daily(bot, THU_26)
    with transaction(bot.runtime.sessions) as session:
        copy_ts = session.scalars(select(DailyUpdate.posted_ts)).one()
    carla = reply("U0003", thursday.prompt_ts, "impediment: no CRM access", "1764144000.000200")
    bot.event(carla)
    bot.event(deleted(carla, "1764144100.000200"))
    assert "U0003" not in updates(bot)
    assert [c.params["ts"] for c in bot.fake.calls_to("chat.delete")] == [copy_ts]
    assert bot.fake.message(CHANNEL, str(copy_ts)) is None
    # Deleting someone's unrelated message changes nothing.
    bot.event(deleted(reply("U0001", None, "hello", "1764144200.000300"), "1764144300.000300"))
    assert len(bot.fake.calls_to("chat.delete")) == 1


def test_an_edited_reply_updates_the_update_and_drops_what_the_edit_removed(
    bot: BotUnderTest,
) -> None:
    bot.clock.set(THU_MORNING)
    daily_prompt(bot.runtime, TEAM, CHANNEL, THU_MORNING)
    thursday = the_daily(bot, THU_26)
    carla = reply("U0003", thursday.prompt_ts, "today: a impediment: VPN down", "1764144000.000400")
    bot.event(carla)
    assert updates(bot)["U0003"] == (THU_26, "a", "VPN down")
    bot.event(edited(carla, "today: call Zeiss instead", "1764144050.000400"))
    assert updates(bot)["U0003"] == (THU_26, "call Zeiss instead", None)


def test_skipping_the_evening_before_skips_the_next_daily(bot: BotUnderTest) -> None:
    from storage.models import Absence

    bot.clock.set(WED_EVENING)
    bot.command("/daily", "skip dentist", user_id="U0003")
    with transaction(bot.runtime.sessions) as session:
        absence = session.scalars(select(Absence)).one()
    assert (absence.start_date, absence.end_date) == (THU_26, THU_26)
    assert "next Daily (Thursday, 26 November) (dentist)" in ephemerals(bot, "U0003")[-1]


def test_a_deletion_handled_again_only_refreshes_the_summary(bot: BotUnderTest) -> None:
    """Slack redelivers an event whose work failed half-way: the update is gone already, the
    summary is refreshed again, and nothing else happens; the bot's own deletions do nothing."""
    bot.clock.set(THU_MORNING)
    daily_prompt(bot.runtime, TEAM, CHANNEL, THU_MORNING)
    prompt_ts = the_daily(bot, THU_26).prompt_ts
    carla = reply("U0003", prompt_ts, "today: a", "1764144000.000500")
    bot.event(carla)
    daily_summary(bot.runtime, TEAM, CHANNEL, THU_MORNING)
    summary_ts = the_daily(bot, THU_26).summary_ts
    bot.event(deleted(carla, "1764144100.000500"))
    edits = len([c for c in bot.fake.calls_to("chat.update") if c.params["ts"] == summary_ts])
    bot.event(deleted(carla, "1764144100.000500"))  # as a new delivery
    after = [c for c in bot.fake.calls_to("chat.update") if c.params["ts"] == summary_ts]
    assert len(after) == edits + 1 and "U0003" not in updates(bot)
    own = {**reply("UBOT", prompt_ts, "Daily summary", "1764144000.000600"), "bot_id": "B1"}
    bot.event(deleted(own, "1764144200.000600"))
    assert len([c for c in bot.fake.calls_to("chat.update") if c.params["ts"] == summary_ts]) == (
        edits + 1
    )
