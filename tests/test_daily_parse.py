"""The `/daily` command and thread replies: labels, subcommands and dates, in English and German."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.daily.parse import (
    Away,
    Cancel,
    DailyFields,
    Help,
    Invalid,
    OpenModal,
    Settings,
    Skip,
    Update,
    parse_daily_command,
    parse_update_text,
)

TODAY = date(2026, 11, 25)
EMPTY = DailyFields(None, None, None)

# Written out independently of the parser, as the product describes labels.
LABEL_WORDS = {
    "plan": ["today", "plan", "heute"],
    "highlight": ["highlight", "yesterday", "gestern"],
    "impediment": ["impediment", "blocker", "hindernis"],
}
ALL_LABELS = [word for words in LABEL_WORDS.values() for word in words]
LABEL_IN_TEXT = re.compile(r"(?<!\S)(?ai:" + "|".join(ALL_LABELS) + r"):(?!//)")


def fields_words(fields: DailyFields) -> list[str]:
    parts = (fields.plan, fields.highlight, fields.impediment)
    return [word for part in parts if part for word in part.split()]


# --- parse_update_text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today: call Müller", DailyFields("call Müller", None, None)),
        ("plan: call Müller", DailyFields("call Müller", None, None)),
        ("heute: Müller anrufen", DailyFields("Müller anrufen", None, None)),
        ("highlight: signed ACME", DailyFields(None, "signed ACME", None)),
        ("yesterday: signed ACME", DailyFields(None, "signed ACME", None)),
        ("gestern: ACME unterschrieben", DailyFields(None, "ACME unterschrieben", None)),
        ("impediment: CRM down", DailyFields(None, None, "CRM down")),
        ("blocker: CRM down", DailyFields(None, None, "CRM down")),
        ("hindernis: CRM kaputt", DailyFields(None, None, "CRM kaputt")),
        ("TODAY: a HighLight: b BLOCKER: c", DailyFields("a", "b", "c")),
        ("Heute: a Gestern: b Hindernis: c", DailyFields("a", "b", "c")),
    ],
)
def test_every_label_in_both_languages(text: str, expected: DailyFields) -> None:
    assert parse_update_text(text) == expected


def test_labels_in_any_order_on_one_line() -> None:
    text = "blocker: no leads highlight: demo went well today: follow up"
    assert parse_update_text(text) == DailyFields("follow up", "demo went well", "no leads")


def test_labels_on_several_lines() -> None:
    text = "Gestern: Angebot raus\n\nHeute:\n- Müller anrufen\n- Demo\nHindernis: keins"
    assert parse_update_text(text) == DailyFields(
        "- Müller anrufen\n- Demo", "Angebot raus", "keins"
    )


def test_unlabelled_text_before_the_first_label_is_the_plan() -> None:
    assert parse_update_text("call ACME highlight: demo") == DailyFields("call ACME", "demo", None)
    assert parse_update_text("  just a plan  ") == DailyFields("just a plan", None, None)


def test_a_label_given_twice_joins_its_parts() -> None:
    text = "today: call A highlight: x today: call B"
    assert parse_update_text(text) == DailyFields("call A\ncall B", "x", None)


def test_unlabelled_text_and_plan_label_are_both_the_plan() -> None:
    assert parse_update_text("first plan: second") == DailyFields("first\nsecond", None, None)


def test_empty_parts_are_none() -> None:
    assert parse_update_text("today: highlight:   blocker:") == EMPTY
    assert parse_update_text("") == EMPTY
    assert parse_update_text(" \n ") == EMPTY


@pytest.mark.parametrize(
    "text",
    [
        "heute Müller anrufen",
        "see https://acme.com/plan:x for details",
        "open plan://board",
        "https://x",
        "preplan: not a label",
        "(today: not a label either)",
        "Today's plan call Müller",
        "today : spaced colon",
    ],
)
def test_words_and_urls_are_not_labels(text: str) -> None:
    assert parse_update_text(text) == DailyFields(text.strip(), None, None)


def test_urls_with_colons_stay_inside_their_field() -> None:
    text = "highlight: demo at https://meet.example/abc?x=1 today: mail http://a.b:8080/plan"
    assert parse_update_text(text) == DailyFields(
        "mail http://a.b:8080/plan", "demo at https://meet.example/abc?x=1", None
    )


def test_mentions_stay_canonical_in_fields() -> None:
    assert parse_update_text("today: call with <@U123> blocker: <@W9AB> away") == DailyFields(
        "call with <@U123>", None, "<@W9AB> away"
    )


@given(st.text())
def test_parse_update_text_accepts_anything(text: str) -> None:
    assert isinstance(parse_update_text(text), DailyFields)


@given(st.text())
def test_no_text_but_labels_is_lost(text: str) -> None:
    expected = Counter(LABEL_IN_TEXT.sub(" ", text).split())
    assert Counter(fields_words(parse_update_text(text))) == expected


WORD = st.text(st.characters(exclude_characters=":"), min_size=1).filter(
    lambda word: not any(char.isspace() for char in word)
)
SEPARATOR = st.sampled_from([" ", "\n", "  ", "\t", " \n "])
LABEL_SPELLING = st.sampled_from(ALL_LABELS).flatmap(
    lambda label: st.sampled_from([label, label.upper(), label.title()])
)


@given(
    st.lists(WORD, max_size=5),
    st.lists(st.tuples(LABEL_SPELLING, st.lists(WORD, max_size=5)), max_size=6),
    SEPARATOR,
)
def test_each_word_lands_in_its_labels_field(
    leading: list[str], labelled: list[tuple[str, list[str]]], separator: str
) -> None:
    pieces = [*leading]
    expected: dict[str, list[str]] = {"plan": [*leading], "highlight": [], "impediment": []}
    for label, words in labelled:
        pieces.append(f"{label}:")
        pieces.extend(words)
        field = next(name for name, spellings in LABEL_WORDS.items() if label.lower() in spellings)
        expected[field].extend(words)
    fields = parse_update_text(separator.join(pieces))
    for field, words in expected.items():
        assert (getattr(fields, field) or "").split() == words


# --- DailyFields ---------------------------------------------------------------------------------


def test_is_empty() -> None:
    assert EMPTY.is_empty
    assert not DailyFields(None, None, "x").is_empty


def test_resubmission_replaces_given_fields_and_keeps_the_others() -> None:
    previous = DailyFields("old plan", "old highlight", "old blocker")
    assert DailyFields("new plan", None, None).merged_over(previous) == DailyFields(
        "new plan", "old highlight", "old blocker"
    )


OPTIONAL_TEXT = st.none() | st.text()
FIELDS = st.builds(DailyFields, OPTIONAL_TEXT, OPTIONAL_TEXT, OPTIONAL_TEXT)


@given(FIELDS, FIELDS)
def test_merged_over_keeps_what_the_new_update_leaves_out(
    new: DailyFields, previous: DailyFields
) -> None:
    merged = new.merged_over(previous)
    for name in ("plan", "highlight", "impediment"):
        given_value = getattr(new, name)
        expected = given_value if given_value is not None else getattr(previous, name)
        assert getattr(merged, name) == expected


# --- parse_daily_command: subcommands ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", OpenModal()),
        ("   ", OpenModal()),
        ("help", Help()),
        ("HILFE", Help()),
        ("?", Help()),
        ("settings", Settings()),
        ("Einstellungen", Settings()),
        ("skip", Skip(reason=None)),
        ("skip  sick today ", Skip(reason="sick today")),
        ("Aussetzen Kundentermin", Skip(reason="Kundentermin")),
        ("skip\nat a trade fair", Skip(reason="at a trade fair")),
    ],
)
def test_subcommands(text: str, expected: object) -> None:
    assert parse_daily_command(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "skipped the gym: today: call Müller",
        "Help Anna with the ACME offer",
        "today: skip the cold calls",
        "settings review with Tom",
    ],
)
def test_subcommand_words_count_only_as_the_first_word_alone(text: str) -> None:
    assert isinstance(parse_daily_command(text, TODAY), Update)


def test_update_with_labels() -> None:
    command = parse_daily_command("heute: Müller anrufen gestern: Demo hindernis: keins", TODAY)
    assert command == Update(DailyFields("Müller anrufen", "Demo", "keins"))


def test_empty_update_is_invalid() -> None:
    assert parse_daily_command("today: highlight:", TODAY) == Invalid("daily.error.empty_update")


def test_too_long_field_is_invalid() -> None:
    assert parse_daily_command("today: " + "x" * 3001, TODAY) == Invalid("daily.error.too_long")
    assert isinstance(parse_daily_command("today: " + "x" * 3000, TODAY), Update)


def test_too_long_text_is_invalid() -> None:
    text = "today: " + "x" * 2000 + " highlight: " + "y" * 2000
    assert parse_daily_command(text, TODAY) == Invalid("daily.error.too_long")


# --- parse_daily_command: away and dates ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("away 2026-12-24", date(2026, 12, 24), date(2026, 12, 24)),
        ("away 24.12.2026", date(2026, 12, 24), date(2026, 12, 24)),
        ("away 24.12.26", date(2026, 12, 24), date(2026, 12, 24)),
        ("away 24.12.", date(2026, 12, 24), date(2026, 12, 24)),
        ("away 24.12", date(2026, 12, 24), date(2026, 12, 24)),
        ("away 24.12. 6.1.", date(2026, 12, 24), date(2027, 1, 6)),
        ("abwesend 24.12. - 6.1.", date(2026, 12, 24), date(2027, 1, 6)),
        ("Urlaub 24.12. bis 06.01.2027", date(2026, 12, 24), date(2027, 1, 6)),
        ("away 2026-12-24 2027-01-06", date(2026, 12, 24), date(2027, 1, 6)),
        ("away 24.12.-6.1.", date(2026, 12, 24), date(2027, 1, 6)),
        ("away 24.12.2027 6.1.", date(2027, 12, 24), date(2028, 1, 6)),
        ("away 29.02.", date(2028, 2, 29), date(2028, 2, 29)),
        ("away 20.11. 27.11.", date(2026, 11, 20), date(2026, 11, 27)),
    ],
)
def test_away_dates(text: str, start: date, end: date) -> None:
    assert parse_daily_command(text, TODAY) == Away(start=start, end=end)


def test_a_week_old_date_without_year_means_this_year() -> None:
    assert parse_daily_command("away 18.11. 30.11.", TODAY) == Away(
        date(2026, 11, 18), date(2026, 11, 30)
    )


def test_a_date_more_than_a_week_back_means_next_year() -> None:
    assert parse_daily_command("away 17.11.", TODAY) == Away(date(2027, 11, 17), date(2027, 11, 17))


def test_christmas_asked_after_christmas_is_in_the_past() -> None:
    assert parse_daily_command("away 24.12.", date(2026, 12, 28)) == Invalid(
        "daily.error.away_in_past"
    )


@pytest.mark.parametrize(
    ("text", "error", "detail"),
    [
        ("away", "daily.error.away_needs_date", ""),
        ("abwesend", "daily.error.away_needs_date", ""),
        ("away 31.02.", "daily.error.bad_date", "31.02."),
        ("away 24.13.", "daily.error.bad_date", "24.13."),
        ("away 2026-02-30", "daily.error.bad_date", "2026-02-30"),
        ("away 24.12. 32.12.", "daily.error.bad_date", "32.12."),
        ("away tomorrow", "daily.error.bad_date", "tomorrow"),
        ("away 24.12. christmas", "daily.error.bad_date", "christmas"),
        ("away 26.12. 24.12.", "daily.error.range_reversed", ""),
        ("away 2027-01-06 2026-12-24", "daily.error.range_reversed", ""),
        ("away 2026-01-01 2026-11-24", "daily.error.away_in_past", ""),
        ("away 1.12.2026 2.12.2027", "daily.error.away_too_long", ""),
    ],
)
def test_away_errors(text: str, error: str, detail: str) -> None:
    assert parse_daily_command(text, TODAY) == Invalid(error, detail)


def test_an_absence_of_366_days_is_allowed() -> None:
    assert parse_daily_command("away 2027-01-01 2028-01-01", TODAY) == Away(
        date(2027, 1, 1), date(2028, 1, 1)
    )


def test_an_absence_that_started_earlier_but_lasts_is_allowed() -> None:
    assert parse_daily_command("away 2026-11-01 2026-11-30", TODAY) == Away(
        date(2026, 11, 1), date(2026, 11, 30)
    )


DAILY_WORDS = st.sampled_from(
    ["away", "urlaub", "skip", "help", "settings", "today:", "heute:", "bis", "-", "?", "31.02.",
     "24.12.", "24.12", "1.1.99", "2026-12-24", "29.02.", "0.0.", "99.99.9999", "\n", " ", "x"]
)  # fmt: skip
COMMAND_TEXT = st.one_of(st.text(), st.lists(DAILY_WORDS, max_size=8).map(" ".join))


@given(COMMAND_TEXT, st.dates())
def test_parse_daily_command_never_raises(text: str, today: date) -> None:
    command = parse_daily_command(text, today)
    assert isinstance(command, OpenModal | Help | Settings | Skip | Away | Update | Invalid)
    if isinstance(command, Away):
        assert command.start <= command.end
        assert command.end >= today


# --- edited replies ------------------------------------------------------------------------------


def test_an_edit_that_takes_a_field_out_empties_it() -> None:
    from bot.daily.parse import removed_by_edit

    assert removed_by_edit("today: a impediment: VPN down", "today: a") == {"impediment"}
    assert removed_by_edit("today: a", "today: b highlight: c") == frozenset()
    assert removed_by_edit("plan only", "highlight: x") == {"plan"}
    assert removed_by_edit("", "today: a") == frozenset()


@given(st.text(max_size=200), st.text(max_size=200))
def test_an_edit_removes_only_fields_the_reply_had_and_no_longer_has(
    before: str, after: str
) -> None:
    from bot.daily.parse import parse_update_text, removed_by_edit

    removed = removed_by_edit(before, after)
    assert removed <= parse_update_text(before).given()
    assert removed.isdisjoint(parse_update_text(after).given())


def test_uncancel_takes_an_optional_date_in_both_languages() -> None:
    today = date(2026, 11, 25)
    assert parse_daily_command("uncancel", today) == Cancel(day=None, undo=True)
    assert parse_daily_command("zurücknehmen 26.11.", today) == Cancel(
        day=date(2026, 11, 26), undo=True
    )
    assert parse_daily_command("cancel 26.11.", today) == Cancel(day=date(2026, 11, 26))
    assert isinstance(parse_daily_command("uncancel soon", today), Invalid)
