"""team OKRs: objectives, key results and check-ins per channel, archived per quarter

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "okr_objectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("quarter", sa.String(length=8), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_objectives")),
    )
    op.create_index(
        "ix_okr_objectives_channel", "okr_objectives", ["team_id", "channel_id", "quarter"]
    )
    op.create_table(
        "okr_key_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["okr_objectives.id"],
            name=op.f("fk_okr_key_results_objective_id_okr_objectives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_key_results")),
    )
    op.create_index(op.f("ix_okr_key_results_objective_id"), "okr_key_results", ["objective_id"])
    op.create_table(
        "okr_check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("key_result_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_result_id"],
            ["okr_key_results.id"],
            name=op.f("fk_okr_check_ins_key_result_id_okr_key_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_check_ins")),
    )
    op.create_index(op.f("ix_okr_check_ins_key_result_id"), "okr_check_ins", ["key_result_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_okr_check_ins_key_result_id"), table_name="okr_check_ins")
    op.drop_table("okr_check_ins")
    op.drop_index(op.f("ix_okr_key_results_objective_id"), table_name="okr_key_results")
    op.drop_table("okr_key_results")
    op.drop_index("ix_okr_objectives_channel", table_name="okr_objectives")
    op.drop_table("okr_objectives")
