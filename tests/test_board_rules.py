"""The board's pure rules and parser: the week across DST and the year boundary, numbering,
sprint planning; `/board` arguments in English and German."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.board.parse import (
    Add,
    Help,
    Invalid,
    Move,
    Remove,
    Show,
    Team,
    parse_board_command,
)
from bot.board.rules import (
    Card,
    is_archived,
    most_recent,
    next_number,
    on_board,
    sprint_of,
    week_start,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _card(number: int, column: str, done_at: datetime | None = None, card_id: int = 0) -> Card:
    moved = done_at or T0
    return Card(card_id or number, "U1", number, column, f"card {number}", None, T0, moved, done_at)


def test_the_week_starts_monday_midnight_local() -> None:
    # Wednesday 2 December 2026, Berlin (UTC+1): Monday 30 November 00:00 = 29 Nov 23:00 UTC.
    assert week_start(datetime(2026, 12, 2, 12, tzinfo=UTC), "Europe/Berlin") == datetime(
        2026, 11, 29, 23, tzinfo=UTC
    )
    assert week_start(datetime(2026, 12, 2, 12, tzinfo=UTC), "America/Los_Angeles") == datetime(
        2026, 11, 30, 8, tzinfo=UTC
    )


def test_the_week_across_daylight_saving_changes() -> None:
    # Berlin springs forward on Sunday 29 March 2026 and falls back on Sunday 25 October.
    after_spring = datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert week_start(after_spring, "Europe/Berlin") == datetime(2026, 3, 29, 22, tzinfo=UTC)
    before_spring = datetime(2026, 3, 28, 12, tzinfo=UTC)
    assert week_start(before_spring, "Europe/Berlin") == datetime(2026, 3, 22, 23, tzinfo=UTC)
    after_fall = datetime(2026, 10, 27, 12, tzinfo=UTC)
    assert week_start(after_fall, "Europe/Berlin") == datetime(2026, 10, 25, 23, tzinfo=UTC)
    # Where midnight itself is skipped (Santiago, 6 September 2026 00:00 → 01:00, a Sunday;
    # Asia/Beirut-like zones), the week starts when the clocks jump.
    start = week_start(datetime(2026, 9, 9, 12, tzinfo=UTC), "America/Santiago")
    assert start.astimezone(UTC) <= datetime(2026, 9, 9, 12, tzinfo=UTC)


def test_the_year_boundary() -> None:
    # Friday 1 January 2027: the week began on Monday 28 December 2026.
    assert week_start(datetime(2027, 1, 1, 9, tzinfo=UTC), "Europe/Berlin") == datetime(
        2026, 12, 27, 23, tzinfo=UTC
    )
    done_on_new_years_eve = _card(1, "done", datetime(2026, 12, 31, 15, tzinfo=UTC))
    assert not is_archived(done_on_new_years_eve, datetime(2027, 1, 3, 22, tzinfo=UTC), "UTC")
    assert is_archived(done_on_new_years_eve, datetime(2027, 1, 4, 0, tzinfo=UTC), "UTC")


def test_only_done_cards_are_archived_and_long_never() -> None:
    later = T0 + timedelta(days=30)
    cards = [_card(1, "todo"), _card(2, "doing"), _card(3, "done", T0), _card(4, "long")]
    assert [c.number for c in on_board(cards, later, lambda _: "Europe/Berlin")] == [1, 2, 4]


def test_numbers_are_the_smallest_free() -> None:
    assert next_number([]) == 1
    assert next_number([_card(1, "todo"), _card(3, "todo")]) == 2


def test_sprint_planning_shows_cards_never_counts() -> None:
    since = T0 + timedelta(days=1)
    cards = [
        _card(1, "done", T0),
        _card(2, "done", since + timedelta(hours=1)),
        _card(3, "doing"),
        _card(4, "todo"),
        _card(5, "long"),
    ]
    sprint = sprint_of("U1", cards, since)
    assert [c.number for c in sprint.done] == [2]
    assert [c.number for c in sprint.planned] == [4, 3]
    assert [c.number for c in sprint.long] == [5]


def test_most_recent_keeps_board_order() -> None:
    cards = [_card(n, "todo", card_id=n) for n in range(1, 6)]
    cards = [
        Card(c.id, c.user_id, c.number, c.column, c.text, None, T0, T0 + timedelta(hours=c.number))
        for c in cards
    ]
    kept, more = most_recent(cards, 3)
    assert [c.number for c in kept] == [3, 4, 5] and more == 2


def test_parse_english_and_german() -> None:
    assert parse_board_command("") == Show()
    assert parse_board_command("team") == Team()
    assert parse_board_command("hilfe") == Help()
    assert parse_board_command("add call ACME") == Add("todo", "call ACME")
    assert parse_board_command("neu Läuft: Angebot") == Add("doing", "Angebot")
    assert parse_board_command("hinzufügen lang Rahmenvertrag") == Add("long", "Rahmenvertrag")
    assert parse_board_command("move #2 done") == Move(2, "done")
    assert parse_board_command("verschieben 2 offen") == Move(2, "todo")
    assert parse_board_command("erledigt 3") == Move(3, "done")
    assert parse_board_command("entfernen 4") == Remove(4)
    assert parse_board_command("add erledigt") == Invalid("board.error.empty_card")
    assert parse_board_command("move 2") == Invalid("board.error.needs_column", "")
    assert parse_board_command("done 0") == Invalid("board.error.needs_number", "0")


@given(st.text(max_size=200))
def test_any_text_parses_without_raising(text: str) -> None:
    result = parse_board_command(text)
    if isinstance(result, Add):
        assert result.text and len(result.text) <= 500
