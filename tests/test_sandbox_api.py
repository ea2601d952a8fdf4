"""The sandbox's JSON API end to end: the real bot behind it, the page's requests in front
(`python -m bot sandbox`; the page itself is tested in the browser elsewhere)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.daily.render import WELCOME_SETTINGS_ACTION
from bot.sandbox.launch import RunningSandbox, start_sandbox
from bot.sandbox.seed import BOT_USER_ID, CHANNEL_ID

ANNA, BEN = "U0ANNA", "U0BEN"
# A Wednesday morning: no Daily today (Monday and Thursday), the Weekly next Monday.
WEDNESDAY = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def sandbox(database_url: str) -> Iterator[RunningSandbox]:
    running = start_sandbox(0, database_url, WEDNESDAY)
    yield running
    running.stop()
    assert not running.sandbox.failures, running.sandbox.failures
    assert not running.sandbox.slack.rejected, running.sandbox.slack.rejected


def request(running: RunningSandbox, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    call = urllib.request.Request(running.page.url + path, data=data)
    try:
        with urllib.request.urlopen(call, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def post(running: RunningSandbox, path: str, body: dict[str, Any]) -> dict[str, Any]:
    status, answer = request(running, path, body)
    assert status == 200, answer
    assert isinstance(answer["version"], int)
    return dict(answer)


def command(running: RunningSandbox, user: str, name: str, text: str = "") -> dict[str, Any]:
    """`user` types `name text` in #sales."""
    body = {"user": user, "channel": CHANNEL_ID, "command": name, "text": text}
    return post(running, "/api/command", body)


def state(running: RunningSandbox, user: str) -> dict[str, Any]:
    status, answer = request(running, f"/api/state?user={user}")
    assert status == 200, answer
    return dict(answer)


def channel(running: RunningSandbox, user: str = ANNA) -> list[dict[str, Any]]:
    return list(state(running, user)["messages"][CHANNEL_ID])


def initial_values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What a person who changes nothing submits: every input's initial value."""
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        element = block.get("element")
        if block["type"] != "input" or not element:
            continue
        kind, state_of = element["type"], {"type": element["type"]}
        if kind == "checkboxes":
            state_of["selected_options"] = element.get("initial_options", [])
        elif kind == "timepicker":
            state_of["selected_time"] = element.get("initial_time")
        elif kind == "static_select":
            state_of["selected_option"] = element.get("initial_option")
        else:
            state_of["value"] = element.get("initial_value")
        values[block["block_id"]] = {element["action_id"]: state_of}
    return values


def test_the_sandbox_starts_seeded_with_the_bot_in_the_channel(sandbox: RunningSandbox) -> None:
    seen = state(sandbox, ANNA)
    assert seen["me"] == ANNA and seen["team"]["name"] == "Redthread Sandbox"
    people = [user for user in seen["users"] if not user["is_bot"]]
    assert len(people) == 5
    assert {user["locale"] for user in people} == {"en-US", "de-DE"}
    assert seen["channels"] == [{"id": CHANNEL_ID, "name": "sales"}]
    welcome = seen["messages"][CHANNEL_ID]
    assert len(welcome) == 1 and welcome[0]["user"] == BOT_USER_ID, "the bot said hello"
    assert seen["jobs"][0] == "daily-prompt" and "weekly-agenda" in seen["jobs"]
    assert seen["now"].startswith("2026-11-25T09:00")
    assert seen["modal"] is None and seen["home"] is None and seen["ephemerals"] == []
    assert sandbox.sandbox.runtime.settings.slack_api_url.startswith("http://127.0.0.1:")


def test_a_daily_one_liner_lands_in_the_thread_and_its_ephemeral_only_for_its_author(
    sandbox: RunningSandbox,
) -> None:
    before = state(sandbox, BEN)["version"]
    answer = command(sandbox, BEN, "/daily", "today: call <ACME>")
    assert answer["ok"] is True and answer["version"] > before
    prompt = channel(sandbox)[-1]
    assert prompt["user"] == BOT_USER_ID and len(prompt["replies"]) == 1
    assert "call &lt;ACME&gt;" in json.dumps(prompt["replies"][0]), "typed text arrives escaped"
    mine = state(sandbox, BEN)["ephemerals"]
    assert len(mine) == 1 and mine[0]["channel"] == CHANNEL_ID
    assert state(sandbox, ANNA)["ephemerals"] == [], "nobody else sees it"


def test_a_reply_in_the_daily_thread_is_delivered_to_the_bot(sandbox: RunningSandbox) -> None:
    post(sandbox, "/api/run_job", {"job": "daily-prompt", "channel": CHANNEL_ID, "at": ""})
    prompt = channel(sandbox)[-1]
    answer = post(
        sandbox,
        "/api/message",
        {"user": ANNA, "channel": CHANNEL_ID, "text": "visit Bosch", "thread_ts": prompt["ts"]},
    )
    replies = channel(sandbox)[-1]["replies"]
    assert replies[0]["ts"] == answer["ts"] and replies[0]["user"] == ANNA
    summary = {"job": "daily-summary", "channel": CHANNEL_ID, "at": "2026-11-25T17:00"}
    post(sandbox, "/api/run_job", summary)
    replies = channel(sandbox)[-1]["replies"]
    assert "Daily summary: 1 update" in replies[-1]["text"], "the reply counted as Anna's update"


def test_a_modal_shows_the_bots_validation_error_then_closes_on_a_valid_submit(
    sandbox: RunningSandbox,
) -> None:
    welcome = channel(sandbox)[0]
    block = next(
        b
        for b in welcome["blocks"]
        if any(e.get("action_id") == WELCOME_SETTINGS_ACTION for e in b.get("elements", []))
    )
    click = {"user": BEN, "channel": CHANNEL_ID, "message_ts": welcome["ts"]}
    post(
        sandbox,
        "/api/action",
        click | {"action_id": WELCOME_SETTINGS_ACTION, "block_id": block.get("block_id", "")},
    )
    modal = state(sandbox, BEN)["modal"]
    assert modal is not None and modal["type"] == "modal"
    assert state(sandbox, ANNA)["modal"] is None, "the modal is Ben's alone"
    values = initial_values(modal)
    values["reminder_at"]["value"]["selected_time"] = "23:00"  # after the summary
    refused = post(
        sandbox, "/api/view_submission", {"user": BEN, "view_id": modal["id"], "values": values}
    )
    assert refused["ok"] is False and set(refused["errors"]) == {"reminder_at"}
    assert state(sandbox, BEN)["modal"]["id"] == modal["id"], "the modal stays open"
    values = initial_values(modal)
    values["weekdays"]["value"]["selected_options"] = modal["blocks"][0]["element"]["options"][:1]
    accepted = post(
        sandbox, "/api/view_submission", {"user": BEN, "view_id": modal["id"], "values": values}
    )
    assert accepted["ok"] is True
    assert state(sandbox, BEN)["modal"] is None


def test_a_reaction_on_a_weekly_agenda_item_claims_it(sandbox: RunningSandbox) -> None:
    command(sandbox, BEN, "/weekly", "add need CRM export")
    ran = post(
        sandbox,
        "/api/run_job",
        {"job": "weekly-agenda", "channel": CHANNEL_ID, "at": "2026-11-30T10:00"},
    )
    assert ran["ran"].startswith("weekly-agenda ran for C0SALES at 2026-11-30T09:00")
    assert state(sandbox, ANNA)["now"].startswith("2026-11-30T09:00"), "time goes on from there"
    agenda = channel(sandbox)[-1]
    item = next(reply for reply in agenda["replies"] if "CRM export" in json.dumps(reply))
    assert "<@U0ANNA>" not in json.dumps(channel(sandbox)[-1])
    on = {"user": ANNA, "channel": CHANNEL_ID, "ts": item["ts"], "name": "raising_hand"}
    assert post(sandbox, "/api/reaction", on | {"on": True})["changed"] is True
    assert post(sandbox, "/api/reaction", on | {"on": True})["changed"] is False
    agenda = channel(sandbox)[-1]
    shown = next(reply for reply in agenda["replies"] if reply["ts"] == item["ts"])
    assert shown["reactions"] == [{"name": "raising_hand", "users": [ANNA], "count": 1}]
    assert "<@U0ANNA>" in json.dumps(agenda), "the claim names Anna"
    post(sandbox, "/api/reaction", on | {"on": False})
    assert "<@U0ANNA>" not in json.dumps(channel(sandbox)[-1]), "and is taken back"


def test_the_home_is_published_for_whoever_opens_it(sandbox: RunningSandbox) -> None:
    post(sandbox, "/api/home", {"user": ANNA})
    home = state(sandbox, ANNA)["home"]
    assert home is not None and home["type"] == "home"
    assert state(sandbox, BEN)["home"] is None


def test_reset_starts_afresh(sandbox: RunningSandbox) -> None:
    command(sandbox, BEN, "/daily", "x")
    post(sandbox, "/api/home", {"user": BEN})
    post(sandbox, "/api/reset", {})
    seen = state(sandbox, BEN)
    assert len(seen["messages"][CHANNEL_ID]) == 1, "only the welcome again"
    assert seen["ephemerals"] == [] and seen["home"] is None


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/command", {"user": "UNOBODY", "channel": CHANNEL_ID, "command": "/daily"}),
        ("/api/command", {"user": ANNA, "channel": "CNONE", "command": "/daily"}),
        ("/api/command", {"user": ANNA, "channel": CHANNEL_ID, "command": "/nope"}),
        ("/api/command", [1, 2]),
        ("/api/message", {"user": ANNA, "channel": CHANNEL_ID, "text": ""}),
        ("/api/message", {"user": ANNA, "channel": CHANNEL_ID, "text": "x", "thread_ts": "1.2"}),
        ("/api/reaction", {"user": ANNA, "channel": CHANNEL_ID, "ts": "1.2", "name": "x"}),
        ("/api/action", {"user": ANNA, "view_id": "VNONE", "action_id": "a", "block_id": "b"}),
        ("/api/view_submission", {"user": ANNA, "view_id": "VNONE", "values": {}}),
        ("/api/view_closed", {"user": ANNA, "view_id": "VNONE"}),
        ("/api/home", {"user": BOT_USER_ID}),
        ("/api/run_job", {"job": "coffee", "channel": CHANNEL_ID}),
        ("/api/run_job", {"job": "daily-prompt", "channel": CHANNEL_ID, "at": "monday"}),
    ],
)
def test_bad_input_gets_a_400_with_a_reason_and_changes_nothing(
    sandbox: RunningSandbox, path: str, body: Any
) -> None:
    before = state(sandbox, ANNA)
    status, answer = request(sandbox, path, body)
    assert status == 400 and answer["ok"] is False and answer["error"]
    assert state(sandbox, ANNA)["messages"] == before["messages"]


def test_the_event_stream_and_the_long_poll_tell_of_each_change(sandbox: RunningSandbox) -> None:
    with urllib.request.urlopen(sandbox.page.url + "/api/events", timeout=30) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        first = json.loads(stream.readline().decode().removeprefix("data: "))
        assert stream.readline() == b"\n"
        post(sandbox, "/api/home", {"user": ANNA})
        changed = json.loads(stream.readline().decode().removeprefix("data: "))
        assert changed["version"] > first["version"]
    since = state(sandbox, ANNA)["version"]
    waiter = threading.Thread(target=post, args=(sandbox, "/api/home", {"user": BEN}))
    waiter.start()
    status, answer = request(sandbox, f"/api/state?user={ANNA}&since={since}")
    waiter.join()
    assert status == 200 and answer["version"] > since


def test_a_modal_closed_by_its_person_is_gone(sandbox: RunningSandbox) -> None:
    command(sandbox, ANNA, "/daily")
    modal = state(sandbox, ANNA)["modal"]
    assert modal is not None and modal["callback_id"]
    post(sandbox, "/api/view_closed", {"user": ANNA, "view_id": modal["id"]})
    assert state(sandbox, ANNA)["modal"] is None


def test_a_second_run_on_the_same_database_starts_afresh(database_url: str) -> None:
    first = start_sandbox(0, database_url, WEDNESDAY)
    try:
        command(first, BEN, "/daily", "today: call ACME")
        assert len(channel(first)) == 2
    finally:
        first.stop()
    second = start_sandbox(0, database_url, WEDNESDAY)
    try:
        welcome = channel(second)
        assert [message["user"] for message in welcome] == [BOT_USER_ID], "just the welcome"
        command(second, BEN, "/daily", "today: call Bosch")
        prompt = channel(second)[-1]
        assert len(prompt["replies"]) == 1, "a new Daily, not the last run's"
        assert "call Bosch" in json.dumps(prompt["replies"]) and "ACME" not in json.dumps(prompt)
    finally:
        second.stop()
    assert not first.sandbox.failures and not second.sandbox.failures
