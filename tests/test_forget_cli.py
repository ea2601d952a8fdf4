"""`python -m bot forget --user` and `export --team` against a database the bot filled: a person's
words leave every table, also where a teammate put them (an item made from their message)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import select

from storage.db import transaction
from storage.models import InboxRequest, WeeklyItem
from tests.conftest import BOT_TOKEN, TEAM, BotUnderTest
from tests.test_weekly_support import NEXT_MONDAY_WEEKLY, run_agenda, text_of, thread_messages

CARLAS_WORDS = "Bosch wants the offer today, call Mr Huber"
ERASED_EN = "(removed at the author's request)"


def _bot_cli(bot: BotUnderTest, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot …` against the test's database and fake Slack, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "SLACK_API_URL": bot.fake.url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "DATABASE_URL": bot.runtime.settings.database_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result


def _item_from_message(bot: BotUnderTest, author: str, ts: str, text: str, by: str) -> None:
    message = {"type": "message", "user": author, "ts": ts, "text": text}
    assert bot.slack.message_shortcut("weekly_add_message", message, user_id=by).status == 200
    bot.settle()


def _items(bot: BotUnderTest) -> list[WeeklyItem]:
    with transaction(bot.runtime.sessions) as session:
        return list(session.scalars(select(WeeklyItem).order_by(WeeklyItem.id)))


def _weekly_items_exported(bot: BotUnderTest) -> list[dict[str, object]]:
    exported = json.loads(_bot_cli(bot, "export", "--team", TEAM).stdout)
    rows: list[dict[str, object]] = exported["tables"]["weekly_items"]
    return rows


def test_forget_erases_a_persons_words_from_items_teammates_made_of_their_messages(
    bot: BotUnderTest,
) -> None:
    _item_from_message(bot, "U0003", "1764000123.000100", f"need {CARLAS_WORDS}", by="U0001")
    _item_from_message(bot, "U0001", "1764000123.000200", "plan visit Siemens", by="U0002")
    run_agenda(bot)  # both are on a posted agenda now
    _item_from_message(bot, "U0003", "1764000123.000300", "market prices drop", by="U0002")

    exported = _weekly_items_exported(bot)
    assert [row["source_user_id"] for row in exported] == ["U0003", "U0001", "U0003"]
    assert [row["user_id"] for row in exported] == ["U0001", "U0002", "U0002"]

    forgotten = _bot_cli(bot, "forget", "--user", "U0003")
    assert "weekly_items" in forgotten.stdout

    on_agenda, other, *drafts = _items(bot)
    assert drafts == [], "an item from their message that no agenda showed yet is gone"
    assert (on_agenda.user_id, on_agenda.text, on_agenda.link) == ("U0001", ERASED_EN, None)
    assert on_agenda.source_user_id is None
    assert (other.text, other.source_user_id) == ("visit Siemens", "U0001")
    exported_after = json.dumps(_weekly_items_exported(bot))
    assert "U0003" not in exported_after and "Huber" not in exported_after

    # The teammate's item stays on the agenda and carries over, without Carla's words.
    parent_ts = run_agenda(bot, NEXT_MONDAY_WEEKLY)
    replies = "\n".join(text_of(message) for _, message in thread_messages(bot, parent_ts))
    assert ERASED_EN in replies and "Huber" not in replies


def test_forget_erases_a_persons_stored_requests(bot: BotUnderTest) -> None:
    with transaction(bot.runtime.sessions) as session:
        for key, user_id in (("ev-1", "U0003"), ("ev-2", "U0003"), ("ev-3", "U0001")):
            session.add(
                InboxRequest(
                    team_id=TEAM,
                    request_key=key,
                    listener="daily_command",
                    user_id=user_id,
                    body=json.dumps({"text": f"today: words of {user_id}"}),
                    received_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
                )
            )
    _bot_cli(bot, "forget", "--user", "U0003")
    with transaction(bot.runtime.sessions) as session:
        left = session.scalars(select(InboxRequest.user_id)).all()
    assert left == ["U0001"]
