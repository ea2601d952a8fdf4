"""The Daily end to end: signed requests into the real app, assertions on Web API calls."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from bot.daily import service
from bot.sandbox.slack import plain
from storage.db import transaction
from storage.models import Absence, Daily, DailyUpdate
from tests.conftest import CHANNEL, BotUnderTest
from tests.support import text_of

THURSDAY_MORNING = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Berlin


def _count(bot: BotUnderTest, model: Any) -> int:
    with transaction(bot.runtime.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _posts(bot: BotUnderTest, **match: Any) -> list[Any]:
    return [
        call
        for call in bot.fake.calls_to("chat.postMessage")
        if all(call.params.get(key) == value for key, value in match.items())
    ]


def _top_level_posts(bot: BotUnderTest) -> list[Any]:
    return [
        call for call in bot.fake.calls_to("chat.postMessage") if "thread_ts" not in call.params
    ]


_text_of = text_of


def _ephemerals_to(bot: BotUnderTest, user_id: str) -> list[str]:
    return [
        call.params["text"]
        for call in bot.fake.calls_to("chat.postEphemeral")
        if call.params.get("user") == user_id
    ]


def test_daily_command_posts_the_prompt_then_the_update_in_its_thread(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: call Müller AG highlight: signed ACME impediment: CRM is slow")

    prompt = _top_level_posts(bot)
    assert len(prompt) == 1
    prompt_ts = bot.fake.calls_to("chat.postMessage")[0]
    replies = [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" in c.params]
    assert len(replies) == 1
    reply_text = _text_of(replies[0])
    assert "call Müller AG" in reply_text and "signed ACME" in reply_text
    assert "CRM is slow" in reply_text and "Anna" in reply_text
    assert "<@U0001>" not in reply_text, "an update names its author without pinging"
    assert replies[0].params["thread_ts"] != prompt_ts.params.get("thread_ts")
    assert any("Daily thread" in text for text in _ephemerals_to(bot, "U0001"))
    with transaction(bot.runtime.sessions) as session:
        daily = session.scalars(select(Daily)).one()
        assert daily.local_date == date(2026, 11, 26)
        assert replies[0].params["thread_ts"] == daily.prompt_ts


def test_second_submission_edits_the_post_and_keeps_fields_it_does_not_give(
    bot: BotUnderTest,
) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: call Müller AG highlight: signed ACME")
    first_reply = next(c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" in c.params)
    bot.command("/daily", "impediment: waiting for legal")

    assert len(bot.fake.calls_to("chat.postMessage")) == 2, "never a second post"
    updates = bot.fake.calls_to("chat.update")
    assert len(updates) == 1
    edited = _text_of(updates[0])
    assert "call Müller AG" in edited and "signed ACME" in edited and "waiting for legal" in edited
    with transaction(bot.runtime.sessions) as session:
        row = session.scalars(select(DailyUpdate)).one()
        assert updates[0].params["ts"] == row.posted_ts
    assert first_reply.params["channel"] == CHANNEL


def test_german_labels_and_unlabelled_text_as_plan(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command(
        "/daily", "Angebot für Bosch schreiben hindernis: Preisliste fehlt", user_id="U0002"
    )
    with transaction(bot.runtime.sessions) as session:
        row = session.scalars(select(DailyUpdate)).one()
    assert row.plan == "Angebot für Bosch schreiben"
    assert row.impediment == "Preisliste fehlt"
    assert any("Daily-Thread" in text for text in _ephemerals_to(bot, "U0002")), "Ben is de-DE"


def test_thread_reply_to_the_prompt_is_that_members_update(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    daily = _run_prompt(bot)
    bot.event(_thread_reply("U0003", daily.prompt_ts, "today: demo at Siemens highlight: new lead"))
    with transaction(bot.runtime.sessions) as session:
        row = session.scalars(select(DailyUpdate)).one()
    assert (row.user_id, row.plan, row.highlight) == ("U0003", "demo at Siemens", "new lead")
    assert len(bot.fake.calls_to("chat.postMessage")) == 1, (
        "a thread reply is recorded, not reposted"
    )


def test_reply_in_an_unrelated_thread_is_ignored(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    _run_prompt(bot)
    bot.event(_thread_reply("U0003", "1700000000.000001", "today: something else"))
    assert _count(bot, DailyUpdate) == 0


def test_retried_event_never_has_a_second_effect(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    daily = _run_prompt(bot)
    service.post_summary(
        bot.runtime, bot.runtime.client_for("T0001"), _config(bot), daily.local_date
    )
    updates_before = len(bot.fake.calls_to("chat.update"))
    first = bot.event(_thread_reply("U0001", daily.prompt_ts, "today: late answer"))
    updates_after_first = len(bot.fake.calls_to("chat.update"))
    assert updates_after_first > updates_before, "a late answer refreshes the summary"
    bot.event(
        _thread_reply("U0001", daily.prompt_ts, "today: late answer"),
        event_id=first.event_id,
        retry_num=1,
    )
    bot.event(
        _thread_reply("U0001", daily.prompt_ts, "today: late answer"),
        event_id=first.event_id,
        retry_num=2,
    )
    assert len(bot.fake.calls_to("chat.update")) == updates_after_first
    assert _count(bot, DailyUpdate) == 1


def test_bad_signature_or_stale_timestamp_is_rejected_and_changes_nothing(
    bot: BotUnderTest,
) -> None:
    body = b"command=%2Fdaily&text=today%3A+hi&user_id=U0001&channel_id=C0001&team_id=T0001"
    forged = bot.slack.signed_headers(body, secret="not-the-secret")
    assert bot.slack.raw(body, forged).status == 401
    stale = bot.slack.signed_headers(body, timestamp=int(datetime.now(UTC).timestamp()) - 301)
    assert bot.slack.raw(body, stale).status == 401
    unsigned = {"Content-Type": "application/x-www-form-urlencoded"}
    assert bot.slack.raw(body, unsigned).status == 401
    bot.settle()
    assert bot.fake.calls == []
    assert _count(bot, Daily) == 0


def test_bad_input_gets_an_ephemeral_error_and_stores_nothing(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "away 31.02.")
    bot.command("/daily", "today: " + "x" * 5000)
    bot.command("/daily", "away")
    errors = _ephemerals_to(bot, "U0001")
    assert len(errors) == 3
    assert "31.02." in errors[0]
    assert "too long" in errors[1]
    assert "/daily away" in errors[2]
    assert bot.fake.calls_to("chat.postMessage") == []
    assert _count(bot, Absence) == 0 and _count(bot, Daily) == 0


def test_help_answers_in_the_users_locale(bot: BotUnderTest) -> None:
    bot.command("/daily", "help", user_id="U0002")
    bot.command("/daily", "help", user_id="U0001")
    assert "Hindernis" in _ephemerals_to(bot, "U0002")[0]
    assert "impediment" in _ephemerals_to(bot, "U0001")[0]


def test_user_text_never_pings_anyone(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command(
        "/daily",
        "today: tell <!channel> and <!here> &amp; <!subteam^S0001|@sales> about <@U0002>",
    )
    posted = "\n".join(_text_of(call) for call in bot.fake.calls_to("chat.postMessage"))
    assert "<!" not in posted and "<@" not in posted
    assert "@Ben" in posted, "a mention in an update names the person without pinging"


def test_empty_daily_opens_the_modal_prefilled_with_the_last_answer(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "")
    first = bot.fake.calls_to("views.open")[-1].params["view"]
    assert first["callback_id"] == "daily_update"
    assert "initial_value" not in first["blocks"][0]["element"]
    bot.command("/daily", "today: call Müller AG")
    bot.command("/daily", "")
    second = bot.fake.calls_to("views.open")[-1].params["view"]
    assert second["blocks"][0]["element"]["initial_value"] == "call Müller AG"


def test_modal_submission_posts_the_update_and_a_blank_field_clears_it(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: old plan impediment: old blocker")
    context = f'{{"channel": "{CHANNEL}", "day": "2026-11-26"}}'
    response = bot.slack.view_submission(
        "daily_update",
        {
            "plan": {"value": plain("new plan")},
            "highlight": {"value": plain("closed Bosch")},
            "impediment": {"value": plain(None)},
        },
        private_metadata=context,
    )
    assert response.status == 200
    bot.settle()
    with transaction(bot.runtime.sessions) as session:
        row = session.scalars(select(DailyUpdate)).one()
    assert (row.plan, row.highlight, row.impediment) == ("new plan", "closed Bosch", None)
    assert len(bot.fake.calls_to("chat.update")) == 1, "the modal edits the earlier post"


def test_skip_and_away_silence_reminders_and_show_as_away(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "skip customer workshop", user_id="U0002")
    bot.command("/daily", "away 26.11. 4.12.", user_id="U0003")
    daily = _run_prompt(bot)
    client = bot.runtime.client_for("T0001")
    reminded = service.send_reminders(bot.runtime, client, _config(bot), daily.local_date)
    assert reminded == ["U0001"], (
        "bots, deleted users, the bot itself and absent people are left out"
    )
    assert service.send_reminders(bot.runtime, client, _config(bot), daily.local_date) == []
    service.post_summary(bot.runtime, client, _config(bot), daily.local_date)
    summary = _text_of(
        [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" in c.params][-1]
    )
    assert "Ben (customer workshop)" in summary and "Carla" in summary
    assert "No update yet:* Anna" in summary
    assert "<@" not in summary


def test_summary_replies_in_the_thread_and_updates_the_prompt(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: a highlight: won Bosch impediment: no CRM access")
    bot.command("/daily", "today: b highlight: met Siemens", user_id="U0003")
    client = bot.runtime.client_for("T0001")
    daily = service.post_summary(bot.runtime, client, _config(bot), date(2026, 11, 26))
    summary_posts = [
        c for c in _posts(bot, thread_ts=daily.prompt_ts) if "summary" in _text_of(c).lower()
    ]
    assert len(summary_posts) == 1
    text = _text_of(summary_posts[0])
    assert "Anna: won Bosch" in text and "Carla: met Siemens" in text
    assert "no CRM access" in text and "No update yet:* Ben" in text
    prompt_edits = [
        c for c in bot.fake.calls_to("chat.update") if c.params["ts"] == daily.prompt_ts
    ]
    assert prompt_edits and "Posted: Anna, Carla" in _text_of(prompt_edits[-1])
    service.post_summary(bot.runtime, client, _config(bot), date(2026, 11, 26))
    assert (
        len([c for c in _posts(bot, thread_ts=daily.prompt_ts) if "summary" in _text_of(c).lower()])
        == 1
    ), "a re-run edits, never reposts"


def test_running_the_prompt_job_twice_posts_one_prompt(bot: BotUnderTest) -> None:
    _run_prompt(bot)
    _run_prompt(bot)
    assert len(_top_level_posts(bot)) == 1


def test_a_rate_limited_post_is_retried_after_retry_after(bot: BotUnderTest) -> None:
    bot.fake.fail_next("chat.postMessage", error="ratelimited", retry_after=0)
    daily = _run_prompt(bot)
    assert daily.prompt_ts
    assert len(bot.fake.failed) == 1 and len(_top_level_posts(bot)) == 1


def test_a_failing_slack_call_tells_the_user(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    bot.fake.fail_next("chat.postMessage", error="is_archived")
    assert bot.slack.command(command="/daily", text="today: call Müller AG").status == 200
    [(where, error)] = bot.take_failures()
    assert where == "daily_command" and "is_archived" in str(error)
    messages = _ephemerals_to(bot, "U0001")
    assert len(messages) == 1 and "is_archived" in messages[0]
    bot.command("/daily", "today: call Müller AG")
    assert len(_top_level_posts(bot)) == 1, "a failed prompt can be posted on the next try"


def test_state_survives_a_restart(bot: BotUnderTest, database_url: str) -> None:
    from bot.app import build_app
    from bot.runtime import build_runtime
    from bot.sandbox.slack import SlackDriver
    from bot.server import make_wsgi_app
    from handlers.inbox import Inbox
    from tests.conftest import SIGNING_SECRET, make_settings
    from tests.support import ServedApp, TrackingExecutor

    bot.clock.set(THURSDAY_MORNING)
    bot.command("/daily", "today: before the restart")
    runtime = build_runtime(make_settings(database_url, bot.fake))
    runtime.now = bot.clock
    listeners = TrackingExecutor()
    app = build_app(runtime, inbox=Inbox(runtime, listeners))
    served = ServedApp(make_wsgi_app(app, runtime))
    try:
        driver = SlackDriver(served.url, SIGNING_SECRET, response_url_base=bot.fake.hooks_url)
        assert driver.command("/daily", "highlight: after the restart").status == 200
        listeners.wait_idle()
    finally:
        served.stop()
        runtime.engine.dispose()
    assert len(bot.fake.calls_to("chat.postMessage")) == 2
    assert "before the restart" in _text_of(bot.fake.calls_to("chat.update")[-1])


def test_settings_modal_validates_then_saves(bot: BotUnderTest) -> None:
    bot.command("/daily", "settings")
    view = bot.fake.calls_to("views.open")[-1].params["view"]
    assert view["callback_id"] == "daily_settings"
    values = {
        "weekdays": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "1"}, {"value": "4"}]}
        },
        "prompt_at": {"value": {"type": "timepicker", "selected_time": "08:30"}},
        "reminder_at": {"value": {"type": "timepicker", "selected_time": "10:00"}},
        "summary_at": {"value": {"type": "timepicker", "selected_time": "11:30"}},
        "timezone": {"value": plain("Mars/Base")},
        "language": {"value": {"type": "static_select", "selected_option": {"value": "de"}}},
    }
    rejected = bot.slack.view_submission(
        "daily_settings", values, private_metadata=view["private_metadata"]
    )
    assert rejected.status == 200 and rejected.json["response_action"] == "errors"
    assert "timezone" in rejected.json["errors"]
    values["timezone"] = {"value": plain("America/Los_Angeles")}
    accepted = bot.slack.view_submission(
        "daily_settings", values, private_metadata=view["private_metadata"]
    )
    assert accepted.status == 200
    bot.settle()
    config = service.channel_config(bot.runtime, "T0001", CHANNEL)
    assert config.schedule.weekdays == frozenset({1, 4})
    assert config.schedule.timezone == "America/Los_Angeles" and config.language == "de"
    assert any("08:30" in text for text in _ephemerals_to(bot, "U0001"))


def test_healthz_answers_when_the_database_is_reachable(bot: BotUnderTest) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
        assert response.status == 200


def _config(bot: BotUnderTest) -> service.ChannelConfig:
    return service.channel_config(bot.runtime, "T0001", CHANNEL)


def _run_prompt(bot: BotUnderTest) -> Daily:
    from schedules.daily import daily_prompt

    daily_prompt(bot.runtime, "T0001", CHANNEL, bot.clock())
    with transaction(bot.runtime.sessions) as session:
        return session.scalars(select(Daily).order_by(Daily.id.desc())).first()  # type: ignore[return-value]


def _thread_reply(user_id: str, thread_ts: str | None, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": CHANNEL,
        "user": user_id,
        "text": text,
        "ts": "1764100000.000900",
        "thread_ts": thread_ts,
        "channel_type": "channel",
    }


def test_simultaneous_submissions_of_one_member_post_one_reply(bot: BotUnderTest) -> None:
    import threading

    bot.clock.set(THURSDAY_MORNING)
    _run_prompt(bot)
    texts = ["today: first version", "highlight: second version", "impediment: third version"]
    senders = [
        threading.Thread(target=bot.slack.command, kwargs={"command": "/daily", "text": text})
        for text in texts
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(10)
    bot.settle()
    replies = [c for c in bot.fake.calls_to("chat.postMessage") if "thread_ts" in c.params]
    assert len(replies) == 1, "one member, one reply in the thread"
    # What the thread shows now: the reply as posted, or as last edited (when all three were
    # merged before the first post, no edit is needed at all).
    with transaction(bot.runtime.sessions) as session:
        posted_ts = session.scalars(select(DailyUpdate.posted_ts)).one()
    final = _text_of(bot.fake.message(CHANNEL, str(posted_ts)))
    assert all(part in final for part in ("first version", "second version", "third version"))


def test_daily_in_a_direct_message_explains_where_to_use_it(bot: BotUnderTest) -> None:
    from storage.models import Channel

    bot.command("/daily", "today: call Müller AG", channel_id="D0001")
    answers = bot.fake.calls_to("response_url")
    assert len(answers) == 1 and "team channel" in answers[0].params["text"]
    assert bot.fake.calls_to("chat.postMessage") == []
    assert _count(bot, Channel) == 0 and _count(bot, DailyUpdate) == 0


def test_a_vacation_status_means_no_reminder_and_away_in_the_summary(bot: BotUnderTest) -> None:
    bot.clock.set(THURSDAY_MORNING)
    profile = bot.fake.users["U0003"]["profile"]
    profile.update(status_emoji=":palm_tree:", status_text="Vacationing", status_expiration=0)
    daily = _run_prompt(bot)
    client = bot.runtime.client_for("T0001")
    reminded = service.send_reminders(bot.runtime, client, _config(bot), daily.local_date)
    assert reminded == ["U0001", "U0002"]
    service.post_summary(bot.runtime, client, _config(bot), daily.local_date)
    summary = _text_of(_posts(bot, thread_ts=daily.prompt_ts)[-1])
    assert "Carla (Vacationing)" in summary


def test_a_429_storm_during_an_answer_keeps_it_tells_the_truth_and_posts_it_later(
    bot: BotUnderTest,
) -> None:
    from datetime import timedelta

    from schedules.daily import daily_summary

    bot.clock.set(THURSDAY_MORNING)
    daily = _run_prompt(bot)
    bot.fake.fail_next("chat.postMessage", error="ratelimited", retry_after=0, times=4)
    answer = bot.slack.command(command="/daily", text="today: plan highlight: won ACME")
    assert answer.status == 200
    [(where, _)] = bot.take_failures()
    [told] = _ephemerals_to(bot, "U0001")
    assert where == "daily_command"
    assert "ratelimited" in told and "saved" in told and "Nothing" not in told
    assert _count(bot, DailyUpdate) == 1, "the answer is stored"

    daily_summary(bot.runtime, "T0001", CHANNEL, bot.clock())
    [summary] = _posts(bot, thread_ts=daily.prompt_ts)
    assert "won ACME" not in _text_of(summary), "the summary lists only what the thread shows"

    bot.clock.set(THURSDAY_MORNING + timedelta(seconds=10))  # the retry is due
    assert bot.inbox.sweep() == 1
    bot.settle()
    replies = [c for c in _posts(bot, thread_ts=daily.prompt_ts) if "won ACME" in _text_of(c)]
    assert len(replies) == 1, "posted once"
    refreshed = bot.fake.calls_to("chat.update")
    assert any("won ACME" in _text_of(call) for call in refreshed), "the summary caught up"


def test_a_member_slack_no_longer_knows_costs_only_their_own_reminder(bot: BotUnderTest) -> None:
    from schedules.daily import daily_reminder

    bot.clock.set(THURSDAY_MORNING)
    _run_prompt(bot)
    bot.fake.fail_next("chat.postEphemeral", error="user_not_found")
    daily_reminder(bot.runtime, "T0001", CHANNEL, bot.clock())
    reminded = {c.params["user"] for c in bot.fake.calls_to("chat.postEphemeral")}
    assert len(reminded) == 2, "the members after the one Slack refused are still reminded"


def test_a_reminder_slack_refused_for_a_while_is_sent_on_the_next_run(bot: BotUnderTest) -> None:
    import pytest
    from slack_sdk.errors import SlackApiError

    from schedules.daily import daily_reminder

    bot.clock.set(THURSDAY_MORNING)
    _run_prompt(bot)
    bot.fake.fail_next("chat.postEphemeral", error="internal_error")
    with pytest.raises(SlackApiError):
        daily_reminder(bot.runtime, "T0001", CHANNEL, bot.clock())
    daily_reminder(bot.runtime, "T0001", CHANNEL, bot.clock())
    reminded = [c.params["user"] for c in bot.fake.calls_to("chat.postEphemeral")]
    assert sorted(reminded) == ["U0001", "U0002", "U0003"], "each once, none lost"
