"""The Weekly under a realistic load: a 60-item agenda for a 12-person team, and the
reaction → parent-update path with 20 concurrent reactions.

    .venv/bin/python bench/weekly.py [--rounds 10] [--concurrency 20] [--database-url URL]

The real app (Bolt, `handlers.weekly`, the production after-ack executor: 4 threads) is served
on 127.0.0.1 and talks to the fake Slack Web API of `bot/sandbox/slack` and to a SQLite file in a
temporary directory (or PostgreSQL with `--database-url`, in a throwaway schema). Figures:

- rendering the agenda's parent (pure Block Kit, 60 items) and posting the whole agenda
  (the parent plus one reply per item) against the fake;
- for every reaction event: the time from the event's receipt by the app (a WSGI wrapper notes
  it before Bolt sees the request) to the first `chat.update` of the parent that shows it (the
  fake records when it answered each call). A round sends
  `--concurrency` reactions at once (12 people, different and shared items); rounds alternate
  adding and removing the same hands, so every round changes the agenda.

The fake answers at once and never rate-limits: the figures are Redthread's own cost.

Figures on the 2-core dev machine (2026-11-25, defaults):

    SQLite:     render 0.3 ms; post 60-item agenda 188 ms;
                reaction -> chat.update p50 170 ms, p99 367 ms (max 457); 5.7 updates per 20
    PostgreSQL: render 0.5 ms; post 60-item agenda 502 ms;
                reaction -> chat.update p50 266 ms, p99 386 ms (max 409); 4.6 updates per 20
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `bench` and `tests` importable
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bot.app import after_ack_executor, build_app  # noqa: E402
from bot.runtime import build_runtime  # noqa: E402
from bot.sandbox.slack import FakeSlack, SlackDriver  # noqa: E402
from bot.server import make_wsgi_app  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.weekly import agenda, render, service  # noqa: E402
from bot.weekly.parse import CATEGORIES  # noqa: E402
from handlers.inbox import Inbox  # noqa: E402
from tests.support import ServedApp  # noqa: E402

TEAM, CHANNEL, SECRET, TOKEN = "T0001", "C0001", "bench-signing-secret", "xoxb-test"
PEOPLE = [f"U{n:04d}" for n in range(1, 13)]
ITEMS = 60
WAIT_SECONDS = 30.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def item_text(n: int) -> str:
    return f"agenda point {n:02d}: follow up with the prospect list of region {n % 7}"


def line_of(update_text: str, n: int) -> str:
    return next((line for line in update_text.split("\n") if f"agenda point {n:02d}:" in line), "")


def blocks_text(params: dict[str, Any]) -> str:
    return "\n".join(
        block["text"]["text"] for block in params.get("blocks") or [] if "text" in block
    )


class Bench:
    def __init__(self, database_url: str) -> None:
        self.fake = FakeSlack().start()
        for n, user_id in enumerate(PEOPLE):
            self.fake.add_user(user_id, name=f"Member {n + 1}", locale="en-US")
        self.fake.set_members(CHANNEL, [*PEOPLE, "UBOT"])
        settings = load_settings(
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            database_url=database_url,
            slack_api_url=self.fake.url,
            _env_file=None,
        )
        self.runtime = build_runtime(settings)
        self.executor = after_ack_executor()
        app = build_app(self.runtime, inbox=Inbox(self.runtime, self.executor))
        self.received: dict[tuple[str, str, str], float] = {}
        self.served = BigBacklogApp(self.record_receipt(make_wsgi_app(app, self.runtime)))
        self.slack = SlackDriver(self.served.url, SECRET, team_id=TEAM)
        self.config = service.weekly_config(self.runtime, TEAM, CHANNEL)

    def record_receipt(self, wsgi_app: Any) -> Any:
        """Notes when each reaction event reaches the app: the start of the measured path."""

        def recording(environ: dict[str, Any], start_response: Any) -> Any:
            received = time.time()
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            if body.startswith(b"{"):
                event = json.loads(body).get("event") or {}
                if event.get("type", "").startswith("reaction_"):
                    key = (event["type"], event["user"], event["item"]["ts"])
                    self.received.setdefault(key, received)
            return wsgi_app(environ, start_response)

        return recording

    def stop(self) -> None:
        self.served.stop()
        self.executor.shutdown(wait=True)  # type: ignore[attr-defined]
        self.runtime.engine.dispose()
        self.fake.stop()

    def fill_agenda(self) -> None:
        for n in range(1, ITEMS + 1):
            category = CATEGORIES[n % len(CATEGORIES)]
            user_id = PEOPLE[n % len(PEOPLE)]
            response = self.slack.command("/weekly", f"add {category} {item_text(n)}", user_id)
            assert response.status == 200, response.body
        self.wait(lambda: len(self.fake.calls_to("chat.postEphemeral")) >= ITEMS, "the adds")

    def wait(self, done: Any, what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"gave up waiting for {what}")
            time.sleep(0.005)

    def time_render(self, repeats: int = 50) -> float:
        items = service.draft(self.runtime, self.config)
        names = {user_id: f"Member {n}" for n, user_id in enumerate(PEOPLE)}
        started = time.perf_counter()
        for _ in range(repeats):
            render.agenda_message("en", datetime.now(UTC).date(), items, [], names)
        return (time.perf_counter() - started) / repeats

    def post_agenda(self) -> tuple[float, str, dict[int, str]]:
        started = time.perf_counter()
        weekly = agenda.post_agenda(
            self.runtime, self.runtime.client_for(TEAM), self.config, self.runtime.now()
        )
        elapsed = time.perf_counter() - started
        replies = {}
        for (_, ts), message in list(self.fake.messages.items()):
            if message.get("thread_ts") == weekly.agenda_ts:
                for n in range(1, ITEMS + 1):
                    if f"agenda point {n:02d}:" in message["text"]:
                        replies[n] = ts
        assert len(replies) == ITEMS, len(replies)
        return elapsed, str(weekly.agenda_ts), replies

    def reaction_round(
        self, parent_ts: str, replies: dict[int, str], pairs: list[tuple[str, int]], added: bool
    ) -> tuple[list[float], int]:
        updates_before = len(self.fake.calls_to("chat.update"))
        sent: dict[tuple[str, int], float] = {}

        def send(user_id: str, n: int) -> None:
            event = {
                "type": "reaction_added" if added else "reaction_removed",
                "user": user_id,
                "reaction": "raising_hand",
                "item_user": "UBOT",
                "item": {"type": "message", "channel": CHANNEL, "ts": replies[n]},
                "event_ts": f"{time.time():.6f}",
            }
            response = self.slack.event(event)
            assert response.status == 200, response.body
            sent[(user_id, n)] = self.received[(event["type"], user_id, replies[n])]
            del self.received[(event["type"], user_id, replies[n])]

        senders = [threading.Thread(target=send, args=pair) for pair in pairs]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(WAIT_SECONDS)

        def shown(update: Any, user_id: str, n: int) -> bool:
            return (f"<@{user_id}>" in line_of(blocks_text(update.params), n)) == added

        def first_showing(user_id: str, n: int) -> Any:
            updates = self.fake.calls_to("chat.update")[updates_before:]
            return next(
                (
                    call
                    for call in updates
                    if call.params.get("ts") == parent_ts
                    and call.at >= sent[(user_id, n)]
                    and shown(call, user_id, n)
                ),
                None,
            )

        self.wait(lambda: all(first_showing(*pair) for pair in pairs), "the parent updates")
        latencies = [first_showing(*pair).at - sent[pair] for pair in pairs]
        return latencies, len(self.fake.calls_to("chat.update")) - updates_before


class _BigBacklogServer(ThreadingMixIn, WSGIServer):
    """Like the tests' server, but a burst of connections is queued, not dropped (a dropped
    SYN costs a second before the client retries, which would measure the test server)."""

    daemon_threads = True
    request_queue_size = 256


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class BigBacklogApp(ServedApp):
    def __init__(self, wsgi_app: Any) -> None:
        self._server = make_server(
            "127.0.0.1",
            0,
            wsgi_app,
            server_class=_BigBacklogServer,
            handler_class=_QuietHandler,
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()


def reaction_pairs(round_number: int, concurrency: int) -> list[tuple[str, int]]:
    """Different people on different items, a few sharing an item (several claimants)."""
    offset = (round_number // 2) * concurrency
    return [
        (PEOPLE[i % len(PEOPLE)], ((offset + i) % (ITEMS // 2)) + 1) for i in range(concurrency)
    ]


def postgres_schema(base_url: str) -> tuple[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{base_url}{separator}options=-csearch_path%3D{schema}", drop


@contextmanager
def bench_database(postgres_url: str | None) -> Iterator[str]:
    """A SQLite file in a temporary folder, or a throwaway schema in PostgreSQL."""
    with tempfile.TemporaryDirectory() as directory:
        if not postgres_url:
            yield f"sqlite:///{Path(directory) / 'bench.db'}"
            return
        database_url, drop = postgres_schema(postgres_url)
        try:
            yield database_url
        finally:
            drop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", help="postgresql+psycopg://… (default: SQLite file)")
    args = parser.parse_args()
    with bench_database(args.database_url) as database_url:
        bench = Bench(database_url)
        try:
            bench.fill_agenda()
            render_seconds = bench.time_render()
            post_seconds, parent_ts, replies = bench.post_agenda()
            latencies: list[float] = []
            updates: list[int] = []
            for round_number in range(args.rounds):
                pairs = reaction_pairs(round_number, args.concurrency)
                measured, update_count = bench.reaction_round(
                    parent_ts, replies, pairs, added=round_number % 2 == 0
                )
                latencies += measured
                updates.append(update_count)
        finally:
            bench.stop()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Weekly bench on {backend}: {ITEMS} items, {len(PEOPLE)} people")
    print(f"render the agenda parent (pure):  {render_seconds * 1000:.2f} ms")
    print(f"post the agenda (parent + {ITEMS} replies): {post_seconds * 1000:.0f} ms")
    print(
        f"reaction -> parent chat.update, {args.rounds} rounds x {args.concurrency} concurrent: "
        f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms, mean {statistics.mean(latencies) * 1000:.0f} ms"
    )
    print(
        f"chat.update calls per round of {args.concurrency} reactions: "
        f"mean {statistics.mean(updates):.1f}, max {max(updates)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
