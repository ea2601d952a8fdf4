"""The clock with many channels: planned in a few queries, run in parallel, each channel in turn."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from _pytest.monkeypatch import MonkeyPatch
from sqlalchemy import event

from bot.runtime import Runtime
from schedules.clock import Clock, TickReport, tick
from schedules.jobs import JOBS
from schedules.plan import plan_tick
from schedules.runner import CHANNEL_GAP_SECONDS
from storage.channels import update_channel
from storage.db import transaction
from tests.conftest import TEAM, BotUnderTest


def _at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Thursday 26 November 2026, a Daily day, in Berlin (the default time zone)."""
    return datetime(2026, 11, 26, hour, minute, second, tzinfo=ZoneInfo("Europe/Berlin"))


def _channels(bot: BotUnderTest, count: int) -> list[str]:
    channels = [f"C{n:04d}" for n in range(1, count + 1)]
    with transaction(bot.runtime.sessions) as session:
        for channel in channels:
            update_channel(session, TEAM, channel, daily_state="on")
    return channels


def test_planning_takes_the_same_few_queries_for_one_or_forty_channels(
    bot: BotUnderTest,
) -> None:
    def statements_to_plan() -> int:
        statements: list[str] = []

        def record(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(bot.runtime.engine, "before_cursor_execute", record)
        try:
            plan = plan_tick(bot.runtime, _at(8), _at(9, 0, 10).astimezone(UTC))
        finally:
            event.remove(bot.runtime.engine, "before_cursor_execute", record)
        assert plan.runs
        return len(statements)

    _channels(bot, 1)
    few = statements_to_plan()
    _channels(bot, 40)
    assert statements_to_plan() == few <= 5


@dataclass
class StubJobs:
    """Stands in for the jobs: records when each run started and ended, per thread."""

    seconds: float
    runs: list[tuple[str, str, float, float]] = field(default_factory=list)
    running: int = 0
    most_at_once: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, job: str) -> Callable[[Runtime, str, str, datetime], None]:
        def run(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> None:
            with self.lock:
                self.running += 1
                self.most_at_once = max(self.most_at_once, self.running)
            started = time.monotonic()
            time.sleep(self.seconds)
            with self.lock:
                self.running -= 1
                self.runs.append((channel_id, job, started, time.monotonic()))

        return run


def test_fifty_channels_due_at_once_run_in_parallel(
    bot: BotUnderTest, monkeypatch: MonkeyPatch
) -> None:
    _channels(bot, 50)
    stub = StubJobs(seconds=0.3)
    monkeypatch.setitem(JOBS, "daily-prompt", stub("daily-prompt"))
    bot.clock.set(_at(9, 0, 10))
    started = time.monotonic()
    report = tick(bot.runtime)
    elapsed = time.monotonic() - started
    assert report.ran == 50
    assert stub.most_at_once >= 16, stub.most_at_once
    assert elapsed < 50 * 0.3 / 4, f"{elapsed:.1f} s: not run in parallel"


def test_one_channels_runs_go_one_after_another_a_second_apart(
    bot: BotUnderTest, monkeypatch: MonkeyPatch
) -> None:
    channels = _channels(bot, 5)
    stub = StubJobs(seconds=0.05)
    for job in ("daily-prompt", "daily-summary"):
        monkeypatch.setitem(JOBS, job, stub(job))
    bot.clock.set(_at(12, 5))
    assert tick(bot.runtime).ran == 10
    for channel in channels:
        [(_, first, _, first_end), (_, second, second_start, _)] = sorted(
            (run for run in stub.runs if run[0] == channel), key=lambda run: run[2]
        )
        assert (first, second) == ("daily-prompt", "daily-summary")
        assert second_start - first_end >= CHANNEL_GAP_SECONDS * 0.99


def test_a_slow_channel_holds_up_neither_the_tick_nor_the_other_channels(
    bot: BotUnderTest, monkeypatch: MonkeyPatch
) -> None:
    _channels(bot, 4)
    release = threading.Event()
    stub = StubJobs(seconds=0.01)
    quick = stub("daily-prompt")

    def stuck_on_c0001(runtime: Runtime, team_id: str, channel_id: str, at: datetime) -> None:
        if channel_id == "C0001":
            release.wait(30)
        quick(runtime, team_id, channel_id, at)

    monkeypatch.setitem(JOBS, "daily-prompt", stuck_on_c0001)
    bot.clock.set(_at(9, 0, 10))
    clock = Clock(bot.runtime, workers=4)
    try:
        first = clock.tick(wait_seconds=3)
        assert (first.ran, first.still_running) == (3, 1)
        bot.clock.set(_at(9, 0, 40))
        second = clock.tick(wait_seconds=1)
        assert [line for line in second.lines() if "C0001" in line] == [
            "skipped daily-prompt T0001/C0001 2026-11-26: still running from an earlier tick"
        ]
    finally:
        release.set()
        clock.close()
    assert sorted(run[0] for run in stub.runs) == ["C0001", "C0002", "C0003", "C0004"]


def test_three_clocks_at_once_post_each_channels_prompt_once(bot: BotUnderTest) -> None:
    channels = _channels(bot, 12)
    bot.clock.set(_at(9, 0, 10))
    reports: list[TickReport] = []
    errors: list[BaseException] = []

    def clock() -> None:
        try:
            reports.append(tick(bot.runtime))
        except BaseException as error:  # surfaced below
            errors.append(error)

    clocks = [threading.Thread(target=clock) for _ in range(3)]
    for thread in clocks:
        thread.start()
    for thread in clocks:
        thread.join(60)
    assert not errors
    assert sum(report.ran for report in reports) == len(channels)
    prompts = [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" not in c.params]
    posted = sorted(str(call.params["channel"]) for call in prompts)
    assert posted == channels
