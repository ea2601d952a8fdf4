"""Radar texts: flags in two languages, nothing user-typed pings, the list is not a ranking."""

from __future__ import annotations

from datetime import date

from bot.radar.render import (
    CompanyGroup,
    FlagLine,
    ListedContact,
    ListedProspect,
    announcement_message,
    flag_line,
    flag_message,
    list_message,
    scan_notice,
    short_date,
)


def test_flag_lines_in_english_and_german() -> None:
    knows = FlagLine("U0002", "Müller Maschinenbau", contact="Jane Doe (CFO)")
    assert flag_line("en", knows) == "<@U0002> knows Jane Doe (CFO) at Müller Maschinenbau"
    assert flag_line("de", knows) == "<@U0002> kennt Jane Doe (CFO) bei Müller Maschinenbau"
    someone = FlagLine("U0002", "Bosch")
    assert flag_line("en", someone) == "<@U0002> knows someone at Bosch"
    pursues = FlagLine("U0003", "Bosch", since=date(2026, 11, 12))
    assert flag_line("en", pursues, in_announcement=True) == (
        "<@U0003> is already in touch since 12 Nov"
    )
    assert flag_line("de", pursues, in_announcement=True) == (
        "<@U0003> ist schon seit 12. Nov. in Kontakt"
    )
    assert flag_line("en", pursues) == "<@U0003> is already in touch with Bosch since 12 Nov"


def test_short_dates() -> None:
    assert short_date(date(2026, 3, 2), "en") == "2 Mar"
    assert short_date(date(2026, 3, 2), "de") == "2. März"


def test_user_text_in_a_flag_never_pings() -> None:
    line = FlagLine("U0002", "@channel <@U0003> & Co", contact="<!here> Jane <b>")
    text, blocks = flag_message("en", [line])
    for rendered in (text, str(blocks)):
        assert "<!" not in rendered and "<@U0003>" not in rendered and "<b>" not in rendered
        assert "<@U0002>" in rendered
    assert "&amp; Co" in text and "@U0003" in text


def test_the_announcement_pings_only_the_announcer_and_quotes_the_note() -> None:
    text, blocks = announcement_message(
        "en", "U0001", "Acme <@U0002>", "ask <@U0003>\nabout <!channel>", {"U0003": "Carla"}
    )
    assert text == ":dart: <@U0001> plans to contact *Acme @U0002*"
    note = blocks[1]["text"]["text"]
    assert note == "> ask @Carla\n> about &lt;!channel&gt;"
    assert "<@U0003>" not in str(blocks) and "<!channel>" not in str(blocks)


def test_a_long_flag_message_stays_within_slacks_limits() -> None:
    lines = [FlagLine(f"U{n:04d}", "X" * 150, contact="C" * 200) for n in range(100)]
    _, blocks = flag_message("en", lines)
    assert len(blocks) <= 50
    assert all(len(block.get("text", {}).get("text", "")) <= 3000 for block in blocks)


def test_the_list_is_grouped_by_company_and_marks_mine() -> None:
    text, blocks = list_message(
        "en",
        [
            CompanyGroup(
                "Bosch",
                [
                    ListedProspect("U0003", date(2026, 11, 12), mine=False),
                    ListedProspect("U0001", date(2026, 11, 20), mine=True),
                ],
            )
        ],
        [CompanyGroup("Zeiss", [ListedContact("U0001", "Eva", mine=True)])],
        {"U0003": "Carla <!here>"},
    )
    body = "\n".join(block["text"]["text"] for block in blocks)
    assert "• *Bosch* — Carla &lt;!here&gt; (since 12 Nov), *you* (since 20 Nov)" in body
    assert "• *Zeiss* — *you* (Eva)" in body
    assert "Known companies" in body and text


def test_an_empty_list_says_how_to_start() -> None:
    text, _ = list_message("de", [], [], {})
    assert "/prospect hilfe" in text


def test_the_scan_notice_names_without_pinging() -> None:
    assert "Anna" in scan_notice("en", "Anna", True)
    assert "<!" not in scan_notice("en", "<!channel>", False)
