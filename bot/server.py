"""HTTP mode: a WSGI app with `POST /slack/events` and `GET /healthz`, served by gunicorn."""

from __future__ import annotations

import gc
import json
import logging
import os
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse

from bot.ack_priority import answering_request
from bot.http_guard import Rejected, is_ssl_check, parsed_body, read_body, verified_text
from bot.inbox_process import InboxWorkerProcess
from bot.request_shape import missing_field
from bot.runtime import Runtime
from storage.db import database_is_reachable

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
EVENTS_PATH = "/slack/events"
log = logging.getLogger(__name__)


def make_wsgi_app(app: App, runtime: Runtime) -> WsgiApp:
    # Bolt's adapter still serves the OAuth pages and the 404s; the events go through the guard.
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    signing_secret = runtime.settings.slack_signing_secret or ""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            healthy = database_is_reachable(runtime.engine)
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            with answering_request():
                return _answer(start_response, _handle_event(app, signing_secret, environ))
        return slack(environ, start_response)

    return wsgi


def _handle_event(app: App, signing_secret: str, environ: dict[str, Any]) -> BoltResponse:
    """Bolt's answer to a request that passed the guard; 400, 401 or 413 for the others."""
    try:
        request = _guarded_request(environ, signing_secret)
    except Rejected as rejection:
        # A signed request Slack sent incomplete deserves attention; unsigned noise does not.
        level = logging.WARNING if rejection.status == 400 else logging.INFO
        log.log(level, "%s refused with %d: %s", EVENTS_PATH, rejection.status, rejection.reason)
        return BoltResponse(
            status=rejection.status, body={"error": HTTPStatus(rejection.status).phrase}
        )
    if request is None:
        return BoltResponse(status=200, body="")
    return app.dispatch(request)


def _guarded_request(environ: dict[str, Any], signing_secret: str) -> BoltRequest | None:
    """The request for Bolt, or None for Slack's unsigned SSL check (answered 200 as it is)."""
    body = read_body(environ)
    if is_ssl_check(body):
        return None
    text = verified_text(body, environ, signing_secret)
    parsed = parsed_body(text, environ.get("CONTENT_TYPE"))
    problem = missing_field(parsed)
    if problem is not None:
        raise Rejected(400, f"missing {problem}")
    http = WsgiHttpRequest(environ)
    try:
        # Given a dict, Bolt does not parse again (see parsed_body); only its Socket Mode takes
        # one. Back in HTTP mode with the raw text, Bolt verifies the signature once more.
        request = BoltRequest(
            body=parsed, query=http.query_string, headers=http.get_headers(), mode="socket_mode"
        )
    except Exception:  # Bolt reads ids out of the body: what it cannot take is malformed
        raise Rejected(400, "body Bolt cannot take") from None
    request.raw_body, request.mode = text, "http"
    return request


def _answer(start_response: Callable[..., Any], response: BoltResponse) -> Iterable[bytes]:
    answer = WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)
    start_response(answer.status, answer.get_headers())
    return answer.get_body()


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn started from `python -m bot serve`, so the Procfile needs no extra config."""

    def __init__(
        self,
        load_app: Callable[[], WsgiApp],
        port: int,
        inbox_worker: InboxWorkerProcess | None = None,
    ) -> None:
        self._load_app = load_app
        self._port = port
        self._inbox_worker = inbox_worker
        super().__init__()

    def run(self) -> None:
        if self._inbox_worker is None:
            super().run()
            return
        _ArbiterWithInboxWorker(self, self._inbox_worker).run()

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


class _ArbiterWithInboxWorker(Arbiter):  # type: ignore[misc]
    """gunicorn's master, which also keeps `serve`'s inbox worker process running."""

    def __init__(self, app: GunicornServer, inbox_worker: InboxWorkerProcess) -> None:
        self._inbox_worker = inbox_worker
        super().__init__(app)

    def manage_workers(self) -> None:  # the master's loop calls this about once a second
        super().manage_workers()
        self._inbox_worker.keep_running()

    def stop(self, graceful: bool = True) -> None:
        super().stop(graceful)
        self._inbox_worker.stop()
