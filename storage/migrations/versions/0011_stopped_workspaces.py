"""stopped workspaces: uninstalled, or their bot token revoked

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stopped_workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        sa.Column("stopped_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_stopped_workspaces")),
    )


def downgrade() -> None:
    op.drop_table("stopped_workspaces")
