"""People Slack does not know (any more) end to end: a mention of them, or their old items and
updates, renders as a neutral name in the reader's language and never breaks a message or job."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime

from bot.daily import service
from storage.channels import update_channel
from storage.db import transaction
from tests.conftest import BOT_TOKEN, CHANNEL, TEAM, BotUnderTest
from tests.support import text_of
from tests.test_weekly_support import (
    BERLIN,
    FRIDAY_CALL,
    MONDAY_WEEKLY,
    ephemerals_to,
    run_agenda,
    run_call,
    top_level_posts,
)

UNKNOWN = "U09999999"  # users.info answers user_not_found
FORMER_EN = "a former member"
FORMER_DE = "ein ehemaliges Mitglied"
THURSDAY_MORNING = datetime(2026, 11, 26, 10, 30, tzinfo=BERLIN)


def _lookups_of(bot: BotUnderTest, user_id: str) -> int:
    return len([c for c in bot.fake.calls_to("users.info") if c.params.get("user") == user_id])


def _posted(bot: BotUnderTest) -> str:
    calls = [*bot.fake.calls_to("chat.postMessage"), *bot.fake.calls_to("chat.update")]
    return "\n".join(text_of(call) for call in calls)


def _run_job(bot: BotUnderTest, job: str, at: datetime) -> None:
    """`python -m bot run JOB` against the test's database and fake Slack: it must succeed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "SLACK_API_URL": bot.fake.url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "DATABASE_URL": bot.runtime.settings.database_url,
        "DEFAULT_TIMEZONE": "Europe/Berlin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", job, "--channel", CHANNEL, "--at", at.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_an_item_mentioning_an_unknown_user_leaves_the_draft_readable(bot: BotUnderTest) -> None:
    bot.command("/weekly", f"add see <@{UNKNOWN}> about the Bosch offer")
    bot.command("/weekly", "", user_id="U0003")
    bot.command("/weekly", "", user_id="U0002")
    english, german = ephemerals_to(bot, "U0003")[-1], ephemerals_to(bot, "U0002")[-1]
    assert f"see @{FORMER_EN} about the Bosch offer — Anna" in english
    assert f"see @{FORMER_DE} about the Bosch offer — Anna" in german, "the reader's language"
    assert "user_not_found" not in english + german


def test_an_unknown_user_is_looked_up_once_like_any_profile(bot: BotUnderTest) -> None:
    bot.command("/weekly", f"add ask <@{UNKNOWN}> and <@{UNKNOWN}> again")
    for _ in range(3):
        bot.command("/weekly", "")
    assert _lookups_of(bot, UNKNOWN) == 1, "the answer 'unknown' is cached like a profile"


def test_a_passing_users_info_failure_is_not_remembered_as_unknown(bot: BotUnderTest) -> None:
    bot.fake.add_user("U0004", name="Dora")
    bot.command("/weekly", "add ask <@U0004> about pricing")
    bot.fake.fail_next("users.info", error="ratelimited", retry_after=0, times=4)
    assert bot.slack.command(command="/weekly", text="").status == 200
    [(where, _)] = bot.take_failures()
    assert where == "weekly_command"
    assert "ratelimited" in ephemerals_to(bot, "U0001")[-1], "the failure is reported, not hidden"
    bot.command("/weekly", "")
    assert "ask @Dora about pricing" in ephemerals_to(bot, "U0001")[-1]


def test_a_deleted_users_name_is_not_shown(bot: BotUnderTest) -> None:
    bot.command("/weekly", "add thank <@UGONE> for the handover")
    bot.command("/weekly", "")
    draft = ephemerals_to(bot, "U0001")[-1]
    assert f"thank @{FORMER_EN} for the handover" in draft
    assert "Former colleague" not in draft


def test_a_daily_update_mentioning_an_unknown_user_is_posted(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", f"today: call with <@{UNKNOWN}> highlight: met <@UGONE>")
    assert f"call with @{FORMER_EN}" in _posted(bot)
    assert f"met @{FORMER_EN}" in _posted(bot)
    assert "Thanks" in ephemerals_to(bot, "U0001")[-1]


def test_a_decision_mentioning_an_unknown_user_is_posted_and_listed(bot: BotUnderTest) -> None:
    bot.command("/weekly", f"decide <@{UNKNOWN}>'s accounts go to Carla")
    assert f"@{FORMER_EN}'s accounts go to Carla" in _posted(bot)
    bot.command("/weekly", "decisions", user_id="U0002")
    assert f"@{FORMER_DE}'s accounts go to Carla" in ephemerals_to(bot, "U0002")[-1]


def test_the_scheduled_jobs_run_with_unknown_and_deleted_people_in_the_channel(
    bot: BotUnderTest,
) -> None:
    # Someone Slack no longer knows is still listed as a channel member.
    bot.fake.set_members(CHANNEL, [*bot.fake.members[CHANNEL], UNKNOWN])
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", f"today: a impediment: waiting for <@{UNKNOWN}>")
    bot.command("/weekly", f"add need <@{UNKNOWN}> left open questions")
    bot.command("/weekly", "decide <@UGONE>'s leads go to Ben")

    _run_job(bot, "daily-summary", datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN))
    summary = text_of(bot.fake.calls_to("chat.postMessage")[-1])
    assert "Daily summary" in summary and f"waiting for @{FORMER_EN}" in summary
    assert "No update yet:* Ben, Carla" in summary, "only people Slack knows are listed"

    _run_job(bot, "weekly-call", FRIDAY_CALL)
    call = text_of(top_level_posts(bot)[-1])
    assert "Call for items" in call and f"@{FORMER_EN} left open questions" in call

    _run_job(bot, "weekly-agenda", MONDAY_WEEKLY)
    agenda = text_of(top_level_posts(bot)[-1])
    assert "Weekly ·" in agenda and f"@{FORMER_EN}'s leads go to Ben" in _posted(bot)


def test_the_job_functions_survive_an_unknown_mention_too(bot: BotUnderTest) -> None:
    bot.command("/weekly", f"add see <@{UNKNOWN}>")
    run_call(bot)
    run_agenda(bot)
    assert _posted(bot).count(f"see @{FORMER_EN}") >= 2


def test_away_by_status_skips_someone_slack_no_longer_knows(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: a")
    client = bot.runtime.client_for("T0001")
    config = service.channel_config(bot.runtime, "T0001", CHANNEL)
    service.post_summary(bot.runtime, client, config, THURSDAY_MORNING.date())
    # Carla's profile is cached as a member's; meanwhile Slack has stopped knowing her.
    del bot.fake.users["U0003"]
    bot.command("/daily", "today: b", user_id="U0002")  # edits the summary: statuses again
    assert "Danke" in ephemerals_to(bot, "U0002")[-1], "no error for Ben"
    summary = text_of(bot.fake.calls_to("chat.update")[-2])
    assert "Daily summary" in summary and "No update yet:* Carla" in summary


def test_a_channel_post_uses_the_channels_language_for_the_neutral_name(bot: BotUnderTest) -> None:
    with transaction(bot.runtime.sessions) as session:
        update_channel(session, TEAM, CHANNEL, language="de")
    bot.command("/weekly", f"decide <@{UNKNOWN}> übergibt an Carla")
    assert f"@{FORMER_DE} übergibt an Carla" in _posted(bot)
