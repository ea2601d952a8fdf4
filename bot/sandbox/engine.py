"""The sandbox's engine: the real bot, served on 127.0.0.1, against the Slack stand-in.

People's actions on the page become what Slack would send: signed slash commands, events and
interactivity payloads into the same Bolt app `serve` runs. The bot's Web API calls go to the
stand-in (`SLACK_API_URL` points there). Each action returns once the bot's work after the ack
is done, so the page's next look at the state shows what it did. No clock runs: scheduled jobs
run when the page asks, as if at a chosen time, and the sandbox's time then goes on from there.
"""

from __future__ import annotations

import copy
import logging
import secrets
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import build_app
from bot.cli import JOB_NAMES
from bot.manifest import render_manifest
from bot.runtime import Runtime, build_runtime
from bot.sandbox import seed
from bot.sandbox.executor import TrackingExecutor
from bot.sandbox.served import ServedApp
from bot.sandbox.slack import Response, SlackDriver
from bot.sandbox.standin import Origin, SandboxSlack
from bot.sandbox.state import direct_channel, snapshot
from bot.server import make_wsgi_app
from bot.settings import Settings, load_settings
from handlers.inbox import Inbox
from handlers.inbox_worker import InboxSweeper
from storage.db import transaction
from storage.workspaces import erase_team

log = logging.getLogger(__name__)

# How long an action may keep the bot busy before the page gets its answer anyway.
SETTLE_SECONDS = 30.0


class BadInput(ValueError):
    """The page asked for something that does not exist or makes no sense: a 400."""


class SandboxClock:
    """The sandbox's now: the real time, shifted to where the last job was run."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta()
        self._start = start
        self.reset()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def jump(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(UTC)

    def reset(self) -> None:
        """Back to the real time, or to the start the sandbox was given (tests fix it)."""
        self._offset = timedelta()
        if self._start is not None:
            self.jump(self._start)


def sandbox_settings(
    database_url: str | None,
) -> tuple[Settings, tempfile.TemporaryDirectory[str] | None]:
    """Generated secrets (the stand-in's URL is filled in once it listens); SQLite in a
    temporary folder unless DATABASE_URL is set (environment, .env file, or `database_url`).
    Slack settings found in the environment are ignored: the sandbox never reaches Slack."""
    settings = load_settings(
        slack_bot_token=f"xoxb-sandbox-{secrets.token_hex(12)}",
        slack_signing_secret=secrets.token_hex(16),
        slack_app_token=None,
        slack_client_id=None,
        slack_client_secret=None,
        slack_api_url="http://127.0.0.1/api/",
        **({} if database_url is None else {"database_url": database_url}),
    )
    if "database_url" in settings.model_fields_set:
        return settings, None
    folder = tempfile.TemporaryDirectory(prefix="redthread-sandbox-")
    in_folder = f"sqlite:///{folder.name}/sandbox.db"
    return settings.model_copy(update={"database_url": in_folder}), folder


class Sandbox:
    """The bot, its stand-in Slack and its database; `stop()` ends them all."""

    def __init__(self, database_url: str | None = None, start: datetime | None = None) -> None:
        settings, self._folder = sandbox_settings(database_url)
        self.slack = SandboxSlack(
            valid_tokens={str(settings.slack_bot_token)},
            team_id=seed.TEAM_ID,
            team_domain=seed.TEAM_DOMAIN,
            team_name=seed.TEAM_NAME,
            bot_user_id=seed.BOT_USER_ID,
            bot_id=seed.BOT_ID,
            app_id=seed.APP_ID,
        )
        self.slack.start()
        settings = settings.model_copy(update={"slack_api_url": self.slack.url})
        self.clock = SandboxClock(start)
        self.slack.follow_clock(self.clock)
        self.runtime: Runtime = build_runtime(settings)
        self.runtime.now = self.clock
        self.failures: list[tuple[str, BaseException]] = []
        self.runtime.failure_observers.append(self._failed)
        self._listeners = TrackingExecutor()
        inbox = Inbox(self.runtime, self._listeners)
        app = build_app(self.runtime, inbox=inbox)
        self._bot = ServedApp(make_wsgi_app(app, self.runtime, inbox))
        self._sweeper = InboxSweeper(inbox).start()
        self.driver = SlackDriver(
            self._bot.url,
            str(settings.slack_signing_secret),
            seed.TEAM_ID,
            team_domain=seed.TEAM_DOMAIN,
            api_app_id=seed.APP_ID,
            bot_user_id=seed.BOT_USER_ID,
            bot_id=seed.BOT_ID,
            response_url_base=self.slack.hooks_url,
        )
        self.commands = frozenset(
            command["command"] for command in render_manifest()["features"]["slash_commands"]
        )
        # One action at a time: the page's actions are a person's clicks, not a load test.
        self.acting = threading.RLock()
        self.stopped = False
        self.reset()

    def _failed(self, where: str, error: BaseException) -> None:
        log.warning("the bot's work failed in %s: %r", where, error)
        self.failures.append((where, error))

    def stop(self) -> None:
        self.stopped = True
        self.slack.versions.bump()  # wakes the event streams, which then end
        self._sweeper.stop()
        self._bot.stop()
        self._listeners.shutdown(wait=True)
        self.slack.stop()
        self.runtime.engine.dispose()
        if self._folder is not None:
            self._folder.cleanup()

    # -- the workspace --------------------------------------------------------------------

    def seed(self) -> None:
        """Five teammates in #sales, and the bot joining it (its welcome, the Daily on)."""
        with self.acting:
            for mate in seed.TEAMMATES:
                self.slack.add_user(mate.user_id, name=mate.name, locale=mate.locale, tz=mate.tz)
            self.slack.add_channel(seed.CHANNEL_ID, seed.CHANNEL_NAME)
            members = [mate.user_id for mate in seed.TEAMMATES]
            self.slack.set_members(seed.CHANNEL_ID, [*members, seed.BOT_USER_ID])
            joined = {
                "type": "member_joined_channel",
                "user": seed.BOT_USER_ID,
                "channel": seed.CHANNEL_ID,
                "channel_type": "C",
                "team": seed.TEAM_ID,
                "inviter": members[0],
            }
            self._settle(self.driver.event(joined))

    def reset(self) -> None:
        """A fresh start: the workspace's rows erased, the stand-in emptied, seeded again."""
        with self.acting:
            self._listeners.wait_idle(SETTLE_SECONDS)
            with transaction(self.runtime.sessions) as session:
                erase_team(session, seed.TEAM_ID)
            self.slack.clear()
            self.clock.reset()
            self.seed()

    def state(self, user_id: str) -> dict[str, Any]:
        self.check_user(user_id)
        return snapshot(self.slack, user_id, list(self.jobs), self.clock())

    @property
    def jobs(self) -> tuple[str, ...]:
        return JOB_NAMES

    @property
    def version(self) -> int:
        return self.slack.versions.current

    def check_user(self, user_id: Any) -> str:
        user = self.slack.users.get(str(user_id))
        if not isinstance(user_id, str) or user is None or user.get("is_bot"):
            raise BadInput(f"user: no teammate {user_id!r}")
        return user_id

    def check_channel(self, user_id: str, channel_id: Any) -> str:
        """A channel the person is in, or their direct messages with the bot."""
        if channel_id == direct_channel(user_id):
            return channel_id
        if not isinstance(channel_id, str) or channel_id not in self.slack.channels:
            raise BadInput(f"channel: no channel {channel_id!r}")
        if user_id not in self.slack.members.get(channel_id, []):
            raise BadInput(f"channel: {user_id} is not in {channel_id}")
        return channel_id

    def message(self, channel_id: str, ts: Any) -> dict[str, Any]:
        """A message someone can see: in the channel, or one of the ephemerals."""
        found = self.slack.message(channel_id, str(ts))
        if found is None:
            found = next(
                (
                    message
                    for message in self.slack.ephemerals
                    if message["ts"] == ts and message["channel"] == channel_id
                ),
                None,
            )
        if found is None:
            raise BadInput(f"message_ts: no message {ts!r} in {channel_id}")
        return dict(found)

    def view_of(self, user_id: str, view_id: Any) -> dict[str, Any]:
        """A copy of a view the person sees: their Home, or a modal of theirs."""
        with self.slack.lock:
            view = self.slack.views.get(str(view_id))
            home = view is not None and view.get("user_id") == user_id
            if view is None or not (home or view_id in self.slack.modal_stacks.get(user_id, [])):
                raise BadInput(f"view_id: no view {view_id!r} for {user_id}")
            return copy.deepcopy(view)

    # -- sending what Slack sends -----------------------------------------------------------

    def origin(self, user_id: str, channel_id: str, message_ts: str | None = None) -> str:
        return self.slack.response_url_for(Origin(user_id, channel_id, message_ts))

    def send(self, send: Callable[..., Response], *args: Any, **kwargs: Any) -> Response:
        """Sends one request with the driver and waits until the bot's work is done."""
        with self.acting:
            response = send(*args, **kwargs)
            self._settle(response)
            return response

    def _settle(self, response: Response) -> None:
        try:
            self._listeners.wait_idle(SETTLE_SECONDS)
        finally:
            self.slack.versions.bump()
        if response.status != 200:
            log.warning("the bot answered %d to a sandbox request", response.status)

    def user_name(self, user_id: str) -> str:
        return str(self.slack.users[user_id]["name"])

    def user_payload(self, user_id: str) -> dict[str, Any]:
        """`user` of an interactivity payload."""
        name = self.user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": seed.TEAM_ID}

    def team_payload(self) -> dict[str, Any]:
        return {"id": seed.TEAM_ID, "domain": seed.TEAM_DOMAIN}

    def now_ts(self) -> str:
        """A new event_ts: later than every earlier one, even after the time went back."""
        return self.slack.new_ts()
