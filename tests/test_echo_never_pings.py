"""Whatever someone types into a command, nothing the bot sends back can ping a group, link
a channel or smuggle in markup: every echo of user text goes through `escape_for_slack`.

The text is generated as Slack sends it with `should_escape`: what the person typed has
``& < >`` escaped, and real mentions, broadcasts and links arrive as ``<…>`` tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.daily.settings_form import DailySettingsForm
from bot.weekly.rules import WeeklySchedule
from bot.weekly.settings_form import WeeklySettingsForm
from tests.conftest import BotUnderTest
from tests.support import assert_no_live_token
from tests.test_weekly_support import ephemerals_to, run_agenda

CALLER = "U0001"
# The tokens the product itself puts in: the announcer's mention in their own announcement,
# and the link of an item or decision to its message.
BOTS_OWN_TOKENS = re.compile(
    rf"<@{CALLER}>|<https://redthread-test\.slack\.com/archives/C0001/p[0-9]+\|[^<>|]+>"
)
# Typed literally: Slack escapes them, the bot decodes them to exactly this text.
TYPED_MARKUP = ["<!here>", "<!channel>", "<!everyone>", "<!subteam^S123>", "<@U0002>", "<@U0001>"]
TYPED_MARKUP += ["<#C0001>", "<http://evil.example|click>", "&", "<", ">", "&amp;", "|", ":", "\n"]
# Sent by Slack as tokens: the person really mentioned someone or used a broadcast.
SLACK_TOKENS = ["<!here>", "<!channel>", "<!everyone>", "<!subteam^S123|@sales>"]
SLACK_TOKENS += ["<!subteam^S123>", "<@U0002|ben>", "<@U0003>", "<#C0001|general>"]
SLACK_TOKENS += ["<http://evil.example|click>", "<mailto:a@b.example>"]
WORDS = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029"),
    max_size=6,
)


def slack_escaped(typed: str) -> str:
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


PIECES = st.one_of(
    st.sampled_from(TYPED_MARKUP).map(slack_escaped),
    WORDS.map(slack_escaped),
    st.sampled_from(SLACK_TOKENS),
)
COMMAND_TEXT = st.lists(PIECES, min_size=1, max_size=12).map(" ".join)


def _slash(command: str, prefix: str = "") -> Callable[[BotUnderTest, str], None]:
    def send(bot: BotUnderTest, text: str) -> None:
        bot.command(command, prefix + text, user_id=CALLER)

    return send


def _message_shortcut(bot: BotUnderTest, text: str) -> None:
    message = {"type": "message", "user": "U0003", "ts": "1764000123.000200", "text": text}
    assert bot.slack.message_shortcut("weekly_add_message", message, user_id=CALLER).status == 200
    bot.settle()


SENDERS: dict[str, Callable[[BotUnderTest, str], None]] = {
    "daily": _slash("/daily"),
    "daily-labels": _slash("/daily", "today: x highlight: "),
    "daily-skip": _slash("/daily", "skip "),
    "daily-away": _slash("/daily", "away "),
    "daily-away-end": _slash("/daily", "away 1.12. "),
    "weekly": _slash("/weekly"),
    "weekly-add": _slash("/weekly", "add "),
    "weekly-remove": _slash("/weekly", "remove "),
    "weekly-decide": _slash("/weekly", "decide "),
    "weekly-message-shortcut": _message_shortcut,
    "prospect": _slash("/prospect"),
    "prospect-knows": _slash("/prospect", "knows "),
    "prospect-knows-contact": _slash("/prospect", "knows Acme: "),
    "prospect-remove": _slash("/prospect", "remove "),
    "prospect-scan": _slash("/prospect", "scan "),
}


def _mrkdwn_texts(value: Any) -> Iterator[str]:
    """Every text of a payload Slack would render as mrkdwn (`plain_text` shows verbatim)."""
    if isinstance(value, list):
        for element in value:
            yield from _mrkdwn_texts(element)
    elif isinstance(value, dict):
        if value.get("type") == "plain_text":
            return
        for key, inner in value.items():
            if key == "text" and isinstance(inner, str):
                yield inner
            else:
                yield from _mrkdwn_texts(inner)


def assert_nothing_pings(calls: list[Any]) -> None:
    """Whole messages carry the bot's own markup (quotes, bold), so only tokens are checked."""
    for call in calls:
        for text in _mrkdwn_texts(call.params):
            assert_no_live_token(text, BOTS_OWN_TOKENS)


@pytest.mark.parametrize("sender", SENDERS.values(), ids=SENDERS.keys())
def test_no_echo_of_typed_text_pings_anyone(
    bot: BotUnderTest, sender: Callable[[BotUnderTest, str], None]
) -> None:
    @settings(max_examples=15, deadline=None, database=None)
    @given(text=COMMAND_TEXT)
    def typing(text: str) -> None:
        seen = len(bot.fake.calls)
        sender(bot, text)
        assert_nothing_pings(bot.fake.calls[seen:])

    typing()
    # What was stored is shown again later: in the draft, the decision log, the agenda.
    seen = len(bot.fake.calls)
    for command, text in (("/weekly", ""), ("/weekly", "decisions"), ("/prospect", "list")):
        bot.command(command, text, user_id=CALLER)
    run_agenda(bot)
    assert_nothing_pings(bot.fake.calls[seen:])


def test_a_skip_reason_is_echoed_escaped(bot: BotUnderTest) -> None:
    bot.command("/daily", "skip &lt;!here&gt; dentist &amp; co")
    [answer] = ephemerals_to(bot, CALLER)
    assert "(&lt;!here&gt; dentist &amp; co)" in answer


def test_an_unreadable_date_is_echoed_escaped(bot: BotUnderTest) -> None:
    bot.command("/daily", "away &lt;!channel&gt;")
    [answer] = ephemerals_to(bot, CALLER)
    assert "&lt;!channel&gt;" in answer and "<!channel>" not in answer


def test_the_settings_confirmations_escape_the_time_zone_they_echo() -> None:
    # Validation only lets real zone names through; the confirmation does not rely on it.
    daily = DailySettingsForm(frozenset({0}), time(9), time(10), time(11), "<!here>", "en")
    weekly = WeeklySettingsForm(WeeklySchedule(0, time(10), time(15), "<!here>"))
    for confirmation in (daily.confirmation("en"), weekly.confirmation("de")):
        assert "&lt;!here&gt;" in confirmation and "<!" not in confirmation
