"""request effects: the rows a Slack request created, found again when it is worked off again

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_effects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("effect_key", sa.String(length=80), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_effects")),
        sa.UniqueConstraint("team_id", "effect_key", name="uq_request_effects_key"),
    )
    op.create_index(
        op.f("ix_request_effects_created_at"), "request_effects", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_request_effects_created_at"), table_name="request_effects")
    op.drop_table("request_effects")
