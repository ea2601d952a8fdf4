"""Socket Mode: one process on a laptop, no public URL, the scheduler alongside."""

from __future__ import annotations

import logging
import threading

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.runtime import Runtime, make_web_client

log = logging.getLogger(__name__)
WATCH_INTERVAL_SECONDS = 30.0


def run_socket_mode(app: App, runtime: Runtime, stop: threading.Event) -> None:
    settings = runtime.settings
    handler = SocketModeHandler(
        app,
        app_token=settings.slack_app_token,
        web_client=make_web_client(settings, settings.slack_app_token),
    )
    handler.connect()
    log.info("connected to Slack in Socket Mode")
    # The client reconnects on its own; this watch covers a connection that died quietly.
    while not stop.wait(WATCH_INTERVAL_SECONDS):
        if not handler.client.is_connected():
            log.warning("Socket Mode connection lost; reconnecting")
            try:
                handler.client.connect()
            except Exception:
                log.exception("reconnect failed; trying again in %ss", WATCH_INTERVAL_SECONDS)
    handler.close()
