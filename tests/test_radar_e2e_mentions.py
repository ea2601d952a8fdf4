"""Flags for companies named in Daily updates and channel messages; forget; once per thread."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.privacy import forget_user
from bot.runtime import build_runtime
from storage.db import transaction
from storage.models import DailyUpdate
from tests.conftest import CHANNEL, BotUnderTest, make_settings
from tests.test_daily_e2e import _ephemerals_to, _run_prompt, _text_of, _thread_reply
from tests.test_radar_e2e import announce, flags, replies_in

THURSDAY_MORNING = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def daily_thread(bot: BotUnderTest) -> str:
    with_prompt = _run_prompt(bot)
    assert with_prompt.prompt_ts
    return with_prompt.prompt_ts


def radar_flags_in(bot: BotUnderTest, thread_ts: str) -> list[Any]:
    return [c for c in replies_in(bot, thread_ts) if "Prospect radar" in c.params["text"]]


def channel_message(user_id: str, text: str, ts: str, thread_ts: str | None = None) -> dict:
    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": user_id,
        "text": text,
        "ts": ts,
        "channel_type": "channel",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def test_a_daily_update_naming_a_known_company_is_flagged_once_per_thread(
    bot: BotUnderTest,
) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/prospect", "knows Siemens: Dr. Max Weber (CIO)", user_id="U0002")
    bot.command("/daily", "today: demo at SIEMENS highlight: new lead at Zeiss")
    thread = daily_thread(bot)
    [flag] = radar_flags_in(bot, thread)
    assert "<@U0002> knows Dr. Max Weber (CIO) at Siemens" in _text_of(flag)
    assert flag.params["unfurl_links"] in (False, "0", "false")

    bot.command("/daily", "today: Siemens follow-up", user_id="U0003")
    bot.command("/daily", "today: demo at Siemens, then Siemens again")
    assert len(radar_flags_in(bot, thread)) == 1, "once per company per thread"


def test_a_thread_reply_update_is_flagged_too(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/prospect", "Bosch Rexroth: intro call", user_id="U0003")
    thread = daily_thread(bot)
    bot.event(_thread_reply("U0001", thread, "today: call bosch rexroth"))
    [flag] = radar_flags_in(bot, thread)
    assert "<@U0003> is already in touch with Bosch Rexroth since 26 Nov" in _text_of(flag)


def test_the_authors_own_entries_are_not_flagged(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/prospect", "knows Siemens: Max", user_id="U0002")
    bot.command("/daily", "today: Siemens workshop", user_id="U0002")
    assert radar_flags_in(bot, daily_thread(bot)) == []


def test_forget_removes_contacts_and_announcements_from_the_radar(
    bot: BotUnderTest, database_url: str
) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/prospect", "knows Siemens: Max", user_id="U0002")
    bot.command("/prospect", "Zeiss", user_id="U0002")
    bot.command("/prospect", "list")  # the index is now cached in the bot's process
    # `python -m bot forget` runs in another process: another runtime, another engine.
    other_process = build_runtime(make_settings(database_url, bot.fake))
    try:
        counts = forget_user(other_process, "U0002")
    finally:
        other_process.engine.dispose()
    assert counts["known_contacts"] == 1 and counts["prospect_announcements"] == 1
    bot.command("/daily", "today: Siemens and Zeiss")
    assert not [f for f in flags(bot) if "Prospect radar" in f.params["text"]]
    bot.command("/prospect", "list")
    listed = _text_of(bot.fake.calls_to("chat.postEphemeral")[-1])
    assert "Siemens" not in listed and "Zeiss" not in listed
    assert "Ben" not in listed


def test_channel_messages_are_scanned_only_when_the_channel_turned_it_on(
    bot: BotUnderTest,
) -> None:
    bot.command("/prospect", "knows Siemens: Max", user_id="U0002")
    bot.event(channel_message("U0001", "Anyone been to Siemens lately?", "1764100000.000100"))
    assert flags(bot) == [], "off by default"

    bot.command("/prospect", "scan on")
    [notice] = [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" not in c.params]
    assert "Anna turned on the prospect radar" in notice.params["text"]
    assert "<@" not in notice.params["text"]
    bot.command("/prospect", "scan")
    assert "reads the messages" in _ephemerals_to(bot, "U0001")[-1]

    bot.event(channel_message("U0001", "Anyone been to Siemens lately?", "1764100000.000200"))
    [flag] = replies_in(bot, "1764100000.000200")
    assert "<@U0002> knows Max at Siemens" in _text_of(flag)
    bot.event(channel_message("U0003", "Siemens again", "1764100000.000300", "1764100000.000200"))
    assert len(replies_in(bot, "1764100000.000200")) == 1, "once per company per thread"
    bot.event(channel_message("U0002", "I'll call Siemens", "1764100000.000400"))
    assert replies_in(bot, "1764100000.000400") == [], "Ben's own contact"

    bot.command("/prospect", "mitlesen aus", user_id="U0002")
    bot.event(channel_message("U0001", "Siemens?", "1764100000.000500"))
    assert replies_in(bot, "1764100000.000500") == []


def test_daily_thread_replies_still_become_updates_when_the_channel_is_scanned(
    bot: BotUnderTest,
) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/prospect", "scan on")
    bot.command("/prospect", "knows Siemens: Max", user_id="U0002")
    thread = daily_thread(bot)
    bot.event(_thread_reply("U0003", thread, "today: Siemens demo"))
    with transaction(bot.runtime.sessions) as session:
        update = session.scalars(select(DailyUpdate)).one()
    assert (update.user_id, update.plan) == ("U0003", "Siemens demo"), "still the Daily's update"
    assert len(radar_flags_in(bot, thread)) == 1


def test_simultaneous_messages_in_one_thread_flag_once(bot: BotUnderTest) -> None:
    bot.command("/prospect", "scan on")
    bot.command("/prospect", "knows Siemens: Max", user_id="U0002")
    parent = "1764100000.000100"
    senders = [
        threading.Thread(
            target=bot.slack.event,
            args=(channel_message("U0001", f"Siemens {n}", f"17641000{n:02d}.0", parent),),
        )
        for n in range(6)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(10)
    bot.settle()
    assert len(replies_in(bot, parent)) == 1


def test_an_announcement_thread_reply_does_not_flag_its_own_announcement(
    bot: BotUnderTest,
) -> None:
    bot.command("/prospect", "scan on")
    ts = announce(bot, "Zeiss Meditec")
    bot.event(channel_message("U0003", "I met Zeiss Meditec at a fair", "1764100000.000900", ts))
    assert replies_in(bot, ts) == []
