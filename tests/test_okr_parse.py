"""`/okr` arguments: subcommands in English and German, references, numbers with `,` or `.`,
`k` and `%`, quarters; any text becomes a command or a usage message, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.okr.parse import (
    MAX_OKR_TEXT,
    AddKeyResult,
    AddObjective,
    Archive,
    Check,
    Close,
    Help,
    Invalid,
    Quarter,
    Remove,
    Show,
    parse_number,
    parse_okr_command,
    parse_quarter,
)


@pytest.mark.parametrize(
    ("text", "value", "percent"),
    [
        ("20", 20.0, False),
        ("2,5", 2.5, False),
        ("2.5", 2.5, False),
        ("1.500", 1500.0, False),
        ("1,500", 1500.0, False),
        ("1.500.000", 1_500_000.0, False),
        ("1.500,75", 1500.75, False),
        ("1,500.75", 1500.75, False),
        ("20k", 20_000.0, False),
        ("2,5K", 2_500.0, False),
        ("80%", 80.0, True),
        ("80 %", 80.0, True),
        ("0", 0.0, False),
    ],
)
def test_numbers_in_either_convention(text: str, value: float, percent: bool) -> None:
    parsed = parse_number(text)
    assert parsed is not None and parsed.value == pytest.approx(value)
    assert parsed.percent is percent


@pytest.mark.parametrize("text", ["", "-3", "abc", "1.5.3", "12,3,4", "20kk", "%", "1e5", "∞"])
def test_what_is_not_a_number(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("", Show()),
        ("list", Show()),
        ("liste", Show()),
        ("help", Help()),
        ("hilfe", Help()),
        ("add Grow in DACH", AddObjective("Grow in DACH")),
        ("neu Wachstum in DACH", AddObjective("Wachstum in DACH")),
        ("add O2 Telefónica partnership", AddObjective("O2 Telefónica partnership")),
        ("add O1: Win new customers 20", AddKeyResult(1, "Win new customers 20", 20.0, "")),
        ("add o3 : NPS 50%", AddKeyResult(3, "NPS 50%", 50.0, "%")),
        ("neu O1: Empfehlungen", AddKeyResult(1, "Empfehlungen", 100.0, "%")),
        ("add O1: Revenue 20k", AddKeyResult(1, "Revenue 20k", 20_000.0, "")),
        ("check KR1.2 12", Check(1, 2, 12.0, None)),
        ("stand kr1.2 3,5: zwei Demos", Check(1, 2, 3.5, "zwei Demos")),
        ("check KR10.1 7 : note: with colon", Check(10, 1, 7.0, "note: with colon")),
        ("remove O2", Remove(2, None)),
        ("entfernen KR2.3", Remove(2, 3)),
        ("löschen o1", Remove(1, None)),
        ("close", Close(None)),
        ("abschließen 2026-Q4", Close(Quarter(2026, 4))),
        ("archive", Archive(None)),
        ("archiv Q3 2026", Archive(Quarter(2026, 3))),
    ],
)
def test_subcommands_in_english_and_german(text: str, command: object) -> None:
    assert parse_okr_command(text) == command


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("frobnicate", "okr.error.usage"),
        ("list all", "okr.error.usage"),
        ("help me", "okr.error.usage"),
        ("add", "okr.error.empty_text"),
        ("add O1:", "okr.error.empty_text"),
        ("add " + "x" * (MAX_OKR_TEXT + 1), "okr.error.text_too_long"),
        ("add O1: nothing to reach 0", "okr.error.bad_target"),
        ("check", "okr.error.needs_key_result"),
        ("check O1 5", "okr.error.needs_key_result"),
        ("check KR1.1", "okr.error.bad_value"),
        ("check KR1.1 -2", "okr.error.bad_value"),
        ("check KR1.1 5 without colon", "okr.error.bad_value"),
        ("check KR1.1 5: " + "n" * 1001, "okr.error.note_too_long"),
        ("remove", "okr.error.needs_reference"),
        ("remove KR1", "okr.error.needs_reference"),
        ("close soon", "okr.error.bad_quarter"),
        ("archive 2026-Q5", "okr.error.bad_quarter"),
        ("x" * 5000, "okr.error.too_long"),
    ],
)
def test_bad_input_is_a_usage_message(text: str, error: str) -> None:
    parsed = parse_okr_command(text)
    assert isinstance(parsed, Invalid) and parsed.error == error


@pytest.mark.parametrize("text", ["2026-Q3", "2026Q3", "2026 q3", "Q3 2026", "q3/2026", "Q3-2026"])
def test_quarters(text: str) -> None:
    assert parse_quarter(text) == Quarter(2026, 3)
    assert str(parse_quarter(text)) == "2026-Q3"


@given(st.text(max_size=300))
def test_any_text_is_a_command_or_a_usage_message(text: str) -> None:
    assert parse_okr_command(text) is not None


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from([",", "."]))
def test_a_thousands_grouped_number_reads_as_the_plain_one(value: int, separator: str) -> None:
    grouped = f"{value:,}".replace(",", separator)
    parsed = parse_number(grouped)
    assert parsed is not None and parsed.value == value


@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=99),
    st.sampled_from([",", "."]),
)
def test_either_decimal_separator_gives_the_same_value(
    whole: int, cents: int, separator: str
) -> None:
    parsed = parse_number(f"{whole}{separator}{cents:02d}")
    assert parsed is not None and parsed.value == pytest.approx(whole + cents / 100)


@given(
    st.integers(min_value=1, max_value=99),
    st.integers(min_value=1, max_value=99),
    st.decimals(min_value=0, max_value=10**6, places=2),
    st.text(min_size=1, max_size=80).filter(lambda note: note.strip() != ""),
)
def test_a_check_in_keeps_its_reference_value_and_note(
    objective: int, number: int, value: object, note: str
) -> None:
    parsed = parse_okr_command(f"check KR{objective}.{number} {value}: {note}")
    assert isinstance(parsed, Check)
    assert (parsed.objective, parsed.key_result) == (objective, number)
    assert parsed.value == pytest.approx(float(str(value)))
    assert parsed.note == note.strip()


@given(st.text(min_size=1, max_size=200).filter(lambda t: t.strip() != ""))
def test_a_key_results_text_is_kept_as_typed(text: str) -> None:
    parsed = parse_okr_command(f"add O1: {text}")
    if isinstance(parsed, AddKeyResult):
        assert parsed.text == text.strip()
        assert parsed.target > 0
    else:
        assert isinstance(parsed, Invalid) and parsed.error == "okr.error.bad_target"
