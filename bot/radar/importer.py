"""`python -m bot import-contacts FILE --team T`: known contacts from a CSV, all rows or none.

Every row is checked first (`contacts_csv`), then every person is found in Slack (a user id
with users.info, an e-mail with users.lookupByEmail); any problem is reported per row and
nothing is stored. Otherwise all rows are stored in one transaction, as an upsert on person and
company (matched like the radar matches), so importing the same file again changes nothing.

After the import, teammates who already announced one of these companies are flagged in their
announcement's thread, as `/prospect knows` would do: a contact in the CRM is as useful as one
typed in Slack. Each thread gets each contact once, so a re-import posts no new flags.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.radar.contacts_csv import ContactRow, RowError, read_contacts_csv
from bot.radar.service import flag_pursuers
from bot.radar.team_index import Entry, team_radar
from bot.runtime import Runtime
from storage import radar as store
from storage.db import transaction

# Slack's answers that mean "no such person"; anything else is a setup problem (token, scope).
NOT_FOUND = frozenset({"user_not_found", "users_not_found"})


class ImportAborted(Exception):
    """Slack refused the look-ups altogether (a missing scope, a bad token)."""


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    people: int = 0
    flagged: int = 0


def import_contacts(runtime: Runtime, client: WebClient, team_id: str, data: bytes) -> ImportReport:
    parsed = read_contacts_csv(data)
    people, lookup_errors = _resolve_people(client, parsed.rows)
    errors = sorted([*parsed.errors, *lookup_errors], key=lambda error: error.row)
    if errors:
        return ImportReport(errors=errors)
    report = ImportReport(people=len(set(people.values())))
    radar = team_radar(runtime, team_id)
    saved: list[Entry] = []
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        for row in parsed.rows:
            user_id = people[row.known_by]
            own = next(
                (
                    entry
                    for entry in radar.same_company(row.company)
                    if entry.kind == "contact" and entry.user_id == user_id
                ),
                None,
            )
            contact, created = store.save_contact(
                session,
                team_id,
                user_id,
                row.company,
                row.contact,
                now,
                own.row_id if own else None,
            )
            report.created += created
            report.updated += not created
            saved.append(Entry("contact", contact.id, user_id, row.company, contact=row.contact))
        store.bump_version(session, team_id)
    for entry in saved:
        report.flagged += len(flag_pursuers(runtime, client, team_id, entry, tolerate=True))
    return report


def counted(count: int, singular: str, plural: str) -> str:
    """The operator's English output ("1 contact", "2 contacts"); Slack's words use ngettext."""
    return f"{count} {singular if count == 1 else plural}"


EMAIL_SCOPE_MISSING = (
    "known_by holds e-mail addresses, but the workspace did not grant the users:read.email "
    "scope; add it (`python -m bot manifest --with-email-import` prints the manifest) and "
    "reinstall the app, or use Slack user ids in known_by"
)


def _resolve_people(
    client: WebClient, rows: list[ContactRow]
) -> tuple[dict[str, str], list[RowError]]:
    """known_by (id or e-mail) -> Slack user id, asking Slack once per distinct person."""
    people: dict[str, str] = {}
    problems: dict[str, str] = {}
    for known_by, kind in dict.fromkeys((row.known_by, row.known_by_kind) for row in rows):
        try:
            if kind == "user":
                user = client.users_info(user=known_by)["user"]
            else:
                user = client.users_lookupByEmail(email=known_by)["user"]
        except SlackApiError as error:
            code = str(error.response.get("error"))
            if code == "missing_scope" and kind == "email":
                raise ImportAborted(EMAIL_SCOPE_MISSING) from None
            if code not in NOT_FOUND:
                raise ImportAborted(f"Slack answered {code} for {known_by}") from None
            what = "user id" if kind == "user" else "e-mail"
            problems[known_by] = f"no Slack user with {what} {known_by}"
            continue
        if user.get("deleted"):
            problems[known_by] = f"{known_by} is deactivated in Slack"
        elif user.get("is_bot"):
            problems[known_by] = f"{known_by} is a bot"
        else:
            people[known_by] = str(user["id"])
    errors = [
        RowError(row.row, "known_by", problems[row.known_by])
        for row in rows
        if row.known_by in problems
    ]
    return people, errors


def run_import(runtime: Runtime, path: str, team_id: str | None, out: TextIO = sys.stdout) -> int:
    """The CLI command: a per-row report and exit 2 on any problem, a summary line otherwise."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        print(f"redthread: {path}: cannot read the file ({error.strerror})", file=sys.stderr)
        return 2
    team = team_id or runtime.single_team_id()
    try:
        report = import_contacts(runtime, runtime.client_for(team), team, data)
    except ImportAborted as error:
        print(f"redthread: import-contacts: {error}; nothing imported", file=sys.stderr)
        return 2
    if report.errors:
        for problem in report.errors:
            print(str(problem), file=sys.stderr)
        problems = counted(len(report.errors), "problem", "problems")
        print(f"nothing imported: {problems} in {path}", file=sys.stderr)
        return 2
    contacts = counted(report.created + report.updated, "contact", "contacts")
    people = counted(report.people, "person", "people")
    threads = counted(report.flagged, "announcement thread", "announcement threads")
    print(
        f"imported {contacts} of {people} ({report.created} new, {report.updated} updated); "
        f"flagged in {threads}",
        file=out,
    )
    return 0
