"""Where the Daily runs, end to end: the welcome when the bot is added, `/daily off|on`,
holidays, `/daily cancel`, quiet hours of reminders and the answer to a direct message."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.daily import render, service
from schedules.clock import TickReport, tick
from storage.channels import update_channel
from storage.db import transaction
from storage.models import Channel, Daily, DailyCancellation, InboxRequest
from tests.conftest import CHANNEL, TEAM, BotUnderTest, make_settings
from tests.support import text_of

BERLIN = ZoneInfo("Europe/Berlin")
# Thursday 26 November 2026 is a Daily day (and Thanksgiving in the US).
PROMPT_DUE = datetime(2026, 11, 26, 9, 0, 10, tzinfo=BERLIN)
REMINDER_DUE = datetime(2026, 11, 26, 11, 0, 10, tzinfo=BERLIN)


def _add_bot(bot: BotUnderTest, channel: str = CHANNEL) -> None:
    bot.event({"type": "member_joined_channel", "channel": channel, "user": "UBOT", "team": TEAM})


def _top_level_posts(bot: BotUnderTest, channel: str = CHANNEL) -> list[Any]:
    return [
        call
        for call in bot.fake.calls_to("chat.postMessage")
        if "thread_ts" not in call.params and call.params.get("channel") == channel
    ]


def _ephemerals_to(bot: BotUnderTest, user_id: str) -> list[str]:
    return [
        str(call.params["text"])
        for call in bot.fake.calls_to("chat.postEphemeral")
        if call.params.get("user") == user_id
    ]


def _tick_at(bot: BotUnderTest, moment: datetime) -> TickReport:
    bot.clock.set(moment)
    return tick(bot.runtime, gap_seconds=0)


def _lines(report: TickReport) -> str:
    return "\n".join(report.lines())


def _count(bot: BotUnderTest, model: Any) -> int:
    with transaction(bot.runtime.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --- the bot is added; reading settings writes nothing --------------------------------------


def test_adding_the_bot_posts_a_welcome_and_schedules_the_daily(bot: BotUnderTest) -> None:
    _add_bot(bot)
    [welcome] = _top_level_posts(bot)
    text = text_of(welcome)
    assert "Redthread" in text and "Thursday, 26 November at 09:00 (Europe/Berlin)" in text
    actions = next(b for b in welcome.params["blocks"] if b["type"] == "actions")["elements"]
    assert [a["action_id"] for a in actions] == [
        render.WELCOME_SETTINGS_ACTION,
        render.WELCOME_OFF_ACTION,
    ]
    report = _tick_at(bot, PROMPT_DUE)
    assert report.ran == 1 and len(_top_level_posts(bot)) == 2


def test_a_command_where_the_bot_was_never_added_schedules_no_daily(bot: BotUnderTest) -> None:
    bot.command("/weekly", "help", channel_id="C0RANDOM")
    bot.command("/daily", "settings", channel_id="C0RANDOM")
    bot.command("/daily", "help", channel_id="C0RANDOM")
    bot.command("/daily", "off", channel_id="C0RANDOM")
    assert _count(bot, Channel) == 0, "reading settings never writes"
    report = _tick_at(bot, PROMPT_DUE)
    assert report.outcomes == []
    bot.command("/weekly", "add market a competitor cut prices", channel_id="C0RANDOM")
    assert "daily-prompt" not in _lines(_tick_at(bot, PROMPT_DUE))


def test_a_channel_active_before_the_migration_keeps_its_daily(bot: BotUnderTest) -> None:
    from sqlalchemy import text

    with transaction(bot.runtime.sessions) as session:
        update_channel(session, TEAM, CHANNEL, daily_state="none")
    # What migration 0010 does to the channels that were active.
    with bot.runtime.engine.begin() as connection:
        connection.execute(text("UPDATE channels SET daily_state = 'on' WHERE active"))
    assert _tick_at(bot, PROMPT_DUE).ran == 1


# --- /daily off and on ---------------------------------------------------------------------


def test_daily_off_stops_the_scheduled_daily_and_on_starts_it_again(bot: BotUnderTest) -> None:
    _add_bot(bot)
    bot.command("/daily", "off", user_id="U0002")
    announcement = text_of(_top_level_posts(bot)[-1])
    assert "Ben turned the Daily off" in announcement and "<@U0002>" not in announcement
    report = _tick_at(bot, PROMPT_DUE)
    assert report.ran == 0
    assert "skipped daily-prompt T0001/C0001 2026-11-26: the Daily is off" in _lines(report)
    bot.command("/daily", "aus")
    assert any("already off" in text for text in _ephemerals_to(bot, "U0001"))
    bot.command("/daily", "an")
    assert "turned the Daily on" in text_of(_top_level_posts(bot)[-1])
    assert _tick_at(bot, datetime(2026, 11, 26, 9, 0, 40, tzinfo=BERLIN)).ran == 1


def test_saving_the_settings_starts_the_daily(bot: BotUnderTest) -> None:
    _add_bot(bot)
    bot.command("/daily", "off")
    bot.command("/daily", "settings")
    view = bot.fake.calls_to("views.open")[-1].params["view"]
    timezone = next(b for b in view["blocks"] if b["block_id"] == "timezone")["element"]
    assert timezone["type"] == "static_select"
    assert all(len(group["options"]) <= 100 for group in timezone["option_groups"])
    assert timezone["initial_option"]["value"] == "Europe/Berlin"
    values = {
        "weekdays": {"value": {"type": "checkboxes", "selected_options": [{"value": "3"}]}},
        "prompt_at": {"value": {"type": "timepicker", "selected_time": "09:00"}},
        "reminder_at": {"value": {"type": "timepicker", "selected_time": "11:00"}},
        "summary_at": {"value": {"type": "timepicker", "selected_time": "12:00"}},
        "timezone": {
            "value": {"type": "static_select", "selected_option": {"value": "Europe/Berlin"}}
        },
        "language": {"value": {"type": "static_select", "selected_option": {"value": "en"}}},
        "holiday_region": {"value": {"type": "plain_text_input", "value": "Bavaria"}},
    }
    metadata = view["private_metadata"]
    rejected = bot.slack.view_submission("daily_settings", values, private_metadata=metadata)
    assert "holiday_region" in rejected.json["errors"]
    values["holiday_region"] = {"value": {"type": "plain_text_input", "value": "de-by"}}
    assert (
        bot.slack.view_submission("daily_settings", values, private_metadata=metadata).status == 200
    )
    bot.settle()
    config = service.channel_config(bot.runtime, TEAM, CHANNEL)
    assert config.state == "on" and config.holiday_region == "DE-BY"
    assert _tick_at(bot, PROMPT_DUE).ran == 1


def test_the_welcome_buttons_open_the_settings_and_turn_the_daily_off(bot: BotUnderTest) -> None:
    _add_bot(bot)
    bot.slack.block_action(render.WELCOME_SETTINGS_ACTION, user_id="U0002")
    bot.settle()
    view = bot.fake.calls_to("views.open")[-1].params["view"]
    assert view["callback_id"] == render.SETTINGS_MODAL
    assert view["title"]["text"] == "Daily-Einstellungen", "Ben's Slack speaks German"
    bot.slack.block_action(render.WELCOME_OFF_ACTION, user_id="U0001")
    bot.settle()
    assert service.channel_config(bot.runtime, TEAM, CHANNEL).state == "off"
    assert "turned the Daily off" in text_of(_top_level_posts(bot)[-1])


# --- holidays and cancelled Dailies ------------------------------------------------------------


def test_no_daily_on_a_public_holiday_of_the_channels_region(bot: BotUnderTest) -> None:
    _add_bot(bot)
    bot.command("/daily", "holidays us-ca")
    assert any("Thanksgiving" in text for text in _ephemerals_to(bot, "U0001"))
    report = _tick_at(bot, REMINDER_DUE)
    assert report.ran == 0 and len(_top_level_posts(bot)) == 1
    lines = _lines(report)
    for job in ("daily-prompt", "daily-reminder"):
        assert f"skipped {job} T0001/C0001 2026-11-26: a public holiday in US-CA" in lines
    bot.command("/daily", "feiertage aus")
    assert _tick_at(bot, datetime(2026, 11, 26, 11, 0, 40, tzinfo=BERLIN)).ran == 2


def test_the_default_holiday_region_applies_until_a_channel_chooses(bot: BotUnderTest) -> None:
    bot.runtime.settings = make_settings(
        bot.runtime.settings.database_url, bot.fake, default_holiday_region="US"
    )
    _add_bot(bot)
    assert "skipped daily-prompt" in _lines(_tick_at(bot, PROMPT_DUE))
    bot.command("/daily", "holidays DE")
    assert _tick_at(bot, datetime(2026, 11, 26, 9, 0, 40, tzinfo=BERLIN)).ran == 1


def test_a_bad_region_gets_a_usage_message_and_stores_nothing(bot: BotUnderTest) -> None:
    _add_bot(bot)
    bot.command("/daily", "holidays Atlantis")
    assert any("Atlantis" in text for text in _ephemerals_to(bot, "U0001"))
    assert service.channel_config(bot.runtime, TEAM, CHANNEL).holiday_choice is None


def test_cancel_takes_out_the_next_daily_for_the_whole_channel(bot: BotUnderTest) -> None:
    _add_bot(bot)
    bot.command("/daily", "cancel", user_id="U0003")
    announcement = text_of(_top_level_posts(bot)[-1])
    assert "No Daily on Thursday, 26 November: Carla cancelled it" in announcement
    report = _tick_at(bot, REMINDER_DUE)
    assert report.ran == 0
    assert "skipped daily-prompt T0001/C0001 2026-11-26: this Daily was cancelled" in _lines(report)
    bot.command("/daily", "cancel 26.11.")
    bot.command("/daily", "cancel 2026-11-25")
    bot.command("/daily", "cancel soon")
    told = _ephemerals_to(bot, "U0001")
    assert "already cancelled" in told[0] and "no Daily on" in told[1]
    assert "soon" in told[2]
    bot.command("/daily", "absagen 30.11.", user_id="U0002")
    assert "Kein Daily am" not in text_of(_top_level_posts(bot)[-1]), "the channel's language"
    assert _count(bot, DailyCancellation) == 2
    assert _count(bot, Daily) == 0


def test_a_cancellation_can_be_taken_back_and_the_daily_is_held(bot: BotUnderTest) -> None:
    _add_bot(bot)
    bot.command("/daily", "cancel 26.11.", user_id="U0003")
    bot.command("/daily", "uncancel", user_id="U0002")
    news = text_of(_top_level_posts(bot)[-1])
    assert "The Daily on Thursday, 26 November takes place after all" in news
    assert _count(bot, DailyCancellation) == 0
    bot.command("/daily", "uncancel 26.11.")
    bot.command("/daily", "uncancel 24.11.")
    told = _ephemerals_to(bot, "U0001")
    assert "26 November is not cancelled" in told[-2] and "24 November is not" in told[-1]
    bot.command("/daily", "absagen 26.11.", user_id="U0003")
    assert "No Daily on Thursday, 26 November" in text_of(_top_level_posts(bot)[-1]), (
        "cancelled again after the undo: announced again"
    )
    bot.command("/daily", "zurücknehmen 26.11.", user_id="U0003")
    report = _tick_at(bot, PROMPT_DUE)
    assert report.ran == 1, _lines(report)
    assert _count(bot, Daily) == 1, "the Daily is held"


def test_an_answer_on_a_cancelled_day_joins_the_last_daily_held(bot: BotUnderTest) -> None:
    _add_bot(bot)
    bot.clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN))
    bot.command("/daily", "today: call ACME")
    bot.clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN))
    bot.command("/daily", "cancel", user_id="U0003")
    prompts = len(_top_level_posts(bot))
    bot.clock.set(datetime(2026, 11, 25, 18, 30, tzinfo=BERLIN))
    bot.command("/daily", "today: offer for Bosch", user_id="U0002")
    bot.clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=BERLIN))
    bot.command("/daily", "today: visit Müller", user_id="U0003")
    with transaction(bot.runtime.sessions) as session:
        days = list(session.scalars(select(Daily.local_date)))
    assert days == [date(2026, 11, 23)], "no Daily of its own on the cancelled Thursday"
    assert len(_top_level_posts(bot)) == prompts, "no ad-hoc prompt"


# --- quiet hours -------------------------------------------------------------------------------


def test_a_reminder_waits_for_8_oclock_in_the_members_time_zone(bot: BotUnderTest) -> None:
    bot.fake.add_user("U0003", name="Carla", locale="en-GB", tz="America/New_York")
    _add_bot(bot)
    with transaction(bot.runtime.sessions) as session:
        update_channel(session, TEAM, CHANNEL, daily_summary_time="16:00")
    report = _tick_at(bot, REMINDER_DUE)  # 05:00 in New York
    reminded = {call.params["user"] for call in bot.fake.calls_to("chat.postEphemeral")}
    assert reminded == {"U0001", "U0002"}
    assert "ran daily-reminder T0001/C0001 2026-11-26: quiet hours" in _lines(report)
    report = _tick_at(bot, datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN))
    assert "skipped daily-reminder T0001/C0001 2026-11-26: quiet hours" in _lines(report)
    assert len(bot.fake.calls_to("chat.postEphemeral")) == 2
    _tick_at(bot, datetime(2026, 11, 26, 14, 0, 10, tzinfo=BERLIN))  # 08:00 in New York
    assert _ephemerals_to(bot, "U0003") and len(bot.fake.calls_to("chat.postEphemeral")) == 3


def test_a_reminder_in_quiet_hours_until_the_summary_is_dropped(bot: BotUnderTest) -> None:
    bot.fake.add_user("U0003", name="Carla", locale="en-GB", tz="America/Los_Angeles")
    _add_bot(bot)
    report = _tick_at(bot, REMINDER_DUE)
    assert "not reminded" in _lines(report)
    _tick_at(bot, datetime(2026, 11, 26, 17, 0, tzinfo=BERLIN))
    assert not _ephemerals_to(bot, "U0003")


# --- a direct message --------------------------------------------------------------------------


def _direct_message(bot: BotUnderTest, text: str, user: str = "U0001") -> None:
    ts = f"{bot.clock().timestamp():.6f}"
    event = {"type": "message", "channel": f"D{user[1:]}", "channel_type": "im", "user": user}
    bot.event({**event, "text": text, "ts": ts})


def test_a_direct_message_gets_one_friendly_answer_a_day(bot: BotUnderTest) -> None:
    _add_bot(bot)
    _direct_message(bot, "hello, can you remind me of my plan? secret-words")
    [answer] = _top_level_posts(bot, "D0001")
    assert "<#C0001>" in text_of(answer) and "/daily" in text_of(answer)
    _direct_message(bot, "hello again")
    assert len(_top_level_posts(bot, "D0001")) == 1, "at most once a day per person"
    with transaction(bot.runtime.sessions) as session:
        bodies = session.scalars(select(InboxRequest.body)).all()
    assert not any("secret-words" in body for body in bodies), "the message is not stored"
    assert all("text" not in json.loads(body).get("event", {}) for body in bodies)
    bot.clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    _direct_message(bot, "good morning")
    assert len(_top_level_posts(bot, "D0001")) == 2, "a new day, a new answer"


def test_a_direct_message_in_german_gets_a_german_answer(bot: BotUnderTest) -> None:
    _direct_message(bot, "Hallo", user="U0002")
    [answer] = _top_level_posts(bot, "D0002")
    assert "Hallo!" in text_of(answer) and "/invite @Redthread" in text_of(answer)


# --- the Weekly moves off a holiday --------------------------------------------------------------


def test_a_weekly_on_easter_monday_is_held_on_tuesday(bot: BotUnderTest) -> None:
    with transaction(bot.runtime.sessions) as session:
        update_channel(session, TEAM, CHANNEL, weekly_active=True, holiday_region="DE")
    report = _tick_at(bot, datetime(2027, 3, 29, 10, 0, 10, tzinfo=BERLIN))  # Easter Monday
    assert "weekly-agenda" not in _lines(report)
    report = _tick_at(bot, datetime(2027, 3, 30, 10, 0, 10, tzinfo=BERLIN))
    assert "ran weekly-agenda T0001/C0001 2027-03-30" in _lines(report)
