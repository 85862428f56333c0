"""account_health.renewed_by / renewed_at: who renewed a team login last, beside `linked_by` (who linked it
first, no longer overwritten by a relink: the renewal DMs go to the first linker).

Revision ID: 0006_renewer
Revises: 0005_renewal
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.db import UTCDateTime

revision = "0006_renewer"
down_revision = "0005_renewal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account_health") as batch:
        batch.add_column(sa.Column("renewed_by", sa.String(64)))
        batch.add_column(sa.Column("renewed_at", UTCDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("account_health") as batch:
        batch.drop_column("renewed_at")
        batch.drop_column("renewed_by")
