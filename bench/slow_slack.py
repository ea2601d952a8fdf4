"""A minimal Slack Web API that answers every call after a fixed latency, in a process of its
own, and records when each call arrived and was answered (`bench/clock.py`).

The tests' `FakeSlack` serialises its handlers under one lock; Slack answers many calls at
once, which is what a bench of the clock's parallelism needs.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Post:
    method: str
    channel: str
    thread_ts: str | None
    text: str
    received: float
    answered: float


def _serve_fake_slack(conn: Connection, latency: float) -> None:
    """Answers every Web API call with ok after `latency` s, until told to stop."""
    calls: list[tuple[str, str, str | None, str, float, float]] = []
    lock = threading.Lock()
    serial = iter(range(1, 10**9))

    class Handler(BaseHTTPRequestHandler):
        # Keep-alive, as Slack's API hosts do: the clock's client reuses its connections.
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            received = time.time()
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if "json" in (self.headers.get("Content-Type") or ""):
                params: dict[str, Any] = json.loads(body or b"{}")
            else:
                params = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            time.sleep(latency)
            with lock:
                ts = f"1764000000.{next(serial):06d}"
            answer = json.dumps(
                {
                    "ok": True,
                    "channel": params.get("channel"),
                    "ts": ts,
                    "message": {"ts": ts, "text": params.get("text", "")},
                    "members": [],
                    "response_metadata": {"next_cursor": ""},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            method = self.path.rsplit("/", 1)[-1]
            with lock:
                calls.append(
                    (
                        method,
                        str(params.get("channel")),
                        params.get("thread_ts"),
                        str(params.get("text", "")),
                        received,
                        time.time(),
                    )
                )

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 4096  # a burst is queued, not dropped (a dropped SYN costs 1 s)

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn.send(f"http://127.0.0.1:{server.server_port}/api/")
    while True:
        command = conn.recv()
        if command == "calls":
            with lock:
                conn.send(list(calls))
                calls.clear()
        elif command == "stop":
            server.shutdown()
            return


class SlowSlack:
    """The server in a child process; `take_calls` hands over (and forgets) what it saw."""

    def __init__(self, latency: float) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve_fake_slack, args=(child, latency), daemon=True
        )
        self._process.start()
        if not self._conn.poll(60):
            raise RuntimeError("the fake Slack did not start within 60 s")
        self.url: str = self._conn.recv()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def take_calls(self) -> list[Post]:
        self._conn.send("calls")
        return [Post(*call) for call in self._conn.recv()]

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(10)
