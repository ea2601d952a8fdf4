"""The Weekly in the channel end to end: the call for items, the agenda thread, claims and
resolution by reaction events, carry-over, the clock and `run weekly-agenda --at`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from schedules.clock import tick
from storage.db import transaction
from storage.models import Weekly, WeeklyAgendaItem
from tests.conftest import BOT_TOKEN, CHANNEL, TEAM, BotUnderTest
from tests.test_weekly_support import (
    BERLIN,
    FRIDAY_CALL,
    MONDAY_WEEKLY,
    NEXT_MONDAY_WEEKLY,
    count,
    parent_text,
    reaction,
    reply_for,
    run_agenda,
    run_call,
    text_of,
    thread_messages,
    top_level_posts,
)


def _add(bot: BotUnderTest, text: str, user_id: str = "U0001") -> None:
    bot.command("/weekly", f"add {text}", user_id=user_id)


def test_the_call_for_items_lists_the_agenda_so_far_once(bot: BotUnderTest) -> None:
    _add(bot, "impediment CRM export is broken")
    _add(bot, "need Bosch asks for an API", user_id="U0003")
    run_call(bot)
    run_call(bot)
    calls = top_level_posts(bot)
    assert len(calls) == 1, "a re-run never posts a second call"
    text = text_of(calls[0])
    assert "Call for items: Weekly on Monday, 30 November, 10:00" in text
    assert "• CRM export is broken — Anna" in text and "Bosch asks for an API — Carla" in text
    assert "`1`" not in text, "draft numbers are for /weekly, not for the channel"
    _add(bot, "plan visit Siemens")
    run_call(bot)
    assert "visit Siemens" in text_of(bot.fake.calls_to("chat.update")[-1]), "a re-run edits"


def test_the_agenda_is_a_parent_by_category_and_one_reply_per_item(bot: BotUnderTest) -> None:
    _add(bot, "done signed ACME")
    _add(bot, "impediment CRM export is broken", user_id="U0003")
    _add(bot, "help review the Bosch offer", user_id="U0002")
    parent_ts = run_agenda(bot)
    run_agenda(bot)  # a re-run (or a second clock) posts nothing twice
    parents = top_level_posts(bot)
    assert len(parents) == 1
    parent = text_of(parents[0])
    assert "Weekly · Monday, 30 November" in parent
    assert parent.index("Done last week") < parent.index("Impediments") < parent.index("Help")
    assert "0 of 3 items resolved" in parent
    replies = thread_messages(bot, parent_ts)
    assert len(replies) == 3
    assert [text_of(m).split("\n")[0] for _, m in replies] == [
        "Weekly item (Done last week): signed ACME",
        "Weekly item (Impediments): CRM export is broken",
        "Weekly item (Help and feedback wanted): review the Bosch offer",
    ]
    assert all("<@" not in text_of(m) for _, m in replies), "authors are named, not pinged"
    bot.command("/weekly", "")
    draft = text_of(bot.fake.calls_to("chat.postEphemeral")[-1])
    assert "Monday, 7 December" in draft, "items added now belong to the next Weekly"
    assert draft.count("carried over") == 3, "open items are on it, marked as carried over"


def test_reactions_claim_unclaim_and_resolve_an_item(bot: BotUnderTest) -> None:
    _add(bot, "impediment CRM export is broken")
    _add(bot, "market Competitor X cut prices")
    parent_ts = run_agenda(bot)
    crm = reply_for(bot, parent_ts, "CRM export")

    bot.event(reaction("U0002", crm))
    bot.event(reaction("U0003", crm))
    assert "CRM export is broken — Anna · :raising_hand: <@U0002>, <@U0003>" in parent_text(
        bot, parent_ts
    ), "several people may claim one item, and claims mention them"
    bot.event(reaction("U0002", crm, added=False))
    text = parent_text(bot, parent_ts)
    assert ":raising_hand: <@U0003>" in text and "<@U0002>" not in text

    bot.event(reaction("U0001", crm, "white_check_mark"))
    text = parent_text(bot, parent_ts)
    assert ":white_check_mark: ~CRM export is broken~" in text and "1 of 2 items resolved" in text
    bot.event(reaction("U0001", crm, "white_check_mark", added=False))
    assert "0 of 2 items resolved" in parent_text(bot, parent_ts), "removing ✅ reopens it"


def test_retried_unrelated_and_own_reactions_change_nothing(bot: BotUnderTest) -> None:
    _add(bot, "plan visit Bosch")
    parent_ts = run_agenda(bot)
    item = reply_for(bot, parent_ts, "visit Bosch")
    first = bot.event(reaction("U0002", item))
    updates = len(bot.fake.calls_to("chat.update"))
    bot.event(reaction("U0002", item), event_id=first.event_id, retry_num=1)
    bot.event(reaction("U0003", "1764000999.000100"))  # some other message
    bot.event(reaction("U0003", parent_ts))  # the parent itself
    bot.event(reaction("UBOT", item))  # the bot's own
    bot.event(reaction("U0003", item, "thumbsup"))
    assert len(bot.fake.calls_to("chat.update")) == updates
    assert "<@U0003>" not in parent_text(bot, parent_ts) and "<@UBOT>" not in parent_text(
        bot, parent_ts
    )
    bot.event(reaction("U0003", item, "raising_hand::skin-tone-4"))
    assert "<@U0002>, <@U0003>" in parent_text(bot, parent_ts), "a skin tone is still a hand"


def test_add_and_remove_racing_end_in_the_state_the_person_left(bot: BotUnderTest) -> None:
    _add(bot, "plan visit Bosch")
    parent_ts = run_agenda(bot)
    item = reply_for(bot, parent_ts, "visit Bosch")
    # Added at .000010, removed at .000020, but Slack delivers the removal first.
    bot.event(reaction("U0002", item, added=False, event_ts="1790000001.000020"))
    bot.event(reaction("U0002", item, added=True, event_ts="1790000001.000010"))
    assert "<@U0002>" not in parent_text(bot, parent_ts)
    # Removed at .000030 and added again at .000040, delivered the other way round.
    bot.event(reaction("U0003", item, added=True, event_ts="1790000001.000040"))
    bot.event(reaction("U0003", item, added=False, event_ts="1790000001.000030"))
    assert ":raising_hand: <@U0003>" in parent_text(bot, parent_ts)


def test_many_concurrent_reactions_leave_the_parent_in_the_final_state(bot: BotUnderTest) -> None:
    people = [f"U1{n:03d}" for n in range(12)]
    for user_id in people:
        bot.fake.add_user(user_id, name=f"Person {user_id}")
    for n in range(6):
        _add(bot, f"plan topic number {n}")
    parent_ts = run_agenda(bot)
    items = [reply_for(bot, parent_ts, f"topic number {n}") for n in range(6)]
    events = [reaction(user, items[i % 6]) for i, user in enumerate(people)]
    events += [reaction(people[0], items[0], "white_check_mark"), reaction(people[1], items[0])]
    senders = [threading.Thread(target=bot.slack.event, args=(event,)) for event in events]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(20)
    bot.settle()
    final = parent_text(bot, parent_ts)
    for i, user in enumerate(people):
        assert f"<@{user}>" in final, (user, final)
        line = next(line for line in final.split("\n") if f"topic number {i % 6}" in line)
        assert f"<@{user}>" in line
    assert "1 of 6 items resolved" in final
    assert len(bot.fake.calls_to("chat.update")) <= len(events), "re-renders are coalesced"


def test_open_items_carry_over_and_resolved_ones_do_not(bot: BotUnderTest) -> None:
    _add(bot, "impediment CRM export is broken")
    _add(bot, "plan visit Bosch")
    first = run_agenda(bot)
    bot.event(reaction("U0002", reply_for(bot, first, "CRM export")))
    bot.event(reaction("U0001", reply_for(bot, first, "visit Bosch"), "white_check_mark"))
    bot.clock.set(MONDAY_WEEKLY + timedelta(hours=2))
    _add(bot, "market new competitor", user_id="U0003")
    bot.command("/weekly", "")
    draft = text_of(bot.fake.calls_to("chat.postEphemeral")[-1])
    assert "Monday, 7 December" in draft
    assert "`1` CRM export is broken — Anna · carried over · :raising_hand: Ben" in draft
    assert "visit Bosch" not in draft and "`2` new competitor" in draft

    second = run_agenda_by_cli(bot, "2026-12-07T10:00")
    replies = [text_of(m) for _, m in thread_messages(bot, second)]
    assert len(replies) == 3, "two items, then December's first Weekly's team insight"
    assert "Team insight" in replies[2]
    assert "CRM export is broken" in replies[0]
    assert "carried over from the Weekly of 30 Nov 2026" in replies[0]
    assert "new competitor" in replies[1] and "carried over" not in replies[1]
    parent = parent_text(bot, second)
    assert "CRM export is broken — Anna · carried over · :raising_hand: <@U0002>" in parent
    assert "visit Bosch" not in parent


def test_impediments_from_the_daily_join_the_agenda(bot: BotUnderTest) -> None:
    bot.clock.set(datetime(2026, 11, 26, 10, 30, tzinfo=BERLIN))  # Thursday's Daily
    bot.command("/daily", "today: calls impediment: VPN keeps dropping", user_id="U0003")
    bot.command("/daily", "today: demo", user_id="U0002")
    bot.command("/weekly", "")
    draft = text_of(bot.fake.calls_to("chat.postEphemeral")[-1])
    assert "`1` VPN keeps dropping — Carla · from the Daily" in draft
    bot.command("/daily", "impediment: VPN and CRM down", user_id="U0003")  # edited later
    parent_ts = run_agenda(bot)
    parent = parent_text(bot, parent_ts)
    assert "*Impediments*\n• VPN and CRM down — Carla · from the Daily" in parent
    assert "from the Daily" in text_of(thread_messages(bot, parent_ts)[0][1])

    bot.clock.set(MONDAY_WEEKLY + timedelta(days=3))
    bot.command("/daily", "today: more calls", user_id="U0003")  # no new impediment
    bot.command("/weekly", "")
    draft = text_of(bot.fake.calls_to("chat.postEphemeral")[-1])
    assert draft.count("VPN and CRM down") == 1, "an impediment joins one Weekly, then carries"


def test_the_clock_posts_call_and_agenda_once_at_the_channels_local_times(
    bot: BotUnderTest,
) -> None:
    _add(bot, "plan visit Bosch")
    for moment in (FRIDAY_CALL - timedelta(seconds=30), FRIDAY_CALL + timedelta(seconds=10)):
        bot.clock.set(moment)
        tick(bot.runtime)
    assert len(top_level_posts(bot)) == 1 and "Call for items" in text_of(top_level_posts(bot)[0])
    bot.clock.set(MONDAY_WEEKLY + timedelta(seconds=10))
    ran: list[int] = []
    clocks = [threading.Thread(target=lambda: ran.append(tick(bot.runtime))) for _ in range(2)]
    for clock in clocks:
        clock.start()
    for clock in clocks:
        clock.join(30)
    weekly_runs = [call for call in top_level_posts(bot) if "Weekly ·" in text_of(call)]
    assert len(weekly_runs) == 1, "two clocks, one agenda"
    with transaction(bot.runtime.sessions) as session:
        weekly = session.scalars(select(Weekly)).one()
        assert weekly.agenda_done_at is not None and weekly.call_ts is not None
    assert count(bot, WeeklyAgendaItem) == 1


def test_a_failed_reply_is_completed_by_the_next_run(bot: BotUnderTest) -> None:
    _add(bot, "plan one")
    _add(bot, "plan two")
    bot.fake.fail_next("chat.postMessage", error="internal_error")
    bot.clock.set(MONDAY_WEEKLY)
    try:
        from schedules.weekly import weekly_agenda

        weekly_agenda(bot.runtime, TEAM, CHANNEL, MONDAY_WEEKLY)
    except Exception as error:
        assert "internal_error" in str(error)
    parent_ts = run_agenda(bot)
    assert len(top_level_posts(bot)) == 1
    assert [text_of(m).split("\n")[0][-3:] for _, m in thread_messages(bot, parent_ts)] == [
        "one",
        "two",
    ]


def run_agenda_by_cli(bot: BotUnderTest, at: str) -> str:
    """`python -m bot run weekly-agenda --at …` against the test's database and fake Slack."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "SLACK_API_URL": bot.fake.url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "DATABASE_URL": bot.runtime.settings.database_url,
        "DEFAULT_TIMEZONE": "Europe/Berlin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "weekly-agenda", "--channel", CHANNEL, "--at", at],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"weekly-agenda ran for {CHANNEL}" in result.stdout
    day = datetime.fromisoformat(at).date()
    assert day == NEXT_MONDAY_WEEKLY.date()
    with transaction(bot.runtime.sessions) as session:
        weekly = session.scalars(select(Weekly).where(Weekly.local_date == day)).one()
        assert weekly.agenda_ts
        return weekly.agenda_ts


def test_a_channel_that_never_used_the_weekly_gets_no_weekly_posts(bot: BotUnderTest) -> None:
    bot.command("/weekly", "help")  # reading the help does not start the Weekly
    for moment in (FRIDAY_CALL + timedelta(seconds=10), MONDAY_WEEKLY + timedelta(seconds=10)):
        bot.clock.set(moment)
        tick(bot.runtime)
    assert not [c for c in top_level_posts(bot) if "Weekly" in text_of(c)]
    bot.command("/weekly", "")  # the first real use starts it
    bot.clock.set(NEXT_MONDAY_WEEKLY + timedelta(seconds=10))
    tick(bot.runtime)
    assert len([c for c in top_level_posts(bot) if "Weekly ·" in text_of(c)]) == 1
