"""`python -m bot db copy SOURCE_URL`: a database the bot filled, copied into an empty one on
either backend, exports the same; a target that is not empty is refused; a failed copy leaves
nothing behind. And `forget --team` erases a whole workspace."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, create_engine, func, insert, select

import storage.copy
from bot.runtime import build_runtime
from schedules.daily import daily_reminder
from storage.copy import TargetNotEmpty, copy_rows
from storage.models import Base, Channel, InboxRequest
from storage.workspaces import InstallationStore
from tests.conftest import BOT_TOKEN, CHANNEL, TEAM, BotUnderTest, fresh_database, make_settings
from tests.test_cli import assert_one_line_error, clean_env, run_bot
from tests.test_daily_e2e import THURSDAY_MORNING
from tests.test_weekly_support import run_agenda


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path, "target.db") as url:
        yield url


def _cli(bot: BotUnderTest, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(
        SLACK_API_URL=bot.fake.url, SLACK_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=database_url
    )
    return run_bot(Path.cwd(), env, *args)


def _fill(bot: BotUnderTest) -> None:
    """Every pillar, and an OAuth install (tokens are copied, never exported)."""
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: call Bosch highlight: Siemens signed impediment: no CRM access")
    bot.command("/daily", "away 24.12. 6.1.", user_id="U0002")
    daily_reminder(bot.runtime, TEAM, CHANNEL, THURSDAY_MORNING)
    bot.command("/weekly", "add market prices drop")
    bot.command("/prospect", "knows Acme GmbH: Jane Doe (CFO)", user_id="U0002")
    bot.command("/prospect", "Acme: meeting the CFO")
    run_agenda(bot)
    bot.command("/weekly", "decide we stop cold calls")
    store = InstallationStore(client_id="1234.5678", engine=bot.runtime.engine)
    store.save(
        Installation(
            app_id="A0001",
            team_id=TEAM,
            user_id="U0001",
            bot_token="xoxb-installed",
            bot_id="B0001",
            bot_user_id="UBOT",
            bot_scopes=["commands"],
        )
    )


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def test_db_copy_moves_every_row_and_both_databases_export_the_same(
    bot: BotUnderTest, empty_target: str
) -> None:
    _fill(bot)
    source_url = bot.runtime.settings.database_url
    copied = _cli(bot, empty_target, "db", "copy", source_url)
    assert copied.returncode == 0, copied.stderr
    assert copied.stdout.startswith("copied ")

    exports = [
        _cli(bot, url, "export", "--team", TEAM).stdout for url in (source_url, empty_target)
    ]
    assert exports[0] == exports[1]
    assert len(json.loads(exports[0])["tables"]["weekly_decisions"]) == 1
    target = create_engine(empty_target)
    try:
        source_counts = _counts(bot.runtime.engine)
        assert _counts(target) == source_counts
        assert source_counts["slack_bots"] == 1 and source_counts["daily_reminders"] >= 1
        # New rows get ids after the copied ones (PostgreSQL's sequences were moved on).
        with target.begin() as connection:
            for model in (Channel, InboxRequest):
                highest = connection.scalar(select(func.max(model.id)))
                row = {"team_id": "T0009", "channel_id": "C0009"}
                if model is InboxRequest:
                    row = {"team_id": "T0009", "request_key": "k", "listener": "l", "body": "{}"}
                new_id = connection.scalar(insert(model).values(**row).returning(model.id))
                assert new_id is not None and highest is not None and new_id > highest
    finally:
        target.dispose()


def test_db_copy_refuses_a_target_that_is_not_empty(bot: BotUnderTest, empty_target: str) -> None:
    _fill(bot)
    source_url = bot.runtime.settings.database_url
    assert _cli(bot, empty_target, "db", "copy", source_url).returncode == 0
    target = create_engine(empty_target)
    try:
        before = _counts(target)
        again = _cli(bot, empty_target, "db", "copy", source_url)
        assert_one_line_error(again, "DATABASE_URL")
        assert "not empty" in again.stderr
        assert _counts(target) == before
    finally:
        target.dispose()


def test_db_copy_needs_an_existing_source(bot: BotUnderTest, tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'nothing-here.db'}"
    assert_one_line_error(
        _cli(bot, bot.runtime.settings.database_url, "db", "copy", missing), "SOURCE_URL"
    )
    assert not (tmp_path / "nothing-here.db").exists()
    assert_one_line_error(_cli(bot, bot.runtime.settings.database_url, "db", "copy"), "db")


def test_a_copy_that_fails_half_way_leaves_the_target_empty(
    bot: BotUnderTest, empty_target: str
) -> None:
    _fill(bot)
    target = build_runtime(make_settings(empty_target, bot.fake)).engine
    copy_table = storage.copy._copy_table
    tables_done: list[str] = []

    def fail_at_the_fifth_table(*args: object) -> int:
        if len(tables_done) == 5:
            raise OSError("the disk is full")
        tables_done.append("one")
        return copy_table(*args)  # type: ignore[arg-type]

    try:
        with (
            mock.patch.object(storage.copy, "_copy_table", fail_at_the_fifth_table),
            pytest.raises(OSError),
        ):
            copy_rows(bot.runtime.engine, target)
        assert set(_counts(target).values()) == {0}
        copy_rows(bot.runtime.engine, target)  # and it can simply be run again
        with pytest.raises(TargetNotEmpty):
            copy_rows(bot.runtime.engine, target)
    finally:
        target.dispose()


def test_forget_team_erases_every_row_of_the_workspace_and_only_those(
    bot: BotUnderTest,
) -> None:
    _fill(bot)
    bot.command("/prospect", "Globex: intro call", team_id="T0002")
    url = bot.runtime.settings.database_url
    other_before = _cli(bot, url, "export", "--team", "T0002").stdout

    forgotten = _cli(bot, url, "forget", "--team", TEAM)
    assert forgotten.returncode == 0, forgotten.stderr
    assert "daily_updates: 1" in forgotten.stdout and "slack_bots: 1" in forgotten.stdout
    tables = json.loads(_cli(bot, url, "export", "--team", TEAM).stdout)["tables"]
    assert {name for name, rows in tables.items() if rows} == {"radar_versions"}
    assert _cli(bot, url, "export", "--team", "T0002").stdout == other_before
    assert _counts(bot.runtime.engine)["slack_installations"] == 0
    assert_one_line_error(_cli(bot, url, "forget"), "forget")
