"""scheduled runs as leases with a "done": a run is finished only once Slack accepted it

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scheduled_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("done_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("last_error", sa.String(length=200), nullable=True))
    # Runs claimed before this version were finished or are past their day.
    op.execute("UPDATE scheduled_runs SET done_at = claimed_at")


def downgrade() -> None:
    with op.batch_alter_table("scheduled_runs", schema=None) as batch_op:
        for column in ("last_error", "attempts", "done_at", "lease_until"):
            batch_op.drop_column(column)
