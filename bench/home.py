"""The App Home: from `app_home_opened` reaching the app to `views.publish` answered, for a
member with 50 cards, 20 open Weekly items and 30 prospects, in a team of 12 with a year of
history (Dailies twice a week in two channels, 52 Weeklies, archived done cards).

    .venv/bin/python bench/home.py [--opens 100] [--database-url URL]

The real app (Bolt, the durable inbox, the production after-ack executor) is served on
127.0.0.1 against the fake Slack of `bot/sandbox/slack` (which answers at once and validates
the view against Block Kit's limits), on a SQLite file in a temporary directory or PostgreSQL
in a throwaway schema. Each open is sent after the previous one was published. Goal: p99 under
300 ms, the published view under 50 KB.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `bench` and `tests` importable
    sys.path.insert(0, str(ROOT))

from bench.weekly import BigBacklogApp, bench_database, percentile  # noqa: E402
from bot.app import after_ack_executor, build_app  # noqa: E402
from bot.runtime import build_runtime  # noqa: E402
from bot.sandbox.slack import FakeSlack, SlackDriver  # noqa: E402
from bot.server import make_wsgi_app  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from handlers.inbox import Inbox  # noqa: E402
from storage.db import transaction  # noqa: E402
from storage.models import (  # noqa: E402
    BoardCard,
    Channel,
    Daily,
    DailyUpdate,
    KnownContact,
    ProspectAnnouncement,
    Weekly,
    WeeklyAgendaItem,
    WeeklyItem,
    WeeklyReaction,
)

TEAM, SECRET, TOKEN = "T0001", "bench-signing-secret", "xoxb-test"
CHANNELS = ["C0001", "C0002"]
PEOPLE = [f"U{n:04d}" for n in range(1, 13)]
MEMBER = PEOPLE[0]
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
WAIT_SECONDS = 30.0


def seed(runtime: Any) -> None:
    """A year of a 12-person team's history, and the measured member's week."""
    start = NOW - timedelta(days=365)
    # Team channels (the Daily on), so the Home's Team section has figures to show.
    rows: list[Any] = [
        Channel(team_id=TEAM, channel_id=c, timezone=None, daily_state="on") for c in CHANNELS
    ]
    for person in PEOPLE:
        for week in range(52):  # archived done cards: a year of sprints
            done = start + timedelta(weeks=week, days=2)
            rows += [
                BoardCard(
                    team_id=TEAM,
                    user_id=person,
                    number=n + 1,
                    status="done",
                    text=f"closed deal {week}-{n} with the Müller Logistik follow-up",
                    channel_id=CHANNELS[0],
                    created_at=done,
                    moved_at=done,
                    done_at=done,
                )
                for n in range(4)
            ]
        rows += [
            ProspectAnnouncement(
                team_id=TEAM,
                channel_id=CHANNELS[0],
                user_id=person,
                company=f"Prospect {person} {n} GmbH",
                note="trade fair",
                announced_at=start,
            )
            for n in range(30 if person == MEMBER else 10)
        ]
        rows.append(
            KnownContact(
                team_id=TEAM,
                user_id=person,
                company=f"Known {person} AG",
                contact="Dr. Example (CTO)",
            )
        )
    columns = ["todo", "doing", "done", "long"]
    rows += [
        BoardCard(
            team_id=TEAM,
            user_id=MEMBER,
            number=n + 1,
            status=columns[n % 4],
            text=f"card {n}: call Known U0002 AG about the pilot and the framework contract",
            channel_id=CHANNELS[0],
            created_at=NOW - timedelta(hours=n),
            moved_at=NOW - timedelta(hours=n),
            done_at=NOW - timedelta(hours=n) if n % 4 == 2 else None,
        )
        for n in range(50)
    ]
    with transaction(runtime.sessions) as session:
        session.add_all(rows)
        for channel in CHANNELS:
            for week in range(52):
                monday = (start + timedelta(weeks=week)).date()
                for day in (monday, monday + timedelta(days=3)):
                    daily = Daily(
                        team_id=TEAM, channel_id=channel, local_date=day, prompt_ts=f"{day}"
                    )
                    session.add(daily)
                    session.flush()
                    session.add_all(
                        DailyUpdate(
                            team_id=TEAM,
                            daily_id=daily.id,
                            user_id=person,
                            plan="call three prospects",
                            highlight="signed a pilot",
                        )
                        for person in PEOPLE
                    )
            for week in range(52):
                weekly = Weekly(
                    team_id=TEAM,
                    channel_id=channel,
                    local_date=(start + timedelta(weeks=week)).date(),
                    agenda_frozen_at=start + timedelta(weeks=week),
                )
                session.add(weekly)
                session.flush()
                for n, person in enumerate(PEOPLE):
                    item = WeeklyItem(
                        team_id=TEAM,
                        channel_id=channel,
                        user_id=person,
                        category="plan",
                        text=f"topic {week}-{n}",
                        source="command",
                        weekly_id=weekly.id,
                    )
                    session.add(item)
                    session.flush()
                    entry = WeeklyAgendaItem(
                        team_id=TEAM, weekly_id=weekly.id, item_id=item.id, position=n
                    )
                    session.add(entry)
                    session.flush()
                    session.add(
                        WeeklyReaction(
                            team_id=TEAM,
                            entry_id=entry.id,
                            user_id=MEMBER,
                            kind="claim",
                            active=True,
                            event_ts="1",
                        )
                    )
                    session.add(
                        WeeklyReaction(
                            team_id=TEAM,
                            entry_id=entry.id,
                            user_id=person,
                            kind="resolve",
                            active=week < 51,
                            event_ts="1",
                        )
                    )
        session.add_all(
            WeeklyItem(
                team_id=TEAM,
                channel_id=CHANNELS[n % 2],
                user_id=MEMBER,
                category="need",
                text=f"open point {n} for the next Weekly",
                source="command",
            )
            for n in range(20)
        )


class Bench:
    def __init__(self, database_url: str) -> None:
        self.fake = FakeSlack().start()
        for n, user_id in enumerate(PEOPLE):
            self.fake.add_user(user_id, name=f"Member {n + 1}", locale="en-US")
        for channel in CHANNELS:
            self.fake.set_members(channel, PEOPLE)
        settings = load_settings(
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            database_url=database_url,
            slack_api_url=self.fake.url,
            _env_file=None,
        )
        self.runtime = build_runtime(settings)
        self.runtime.now = lambda: NOW
        seed(self.runtime)
        self.executor = after_ack_executor()
        app = build_app(self.runtime, inbox=Inbox(self.runtime, self.executor))
        self.received: list[float] = []
        self.served = BigBacklogApp(self.recording(make_wsgi_app(app, self.runtime)))
        self.slack = SlackDriver(self.served.url, SECRET, team_id=TEAM)

    def recording(self, wsgi_app: Any) -> Any:
        def record(environ: dict[str, Any], start_response: Any) -> Any:
            received = time.time()
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            if b"app_home_opened" in body:
                self.received.append(received)
            return wsgi_app(environ, start_response)

        return record

    def open_home(self) -> tuple[float, int]:
        def ok(call: Any) -> bool:
            return call.error is None

        before = len([call for call in self.fake.calls_to("views.publish") if ok(call)])
        event: dict[str, Any] = {"type": "app_home_opened", "user": MEMBER, "tab": "home"}
        event["channel"] = "D0001"
        current = next((v for v in self.fake.views.values() if v.get("user_id") == MEMBER), None)
        if current is not None:
            event["view"] = current  # Slack sends the view the person sees, with its hash
        response = self.slack.event(event)
        assert response.status == 200, response.body
        calls = self.fake.wait_for("views.publish", before + 1, WAIT_SECONDS, predicate=ok)
        published = calls[-1]
        size = len(json.dumps(published.params["view"], ensure_ascii=False).encode())
        return published.at - self.received[-1], size

    def stop(self) -> None:
        self.served.stop()
        self.executor.shutdown(wait=True)  # type: ignore[attr-defined]
        self.runtime.engine.dispose()
        self.fake.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opens", type=int, default=100)
    parser.add_argument("--database-url", help="postgresql+psycopg://… (default: SQLite file)")
    args = parser.parse_args()
    with bench_database(args.database_url) as database_url:
        bench = Bench(database_url)
        try:
            bench.open_home()  # warm-up: caches (names, the radar index), connections
            measured = [bench.open_home() for _ in range(args.opens)]
            rejected = bench.fake.rejected
        finally:
            bench.stop()
    latencies = [seconds for seconds, _ in measured]
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"App Home bench on {backend}: {len(PEOPLE)} people, a year of history, {args.opens} opens"
    )
    print(
        f"app_home_opened -> views.publish: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(f"published view: {measured[-1][1] / 1024:.1f} KB; refused by the fake: {len(rejected)}")
    return 0 if not rejected else 1


if __name__ == "__main__":
    raise SystemExit(main())
