"""Socket Mode: one process on a laptop, no public URL, the scheduler alongside."""

from __future__ import annotations

import logging
import threading
import time

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.client import BaseSocketModeClient

from bot.runtime import Runtime, make_web_client

log = logging.getLogger(__name__)
# The client pings Slack this often. Left alone it gives a dead socket up only after five
# failed pings (or never, when the network swallows them silently); the watch below replaces
# a socket that has answered no ping for STALE_PINGS of them.
PING_SECONDS = 3.0
STALE_PINGS = 3


def run_socket_mode(app: App, runtime: Runtime, stop: threading.Event) -> None:
    settings = runtime.settings
    handler = SocketModeHandler(
        app,
        app_token=settings.slack_app_token,
        web_client=make_web_client(settings, settings.slack_app_token),
        ping_interval=PING_SECONDS,
    )
    handler.connect()
    log.info("connected to Slack in Socket Mode")
    while not stop.wait(PING_SECONDS):
        if not _alive(handler.client):
            log.warning("Socket Mode connection lost; reconnecting")
            try:
                handler.client.connect_to_new_endpoint(force=True)
            except Exception:
                log.exception("reconnect failed; trying again in %ss", PING_SECONDS)
    handler.close()


def _alive(client: BaseSocketModeClient) -> bool:
    if not client.is_connected():
        return False
    session = getattr(client, "current_session", None)  # the built-in client's connection
    last_pong = getattr(session, "last_ping_pong_time", None)
    return last_pong is None or time.time() - last_pong < PING_SECONDS * STALE_PINGS
