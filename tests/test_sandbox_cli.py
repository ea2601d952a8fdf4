"""`python -m bot sandbox` as a user starts it: prints its URL, listens on 127.0.0.1 only,
talks to nothing outside the machine, honours DATABASE_URL and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy.engine import make_url

URL_LINE = re.compile(r"Redthread sandbox: (http://127\.0\.0\.1:(\d+)/)$")
LOOPBACK = "127.0.0.1"


def _environment(database_url: str) -> dict[str, str]:
    """No Slack settings at all: the sandbox needs none."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return kept | {"DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def test_the_sandbox_command_prints_its_url_and_stays_on_the_machine(
    database_url: str, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--no-browser", "--port", "0"],
        cwd=tmp_path,
        env=_environment(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        found = URL_LINE.match(line)
        assert found, f"{line!r}; stderr: {process.stderr.read() if process.poll() else ''}"
        url = found.group(1)
        seen = _get(url + "api/state?user=U0ANNA")
        assert seen["team"]["name"] == "Redthread Sandbox" and seen["messages"]["C0SALES"]
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200 and b"<html" in page.read().lower()
        connections = psutil.Process(process.pid).net_connections(kind="inet")
        listening = [c for c in connections if c.status == psutil.CONN_LISTEN]
        assert len(listening) >= 2, "the page, the bot and the Slack stand-in listen"
        assert int(found.group(2)) in {c.laddr.port for c in listening}
        assert all(c.laddr.ip == LOOPBACK for c in listening), listening
        remote = {c.raddr.ip for c in connections if c.raddr}
        database_host = make_url(database_url).host  # TEST_DATABASE_URL's server, if any
        allowed = {LOOPBACK, socket.gethostbyname(database_host)} if database_host else {LOOPBACK}
        assert remote <= allowed, f"connections leave the machine: {remote}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            status = process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    assert status == 0, process.stderr.read() if process.stderr else ""


def test_a_busy_port_is_a_one_line_usage_problem(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = subprocess.run(
            [sys.executable, "-m", "bot", "sandbox", "--no-browser", "--port", str(port)],
            cwd=tmp_path,
            env=_environment(f"sqlite:///{tmp_path / 'sandbox.db'}"),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert finished.returncode == 2 and finished.stdout == ""
    assert finished.stderr.strip().splitlines()[-1] == (
        f"redthread: --port: cannot listen on 127.0.0.1:{port} (Address already in use)"
    )
