"""Migration 0003 creates exactly what the Weekly's models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from storage.migrate import upgrade
from storage.models import Base

WEEKLY_TABLES = {
    "weeklies",
    "weekly_items",
    "weekly_agenda_items",
    "weekly_reactions",
    "weekly_decisions",
}


def _about_the_weekly(difference: Any) -> bool:
    """A difference (or group of column differences) that touches the Weekly's schema."""
    text = repr(difference)
    return any(name in text for name in WEEKLY_TABLES) or "weekly_" in text


def test_the_weekly_migration_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in differences if _about_the_weekly(d)] == []
    tables = set(Base.metadata.tables)
    assert tables >= WEEKLY_TABLES
