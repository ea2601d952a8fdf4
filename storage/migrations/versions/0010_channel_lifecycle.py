"""where the Daily runs: its state per channel, the holiday region, cancelled Dailies

Channels that are active today keep their Daily ("on"); every other channel has none until the
bot is added to it, `/daily on` or its settings are saved.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("daily_state", sa.String(length=8), server_default="none", nullable=False)
        )
        batch_op.add_column(sa.Column("holiday_region", sa.String(length=16), nullable=True))
    channels = sa.table("channels", sa.column("active", sa.Boolean), sa.column("daily_state"))
    op.execute(channels.update().where(channels.c.active.is_(True)).values(daily_state="on"))
    op.create_table(
        "daily_cancellations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_cancellations")),
        sa.UniqueConstraint(
            "team_id", "channel_id", "local_date", name="uq_daily_cancellations_channel_date"
        ),
    )


def downgrade() -> None:
    op.drop_table("daily_cancellations")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("holiday_region")
        batch_op.drop_column("daily_state")
