"""The migrations create exactly what the models declare, on SQLite and PostgreSQL.

Autogenerate compares the migrated database with `Base.metadata` (our tables and slack_sdk's
OAuth tables): a column added to a model without a migration, or the other way round, fails.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from storage.migrate import upgrade
from storage.models import Base

PILLAR_TABLES = {
    "dailies",
    "daily_updates",
    "weeklies",
    "weekly_items",
    "weekly_agenda_items",
    "weekly_reactions",
    "weekly_decisions",
    "prospect_announcements",
    "known_contacts",
    "radar_flags",
    "radar_channel_settings",
    "board_cards",
    "home_views",
    "okr_objectives",
    "okr_key_results",
    "okr_check_ins",
}


def test_the_migrations_match_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
    assert set(Base.metadata.tables) >= PILLAR_TABLES
