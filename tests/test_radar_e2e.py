"""`/prospect` end to end: announce, knows, flags both ways, list, remove, bad input, escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from storage.db import transaction
from storage.models import KnownContact, ProspectAnnouncement, RadarFlag
from tests.conftest import CHANNEL, BotUnderTest
from tests.test_daily_e2e import _ephemerals_to, _text_of

NOV_12 = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)


def count(bot: BotUnderTest, model: Any) -> int:
    with transaction(bot.runtime.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def announcements(bot: BotUnderTest) -> list[Any]:
    return [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" not in c.params]


def replies_in(bot: BotUnderTest, thread_ts: str) -> list[Any]:
    return [
        c for c in bot.fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == thread_ts
    ]


def flags(bot: BotUnderTest) -> list[Any]:
    return [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" in c.params]


def ts_of(call: Any, bot: BotUnderTest) -> str:
    """The ts the fake gave a post (the fake records params, so find the stored message)."""
    for (channel, ts), message in bot.fake.messages.items():
        if channel == call.params["channel"] and message.get("text") == call.params["text"]:
            return ts
    raise AssertionError("post not found")


def announce(bot: BotUnderTest, text: str, user_id: str = "U0001") -> str:
    """Announce and return the ts of the announcement, the thread flags go to."""
    before = len(announcements(bot))
    bot.command("/prospect", text, user_id=user_id)
    posted = announcements(bot)
    assert len(posted) == before + 1, [c.params for c in posted]
    return ts_of(posted[-1], bot)


def test_an_announcement_is_posted_in_the_channel_and_stored(bot: BotUnderTest) -> None:
    ts = announce(bot, "Müller Maschinenbau GmbH: meeting the CFO next week")
    post = announcements(bot)[0]
    assert post.params["channel"] == CHANNEL
    assert post.params["unfurl_links"] in (False, "0", "false")
    text = _text_of(post)
    assert "<@U0001>" in text and "Müller Maschinenbau GmbH" in text
    assert "meeting the CFO next week" in text
    with transaction(bot.runtime.sessions) as session:
        row = session.scalars(select(ProspectAnnouncement)).one()
    assert (row.team_id, row.user_id, row.company) == ("T0001", "U0001", "Müller Maschinenbau GmbH")
    assert (row.channel_id, row.message_ts, row.note) == (
        CHANNEL,
        ts,
        "meeting the CFO next week",
    )
    assert flags(bot) == [], "nobody else knows the company: no flag"


def test_announcing_a_company_a_teammate_knows_flags_them_in_the_thread(
    bot: BotUnderTest,
) -> None:
    bot.command("/prospect", "kennt Mueller Maschinenbau: Jane Doe (CFO)", user_id="U0002")
    confirmation = _ephemerals_to(bot, "U0002")[-1]
    assert "Jane Doe (CFO)" in confirmation and "Notiert" in confirmation, "Ben is de-DE"
    assert bot.fake.calls_to("chat.postMessage") == [], "a contact is not posted in the channel"

    ts = announce(bot, "MÜLLER MASCHINENBAU AG")
    [flag] = replies_in(bot, ts)
    text = _text_of(flag)
    assert "<@U0002> knows Jane Doe (CFO) at" in text
    assert flag.params["unfurl_links"] in (False, "0", "false")
    assert "<@U0001>" not in flag.params["text"], "the flag is about the teammate"


def test_registering_a_known_contact_flags_the_teammates_announcement(bot: BotUnderTest) -> None:
    ts = announce(bot, "Siemens Healthineers")
    bot.command(
        "/prospect", "knows siemens healthineers AG: Dr. Max Weber, Head of IT", user_id="U0003"
    )
    [flag] = replies_in(bot, ts)
    assert "<@U0003> knows Dr. Max Weber, Head of IT at Siemens Healthineers" in _text_of(flag)
    assert "Anna" in _ephemerals_to(bot, "U0003")[-1], "Carla learns whom she was flagged to"
    bot.command("/prospect", "knows Siemens Healthineers: Dr. Max Weber (CIO)", user_id="U0003")
    assert len(replies_in(bot, ts)) == 1, "once per thread, even when the contact is updated"
    assert count(bot, KnownContact) == 1, "one contact per person and company"


def test_a_teammate_already_in_touch_is_flagged_with_the_date(bot: BotUnderTest) -> None:
    bot.clock.set(NOV_12)
    announce(bot, "Bosch Rexroth: demo booked", user_id="U0003")
    bot.clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    ts = announce(bot, "bosch rexroth ag")
    [flag] = replies_in(bot, ts)
    assert "<@U0003> is already in touch since 12 Nov" in _text_of(flag)


def test_the_own_earlier_announcement_is_updated_not_flagged(bot: BotUnderTest) -> None:
    bot.clock.set(NOV_12)
    announce(bot, "Bosch Rexroth")
    bot.clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    announce(bot, "Bosch Rexroth AG: second attempt")
    assert flags(bot) == []
    with transaction(bot.runtime.sessions) as session:
        row = session.scalars(select(ProspectAnnouncement)).one()
    assert row.note == "second attempt" and row.announced_at == NOV_12


def test_distinct_companies_sharing_a_word_are_not_flagged(bot: BotUnderTest) -> None:
    bot.command("/prospect", "knows Müller Logistik: Eva", user_id="U0002")
    bot.command("/prospect", "knows Deutsche Bank: Tom", user_id="U0003")
    announce(bot, "Müller Maschinenbau")
    announce(bot, "Deutsche Bahn")
    assert flags(bot) == []


def test_remove_takes_back_my_own_entries_matched_like_the_radar(bot: BotUnderTest) -> None:
    ts = announce(bot, "Mueller: ask for the CFO")
    bot.command("/prospect", "knows Müller: Jane", user_id="U0001")
    bot.command("/prospect", "remove Müller GmbH", user_id="U0002")
    assert "Müller GmbH" in _ephemerals_to(bot, "U0002")[-1]
    assert count(bot, ProspectAnnouncement) == 1, "only one's own entries can be removed"

    bot.command("/prospect", "remove Müller GmbH")
    answer = _ephemerals_to(bot, "U0001")[-1]
    assert "announcement of *Mueller*" in answer and "contact at *Müller*" in answer
    assert count(bot, ProspectAnnouncement) == 0 and count(bot, KnownContact) == 0
    [withdrawn] = [c for c in bot.fake.calls_to("chat.update") if c.params["ts"] == ts]
    assert "withdrawn" in _text_of(withdrawn) and "ask for the CFO" not in _text_of(withdrawn)
    bot.command("/prospect", "knows Mueller: Jane", user_id="U0003")
    assert flags(bot) == [], "a removed announcement is not flagged any more"


def test_list_shows_the_team_marks_mine_and_hides_other_peoples_contact_names(
    bot: BotUnderTest,
) -> None:
    bot.clock.set(NOV_12)
    announce(bot, "Bosch Rexroth", user_id="U0003")
    announce(bot, "bosch rexroth ag")
    bot.command("/prospect", "knows Siemens: Dr. Max Weber (CIO)", user_id="U0002")
    bot.command("/prospect", "knows Zeiss: Eva Klein")
    bot.command("/prospect", "list")
    shown = _text_of(bot.fake.calls_to("chat.postEphemeral")[-1])
    assert "Bosch Rexroth" in shown and shown.count("Bosch") == 1, "one line per company"
    assert "Carla (since 12 Nov)" in shown and "*you* (since 12 Nov)" in shown
    assert "Siemens* — Ben" in shown and "Max Weber" not in shown
    assert "Zeiss* — *you* (Eva Klein)" in shown
    assert "<@" not in shown
    assert len(announcements(bot)) == 2, "list is only for the caller"


def test_bad_input_gets_the_usage_and_stores_nothing(bot: BotUnderTest) -> None:
    for text in ["", "x" * 5000, "knows", "remove", ": only a note", "list everything"]:
        bot.command("/prospect", text)
    answers = _ephemerals_to(bot, "U0001")
    assert len(answers) == 6 and all("/prospect knows COMPANY" in a for a in answers)
    assert "too long" in answers[1]
    assert bot.fake.calls_to("chat.postMessage") == []
    assert count(bot, ProspectAnnouncement) == 0 and count(bot, KnownContact) == 0


def test_help_in_english_and_german(bot: BotUnderTest) -> None:
    bot.command("/prospect", "help")
    bot.command("/prospect", "hilfe", user_id="U0002")
    assert "`/prospect knows COMPANY [: CONTACT]`" in _ephemerals_to(bot, "U0001")[-1]
    german = _ephemerals_to(bot, "U0002")[-1]
    assert "`/prospect kennt FIRMA [: KONTAKT]`" in german and "`knows`" in german


def test_a_broadcast_or_mention_in_a_company_name_never_pings(bot: BotUnderTest) -> None:
    bot.command("/prospect", "knows <!channel> Acme: <!here> the CEO", user_id="U0002")
    announce(bot, "<!channel> ACME: tell <!subteam^S0001|@sales> &amp; <@U0003>")
    posted = "\n".join(_text_of(c) for c in bot.fake.calls_to("chat.postMessage"))
    assert "<!" not in posted and "<@U0003>" not in posted
    assert "@channel ACME" in posted and "tell @sales &amp; @Carla" in posted
    assert "<@U0002>" in posted, "only the teammate the flag is about is mentioned"


def test_a_company_sent_as_a_link_is_decoded_and_matched_by_domain(bot: BotUnderTest) -> None:
    bot.command("/prospect", "knows ACME Inc.: Jane Roe", user_id="U0002")
    ts = announce(bot, "<http://acme.com|acme.com>: found on their website")
    with transaction(bot.runtime.sessions) as session:
        assert session.scalars(select(ProspectAnnouncement.company)).one() == "acme.com"
    assert "<@U0002> knows Jane Roe" in _text_of(replies_in(bot, ts)[0])


def test_in_a_direct_message_knows_and_list_work_but_announcing_does_not(
    bot: BotUnderTest,
) -> None:
    bot.command("/prospect", "Siemens", channel_id="D0001")
    bot.command("/prospect", "knows Zeiss: Eva", channel_id="D0001")
    bot.command("/prospect", "list", channel_id="D0001")
    answers = [str(call.params) for call in bot.fake.calls_to("response_url")]
    assert len(answers) == 3 and "team channel" in answers[0]
    assert "Eva" in answers[1] and "Zeiss* — *you* (Eva)" in answers[2]
    assert bot.fake.calls_to("chat.postMessage") == []
    assert count(bot, ProspectAnnouncement) == 0 and count(bot, KnownContact) == 1


def test_a_rate_limited_announcement_is_kept_and_finished_later(bot: BotUnderTest) -> None:
    bot.command("/prospect", "knows Siemens: Max", user_id="U0002")
    bot.fake.fail_next("chat.postMessage", error="ratelimited", retry_after=0, times=5)
    assert bot.slack.command(command="/prospect", text="Siemens").status == 200
    [(where, _)] = bot.take_failures()
    told = _ephemerals_to(bot, "U0001")[-1]
    assert where == "radar_command" and "ratelimited" in told and "saved" in told
    assert count(bot, ProspectAnnouncement) == 0 and count(bot, RadarFlag) == 0

    bot.clock.set(bot.clock() + timedelta(minutes=1))  # the retry is due
    assert bot.inbox.sweep() == 1
    bot.settle()
    assert count(bot, ProspectAnnouncement) == 1 and count(bot, RadarFlag) == 1
    announcements = bot.fake.calls_to("chat.postMessage")
    assert len([c for c in announcements if not c.params.get("thread_ts")]) == 1
