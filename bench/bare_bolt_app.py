"""The baseline for `bench/ack_latency.py`: a bare Bolt app whose `/daily` listener only acks.

Served exactly like `python -m bot serve`: `bot.server.GunicornServer` (gthread worker class,
WEB_CONCURRENCY workers x WEB_THREADS threads, same timeouts and logging, the same gc.freeze()
after loading) in front of Bolt's
WSGI adapter on `/slack/events`, with the same Bolt settings Redthread uses (single bot token,
no token verification at start-up, `process_before_response=True`, so the ack runs in the
request thread as Redthread's does). Only the bind address differs: 127.0.0.1 instead of 0.0.0.0.

    PORT=3001 SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=xoxb-test SLACK_API_URL=http://…/api/ \
        .venv/bin/python -m bench.bare_bolt_app
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.server import GunicornServer, WsgiApp


def build_bare_app() -> WsgiApp:
    app = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token=os.environ["SLACK_BOT_TOKEN"],
        client=WebClient(
            token=os.environ["SLACK_BOT_TOKEN"],
            base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
            timeout=15,
        ),
        process_before_response=True,
        token_verification_enabled=False,
    )

    @app.command("/daily")
    def daily(ack: Ack) -> None:
        ack()

    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"ok": True}).encode()]
        return slack(environ, start_response)

    return wsgi


class LoopbackGunicornServer(GunicornServer):
    def load_config(self) -> None:
        super().load_config()
        self.cfg.set("bind", f"127.0.0.1:{self._port}")


def main() -> None:
    LoopbackGunicornServer(build_bare_app, int(os.environ.get("PORT", "3000"))).run()


if __name__ == "__main__":
    main()
