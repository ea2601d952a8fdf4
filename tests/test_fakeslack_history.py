"""The fake's messages read back like Slack's: conversations.history and conversations.replies
with their windows, pages and metadata, and the counts of lost and doubled posts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.slack import FakeSlack

CHANNEL = "C0001"


def tagged(key: str) -> dict[str, Any]:
    """Metadata as the bot tags its posts."""
    return {"event_type": "redthread_post", "event_payload": {"key": key}}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U0001", name="Anna")
        fake.set_members(CHANNEL, ["U0001", "UBOT"])
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[])


def texts(answer: Any) -> list[str]:
    return [message["text"] for message in answer["messages"]]


def test_metadata_is_stored_and_listed_only_when_asked_for(
    fake: FakeSlack, client: WebClient
) -> None:
    as_json = client.chat_postMessage(channel=CHANNEL, text="json body", metadata=tagged("a"))
    # A form body carries metadata as a JSON string.
    as_form = client.api_call(
        "chat.postMessage",
        params={"channel": CHANNEL, "text": "form body", "metadata": json.dumps(tagged("b"))},
    )

    assert fake.message(CHANNEL, as_json["ts"])["metadata"] == tagged("a")  # type: ignore[index]
    assert fake.message(CHANNEL, as_form["ts"])["metadata"] == tagged("b")  # type: ignore[index]
    plain = client.conversations_history(channel=CHANNEL)["messages"]
    assert [message.get("metadata") for message in plain] == [None, None]
    full = client.conversations_history(channel=CHANNEL, include_all_metadata=True)["messages"]
    assert [message["metadata"] for message in full] == [tagged("b"), tagged("a")]
    assert full[0]["bot_id"] == "B0001" and full[0]["user"] == "UBOT"
    assert not fake.rejected


def test_metadata_of_the_wrong_shape_is_rejected(fake: FakeSlack, client: WebClient) -> None:
    for wrong in ({"event_type": "redthread_post"}, {"key": "a"}, "key=a"):
        with pytest.raises(SlackApiError) as refused:
            client.api_call(
                "chat.postMessage", json={"channel": CHANNEL, "text": "x", "metadata": wrong}
            )
        assert refused.value.response["error"] == "invalid_metadata_format"
    assert fake.messages == {}


def test_history_lists_top_level_messages_newest_first(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel=CHANNEL, text="parent")
    client.chat_postMessage(channel=CHANNEL, text="reply", thread_ts=parent["ts"])
    fake.add_message(CHANNEL, "from Anna", "U0001", thread_ts=parent["ts"])
    client.chat_postMessage(
        channel=CHANNEL, text="broadcast", thread_ts=parent["ts"], reply_broadcast=True
    )
    client.chat_postMessage(channel=CHANNEL, text="later")

    answer = client.conversations_history(channel=CHANNEL)

    assert texts(answer) == ["later", "broadcast", "parent"]
    assert answer["has_more"] is False and answer["response_metadata"]["next_cursor"] == ""
    listed_parent = answer["messages"][2]
    assert listed_parent["thread_ts"] == parent["ts"] and listed_parent["reply_count"] == 3
    assert listed_parent["reply_users"] == ["UBOT", "U0001"]
    assert listed_parent["latest_reply"] == answer["messages"][1]["ts"]
    assert answer["messages"][1]["subtype"] == "thread_broadcast"
    # What tests read directly stays as posted: the parent does not grow a thread_ts.
    assert "thread_ts" not in fake.message(CHANNEL, parent["ts"])  # type: ignore[operator]


def test_history_pages_with_cursors_and_limits(fake: FakeSlack, client: WebClient) -> None:
    for n in range(7):
        client.chat_postMessage(channel=CHANNEL, text=f"m{n}")

    # slack_sdk's page iterator refills one response object, so read each page as it comes.
    pages = [
        (texts(page), page["has_more"])
        for page in client.conversations_history(channel=CHANNEL, limit=3)
    ]

    assert pages == [(["m6", "m5", "m4"], True), (["m3", "m2", "m1"], True), (["m0"], False)]
    cursors = [call.params.get("cursor") for call in fake.calls_to("conversations.history")]
    assert cursors[0] is None and all(cursors[1:])
    with pytest.raises(SlackApiError, match="invalid_cursor"):
        client.conversations_history(channel=CHANNEL, cursor="not-a-cursor")


def test_a_deleted_message_does_not_shift_the_next_page(client: WebClient) -> None:
    posted = [client.chat_postMessage(channel=CHANNEL, text=f"m{n}")["ts"] for n in range(4)]
    first = client.conversations_history(channel=CHANNEL, limit=2)
    client.chat_delete(channel=CHANNEL, ts=posted[3])
    cursor = first["response_metadata"]["next_cursor"]
    assert texts(client.conversations_history(channel=CHANNEL, cursor=cursor)) == ["m1", "m0"]


def test_oldest_and_latest_are_exclusive_unless_inclusive(client: WebClient) -> None:
    ts = [client.chat_postMessage(channel=CHANNEL, text=f"m{n}")["ts"] for n in range(4)]

    def window(**bounds: Any) -> list[str]:
        return texts(client.conversations_history(channel=CHANNEL, **bounds))

    assert window(oldest=ts[1]) == ["m3", "m2"]
    assert window(oldest=ts[1], inclusive=True) == ["m3", "m2", "m1"]
    assert window(latest=ts[2]) == ["m1", "m0"]
    assert window(oldest=ts[0], latest=ts[3], inclusive=True) == ["m3", "m2", "m1", "m0"]
    assert window(oldest=ts[3]) == []
    with pytest.raises(SlackApiError, match="invalid_ts_oldest"):
        window(oldest="yesterday")


def test_replies_list_the_parent_then_its_replies(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel=CHANNEL, text="parent", metadata=tagged("p"))
    for n in range(4):
        client.chat_postMessage(
            channel=CHANNEL, text=f"r{n}", thread_ts=parent["ts"], metadata=tagged(f"r{n}")
        )
    client.chat_postMessage(channel=CHANNEL, text="elsewhere")

    first_page = client.conversations_replies(channel=CHANNEL, ts=parent["ts"], limit=3)
    [listed_parent, first_reply, second_reply] = first_page["messages"]
    pages = [texts(page) for page in first_page]  # refills first_page as it goes

    # Slack lists the parent on the first page only.
    assert pages == [["parent", "r0", "r1"], ["r2", "r3"]]
    assert listed_parent["reply_count"] == 4 and first_reply["parent_user_id"] == "UBOT"
    assert "metadata" not in first_reply
    # The window applies to the replies; the parent still comes first.
    since = client.conversations_replies(
        channel=CHANNEL, ts=parent["ts"], oldest=second_reply["ts"], include_all_metadata=True
    )
    keys = [message["metadata"]["event_payload"]["key"] for message in since["messages"]]
    assert keys == ["p", "r2", "r3"]
    lone = client.conversations_replies(
        channel=CHANNEL, ts=fake.add_message(CHANNEL, "x", "U0001")["ts"]
    )
    assert texts(lone) == ["x"]


def test_unknown_channels_and_threads_fail_as_in_slack(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0777", text="to a channel nobody registered")
    assert texts(client.conversations_history(channel="C0777")) == [
        "to a channel nobody registered"
    ]
    assert client.conversations_history(channel="D0001")["messages"] == []
    fake.missing_channels.add("C0666")
    for channel in ("C0666", "C0999"):
        with pytest.raises(SlackApiError, match="channel_not_found"):
            client.conversations_history(channel=channel)
    with pytest.raises(SlackApiError, match="thread_not_found"):
        client.conversations_replies(channel="C0777", ts="1.000001")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        client.conversations_replies(channel="C0999", ts=posted["ts"])
    assert not fake.rejected


def test_lost_and_doubled_keys_are_counted_over_current_messages(
    fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel=CHANNEL, text="one", metadata=tagged("k1"))
    first = client.chat_postMessage(channel=CHANNEL, text="two", metadata=tagged("k2"))
    again = client.chat_postMessage(channel=CHANNEL, text="two again", metadata=tagged("k2"))
    client.chat_postMessage(channel="U0001", text="dm", metadata=tagged("k2"))
    client.chat_postMessage(channel=CHANNEL, text="untagged")

    with_key = fake.messages_with_key(CHANNEL)
    assert sorted(with_key) == ["k1", "k2"]
    assert [m["ts"] for m in with_key["k2"]] == [first["ts"], again["ts"]]
    assert with_key["k2"][0]["channel"] == CHANNEL
    assert fake.doubled_keys() == {"k2": 3}
    assert fake.doubled_keys(CHANNEL) == {"k2": 2}
    assert fake.doubled_keys("U0001") == {}  # a user ID means the DM with them, as in Slack
    assert fake.missing_keys(["k1", "k2", "k3"]) == {"k3"}

    client.chat_delete(channel=CHANNEL, ts=again["ts"])
    assert fake.doubled_keys(CHANNEL) == {}


def test_ts_can_follow_the_apps_clock(fake: FakeSlack, client: WebClient) -> None:
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    fake.follow_clock(lambda: now)
    first = client.chat_postMessage(channel=CHANNEL, text="first", metadata=tagged("a"))
    second = client.chat_postMessage(channel=CHANNEL, text="second")

    assert first["ts"] == f"{int(now.timestamp())}.000100"
    assert float(second["ts"]) > float(first["ts"])
    # The app's look-up: everything since it decided to post, with the keys.
    found = client.conversations_history(
        channel=CHANNEL, oldest=f"{now.timestamp():.6f}", include_all_metadata=True
    )
    assert texts(found) == ["second", "first"]
