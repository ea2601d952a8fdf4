"""who wrote the message a Weekly item was made of

An item made with the message shortcut holds another person's words; `forget --user` needs to
find them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("weekly_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_user_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("weekly_items", schema=None) as batch_op:
        batch_op.drop_column("source_user_id")
