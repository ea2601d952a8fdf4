"""`python -m bot import-contacts FILE --team T` in a process of its own, beside the running bot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.db import transaction
from storage.models import KnownContact
from tests.conftest import BOT_TOKEN, TEAM, BotUnderTest
from tests.test_cli import clean_env, run_bot
from tests.test_radar_e2e import announce, count, replies_in

GOOD_FILE = (
    "company;contact;known_by\n"
    "Siemens AG;Dr. Max Weber (CIO);U0002\n"
    "Müller Maschinenbau GmbH;Jane Doe (CFO);dora@example.com\n"
    "Mueller Maschinenbau;Jörg (CTO);DORA@example.com\n"
)


def import_contacts(bot: BotUnderTest, database_url: str, path: Path, *extra: str) -> Any:
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=bot.fake.url, DATABASE_URL=database_url
    )
    return run_bot(path.parent, env, "import-contacts", str(path), "--team", TEAM, *extra)


def stored(bot: BotUnderTest) -> list[tuple[str, str, str | None]]:
    with transaction(bot.runtime.sessions) as session:
        rows = session.scalars(select(KnownContact).order_by(KnownContact.company)).all()
        return [(row.user_id, row.company, row.contact) for row in rows]


def test_import_stores_all_rows_flags_pursuers_and_a_reimport_changes_nothing(
    bot: BotUnderTest, database_url: str, tmp_path: Path
) -> None:
    bot.fake.add_user("U0004", name="Dora", email="dora@example.com")
    ts = announce(bot, "Siemens: first call on Monday")
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD_FILE.encode())

    result = import_contacts(bot, database_url, path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "imported 2 contacts of 2 people (2 new, 0 updated); flagged in 1 announcement thread"
    )
    assert stored(bot) == [
        ("U0004", "Müller Maschinenbau GmbH", "Jane Doe (CFO); Jörg (CTO)"),
        ("U0002", "Siemens AG", "Dr. Max Weber (CIO)"),
    ]
    [flag] = replies_in(bot, ts)
    assert "<@U0002> knows Dr. Max Weber (CIO) at Siemens" in flag.params["text"]

    again = import_contacts(bot, database_url, path)
    assert again.returncode == 0, again.stderr
    assert "(0 new, 2 updated)" in again.stdout
    assert count(bot, KnownContact) == 2 and len(replies_in(bot, ts)) == 1

    # The running bot sees the import on its next use (another process wrote it).
    other = announce(bot, "MUELLER MASCHINENBAU AG", user_id="U0003")
    assert (
        "<@U0004> knows Jane Doe (CFO); Jörg (CTO) at" in replies_in(bot, other)[0].params["text"]
    )


def test_any_bad_row_is_reported_and_nothing_is_imported(
    bot: BotUnderTest, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "company,contact,known_by\n"
        "Siemens AG,Max,U0002\n"
        "Bosch,Eva,nobody@example.com\n"
        ",Tom,U0003\n"
        "Zeiss,Ute,U9999\n",
        encoding="utf-8",
    )
    result = import_contacts(bot, database_url, path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "row 3: known_by: no Slack user with e-mail nobody@example.com",
        "row 4: company: missing",
        "row 5: known_by: no Slack user with user id U9999",
        "nothing imported: 3 problems in " + str(path),
    ]
    assert count(bot, KnownContact) == 0 and result.stdout == ""


def test_a_missing_file_is_one_line_and_exit_2(
    bot: BotUnderTest, database_url: str, tmp_path: Path
) -> None:
    result = import_contacts(bot, database_url, tmp_path / "nope.csv")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "nope.csv" in result.stderr


def test_e_mail_addresses_without_the_email_scope_name_the_scope_and_import_nothing(
    bot: BotUnderTest, database_url: str, tmp_path: Path
) -> None:
    bot.fake.add_user("U0004", name="Dora", email="dora@example.com")
    bot.fake.email_scope_granted = False
    path = tmp_path / "contacts.csv"
    path.write_text(GOOD_FILE, encoding="utf-8")
    result = import_contacts(bot, database_url, path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "users:read.email" in line and "--with-email-import" in line
    assert "nothing imported" in line
    assert count(bot, KnownContact) == 0

    # User ids need no extra scope.
    path.write_text("company,contact,known_by\nSiemens AG,Max,U0002\n", encoding="utf-8")
    assert import_contacts(bot, database_url, path).returncode == 0
    assert count(bot, KnownContact) == 1
