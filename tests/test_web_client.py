"""The Web API client keeps its connection alive and keeps slack_sdk's retry rules."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot import web_client
from bot.runtime import make_web_client
from bot.settings import load_settings
from bot.web_client import KeepAliveWebClient


class ScriptedSlack:
    """An HTTP/1.1 Web API that counts connections and answers from a script."""

    def __init__(self) -> None:
        self.connections = 0
        self.calls: list[str] = []
        # Per call, in order: "ok", "429", "drop" (close without answering), "close" (answer,
        # then close the connection, as a server does after its idle timeout).
        self.script: list[str] = []
        self._lock = threading.Lock()
        slack = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with slack._lock:
                    slack.connections += 1

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with slack._lock:
                    slack.calls.append(self.path.rsplit("/", 1)[-1])
                    step = slack.script.pop(0) if slack.script else "ok"
                if step == "drop":
                    self.close_connection = True
                    return
                status, answer, headers = 200, {"ok": True, "ts": "1.000001"}, {}
                if step == "429":
                    status, answer, headers = (
                        429,
                        {"ok": False, "error": "ratelimited"},
                        {"Retry-After": "0"},
                    )
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
                if step == "close":
                    self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/api/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def slack() -> Iterator[ScriptedSlack]:
    server = ScriptedSlack()
    yield server
    server.stop()


def client_for(slack: ScriptedSlack) -> KeepAliveWebClient:
    settings = load_settings(
        slack_bot_token="xoxb-test", slack_api_url=slack.url, database_url="sqlite://"
    )
    client = make_web_client(settings, "xoxb-test")
    assert isinstance(client, KeepAliveWebClient)
    return client


def test_calls_of_one_thread_share_one_connection(slack: ScriptedSlack) -> None:
    client = client_for(slack)
    for _ in range(5):
        assert client.chat_postMessage(channel="C1", text="hi")["ts"] == "1.000001"
    assert slack.calls == ["chat.postMessage"] * 5
    assert slack.connections == 1


def test_a_connection_the_server_closed_is_replaced_without_losing_the_call(
    slack: ScriptedSlack,
) -> None:
    client = client_for(slack)
    slack.script = ["close"]
    client.chat_postMessage(channel="C1", text="one")
    time.sleep(0.3)  # the connection sits idle; the server closes it meanwhile
    client.chat_postMessage(channel="C1", text="two")
    assert slack.calls == ["chat.postMessage"] * 2, "each message sent once"
    assert slack.connections == 2


def test_a_rate_limited_call_is_retried_after_retry_after(slack: ScriptedSlack) -> None:
    client = client_for(slack)
    slack.script = ["429"]
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert slack.calls == ["chat.postMessage"] * 2
    assert slack.connections == 1


def test_a_lost_answer_to_a_post_is_not_sent_again(slack: ScriptedSlack) -> None:
    client = client_for(slack)
    slack.script = ["drop"]
    with pytest.raises(Exception) as raised:
        client.chat_postMessage(channel="C1", text="hi")
    assert not isinstance(raised.value, SlackApiError)
    assert slack.calls == ["chat.postMessage"], "a message-creating call is never re-sent"


def test_a_lost_answer_to_a_read_is_retried(slack: ScriptedSlack) -> None:
    client = client_for(slack)
    slack.script = ["drop"]
    assert client.conversations_history(channel="C1")["ok"]
    assert slack.calls == ["conversations.history"] * 2


def test_an_error_status_reaches_the_caller_as_slacks_error(slack: ScriptedSlack) -> None:
    client = client_for(slack)
    slack.script = ["429"] * 4  # past the three retries
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response["error"] == "ratelimited"
    assert len(slack.calls) == 4


def test_a_forked_child_does_not_share_its_parents_connection(slack: ScriptedSlack) -> None:
    """gunicorn forks its workers: two processes writing on one socket would mix calls."""
    client = client_for(slack)
    client.chat_postMessage(channel="C1", text="parent")
    assert web_client._connections.mine(), "the parent keeps its connection"
    child = os.fork()
    if child == 0:  # the child: a connection of its own, the parent's left alone
        forgot = not web_client._connections.mine()
        client.chat_postMessage(channel="C1", text="child")
        os._exit(0 if forgot else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    client.chat_postMessage(channel="C1", text="parent again")
    assert slack.connections == 2
    assert len(slack.calls) == 3
