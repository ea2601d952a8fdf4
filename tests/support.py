"""Test plumbing: a controllable clock, an executor tests can wait on, the app on a real port."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

# Shared with the sandbox (bot/sandbox), which runs the bot the way these tests do.
from bot.sandbox.executor import TrackingExecutor as TrackingExecutor
from bot.sandbox.served import ServedApp as ServedApp

# What a posted mrkdwn text may contain at a "<": only a canonical user mention.
ALLOWED_TOKEN = re.compile(r"<@[UW][A-Z0-9]+>")
FORBIDDEN = ("<!", "<#", "<http", "<mailto", "<@S")


def assert_no_live_token(posted: str, allowed: re.Pattern[str] = ALLOWED_TOKEN) -> None:
    """Every "<" of a mrkdwn text starts an `allowed` token: nothing else can ping or link."""
    for position in (index for index, char in enumerate(posted) if char == "<"):
        assert allowed.match(posted, position), posted


def assert_cannot_ping_beyond_user_mentions(posted: str) -> None:
    """No group ping, channel link, link or stray markup: at most canonical user mentions."""
    for forbidden in FORBIDDEN:
        assert forbidden not in posted
    assert_no_live_token(posted)
    stripped = ALLOWED_TOKEN.sub("", posted)
    assert ">" not in stripped
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", stripped), posted


class FrozenClock:
    """`runtime.now` for tests: time stands still until the test moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def __call__(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("use an aware datetime")
        self._now = moment.astimezone(UTC)


def text_of(call_or_message: Any) -> str:
    """All the text of a recorded Web API call or stored message: `text` and its blocks'."""
    params = getattr(call_or_message, "params", call_or_message)
    parts = [params.get("text", "")]
    for block in params.get("blocks") or []:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text.get("text", ""))
        for element in block.get("elements", []):
            if isinstance(element, dict) and isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)
