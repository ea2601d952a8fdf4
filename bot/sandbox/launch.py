"""`python -m bot sandbox [--port P] [--no-browser]`: start, print the URL, run until Ctrl-C."""

from __future__ import annotations

import signal
import threading
import webbrowser
from dataclasses import dataclass
from datetime import datetime

from bot.sandbox.engine import Sandbox
from bot.sandbox.served import ServedApp
from bot.sandbox.web import make_sandbox_app

MAX_PORT = 65535


@dataclass
class RunningSandbox:
    sandbox: Sandbox
    page: ServedApp

    @property
    def url(self) -> str:
        return self.page.url + "/"

    def stop(self) -> None:
        self.page.stop()
        self.sandbox.stop()


def start_sandbox(
    port: int = 0, database_url: str | None = None, start: datetime | None = None
) -> RunningSandbox:
    """The sandbox seeded and its page served on 127.0.0.1:`port` (0: a free port); its time
    starts at `start` (tests) or now."""
    sandbox = Sandbox(database_url, start)
    try:
        page = ServedApp(make_sandbox_app(sandbox), port)
    except BaseException:
        sandbox.stop()
        raise
    return RunningSandbox(sandbox, page)


def run_sandbox(port: int, open_browser: bool) -> int:
    """Serves until Ctrl-C (or SIGTERM); a busy port or a database that does not open is a
    usage problem (exit 2 with one line), not a traceback."""
    from sqlalchemy.exc import OperationalError

    from bot.cli import CommandError
    from bot.settings import SettingsError

    if not 0 <= port <= MAX_PORT:
        raise CommandError(f"--port: {port} is not a port (0 to {MAX_PORT}; 0 picks a free one)")
    try:
        running = start_sandbox(port)
    except OperationalError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        raise SettingsError(f"DATABASE_URL: cannot open the database ({reason})") from None
    except OSError as error:
        problem = f"--port: cannot listen on 127.0.0.1:{port} ({error.strerror})"
        raise CommandError(problem) from None
    print(f"Redthread sandbox: {running.url}", flush=True)
    if open_browser:
        webbrowser.open(running.url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    return 0
