"""answer_slot: one answer in flight per user across every web process (owner key, holder, expiry).

Revision ID: 0007_answer_slot
Revises: 0006_renewer
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.db import UTCDateTime

revision = "0007_answer_slot"
down_revision = "0006_renewer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # PostgreSQL: UNLOGGED, no WAL flush per ack; a crash empties the table, which only frees slots
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "answer_slot",
        sa.Column("owner_key", sa.String(320), nullable=False),
        sa.Column("holder", sa.String(255), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("owner_key", name="pk_answer_slot"),
        prefixes=unlogged,
    )


def downgrade() -> None:
    op.drop_table("answer_slot")
