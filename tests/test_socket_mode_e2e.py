"""`python -m bot`'s Socket Mode end to end: the real app and slack_sdk's client against a local
Socket Mode server (`tests/socket_mode_server.py`) and the fake Web API — commands and events
arrive as envelopes and are acknowledged on the socket; a dropped connection is replaced by a
new one, and an event delivered after the reconnect (even twice, as Slack redelivers) is
handled once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import func, select

from bot.app import build_app
from bot.runtime import Runtime, build_runtime
from bot.sandbox.slack import FakeSlack
from bot.socket_mode import run_socket_mode
from handlers.inbox import Inbox
from schedules.daily import daily_prompt
from storage.db import transaction
from storage.models import Daily, DailyUpdate, ProspectAnnouncement
from tests.conftest import CHANNEL, TEAM, make_settings
from tests.socket_mode_server import SocketModeServer
from tests.support import FrozenClock, TrackingExecutor
from tests.test_daily_e2e import THURSDAY_MORNING

APP_TOKEN = "xapp-1-test"


@dataclass
class SocketBot:
    runtime: Runtime
    server: SocketModeServer
    fake: FakeSlack
    listeners: TrackingExecutor
    failures: list[tuple[str, BaseException]]
    _serial: int = 0

    def envelope(self, kind: str, payload: dict[str, Any], **extra: Any) -> str:
        self._serial += 1
        envelope_id = f"env-{self._serial}"
        self.server.deliver({"envelope_id": envelope_id, "type": kind, "payload": payload, **extra})
        return envelope_id

    def settle(self) -> None:
        self.listeners.wait_idle()
        assert not self.failures, self.failures


@pytest.fixture
def socket_bot(database_url: str, fake_slack: FakeSlack) -> Iterator[SocketBot]:
    server = SocketModeServer()
    fake_slack.socket_mode_url = server.url
    fake_slack.valid_tokens.add(APP_TOKEN)
    settings = make_settings(
        database_url, fake_slack, slack_app_token=APP_TOKEN, slack_signing_secret=None
    )
    runtime = build_runtime(settings)
    runtime.now = FrozenClock(THURSDAY_MORNING)
    fake_slack.follow_clock(runtime.now)  # type: ignore[arg-type]
    failures: list[tuple[str, BaseException]] = []
    runtime.failure_observers.append(lambda where, error: failures.append((where, error)))
    listeners = TrackingExecutor()
    app: App = build_app(runtime, socket_mode=True, inbox=Inbox(runtime, listeners))
    stop = threading.Event()
    process = threading.Thread(target=run_socket_mode, args=(app, runtime, stop), daemon=True)
    process.start()
    try:
        server.wait_for_connection(1)
        yield SocketBot(runtime, server, fake_slack, listeners, failures)
    finally:
        stop.set()
        process.join(timeout=40)
        server.stop()
        listeners.shutdown(wait=True)
        runtime.engine.dispose()
    assert not failures and not fake_slack.rejected


def _command(text: str, trigger: str) -> dict[str, Any]:
    return {
        "token": "unused",
        "team_id": TEAM,
        "team_domain": "redthread-test",
        "channel_id": CHANNEL,
        "channel_name": "general",
        "user_id": "U0001",
        "user_name": "anna",
        "command": "/prospect",
        "text": text,
        "api_app_id": "A0001",
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.com/commands/T0001/1/x",
        "trigger_id": trigger,
    }


def _thread_reply(event_id: str, thread_ts: str, text: str) -> dict[str, Any]:
    return {
        "token": "unused",
        "team_id": TEAM,
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
        "event": {
            "type": "message",
            "channel": CHANNEL,
            "user": "U0003",
            "text": text,
            "ts": "1764150000.000200",
            "thread_ts": thread_ts,
            "event_ts": "1764150000.000200",
            "channel_type": "channel",
        },
    }


def _count(bot: SocketBot, model: Any) -> int:
    with transaction(bot.runtime.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_commands_come_and_are_acknowledged_over_the_socket(socket_bot: SocketBot) -> None:
    bot = socket_bot
    for number, company in enumerate(("Acme GmbH", "Globex", "Initech"), start=1):
        envelope = bot.envelope("slash_commands", _command(f"{company}: intro", f"1.2.{number}"))
        bot.server.wait_for_ack(envelope)
    bot.fake.wait_for("chat.postMessage", count=3)
    bot.settle()
    assert _count(bot, ProspectAnnouncement) == 3, "three commands, three announcements"
    assert len(bot.fake.calls_to("apps.connections.open")) == 1
    assert {call.token for call in bot.fake.calls_to("apps.connections.open")} == {APP_TOKEN}


def test_a_dropped_connection_is_replaced_and_a_redelivered_event_is_handled_once(
    socket_bot: SocketBot,
) -> None:
    bot = socket_bot
    daily_prompt(bot.runtime, TEAM, CHANNEL, THURSDAY_MORNING)
    with transaction(bot.runtime.sessions) as session:
        prompt_ts = str(session.scalars(select(Daily.prompt_ts)).one())

    bot.server.drop()
    dropped_at = time.monotonic()
    bot.server.wait_for_connection(2, timeout=20)
    print(f"reconnected after {time.monotonic() - dropped_at:.1f} s")
    assert len(bot.fake.calls_to("apps.connections.open")) == 2, "a fresh URL for the new socket"

    reply = _thread_reply("Ev0RECONNECT", prompt_ts, "today: demo at Siemens")
    first = bot.envelope("events_api", reply, retry_attempt=0, retry_reason="")
    again = bot.envelope("events_api", reply, retry_attempt=1, retry_reason="timeout")
    bot.server.wait_for_ack(first)
    bot.server.wait_for_ack(again)
    bot.settle()
    assert _count(bot, DailyUpdate) == 1
    with transaction(bot.runtime.sessions) as session:
        plan = session.scalars(select(DailyUpdate.plan)).one()
    assert plan == "demo at Siemens"
