"""The clock's tick when thousands of channels are due in the same minute.

    .venv/bin/python bench/clock.py [--channels 1000 10000] [--latency 0.1] [--workers 32] \
        [--weekly-share 0.1] [--clocks 1] [--database-url postgresql+psycopg://…]

For each size, a fresh database (a SQLite file in a temporary directory, or a throwaway schema
of the PostgreSQL at `--database-url`) gets that many active channels, all with their Daily
prompt due at the same instant (Thursday 2026-11-26 09:00 UTC, in six time zones) and each
with reminder and summary times of its own, so that nearly every channel has a schedule no
other shares and planning cannot lean on the shared-schedule cache. A share of the channels
(`--weekly-share`) also has its Weekly's call for items due then: those post twice in the tick,
which shows whether the clock keeps one channel under one message per second.

The real clock (`schedules.clock.Clock`, the production pool and jobs) runs one tick against a
minimal fake Slack Web API in a process of its own (`bench/slow_slack.py`) that answers every
call after `--latency` seconds (100 ms by default) and records when each call arrived and was
answered. `--clocks 2` adds a second clock process ticking at the same moment. Printed:

- planning time (`plan_tick` alone, inside the tick, and the tick after, all runs done);
- time from the tick's start until the last prompt and the last post were answered, and posts/s;
- the most posts any one channel received within one second (must be ≤ 1);
- this clock process's CPU, its statements and transactions per run, and where the machine's
  CPU went (the clock, the fake Slack, other clocks, everything else: the database server on
  PostgreSQL, other people's tests) with the load average — other processes show in the figures;
- PASS or MISS against the goals: every prompt posted once, within 60 s for 10,000 channels,
  planning < 1 s, ≤ 1 post/s per channel.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `bench` and `tests` importable
    sys.path.insert(0, str(ROOT))

from bench.harness import cpu_snapshot, cpu_use, format_cpu  # noqa: E402
from bench.slow_slack import SlowSlack  # noqa: E402

TEAM, TOKEN = "T0001", "xoxb-bench"
DUE_AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday
# The tick runs as if 10 s after the prompts were due.
TICK_DELAY = timedelta(seconds=10)
ZONES = ["UTC", "Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Tokyo"]
GOAL_SECONDS_FOR_10K = 60.0
GOAL_PLANNING_SECONDS = 1.0


# -- more clock processes (`--clocks`): leases share the work ------------------------------


def _settings(database_url: str, slack_url: str) -> Any:
    from bot.settings import load_settings

    return load_settings(
        slack_bot_token=TOKEN,
        database_url=database_url,
        slack_api_url=slack_url,
        default_timezone="UTC",
        _env_file=None,
    )


def _other_clock(database_url: str, slack_url: str, workers: int, start: Any, results: Any) -> None:
    """A second clock process ticking at the same moment as the bench's own clock."""
    from bot.runtime import build_runtime
    from schedules.clock import Clock

    runtime = build_runtime(_settings(database_url, slack_url), migrate=False)
    start.wait()
    now = DUE_AT + TICK_DELAY
    runtime.now = _clock_from(now, time.monotonic())
    clock = Clock(runtime, workers=workers)
    try:
        report = clock.tick(since=now - timedelta(seconds=30), wait_seconds=None)
    finally:
        clock.close()
        runtime.engine.dispose()
    results.put((report.ran, report.failed))


class OtherClocks:
    def __init__(self, count: int, database_url: str, slack_url: str, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._start = context.Event()
        self._results = context.Queue()
        self._processes = [
            context.Process(
                target=_other_clock,
                args=(database_url, slack_url, workers, self._start, self._results),
                daemon=True,
            )
            for _ in range(count)
        ]
        for process in self._processes:
            process.start()

    def start(self) -> None:
        self._start.set()

    def results(self) -> tuple[int, int]:
        """Runs done and failed by the other clocks, once they finished."""
        ran = failed = 0
        for _ in self._processes:
            other_ran, other_failed = self._results.get(timeout=600)
            ran, failed = ran + other_ran, failed + other_failed
        for process in self._processes:
            process.join(10)
        return ran, failed

    @property
    def pids(self) -> set[int]:
        return {process.pid for process in self._processes if process.pid is not None}


# -- the workspace ------------------------------------------------------------------------


def channel_rows(count: int, weekly_share: float) -> list[dict[str, Any]]:
    """Prompts all due at DUE_AT, in several zones; reminder and summary times all different."""
    rows = []
    weekly_every = round(1 / weekly_share) if weekly_share > 0 else 0
    for n in range(count):
        zone = ZONES[n % len(ZONES)]
        local = DUE_AT.astimezone(ZoneInfo(zone))
        spread = n // len(ZONES)
        # After the prompt on the same local day (18:00 in Tokyo leaves six hours), and
        # distinct per channel: 120 × 120 pairs per zone.
        reminder_at = local + timedelta(minutes=1 + spread % 120)
        summary_at = reminder_at + timedelta(minutes=1 + (spread // 120) % 120)
        reminder, summary = reminder_at.strftime("%H:%M"), summary_at.strftime("%H:%M")
        weekly = weekly_every > 0 and n % weekly_every == 0
        rows.append(
            {
                "team_id": TEAM,
                "channel_id": f"C{n:07d}",
                "active": True,
                "daily_state": "on",  # the bot was added: the Daily is scheduled
                "timezone": zone,
                "daily_weekdays": "0,1,2,3,4,5,6",
                "daily_prompt_time": local.strftime("%H:%M"),
                "daily_reminder_time": reminder,
                "daily_summary_time": summary,
                # The call goes out the working day before the Weekly: Thursday for a Friday.
                "weekly_active": weekly,
                "weekly_weekday": (local.date() + timedelta(days=1)).weekday(),
                "weekly_time": "10:00",
                "weekly_call_time": local.strftime("%H:%M"),
            }
        )
    return rows


def most_posts_in_one_second(times: list[float]) -> int:
    """The most of these instants within any one-second window [t, t + 1)."""
    ordered = sorted(times)
    return max(
        (bisect_left(ordered, start + 1.0) - i for i, start in enumerate(ordered)), default=0
    )


@dataclass
class Result:
    channels: int
    clocks: int
    posts_expected: int
    planning_alone: float
    planning_in_tick: float
    planning_when_done: float
    last_prompt: float
    last_post: float
    prompts: int
    duplicate_prompts: int
    posts: int
    max_per_channel_second: int
    clock_cpu_share: float
    clock_cpu_per_run: float
    statements_per_run: float
    transactions_per_run: float
    cpu_split: str
    load_average: float
    ran: int
    failed: int
    still_running: int


def bench_size(
    database_url: str,
    fake: SlowSlack,
    count: int,
    weekly_share: float,
    workers: int,
    clocks: int = 1,
) -> Result:
    from sqlalchemy import insert

    from bot.daily import render
    from bot.runtime import build_runtime
    from schedules.clock import Clock
    from schedules.plan import plan_tick
    from storage.db import transaction
    from storage.models import Channel

    runtime = build_runtime(_settings(database_url, fake.url))
    rows = channel_rows(count, weekly_share)
    with transaction(runtime.sessions) as session:
        session.execute(insert(Channel), rows)
    now = DUE_AT + TICK_DELAY
    started_planning = time.perf_counter()
    plan = plan_tick(runtime, now - timedelta(seconds=30), now, report_done=False)
    planning_alone = time.perf_counter() - started_planning
    expected = len(plan.runs)
    fake.take_calls()  # nothing yet, but start from a clean record

    others = OtherClocks(clocks - 1, database_url, fake.url, workers) if clocks > 1 else None
    time.sleep(5 if others else 0)  # let them start up
    counts = StatementCounter(runtime.engine)
    cpu_before = cpu_snapshot()
    tick_started_wall = time.time()
    cpu_started = time.process_time()
    tick_started = time.monotonic()
    runtime.now = _clock_from(now, tick_started)
    clock = Clock(runtime, workers=workers)
    try:
        if others:
            others.start()
        report = clock.tick(since=now - timedelta(seconds=30), wait_seconds=None)
        tick_seconds = time.monotonic() - tick_started
        clock_cpu = time.process_time() - cpu_started
        load = os.getloadavg()[0]
        counts.stop()
        other_pids = others.pids if others else set()
        groups: dict[str, Callable[[int, int], bool]] = {
            "clock": lambda pid, _pgrp: pid == os.getpid(),
            "fake Slack": lambda pid, _pgrp: pid == fake.pid,
            "other clocks": lambda pid, _pgrp: pid in other_pids,
        }
        cpu_split = format_cpu(cpu_use(cpu_before, cpu_snapshot(), groups), groups)
        others_ran, others_failed = others.results() if others else (0, 0)
        # The steady state: the next tick finds every run of the day done.
        later = runtime.now()
        started_planning = time.perf_counter()
        plan_tick(runtime, later - timedelta(seconds=30), later, report_done=False)
        planning_when_done = time.perf_counter() - started_planning
    finally:
        clock.close()
        runtime.engine.dispose()
    posts = [call for call in fake.take_calls() if call.method == "chat.postMessage"]
    prompt_text, _ = render.prompt_message("en", (DUE_AT + TICK_DELAY).date())
    prompts = [post for post in posts if post.text == prompt_text]
    per_channel: dict[str, list[float]] = defaultdict(list)
    for post in posts:
        per_channel[post.channel].append(post.received)
    prompt_counts = Counter(post.channel for post in prompts)
    return Result(
        channels=count,
        clocks=clocks,
        posts_expected=expected,
        planning_alone=planning_alone,
        planning_in_tick=report.planning_seconds,
        planning_when_done=planning_when_done,
        last_prompt=max((p.answered for p in prompts), default=tick_started_wall)
        - tick_started_wall,
        last_post=max((p.answered for p in posts), default=tick_started_wall) - tick_started_wall,
        prompts=len(prompt_counts),
        duplicate_prompts=sum(n - 1 for n in prompt_counts.values()),
        posts=len(posts),
        max_per_channel_second=max(
            (most_posts_in_one_second(times) for times in per_channel.values()), default=0
        ),
        clock_cpu_share=clock_cpu / tick_seconds,
        clock_cpu_per_run=clock_cpu / max(report.ran, 1),
        statements_per_run=counts.statements / max(report.ran, 1),
        transactions_per_run=counts.transactions / max(report.ran, 1),
        cpu_split=cpu_split,
        load_average=load,
        ran=report.ran + others_ran,
        failed=report.failed + others_failed,
        still_running=report.still_running,
    )


class StatementCounter:
    """Statements sent (SQLite's BEGIN IMMEDIATE among them) and transactions with a BEGIN and
    a COMMIT on this process's engine, the tick's planning included: the database round trips
    a run costs."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        from storage.plain import statements_sent

        self.transactions = 0
        self._through_sqlalchemy = 0
        self._plain_before = statements_sent()
        self._plain_after: int | None = None
        self._engine = engine
        self._listening = True
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)

    @property
    def statements(self) -> int:
        """Through SQLAlchemy and plain SQL on the driver's cursor (`storage.plain`)."""
        from storage.plain import statements_sent

        plain_after = statements_sent() if self._plain_after is None else self._plain_after
        return self._through_sqlalchemy + plain_after - self._plain_before

    def _statement(self, *_args: Any) -> None:
        self._through_sqlalchemy += 1

    def _begin(self, connection: Any) -> None:
        # Single statements in autocommit (`storage.db.alone`) have no BEGIN or COMMIT.
        options = connection.get_execution_options()
        if options.get("isolation_level") != "AUTOCOMMIT" and not options.get("redthread_alone"):
            self.transactions += 1

    def stop(self) -> None:
        from sqlalchemy import event

        if self._listening:
            from storage.plain import statements_sent

            self._plain_after = statements_sent()
            event.remove(self._engine, "before_cursor_execute", self._statement)
            event.remove(self._engine, "begin", self._begin)
            self._listening = False


def _clock_from(start: datetime, monotonic_start: float) -> Callable[[], datetime]:
    """`runtime.now` as if the tick began at `start`, running on in real time."""
    return lambda: start + timedelta(seconds=time.monotonic() - monotonic_start)


def postgres_schema(base_url: str) -> tuple[str, Callable[[], None]]:
    from bench.weekly import postgres_schema as throwaway_schema

    url, drop = throwaway_schema(base_url)
    return url, drop


def print_result(result: Result, backend: str) -> bool:
    goal = GOAL_SECONDS_FOR_10K * max(1.0, result.channels / 10_000)
    complete = result.prompts == result.channels and result.duplicate_prompts == 0
    checks = {
        f"every prompt once ({result.prompts}/{result.channels}, "
        f"{result.duplicate_prompts} twice)": complete,
        f"all prompts within {goal:.0f} s": result.last_prompt <= goal,
        f"planning < {GOAL_PLANNING_SECONDS:.0f} s": max(
            result.planning_alone, result.planning_in_tick, result.planning_when_done
        )
        < GOAL_PLANNING_SECONDS,
        "≤ 1 post/s per channel": result.max_per_channel_second <= 1,
        f"every run ran once ({result.ran}/{result.posts_expected}), none failed": result.ran
        == result.posts_expected
        and result.failed == 0
        and result.still_running == 0,
    }
    clocks = f", {result.clocks} clock processes" if result.clocks > 1 else ""
    print(
        f"{backend}, {result.channels:,} channels due at once "
        f"({result.posts_expected} runs{clocks}):"
    )
    print(
        f"  planning {result.planning_alone * 1000:.0f} ms alone, "
        f"{result.planning_in_tick * 1000:.0f} ms in the tick, "
        f"{result.planning_when_done * 1000:.0f} ms the tick after (every run done)"
    )
    print(
        f"  last prompt after {result.last_prompt:.1f} s, last post after {result.last_post:.1f} s;"
        f" {result.posts:,} posts, {result.posts / max(result.last_post, 1e-9):.0f} posts/s"
    )
    print(f"  most posts in one channel within one second: {result.max_per_channel_second}")
    print(
        f"  this clock's CPU: {result.clock_cpu_share * 100:.0f} % of one core, "
        f"{result.clock_cpu_per_run * 1000:.1f} ms a run; machine load {result.load_average:.1f}"
    )
    print(
        f"  database: {result.statements_per_run:.1f} statements and "
        f"{result.transactions_per_run:.1f} transactions a run (this clock)"
    )
    print(f"  during the tick, {result.cpu_split}")
    for check, ok in checks.items():
        print(f"  {'PASS' if ok else 'MISS'} {check}")
    return all(checks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--channels", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--latency", type=float, default=0.1, help="fake Slack, seconds a call")
    parser.add_argument("--workers", type=int, default=None, help="the clock's pool size")
    parser.add_argument("--weekly-share", type=float, default=0.1)
    parser.add_argument(
        "--clocks", type=int, default=1, help="clock processes ticking at once (leases share)"
    )
    parser.add_argument("--database-url", help="postgresql+psycopg://… (default: SQLite file)")
    args = parser.parse_args()
    from schedules.clock import WORKERS

    backend = "PostgreSQL" if args.database_url else "SQLite"
    fake = SlowSlack(args.latency)
    passed = True
    try:
        for count in args.channels:
            with tempfile.TemporaryDirectory() as directory:
                drop: Callable[[], None] | None = None
                database_url = f"sqlite:///{Path(directory) / 'bench.db'}"
                if args.database_url:
                    database_url, drop = postgres_schema(args.database_url)
                try:
                    result = bench_size(
                        database_url,
                        fake,
                        count,
                        args.weekly_share,
                        args.workers or WORKERS,
                        args.clocks,
                    )
                finally:
                    if drop is not None:
                        drop()
                passed = print_result(result, backend) and passed
    finally:
        fake.stop()
    print(f"(fake Slack latency {args.latency * 1000:.0f} ms; {date.today().isoformat()})")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
