"""Helpers shared by the Weekly's end-to-end tests (no tests here): traffic, jobs, events."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from schedules.weekly import weekly_agenda, weekly_call
from storage.db import transaction
from storage.models import Weekly
from tests.conftest import CHANNEL, TEAM, BotUnderTest
from tests.support import text_of

BERLIN = ZoneInfo("Europe/Berlin")
# With the defaults: the call for items on Friday 15:00, the Weekly on Monday 10:00 (Berlin).
FRIDAY_CALL = datetime(2026, 11, 27, 15, 0, tzinfo=BERLIN)
MONDAY_WEEKLY = datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN)
NEXT_MONDAY_WEEKLY = datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN)
_event_clock = itertools.count(1)


def count(bot: BotUnderTest, model: Any) -> int:
    with transaction(bot.runtime.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def ephemerals_to(bot: BotUnderTest, user_id: str) -> list[str]:
    return [
        text_of(call)
        for call in bot.fake.calls_to("chat.postEphemeral")
        if call.params.get("user") == user_id
    ]


def top_level_posts(bot: BotUnderTest) -> list[Any]:
    return [c for c in bot.fake.calls_to("chat.postMessage") if not c.params.get("thread_ts")]


def replies_to(bot: BotUnderTest, thread_ts: str) -> list[Any]:
    return [
        c for c in bot.fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == thread_ts
    ]


def run_call(bot: BotUnderTest, at: datetime = FRIDAY_CALL) -> None:
    bot.clock.set(at)
    weekly_call(bot.runtime, TEAM, CHANNEL, at)


def run_agenda(bot: BotUnderTest, at: datetime = MONDAY_WEEKLY) -> str:
    """Posts the agenda of the Weekly due at `at`; returns its parent's ts."""
    bot.clock.set(at)
    weekly_agenda(bot.runtime, TEAM, CHANNEL, at)
    with transaction(bot.runtime.sessions) as session:
        weekly = session.scalars(
            select(Weekly).where(Weekly.local_date == at.date(), Weekly.channel_id == CHANNEL)
        ).one()
        assert weekly.agenda_ts, "the agenda was posted"
        return weekly.agenda_ts


def thread_messages(bot: BotUnderTest, thread_ts: str) -> list[tuple[str, dict[str, Any]]]:
    """(ts, current message) of the bot's replies in a thread, oldest first."""
    with bot.fake._condition:
        found = [
            (ts, dict(message))
            for (channel, ts), message in bot.fake.messages.items()
            if channel == CHANNEL and message.get("thread_ts") == thread_ts
        ]
    return sorted(found, key=lambda pair: float(pair[0]))


def reply_for(bot: BotUnderTest, thread_ts: str, snippet: str) -> str:
    """The ts of the item reply whose text contains `snippet`."""
    matches = [ts for ts, message in thread_messages(bot, thread_ts) if snippet in text_of(message)]
    assert len(matches) == 1, (snippet, [text_of(m) for _, m in thread_messages(bot, thread_ts)])
    return matches[0]


def parent_text(bot: BotUnderTest, parent_ts: str) -> str:
    message = bot.fake.message(CHANNEL, parent_ts)
    assert message is not None
    return text_of(message)


def reaction(
    user_id: str,
    ts: str,
    name: str = "raising_hand",
    *,
    added: bool = True,
    event_ts: str | None = None,
) -> dict[str, Any]:
    """A reaction_added/_removed event as Slack sends it; event_ts orders them."""
    return {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user_id,
        "reaction": name,
        "item_user": "UBOT",
        "item": {"type": "message", "channel": CHANNEL, "ts": ts},
        "event_ts": event_ts or f"1790000000.{next(_event_clock):06d}",
    }
