"""One fixture builds the real app against the fake Slack and a fresh database.

End-to-end tests run on SQLite always and on PostgreSQL too when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.app import build_app
from bot.runtime import Runtime, build_runtime
from bot.sandbox.slack import FakeSlack, SlackDriver
from bot.server import make_wsgi_app
from bot.settings import Settings, load_settings
from handlers.inbox import Inbox
from tests.support import FrozenClock, ServedApp, TrackingExecutor

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"
TEAM = "T0001"
CHANNEL = "C0001"
# A Wednesday, between the default Daily days (Monday and Thursday).
DEFAULT_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    return (
        url.replace("postgresql://", "postgresql+psycopg://", 1)
        if url.startswith("postgresql://")
        else url
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@contextmanager
def fresh_database(kind: str, folder: Any, name: str = "redthread.db") -> Iterator[str]:
    """An empty database of that kind: a SQLite file in `folder`, or a PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / name}"
        return
    with postgres_schema() as url:
        yield url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL of an empty schema of TEST_DATABASE_URL's database (skips the test without it)."""
    base_url = _postgres_url()
    if base_url is None:
        pytest.skip("TEST_DATABASE_URL not set")
    # A schema per test keeps tests independent without creating databases.
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    fake.start()
    fake.add_user("U0001", name="Anna", locale="en-US")
    fake.add_user("U0002", name="Ben", locale="de-DE")
    fake.add_user("U0003", name="Carla", locale="en-GB")
    fake.add_user("UHELPER", name="Helper bot", is_bot=True)
    fake.add_user("UGONE", name="Former colleague", deleted=True)
    fake.set_members(CHANNEL, ["U0001", "U0002", "U0003", "UHELPER", "UGONE", "UBOT"])
    yield fake
    fake.stop()


def make_settings(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "database_url": database_url,
        "slack_api_url": fake.url,
        "default_timezone": "Europe/Berlin",
        "default_language": "en",
        "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


@dataclass
class BotUnderTest:
    fake: FakeSlack
    slack: SlackDriver
    runtime: Runtime
    clock: FrozenClock
    listeners: TrackingExecutor
    inbox: Inbox
    url: str

    failures: list[tuple[str, BaseException]]

    def settle(self) -> None:
        """Wait until every listener has finished its work after the ack; any exception a
        listener's work raised fails the test unless the test takes it (`take_failures`)."""
        self.listeners.wait_idle()
        assert not self.listeners.errors, self.listeners.errors
        assert not self.failures, f"a listener or job raised: {self.failures}"

    def take_failures(self) -> list[tuple[str, BaseException]]:
        """The failures so far, for a test that provoked them; they no longer fail the test."""
        self.listeners.wait_idle()
        taken = list(self.failures)
        self.failures.clear()
        return taken

    def command(self, command: str, text: str = "", **kwargs: Any) -> Any:
        response = self.slack.command(command=command, text=text, **kwargs)
        assert response.status == 200, response.body
        self.settle()
        return response

    def event(self, event: dict[str, Any], **kwargs: Any) -> Any:
        response = self.slack.event(event, **kwargs)
        assert response.status == 200, response.body
        self.settle()
        return response


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack) -> Iterator[BotUnderTest]:
    with serve_bot(make_settings(database_url, fake_slack), fake_slack) as served:
        yield served


@contextmanager
def serve_bot(settings: Settings, fake_slack: FakeSlack) -> Iterator[BotUnderTest]:
    """The real app with these settings, served over HTTP against the fake Slack."""
    runtime = build_runtime(settings)
    clock = FrozenClock(DEFAULT_NOW)
    runtime.now = clock
    # Messages get a ts of the test's time, so looking for a post since an attempt finds it.
    fake_slack.follow_clock(clock)
    failures: list[tuple[str, BaseException]] = []
    runtime.failure_observers.append(lambda where, error: failures.append((where, error)))
    listeners = TrackingExecutor()
    inbox = Inbox(runtime, listeners)
    app = build_app(runtime, inbox=inbox)
    served = ServedApp(make_wsgi_app(app, runtime, inbox))
    try:
        yield BotUnderTest(
            fake=fake_slack,
            slack=SlackDriver(
                served.url, SIGNING_SECRET, team_id=TEAM, response_url_base=fake_slack.hooks_url
            ),
            runtime=runtime,
            clock=clock,
            listeners=listeners,
            inbox=inbox,
            url=served.url,
            failures=failures,
        )
    finally:
        served.stop()
        listeners.shutdown(wait=True)
        runtime.engine.dispose()
    assert not failures, f"a listener or job raised: {failures}"
    assert not fake_slack.rejected, f"the bot made calls Slack would reject: {fake_slack.rejected}"
