"""CPU per ack, single-threaded, through the WSGI apps (no gunicorn, no load, no network).

    .venv/bin/python -m bench.ack_cpu [--requests 2000] [--database-url postgresql://…]
        [--profile FILE]

Wall-clock benches mean little on a machine shared with other work; the CPU a request costs
(`time.process_time` of this process, which runs the app) does not depend on the others'
load. Each request is a signed `/daily` answer as `bench/ack_latency.py` sends it, handed to
Redthread's WSGI app as `python -m bot serve` builds it (the work is left to the inbox
worker, which is not running here: the nudge goes nowhere) and to the bare Bolt app of
`bench/bare_bolt_app.py`. On PostgreSQL the database server's CPU is not counted (it runs in
other processes); the insert's round trip is, as far as it costs this process CPU.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import hmac
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench.ack_latency import BOT_TOKEN, SIGNING_SECRET, command_bodies, database

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def environ_for(body: bytes, timestamp: str) -> dict[str, Any]:
    basestring = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), basestring, hashlib.sha256).hexdigest()
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp,
        "HTTP_X_SLACK_SIGNATURE": signature,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def cpu_per_request(
    app: WsgiApp, bodies: list[bytes], profile: str | None, counted: bool = True
) -> float:
    """Mean CPU µs per request over `bodies` (the environs are built before timing)."""
    timestamp = str(int(time.time()))
    environs = [environ_for(body, timestamp) for body in bodies]
    statuses: list[str] = []

    def start_response(status: str, _headers: Any) -> None:
        statuses.append(status)

    profiler = cProfile.Profile() if profile else None
    started = time.process_time()
    if profiler is not None:
        profiler.enable()
    if counted:
        _callgrind("-i on")
    for environ in environs:
        b"".join(app(environ, start_response))
    if counted:
        _callgrind("-i off")
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)  # type: ignore[arg-type]
    spent = time.process_time() - started
    failed = [status for status in statuses if not status.startswith("200")]
    if failed:
        raise SystemExit(f"{len(failed)} requests not answered 200: {failed[:3]}")
    return spent / len(bodies) * 1e6


def _callgrind(command: str) -> None:
    """Under `valgrind --tool=callgrind --instr-atstart=no` (CALLGRIND=1), only the measured
    loop is counted: instructions do not depend on the machine's other load."""
    if os.environ.get("CALLGRIND") == "1":
        subprocess.run(["callgrind_control", *command.split(), str(os.getpid())], check=True)


def redthread_app(database_url: str, slack_url: str) -> WsgiApp:
    from bot.app import after_ack_executor, build_app
    from bot.runtime import build_runtime
    from bot.server import make_wsgi_app
    from bot.settings import load_settings
    from handlers.inbox import Inbox

    settings = load_settings(
        database_url=database_url,
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=BOT_TOKEN,
        slack_api_url=slack_url,
        _env_file=None,
    )
    runtime = build_runtime(settings)
    # As in `serve`: stored unleased for the inbox worker, which is not running here.
    inbox = Inbox(runtime, after_ack_executor(), hand_off=lambda: None)
    return make_wsgi_app(build_app(runtime, inbox=inbox), runtime, inbox)


def bare_app(slack_url: str) -> WsgiApp:
    os.environ.update(
        SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=slack_url
    )
    from bench.bare_bolt_app import build_bare_app

    return build_bare_app()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", help="write Redthread's cProfile stats to this file")
    parser.add_argument("--only", choices=["redthread", "bare Bolt"])
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bot.sandbox.slack import FakeSlack

    fake = FakeSlack()
    fake.start()
    try:
        with (
            tempfile.TemporaryDirectory() as workdir,
            database(args.database_url, Path(workdir)) as url,
        ):
            slack_url = fake.url
            hooks = f"{slack_url}hooks"
            senders = [(f"C{n % 100:05d}", f"U{n:06d}") for n in range(args.requests)]
            apps: dict[str, Callable[[], WsgiApp]] = {
                "redthread": lambda: redthread_app(url, slack_url),
                "bare Bolt": lambda: bare_app(slack_url),
            }
            for name, build in apps.items():
                if args.only not in (None, name):
                    continue
                app = build()
                warm_up = command_bodies(senders[:200], hooks)
                cpu_per_request(app, warm_up, None, counted=False)
                figure = cpu_per_request(
                    app,
                    command_bodies(senders, hooks),
                    args.profile if name == "redthread" else None,
                )
                print(f"{name:>10}: {figure:7.0f} µs CPU per ack ({args.requests} requests)")
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
