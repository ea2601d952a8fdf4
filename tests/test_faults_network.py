"""Network faults between the bot and Slack: a connection dropped before Slack handled a call,
or after (the message is out, the answer lost), and 429 storms. Every test counts what was lost
and what was doubled, by the key each post carries in its metadata: both must be 0."""

from __future__ import annotations

import http.client
import urllib.error
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from schedules.daily import daily_prompt, daily_summary
from storage.db import transaction
from storage.models import SlackPost
from tests.conftest import CHANNEL, TEAM, BotUnderTest
from tests.test_daily_e2e import THURSDAY_MORNING, _ephemerals_to
from tests.test_weekly_support import run_agenda

CONNECTION_LOST = (http.client.HTTPException, urllib.error.URLError, ConnectionError)


def posted_keys(bot: BotUnderTest) -> set[str]:
    """The keys the bot recorded as done: every one must be in the channel exactly once."""
    with transaction(bot.runtime.sessions) as session:
        return set(session.scalars(select(SlackPost.post_key).where(SlackPost.ts.is_not(None))))


def assert_nothing_lost_or_doubled(bot: BotUnderTest, expected: set[str] | None = None) -> None:
    expected = posted_keys(bot) | (expected or set())
    assert bot.fake.doubled_keys() == {}, "doubled"
    assert bot.fake.missing_keys(expected) == set(), "lost"


def retry_job(bot: BotUnderTest, job: Any) -> None:
    """The clock's way: a run whose Slack call failed is run again at the next tick."""
    with pytest.raises(CONNECTION_LOST):
        job(bot.runtime, TEAM, CHANNEL, bot.clock())
    job(bot.runtime, TEAM, CHANNEL, bot.clock())


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_dropped_connection_posts_the_daily_prompt_once(bot: BotUnderTest, when: str) -> None:
    bot.clock.set(THURSDAY_MORNING)
    getattr(bot.fake, f"drop_{when}")("chat.postMessage")
    retry_job(bot, daily_prompt)
    daily_prompt(bot.runtime, TEAM, CHANNEL, bot.clock())  # and a third run, for good measure
    assert_nothing_lost_or_doubled(bot, {key for key in posted_keys(bot) if "prompt" in key})
    assert len(bot.fake.messages_with_key(CHANNEL)) == 1
    if when == "after":
        assert bot.fake.calls_to("conversations.history"), "it looked before posting again"


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_dropped_connection_posts_a_daily_answer_once(bot: BotUnderTest, when: str) -> None:
    bot.clock.set(THURSDAY_MORNING)
    daily_prompt(bot.runtime, TEAM, CHANNEL, bot.clock())
    getattr(bot.fake, f"drop_{when}")("chat.postMessage")
    assert bot.slack.command(command="/daily", text="today: call ACME").status == 200
    [(where, _)] = bot.take_failures()
    assert where == "daily_command"
    assert "saved" in _ephemerals_to(bot, "U0001")[-1]

    bot.clock.set(THURSDAY_MORNING + timedelta(seconds=10))
    assert bot.inbox.sweep() == 1
    bot.settle()
    assert_nothing_lost_or_doubled(bot)
    updates = [key for key in posted_keys(bot) if key.startswith("daily.update")]
    assert len(updates) == 1
    if when == "after":
        assert bot.fake.calls_to("conversations.replies"), "it looked in the thread first"


def test_a_dropped_connection_in_the_middle_of_the_agenda_doubles_no_item(
    bot: BotUnderTest,
) -> None:
    for number in range(4):
        bot.command("/weekly", f"add plan item {number}")
    bot.fake.drop_after("chat.postMessage", times=1)  # the parent is out, its answer lost
    with pytest.raises(CONNECTION_LOST):
        run_agenda(bot)
    bot.fake.drop_after("chat.postMessage", times=1)  # ... and the next one: an item reply
    with pytest.raises(CONNECTION_LOST):
        run_agenda(bot)
    run_agenda(bot)
    run_agenda(bot)
    assert_nothing_lost_or_doubled(bot)
    items = [key for key in bot.fake.messages_with_key() if key.startswith("weekly.item")]
    assert len(items) == 4 and len(bot.fake.messages_with_key()) == 5


def test_a_dropped_announcement_is_found_and_not_repeated(bot: BotUnderTest) -> None:
    bot.command("/prospect", "knows Siemens: Max", user_id="U0002")
    bot.fake.drop_after("chat.postMessage")
    assert bot.slack.command(command="/prospect", text="Siemens: meeting").status == 200
    bot.take_failures()
    bot.clock.set(bot.clock() + timedelta(seconds=10))
    assert bot.inbox.sweep() == 1
    bot.settle()
    assert_nothing_lost_or_doubled(bot)
    kinds = sorted(key.split(":")[0] for key in bot.fake.messages_with_key())
    assert kinds == ["radar-announce", "radar.flags"]


def test_a_429_storm_over_a_whole_daily_loses_and_doubles_nothing(bot: BotUnderTest) -> None:
    """Every Web API call has a one-in-three chance of a 429 for the whole Daily; the clock and
    the inbox keep trying until everything is out."""
    bot.clock.set(THURSDAY_MORNING)
    bot.fake.rate_limit_randomly(probability=0.35, seed=7, retry_after=0)
    for user, text in [("U0001", "today: A"), ("U0002", "heute: B"), ("U0003", "today: C")]:
        assert bot.slack.command(command="/daily", text=text, user_id=user).status == 200
    bot.take_failures()
    for _tick in range(30):
        try:
            daily_summary(bot.runtime, TEAM, CHANNEL, bot.clock())
        except Exception:
            bot.clock.set(bot.clock() + timedelta(minutes=1))
            continue
        bot.clock.set(bot.clock() + timedelta(minutes=11))  # any retry of the inbox is due
        if bot.inbox.sweep() == 0:
            break
        bot.settle()
        bot.take_failures()
    bot.fake.clear_faults()
    bot.settle()
    keys = bot.fake.messages_with_key(CHANNEL)
    assert_nothing_lost_or_doubled(bot)
    assert sum(key.startswith("daily.update") for key in keys) == 3, keys.keys()
    assert sum(key.startswith("daily.prompt") for key in keys) == 1
    assert sum(key.startswith("daily.summary") for key in keys) == 1
    assert bot.fake.failed, "the storm did happen"
