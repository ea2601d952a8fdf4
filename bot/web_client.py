"""slack_sdk's WebClient on a kept-alive connection: one per thread and Slack host.

slack_sdk sends each Web API call through `urllib.request.urlopen`, which opens a connection
for the call and closes it after (in production a TCP and a TLS handshake per call, and the
clock makes thousands a minute). Only the transport is replaced here: slack_sdk still builds
the request, runs its retry handlers on the answer and raises its errors, so the retry rules of
`bot.runtime.make_web_client` (429s after Retry-After, no message-creating call re-sent after a
connection error) hold as before. Errors look as urllib's do: a status outside 2xx raises
`HTTPError`, a failure before the request was sent `URLError`, a lost answer the connection's
own error (`RemoteDisconnected`, `ConnectionResetError`, a timeout).

A connection the server closed while idle is noticed before reuse (it reads as readable, at
EOF) and replaced; one idle longer than `IDLE_SECONDS` is not reused at all.
"""

from __future__ import annotations

import io
import os
import select
import ssl
import threading
import time
from http.client import HTTPConnection, HTTPResponse, HTTPSConnection
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient

# Servers close idle connections after some seconds; reusing one just then loses the call.
IDLE_SECONDS = 15.0

_Key = tuple[str, str, float | None, int]


class _ThreadConnections(threading.local):
    def __init__(self) -> None:
        self.idle: dict[_Key, tuple[HTTPConnection, float]] = {}
        self.pid = os.getpid()

    def mine(self) -> dict[_Key, tuple[HTTPConnection, float]]:
        """This process's idle connections. A forked child (gunicorn's workers) forgets the
        parent's without closing them: closing would end the parent's TLS session too."""
        if self.pid != os.getpid():
            self.idle, self.pid = {}, os.getpid()
        return self.idle


_connections = _ThreadConnections()
_default_context: ssl.SSLContext | None = None


def _still_open(connection: HTTPConnection) -> bool:
    """Idle and unread: a socket that reads as readable was closed by the server (EOF)."""
    sock = connection.sock
    if sock is None:
        return False
    readable, _, _ = select.select([sock], [], [], 0)
    return not readable


def _context(given: ssl.SSLContext | None) -> ssl.SSLContext:
    global _default_context
    if given is not None:
        return given
    if _default_context is None:
        _default_context = ssl.create_default_context()
    return _default_context


def _take(
    scheme: str, netloc: str, timeout: float, context: ssl.SSLContext | None
) -> tuple[_Key, HTTPConnection]:
    key: _Key = (scheme, netloc, timeout, id(context))
    idle = _connections.mine().pop(key, None)
    if idle is not None:
        connection, since = idle
        if time.monotonic() - since < IDLE_SECONDS and _still_open(connection):
            return key, connection
        connection.close()
    if scheme == "https":
        return key, HTTPSConnection(netloc, timeout=timeout, context=_context(context))
    return key, HTTPConnection(netloc, timeout=timeout)


def _give_back(key: _Key, connection: HTTPConnection, response: HTTPResponse) -> None:
    if response.will_close:  # HTTP/1.0 or "Connection: close": http.client closed it
        connection.close()
        return
    _connections.mine()[key] = (connection, time.monotonic())


class KeepAliveWebClient(WebClient):
    """A WebClient whose calls reuse this thread's connection to the API host."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        key, connection = _take(parts.scheme, parts.netloc, float(self.timeout), self.ssl)
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        sent_headers = {name: str(value) for name, value in req.header_items()}
        try:
            connection.request("POST", path or "/", body=req.data, headers=sent_headers)
        except OSError as error:  # not sent (or not whole): as urllib reports it
            connection.close()
            raise URLError(error) from error
        try:
            response = connection.getresponse()
            body = response.read()
        except BaseException:  # the answer was lost: the caller decides whether to retry
            connection.close()
            raise
        _give_back(key, connection, response)
        if not 200 <= response.status < 300:
            raise HTTPError(
                url, response.status, response.reason, response.headers, io.BytesIO(body)
            )
        if response.headers.get_content_type() == "application/gzip":
            return {"status": response.status, "headers": response.headers, "body": body}
        charset = response.headers.get_content_charset() or "utf-8"
        return {
            "status": response.status,
            "headers": response.headers,
            "body": body.decode(charset),
        }
