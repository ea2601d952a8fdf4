"""The Bolt app factory: one place that wires settings, clients and listeners."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import event

from bot.ack_priority import mark_background_thread, yield_to_requests
from bot.log_privacy import bolt_base_logger
from bot.runtime import Runtime, make_web_client
from bot.settings import SettingsError
from handlers import register_all
from handlers.inbox import Inbox

BOT_SCOPES = [
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "users:read",
    "reactions:read",
    "im:history",  # a direct message to the bot gets one answer a day (handlers/messages.py)
]


AFTER_ACK_THREADS = 4
# Work after the ack runs at a lower OS priority than the request threads that ack, so under
# load the CPU goes to acknowledging first (Linux schedules threads individually).
AFTER_ACK_NICENESS = 10


def _lower_thread_priority() -> None:
    mark_background_thread()  # and it steps aside for the database, see bot/ack_priority.py
    # Elsewhere than Linux, or where not permitted, the threads keep the normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), AFTER_ACK_NICENESS)


def after_ack_executor() -> Executor:
    return ThreadPoolExecutor(
        max_workers=AFTER_ACK_THREADS,
        thread_name_prefix="after-ack",
        initializer=_lower_thread_priority,
    )


@contextlib.contextmanager
def _bolt_sees_no_token_variable() -> Iterator[None]:
    """Bolt reads SLACK_BOT_TOKEN from the environment whenever no `token` is given, and then
    warns that it "will be unused" next to our `client` (which already carries the token from
    the settings, .env included) or our OAuth installation store — once per app, so three times
    for `serve` with two workers. Neither is true here, so Bolt is built without seeing it."""
    with _ENVIRONMENT_LOCK:
        hidden = os.environ.pop(BOLT_TOKEN_VARIABLE, None)
        try:
            yield
        finally:
            if hidden is not None:
                os.environ[BOLT_TOKEN_VARIABLE] = hidden


BOLT_TOKEN_VARIABLE = "SLACK_BOT_TOKEN"
_ENVIRONMENT_LOCK = threading.Lock()


def build_app(runtime: Runtime, *, socket_mode: bool = False, inbox: Inbox | None = None) -> App:
    """Socket Mode requests come over an authenticated socket, so they need no signing secret.

    `inbox` (made here unless given) holds the listeners' work; a server starts an
    `handlers.inbox_worker.InboxSweeper` on it so that what a dead process acknowledged is finished.
    """
    settings = runtime.settings
    inbox = inbox or Inbox(runtime, after_ack_executor())
    listener_executor = inbox.after_ack
    if not settings.slack_signing_secret and not socket_mode:
        raise SettingsError("SLACK_SIGNING_SECRET: required for this command but not set")
    # Bolt's loggers take this one's level and filter: nothing below WARNING, no payloads.
    bolt_logger = bolt_base_logger()
    with _bolt_sees_no_token_variable():
        app = _bolt_app(runtime, listener_executor, bolt_logger)
    if runtime.engine.dialect.name == "postgresql":
        # Before each of its transactions, work after the ack waits while requests are answered.
        event.listen(runtime.engine, "begin", lambda _connection: yield_to_requests())
    register_all(app, runtime, inbox)
    inbox.bolt = app
    return app


def _bolt_app(runtime: Runtime, listener_executor: Executor, bolt_logger: logging.Logger) -> App:
    settings = runtime.settings
    if settings.oauth_enabled:
        # Each request's token comes from the installation store; a single bot token, even if
        # set, is not used (and Bolt would warn about it). One store object for both places:
        # Bolt warns about a "conflict" when it is given two.
        store = runtime.installation_store
        return App(
            signing_secret=settings.slack_signing_secret or "",
            client=make_web_client(settings, None),
            installation_store=store,
            oauth_settings=OAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                scopes=BOT_SCOPES,
                installation_store=store,
                state_store=SQLAlchemyOAuthStateStore(
                    expiration_seconds=600, engine=runtime.engine
                ),
            ),
            process_before_response=True,
            listener_executor=listener_executor,
            logger=bolt_logger,
        )
    if not settings.slack_bot_token:
        raise SettingsError("SLACK_BOT_TOKEN: required for this command but not set")
    return App(
        signing_secret=settings.slack_signing_secret or "",
        client=make_web_client(settings, settings.slack_bot_token),
        # Listeners store the request, ack in the request thread and hand their work to the
        # after-ack executor (handlers/inbox.py): a busy executor slows the work, never the ack.
        process_before_response=True,
        # auth.test at start-up would make the app unusable while Slack is unreachable; Bolt
        # verifies the token on the first request instead.
        token_verification_enabled=False,
        listener_executor=listener_executor,
        logger=bolt_logger,
    )
