"""`/board` end to end: signed slash commands into the real app, ephemeral answers from the fake
Slack, rows in the database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.board.service import add_card
from storage.db import transaction
from storage.models import BoardCard
from tests.conftest import BotUnderTest
from tests.support import text_of
from tests.test_weekly_support import ephemerals_to


def _cards(bot: BotUnderTest) -> list[tuple[str, int, str, str]]:
    with transaction(bot.runtime.sessions) as session:
        rows = session.scalars(select(BoardCard).order_by(BoardCard.id))
        return [(row.user_id, row.number, row.status, row.text) for row in rows]


def _last(bot: BotUnderTest, user_id: str = "U0001") -> str:
    return ephemerals_to(bot, user_id)[-1]


def test_add_show_move_done_remove_with_stable_numbers(bot: BotUnderTest) -> None:
    bot.command("/board", "add call ACME about the pilot")
    assert "Card 1" in _last(bot) and "To do this week" in _last(bot)
    bot.command("/board", "add doing: offer for Bosch")
    bot.command("/board", "add long Siemens framework contract")
    bot.command("/board", "add visit Müller", user_id="U0003")
    assert _cards(bot) == [
        ("U0001", 1, "todo", "call ACME about the pilot"),
        ("U0001", 2, "doing", "offer for Bosch"),
        ("U0001", 3, "long", "Siemens framework contract"),
        ("U0003", 1, "todo", "visit Müller"),
    ]
    bot.command("/board", "move 1 doing")
    bot.command("/board", "done 2")
    assert "Card 2 is now in *Done this week*" in _last(bot)
    bot.command("/board", "")
    board = _last(bot)
    assert "`1` call ACME about the pilot" in board and "`2` offer for Bosch" in board
    assert board.index("Doing") < board.index("offer for Bosch") < board.index("Long-running")
    assert "visit Müller" not in board, "only my own cards"
    bot.command("/board", "remove 3")
    assert "removed" in _last(bot)
    bot.command("/board", "remove 1", user_id="U0003")
    assert [card[1:3] for card in _cards(bot)] == [(1, "doing"), (2, "done")]
    bot.command("/board", "add new one")
    assert "Card 3" in _last(bot), "the smallest free number"
    assert bot.fake.calls_to("chat.postMessage") == [], "nothing is posted in the channel"


def test_german_keywords_and_columns(bot: BotUnderTest) -> None:
    for column in ("offen", "läuft", "erledigt", "lang"):
        bot.command("/board", f"neu {column} Karte {column}", user_id="U0002")
    assert [card[2] for card in _cards(bot)] == ["todo", "doing", "done", "long"]
    assert (
        "Karte 1 liegt auf deinem Board unter *Offen diese Woche*" in ephemerals_to(bot, "U0002")[0]
    )
    bot.command("/board", "verschieben 1 läuft", user_id="U0002")
    bot.command("/board", "erledigt 2", user_id="U0002")
    bot.command("/board", "entfernen 4", user_id="U0002")
    assert [card[2] for card in _cards(bot)] == ["doing", "done", "done"]
    bot.command("/board", "hilfe", user_id="U0002")
    assert "Wochensprint" in _last(bot, "U0002")


def test_bad_input_gets_usage_and_stores_nothing(bot: BotUnderTest) -> None:
    bot.command("/board", "add long Siemens")
    for text in (
        "frobnicate",
        "add",
        "add doing",
        "move",
        "move 1",
        "move 1 later",
        "done x",
        "remove",
        "done 9",
        "move 7 doing",
        "add " + "x" * 600,
        "team now",
    ):
        before = _cards(bot)
        bot.command("/board", text)
        assert _cards(bot) == before, text
        answer = _last(bot)
        assert "Nothing was" in answer or "nothing" in answer.lower(), (text, answer)
    assert _cards(bot) == [("U0001", 1, "long", "Siemens")]


def test_team_shows_doing_and_long_grouped_by_person_without_counts(bot: BotUnderTest) -> None:
    bot.command("/board", "add doing offer for Bosch")
    bot.command("/board", "add todo not shown to the team")
    bot.command("/board", "add long Siemens framework", user_id="U0003")
    bot.command("/board", "add done also not shown", user_id="U0003")
    bot.command("/board", "team", user_id="U0002")
    team = _last(bot, "U0002")
    assert "Anna" in team and "Carla" in team
    assert team.index("Anna") < team.index("offer for Bosch") < team.index("Carla")
    assert "Siemens framework" in team
    assert "not shown" not in team
    assert not any(char.isdigit() for char in team.replace("U0", "")), "no counts, no numbers"


def test_a_new_week_archives_done_and_carries_the_rest(bot: BotUnderTest) -> None:
    bot.command("/board", "add todo carry me")
    bot.command("/board", "add doing keep doing")
    bot.command("/board", "add done finished")
    bot.command("/board", "add long forever")
    # Sunday 23:59 in Berlin: still this week.
    bot.clock.set(datetime(2026, 11, 29, 22, 59, tzinfo=UTC))
    bot.command("/board", "")
    assert "finished" in _last(bot)
    # Monday 00:00 in Berlin (23:00 UTC): the new week.
    bot.clock.set(datetime(2026, 11, 29, 23, 0, tzinfo=UTC))
    bot.command("/board", "")
    board = _last(bot)
    assert "finished" not in board
    assert "carry me" in board and "keep doing" in board and "forever" in board
    bot.command("/board", "add next")
    assert "Card 3" in _last(bot), "an archived card's number is free again"


def test_a_card_naming_a_company_a_teammate_knows_says_so(bot: BotUnderTest) -> None:
    bot.command("/prospect", "knows ACME GmbH: Dr. Secret (CTO)", user_id="U0003")
    bot.command("/board", "add doing call Acme about the pilot")
    bot.command("/board", "")
    board = _last(bot)
    assert "Carla knows someone at ACME GmbH" in board
    assert "Secret" not in board, "a contact's name is shown only to its owner"


def test_nothing_typed_pings(bot: BotUnderTest) -> None:
    bot.command("/board", "add <!channel> and <@U0002> please")
    bot.command("/board", "")
    board = _last(bot)
    assert "<!channel>" not in board and "<@U0002>" not in board


def test_the_weekly_agenda_thread_gets_each_members_board_once(bot: BotUnderTest) -> None:
    from tests.test_weekly_support import MONDAY_WEEKLY, NEXT_MONDAY_WEEKLY, run_agenda

    bot.command("/weekly", "add plan visit Bosch")
    bot.command("/board", "add done signed ACME")
    bot.command("/board", "add doing offer for Bosch")
    bot.command("/board", "add todo call Globex")
    bot.command("/board", "add long Siemens framework", user_id="U0003")
    parent_ts = run_agenda(bot)
    run_agenda(bot)  # a re-run posts no reply twice
    sprint = [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == parent_ts and "Sprint planning" in c.params["text"]
    ]
    assert len(sprint) == 2, "one reply per member with cards, Ben has none"
    anna = next(text_of(c) for c in sprint if "Anna" in c.params["text"])
    assert "Done since the last Weekly" in anna and "signed ACME" in anna
    assert anna.index("Planned this week") < anna.index("call Globex")
    assert "offer for Bosch" in anna
    assert not any(ch.isdigit() for ch in anna), "cards, never counts"
    carla = next(text_of(c) for c in sprint if "Carla" in c.params["text"])
    assert "Long-running" in carla and "Siemens framework" in carla
    # The next Weekly: done before the last Weekly is not "since the last Weekly".
    bot.clock.set(NEXT_MONDAY_WEEKLY - timedelta(days=2))
    bot.command("/board", "done 2")
    next_ts = run_agenda(bot, NEXT_MONDAY_WEEKLY)
    anna_next = next(
        text_of(c)
        for c in bot.fake.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == next_ts and "Anna" in c.params["text"]
    )
    assert "offer for Bosch" in anna_next and "signed ACME" not in anna_next
    assert MONDAY_WEEKLY < NEXT_MONDAY_WEEKLY


def test_export_and_forget_cover_the_board(bot: BotUnderTest) -> None:
    import json

    from bot.privacy import export_team, forget_user

    bot.command("/board", "add doing my words")
    bot.command("/board", "add long theirs", user_id="U0003")
    exported = json.loads(export_team(bot.runtime, "T0001"))
    assert [row["text"] for row in exported["tables"]["board_cards"]] == ["my words", "theirs"]
    counts = forget_user(bot.runtime, "U0001", "T0001")
    assert counts["board_cards"] == 1
    assert _cards(bot) == [("U0003", 1, "long", "theirs")]


def test_simultaneous_first_adds_take_distinct_numbers(bot: BotUnderTest) -> None:
    """Eight adds at once on an empty board: no number twice (PostgreSQL's row locks alone lock
    nothing when the person has no card yet)."""

    def add(index: int) -> int:
        return add_card(bot.runtime, "T0001", "U0005", "C0001", "todo", f"card {index}").number

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = sorted(pool.map(add, range(8)))
    assert numbers == list(range(1, 9))
