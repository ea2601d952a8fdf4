"""Never a per-person count, percentage or ranking: the audit.

A populated history goes through the real app (Dailies with and without updates, a skip,
impediments, Weekly items claimed, resolved and carried over, decisions, board cards,
prospects and a radar flag, the App Home of every member); then every text the fake Slack
received — messages, edits, ephemerals, response_url answers, views and modals — and the
renders in `RENDERERS` (every message kind, from facts about several people) are checked
with `tests.per_person`. A pillar joins the audit with one line in `RENDERERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.board.render import board_message, sprint_reply, team_message
from bot.board.rules import Card, Sprint
from bot.daily.parse import DailyFields
from bot.daily.render import (
    cancelled_message,
    prompt_message,
    state_message,
    summary_message,
    update_message,
)
from bot.daily.rules import UpdateFacts, summarise
from bot.home.render import DailyFacts, HomeFacts, ItemFacts, RadarFacts, home_view
from bot.i18n import SUPPORTED_LANGUAGES
from bot.insight.figures import DailyShare, Impediments, TeamInsight
from bot.insight.render import agenda_insight_message, home_team_blocks
from bot.okr import render as okr
from bot.okr.rules import Change, CheckIn, KeyResult, Objective, OkrSet
from bot.radar.render import FlagLine, announcement_message, flag_message, withdrawn_message
from bot.weekly.render import (
    DecisionFacts,
    agenda_message,
    call_message,
    decisions_list,
    draft_message,
    item_reply,
)
from bot.weekly.rules import AgendaItem, numbered
from schedules.daily import daily_reminder, daily_summary
from tests.conftest import CHANNEL, TEAM, BotUnderTest
from tests.per_person import per_person_findings, shown_texts
from tests.test_weekly_support import (
    FRIDAY_CALL,
    MONDAY_WEEKLY,
    NEXT_MONDAY_WEEKLY,
    reaction,
    reply_for,
    run_agenda,
    run_call,
)

NAMES = {"U0001": "Anna", "U0002": "Ben", "U0003": "Carla"}
# Everyone the fake Slack knows by name (tests/conftest.py), and how the bot names the gone.
PEOPLE = [*NAMES.values(), "Helper bot", "Former colleague", "a former member"]
THURSDAY = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Berlin
NEXT_THURSDAY = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
DAY = date(2026, 11, 30)
START = datetime(2026, 11, 30, 10, 0)


def _card(card_id: int, user_id: str, column: str, text: str) -> Card:
    moved = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    done = moved if column == "done" else None
    return Card(card_id, user_id, card_id, column, text, CHANNEL, moved, moved, done)


ITEMS = [
    AgendaItem(1, "impediment", "CRM export is broken", "U0001", claimants=("U0002", "U0003")),
    AgendaItem(2, "plan", "fair in March", "U0003", carried_over=True, resolved=True),
    AgendaItem(3, "impediment", "no VPN", "U0002", source="daily"),
]
CARDS = [
    _card(1, "U0001", "doing", "offer for Bosch"),
    _card(2, "U0001", "done", "signed ACME"),
    _card(3, "U0003", "long", "Siemens framework"),
]
INSIGHT = TeamInsight(
    CHANNEL,
    (DailyShare(date(2026, 11, 23), 2, 3), DailyShare(date(2026, 11, 26), 3, 3)),
    Impediments(raised=3, resolved=1),
    {1: 2, 4: 1},
)
SUMMARY = summarise(
    [UpdateFacts("U0001", "won Bosch", "no CRM access"), UpdateFacts("U0003", "met Siemens", None)],
    ["U0001", "U0002", "U0003", "U0004"],
    {"U0004": "fair"},
    {**NAMES, "U0004": "Dora"},
)
DECISIONS = [DecisionFacts("we go to the fair", "U0002", DAY)]
CHECKED = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
KEY_RESULT = KeyResult(
    1, 1, 1, "Signed pilots 20", 20.0, "", CHECKED - timedelta(days=30),
    (CheckIn(8.0, CHECKED - timedelta(days=7), "fair leads", "U0001"),
     CheckIn(12.0, CHECKED, "Bosch signed", "U0002")),
)  # fmt: skip
OBJECTIVE = Objective(1, 1, "Win the south", CHECKED - timedelta(days=30), (KEY_RESULT,))
OKRS = OkrSet((OBJECTIVE,))

# What each pillar renders, from facts about several people: language -> payloads.
RENDERERS: dict[str, Callable[[str], list[Any]]] = {
    "daily.prompt": lambda lang: [prompt_message(lang, DAY, SUMMARY)],
    "daily.update": lambda lang: [
        update_message(lang, "U0001", DailyFields("calls", "won Bosch", "no VPN"), NAMES)
    ],
    "daily.summary": lambda lang: [summary_message(lang, SUMMARY, NAMES)],
    "daily.lifecycle": lambda lang: [
        state_message(lang, True, "Anna", START, "Europe/Berlin"),
        state_message(lang, False, "Ben", None, "Europe/Berlin"),
        cancelled_message(lang, DAY, "Carla"),
    ],
    "weekly.draft": lambda lang: [draft_message(lang, START, numbered(ITEMS), NAMES)],
    "weekly.call": lambda lang: [call_message(lang, START, ITEMS, NAMES)],
    "weekly.agenda": lambda lang: [agenda_message(lang, DAY, ITEMS, DECISIONS, NAMES)],
    "weekly.item": lambda lang: [item_reply(lang, item, NAMES, DAY) for item in ITEMS],
    "weekly.decisions": lambda lang: [decisions_list(lang, DECISIONS, NAMES)],
    "board.mine": lambda lang: [board_message(lang, CARDS[:2], {})],
    "board.team": lambda lang: [
        team_message(lang, [("U0001", CARDS[:2]), ("U0003", CARDS[2:])], NAMES)
    ],
    "board.sprint": lambda lang: [
        sprint_reply(lang, Sprint("U0001", CARDS[1:2], CARDS[:1], CARDS[2:]), NAMES, {})
    ],
    "radar.announcement": lambda lang: [
        announcement_message(lang, "U0001", "Globex", "intro via the fair", NAMES),
        withdrawn_message(lang, "U0001", "Globex"),
    ],
    "radar.flag": lambda lang: [
        flag_message(
            lang,
            [FlagLine("U0002", "Globex", since=DAY), FlagLine("U0003", "Globex", "Peter")],
        )
    ],
    "home": lambda lang: [
        home_view(
            lang,
            HomeFacts(
                cards=CARDS[:2],
                dailies=[DailyFacts(CHANNEL, DAY, "calls", "won Bosch", None)],
                items=[ItemFacts(CHANNEL, "plan", "fair in March", True, DAY)],
                radar=[RadarFacts("Globex", known=True, detail="Peter")],
            ),
            home_team_blocks(lang, [INSIGHT]),
        )
    ],
    "insight.agenda": lambda lang: [agenda_insight_message(lang, INSIGHT)],
    "okr": lambda lang: [
        okr.list_message(lang, OKRS),
        okr.archive_message(lang, "2026-Q3", [OBJECTIVE], ["2026-Q3"]),
        okr.objective_post(lang, OBJECTIVE),
        okr.check_in_post(lang, KEY_RESULT, "Bosch signed", "Ben"),
        okr.close_post(lang, "2026-Q4", [OBJECTIVE]),
        ("", okr.agenda_section(lang, OKRS, {KEY_RESULT.id: Change(8.0, 12.0)}, 7)),
        ("\n".join(okr.call_lines(lang, [KEY_RESULT])), []),
        okr.check_in_modal(lang, OKRS, {"channel": CHANNEL}),
    ],
}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_no_render_puts_a_person_next_to_a_figure(kind: str, language: str) -> None:
    payloads = RENDERERS[kind](language)
    assert any(shown_texts(payloads)), "the render shows something"
    assert per_person_findings(payloads, PEOPLE) == []


def test_the_audit_catches_per_person_figures_and_rankings() -> None:
    """The checker can fail: deliberately bad renders are found, team figures are not."""
    bad = {
        "count by name": ("Anna: 5 updates this month", []),
        "share by mention": ("", [{"type": "section", "text": {"text": "<@U0002> posted 80 %"}}]),
        "ranking": ("Top poster of the week: Carla", []),
        "german ranking": ("Die meisten Updates: Ben", []),
        "per person in a view": {"type": "home", "blocks": [{"text": {"text": "Ben — 3 of 8"}}]},
        "on the second line": ("Weekly\n• CRM export — Anna (2 items)", []),
    }
    for why, payload in bad.items():
        assert per_person_findings(payload, PEOPLE), why
    fine = (
        "26 Nov 7 of 9 (78 %) · 30 Nov 8 of 9\n"
        "Daily update from Anna\n"
        "*Posted:* Anna, Carla · Monday, 30 November, 10:00\n"
        "`2` fair in March — Carla · carried over from the Weekly of 30 Nov 2026\n"
        "<@U0002> is in touch with Globex since 12 Nov 2026 :raising_hand::skin-tone-3:\n"
        "Ben is away 24.12. – 6.1."
    )
    assert per_person_findings((fine, []), PEOPLE) == []


@given(
    st.sampled_from([*PEOPLE, "<@U0001>", "U0002"]),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["{person}: {n} updates", "{n} % — {person}", "{person} ({n})"]),
)
def test_any_person_next_to_any_count_is_found(person: str, n: int, template: str) -> None:
    line = template.format(person=person, n=n)
    assert per_person_findings((f"Weekly\n{line}", []), PEOPLE) == [line]


def _populate(bot: BotUnderTest) -> None:
    """Two weeks of a team's history through the real app."""
    client = bot.runtime.client_for(TEAM)
    bot.command("/daily", "on")
    bot.command("/daily", "help")
    bot.command("/daily", "")  # the modal
    bot.clock.set(THURSDAY)
    bot.command("/daily", "today: call ACME highlight: signed Bosch impediment: CRM export is slow")
    bot.command("/daily", "today: visit Siemens highlight: met Initech", user_id="U0003")
    bot.command("/daily", "skip at the fair", user_id="U0002")
    daily_reminder(bot.runtime, TEAM, CHANNEL, THURSDAY + timedelta(hours=1))
    daily_summary(bot.runtime, TEAM, CHANNEL, THURSDAY + timedelta(hours=2))
    for user_id, text in (
        ("U0001", "impediment no travel budget"),
        ("U0003", "plan fair in March"),
        ("U0002", "need an intro to Globex"),
        ("U0002", "market competitor cut prices"),
    ):
        bot.command("/weekly", f"add {text}", user_id=user_id)
    bot.command("/weekly", "")
    bot.command("/weekly", "remove four", user_id="U0002")  # bad input: a usage message
    for user_id, text in (
        ("U0001", "add doing offer for Bosch"),
        ("U0001", "add done signed ACME"),
        ("U0003", "add long Siemens framework"),
        ("U0002", "add todo call Globex"),
    ):
        bot.command("/board", text, user_id=user_id)
    bot.command("/board", "")
    bot.command("/board", "team", user_id="U0002")
    bot.command("/prospect", "Globex: intro via the fair")
    bot.command("/prospect", "knows Initech: Peter (CFO)", user_id="U0002")
    bot.command("/prospect", "Globex", user_id="U0003")  # flagged: Anna is in touch already
    bot.command("/prospect", "list", user_id="U0002")
    bot.command("/prospect", "help")
    bot.command("/daily", "settings")  # modals
    bot.command("/weekly", "settings")
    run_call(bot, FRIDAY_CALL)
    november = run_agenda(bot, MONDAY_WEEKLY)
    bot.event(reaction("U0002", reply_for(bot, november, "travel budget")))
    bot.event(reaction("U0003", reply_for(bot, november, "travel budget")))
    bot.event(reaction("U0001", reply_for(bot, november, "CRM export"), "white_check_mark"))
    bot.event(reaction("U0003", reply_for(bot, november, "fair in March"), "white_check_mark"))
    bot.command("/weekly", "decide we go to the fair", user_id="U0003")
    bot.command("/weekly", "decisions")
    bot.clock.set(NEXT_THURSDAY)
    bot.command("/daily", "today: offers impediment: printer is down", user_id="U0002")
    daily_summary(bot.runtime, TEAM, CHANNEL, NEXT_THURSDAY + timedelta(hours=2))
    run_agenda(bot, NEXT_MONDAY_WEEKLY)
    for user_id in NAMES:
        bot.event({"type": "app_home_opened", "user": user_id, "channel": "D0001", "tab": "home"})
    bot.settle()
    assert client is not None


def test_nothing_the_bot_sends_puts_a_person_next_to_a_figure(bot: BotUnderTest) -> None:
    _populate(bot)
    calls = [call for call in bot.fake.calls if call.error is None]
    shown = {call.method for call in calls if any(shown_texts(call.params))}
    for method in (
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "views.publish",
        "views.open",
    ):
        assert method in shown, f"the history produced {method}"
    everything = "\n".join(text for call in calls for text in shown_texts(call.params))
    for produced in ("Team insight", "carried over", "in touch", "Daily summary", "*Team*"):
        assert produced in everything, f"the history produced {produced!r}"
    findings = {
        f"{call.method}: {line}"
        for call in calls
        for line in per_person_findings(call.params, PEOPLE)
    }
    assert findings == set()
