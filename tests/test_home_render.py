"""The Home view stays within Block Kit's limits whatever a person has (pure rendering, checked
with the fake Slack's validator)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot import blocks as bk
from bot.board.rules import Card
from bot.home.render import TEAM_BLOCKS, DailyFacts, HomeFacts, ItemFacts, RadarFacts, home_view
from bot.sandbox.slack.blockkit import check_view

T0 = datetime(2026, 11, 30, tzinfo=UTC)


def _facts(cards: int, items: int, radar: int, channels: int, text: str) -> HomeFacts:
    columns = ("todo", "doing", "done", "long")
    return HomeFacts(
        cards=[
            Card(n, "U1", n, columns[n % 4], f"{n} {text}", "C1", T0, T0 + timedelta(minutes=n))
            for n in range(1, cards + 1)
        ],
        hints={n: [f"Anna knows someone at {text[:80]}"] * 3 for n in range(1, cards + 1)},
        dailies=[
            DailyFacts(f"C{n}", date(2026, 11, 30), text, text, text) for n in range(channels)
        ],
        items=[ItemFacts("C1", "need", text, claimed=n % 2 == 0) for n in range(items)],
        radar=[
            RadarFacts(f"{text[:150]} {n}", known=n % 2 == 0, detail=text) for n in range(radar)
        ],
    )


def test_an_empty_week_is_a_valid_view() -> None:
    for language in ("en", "de"):
        check_view(home_view(language, HomeFacts()))


def test_everything_at_its_longest_still_fits() -> None:
    long_text = "Müller & <Söhne> " * 30  # 510 characters of things to escape
    team = [bk.section("team insight")] * 30
    view = home_view("de", _facts(300, 200, 200, 40, long_text[:500]), team)
    check_view(view)
    assert len(view["blocks"]) <= 100
    assert sum(1 for b in view["blocks"] if b["type"] == "section" and "team" in str(b)) <= (
        TEAM_BLOCKS
    )


def test_the_most_recent_cards_are_shown_and_the_rest_counted() -> None:
    view = home_view("en", _facts(50, 0, 0, 0, "card"))
    text = str(view["blocks"])
    assert "50 card" in text and "11 card" in text and "10 card" not in text
    assert "10 more cards" in text
