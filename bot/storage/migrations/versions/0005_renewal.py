"""renewal_notice: renewal DMs and channel notices for team accounts whose login expires before a slot;
credential.last_used_at: personal reminders go only to people who used the bot recently.

Revision ID: 0005_renewal
Revises: 0004_slack_oauth
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.db import UTCDateTime

revision = "0005_renewal"
down_revision = "0004_slack_oauth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "renewal_notice",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("slot", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("expires_at", UTCDateTime()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("lease_owner", sa.String(128)),
        sa.Column("lease_until", UTCDateTime()),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime()),
        sa.Column("channel_id", sa.String(64)),
        sa.Column("message_ts", sa.String(32)),
        sa.Column("error", sa.Text),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("team_id", "account", "slot", "kind", "target", name="uq_renewal_notice"),
    )
    op.create_index("ix_renewal_notice_state", "renewal_notice", ["state", "next_attempt_at"])
    with op.batch_alter_table("credential") as batch:
        batch.add_column(sa.Column("last_used_at", UTCDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("credential") as batch:
        batch.drop_column("last_used_at")
    op.drop_index("ix_renewal_notice_state", table_name="renewal_notice")
    op.drop_table("renewal_notice")
