"""Test plumbing: a controllable clock, an executor tests can wait on, the app on a real port."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

# What a posted mrkdwn text may contain at a "<": only a canonical user mention.
ALLOWED_TOKEN = re.compile(r"<@[UW][A-Z0-9]+>")
FORBIDDEN = ("<!", "<#", "<http", "<mailto", "<@S")


def assert_no_live_token(posted: str, allowed: re.Pattern[str] = ALLOWED_TOKEN) -> None:
    """Every "<" of a mrkdwn text starts an `allowed` token: nothing else can ping or link."""
    for position in (index for index, char in enumerate(posted) if char == "<"):
        assert allowed.match(posted, position), posted


def assert_cannot_ping_beyond_user_mentions(posted: str) -> None:
    """No group ping, channel link, link or stray markup: at most canonical user mentions."""
    for forbidden in FORBIDDEN:
        assert forbidden not in posted
    assert_no_live_token(posted)
    stripped = ALLOWED_TOKEN.sub("", posted)
    assert ">" not in stripped
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", stripped), posted


class FrozenClock:
    """`runtime.now` for tests: time stands still until the test moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def __call__(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("use an aware datetime")
        self._now = moment.astimezone(UTC)


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt runs listeners after the ack in this pool; tests wait until it is idle."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="listener")
        self._pending = 0
        self._idle = threading.Condition()
        self.errors: list[BaseException] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        if future.exception() is not None:
            self.errors.append(future.exception())  # type: ignore[arg-type]
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> None:
        with self._idle:
            if not self._idle.wait_for(lambda: self._pending == 0, timeout=timeout):
                raise AssertionError(f"listeners still busy after {timeout}s")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class ServedApp:
    """The production WSGI app on 127.0.0.1 with a random port, in a daemon thread."""

    def __init__(self, wsgi_app: Any) -> None:
        self._server = make_server(
            "127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def text_of(call_or_message: Any) -> str:
    """All the text of a recorded Web API call or stored message: `text` and its blocks'."""
    params = getattr(call_or_message, "params", call_or_message)
    parts = [params.get("text", "")]
    for block in params.get("blocks") or []:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text.get("text", ""))
        for element in block.get("elements", []):
            if isinstance(element, dict) and isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)
