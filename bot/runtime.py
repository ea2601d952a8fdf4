"""What every entry point shares: settings, database, clock, and Web API clients per workspace."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine

from bot.settings import Settings, SettingsError
from bot.web_client import KeepAliveWebClient
from storage.db import SessionFactory, make_engine, make_session_factory
from storage.migrate import upgrade
from storage.workspaces import InstallationStore, is_stopped, token_digest

log = logging.getLogger(__name__)


# Bolt's default: a rotating token is refreshed when it has less than two hours left.
TOKEN_REFRESH_MINUTES = 120
# Clients kept by token (`Runtime.client_for`); past this many (rotated tokens) they are
# built anew.
CLIENTS_KEPT = 1000


def system_now() -> datetime:
    return datetime.now(UTC)


# Calls that create a message: a lost answer does not mean Slack did not post, so they are
# never re-sent after a connection error (`bot.posting` looks before posting again).
MESSAGE_CREATING_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "chat.meMessage"}
)


class RetryConnectionErrorsOfSafeCalls(ConnectionErrorRetryHandler):
    """slack_sdk's connection retry, except for calls that would post a second message."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = request.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        if method in MESSAGE_CREATING_METHODS:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def make_web_client(settings: Settings, token: str | None = None) -> WebClient:
    """Every client honours SLACK_API_URL, retries 429s after Retry-After and keeps its
    connection to Slack alive between calls (`bot.web_client`).

    The retry handler sleeps in the calling thread, so these clients are only used after the
    request has been acknowledged (listener bodies, the clock, the CLI).
    """
    return KeepAliveWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=[
            RetryConnectionErrorsOfSafeCalls(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


class WorkspaceGone(LookupError):
    """Redthread is not installed in the workspace (any more), or Slack revoked its token."""


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: SessionFactory
    now: Callable[[], datetime] = system_now
    # Every exception a listener's work or a job raised goes here after it was handled (logged,
    # retried, the user told). Tests collect them and fail on any they did not expect.
    failure_observers: list[Callable[[str, BaseException], None]] = field(default_factory=list)
    _bot_team_id: str | None = field(default=None, init=False)
    _bot_user_ids: dict[str, str] = field(default_factory=dict, init=False)
    _installation_store: InstallationStore | None = field(default=None, init=False)
    # A client per bot token: building one costs more than a clock run's Slack call.
    _clients: dict[str, WebClient] = field(default_factory=dict, init=False)

    def report_failure(self, where: str, error: BaseException) -> None:
        for observe in self.failure_observers:
            observe(where, error)

    @property
    def installation_store(self) -> InstallationStore | None:
        if not self.settings.oauth_enabled:
            return None
        if self._installation_store is None:
            self._installation_store = InstallationStore(
                client_id=str(self.settings.slack_client_id), engine=self.engine
            )
        return self._installation_store

    @property
    def token_digest(self) -> str | None:
        """The single SLACK_BOT_TOKEN's digest (stop marks name the token Slack revoked)."""
        return None if self.settings.oauth_enabled else token_digest(self.settings.slack_bot_token)

    def client_for(self, team_id: str) -> WebClient:
        """A bot client for one workspace, outside any Slack request (clock, CLI, sweeper)."""
        if is_stopped(self.engine, team_id, self.token_digest):
            raise WorkspaceGone(f"workspace {team_id}: uninstalled or its token revoked")
        if self.settings.oauth_enabled:
            return self._client_with(self._installed_bot_token(team_id))
        if not self.settings.slack_bot_token:
            raise SettingsError("SLACK_BOT_TOKEN: required for this command but not set")
        return self._client_with(self.settings.slack_bot_token)

    def _client_with(self, token: str) -> WebClient:
        client = self._clients.get(token)
        if client is None:
            if len(self._clients) >= CLIENTS_KEPT:
                self._clients.clear()
            client = self._clients[token] = make_web_client(self.settings, token)
        return client

    def _installed_bot_token(self, team_id: str) -> str:
        """The workspace's bot token from its OAuth install, refreshed first when it is about
        to expire (token rotation), as Bolt does for requests."""
        store = self.installation_store
        assert store is not None
        installation = store.find_installation(enterprise_id=None, team_id=team_id)
        if installation is None or not installation.bot_token:
            raise WorkspaceGone(f"Redthread is not installed in workspace {team_id}")
        if installation.bot_refresh_token:
            rotator = TokenRotator(
                client_id=str(self.settings.slack_client_id),
                client_secret=str(self.settings.slack_client_secret),
                client=make_web_client(self.settings),
            )
            refreshed = rotator.perform_token_rotation(
                installation=installation, minutes_before_expiration=TOKEN_REFRESH_MINUTES
            )
            if refreshed is not None:
                store.save(refreshed)
                installation = refreshed
        return str(installation.bot_token)

    def single_team_id(self) -> str:
        """The only installed workspace, for commands where `--team` may be left out."""
        if self._bot_team_id is None and self.settings.oauth_enabled:
            self._bot_team_id = self._only_installed_team()
        if self._bot_team_id is None:
            if not self.settings.slack_bot_token:
                raise SettingsError("SLACK_BOT_TOKEN: required when --team is left out")
            client = make_web_client(self.settings, self.settings.slack_bot_token)
            self._bot_team_id = str(client.auth_test()["team_id"])
        return self._bot_team_id

    def _only_installed_team(self) -> str:
        from sqlalchemy import select

        from storage.models import SLACK_BOTS_TABLE

        with self.engine.connect() as connection:
            teams = sorted(
                {
                    str(team)
                    for team in connection.scalars(select(SLACK_BOTS_TABLE.c.team_id))
                    if team
                }
            )
        if len(teams) != 1:
            raise SettingsError(f"--team: required while {len(teams)} workspaces are installed")
        return teams[0]

    def bot_user_id(self, client: WebClient, team_id: str) -> str:
        """Redthread's own user id in a workspace (it is never counted as a member)."""
        if team_id not in self._bot_user_ids:
            self._bot_user_ids[team_id] = str(client.auth_test()["user_id"])
        return self._bot_user_ids[team_id]


def build_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    return Runtime(settings=settings, engine=engine, sessions=make_session_factory(engine))
