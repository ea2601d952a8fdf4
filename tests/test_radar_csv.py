"""Reading a contacts CSV: encodings, delimiters, headers, per-row errors, duplicates."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.radar.contacts_csv import ContactRow, read_contacts_csv


def test_a_plain_file_is_read_row_by_row() -> None:
    parsed = read_contacts_csv(
        b"company,contact,known_by\n"
        b"M\xc3\xbcller Maschinenbau GmbH,Jane Doe (CFO),U0002\n"
        b"Siemens AG,,Anna@Example.com\n"
    )
    assert parsed.errors == []
    assert parsed.rows == [
        ContactRow(2, "Müller Maschinenbau GmbH", "Jane Doe (CFO)", "U0002"),
        ContactRow(3, "Siemens AG", None, "anna@example.com"),
    ]
    assert [row.known_by_kind for row in parsed.rows] == ["user", "email"]


def test_german_excel_bom_semicolons_and_windows_1252() -> None:
    utf8 = "\ufeffFirma;Kontakt;Bekannt_von\r\nMüller GmbH;Jörg Weiß;U0002\r\n".encode()
    cp1252 = "Firma;Kontakt;Bekannt_von\r\nMüller GmbH;Jörg Weiß;U0002\r\n".encode("cp1252")
    for data in (utf8, cp1252):
        parsed = read_contacts_csv(data)
        assert parsed.errors == []
        assert parsed.rows == [ContactRow(2, "Müller GmbH", "Jörg Weiß", "U0002")]


def test_columns_in_any_order_extra_columns_ignored_blank_lines_skipped() -> None:
    parsed = read_contacts_csv(
        b'known_by,notes,company\n\nU0003,met at a fair,Bosch\n,,\nU0003,"a, b",Zeiss\n'
    )
    assert parsed.errors == []
    assert [(row.row, row.company, row.contact) for row in parsed.rows] == [
        (3, "Bosch", None),
        (5, "Zeiss", None),
    ]


def test_every_bad_row_is_reported_with_its_row_number() -> None:
    parsed = read_contacts_csv(
        b"company,contact,known_by\n"
        b"Bosch,Eva,U0002\n"
        b",Max,U0002\n"
        b"Zeiss,Tom,somebody\n"
        b"Siemens," + b"x" * 201 + b",\n"
    )
    assert [str(error) for error in parsed.errors] == [
        "row 3: company: missing",
        "row 4: known_by: 'somebody' is neither a Slack user id nor an e-mail",
        "row 5: contact: longer than 200 characters",
        "row 5: known_by: missing",
    ]


def test_a_wrong_header_is_one_clear_error() -> None:
    parsed = read_contacts_csv(b"name;email\nJane;jane@example.com\n")
    [error] = parsed.errors
    assert error.row == 1 and "missing company, known_by" in str(error)
    assert parsed.rows == []


def test_an_empty_file_or_a_header_alone_is_an_error() -> None:
    assert "empty" in str(read_contacts_csv(b"").errors[0])
    assert "no contacts" in str(read_contacts_csv(b"company,contact,known_by\n").errors[0])


def test_rows_of_one_person_and_company_are_merged_with_both_contacts() -> None:
    parsed = read_contacts_csv(
        "company,contact,known_by\n"
        "Müller GmbH,Jane (CFO),U0002\n"
        "MUELLER,Max (CTO),U0002\n"
        "Müller GmbH,Jane (CFO),U0003\n".encode()
    )
    assert parsed.rows == [
        ContactRow(2, "Müller GmbH", "Jane (CFO); Max (CTO)", "U0002"),
        ContactRow(4, "Müller GmbH", "Jane (CFO)", "U0003"),
    ]


@given(st.binary(max_size=500))
def test_no_file_crashes_the_reader(data: bytes) -> None:
    parsed = read_contacts_csv(b"company,contact,known_by\n" + data)
    for row in parsed.rows:
        assert row.company and row.known_by
    for error in parsed.errors:
        assert error.row >= 1


@given(st.text(max_size=300))
def test_no_text_crashes_the_reader(text: str) -> None:
    read_contacts_csv(text.encode("utf-8", "surrogatepass"))
