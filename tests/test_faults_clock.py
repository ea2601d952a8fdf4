"""A clock process killed with `kill -9` while Slack is posting its prompt, and another clock
started after it: the prompt is in the channel once (lost 0, doubled 0)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.sandbox.slack import FakeSlack
from storage.db import make_engine, make_session_factory, transaction
from storage.models import SlackPost
from tests.test_cli import run_bot
from tests.test_clock_cli import env, fake  # noqa: F401  (fixtures)

# Thursday 26 November 2026, 09:00:30 in Berlin: the Daily's prompt is due.
KILLED_AT = "2026-11-26T09:00:30+01:00"
# Later the same morning, past every lease the dead clock held.
TAKEN_OVER_AT = "2026-11-26T09:20:00+01:00"


def post_attempt_started(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            return session.scalars(select(SlackPost).where(SlackPost.uncertain)).first() is not None
    finally:
        engine.dispose()


def test_a_clock_killed_mid_post_and_another_started_post_the_prompt_once(
    tmp_path: Path,
    fake: FakeSlack,  # noqa: F811
    env: dict[str, str],  # noqa: F811
) -> None:
    # Slack takes its time with the prompt, and then posts it although nobody hears back.
    fake.follow_clock(lambda: datetime(2026, 11, 26, 8, 0, 31, tzinfo=UTC))
    fake.set_latency(3.0, method="chat.postMessage")
    doomed = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock", "--once", "--at", KILLED_AT],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not post_attempt_started(env["DATABASE_URL"]):
        assert doomed.poll() is None, "the clock ended before it posted"
        assert time.monotonic() < deadline, "the clock never started to post"
        time.sleep(0.05)
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    fake.wait_for("chat.postMessage", timeout=10)  # Slack finished the post all the same
    fake.set_latency(0.0)

    second = run_bot(tmp_path, env, "clock", "--once", "--at", TAKEN_OVER_AT)
    third = run_bot(tmp_path, env, "clock", "--once", "--at", TAKEN_OVER_AT)

    assert second.returncode == 0, second.stdout + second.stderr
    assert "ran daily-prompt" in second.stdout, second.stdout
    assert third.returncode == 0 and "ran daily-prompt" not in third.stdout
    assert fake.doubled_keys() == {}, "doubled"
    keys = fake.messages_with_key()
    assert len([key for key in keys if key.startswith("daily.prompt")]) == 1, "lost"
    assert fake.calls_to("conversations.history"), "the second clock looked before posting"
