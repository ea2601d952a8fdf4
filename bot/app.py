"""The Bolt app factory: one place that wires settings, clients and listeners."""

from __future__ import annotations

import contextlib
import os
import threading
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
    "users:read.email",
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


def build_app(runtime: Runtime, *, socket_mode: bool = False, inbox: Inbox | None = None) -> App:
    """Socket Mode requests come over an authenticated socket, so they need no signing secret.

    `inbox` (made here unless given) holds the listeners' work; a server starts an
    `InboxSweeper` on it so that what a dead process acknowledged is finished.
    """
    settings = runtime.settings
    inbox = inbox or Inbox(runtime, after_ack_executor())
    listener_executor = inbox.after_ack
    if not settings.slack_signing_secret and not socket_mode:
        raise SettingsError("SLACK_SIGNING_SECRET: required for this command but not set")
    # Bolt's loggers take this one's level and filter: nothing below WARNING, no payloads.
    bolt_logger = bolt_base_logger()
    client = make_web_client(settings, settings.slack_bot_token)
    if settings.oauth_enabled:
        app = App(
            signing_secret=settings.slack_signing_secret or "",
            client=client,
            installation_store=runtime.installation_store,
            oauth_settings=OAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                scopes=BOT_SCOPES,
                installation_store=runtime.installation_store,
                state_store=SQLAlchemyOAuthStateStore(
                    expiration_seconds=600, engine=runtime.engine
                ),
            ),
            process_before_response=True,
            listener_executor=listener_executor,
            logger=bolt_logger,
        )
    else:
        if not settings.slack_bot_token:
            raise SettingsError("SLACK_BOT_TOKEN: required for this command but not set")
        app = App(
            signing_secret=settings.slack_signing_secret or "",
            client=client,
            # Listeners store the request, ack in the request thread and hand their work to
            # the after-ack executor (handlers/inbox.py): a busy executor slows the work,
            # never the ack.
            process_before_response=True,
            # auth.test at start-up would make the app unusable while Slack is unreachable;
            # Bolt verifies the token on the first request instead.
            token_verification_enabled=False,
            listener_executor=listener_executor,
            logger=bolt_logger,
        )
    if runtime.engine.dialect.name == "postgresql":
        # Before each of its transactions, work after the ack waits while requests are answered.
        event.listen(runtime.engine, "begin", lambda _connection: yield_to_requests())
    register_all(app, runtime, inbox)
    return app
