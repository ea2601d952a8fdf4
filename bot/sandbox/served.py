"""A WSGI app served on 127.0.0.1 by the standard library, in a daemon thread per request."""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log: request lines could carry what someone typed."""


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # Long-lived event streams hold threads; many page reloads must not exhaust the backlog.
    request_queue_size = 64


class ServedApp:
    """A WSGI app on 127.0.0.1 (never another interface); port 0 picks a free one."""

    def __init__(self, wsgi_app: Any, port: int = 0) -> None:
        self._server = make_server(
            "127.0.0.1",
            port,
            wsgi_app,
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
