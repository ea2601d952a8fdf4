"""The team insight end to end: the App Home's Team section after Dailies, and the first
Weekly agenda of a month carrying the team's figures as a reply in its thread."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from storage.channels import update_channel
from storage.db import transaction
from tests.conftest import TEAM, BotUnderTest
from tests.support import text_of
from tests.test_weekly_support import (
    BERLIN,
    MONDAY_WEEKLY,
    NEXT_MONDAY_WEEKLY,
    reaction,
    reply_for,
    run_agenda,
    thread_messages,
)

THURSDAY_MORNING = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Berlin
MONDAY_MORNING = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
THIRD_MONDAY_WEEKLY = datetime(2026, 12, 14, 10, 0, tzinfo=BERLIN)
INSIGHT_TITLE = "Team insight at the start of the month"


def _home_text(bot: BotUnderTest, user_id: str) -> str:
    bot.event({"type": "app_home_opened", "user": user_id, "channel": "D0001", "tab": "home"})
    calls = [c for c in bot.fake.calls_to("views.publish") if c.params["user_id"] == user_id]
    assert calls, "a Home was published"
    view: dict[str, Any] = calls[-1].params["view"]
    assert len(view["blocks"]) <= 100
    return text_of({"text": "", "blocks": view["blocks"]})


def _insight_replies(bot: BotUnderTest, parent_ts: str) -> list[str]:
    return [
        text_of(message)
        for _, message in thread_messages(bot, parent_ts)
        if INSIGHT_TITLE in text_of(message)
    ]


def test_the_home_team_section_shows_who_posted_as_team_figures(bot: BotUnderTest) -> None:
    bot.fake.add_user("U0009", name="Outsider", locale="en-US")
    bot.command("/daily", "on")
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: call ACME impediment: CRM export is broken")
    bot.command("/daily", "today: visit Bosch", user_id="U0003")
    bot.clock.set(MONDAY_MORNING)
    bot.command("/daily", "today: offers", user_id="U0002")

    text = _home_text(bot, "U0003")
    assert "*Team*" in text and "<#C0001>" in text
    # Members: Anna, Ben, Carla (the helper bot, the deleted user and Redthread do not count).
    assert "26 Nov 2 of 3 (67 %) · 30 Nov 1 of 3 (33 %)" in text
    assert "1 impediment raised in the last 4 weeks, 0 resolved" in text
    assert "No agenda items carried over." in text
    assert "Team figures only" in text
    german = _home_text(bot, "U0002")  # Ben's Slack locale is German, so is his Home
    assert "26. Nov. 2 von 3 (67 %) · 30. Nov. 1 von 3 (33 %)" in german
    outsider = _home_text(bot, "U0009")
    assert "<#C0001>" not in outsider, "only channels the person is a member of"
    assert "team channels you are in" in outsider


def test_a_channel_slack_will_not_list_is_left_out_of_the_home(bot: BotUnderTest) -> None:
    bot.command("/daily", "on")
    with transaction(bot.runtime.sessions) as session:  # the bot was removed from C0404
        update_channel(session, TEAM, "C0404", daily_state="on")
    text = _home_text(bot, "U0003")
    assert "<#C0001>" in text and "<#C0404>" not in text
    assert [c.error for c in bot.fake.calls_to("conversations.members")][-2:] == [
        None,
        "channel_not_found",
    ]


def test_the_first_agenda_of_the_month_carries_the_insight_the_second_does_not(
    bot: BotUnderTest,
) -> None:
    bot.command("/daily", "on")
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: call ACME impediment: CRM export is broken")
    bot.command("/daily", "today: visit Bosch", user_id="U0003")
    bot.command("/weekly", "add impediment no travel budget", user_id="U0003")
    bot.command("/weekly", "add plan fair in March")
    november = run_agenda(bot, MONDAY_WEEKLY)
    assert _insight_replies(bot, november) == [], "30 November is not November's first Weekly"
    bot.event(reaction("U0002", reply_for(bot, november, "CRM export"), "white_check_mark"))

    december = run_agenda(bot, NEXT_MONDAY_WEEKLY)
    run_agenda(bot, NEXT_MONDAY_WEEKLY)  # a re-run posts nothing twice
    replies = _insight_replies(bot, december)
    assert len(replies) == 1, "7 December is December's first Weekly"
    insight = replies[0]
    assert "26 Nov 2 of 3 (67 %)" in insight
    assert "2 impediments raised in the last 4 weeks, 1 resolved" in insight, (
        "the Daily's impediment, resolved in the Weekly, counts once, as resolved"
    )
    assert "2 agenda items carried over: 2 for 1 week" in insight
    assert "<@" not in insight and "Anna" not in insight and "Carla" not in insight

    third = run_agenda(bot, THIRD_MONDAY_WEEKLY)
    assert _insight_replies(bot, third) == [], "the second Weekly of December has none"
