"""Crashes of real processes: nothing acknowledged is lost, nothing is posted twice.

`python -m bot serve` runs as a subprocess (its own process group, so `kill -9` takes the
gunicorn master and its workers at once), against the fake Slack of this test process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.sandbox.slack import FakeSlack, SlackDriver
from tests.support import text_of
from tests.test_cli import SECRET, free_port, slack_env, wait_until_healthy

CHANNEL = "C0001"
MEMBERS = [f"U{1000 + number}" for number in range(40)]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    for user_id in MEMBERS:
        slack.add_user(user_id, name=f"Member {user_id}", locale="en-US")
    slack.set_members(CHANNEL, [*MEMBERS, "UBOT"])
    yield slack
    slack.stop()
    assert not slack.rejected, f"the bot made calls Slack would reject: {slack.rejected}"


def start_serve(tmp_path: Path, fake: FakeSlack, port: int, name: str) -> subprocess.Popen[bytes]:
    env = slack_env(
        fake,
        tmp_path,
        SLACK_SIGNING_SECRET=SECRET,
        PORT=str(port),
        WEB_CONCURRENCY="1",
        # A dead process's requests are taken up this long after its last renewal.
        INBOX_LEASE_SECONDS="2",
    )
    log = tmp_path / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_until_healthy(process, port, log)
    return process


def inbox_worker_of(serve: subprocess.Popen[bytes]) -> int | None:
    """The pid of `serve`'s inbox worker process (a child of gunicorn's master), if running."""
    children = Path(f"/proc/{serve.pid}/task/{serve.pid}/children").read_text().split()
    for pid in children:
        try:
            if b"bot.inbox_process" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return int(pid)
        except OSError:
            continue
    return None


def send_burst(port: int, fake: FakeSlack) -> None:
    """Every member answers /daily at once; each is acknowledged."""
    slack = SlackDriver(f"http://127.0.0.1:{port}", SECRET, response_url_base=fake.hooks_url)
    with ThreadPoolExecutor(max_workers=10) as senders:
        answers = list(
            senders.map(
                lambda user: slack.command("/daily", f"today: burst plan {user}", user_id=user),
                MEMBERS,
            )
        )
    assert [answer.status for answer in answers] == [200] * len(MEMBERS)


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def update_replies(fake: FakeSlack) -> Counter[str]:
    """How often each member's update was posted in the Daily thread."""
    posted: Counter[str] = Counter()
    for call in fake.calls_to("chat.postMessage"):
        text = text_of(call)
        if call.params.get("thread_ts") and "burst plan" in text:
            posted.update(user for user in MEMBERS if f"burst plan {user}" in text)
    return posted


def lost_and_doubled(fake: FakeSlack) -> tuple[list[str], list[str]]:
    """Waits (up to 90 s) until every member's update is out, then a second for doubles."""
    deadline = time.monotonic() + 90
    while len(update_replies(fake)) < len(MEMBERS) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # anything doubled would arrive now
    posted = update_replies(fake)
    lost = [user for user in MEMBERS if posted[user] == 0]
    return lost, [user for user, count in posted.items() if count > 1]


def test_kill_9_right_after_acknowledging_a_burst_loses_and_doubles_nothing(
    tmp_path: Path, fake: FakeSlack
) -> None:
    # Slack answers slowly at first (each users.info waits out a 429), so that most of the
    # acknowledged work is still undone when the process dies.
    fake.fail_next("users.info", error="ratelimited", retry_after=1, times=12)
    port = free_port()
    first = start_serve(tmp_path, fake, port, "first")
    try:
        send_burst(port, fake)
        kill_hard(first)
    finally:
        if first.poll() is None:
            kill_hard(first)
    done_before_the_crash = sum(update_replies(fake).values())

    second = start_serve(tmp_path, fake, port, "second")
    try:
        lost, doubled = lost_and_doubled(fake)
    finally:
        kill_hard(second)
    prompts = [c for c in fake.calls_to("chat.postMessage") if not c.params.get("thread_ts")]
    assert (lost, doubled) == ([], []), f"{done_before_the_crash} were done before the crash"
    assert len(prompts) == 1
    assert done_before_the_crash < len(MEMBERS), "the crash came too late to test anything"


def test_kill_9_of_the_inbox_worker_mid_burst_loses_and_doubles_nothing(
    tmp_path: Path, fake: FakeSlack
) -> None:
    fake.fail_next("users.info", error="ratelimited", retry_after=1, times=12)
    port = free_port()
    serve = start_serve(tmp_path, fake, port, "serve")
    try:
        deadline = time.monotonic() + 30
        while (worker := inbox_worker_of(serve)) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker is not None, "serve started no inbox worker"
        send_burst(port, fake)
        os.kill(worker, signal.SIGKILL)
        done_before_the_kill = sum(update_replies(fake).values())
        lost, doubled = lost_and_doubled(fake)
        restarted = inbox_worker_of(serve)
    finally:
        kill_hard(serve)
    assert (lost, doubled) == ([], []), f"{done_before_the_kill} were done before the kill"
    assert restarted not in (None, worker), "serve did not start another inbox worker"
    assert done_before_the_kill < len(MEMBERS), "the kill came too late to test anything"
