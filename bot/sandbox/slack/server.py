"""A fake Slack Web API on a local port, so end-to-end tests exercise the real slack_sdk client.

Calls are checked against Slack's published parameter lists, answered from a small stateful
workspace (or failed, dropped or delayed on purpose, see `faults.py`) and recorded for
assertions. Nothing here talks to the internet.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from bot.sandbox.slack.base import ApiError, Rejected
from bot.sandbox.slack.faults import FaultInjection
from bot.sandbox.slack.oauth import OAuthApp
from bot.sandbox.slack.spec import CLIENT_AUTH_METHODS, UNIVERSAL_PARAMS, known_params
from bot.sandbox.slack.workspace import Workspace

# Form-encoded bodies carry these as JSON strings; decoded so tests can assert on structures.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata", "unfurls", "profile"})


@dataclass(frozen=True)
class Call:
    """One request the fake answered. `error` is set for ok:false answers, `detail` says why."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    error: str | None = None
    detail: str | None = None


@dataclass
class _Answer:
    """A Web API answer; `handled` says the method's handler ran (ok, or an ApiError)."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    handled: bool = False


def _parse_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Form, JSON and query-string parameters merged, with JSON-string fields decoded."""
    params: dict[str, Any] = {}
    for source in (query, body.decode("utf-8") if "json" not in content_type else ""):
        for key, values in parse_qs(source, keep_blank_values=True).items():
            params[key] = values[0] if len(values) == 1 else values
    if "json" in content_type and body:
        params.update(json.loads(body))
    for key in JSON_FIELDS & params.keys():
        value = params[key]
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def _matches(call: Call, method: str, predicate: Callable[[Call], bool] | None) -> bool:
    """A predicate that trips over an unrelated call's params just does not match it."""
    if call.method != method:
        return False
    try:
        return predicate is None or bool(predicate(call))
    except (KeyError, IndexError, TypeError, AttributeError):
        return False


def _clip(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog; socketserver's default of 5 makes the kernel drop connections when a
    # benchmark opens hundreds at once, and the clients then stall on SYN retransmits.
    request_queue_size = 1024
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self.server.fake._serve(self)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        """Keep pytest output clean."""


class FakeSlack(OAuthApp, Workspace, FaultInjection):
    """Slack's Web API for one workspace, served on 127.0.0.1 at `url` once started."""

    def __init__(self, *, valid_tokens: set[str] | None = None, **workspace: str) -> None:
        """`workspace` takes team_id, team_domain, team_name, bot_user_id, bot_id and app_id."""
        Workspace.__init__(self, **workspace)
        FaultInjection.__init__(self)
        OAuthApp.__init__(self)
        self.valid_tokens: set[str] = set(valid_tokens or {"xoxb-test"})
        self._calls: list[Call] = []
        self._rejected: list[Call] = []
        self._failed: list[Call] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.fake = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def url(self) -> str:
        """Pass as WebClient(base_url=...); slack_sdk appends the method name directly."""
        return f"{self.root_url}/api/"

    @property
    def hooks_url(self) -> str:
        """Base for response_urls; posts to `{hooks_url}/...` are recorded as `response_url`."""
        return f"{self.root_url}/hooks"

    # -- recorded traffic and fault injection -----------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._condition:
            return list(self._calls)

    @property
    def rejected(self) -> list[Call]:
        with self._condition:
            return list(self._rejected)

    @property
    def failed(self) -> list[Call]:
        with self._condition:
            return list(self._failed)

    def calls_to(self, method: str) -> list[Call]:
        with self._condition:
            return [call for call in self._calls if call.method == method]

    def reset(self) -> None:
        """Forgets recorded traffic (drops too); users, channels, messages and faults stay."""
        with self._condition:
            self._calls.clear()
            self._rejected.clear()
            self._failed.clear()
            self._forget_dropped()

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Blocks until `count` matching calls were answered; returns all matching calls."""

        def matching() -> list[Call]:
            return [c for c in self._calls if _matches(c, method, predicate)]

        with self._condition:
            if self._condition.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                return matching()
            what = f"{count} call(s) to {method}" + (" matching the predicate" if predicate else "")
            raise AssertionError(
                f"expected {what} within {timeout}s, got {len(matching())}.\n{self._traffic()}"
            )

    def assert_no_call(
        self, method: str, within: float = 0.3, predicate: Callable[[Call], bool] | None = None
    ) -> None:
        """Waits `within` seconds and fails as soon as a matching call shows up."""
        with self._condition:
            seen = self._condition.wait_for(
                lambda: any(_matches(c, method, predicate) for c in self._calls),
                timeout=within,
            )
            if seen:
                raise AssertionError(f"unexpected call to {method}.\n{self._traffic()}")

    def _traffic(self) -> str:
        lines = [f"calls seen ({len(self._calls)}):"]
        lines += [f"  {c.method} {_clip(c.params)}" for c in self._calls]
        for label, records in (("rejected", self._rejected), ("failed", self._failed)):
            if records:
                lines.append(f"{label} ({len(records)}):")
                lines += [
                    f"  {c.method} {c.error} {c.detail or ''} {_clip(c.params)}" for c in records
                ]
        if dropped := self.dropped:
            lines.append(f"dropped ({len(dropped)}):")
            lines += [f"  {d.method} {d.when} {_clip(d.params)}" for d in dropped]
        return "\n".join(lines)

    def _record(self, bucket: list[Call], call: Call) -> None:
        with self._condition:
            bucket.append(call)
            self._condition.notify_all()

    # -- HTTP -------------------------------------------------------------------------------

    def _hook_posted(self, path: str, payload: dict[str, Any]) -> None:
        """What a message sent to a response_url does; tests only record it (the sandbox
        shows it, see bot/sandbox/standin.py)."""

    def _serve(self, request: _Handler) -> None:
        path, _, query = request.path.partition("?")
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        headers: dict[str, str] = {}
        if path.startswith("/hooks/"):
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                payload = {"_raw": body.decode("utf-8", "replace")}
            self._record(self._calls, Call("response_url", payload, None, time.time(), None, path))
            self._hook_posted(path, payload)
            status, answer = 200, b"ok"
        elif path.startswith("/api/"):
            answered = self._api(request, path[len("/api/") :], query, body)
            if answered is None:
                _hang_up(request)
                return
            status, headers = answered.status, answered.headers
            answer = json.dumps(answered.body).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        else:
            status, answer = 404, b"not found"
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(answer)))
        request.end_headers()
        request.wfile.write(answer)

    def _api(self, request: _Handler, method: str, query: str, body: bytes) -> _Answer | None:
        """The answer to a Web API call, or None when a fault drops the connection instead."""
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else None
        client = _basic_auth(auth)
        try:
            params = _parse_params(query, body, request.headers.get("Content-Type", ""))
        except (ValueError, TypeError):
            params = {"_unparsable_body": body.decode("utf-8", "replace")}
        token = token or params.pop("token", None)
        params.pop("token", None)
        latency = self._latency_for(method)
        if latency:
            time.sleep(latency)  # without the lock, so concurrent calls wait side by side
        if self._take_drop("before", method, params):
            return None
        answer = self._dispatch(method, params, token, client)
        if answer.handled and self._take_drop("after", method, params):
            return None
        return answer

    def _dispatch(
        self,
        method: str,
        params: dict[str, Any],
        token: str | None,
        client: tuple[str, str] | None = None,
    ) -> _Answer:
        call = Call(method, params, token, time.time())
        with self._condition:
            try:
                allowed = known_params().get(method)
                if allowed is None:
                    raise Rejected("unknown_method", f"Slack has no method {method!r}")
                if method in CLIENT_AUTH_METHODS:
                    result = self._oauth_v2_access(params, client)
                    self._record(self._calls, call)
                    return _Answer(200, {"ok": True, **result}, {}, handled=True)
                if not token:
                    raise Rejected("not_authed", "no token in Authorization header or params")
                if token not in self.valid_tokens:
                    raise Rejected("invalid_auth", f"token {token[:9]}… is not valid")
                unknown = sorted(params.keys() - allowed - UNIVERSAL_PARAMS)
                if unknown:
                    known = ", ".join(sorted(allowed - UNIVERSAL_PARAMS))
                    raise Rejected(
                        "invalid_arguments", f"{method} does not take {unknown}; it takes {known}"
                    )
                failure = self._take_failure(method)
                if failure is not None:
                    self._record(self._failed, Call(method, params, token, call.at, failure.error))
                    return _Answer(
                        failure.status, {"ok": False, "error": failure.error}, failure.headers
                    )
                result = self.handlers.get(method, lambda _params, _token: {})(params, token)
            except Rejected as rejection:
                self._record(
                    self._rejected,
                    Call(method, params, token, call.at, rejection.error, rejection.detail),
                )
                body = {"ok": False, "error": rejection.error, "detail": rejection.detail}
                body["response_metadata"] = {"messages": [f"[ERROR] {rejection.detail}"]}
                return _Answer(200, body, {})
            except ApiError as failure:
                self._record(self._calls, Call(method, params, token, call.at, failure.error))
                return _Answer(200, {"ok": False, "error": failure.error}, {}, handled=True)
            except Exception as bug:  # a bug in the fake must not look like a network failure
                self._record(
                    self._rejected, Call(method, params, token, call.at, "fake_bug", repr(bug))
                )
                return _Answer(500, {"ok": False, "error": "fake_bug", "detail": repr(bug)}, {})
            self._record(self._calls, call)
            return _Answer(200, {"ok": True, **result}, {}, handled=True)


def _basic_auth(header: str) -> tuple[str, str] | None:
    """(client id, client secret) from an `Authorization: Basic …` header."""
    if not header.startswith("Basic "):
        return None
    try:
        user, _, secret = base64.b64decode(header[len("Basic ") :]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, secret


def _hang_up(request: _Handler) -> None:
    """Closes the connection without a byte of answer, as a failing proxy or network would.

    urllib's client then raises RemoteDisconnected (a ConnectionResetError). No keep-alive: the
    handler must not wait for another request on this connection.
    """
    request.close_connection = True
    with contextlib.suppress(OSError):
        request.connection.shutdown(socket.SHUT_RDWR)
