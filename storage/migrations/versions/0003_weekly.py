"""the Weekly: items, agendas, claims, decisions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weekly_weekday", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("weekly_time", sa.String(length=5), server_default="10:00", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "weekly_call_time", sa.String(length=5), server_default="15:00", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("weekly_active", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    op.create_table(
        "weeklies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("call_ts", sa.String(length=32), nullable=True),
        sa.Column("call_claimed_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("agenda_claimed_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("agenda_frozen_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("agenda_ts", sa.String(length=32), nullable=True),
        sa.Column("agenda_done_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("state_version", sa.Integer(), nullable=False),
        sa.Column("render_claimed_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weeklies")),
        sa.UniqueConstraint("team_id", "channel_id", "local_date", name="uq_weeklies_channel_date"),
    )
    op.create_table(
        "weekly_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("daily_update_id", sa.Integer(), nullable=True),
        sa.Column("weekly_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["weekly_id"], ["weeklies.id"], name=op.f("fk_weekly_items_weekly_id_weeklies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_items")),
        sa.UniqueConstraint("daily_update_id", name="uq_weekly_items_daily_update_id"),
    )
    with op.batch_alter_table("weekly_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_weekly_items_channel", ["team_id", "channel_id", "weekly_id"], unique=False
        )

    op.create_table(
        "weekly_agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("weekly_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("carried_over", sa.Boolean(), nullable=False),
        sa.Column("reply_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["weekly_items.id"],
            name=op.f("fk_weekly_agenda_items_item_id_weekly_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["weekly_id"],
            ["weeklies.id"],
            name=op.f("fk_weekly_agenda_items_weekly_id_weeklies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_agenda_items")),
        sa.UniqueConstraint("weekly_id", "item_id", name="uq_weekly_agenda_items_item"),
    )
    with op.batch_alter_table("weekly_agenda_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_weekly_agenda_items_reply_ts", ["team_id", "reply_ts"], unique=False
        )

    op.create_table(
        "weekly_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("weekly_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("posted_ts", sa.String(length=32), nullable=True),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["weekly_id"], ["weeklies.id"], name=op.f("fk_weekly_decisions_weekly_id_weeklies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_decisions")),
    )
    with op.batch_alter_table("weekly_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_weekly_decisions_channel", ["team_id", "channel_id"], unique=False
        )

    op.create_table(
        "weekly_reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("event_ts", sa.String(length=32), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["weekly_agenda_items.id"],
            name=op.f("fk_weekly_reactions_entry_id_weekly_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_reactions")),
        sa.UniqueConstraint("entry_id", "user_id", "kind", name="uq_weekly_reactions_mark"),
    )


def downgrade() -> None:
    op.drop_table("weekly_reactions")
    with op.batch_alter_table("weekly_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_weekly_decisions_channel")

    op.drop_table("weekly_decisions")
    with op.batch_alter_table("weekly_agenda_items", schema=None) as batch_op:
        batch_op.drop_index("ix_weekly_agenda_items_reply_ts")

    op.drop_table("weekly_agenda_items")
    with op.batch_alter_table("weekly_items", schema=None) as batch_op:
        batch_op.drop_index("ix_weekly_items_channel")

    op.drop_table("weekly_items")
    op.drop_table("weeklies")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("weekly_active")
        batch_op.drop_column("weekly_call_time")
        batch_op.drop_column("weekly_time")
        batch_op.drop_column("weekly_weekday")
