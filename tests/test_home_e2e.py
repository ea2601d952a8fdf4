"""The App Home end to end: `app_home_opened` → `views.publish`, the card controls, republishing
after changes, and the fake refusing views Slack would refuse."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.home import service as home_service
from bot.sandbox.slack import FakeSlack
from storage import board as store
from storage.db import transaction
from storage.models import BoardCard
from tests.conftest import BOT_TOKEN, BotUnderTest
from tests.support import text_of
from tests.test_weekly_support import reaction, reply_for, run_agenda


def _open_home(bot: BotUnderTest, user_id: str = "U0001", tab: str = "home") -> dict[str, Any]:
    current = next((v for v in bot.fake.views.values() if v.get("user_id") == user_id), None)
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D0001",
        "tab": tab,
    }
    if current is not None:
        event["view"] = current
    bot.event(event)
    return _home(bot, user_id)


def _home(bot: BotUnderTest, user_id: str = "U0001") -> dict[str, Any]:
    calls = [c for c in bot.fake.calls_to("views.publish") if c.params["user_id"] == user_id]
    assert calls, "a Home was published"
    return dict(calls[-1].params["view"])


def _home_text(view: dict[str, Any]) -> str:
    return text_of({"text": "", "blocks": view["blocks"]})


def _publishes(bot: BotUnderTest) -> int:
    return len(bot.fake.calls_to("views.publish"))


def test_opening_the_home_publishes_my_week(bot: BotUnderTest) -> None:
    bot.command("/board", "add doing offer for Bosch")
    bot.command("/board", "add long Siemens framework")
    bot.command("/daily", "today: call ACME highlight: signed Bosch")
    bot.command("/weekly", "add impediment CRM export is broken")
    bot.command("/prospect", "Globex: intro via fair")
    bot.command("/prospect", "knows Initech: Peter (CFO)")
    bot.command("/board", "add done only mine", user_id="U0003")
    view = _open_home(bot)
    text = _home_text(view)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    for expected in (
        "offer for Bosch",
        "Siemens framework",
        "call ACME",
        "signed Bosch",
        "CRM export is broken",
        "Globex",
        "Initech",
        "Peter (CFO)",
    ):
        assert expected in text, expected
    assert "only mine" not in text, "only my own board"
    overflows = [
        b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("type") == "overflow"
    ]
    assert len(overflows) == 2, "a control on every card"
    assert all(len(o["options"]) == 4 for o in overflows)


def test_the_messages_tab_publishes_nothing(bot: BotUnderTest) -> None:
    bot.event({"type": "app_home_opened", "user": "U0001", "channel": "D0001", "tab": "messages"})
    assert bot.fake.calls_to("views.publish") == []


def test_moving_a_card_from_the_home_and_republishing(bot: BotUnderTest) -> None:
    bot.command("/board", "add call ACME")
    view = _open_home(bot)
    card_block = next(b for b in view["blocks"] if b.get("accessory", {}).get("type") == "overflow")
    option = next(o for o in card_block["accessory"]["options"] if o["value"].endswith(":done"))
    bot.slack.block_action(
        "home_card",
        view=bot.fake.views[next(iter(bot.fake.views))],
        action_type="overflow",
        block_id=card_block["block_id"],
        action={"selected_option": option},
    )
    bot.settle()
    with transaction(bot.runtime.sessions) as session:
        assert session.scalars(select(BoardCard.status)).all() == ["done"]
    text = _home_text(_home(bot))
    assert text.index("Done this week") < text.index("call ACME")


def test_someone_elses_card_cannot_be_moved(bot: BotUnderTest) -> None:
    bot.command("/board", "add theirs", user_id="U0003")
    _open_home(bot)
    with transaction(bot.runtime.sessions) as session:
        card_id = session.scalars(select(BoardCard.id)).one()
    bot.slack.block_action(
        "home_card",
        view=_home(bot),
        action_type="overflow",
        action={
            "selected_option": {
                "text": {"type": "plain_text", "text": "x"},
                "value": f"{card_id}:remove",
            }
        },
    )
    bot.settle()
    with transaction(bot.runtime.sessions) as session:
        assert session.scalars(select(BoardCard.status)).all() == ["todo"]


def test_a_change_republishes_an_open_home_and_only_then(bot: BotUnderTest) -> None:
    bot.command("/board", "add before opening")
    assert _publishes(bot) == 0, "no Home opened yet: nothing to republish"
    _open_home(bot)
    before = _publishes(bot)
    bot.command("/board", "add after opening")
    assert _publishes(bot) == before + 1
    assert "after opening" in _home_text(_home(bot))
    bot.command("/board", "add someone else's", user_id="U0003")
    assert _publishes(bot) == before + 1, "another person's change leaves my Home alone"


def test_a_reaction_republishes_the_reactors_home(bot: BotUnderTest) -> None:
    bot.command("/weekly", "add need an intro to Globex", user_id="U0003")
    parent_ts = run_agenda(bot)
    _open_home(bot)
    bot.event(reaction("U0001", reply_for(bot, parent_ts, "intro to Globex")))
    text = _home_text(_home(bot))
    assert "intro to Globex" in text and "claimed" in text


def test_a_stale_hash_renders_again_over_the_newer_view(bot: BotUnderTest) -> None:
    bot.command("/board", "add first")
    _open_home(bot)
    # Another process published meanwhile and recorded its hash after ours was read: the
    # first try conflicts, the second renders again with the newer hash.
    client = WebClient(token=BOT_TOKEN, base_url=bot.fake.url)
    newer = client.views_publish(user_id="U0001", view={"type": "home", "blocks": []})
    stale = _home(bot)

    def record_newer_hash_on_first_conflict(*args: Any, **kwargs: Any) -> Any:
        with transaction(bot.runtime.sessions) as session:
            store.record_published(
                session, "T0001", "U0001", newer["view"]["hash"], bot.clock(), False
            )
        return original(*args, **kwargs)

    original = home_service.home_facts
    home_service.home_facts = record_newer_hash_on_first_conflict  # type: ignore[assignment]
    try:
        bot.command("/board", "add second")
    finally:
        home_service.home_facts = original  # type: ignore[assignment]
    calls = [c for c in bot.fake.calls_to("views.publish") if c.params.get("hash")]
    assert [c.error for c in calls[-2:]] == ["hash_conflict", None]
    assert "second" in _home_text(_home(bot)) and stale


def test_a_lost_hash_does_not_keep_the_home_stale(bot: BotUnderTest) -> None:
    bot.command("/board", "add first")
    _open_home(bot)
    client = WebClient(token=BOT_TOKEN, base_url=bot.fake.url)
    client.views_publish(user_id="U0001", view={"type": "home", "blocks": []})
    bot.command("/board", "add second")
    assert "second" in _home_text(_home(bot)), "the last try publishes without a hash"


def test_many_cards_items_and_prospects_still_make_a_valid_view(bot: BotUnderTest) -> None:
    for number in range(60):
        bot.command("/board", f"add {'long ' if number % 3 == 0 else ''}card number {number}")
    for number in range(25):
        bot.command("/weekly", f"add plan item {number}")
    for number in range(20):
        bot.command("/prospect", f"Company{number} Maschinenbau")
    view = _open_home(bot)
    assert len(view["blocks"]) <= 100
    text = _home_text(view)
    assert "card number 59" in text, "the most recent cards are shown"
    assert "20 more cards" in text and "`/board`" in text
    assert "10 more" in text
    assert bot.fake.rejected == []


def test_the_fake_refuses_views_slack_would_refuse(fake_slack: FakeSlack) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.url)
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    too_many = [section] * 101
    overflow = dict(
        section,
        accessory={
            "type": "overflow",
            "action_id": "a",
            "options": [
                {"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(6)
            ],
        },
    )
    huge = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2999}}] * 90
    empty = [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]
    for blocks, error in (
        (too_many, "invalid_blocks"),
        ([overflow], "invalid_blocks"),
        (huge, "view_too_large"),
        (empty, "invalid_blocks"),
    ):
        with pytest.raises(SlackApiError) as raised:
            client.views_publish(user_id="U0001", view={"type": "home", "blocks": blocks})
        assert raised.value.response["error"] == error
    assert len(fake_slack.rejected) == 4
