"""`python -m bot …` as an operator runs it: a fresh process, a working directory, environment."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.slack import FakeSlack, SlackDriver

SECRET = "cli-test-signing-secret"
BOT_TOKEN = "xoxb-test"
CHANNEL = "C0001"
TEAM = "T0001"
# Settings the tests control; anything of the developer's own environment would leak in.
OWN_VARIABLES = ("SLACK_", "DATABASE_URL", "PORT", "DEFAULT_", "WEB_CONCURRENCY", "WEB_THREADS")


def clean_env(**settings: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(OWN_VARIABLES)}
    env.update(settings)
    return env


def run_bot(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], variable: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]


def assert_settings_problems(result: subprocess.CompletedProcess[str], *variables: str) -> None:
    """Exit 2, no traceback, one line per variable naming it, then where settings come from."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    *problems, pointer = result.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in problems] == list(variables), result.stderr
    assert ".env" in pointer and "environment" in pointer


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    slack.add_user("U0001", name="Anna", locale="en-US")
    slack.add_user("U0002", name="Ben", locale="de-DE")
    slack.add_user("UHELPER", name="Helper bot", is_bot=True)
    slack.set_members(CHANNEL, ["U0001", "U0002", "UHELPER", "UBOT"])
    yield slack
    slack.stop()
    assert not slack.rejected, f"the bot made calls Slack would reject: {slack.rejected}"


def slack_env(fake: FakeSlack, tmp_path: Path, **settings: str) -> dict[str, str]:
    defaults = {
        "SLACK_API_URL": fake.url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "DATABASE_URL": sqlite_url(tmp_path / "bot.db"),
    }
    return clean_env(**(defaults | settings))


# --- configuration errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "settings", "variable"),
    [
        (["clock"], {}, "SLACK_BOT_TOKEN"),
        (["run", "daily-prompt", "--channel", CHANNEL], {}, "SLACK_BOT_TOKEN"),
        (["serve"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
        ([], {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET}, "SLACK_APP_TOKEN"),
    ],
    ids=["clock-token", "run-token", "serve-secret", "socket-mode-app-token"],
)
def test_a_missing_setting_stops_with_a_line_naming_it(
    tmp_path: Path, args: list[str], settings: dict[str, str], variable: str
) -> None:
    result = run_bot(tmp_path, clean_env(**settings), *args)
    assert_settings_problems(result, variable)


def test_every_missing_and_malformed_setting_is_named_at_once_with_a_pointer_to_dotenv(
    tmp_path: Path,
) -> None:
    result = run_bot(tmp_path, clean_env(PORT="abc", DEFAULT_LANGUAGE="fr"), "serve")
    assert_settings_problems(
        result, "PORT", "DEFAULT_LANGUAGE", "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"
    )
    assert f"a .env file in {tmp_path}" in result.stderr

    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-x\n", encoding="utf-8")
    result = run_bot(tmp_path, clean_env())
    assert_settings_problems(result, "SLACK_APP_TOKEN")
    assert str(tmp_path / ".env") in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "sqlite:not-a-url"),
        ("DATABASE_URL", "postgresql+psycopg://user:s3cret@db.example:notaport/redthread"),
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("DEFAULT_TIMEZONE", "Mars/Base"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("SLACK_API_URL", "ftp://x"),
    ],
)
def test_a_malformed_setting_stops_with_one_line_naming_it(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = run_bot(tmp_path, clean_env(**{variable: value}), "db", "upgrade")
    assert_settings_problems(result, variable)
    assert "s3cret" not in result.stderr, "a password must not be echoed"
    assert list(tmp_path.iterdir()) == [], "nothing may be created with a bad setting"


def test_a_database_that_cannot_be_opened_stops_with_one_line_naming_database_url(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path / "no-such-directory" / "bot.db")
    result = run_bot(tmp_path, clean_env(DATABASE_URL=url), "db", "upgrade")
    assert_settings_problems(result, "DATABASE_URL")


def test_a_malformed_setting_in_the_dotenv_file_is_reported_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEFAULT_LANGUAGE=fr\n", encoding="utf-8")
    result = run_bot(tmp_path, clean_env(), "db", "upgrade")
    assert_settings_problems(result, "DEFAULT_LANGUAGE")


def test_a_token_slack_rejects_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    # Not the `fake` fixture: that one treats any rejected call as a bug of the bot.
    with FakeSlack() as slack:
        env = slack_env(slack, tmp_path, SLACK_BOT_TOKEN="xoxb-revoked")
        result = run_bot(tmp_path, env, "run", "daily-prompt", "--channel", CHANNEL)
        assert_one_line_error(result, "SLACK_BOT_TOKEN")
        assert [call.error for call in slack.rejected] == ["invalid_auth"]
        assert slack.calls_to("chat.postMessage") == []


# --- db upgrade and .env --------------------------------------------------------------------------


def test_db_upgrade_is_idempotent(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "bot.db"))
    first = run_bot(tmp_path, env, "db", "upgrade")
    second = run_bot(tmp_path, env, "db", "upgrade")
    assert (first.returncode, second.returncode) == (0, 0), (first.stderr, second.stderr)
    assert (tmp_path / "bot.db").stat().st_size > 0


def test_the_dotenv_file_in_the_working_directory_is_honoured(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///from-dotenv.db\n", encoding="utf-8")
    result = run_bot(tmp_path, clean_env(), "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-dotenv.db").exists()
    assert not (tmp_path / "redthread.db").exists()


def test_the_environment_wins_over_the_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///from-dotenv.db\n", encoding="utf-8")
    env = clean_env(DATABASE_URL="sqlite:///from-env.db")
    assert run_bot(tmp_path, env, "db", "upgrade").returncode == 0
    assert (tmp_path / "from-env.db").exists()
    assert not (tmp_path / "from-dotenv.db").exists()


def test_without_database_url_the_database_is_a_sqlite_file_in_the_working_directory(
    tmp_path: Path,
) -> None:
    assert run_bot(tmp_path, clean_env(), "db", "upgrade").returncode == 0
    assert (tmp_path / "redthread.db").exists()


# --- run JOB --------------------------------------------------------------------------------------


def prompts(fake: FakeSlack) -> list[dict[str, Any]]:
    return [
        call.params
        for call in fake.calls_to("chat.postMessage")
        if call.error is None and not call.params.get("thread_ts")
    ]


def header_text(params: dict[str, Any]) -> str:
    return next(block["text"]["text"] for block in params["blocks"] if block["type"] == "header")


def test_run_daily_prompt_posts_the_prompt_once_however_often_it_runs(
    tmp_path: Path, fake: FakeSlack
) -> None:
    env = slack_env(fake, tmp_path)
    args = ["run", "daily-prompt", "--channel", CHANNEL, "--at", "2026-11-30T09:00"]

    first = run_bot(tmp_path, env, *args)
    assert first.returncode == 0, first.stderr
    posts = fake.calls_to("chat.postMessage")
    assert len(posts) == 1
    assert posts[0].params["channel"] == CHANNEL
    assert "Monday, 30 November" in header_text(posts[0].params)
    assert fake.calls_to("auth.test"), "without --team the workspace comes from auth.test"

    again = run_bot(tmp_path, env, *args)
    assert again.returncode == 0, again.stderr
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_run_daily_summary_replies_in_the_thread_of_that_days_prompt(
    tmp_path: Path, fake: FakeSlack
) -> None:
    env = slack_env(fake, tmp_path)
    prompt = run_bot(
        tmp_path, env, "run", "daily-prompt", "--channel", CHANNEL, "--at", "2026-11-30T09:00"
    )
    assert prompt.returncode == 0, prompt.stderr
    [prompt_message] = [m for m in fake.messages.values() if not m.get("thread_ts")]

    summary = run_bot(
        tmp_path, env, "run", "daily-summary", "--channel", CHANNEL, "--at", "2026-11-30T12:00"
    )
    assert summary.returncode == 0, summary.stderr
    replies = [c.params for c in fake.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert len(replies) == 1
    assert replies[0]["channel"] == CHANNEL
    assert replies[0]["thread_ts"] == prompt_message["ts"]
    assert len(prompts(fake)) == 1, "the summary must not post a second prompt"
    text = json.dumps(replies[0]["blocks"], ensure_ascii=False)
    assert "Anna" in text and "Ben" in text  # neither has posted: listed neutrally
    assert "Helper bot" not in text
    assert "<@" not in text, "the summary names people without pinging them"
    updated = [c.params["ts"] for c in fake.calls_to("chat.update")]
    assert prompt_message["ts"] in updated, "the prompt shows the status too"


def test_run_at_means_the_channels_local_time_unless_an_offset_is_given(
    tmp_path: Path, fake: FakeSlack
) -> None:
    env = slack_env(fake, tmp_path, DEFAULT_TIMEZONE="America/Los_Angeles")
    # 23:30 in Los Angeles is already 1 December in UTC; the Daily is still the 30th's.
    local = run_bot(
        tmp_path, env, "run", "daily-prompt", "--channel", CHANNEL, "--at", "2026-11-30T23:30"
    )
    assert local.returncode == 0, local.stderr
    [posted] = prompts(fake)
    assert "Monday, 30 November" in header_text(posted)
    # The same instant written in UTC is the same Daily: nothing new is posted.
    utc = run_bot(
        tmp_path, env, "run", "daily-prompt", "--channel", CHANNEL, "--at", "2026-12-01T07:30+00:00"
    )
    assert utc.returncode == 0, utc.stderr
    assert len(prompts(fake)) == 1


def test_run_with_an_unreadable_time_stops_with_one_line_and_posts_nothing(
    tmp_path: Path, fake: FakeSlack
) -> None:
    env = slack_env(fake, tmp_path)
    result = run_bot(tmp_path, env, "run", "daily-prompt", "--channel", CHANNEL, "--at", "notatime")
    assert_one_line_error(result, "--at")
    assert fake.calls_to("chat.postMessage") == []


# --- export and forget ----------------------------------------------------------------------------


def test_export_prints_the_teams_data_as_json_and_forget_erases_a_person(
    tmp_path: Path, fake: FakeSlack
) -> None:
    env = slack_env(fake, tmp_path)
    ran = run_bot(
        tmp_path, env, "run", "daily-summary", "--channel", CHANNEL, "--at", "2026-11-30T12:00"
    )
    assert ran.returncode == 0, ran.stderr

    exported = run_bot(tmp_path, env, "export", "--team", TEAM)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert data["team_id"] == TEAM
    assert "U0001" in exported.stdout  # the summary cached who is in the channel
    assert "xoxb" not in exported.stdout, "tokens are never exported"

    forgotten = run_bot(tmp_path, env, "forget", "--user", "U0001")
    assert forgotten.returncode == 0, forgotten.stderr

    after = run_bot(tmp_path, env, "export", "--team", TEAM)
    assert after.returncode == 0, after.stderr
    assert "U0001" not in after.stdout
    assert "U0002" in after.stdout, "only that person is forgotten"


def test_export_of_an_unknown_team_is_empty_json(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "bot.db"))
    result = run_bot(tmp_path, env, "export", "--team", "TNOBODY")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["team_id"] == "TNOBODY"
    assert all(rows == [] for rows in data["tables"].values())


# --- manifest -------------------------------------------------------------------------------------


def manifest(tmp_path: Path, *args: str) -> dict[str, Any]:
    result = run_bot(tmp_path, clean_env(), "manifest", *args)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    commands = {command["command"]: command for command in parsed["features"]["slash_commands"]}
    assert set(commands) == {"/daily", "/weekly", "/prospect", "/board", "/okr"}
    assert all(command["should_escape"] is True for command in commands.values())
    assert "YOUR-HOST" not in result.stdout
    return parsed


def test_the_socket_mode_manifest_needs_no_public_url(tmp_path: Path) -> None:
    parsed = manifest(tmp_path, "--socket-mode")
    assert parsed["settings"]["socket_mode_enabled"] is True
    assert "https://" not in json.dumps(parsed["features"])
    assert "request_url" not in parsed["settings"]["event_subscriptions"]
    assert "request_url" not in parsed["settings"]["interactivity"]


@pytest.mark.parametrize("url", ["https://x.example", "https://x.example/"])
def test_the_http_manifest_points_every_request_at_the_given_url(tmp_path: Path, url: str) -> None:
    parsed = manifest(tmp_path, "--url", url)
    events = "https://x.example/slack/events"
    assert parsed["settings"]["socket_mode_enabled"] is False
    assert {command["url"] for command in parsed["features"]["slash_commands"]} == {events}
    assert parsed["settings"]["event_subscriptions"]["request_url"] == events
    assert parsed["settings"]["interactivity"]["request_url"] == events
    assert parsed["oauth_config"]["redirect_urls"] == ["https://x.example/slack/oauth_redirect"]


# --- serve ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(
    process: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 20.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    body: dict[str, Any] = json.loads(answer.read())
                    return body
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)  # polling interval while gunicorn boots; there is nothing to wait on
    pytest.fail(f"/healthz did not answer 200 within {timeout}s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def test_serve_answers_healthz_and_signed_slack_requests(tmp_path: Path, fake: FakeSlack) -> None:
    port = free_port()
    env = slack_env(
        fake, tmp_path, SLACK_SIGNING_SECRET=SECRET, PORT=str(port), WEB_CONCURRENCY="1"
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_until_healthy(process, port, log) == {"ok": True, "database": "up"}
        slack = SlackDriver(f"http://127.0.0.1:{port}", SECRET, response_url_base=fake.hooks_url)

        # A forged request first: rejected, and it must not post anything.
        body = b"command=%2Fdaily&text=today%3A+forged&team_id=T0001&channel_id=C0001&user_id=U0001"
        forged = slack.raw(
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                **slack.signed_headers(body, secret="not-the-secret"),
            },
        )
        assert forged.status == 401
        stale = slack.raw(
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                **slack.signed_headers(body, timestamp=int(time.time()) - 6 * 60),
            },
        )
        assert stale.status == 401

        answer = slack.command("/daily", "help")
        assert answer.status == 200, answer.body
        assert answer.elapsed < 3.0
        [help_message] = fake.wait_for(
            "chat.postEphemeral",
            timeout=10,
            predicate=lambda call: call.params["user"] == "U0001",
        )
        assert help_message.params["channel"] == CHANNEL
        assert "/daily" in help_message.params["text"]
        assert fake.calls_to("chat.postMessage") == [], "the forged update was not posted"
    finally:
        stop(process)
    assert process.returncode is not None
    # The token is in the environment, as operators set it: Bolt must not call it unused.
    assert "will be unused" not in log.read_text(), log.read_text()


# --- help and version -----------------------------------------------------------------------------

SUBCOMMANDS = (
    ["serve"],
    ["clock"],
    ["run"],
    ["db"],
    ["export"],
    ["forget"],
    ["import-contacts"],
    ["manifest"],
    ["radar"],
    ["radar", "explain"],
)


@pytest.mark.parametrize("args", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_explains_itself_in_its_help(tmp_path: Path, args: list[str]) -> None:
    result = run_bot(tmp_path, clean_env(), *args, "--help")
    assert result.returncode == 0 and result.stderr == ""
    usage, _, description = result.stdout.partition("\n\n")
    assert usage.startswith(f"usage: python -m bot {' '.join(args)}")
    # A sentence or more, not just the list of options argparse makes by itself.
    assert len(description.split("\n\n")[0].split()) >= 8, result.stdout


def test_version_prints_the_installed_packages_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = run_bot(tmp_path, clean_env(), "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"redthread {version('redthread')}"
    assert version("redthread")[0].isdigit()
