"""Read a CSV of known contacts (`company`, `contact`, `known_by`) and check every row. Pure.

The file comes from a CRM export or a spreadsheet, so it may carry a byte-order mark, be
Windows-1252 rather than UTF-8 (German Excel), and use `;` or a tab instead of `,` (German
Excel again). The header names the columns in any order; English and German names are
accepted and other columns are ignored. Every row is checked before anything is stored, and
every problem is reported with its row number as a spreadsheet shows it (the header is row 1).

Python's `csv` module does the reading; the delimiter is chosen from the header line, which
is more reliable than `csv.Sniffer` on files with few rows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Literal

from bot.radar.normalise import normalise
from bot.radar.parse import MAX_CONTACT_LENGTH, clean_company, company_problem, is_matchable
from bot.text import USER_ID_PATTERN

MAX_ROWS = 10_000
DELIMITERS = (",", ";", "\t")
COLUMNS: dict[str, tuple[str, ...]] = {
    "company": ("company", "firma", "unternehmen", "organisation", "organization"),
    "contact": ("contact", "kontakt", "ansprechpartner", "name"),
    "known_by": ("known_by", "known by", "knownby", "bekannt_von", "bekannt von", "kennt"),
}
REQUIRED = ("company", "known_by")
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
COMPANY_PROBLEMS = {
    "radar.error.no_company": "not a company name",
    "radar.error.company_too_long": "longer than 150 characters",
}


@dataclass(frozen=True)
class ContactRow:
    row: int
    company: str
    contact: str | None
    known_by: str  # a Slack user id, or an e-mail address (lower case)

    @property
    def known_by_kind(self) -> Literal["user", "email"]:
        return "user" if USER_ID_PATTERN.fullmatch(self.known_by) else "email"


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"


@dataclass(frozen=True)
class ParsedContacts:
    rows: list[ContactRow]
    errors: list[RowError]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (its five unused bytes become "�")."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_contacts_csv(data: bytes) -> ParsedContacts:
    text = decode(data)
    header_line = text.splitlines()[0] if text.strip() else ""
    delimiter = max(DELIMITERS, key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return ParsedContacts([], [RowError(1, "header", "the file is empty")])
    except csv.Error as error:
        return ParsedContacts([], [RowError(1, "header", f"unreadable ({error})")])
    columns, header_error = _columns(header)
    if header_error is not None:
        return ParsedContacts([], [header_error])
    rows: list[ContactRow] = []
    errors: list[RowError] = []
    try:
        for record in reader:
            if not any(value.strip() for value in record):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(RowError(reader.line_num, "file", f"more than {MAX_ROWS} rows"))
                break
            row, row_errors = _check_row(reader.line_num, record, columns)
            errors.extend(row_errors)
            if row is not None:
                rows.append(row)
    except csv.Error as error:
        errors.append(RowError(reader.line_num, "file", f"unreadable ({error})"))
    if not rows and not errors:
        errors.append(RowError(2, "file", "no contacts below the header"))
    return ParsedContacts(merge_duplicates(rows), errors)


def _columns(header: list[str]) -> tuple[dict[str, int], RowError | None]:
    names = [cell.strip().lower() for cell in header]
    columns: dict[str, int] = {}
    for field, aliases in COLUMNS.items():
        positions = [number for number, name in enumerate(names) if name in aliases]
        if len(positions) > 1:
            return {}, RowError(1, "header", f"more than one {field} column")
        if positions:
            columns[field] = positions[0]
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        found = ", ".join(cell.strip() for cell in header) or "nothing"
        return {}, RowError(
            1,
            "header",
            f"expected the columns company, contact, known_by (found: {found}); "
            f"missing {', '.join(missing)}",
        )
    return columns, None


def _check_row(
    row: int, record: list[str], columns: dict[str, int]
) -> tuple[ContactRow | None, list[RowError]]:
    def cell(field: str) -> str:
        position = columns.get(field)
        return record[position].strip() if position is not None and position < len(record) else ""

    errors: list[RowError] = []
    company = clean_company(cell("company"))
    problem = company_problem(company)
    if problem is not None or not is_matchable(company):
        reason = COMPANY_PROBLEMS.get(problem or "", "not a company name")
        errors.append(RowError(row, "company", "missing" if not company else reason))
    contact = clean_company(cell("contact")) or None
    if contact is not None and len(contact) > MAX_CONTACT_LENGTH:
        errors.append(RowError(row, "contact", f"longer than {MAX_CONTACT_LENGTH} characters"))
    known_by = cell("known_by")
    if not known_by:
        errors.append(RowError(row, "known_by", "missing"))
    elif not USER_ID_PATTERN.fullmatch(known_by) and not EMAIL.fullmatch(known_by):
        errors.append(
            RowError(row, "known_by", f"{known_by!r} is neither a Slack user id nor an e-mail")
        )
    if errors:
        return None, errors
    if not USER_ID_PATTERN.fullmatch(known_by):
        known_by = known_by.lower()
    return ContactRow(row, company, contact, known_by), []


def merge_duplicates(rows: list[ContactRow]) -> list[ContactRow]:
    """One row per person and company (as the matcher spells it); contact names are joined.

    A CRM export lists every contact of a company on its own row, while the radar keeps one
    entry per person and company, so "Jane (CFO)" and "Max (CTO)" become "Jane (CFO); Max (CTO)".
    """
    merged: dict[tuple[str, str], ContactRow] = {}
    for row in rows:
        key = (row.known_by, normalise(row.company).key)
        first = merged.get(key)
        if first is None:
            merged[key] = row
            continue
        contacts = [name for name in (first.contact, row.contact) if name]
        joined = "; ".join(dict.fromkeys(contacts)) or None
        if joined is not None and len(joined) > MAX_CONTACT_LENGTH:
            joined = first.contact
        merged[key] = ContactRow(first.row, first.company, joined, first.known_by)
    return list(merged.values())
