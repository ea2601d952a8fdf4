"""the prospect radar: announcements, known contacts, flags

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prospect_announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("announced_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospect_announcements")),
        sa.UniqueConstraint(
            "team_id", "user_id", "company", name="uq_prospect_announcements_company"
        ),
    )
    op.create_table(
        "known_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_contacts")),
        sa.UniqueConstraint("team_id", "user_id", "company", name="uq_known_contacts_company"),
    )
    op.create_table(
        "radar_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("flagged_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_radar_flags")),
        sa.UniqueConstraint(
            "team_id", "channel_id", "thread_ts", "subject", name="uq_radar_flags_thread_subject"
        ),
    )
    op.create_table(
        "radar_channel_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("scan_messages", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_radar_channel_settings")),
        sa.UniqueConstraint("team_id", "channel_id", name="uq_radar_channel_settings_channel"),
    )
    op.create_table(
        "radar_versions",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_radar_versions")),
    )


def downgrade() -> None:
    op.drop_table("radar_versions")
    op.drop_table("radar_channel_settings")
    op.drop_table("radar_flags")
    op.drop_table("known_contacts")
    op.drop_table("prospect_announcements")
