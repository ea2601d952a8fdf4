"""The team insight and the agenda it goes with, on two years of a team's history: a team of
12 with 200 Dailies, 5,000 Weekly items on 104 agendas (claims, ✅, carry-overs) and 50 OKRs.

    .venv/bin/python bench/insight.py [--runs 200] [--database-url postgresql+psycopg://…]

Times, over `--runs` runs each, in process CPU time (time.process_time: the machine is shared,
so wall time mostly measures the neighbours; on PostgreSQL the server's CPU is not in it, and
the wall time is printed beside it): computing one channel's insight (the queries of
`storage/insight.py` and the pure figures, one transaction), and gathering and rendering the
latest agenda's parent with its monthly insight reply. Goal: < 100 ms each (p99).
SQLite in a temporary file, or a throwaway schema of the PostgreSQL at `--database-url`.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `bench` and `tests` importable
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select  # noqa: E402

from bench.weekly import bench_database, percentile  # noqa: E402
from bot.insight.render import agenda_insight_message  # noqa: E402
from bot.insight.service import compute_insight  # noqa: E402
from bot.runtime import Runtime, build_runtime  # noqa: E402
from bot.sandbox.slack import FakeSlack  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.weekly import agenda  # noqa: E402
from bot.weekly.service import weekly_config  # noqa: E402
from storage import okr as okr_store  # noqa: E402
from storage.db import transaction  # noqa: E402
from storage.models import (  # noqa: E402
    Channel,
    Daily,
    DailyUpdate,
    Member,
    Weekly,
    WeeklyAgendaItem,
    WeeklyItem,
    WeeklyReaction,
)

TEAM, CHANNEL, TOKEN = "T0001", "C0001", "xoxb-test"
PEOPLE = [f"U{n:04d}" for n in range(1, 13)]
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday 7 December: the month's first Weekly
TODAY = date(2026, 12, 7)
DAILIES, WEEKLIES, ITEMS, OKRS = 200, 104, 5_000, 50
CATEGORIES = ["done", "plan", "impediment", "market", "need", "help", "other"]


def seed(runtime: Runtime, rng: random.Random) -> None:
    """Two years of history, written in bulk (Core inserts): what the app would have stored."""
    first_monday = TODAY - timedelta(weeks=WEEKLIES - 1)
    with transaction(runtime.sessions) as session:
        session.add(Channel(team_id=TEAM, channel_id=CHANNEL, daily_state="on", weekly_active=True))
        session.execute(
            insert(Member),
            [
                {"team_id": TEAM, "user_id": user, "display_name": f"Member {n}", "locale": "en"}
                | {"refreshed_at": NOW}
                for n, user in enumerate(PEOPLE, start=1)
            ],
        )
        # Dailies on Mondays and Thursdays, the latest 200 before today.
        days = [TODAY - timedelta(days=offset) for offset in range(1, 800)]
        days = [day for day in days if day.weekday() in (0, 3)][:DAILIES]
        session.execute(
            insert(Daily),
            [
                {"team_id": TEAM, "channel_id": CHANNEL, "local_date": day, "prompt_ts": f"{n}.1"}
                for n, day in enumerate(days)
            ],
        )
        daily_ids = list(session.scalars(select(Daily.id).order_by(Daily.id)))
        updates = [
            {
                "team_id": TEAM,
                "daily_id": daily_id,
                "user_id": user,
                "plan": "calls and offers for the northern region",
                "impediment": "CRM export is slow" if rng.random() < 0.08 else None,
            }
            for daily_id in daily_ids
            for user in PEOPLE
            if rng.random() < 0.8
        ]
        session.execute(insert(DailyUpdate), updates)
        weeklies = [first_monday + timedelta(weeks=n) for n in range(WEEKLIES)]
        session.execute(
            insert(Weekly),
            [
                {"team_id": TEAM, "channel_id": CHANNEL, "local_date": day, "state_version": 0}
                | {"agenda_frozen_at": NOW, "agenda_ts": f"9{n}.1", "agenda_done_at": NOW}
                for n, day in enumerate(weeklies)
            ],
        )
        weekly_ids = list(session.scalars(select(Weekly.id).order_by(Weekly.local_date)))
        items = [
            {
                "team_id": TEAM,
                "channel_id": CHANNEL,
                "user_id": rng.choice(PEOPLE),
                "category": rng.choice(CATEGORIES),
                "text": f"follow up the prospect list of region {chr(65 + n % 26)}",
                "source": "command",
                "weekly_id": weekly_ids[n * WEEKLIES // ITEMS],
            }
            for n in range(ITEMS)
        ]
        session.execute(insert(WeeklyItem), items)
        _seed_agendas(session, weekly_ids, rng)


def _seed_agendas(session: Any, weekly_ids: list[int], rng: random.Random) -> None:
    """Each item on its first agenda; a third carried over for one to four more weeks;
    claims on half, ✅ on the last agenda of most."""
    rows = session.execute(
        select(WeeklyItem.id, WeeklyItem.weekly_id).order_by(WeeklyItem.id)
    ).all()
    position = dict.fromkeys(weekly_ids, 0)
    index = {weekly_id: n for n, weekly_id in enumerate(weekly_ids)}
    entries, last_entry = [], {}
    for item_id, weekly_id in rows:
        carried_for = rng.choice([0, 0, 1, 2, 4])
        for week in range(carried_for + 1):
            if index[weekly_id] + week >= len(weekly_ids):
                break
            shown_on = weekly_ids[index[weekly_id] + week]
            position[shown_on] += 1
            entries.append(
                {"team_id": TEAM, "weekly_id": shown_on, "item_id": item_id}
                | {"position": position[shown_on], "carried_over": week > 0}
                | {"reply_ts": f"{item_id}.{week}"}
            )
            last_entry[item_id] = f"{item_id}.{week}"
    session.execute(insert(WeeklyAgendaItem), entries)
    by_reply = dict(session.execute(select(WeeklyAgendaItem.reply_ts, WeeklyAgendaItem.id)).all())
    marks = []
    for item_id, reply_ts in last_entry.items():
        entry_id = by_reply[reply_ts]
        if rng.random() < 0.5:
            marks.append(_mark(entry_id, rng.choice(PEOPLE), "claim"))
        if rng.random() < 0.7:
            marks.append(_mark(entry_id, rng.choice(PEOPLE), "resolve"))
        del item_id
    session.execute(insert(WeeklyReaction), marks)


def _mark(entry_id: int, user_id: str, kind: str) -> dict[str, Any]:
    return {"team_id": TEAM, "entry_id": entry_id, "user_id": user_id, "kind": kind} | {
        "active": True,
        "event_ts": "1.0",
        "updated_at": NOW,
    }


def seed_okrs(runtime: Runtime, rng: random.Random, objectives: int = OKRS) -> int:
    """50 objectives over eight quarters, three key results each with a check-in about every
    two weeks of their quarter; the last quarter's set is open (what the agenda shows), the
    others archived by `close`, as `/okr` would have left them. Returns the open objectives."""
    quarters = 8
    per_quarter = [
        objectives // quarters + (1 if q < objectives % quarters else 0) for q in range(quarters)
    ]
    with transaction(runtime.sessions) as session:
        for quarter, count in enumerate(per_quarter):
            start = NOW - timedelta(weeks=13 * (quarters - quarter))
            for number in range(1, count + 1):
                objective = okr_store.add_objective(
                    session, TEAM, CHANNEL, number, f"Grow region {chr(65 + number)}", start
                )
                for kr_number in range(1, 4):
                    target = rng.choice([20.0, 100.0, 250_000.0])
                    key_result = okr_store.add_key_result(
                        session,
                        TEAM,
                        CHANNEL,
                        objective,
                        kr_number,
                        f"Signed pilots in region {chr(65 + number)} {target:g}",
                        target,
                        "",
                        start,
                    )
                    for week in range(0, 13, 2):
                        value = target * min(1.0, (week + rng.random()) / 13)
                        okr_store.add_check_in(
                            session,
                            TEAM,
                            CHANNEL,
                            key_result.id,
                            value,
                            "steady progress" if rng.random() < 0.3 else None,
                            rng.choice(PEOPLE),
                            start + timedelta(weeks=week, days=1),
                        )
            if quarter < quarters - 1:
                okr_store.close_open(
                    session, TEAM, CHANNEL, f"Q{quarter}", start + timedelta(weeks=13)
                )
    return per_quarter[-1]


def measure(runs: int, work: Callable[[], object]) -> tuple[list[float], list[float]]:
    """(CPU seconds, wall seconds) of each run, after one warm-up run."""
    work()
    cpu, wall = [], []
    for _ in range(runs):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        work()
        cpu.append(time.process_time() - cpu_start)
        wall.append(time.perf_counter() - wall_start)
    return cpu, wall


def server_milliseconds(runtime: Runtime, work: Callable[[], object]) -> float | None:
    """PostgreSQL only: the server's planning + execution time of one run's statements
    (EXPLAIN ANALYZE of each), which the client's CPU time leaves out."""
    if runtime.engine.dialect.name != "postgresql":
        return None
    statements: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(runtime.engine, "before_cursor_execute", grab)
    try:
        work()
    finally:
        event.remove(runtime.engine, "before_cursor_execute", grab)
    total = 0.0
    with runtime.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for statement, parameters in statements:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            plan = cursor.fetchone()[0][0]
            total += plan["Planning Time"] + plan["Execution Time"]
    return total


def report(name: str, cpu: list[float], wall: list[float]) -> str:
    p99 = percentile(cpu, 0.99) * 1000
    verdict = "PASS" if p99 < 100 else "MISS"
    return (
        f"{name:<34} CPU p50 {percentile(cpu, 0.5) * 1000:7.2f} ms  p99 {p99:7.2f} ms   "
        f"wall p50 {percentile(wall, 0.5) * 1000:7.2f} ms  p99 "
        f"{percentile(wall, 0.99) * 1000:7.2f} ms   {verdict} (< 100 ms)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", help="postgresql+psycopg://… (default: SQLite file)")
    args = parser.parse_args()
    fake = FakeSlack().start()
    try:
        with bench_database(args.database_url) as database_url:
            settings = load_settings(
                slack_bot_token=TOKEN,
                slack_signing_secret="bench",
                database_url=database_url,
                slack_api_url=fake.url,
                _env_file=None,
            )
            runtime = build_runtime(settings)
            runtime.now = lambda: NOW
            seed(runtime, random.Random(11))
            open_objectives = seed_okrs(runtime, random.Random(12))
            client = runtime.client_for(TEAM)
            config = weekly_config(runtime, TEAM, CHANNEL)
            with transaction(runtime.sessions) as session:
                latest = session.scalars(select(Weekly).where(Weekly.local_date == TODAY)).one()
                weekly_id = latest.id

            def insight() -> object:
                with transaction(runtime.sessions) as session:
                    return compute_insight(session, TEAM, CHANNEL, TODAY, PEOPLE)

            def agenda_view() -> object:
                # The parent as `post_agenda` gathers and renders it, and the insight reply.
                parent = agenda._agenda_view(runtime, client, config, weekly_id)
                with transaction(runtime.sessions) as session:
                    weekly = session.get_one(Weekly, weekly_id)
                    figures = compute_insight(session, TEAM, CHANNEL, TODAY, PEOPLE, weekly)
                return parent, agenda_insight_message(config.language, figures)

            figures = insight()
            parent, _ = agenda_view()  # type: ignore[misc]
            insight_cpu, insight_wall = measure(args.runs, insight)
            agenda_cpu, agenda_wall = measure(args.runs, agenda_view)
            servers = [
                percentile([server_milliseconds(runtime, work) or 0.0 for _ in range(9)], 0.5)
                if runtime.engine.dialect.name == "postgresql"
                else None
                for work in (insight, agenda_view)
            ]
            runtime.engine.dispose()
    finally:
        fake.stop()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"Insight bench on {backend}: {len(PEOPLE)} people, {DAILIES} Dailies, {ITEMS} items on "
        f"{WEEKLIES} agendas, {OKRS} OKRs ({open_objectives} open); "
        f"{args.runs} runs each"
    )
    print(f"figures: {figures}")
    print(f"agenda parent: {len(parent.message[1])} blocks; Slack calls made: {len(fake.calls)}")
    print(report("compute the insight", insight_cpu, insight_wall))
    print(report("gather + render the agenda", agenda_cpu, agenda_wall))
    if servers[0] is not None:
        print(
            f"PostgreSQL server, median of 9 runs (EXPLAIN ANALYZE, planning + execution): insight "
            f"{servers[0]:.2f} ms, agenda {servers[1]:.2f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
