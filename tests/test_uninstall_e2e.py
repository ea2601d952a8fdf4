"""Slack reports the app uninstalled or its bot token revoked: the workspace's work stops (the
clock, the inbox), uninstalling erases its data as `forget --team` does, other workspaces go on.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.manifest import render_manifest
from bot.privacy import bot_token_revoked, export_team
from bot.runtime import WorkspaceGone
from schedules.clock import tick
from storage.channels import update_channel
from storage.db import transaction
from storage.models import InboxRequest, ProspectAnnouncement
from tests.conftest import CHANNEL, TEAM, BotUnderTest, make_settings
from tests.test_daily_e2e import THURSDAY_MORNING
from tests.test_inbox_e2e import stop_after_storing

OTHER_TEAM = "T0002"
BERLIN = ZoneInfo("Europe/Berlin")
NEXT_PROMPT = datetime(2026, 11, 30, 9, 0, 10, tzinfo=BERLIN)  # Monday's Daily prompt


def _fill_both_workspaces(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: call Bosch highlight: signed Siemens")
    bot.command("/weekly", "add plan visit the fair")
    bot.command("/prospect", "Acme GmbH: meeting the CFO")
    bot.command("/prospect", "Globex: intro call", team_id=OTHER_TEAM)
    with transaction(bot.runtime.sessions) as session:  # as if the bot had joined both
        update_channel(session, TEAM, CHANNEL, active=True, daily_state="on")
        update_channel(session, OTHER_TEAM, CHANNEL, active=True, daily_state="on")


def _rows(bot: BotUnderTest, team_id: str) -> dict[str, int]:
    tables = json.loads(export_team(bot.runtime, team_id))["tables"]
    return {name: len(rows) for name, rows in tables.items() if rows}


def _prompts_by_team(bot: BotUnderTest) -> list[str]:
    return [
        str(call.params.get("team_id", ""))
        for call in bot.fake.calls_to("chat.postMessage")
        if "thread_ts" not in call.params
    ]


def test_app_uninstalled_erases_the_workspace_and_nothing_else(bot: BotUnderTest) -> None:
    _fill_both_workspaces(bot)
    before = _rows(bot, TEAM)
    assert {"channels", "daily_updates", "weekly_items", "prospect_announcements"} <= set(before)
    other_before = _rows(bot, OTHER_TEAM)

    bot.event({"type": "app_uninstalled"})

    # Only the stop mark and the radar's version number (no data in either) remain.
    assert set(_rows(bot, TEAM)) == {"stopped_workspaces", "radar_versions"}
    assert _rows(bot, OTHER_TEAM) == other_before
    with pytest.raises(WorkspaceGone):
        bot.runtime.client_for(TEAM)
    bot.fake.reset()
    bot.clock.set(NEXT_PROMPT)
    assert tick(bot.runtime).ran == 1, "the other workspace's prompt only"


def test_a_revoked_bot_token_stops_the_clock_there_and_keeps_the_data(bot: BotUnderTest) -> None:
    _fill_both_workspaces(bot)
    before = _rows(bot, TEAM)
    bot.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}})
    requests = before["inbox_requests"] + 1  # the event's own
    assert _rows(bot, TEAM) == {**before, "inbox_requests": requests, "stopped_workspaces": 1}

    bot.fake.reset()
    bot.clock.set(NEXT_PROMPT)
    report = tick(bot.runtime)
    assert [line.split()[2] for line in report.lines()] == [f"{OTHER_TEAM}/{CHANNEL}"]
    assert len(_prompts_by_team(bot)) == 1

    # The operator puts a new token in place: the workspace is served again.
    bot.fake.valid_tokens.add("xoxb-new")
    bot.runtime.settings = make_settings(
        bot.runtime.settings.database_url, bot.fake, slack_bot_token="xoxb-new"
    )
    bot.clock.set(NEXT_PROMPT + timedelta(minutes=1))
    ran = [line for line in tick(bot.runtime).lines() if line.startswith("ran")]
    assert ran == [
        f"ran weekly-call {TEAM}/{CHANNEL} 2026-11-27",
        f"ran daily-prompt {TEAM}/{CHANNEL} 2026-11-30",
    ]
    assert bot.fake.calls_to("chat.postMessage")[-1].token == "xoxb-new"


def test_a_user_token_revoked_changes_nothing(bot: BotUnderTest) -> None:
    _fill_both_workspaces(bot)
    bot.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0001"], "bot": []}})
    assert "stopped_workspaces" not in _rows(bot, TEAM)


def test_the_sweeper_finishes_a_gone_workspaces_requests_and_serves_the_others(
    bot: BotUnderTest,
) -> None:
    """Requests left unfinished in a workspace that is gone since must not hold up others."""
    bot.clock.set(THURSDAY_MORNING)
    for team in (TEAM, OTHER_TEAM):  # the gone workspace's request is older: swept first
        stop_after_storing(bot)
        assert bot.slack.command("/prospect", "Initech: demo", team_id=team).status == 200
    bot_token_revoked(bot.runtime, TEAM)

    bot.clock.set(THURSDAY_MORNING + timedelta(minutes=2))
    assert bot.inbox.sweep(limit=1) == 1
    assert bot.inbox.sweep(limit=1) == 1
    bot.settle()
    with transaction(bot.runtime.sessions) as session:
        outcomes = dict(session.execute(select(InboxRequest.team_id, InboxRequest.outcome)).all())
        announced = session.scalars(select(ProspectAnnouncement.team_id)).all()
    assert outcomes == {TEAM: "failed: workspace gone", OTHER_TEAM: "done"}
    assert announced == [OTHER_TEAM]


def test_a_token_slack_says_is_revoked_stops_the_workspace_like_the_event(
    bot: BotUnderTest,
) -> None:
    """The tokens_revoked event can be missed (the bot was down): Slack's answer says it too."""
    _fill_both_workspaces(bot)
    with transaction(bot.runtime.sessions) as session:
        update_channel(session, OTHER_TEAM, CHANNEL, active=False)
    bot.fake.reset()
    bot.fake.fail_next("chat.postMessage", "token_revoked")
    bot.clock.set(NEXT_PROMPT)
    assert tick(bot.runtime).lines() == [
        f"failed weekly-call {TEAM}/{CHANNEL} 2026-11-27: token_revoked; nothing more in this "
        "workspace",
        f"skipped daily-prompt {TEAM}/{CHANNEL} 2026-11-30: the workspace is gone (token_revoked)",
    ]
    assert len(bot.take_failures()) == 1
    assert _rows(bot, TEAM)["stopped_workspaces"] == 1

    bot.clock.set(NEXT_PROMPT + timedelta(minutes=5))
    assert tick(bot.runtime).lines() == [], "nothing is tried there any more"
    assert len(bot.fake.calls_to("chat.postMessage")) == 0


def test_the_manifest_subscribes_to_the_uninstall_and_token_events() -> None:
    settings = render_manifest("https://bot.example.org")["settings"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(
        settings["event_subscriptions"]["bot_events"]
    )
