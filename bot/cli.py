"""`python -m bot …` (contract: PRODUCT.md § Processes and commands)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from slack_sdk.errors import SlackApiError

from bot import cli_help as help_text
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings, SettingsError, load_settings, where_settings_come_from

log = logging.getLogger("bot")
JOB_NAMES = ("daily-prompt", "daily-reminder", "daily-summary", "weekly-call", "weekly-agenda")


CLOCK_DESCRIPTION = """\
The scheduler alone: every 30 s it posts what is due in every active channel (the Daily's
prompts, reminders and summaries, the Weekly's calls for items and agendas). Run exactly one;
two by mistake, or a restart, still post everything once.

A post that did not go out on time (the clock or Slack was down) is tried again until its
window closes: the prompt, the summary and the agenda until the end of their local day, the
reminder until the summary is due, the call for items until the agenda is due.

--once runs a single tick with the same rules (windows, leases) and prints one line per job:
  ran daily-prompt T0001/C0001 2026-11-26
  skipped daily-reminder T0001/C0001 2026-11-26: the summary is due
  skipped daily-prompt T0001/C0002 2026-12-24: this Daily was cancelled (/daily cancel)
  failed daily-prompt T0001/C0001 2026-11-26: ratelimited; will retry

exit status: 0 when no run failed, 1 when one did (a running clock, or the next --once,
retries it), 2 for a usage or settings problem."""


def build_parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="python -m bot", description=help_text.MAIN_DESCRIPTION, formatter_class=raw
    )
    parser.add_argument(
        "--version", action="version", version=f"redthread {help_text.package_version()}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "serve",
        help="HTTP mode: POST /slack/events, GET /healthz on PORT",
        description=help_text.SERVE_DESCRIPTION,
        formatter_class=raw,
    )
    clock = commands.add_parser(
        "clock",
        help="the scheduler alone (run exactly one); --once for a single tick",
        description=CLOCK_DESCRIPTION,
        formatter_class=raw,
    )
    clock.add_argument(
        "--once",
        action="store_true",
        help="run one tick, print one line per job it ran or skipped and why, then exit",
    )
    clock.add_argument(
        "--at",
        metavar="ISO-TIME",
        help="with --once: tick as if at this moment, e.g. 2026-11-26T09:00+01:00 (UTC unless "
        "an offset is given)",
    )
    run = commands.add_parser(
        "run",
        help="run one scheduled job for one channel now",
        description=help_text.RUN_DESCRIPTION,
        formatter_class=raw,
    )
    run.add_argument("job", choices=JOB_NAMES, metavar="JOB", help=", ".join(JOB_NAMES))
    run.add_argument("--channel", required=True, metavar="C", help="the channel id, e.g. C0123456")
    run.add_argument("--team", metavar="T", help=TEAM_HELP)
    run.add_argument(
        "--at",
        metavar="ISO-TIME",
        help="as if at this moment, e.g. 2026-11-30T10:00 (the channel's local time unless an "
        "offset is given)",
    )
    db = commands.add_parser(
        "db", help="database maintenance", description=help_text.DB_DESCRIPTION
    )
    db.add_argument("action", choices=["upgrade", "copy"])
    db.add_argument(
        "source",
        nargs="?",
        metavar="SOURCE_URL",
        help="copy: the database to copy from, e.g. sqlite:///redthread.db",
    )
    export = commands.add_parser(
        "export",
        help="a workspace's data as JSON on stdout",
        description=help_text.EXPORT_DESCRIPTION,
    )
    export.add_argument("--team", required=True, metavar="T", help="the workspace id")
    forget = commands.add_parser(
        "forget",
        help="erase one person's data (--user), or a whole workspace's (--team alone)",
        description=help_text.FORGET_DESCRIPTION,
    )
    forget.add_argument("--user", metavar="U", help="the person's Slack user id")
    forget.add_argument(
        "--team",
        metavar="T",
        help="with --user: only in this workspace; alone: the whole workspace",
    )
    contacts = commands.add_parser(
        "import-contacts",
        help="known contacts from a CSV (company, contact, known_by)",
        description=help_text.IMPORT_CONTACTS_DESCRIPTION,
        formatter_class=raw,
    )
    contacts.add_argument("file", metavar="FILE", help="the CSV file")
    contacts.add_argument("--team", metavar="T", help=TEAM_HELP)
    manifest = commands.add_parser(
        "manifest",
        help="print the Slack app manifest to paste",
        description=help_text.MANIFEST_DESCRIPTION,
    )
    manifest.add_argument("--url", help="public base URL of `serve`, e.g. https://bot.example.org")
    manifest.add_argument("--socket-mode", action="store_true", help="for `python -m bot`")
    manifest.add_argument(
        "--with-email-import",
        action="store_true",
        help="also ask for users:read.email, which only `import-contacts` with e-mail "
        "addresses in known_by needs",
    )
    sandbox = commands.add_parser(
        "sandbox",
        help="try Redthread in the browser without Slack: no tokens, no network",
        description=help_text.SANDBOX_DESCRIPTION,
        formatter_class=raw,
    )
    sandbox.add_argument(
        "--port", type=int, default=0, metavar="P", help="the page's port (default: a free one)"
    )
    sandbox.add_argument(
        "--no-browser", action="store_true", help="only print the URL, open no browser"
    )
    radar = commands.add_parser(
        "radar", help="prospect radar tools", description=help_text.RADAR_DESCRIPTION
    ).add_subparsers(dest="radar_command", required=True, metavar="TOOL")
    explain = radar.add_parser(
        "explain",
        help="how two company names are matched",
        description=help_text.RADAR_DESCRIPTION,
    )
    explain.add_argument("name_a", metavar="NAME_A")
    explain.add_argument("name_b", metavar="NAME_B")
    return parser


TEAM_HELP = "the workspace id; may be left out while only one workspace is installed"


def _required_settings(command: str | None) -> Callable[[Settings], tuple[str, ...]]:
    """What a command cannot start without; OAuth installs bring their own bot tokens."""

    def required(settings: Settings) -> tuple[str, ...]:
        bot_token = () if settings.oauth_enabled else ("SLACK_BOT_TOKEN",)
        if command == "serve":
            return ("SLACK_SIGNING_SECRET", *bot_token)
        if command == "clock":
            return bot_token
        if command is None:  # Socket Mode
            return ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN")
        return ()

    return required


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except SettingsError as error:
        for problem in error.problems:
            print(f"redthread: {problem}", file=sys.stderr)
        print(f"redthread: {where_settings_come_from()}", file=sys.stderr)
        return 2
    except CommandError as error:
        print(f"redthread: {error}", file=sys.stderr)
        return 2
    except SlackApiError as error:
        code = error.response.get("error")
        if code not in TOKEN_ERRORS:
            raise
        print(f"redthread: SLACK_BOT_TOKEN: Slack rejected the token ({code})", file=sys.stderr)
        return 2


class CommandError(Exception):
    """A usage problem the user can fix; printed as one line, exit status 2."""


# Slack's answers to a bot token it does not accept: a setting problem, not a crash.
TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


def _build_runtime(settings: Settings) -> Runtime:
    """The runtime, after checking that DATABASE_URL opens (a bad path or host is a setting)."""
    from sqlalchemy.exc import OperationalError

    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        raise SettingsError(f"DATABASE_URL: cannot open the database ({reason})") from None
    finally:
        engine.dispose()
    return build_runtime(settings)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "manifest":
        import json

        from bot.manifest import render_manifest

        manifest = render_manifest(
            args.url, socket_mode=args.socket_mode, email_import=args.with_email_import
        )
        print(json.dumps(manifest, indent=2))
        return 0
    if args.command == "radar":  # pure: needs no Slack settings and no database
        from bot.radar.explain import explain

        print("\n".join(explain(args.name_a, args.name_b)))
        return 0
    if args.command == "sandbox":  # its own secrets and Slack; DATABASE_URL is honoured
        from bot.sandbox.launch import run_sandbox

        return run_sandbox(args.port, open_browser=not args.no_browser)
    settings = load_settings(_required_settings(args.command))
    if args.command == "db":
        if (args.action == "copy") != bool(args.source):
            raise CommandError("db: SOURCE_URL goes with copy, and only with copy")
        runtime = _build_runtime(settings)
        if args.action == "copy":
            return _db_copy(runtime, args.source)
        print("database is up to date")
        return 0
    if args.command == "serve":
        return _serve(settings)
    if args.command == "clock":
        if args.at and not args.once:
            raise CommandError("--at: only together with --once")
        at = _parse_instant(args.at) if args.at else None
        if args.once:
            return _clock_once(_build_runtime(settings), at)
        return _clock(_build_runtime(settings))
    if args.command == "run":
        return _run_job(_build_runtime(settings), args)
    if args.command == "export":
        from bot.privacy import export_team

        print(export_team(_build_runtime(settings), args.team))
        return 0
    if args.command == "import-contacts":
        from bot.radar.importer import run_import

        return run_import(_build_runtime(settings), args.file, args.team)
    if args.command == "forget":
        from bot.privacy import forget_team, forget_user

        if not (args.user or args.team):
            raise CommandError("forget: --user U (one person) or --team T (a whole workspace)")
        if args.user:
            counts = forget_user(_build_runtime(settings), args.user, args.team)
        else:
            counts = forget_team(_build_runtime(settings), args.team)
        print(", ".join(f"{table}: {count}" for table, count in counts.items()) or "nothing stored")
        return 0
    return _socket_mode(settings)


def _db_copy(runtime: Runtime, source_url: str) -> int:
    from sqlalchemy.engine import make_url

    from storage.copy import TargetNotEmpty, copy_rows

    try:
        source = load_settings(database_url=source_url).database_url
    except SettingsError as error:
        raise CommandError(str(error).replace("DATABASE_URL", "SOURCE_URL", 1)) from None
    path = make_url(source).database
    if source.startswith("sqlite") and not (path and Path(path).is_file()):
        # SQLite would create an empty file and copy nothing from it.
        raise CommandError(f"SOURCE_URL: no SQLite file at {path}")
    try:
        source_runtime = _build_runtime(load_settings(database_url=source))
    except SettingsError as error:
        raise CommandError(str(error).replace("DATABASE_URL", "SOURCE_URL", 1)) from None
    try:
        copied = copy_rows(source_runtime.engine, runtime.engine)
    except TargetNotEmpty as full:
        raise CommandError(
            f"DATABASE_URL: not empty ({full}); db copy only fills an empty database"
        ) from None
    finally:
        source_runtime.engine.dispose()
    print(f"copied {sum(copied.values())} rows in {sum(1 for n in copied.values() if n)} tables")
    return 0


def _serve(settings: object) -> int:
    from bot.app import after_ack_executor, build_app
    from bot.inbox_process import InboxWorkerProcess
    from bot.server import GunicornServer, make_wsgi_app
    from bot.settings import Settings
    from handlers.inbox import Inbox
    from handlers.inbox_worker import Nudger

    assert isinstance(settings, Settings)
    _build_runtime(settings)  # migrate once, before the workers fork
    # The web workers store and ack; the inbox worker process does the work (and takes up
    # whatever any dead process left).
    inbox_worker = InboxWorkerProcess()

    def load_app():  # type: ignore[no-untyped-def]
        runtime = build_runtime(settings, migrate=False)
        nudge = Nudger(inbox_worker.socket_path)
        inbox = Inbox(runtime, after_ack_executor(), hand_off=nudge)
        return make_wsgi_app(build_app(runtime, inbox=inbox), runtime, inbox)

    load_app()  # fail here, with a clear message, rather than in every worker
    GunicornServer(load_app, settings.port, inbox_worker).run()
    return 0


def _clock(runtime: Runtime) -> int:
    from apscheduler.schedulers.blocking import BlockingScheduler

    from schedules.clock import add_clock_jobs

    scheduler = BlockingScheduler(timezone="UTC")
    add_clock_jobs(scheduler, runtime)
    log.info("clock started")
    scheduler.start()
    return 0


def _clock_once(runtime: Runtime, at: datetime | None) -> int:
    from schedules.clock import tick

    if at is not None:
        runtime.now = lambda: at
    report = tick(runtime)
    for line in report.lines():
        print(line)
    return 1 if report.failed else 0


def _run_job(runtime: Runtime, args: argparse.Namespace) -> int:
    team_id = args.team or runtime.single_team_id()
    at = job_moment(runtime, team_id, args.channel, args.at)
    if args.at:
        runtime.now = lambda: at  # as if then, like `clock --once --at` (quiet hours too)
    print(run_job(runtime, args.job, team_id, args.channel, at))
    return 0


def job_moment(runtime: Runtime, team_id: str, channel: str, at: str | None) -> datetime:
    """`run --at`'s moment (the channel's local time unless an offset is given), or now."""
    from bot.daily.service import channel_config

    if not at:
        return runtime.now()
    return _parse_at(at, channel_config(runtime, team_id, channel).schedule.timezone)


def run_job(runtime: Runtime, job: str, team_id: str, channel: str, at: datetime) -> str:
    """One scheduled job for one channel as if at `at`; the line `run` prints about it."""
    from schedules.jobs import JOBS
    from schedules.later import RunLater

    if job not in JOBS:
        raise CommandError(f"{job}: not available in this version yet")
    try:
        note = JOBS[job](runtime, team_id, channel, at)
    except RunLater as later:
        note = later.reason
    return f"{job} ran for {channel} at {at.isoformat()}" + (f": {note}" if note else "")


def _parse_at(text: str, timezone: str) -> datetime:
    """`run --at`: the channel's local time unless an offset is given."""
    from bot.schedule import local_to_utc

    moment = _read_iso_time(text)
    if moment.tzinfo is not None:
        return moment
    return local_to_utc(moment.date(), moment.time(), timezone)


def _parse_instant(text: str) -> datetime:
    """`clock --once --at`: UTC unless an offset is given (the clock serves every time zone)."""
    moment = _read_iso_time(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _read_iso_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--at: {text!r} is not an ISO time like 2026-11-30T10:00") from None


def _socket_mode(settings: object) -> int:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.app import after_ack_executor, build_app
    from bot.settings import Settings
    from bot.socket_mode import run_socket_mode
    from handlers.inbox import Inbox
    from handlers.inbox_worker import InboxSweeper
    from schedules.clock import add_clock_jobs

    assert isinstance(settings, Settings)
    runtime = _build_runtime(settings)
    inbox = Inbox(runtime, after_ack_executor())
    app = build_app(runtime, socket_mode=True, inbox=inbox)
    InboxSweeper(inbox).start()
    scheduler = BackgroundScheduler(timezone="UTC")
    add_clock_jobs(scheduler, runtime)
    scheduler.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        run_socket_mode(app, runtime, stop)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=False)
    return 0
