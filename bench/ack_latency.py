"""Ack latency of `/daily today: … highlight: … impediment: …` under 50 concurrent clients.

Serves the real Redthread app the production way (`python -m bot serve`: gunicorn, gthread)
and, in the same run, a bare Bolt app that only acks (`bench/bare_bolt_app.py`, same gunicorn
settings, same WSGI adapter). Both get the same kind of signed slash commands from the same
load generator, in interleaved rounds; a latency is the time from sending a request to having
read its answer (client side, as Slack would wait). Redthread talks to the fake Slack Web API
of `bot/sandbox/slack` (a process of its own) and to a SQLite file in a temporary directory, or
to PostgreSQL with `--database-url` (a throwaway schema, dropped afterwards).

    .venv/bin/python bench/ack_latency.py [--rounds 4] [--requests 1500] [--concurrency 50]

Everything listens on and talks to 127.0.0.1 only (Redthread's own `serve` binds 0.0.0.0, as
in production); the run is bounded in requests and time and stops its processes itself.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import secrets
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `bench` and `tests` importable
    sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    FAKE_SLACK_NICENESS,
    FakeSlackProcess,
    LoadResult,
    Server,
    connections_per_worker,
    cpu_snapshot,
    cpu_use,
    format_cpu,
    inbox_worker_pids,
    run_load,
    start_server,
    stop_server,
    wait_healthy,
)
from bot.sandbox.slack.driver import VERIFICATION_TOKEN  # noqa: E402

COMMAND_TEXT = "today: call Müller AG highlight: signed ACME impediment: none"
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-test"
TEAM_ID = "T0001"
GOAL_P99_RATIO = 1.3
# Variables of the developer's shell that would change what is measured.
APP_VARIABLES = ("SLACK_", "DATABASE_URL", "PORT", "WEB_CONCURRENCY", "WEB_THREADS", "DEFAULT_")
RED, BARE = "redthread", "bare Bolt"


# -- workload ---------------------------------------------------------------------------------


def user_id(team: int, member: int) -> str:
    return f"U{team:04d}{member:02d}"


def channel_id(team: int) -> str:
    return f"C{team:05d}"


@dataclass(frozen=True)
class Workload:
    """Teams of `team_size` people, each team in a channel of its own.

    Warm-up: the first member of every team answers, which opens that channel's Daily (the
    prompt, as the clock would have posted it) and warms every worker. Measured: the other
    members answer, each once, so every request does the full first-answer work after the
    ack (users.info, storing the update, posting it in the Daily's thread, the ephemeral ack).
    Round r takes the r-th slice of the measured answers: new people, nothing repeated.
    """

    requests: int  # measured, per app and round
    rounds: int
    team_size: int

    @property
    def teams(self) -> int:
        return math.ceil(self.requests * self.rounds / (self.team_size - 1))

    def people(self) -> list[tuple[str, str, str]]:
        """(user id, name, locale) of everyone, for the fake Slack's users.info."""
        first = ["Anna", "Ben", "Carla", "Deniz", "Emil", "Fatma", "Gero", "Hanna", "Ilja"]
        return [
            (
                user_id(team, member),
                f"{first[member % len(first)]} {team}-{member}",
                "de-DE" if member % 3 == 0 else "en-US",
            )
            for team in range(self.teams)
            for member in range(self.team_size)
        ]

    def channels(self) -> dict[str, list[str]]:
        return {
            channel_id(team): [*(user_id(team, m) for m in range(self.team_size)), "UBOT"]
            for team in range(self.teams)
        }

    def warmup(self) -> list[tuple[str, str]]:
        return [(channel_id(team), user_id(team, 0)) for team in range(self.teams)]

    def measured(self, round_index: int) -> list[tuple[str, str]]:
        per_team = self.team_size - 1
        first = round_index * self.requests
        return [
            (channel_id(i // per_team), user_id(i // per_team, 1 + i % per_team))
            for i in range(first, first + self.requests)
        ]


def command_bodies(senders: list[tuple[str, str]], hooks_url: str) -> list[bytes]:
    """Form bodies as Slack sends a slash command (fields as in bot/sandbox/slack/driver.py)."""
    bodies = []
    for channel, user in senders:
        serial = secrets.token_hex(6)
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "team_domain": "redthread-test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/daily",
            "text": COMMAND_TEXT,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": f"{hooks_url}/commands/{TEAM_ID}/{serial}/{secrets.token_hex(12)}",
            "trigger_id": f"{secrets.randbelow(10**9)}.{secrets.randbelow(10**9)}."
            f"{secrets.token_hex(16)}",
        }
        bodies.append(urlencode(fields).encode())
    return bodies


@contextlib.contextmanager
def database(url: str | None, workdir: Path) -> Iterator[str]:
    """A SQLite file in `workdir`, or a throwaway schema in the given PostgreSQL database."""
    if url is None:
        yield f"sqlite:///{workdir / 'redthread.db'}"
        return
    from sqlalchemy import create_engine, text

    from bot.settings import load_settings

    url = load_settings(database_url=url).database_url  # postgres:// → postgresql+psycopg://
    if not url.startswith("postgresql"):
        yield url
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# -- figures ----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Row:
    label: str
    n: int
    p50: float
    p90: float
    p99: float
    max: float
    mean: float
    rate: float
    other: str

    @classmethod
    def of(cls, label: str, results: list[LoadResult]) -> Row:
        latencies = sorted(v for r in results for v in r.latencies)
        values = latencies or [math.nan]
        statuses: Counter[str] = sum((r.statuses for r in results), Counter())
        other = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()) if k != "200")
        wall = sum(r.wall for r in results)
        return cls(
            label=label,
            n=len(latencies),
            p50=percentile(values, 50),
            p90=percentile(values, 90),
            p99=percentile(values, 99),
            max=values[-1],
            mean=statistics.fmean(values),
            rate=sum(statuses.values()) / wall if wall else math.nan,
            other=other or "none",
        )

    def line(self, first_column: str) -> str:
        return (
            f"{first_column:<6}{self.label:<11} {self.n:>6} {self.p50 * 1e3:>8.1f} "
            f"{self.p90 * 1e3:>8.1f} {self.p99 * 1e3:>8.1f} {self.max * 1e3:>8.1f} "
            f"{self.mean * 1e3:>8.1f} {self.rate:>7.0f}  {self.other}"
        )


HEADER = (
    f"{'round':<6}{'app':<11} {'ok':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
    f"{'mean ms':>8} {'req/s':>7}  not 200"
)


def summarise_log(server: Server, limit: int = 5) -> None:
    """Warnings and errors of a server, the same message counted once (timestamp cut off)."""
    worrying: Counter[str] = Counter()
    for line in server.log_lines():
        if any(word in line for word in (" ERROR ", " WARNING ", "Traceback", "CRITICAL")):
            worrying[line[24:] if line[:2] == "20" else line] += 1
    if not worrying:
        print(f"{server.name} log: no warnings or errors")
        return
    print(f"{server.name} log: {sum(worrying.values())} warning/error lines:")
    for message, count in worrying.most_common(limit):
        print(f"  {count} x {message[:160]}")


# -- the run ----------------------------------------------------------------------------------


@dataclass
class Bench:
    args: argparse.Namespace
    fake: FakeSlackProcess
    servers: dict[str, Server]
    results: dict[str, list[LoadResult]] = field(default_factory=dict)
    work: Counter[str] = field(default_factory=Counter)  # Redthread's Web API calls, all rounds
    problems: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # user id → display name
    post_delays: list[float] = field(default_factory=list)  # ack → update in the thread, s

    def cpu_groups(self) -> dict[str, Any]:
        bench_pid, fake_pid = os.getpid(), self.fake.pid
        groups: dict[str, Any] = {
            "load generator": lambda pid, _pgrp: pid == bench_pid,
            "fake Slack": lambda pid, _pgrp: pid == fake_pid,
        }
        for name, server in self.servers.items():
            if name == RED:  # serve's inbox worker (the work after the ack), shown apart
                workers = inbox_worker_pids(server)
                groups["inbox worker"] = lambda pid, _pgrp, workers=workers: pid in workers
            groups[name] = lambda _pid, pgrp, leader=server.process.pid: pgrp == leader
        return groups

    def warm_up(self, name: str, bodies: list[bytes]) -> None:
        server = self.servers[name]
        print(f"[{name}] warm-up: {len(bodies)} requests", flush=True)
        a = self.args
        result = run_load(
            server.port, bodies, a.concurrency, a.time_limit, SIGNING_SECRET, a.per_connection
        )
        if name == RED:  # the warm-up's work after the ack must be done before measuring
            _, done = self.fake.wait_for_calls("chat.postEphemeral", result.acked, a.drain)
            if not done:
                self.problems.append(f"warm-up work not finished within {a.drain:.0f} s")

    def measure(
        self, round_number: int, name: str, bodies: list[bytes], senders: list[tuple[str, str]]
    ) -> None:
        server, a = self.servers[name], self.args
        self.fake.reset()
        split: list[int] = []
        sampler = threading.Timer(0.5, lambda: split.extend(connections_per_worker(server)))
        sampler.start()
        before = cpu_snapshot()
        result = run_load(
            server.port,
            bodies,
            a.concurrency,
            a.time_limit,
            SIGNING_SECRET,
            a.per_connection,
            a.rate,
        )
        after = cpu_snapshot()
        sampler.cancel()
        self.results.setdefault(name, []).append(result)
        print(Row.of(name, [result]).line(str(round_number)), flush=True)
        notes = [format_cpu(cpu_use(before, after, self.cpu_groups()), self.cpu_groups())]
        if split:  # keep-alive pins each client to one worker; an uneven split skews figures
            notes.append(f"clients per gunicorn worker {'/'.join(map(str, split))}")
        if result.stopped_early:
            notes.append(f"stopped at the {a.time_limit:.0f} s limit")
        if name == RED:
            notes.append(self.drain(result))
            notes.append(self.post_delay(result, [user for _channel, user in senders]))
        for note in notes:
            print(f"        {note}", flush=True)

    def post_delay(self, result: LoadResult, users: list[str]) -> str:
        """From each ack (client side) to its update's chat.postMessage (fake Slack side)."""
        posted = self.fake.posted_at({user: self.names[user] for user in users})
        delays = [
            posted[users[job]] - acked
            for job, acked in result.acked_at.items()
            if users[job] in posted
        ]
        self.post_delays += delays
        return f"ack → update in the thread: {delay_figures(delays)}"

    def drain(self, result: LoadResult) -> str:
        """Waits for Redthread's work after the acks of this round and checks it was done."""
        during = self.fake.counts()["methods"].get("chat.postEphemeral", 0)
        counts, done = self.fake.wait_for_calls("chat.postEphemeral", result.acked, self.args.drain)
        after_last = time.perf_counter() - result.last_answered
        methods = counts["methods"]
        self.work.update(methods)
        posted = methods.get("chat.postMessage", 0)
        if not done or posted != result.acked:
            self.problems.append(
                f"a round's work: {posted} thread replies and "
                f"{methods.get('chat.postEphemeral', 0)} ephemerals for {result.acked} acks"
            )
        self.problems += counts["problems"] + counts["errors"]
        state = "done" if done else "NOT done"
        return (
            f"work after the acks: {during} of {result.acked} finished during the phase, "
            f"all {state} {after_last:.1f} s after the last ack"
        )


def delay_figures(delays: list[float]) -> str:
    ordered = sorted(delays) or [math.nan]
    return (
        f"p50 {percentile(ordered, 50) * 1e3:.0f} ms, p99 {percentile(ordered, 99) * 1e3:.0f} ms, "
        f"max {ordered[-1] * 1e3:.0f} ms (n={len(delays)})"
    )


def run(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> int:
    workload = Workload(args.requests, args.rounds, args.team_size)
    apps = [name for name in (BARE, RED) if args.only in (None, name.split()[0])]
    fake = FakeSlackProcess(workload.people(), workload.channels(), args.fake_niceness)
    servers: dict[str, Server] = {}
    try:
        env = env | {"SLACK_API_URL": fake.url}
        with database(args.database_url, workdir) as database_url:
            if BARE in apps:
                argv = [sys.executable, "-m", "bench.bare_bolt_app"]
                servers[BARE] = start_server("bare", argv, env, ROOT, workdir)
            if RED in apps:
                argv = [sys.executable, "-m", "bot", "serve"]
                red_env = env | {"DATABASE_URL": database_url}
                # Its own working directory: away from any .env in the developer's checkout.
                servers[RED] = start_server("redthread", argv, red_env, workdir, workdir)
            for server in servers.values():
                wait_healthy(server)
            names = {user: name for user, name, _locale in workload.people()}
            bench = Bench(args, fake, servers, names=names)
            warmup = command_bodies(workload.warmup(), fake.hooks_url)
            for name in apps:
                bench.warm_up(name, warmup)
            print(f"\n{HEADER}")
            for round_index in range(args.rounds):
                senders = workload.measured(round_index)
                bodies = command_bodies(senders, fake.hooks_url)
                order = apps if round_index % 2 == 0 else apps[::-1]  # ABBA: drift cancels
                for name in order:
                    bench.measure(round_index + 1, name, bodies, senders)
            report(bench, database_url.split(":", 1)[0])
    finally:
        for server in servers.values():
            stop_server(server)
        fake.stop()
    return 0


def report(bench: Bench, db_label: str) -> None:
    results, args = bench.results, bench.args
    print(f"pooled over the {args.rounds} round(s):")
    rows = {name: Row.of(name, results[name]) for name in results}
    for row in rows.values():
        print(row.line("all"))
    if len(rows) == 2:
        red, bare = rows[RED], rows[BARE]
        per_round = [
            Row.of(RED, [r]).p99 / Row.of(BARE, [b]).p99
            for r, b in zip(results[RED], results[BARE], strict=True)
        ]
        print(
            f"ratio redthread/bare (pooled): p50 {red.p50 / bare.p50:.2f}, "
            f"p99 {red.p99 / bare.p99:.2f}"
        )
        print(
            "p99 ratio per round: "
            + ", ".join(f"{ratio:.2f}" for ratio in per_round)
            + f" (median {statistics.median(per_round):.2f})"
        )
        verdict = "PASS" if red.p99 / bare.p99 <= GOAL_P99_RATIO else "MISS"
        print(f"goal: pooled p99 ratio ≤ {GOAL_P99_RATIO}: {verdict}")
    if RED in results:
        print(f"ack → the update in the Daily's thread: {delay_figures(bench.post_delays)}")
        acked = sum(r.acked for r in results[RED])
        calls = ", ".join(f"{m} {n}" for m, n in sorted(bench.work.items()))
        print(f"redthread database: {db_label}")
        print(f"fake Slack received in the measured rounds: {calls}")
        print(
            f"chat.postMessage: {bench.work['chat.postMessage']} "
            f"(expected {acked}: one thread reply per acknowledged request)"
        )
    for problem, count in Counter(bench.problems).most_common(5):
        print(f"PROBLEM: {count} x {problem}")
    for server in bench.servers.values():
        summarise_log(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds per app")
    parser.add_argument("--requests", type=int, default=1500, help="measured, per app and round")
    parser.add_argument("--concurrency", type=int, default=50, help="clients (connections)")
    parser.add_argument(
        "--per-connection",
        type=int,
        default=0,
        help="requests per keep-alive connection before a client reconnects (0: never)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="requests per second, open loop (an extra figure; 0: closed loop, the judged one)",
    )
    parser.add_argument("--team-size", type=int, default=12, help="people per team channel")
    parser.add_argument("--web-concurrency", type=int, help="gunicorn workers (app default)")
    parser.add_argument("--web-threads", type=int, help="threads per worker (app default)")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--time-limit", type=float, default=60, help="s per load phase")
    parser.add_argument("--drain", type=float, default=120, help="s to wait for background work")
    parser.add_argument(
        "--fake-niceness",
        type=int,
        default=FAKE_SLACK_NICENESS,
        help="OS niceness of the fake Slack process (Slack's API is not on our machine)",
    )
    parser.add_argument(
        "--only", choices=["redthread", "bare"], help="measure one app (no ratio; to profile)"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)  # stop the servers on `kill` too, not only ^C
    if args.team_size < 2 or min(args.requests, args.concurrency, args.rounds) < 1:
        parser.error("--team-size ≥ 2; --requests, --concurrency and --rounds ≥ 1")

    env = {k: v for k, v in os.environ.items() if not k.startswith(APP_VARIABLES)}
    env |= {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if args.web_concurrency is not None:
        env["WEB_CONCURRENCY"] = str(args.web_concurrency)
    if args.web_threads is not None:
        env["WEB_THREADS"] = str(args.web_threads)
    workers, threads = _gunicorn_settings(env)
    keep_alive = f"{args.per_connection} requests each" if args.per_connection else "whole round"
    print(
        f"ack latency of `/daily {COMMAND_TEXT}`: client-side time from sending a signed request "
        f"to reading its answer\n"
        f"{args.rounds} round(s) x {args.requests} measured requests per app, apps alternating "
        f"(ABBA), {args.concurrency} concurrent clients, keep-alive ({keep_alive}); "
        f"gunicorn gthread {workers} workers x {threads} threads; {os.cpu_count()} CPUs; "
        f"fake Slack at niceness {args.fake_niceness}",
        flush=True,
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="redthread-bench-") as tmp:
        status = run(args, env, Path(tmp))
    print(f"bench took {time.monotonic() - started:.0f} s")
    return status


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def _gunicorn_settings(env: dict[str, str]) -> tuple[int, int]:
    """Workers and threads as `python -m bot serve` will read them from this environment."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        from bot.server import GunicornServer

        server = GunicornServer(lambda: None, 0)  # type: ignore[arg-type, return-value]
        return int(server.cfg.workers), int(server.cfg.threads)
    finally:
        os.environ.clear()
        os.environ.update(saved)


if __name__ == "__main__":
    sys.exit(main())
