"""Persistence: engine, models, one repository module per pillar, Alembic migrations."""
