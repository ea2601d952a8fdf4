"""HTTP mode: a WSGI app with `POST /slack/events` and `GET /healthz`, served by gunicorn."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.runtime import Runtime
from storage.db import database_is_reachable

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_wsgi_app(app: App, runtime: Runtime) -> WsgiApp:
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            healthy = database_is_reachable(runtime.engine)
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        return slack(environ, start_response)

    return wsgi


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn started from `python -m bot serve`, so the Procfile needs no extra config."""

    def __init__(self, load_app: Callable[[], WsgiApp], port: int) -> None:
        self._load_app = load_app
        self._port = port
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"0.0.0.0:{self._port}")
        self.cfg.set("workers", int(os.environ.get("WEB_CONCURRENCY", "2")))
        # Threads, because Bolt finishes each listener after the ack in a thread of its own.
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", int(os.environ.get("WEB_THREADS", "8")))
        self.cfg.set("timeout", 30)
        self.cfg.set("accesslog", None)
        self.cfg.set("errorlog", "-")

    def load(self) -> WsgiApp:
        app = self._load_app()
        # Everything loaded so far lives as long as the worker. Frozen, the cyclic GC no longer
        # scans it: full collections of the loaded app stalled every thread of a worker for
        # 65–130 ms under the bench's load (gc.callbacks), which set the p99 of the acks.
        gc.freeze()
        return app
