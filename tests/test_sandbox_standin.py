"""The sandbox's Slack stand-in without the bot: who sees what, and text as Slack sends it."""

from __future__ import annotations

import html
import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.seed import USER_MENTION, as_slack_sends
from bot.sandbox.standin import Origin, SandboxSlack
from bot.sandbox.state import snapshot

TOKEN = "xoxb-standin"
CHANNEL = "C0SALES"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Daily"}, "blocks": []}


@pytest.fixture
def slack() -> Iterator[SandboxSlack]:
    stand_in = SandboxSlack(valid_tokens={TOKEN})
    stand_in.start()
    stand_in.add_user("U0ANNA", name="Anna")
    stand_in.add_user("U0BEN", name="Ben", locale="de-DE")
    stand_in.set_members(CHANNEL, ["U0ANNA", "U0BEN", "UBOT"])
    yield stand_in
    stand_in.stop()
    assert not stand_in.rejected, stand_in.rejected


def call(slack: SandboxSlack, method: str, **params: Any) -> dict[str, Any]:
    request = urllib.request.Request(
        slack.url + method,
        data=json.dumps(params).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return dict(json.loads(answer.read()))


def hook(url: str, **payload: Any) -> None:
    request = urllib.request.Request(url, data=json.dumps(payload).encode())
    with urllib.request.urlopen(request, timeout=10):
        pass


def seen_by(slack: SandboxSlack, user: str) -> dict[str, Any]:
    return snapshot(slack, user, [], NOW)


def test_a_modal_opens_for_whoever_the_trigger_was_given_and_stacks(slack: SandboxSlack) -> None:
    opened = call(slack, "views.open", trigger_id=slack.trigger_for("U0BEN"), view=MODAL)
    assert seen_by(slack, "U0BEN")["modal"]["id"] == opened["view"]["id"]
    assert seen_by(slack, "U0ANNA")["modal"] is None
    pushed = call(slack, "views.push", trigger_id=slack.trigger_for("U0BEN"), view=MODAL)
    assert slack.modal_stacks["U0BEN"] == [opened["view"]["id"], pushed["view"]["id"]]
    slack.close_modal("U0BEN")
    assert seen_by(slack, "U0BEN")["modal"]["id"] == opened["view"]["id"], "back to the first"
    slack.clear_modals("U0BEN")
    assert seen_by(slack, "U0BEN")["modal"] is None


def test_ephemerals_and_response_urls_reach_only_their_person(slack: SandboxSlack) -> None:
    call(slack, "chat.postEphemeral", channel=CHANNEL, user="U0ANNA", text="only Anna")
    url = slack.response_url_for(Origin("U0BEN", CHANNEL))
    hook(url, text="only Ben", response_type="ephemeral")
    anna, ben = seen_by(slack, "U0ANNA"), seen_by(slack, "U0BEN")
    assert [m["text"] for m in anna["ephemerals"]] == ["only Anna"]
    assert [m["text"] for m in ben["ephemerals"]] == ["only Ben"]
    assert all(m["channel"] == CHANNEL and "for_user" not in m for m in ben["ephemerals"])
    hook(url, text="for all", response_type="in_channel")
    assert [m["text"] for m in seen_by(slack, "U0ANNA")["messages"][CHANNEL]] == ["for all"]


def test_a_response_url_replaces_or_deletes_the_message_it_came_from(
    slack: SandboxSlack,
) -> None:
    posted = call(slack, "chat.postMessage", channel=CHANNEL, text="first")
    url = slack.response_url_for(Origin("U0ANNA", CHANNEL, posted["ts"]))
    hook(url, text="second", replace_original=True)
    assert [m["text"] for m in seen_by(slack, "U0BEN")["messages"][CHANNEL]] == ["second"]
    hook(url, delete_original=True)
    assert seen_by(slack, "U0BEN")["messages"][CHANNEL] == []
    ephemeral = call(slack, "chat.postEphemeral", channel=CHANNEL, user="U0ANNA", text="a")
    url = slack.response_url_for(Origin("U0ANNA", CHANNEL, ephemeral["message_ts"]))
    hook(url, text="b", replace_original=True)
    assert [m["text"] for m in seen_by(slack, "U0ANNA")["ephemerals"]] == ["b"]


def test_reactions_are_per_person_and_every_change_moves_the_version(
    slack: SandboxSlack,
) -> None:
    message = slack.post_as("U0ANNA", CHANNEL, "hello", None)
    before = slack.versions.current
    assert slack.react("U0BEN", CHANNEL, message["ts"], "tada", True)
    assert not slack.react("U0BEN", CHANNEL, message["ts"], "tada", True), "already there"
    assert slack.react("U0ANNA", CHANNEL, message["ts"], "tada", True)
    listed = seen_by(slack, "U0ANNA")["messages"][CHANNEL][0]
    assert listed["reactions"] == [{"name": "tada", "users": ["U0BEN", "U0ANNA"], "count": 2}]
    assert slack.react("U0BEN", CHANNEL, message["ts"], "tada", False)
    assert slack.versions.current == before + 3


@given(st.text())
def test_typed_text_arrives_escaped_as_slack_sends_it(typed: str) -> None:
    sent = as_slack_sends(typed)
    assert html.unescape(sent) == typed or USER_MENTION.search(typed)
    assert not re.search(r"[<>]", USER_MENTION.sub("", sent))


@given(st.lists(st.sampled_from(["<@U0ANNA>", "a & b", "<!here>", "x<y>", " "])))
def test_mentions_written_as_slack_encodes_them_stay_mentions(pieces: list[str]) -> None:
    sent = as_slack_sends("".join(pieces))
    assert USER_MENTION.findall(sent) == ["<@U0ANNA>"] * pieces.count("<@U0ANNA>")
    assert "<!here>" not in sent
