"""usage_cache: shared results cache (account, query) -> value JSON until expires_at

Revision ID: 0003_cache
Revises: 0002_team
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.db import UTCDateTime

revision = "0003_cache"
down_revision = "0002_team"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_cache",
        sa.Column("account", sa.String(320), nullable=False),
        sa.Column("query_key", sa.String(255), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account", "query_key", name="pk_usage_cache"),
    )
    op.create_index("ix_usage_cache_expires_at", "usage_cache", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_usage_cache_expires_at", table_name="usage_cache")
    op.drop_table("usage_cache")
