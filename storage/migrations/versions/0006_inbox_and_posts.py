"""the durable inbox and the one post-once table

Acknowledged requests are stored before the ack (`inbox_requests`, which also takes over
deduplication from `processed_events`); every message the bot posts goes through `slack_posts`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("request_key", sa.String(length=80), nullable=False),
        sa.Column("listener", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("lease_until", storage.types.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_requests")),
        sa.UniqueConstraint("team_id", "request_key", name="uq_inbox_requests_key"),
    )
    op.create_index(
        "ix_inbox_requests_pending", "inbox_requests", ["done_at", "lease_until"], unique=False
    )
    op.create_index(
        op.f("ix_inbox_requests_received_at"), "inbox_requests", ["received_at"], unique=False
    )
    op.create_table(
        "slack_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("post_key", sa.String(length=160), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("lease_until", storage.types.UTCDateTime(), nullable=True),
        sa.Column("first_attempt_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_posts")),
        sa.UniqueConstraint("team_id", "post_key", name="uq_slack_posts_key"),
    )
    op.create_index(op.f("ix_slack_posts_created_at"), "slack_posts", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("slack_posts")
    op.drop_table("inbox_requests")
