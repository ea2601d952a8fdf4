"""The Bolt app factory: one place that wires settings, clients and listeners."""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.runtime import Runtime, make_web_client
from bot.settings import SettingsError
from handlers import register_all

BOT_SCOPES = [
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "users:read",
    "reactions:read",
]


def build_app(
    runtime: Runtime, *, socket_mode: bool = False, listener_executor: Executor | None = None
) -> App:
    """Socket Mode requests come over an authenticated socket, so they need no signing secret."""
    settings = runtime.settings
    if not settings.slack_signing_secret and not socket_mode:
        raise SettingsError("SLACK_SIGNING_SECRET: required for this command but not set")
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
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
            process_before_response=False,
            listener_executor=listener_executor,
        )
    else:
        if not settings.slack_bot_token:
            raise SettingsError("SLACK_BOT_TOKEN: required for this command but not set")
        app = App(
            signing_secret=settings.slack_signing_secret or "",
            token=settings.slack_bot_token,
            client=client,
            process_before_response=False,
            # auth.test at start-up would make the app unusable while Slack is unreachable;
            # Bolt verifies the token on the first request instead.
            token_verification_enabled=False,
            listener_executor=listener_executor,
        )
    register_all(app, runtime)
    return app
