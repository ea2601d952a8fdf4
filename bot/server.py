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
from handlers.fast_ack import FastAck
from handlers.inbox import Inbox
from storage.db import database_is_reachable

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
EVENTS_PATH = "/slack/events"
log = logging.getLogger(__name__)


def make_wsgi_app(app: App, runtime: Runtime, inbox: Inbox | None = None) -> WsgiApp:
    """With `inbox` (the one `app`'s listeners were built on), requests whose ack says nothing
    are stored and answered before Bolt (handlers/fast_ack.py)."""
    # Bolt's adapter still serves the OAuth pages and the 404s; the events go through the guard.
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    signing_secret = runtime.settings.slack_signing_secret or ""
    fast = FastAck(inbox) if inbox is not None else None

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            healthy = database_is_reachable(runtime.engine)
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            with answering_request():
                return _answer(start_response, _handle_event(app, signing_secret, environ, fast))
        return slack(environ, start_response)

    return wsgi


EMPTY_ACK = BoltResponse(status=200, body="")


def _handle_event(
    app: App, signing_secret: str, environ: dict[str, Any], fast: FastAck | None
) -> BoltResponse:
    """Bolt's answer to a request that passed the guard; 400, 401 or 413 for the others."""
    try:
        checked = _checked_body(environ, signing_secret)
        if checked is None:
            return EMPTY_ACK
        text, parsed = checked
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        if fast is not None and fast.acked(parsed, text, timestamp):
            return EMPTY_ACK
        request = _bolt_request(environ, text, parsed)
    except Rejected as rejection:
        # A signed request Slack sent incomplete deserves attention; unsigned noise does not.
        level = logging.WARNING if rejection.status == 400 else logging.INFO
        log.log(level, "%s refused with %d: %s", EVENTS_PATH, rejection.status, rejection.reason)
        return BoltResponse(
            status=rejection.status, body={"error": HTTPStatus(rejection.status).phrase}
        )
    response = app.dispatch(request)
    if fast is not None:
        fast.learn(parsed, request.context.authorize_result)
    return response


def _checked_body(
    environ: dict[str, Any], signing_secret: str
) -> tuple[str, dict[str, Any]] | None:
    """The signed body's text and its parse, or None for Slack's unsigned SSL check (answered
    200 as it is)."""
    body = read_body(environ)
    if is_ssl_check(body):
        return None
    text = verified_text(body, environ, signing_secret)
    parsed = parsed_body(text, environ.get("CONTENT_TYPE"))
    problem = missing_field(parsed)
    if problem is not None:
        raise Rejected(400, f"missing {problem}")
    return text, parsed


def _bolt_request(environ: dict[str, Any], text: str, parsed: dict[str, Any]) -> BoltRequest:
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
