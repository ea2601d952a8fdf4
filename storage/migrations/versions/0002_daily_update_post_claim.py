"""daily_updates.post_claimed_at: one reply per member even for simultaneous submissions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("daily_updates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("post_claimed_at", storage.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("daily_updates", schema=None) as batch_op:
        batch_op.drop_column("post_claimed_at")
