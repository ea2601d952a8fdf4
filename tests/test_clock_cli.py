"""`python -m bot clock --once [--at ISO-TIME]` as an operator runs it (contract)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.slack import FakeSlack
from storage.channels import update_channel
from storage.db import make_engine, make_session_factory, transaction
from tests.test_cli import (
    CHANNEL,
    TEAM,
    assert_one_line_error,
    assert_settings_problems,
    clean_env,
    run_bot,
    slack_env,
    sqlite_url,
)

# Thursday 26 November 2026, a Daily day; Berlin (the default time zone) is UTC+1.
PROMPT_DUE = "2026-11-26T09:00:10+01:00"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    slack.add_user("U0001", name="Anna", locale="en-US")
    slack.add_user("U0002", name="Ben", locale="de-DE")
    slack.set_members(CHANNEL, ["U0001", "U0002", "UBOT"])
    yield slack
    slack.stop()
    assert not slack.rejected, f"the bot made calls Slack would reject: {slack.rejected}"


@pytest.fixture
def env(tmp_path: Path, fake: FakeSlack) -> dict[str, str]:
    """A migrated database with one channel the bot was added to."""
    settings = slack_env(fake, tmp_path)
    migrated = run_bot(tmp_path, settings, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr
    engine = make_engine(settings["DATABASE_URL"])
    with transaction(make_session_factory(engine)) as session:
        update_channel(session, TEAM, CHANNEL, daily_state="on")
    engine.dispose()
    return settings


def prompts(fake: FakeSlack) -> list[dict[str, object]]:
    return [m for m in fake.messages.values() if not m.get("thread_ts")]


def test_once_runs_what_is_due_prints_it_and_a_second_tick_finds_it_done(
    tmp_path: Path, fake: FakeSlack, env: dict[str, str]
) -> None:
    first = run_bot(tmp_path, env, "clock", "--once", "--at", PROMPT_DUE)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == ["ran daily-prompt T0001/C0001 2026-11-26"]
    assert len(prompts(fake)) == 1

    again = run_bot(tmp_path, env, "clock", "--once", "--at", PROMPT_DUE)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        "skipped daily-prompt T0001/C0001 2026-11-26: already done"
    ]
    assert len(prompts(fake)) == 1


def test_once_at_without_an_offset_is_utc_and_catches_up_like_the_clock(
    tmp_path: Path, fake: FakeSlack, env: dict[str, str]
) -> None:
    # 11:05 UTC is 12:05 in Berlin: the prompt is late, the summary due, the reminder too late.
    result = run_bot(tmp_path, env, "clock", "--once", "--at", "2026-11-26T11:05")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ran daily-prompt T0001/C0001 2026-11-26",
        "skipped daily-reminder T0001/C0001 2026-11-26: the summary is due",
        "ran daily-summary T0001/C0001 2026-11-26",
    ]
    assert fake.calls_to("chat.postEphemeral") == []


def test_once_reports_a_failed_run_with_exit_status_1_and_the_next_tick_retries_it(
    tmp_path: Path, fake: FakeSlack, env: dict[str, str]
) -> None:
    fake.fail_next("chat.postMessage", "internal_error")
    failed = run_bot(tmp_path, env, "clock", "--once", "--at", PROMPT_DUE)
    assert failed.returncode == 1, failed.stderr
    assert failed.stdout.splitlines() == [
        "failed daily-prompt T0001/C0001 2026-11-26: internal_error; will retry"
    ]
    assert "Traceback" not in failed.stderr
    assert prompts(fake) == []

    retried = run_bot(tmp_path, env, "clock", "--once", "--at", "2026-11-26T09:00:40+01:00")
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout.splitlines() == ["ran daily-prompt T0001/C0001 2026-11-26"]
    assert len(prompts(fake)) == 1


def test_once_the_next_day_reports_what_was_dropped(
    tmp_path: Path, fake: FakeSlack, env: dict[str, str]
) -> None:
    result = run_bot(tmp_path, env, "clock", "--once", "--at", "2026-11-27T08:00+01:00")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "skipped daily-prompt T0001/C0001 2026-11-26: its day is over",
        "skipped daily-reminder T0001/C0001 2026-11-26: the summary is due",
        "skipped daily-summary T0001/C0001 2026-11-26: its day is over",
    ]
    assert prompts(fake) == []


@pytest.mark.parametrize(
    "args",
    [["clock", "--once", "--at", "notatime"], ["clock", "--at", PROMPT_DUE]],
    ids=["unreadable-time", "at-without-once"],
)
def test_a_bad_at_stops_with_one_line_and_posts_nothing(
    tmp_path: Path, fake: FakeSlack, env: dict[str, str], args: list[str]
) -> None:
    assert_one_line_error(run_bot(tmp_path, env, *args), "--at")
    assert fake.calls == []


def test_once_needs_the_bot_token_like_the_clock(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "bot.db"))
    assert_settings_problems(run_bot(tmp_path, env, "clock", "--once"), "SLACK_BOT_TOKEN")


def test_clock_help_explains_once_at_and_the_exit_status(tmp_path: Path) -> None:
    result = run_bot(tmp_path, clean_env(), "clock", "--help")
    assert result.returncode == 0
    for words in ("--once", "--at", "UTC unless", "the summary is due", "exit status"):
        assert words in result.stdout
