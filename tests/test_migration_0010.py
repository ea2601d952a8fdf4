"""Migration 0010: channels active before it keep their Daily; the others get none."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from storage.migrate import alembic_config


def test_channels_active_before_the_migration_keep_their_daily(database_url: str) -> None:
    engine = create_engine(database_url)
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0008")
            connection.execute(
                text(
                    "INSERT INTO channels (team_id, channel_id, active, daily_weekdays,"
                    " daily_prompt_time, daily_reminder_time, daily_summary_time, created_at)"
                    " VALUES ('T1', 'CACTIVE', :yes, '0,3', '09:00', '11:00', '12:00', :now),"
                    " ('T1', 'CGONE', :no, '0,3', '09:00', '11:00', '12:00', :now)"
                ),
                {"yes": True, "no": False, "now": "2026-11-25 10:00:00"},
            )
            command.upgrade(config, "head")
            states = dict(
                connection.execute(text("SELECT channel_id, daily_state FROM channels")).all()
            )
    finally:
        engine.dispose()
    assert states == {"CACTIVE": "on", "CGONE": "none"}
