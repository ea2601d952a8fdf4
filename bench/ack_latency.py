"""Ack latency of `/daily today: … highlight: … impediment: …` under 50 concurrent clients.

Serves the real Redthread app the production way (`python -m bot serve`: gunicorn, gthread)
and, side by side in the same run, a bare Bolt app that only acks (`bench/bare_bolt_app.py`,
same gunicorn settings, same WSGI adapter). Both get the same signed slash commands from the
same load generator; the figures are the time from sending a request to reading its response.
Redthread talks to the fake Slack Web API of `tests/fakeslack` (in a process of its own, so
its work does not steal the load generator's GIL) and to a SQLite file in a temporary
directory, or to PostgreSQL with `--database-url` (a throwaway schema, dropped afterwards).

    .venv/bin/python bench/ack_latency.py [--requests 2000] [--concurrency 50]

Everything listens on and talks to 127.0.0.1 only (Redthread's own `serve` binds 0.0.0.0, as
in production); the run is bounded in requests and time and stops its processes itself.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import math
import multiprocessing
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `bench` and `tests` importable
    sys.path.insert(0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402

from tests.fakeslack.driver import FORM, VERIFICATION_TOKEN  # noqa: E402

COMMAND_TEXT = "today: call Müller AG highlight: signed ACME impediment: none"
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-test"
TEAM_ID = "T0001"
GOAL_P99_RATIO = 1.3
# Variables of the developer's shell that would change what is measured.
APP_VARIABLES = ("SLACK_", "DATABASE_URL", "PORT", "WEB_CONCURRENCY", "WEB_THREADS", "DEFAULT_")


# -- the fake Slack Web API, in a process of its own ----------------------------------------


def _fake_slack_process(conn: Connection, teams: int, team_size: int) -> None:
    """Serves FakeSlack and answers commands on `conn` until told to stop."""
    from tests.fakeslack import FakeSlack

    fake = FakeSlack(team_id=TEAM_ID).start()
    first_names = ["Anna", "Ben", "Carla", "Deniz", "Emil", "Fatma", "Gero", "Hanna", "Ilja"]
    for team in range(teams):
        ids = [user_id(team, member) for member in range(team_size)]
        for member, uid in enumerate(ids):
            name = f"{first_names[member % len(first_names)]} {team}-{member}"
            fake.add_user(uid, name=name, locale="de-DE" if member % 3 == 0 else "en-US")
        fake.set_members(channel_id(team), [*ids, "UBOT"])
    conn.send({"url": fake.url, "hooks_url": fake.hooks_url})
    try:
        while True:
            command = conn.recv()
            if command == "stop":
                break
            if command == "reset":
                fake.reset()
                conn.send(None)
            elif command == "counts":
                problems = [
                    f"{c.method} {c.error} {c.detail or ''}".strip()
                    for c in fake.rejected + fake.failed
                ]
                errors = [f"{c.method} {c.error}" for c in fake.calls if c.error]
                conn.send(
                    {
                        "methods": dict(Counter(c.method for c in fake.calls)),
                        "problems": problems,
                        "errors": errors,
                    }
                )
    finally:
        fake.stop()


class FakeSlackProcess:
    def __init__(self, teams: int, team_size: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_fake_slack_process, args=(child, teams, team_size), daemon=True
        )
        self._process.start()
        if not self._conn.poll(60):
            raise RuntimeError("the fake Slack did not start within 60 s")
        urls = self._conn.recv()
        self.url: str = urls["url"]
        self.hooks_url: str = urls["hooks_url"]

    def counts(self) -> dict[str, Any]:
        self._conn.send("counts")
        answer: dict[str, Any] = self._conn.recv()
        return answer

    def reset(self) -> None:
        self._conn.send("reset")
        self._conn.recv()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)


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
    """

    requests: int
    team_size: int

    @property
    def teams(self) -> int:
        return math.ceil(self.requests / (self.team_size - 1))

    def warmup(self) -> list[tuple[str, str]]:
        return [(channel_id(team), user_id(team, 0)) for team in range(self.teams)]

    def measured(self) -> list[tuple[str, str]]:
        per_team = self.team_size - 1
        return [
            (channel_id(i // per_team), user_id(i // per_team, 1 + i % per_team))
            for i in range(self.requests)
        ]


def command_bodies(senders: list[tuple[str, str]], hooks_url: str) -> list[bytes]:
    """Form bodies as Slack sends a slash command (fields as in tests/fakeslack/driver.py)."""
    bodies = []
    for serial, (channel, user) in enumerate(senders, start=1):
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
            "trigger_id": f"{serial}{secrets.randbelow(10**9)}.{secrets.randbelow(10**9)}."
            f"{secrets.token_hex(16)}",
        }
        bodies.append(urlencode(fields).encode())
    return bodies


# -- load generator ---------------------------------------------------------------------------


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, of 200 answers
    statuses: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0
    wall: float = 0.0
    first_sent: float = 0.0
    last_answered: float = 0.0
    stopped_early: bool = False


def run_load(
    port: int,
    bodies: list[bytes],
    concurrency: int,
    time_limit: float,
    secret: str,
    per_connection: int = 0,
) -> LoadResult:
    """`concurrency` threads, each on a keep-alive connection, until every body was sent.

    With `per_connection` > 0 a client opens a new connection after that many requests (the
    connect is then part of the next request's time), so gunicorn's workers, which each keep
    the connections they accepted, get a fair share over the run instead of a random split.
    """
    verifier = SignatureVerifier(secret)
    result = LoadResult()
    lock = threading.Lock()
    jobs = iter(range(len(bodies)))
    started = time.perf_counter()
    deadline = started + time_limit

    def next_job() -> int | None:
        with lock:
            if time.perf_counter() > deadline:
                result.stopped_early = True
                return None
            return next(jobs, None)

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def client() -> None:
        conn = connect()
        latencies: list[float] = []
        statuses: Counter[str] = Counter()
        reconnects = 0
        on_this_connection = 0
        try:
            while (job := next_job()) is not None:
                body = bodies[job]
                stamp = str(int(time.time()))
                headers = {
                    "Content-Type": FORM,
                    "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": str(
                        verifier.generate_signature(timestamp=stamp, body=body)
                    ),
                }
                for attempt in (1, 2):
                    try:
                        sent = time.perf_counter()
                        conn.request("POST", "/slack/events", body, headers)
                        answer = conn.getresponse()
                        answer.read()
                        elapsed = time.perf_counter() - sent
                        break
                    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                        # A keep-alive connection the server closed; Slack would reconnect too.
                        conn.close()
                        conn = connect()
                        reconnects += 1
                        if attempt == 2:
                            raise
                statuses[str(answer.status)] += 1
                if answer.status == 200:
                    latencies.append(elapsed)
                on_this_connection += 1
                if answer.will_close:
                    reconnects += 1
                if answer.will_close or on_this_connection == per_connection:
                    conn.close()
                    conn = connect()
                    on_this_connection = 0
        except Exception as error:  # counted and shown, never hidden
            statuses[f"{type(error).__name__}"] += 1
        finally:
            conn.close()
            with lock:
                result.latencies.extend(latencies)
                result.statuses.update(statuses)
                result.reconnects += reconnects
                result.last_answered = max(result.last_answered, time.perf_counter())

    threads = [
        threading.Thread(target=client, name=f"client-{i}", daemon=True) for i in range(concurrency)
    ]
    result.first_sent = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    return result


# -- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()


def start_server(
    name: str, argv: list[str], env: dict[str, str], cwd: Path, workdir: Path
) -> Server:
    port = free_port()
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            env={**env, "PORT": str(port)},
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's workers stop with it
        )
    return Server(name, process, port, log_path)


def wait_healthy(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = "\n".join(server.log_lines()[-20:])
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{tail}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            finally:
                conn.close()
        time.sleep(0.1)
    raise RuntimeError(f"{server.name}: /healthz did not answer 200 within {timeout:.0f} s")


def stop_server(server: Server) -> None:
    """SIGTERM to the server's own process group (gunicorn drains), SIGKILL if it lingers."""
    if server.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):  # stray workers of a master that died
        os.killpg(server.process.pid, signal.SIGKILL)


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
    name: str
    n: int
    p50: float
    p90: float
    p99: float
    max: float
    mean: float
    rate: float
    other: str

    @classmethod
    def of(cls, name: str, result: LoadResult) -> Row:
        values = sorted(result.latencies) or [math.nan]
        other = ", ".join(f"{k}: {v}" for k, v in sorted(result.statuses.items()) if k != "200")
        return cls(
            name=name,
            n=len(result.latencies),
            p50=percentile(values, 50),
            p90=percentile(values, 90),
            p99=percentile(values, 99),
            max=values[-1],
            mean=statistics.fmean(values),
            rate=sum(result.statuses.values()) / result.wall if result.wall else math.nan,
            other=other or "none",
        )


def print_table(rows: list[Row]) -> None:
    print(
        f"{'app':<10} {'ok':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'mean ms':>8} {'req/s':>7}  not 200"
    )
    for r in rows:
        print(
            f"{r.name:<10} {r.n:>6} {r.p50 * 1e3:>8.1f} {r.p90 * 1e3:>8.1f} {r.p99 * 1e3:>8.1f} "
            f"{r.max * 1e3:>8.1f} {r.mean * 1e3:>8.1f} {r.rate:>7.0f}  {r.other}"
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


def wait_for_calls(
    fake: FakeSlackProcess, method: str, count: int, timeout: float
) -> tuple[dict[str, Any], bool]:
    deadline = time.monotonic() + timeout
    while True:
        counts = fake.counts()
        if counts["methods"].get(method, 0) >= count:
            return counts, True
        if time.monotonic() > deadline:
            return counts, False
        time.sleep(0.05)


def drive(
    name: str,
    server: Server,
    fake: FakeSlackProcess,
    warmup: list[bytes],
    measured: list[bytes],
    args: argparse.Namespace,
    expect_calls: bool,
) -> LoadResult:
    wait_healthy(server)
    print(f"[{name}] warm-up: {len(warmup)} requests", flush=True)
    warm = run_load(
        server.port, warmup, args.concurrency, args.time_limit, SIGNING_SECRET, args.per_connection
    )
    if expect_calls:  # the warm-up's work after the ack must be done before measuring
        handled = warm.statuses["200"] + warm.statuses["404"]
        _, done = wait_for_calls(fake, "chat.postEphemeral", handled, args.drain)
        if not done:
            print(f"[{name}] warm-up work did not finish within {args.drain:.0f} s")
    fake.reset()
    print(f"[{name}] measuring: {len(measured)} requests, {args.concurrency} clients", flush=True)
    split: list[int] = []
    sampler = threading.Timer(1.0, lambda: split.extend(connections_per_worker(server)))
    sampler.start()
    result = run_load(
        server.port,
        measured,
        args.concurrency,
        args.time_limit,
        SIGNING_SECRET,
        args.per_connection,
    )
    sampler.cancel()
    if split:  # keep-alive pins each client to one worker; an uneven split skews the figures
        print(f"[{name}] client connections per gunicorn worker: {'/'.join(map(str, split))}")
    if result.stopped_early:
        print(f"[{name}] stopped at the {args.time_limit:.0f} s limit")
    return result


def connections_per_worker(server: Server) -> list[int]:
    """Established connections on the server's port held by each worker (Linux /proc; else [])."""
    try:
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        workers = [int(pid) for pid in children.read_text().split()]
        inodes: set[str] = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == server.port and fields[3] == "01":  # ESTABLISHED
                inodes.add(fields[9])
        counts = []
        for pid in workers:
            links = (os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir())
            counts.append(sum(link[8:-1] in inodes for link in links if link[:8] == "socket:["))
        return sorted(counts, reverse=True)
    except (OSError, ValueError, IndexError):
        return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured, per app")
    parser.add_argument("--concurrency", type=int, default=50, help="clients (connections)")
    parser.add_argument(
        "--per-connection",
        type=int,
        default=0,
        help="requests per keep-alive connection before a client reconnects (0: never)",
    )
    parser.add_argument("--team-size", type=int, default=12, help="people per team channel")
    parser.add_argument("--web-concurrency", type=int, help="gunicorn workers (app default)")
    parser.add_argument("--web-threads", type=int, help="threads per worker (app default)")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--time-limit", type=float, default=60, help="s per load phase")
    parser.add_argument("--drain", type=float, default=60, help="s to wait for background work")
    parser.add_argument(
        "--only", choices=["redthread", "bare"], help="measure one app (no ratio; to profile)"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)  # stop the servers on `kill` too, not only ^C
    if args.team_size < 2 or args.requests < 1 or args.concurrency < 1:
        parser.error("--team-size ≥ 2, --requests ≥ 1 and --concurrency ≥ 1")

    workload = Workload(args.requests, args.team_size)
    env = {k: v for k, v in os.environ.items() if not k.startswith(APP_VARIABLES)}
    env |= {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if args.web_concurrency is not None:
        env["WEB_CONCURRENCY"] = str(args.web_concurrency)
    if args.web_threads is not None:
        env["WEB_THREADS"] = str(args.web_threads)
    workers, threads = _gunicorn_settings(env)

    servers: list[Server] = []
    fake: FakeSlackProcess | None = None
    rows: list[Row] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="redthread-bench-") as tmp:
        workdir = Path(tmp)
        try:
            fake = FakeSlackProcess(workload.teams, args.team_size)
            env["SLACK_API_URL"] = fake.url
            warmup = command_bodies(workload.warmup(), fake.hooks_url)
            measured = command_bodies(workload.measured(), fake.hooks_url)
            print(
                f"ack latency of `/daily {COMMAND_TEXT}`\n"
                f"{args.requests} measured requests per app after {len(warmup)} warm-up, "
                f"{args.concurrency} concurrent clients, keep-alive "
                f"({f'{args.per_connection} requests each' if args.per_connection else 'whole run'}"
                f"); gunicorn gthread "
                f"{workers} workers x {threads} threads; {os.cpu_count()} CPUs; "
                f"{workload.teams} team channels of {args.team_size}",
                flush=True,
            )

            if args.only in (None, "bare"):
                bare = start_server(
                    "bare",
                    [sys.executable, "-m", "bench.bare_bolt_app"],
                    env,
                    ROOT,
                    workdir,
                )
                servers.append(bare)
                result = drive("bare", bare, fake, warmup, measured, args, expect_calls=False)
                rows.append(Row.of("bare Bolt", result))
                stop_server(bare)

            if args.only in (None, "redthread"):
                with database(args.database_url, workdir) as database_url:
                    db_label = database_url.split(":", 1)[0]
                    red = start_server(
                        "redthread",
                        [sys.executable, "-m", "bot", "serve"],
                        env | {"DATABASE_URL": database_url},
                        workdir,  # away from any .env in the developer's directory
                        workdir,
                    )
                    servers.append(red)
                    try:
                        result = drive(
                            "redthread", red, fake, warmup, measured, args, expect_calls=True
                        )
                        rows.insert(0, Row.of("redthread", result))
                        # Bolt answers 404 when ack() came later than 3 s, yet does the work.
                        acked = result.statuses["200"] + result.statuses["404"]
                        counts, done = wait_for_calls(fake, "chat.postEphemeral", acked, args.drain)
                        finished = time.perf_counter()
                    finally:
                        stop_server(red)  # before its database schema is dropped

            print()
            print_table(rows)
            if len(rows) == 2:
                red_row, bare_row = rows
                p50_ratio, p99_ratio = red_row.p50 / bare_row.p50, red_row.p99 / bare_row.p99
                verdict = "PASS" if p99_ratio <= GOAL_P99_RATIO else "MISS"
                print(f"ratio redthread/bare: p50 {p50_ratio:.2f}, p99 {p99_ratio:.2f}")
                print(f"goal: p99 ratio ≤ {GOAL_P99_RATIO}: {verdict}")
            if args.only in (None, "redthread"):
                _print_background(counts, done, acked, result, finished, db_label)
            for server in servers:
                summarise_log(server)
            print(f"bench took {time.monotonic() - started:.0f} s")
        finally:
            for server in servers:
                stop_server(server)
            if fake is not None:
                fake.stop()
    return 0


def _print_background(
    counts: dict[str, Any],
    done: bool,
    acked: int,
    result: LoadResult,
    finished: float,
    db_label: str,
) -> None:
    methods = counts["methods"]
    calls = ", ".join(f"{m} {n}" for m, n in sorted(methods.items()))
    print(f"redthread database: {db_label}")
    print(f"fake Slack received during the measured phase: {calls or 'nothing'}")
    print(
        f"chat.postMessage: {methods.get('chat.postMessage', 0)} "
        f"(expected {acked}: one thread reply per request)"
    )
    after_last = finished - result.last_answered
    since_first = finished - result.first_sent
    if done:
        print(
            f"background work finished {after_last:.1f} s after the last ack "
            f"({since_first:.1f} s after the first request; all {acked} ephemeral acks sent)"
        )
    else:
        print(
            f"background work NOT finished {after_last:.1f} s after the last ack: "
            f"{methods.get('chat.postEphemeral', 0)} of {acked} ephemeral acks sent"
        )
    if counts["problems"] or counts["errors"]:
        shown = Counter(counts["problems"] + counts["errors"]).most_common(5)
        print("fake Slack refused or failed: " + "; ".join(f"{k} x{n}" for k, n in shown))


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
