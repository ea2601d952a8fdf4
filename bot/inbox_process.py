"""The inbox worker process of `python -m bot serve` (the loop: handlers/inbox_worker.py).

gunicorn's master starts it next to the web workers and starts another whenever it died
(`InboxWorkerProcess.keep_running`, called from the master's loop about once a second). A worker
killed mid-work leaves its requests leased: once their leases run out (`INBOX_LEASE_SECONDS`)
the next worker takes them up again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

# Not lower: at niceness 10 the one worker process (one GIL) got too little CPU beside other
# load, and the updates reached Slack seconds after their acks (bench/README.md).
NICENESS = 0
# Most of a request's work is waiting for Slack, so several requests are worked at once (as
# many as the web workers' after-ack threads together before); more only queued for the GIL
# and the database's write lock.
THREADS = 8
STOP_SECONDS = 10


class InboxWorkerProcess:
    """In gunicorn's master: the worker process, started again whenever it ended."""

    def __init__(self) -> None:
        self._directory = tempfile.mkdtemp(prefix="redthread-inbox-")
        self.socket_path = str(Path(self._directory) / "nudge.sock")
        self._process: subprocess.Popen[bytes] | None = None
        self._next_start = 0.0

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def keep_running(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            return
        if process is not None:
            log.warning(
                "inbox worker (pid %s) ended (%s); starting another",
                process.pid,
                process.returncode,
            )
            self._process = None
        if time.monotonic() < self._next_start:
            return  # at most one start a second, should it keep failing
        self._next_start = time.monotonic() + 1.0
        argv = [sys.executable, "-m", "bot.inbox_process", self.socket_path]
        self._process = subprocess.Popen(argv)
        log.info("inbox worker started (pid %s)", self._process.pid)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self._directory, ignore_errors=True)


def main(argv: Sequence[str]) -> int:
    from bot.app import build_app
    from bot.runtime import build_runtime
    from bot.settings import load_settings
    from handlers.inbox import Inbox
    from handlers.inbox_worker import InboxWorker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with contextlib.suppress(OSError):  # where not permitted, it keeps the normal priority
        os.setpriority(os.PRIO_PROCESS, 0, NICENESS)
    runtime = build_runtime(load_settings(), migrate=False)
    executor = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="inbox-worker")
    inbox = Inbox(runtime, executor)
    build_app(runtime, inbox=inbox)  # registers the listeners' work by name
    worker = InboxWorker(inbox, argv[0], capacity=2 * THREADS)
    inbox.before_work = worker.step_aside
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    log.info("inbox worker ready")
    worker.run()
    # Running work finishes; what was queued keeps its lease and is taken up again later.
    executor.shutdown(wait=True, cancel_futures=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
