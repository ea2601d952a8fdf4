"""Plumbing of `bench/ack_latency.py`: the fake Slack process, the servers, the load generator,
and where the machine's CPU went while measuring."""

from __future__ import annotations

import contextlib
import http.client
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bot.sandbox.slack.driver import FORM

# -- the fake Slack Web API, in a process of its own ----------------------------------------

# In production Slack's Web API runs on Slack's machines, not on ours; here it shares the two
# cores with the apps. At a lower priority it takes the CPU the apps leave over (it still
# answers every call, and the bench checks that it did), instead of competing with the acks.
FAKE_SLACK_NICENESS = 10


def _fake_slack_process(
    conn: Connection,
    users: list[tuple[str, str, str]],
    channels: dict[str, list[str]],
    niceness: int,
) -> None:
    """Serves FakeSlack and answers commands on `conn` until told to stop."""
    with contextlib.suppress(OSError):
        os.nice(niceness)
    from bot.sandbox.slack import FakeSlack

    fake = FakeSlack(team_id="T0001").start()
    for uid, name, locale in users:
        fake.add_user(uid, name=name, locale=locale)
    for channel, members in channels.items():
        fake.set_members(channel, members)
    conn.send({"url": fake.url, "hooks_url": fake.hooks_url})
    try:
        while True:
            command = conn.recv()
            if command == "stop":
                break
            if command == "reset":
                fake.reset()
                conn.send(None)
            elif isinstance(command, tuple) and command[0] == "posted_at":
                conn.send(_first_thread_post(fake, command[1]))
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


def _first_thread_post(fake: Any, names: dict[str, str]) -> dict[str, float]:
    """When each user's update (it names them in bold: *name*) first reached a Daily's thread,
    by the user id of `names` (user id → display name)."""
    by_name = {name: user for user, name in names.items()}
    found: dict[str, float] = {}
    for call in fake.calls:
        if call.method == "chat.postMessage" and call.params.get("thread_ts"):
            for name in re.findall(r"\*([^*]+)\*", str(call.params)):
                user = by_name.get(name)
                if user is not None and user not in found:
                    found[user] = call.at
    return found


class FakeSlackProcess:
    """bot.sandbox.slack.FakeSlack in a child process: its work does not take the client's GIL."""

    def __init__(
        self,
        users: list[tuple[str, str, str]],
        channels: dict[str, list[str]],
        niceness: int = FAKE_SLACK_NICENESS,
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_fake_slack_process, args=(child, users, channels, niceness), daemon=True
        )
        self._process.start()
        if not self._conn.poll(60):
            raise RuntimeError("the fake Slack did not start within 60 s")
        urls = self._conn.recv()
        self.url: str = urls["url"]
        self.hooks_url: str = urls["hooks_url"]

    @property
    def pid(self) -> int:
        return int(self._process.pid or 0)

    def counts(self) -> dict[str, Any]:
        self._conn.send("counts")
        answer: dict[str, Any] = self._conn.recv()
        return answer

    def posted_at(self, names: dict[str, str]) -> dict[str, float]:
        self._conn.send(("posted_at", names))
        answer: dict[str, float] = self._conn.recv()
        return answer

    def reset(self) -> None:
        self._conn.send("reset")
        self._conn.recv()

    def wait_for_calls(
        self, method: str, count: int, timeout: float
    ) -> tuple[dict[str, Any], bool]:
        """The recorded calls once `count` calls to `method` arrived, or at the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            counts = self.counts()
            if counts["methods"].get(method, 0) >= count:
                return counts, True
            if time.monotonic() > deadline:
                return counts, False
            time.sleep(0.05)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)


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


def connections_per_worker(server: Server) -> list[int]:
    """Established connections on the server's port held by each worker (Linux /proc; else [])."""
    try:
        workers = [pid for pid in child_pids(server) if pid not in inbox_worker_pids(server)]
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


def child_pids(server: Server) -> list[int]:
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def inbox_worker_pids(server: Server) -> set[int]:
    """Redthread's inbox worker process (bot/inbox_process.py), a child of gunicorn's master."""
    found = set()
    with contextlib.suppress(OSError, ValueError):
        for pid in child_pids(server):
            with contextlib.suppress(OSError):
                if b"bot.inbox_process" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.add(pid)
    return found


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
    acked_at: dict[int, float] = field(default_factory=dict)  # body index → time.time() of 200

    @property
    def acked(self) -> int:
        """Answered by the app; Bolt answers 404 when ack() came after 3 s, yet does the work."""
        return self.statuses["200"] + self.statuses["404"]


def run_load(
    port: int,
    bodies: list[bytes],
    concurrency: int,
    time_limit: float,
    secret: str,
    per_connection: int = 0,
    rate: float = 0.0,
) -> LoadResult:
    """`concurrency` threads, each on a keep-alive connection, until every body was sent.

    The time of a request runs from sending it to having read the whole answer. With
    `per_connection` > 0 a client opens a new connection after that many requests (the
    connect is then part of the next request's time), so gunicorn's workers, which each keep
    the connections they accepted, get a fair share over the run instead of a random split.
    With `rate` > 0 the requests leave at that fixed rate (an open loop, as long as there are
    clients free) instead of as fast as the answers come back.
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
            job = next(jobs, None)
        if job is not None and rate > 0:  # open loop: request n leaves at n / rate seconds
            time.sleep(max(0.0, started + job / rate - time.perf_counter()))
        return job

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def client() -> None:
        conn = connect()
        latencies: list[float] = []
        acked_at: dict[int, float] = {}
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
                    acked_at[job] = time.time()
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
                result.acked_at.update(acked_at)
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


# -- where the CPU went -----------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class CpuSnapshot:
    at: float
    busy: int  # all CPUs, in clock ticks (Linux /proc/stat)
    per_process: dict[int, tuple[int, int]]  # pid → (process group, user + system ticks)


def cpu_snapshot() -> CpuSnapshot | None:
    """Busy time of the machine and of every process, or None where /proc is missing."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    per_process: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            after_name = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            # Fields after the name: state ppid pgrp … utime (12th) stime (13th), 1-based.
            per_process[int(entry.name)] = (
                int(after_name[2]),
                int(after_name[11]) + int(after_name[12]),
            )
    busy = user + nice + system + irq + softirq + steal
    return CpuSnapshot(time.monotonic(), busy, per_process)


def cpu_use(
    before: CpuSnapshot | None,
    after: CpuSnapshot | None,
    groups: dict[str, Callable[[int, int], bool]],
) -> dict[str, float] | None:
    """Per group, and for `others` (everything else on the machine), % of one core in between.

    `groups` maps a label to a test of (pid, process group). A process that started or ended
    in between is counted in `others` (the machine's busy time minus the groups' time).
    """
    if before is None or after is None or after.at <= before.at:
        return None
    scale = 100 / _TICKS / (after.at - before.at)
    use = dict.fromkeys(groups, 0.0)
    for pid, (pgrp, ticks) in after.per_process.items():
        if pid not in before.per_process:
            continue
        for label, belongs in groups.items():
            if belongs(pid, pgrp):
                use[label] += (ticks - before.per_process[pid][1]) * scale
                break
    use["others"] = max(0.0, (after.busy - before.busy) * scale - sum(use.values()))
    return use


def format_cpu(use: dict[str, float] | None, labels: Iterable[str] = ()) -> str:
    if use is None:
        return "cpu: not available on this system"
    shown = [*labels, "others"]
    parts = ", ".join(f"{label} {use[label]:.0f}" for label in shown if label in use)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"cpu % of one core: {parts}; load avg (1 min) {load:.2f}"
