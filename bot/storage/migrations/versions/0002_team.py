"""team features: digest_subscription, digest_run, alert_rule, alert_event, reminder, account_health

Revision ID: 0002_team
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.storage.db import UTCDateTime

revision = "0002_team"
down_revision = "0001"
branch_labels = None
depends_on = None


def _delivery() -> list[sa.Column[Any]]:
    return [
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
    ]


def upgrade() -> None:
    op.create_table(
        "digest_subscription",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("cadence", sa.String(16), nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("at_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint("id", name="pk_digest_subscription"),
    )
    op.create_index("ix_digest_subscription_channel", "digest_subscription", ["team_id", "channel_id"])
    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subscription_id", sa.Integer, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("occurrence", UTCDateTime(), nullable=False),
        *_delivery(),
        sa.PrimaryKeyConstraint("id", name="pk_digest_run"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["digest_subscription.id"],
            name="fk_digest_run_subscription_id_digest_subscription",
        ),
        sa.UniqueConstraint("subscription_id", "period_start", name="uq_digest_run_period"),
    )
    op.create_index("ix_digest_run_state", "digest_run", ["state", "next_attempt_at"])
    op.create_table(
        "alert_rule",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(255), nullable=False, server_default=""),
        sa.Column("threshold", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("firing", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("crossing", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_value", sa.String(32)),
        sa.Column("checked_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_alert_rule"),
    )
    op.create_index("ix_alert_rule_team", "alert_rule", ["team_id", "active"])
    op.create_table(
        "alert_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rule_id", sa.Integer, nullable=False),
        sa.Column("crossing", sa.Integer, nullable=False),
        sa.Column("value", sa.String(32), nullable=False),
        *_delivery(),
        sa.PrimaryKeyConstraint("id", name="pk_alert_event"),
        sa.ForeignKeyConstraint(["rule_id"], ["alert_rule.id"], name="fk_alert_event_rule_id_alert_rule"),
        sa.UniqueConstraint("rule_id", "crossing", name="uq_alert_event_crossing"),
    )
    op.create_index("ix_alert_event_state", "alert_event", ["state", "next_attempt_at"])
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        *_delivery(),
        sa.PrimaryKeyConstraint("id", name="pk_reminder"),
        sa.UniqueConstraint("team_id", "user_id", "expires_at", name="uq_reminder_credential"),
    )
    op.create_index("ix_reminder_state", "reminder", ["state", "next_attempt_at"])
    op.create_table(
        "account_health",
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("broken_since", UTCDateTime()),
        sa.Column("reason", sa.Text),
        sa.Column("notified_at", UTCDateTime()),
        sa.Column("linked_by", sa.String(64)),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "account", name="pk_account_health"),
    )


def downgrade() -> None:
    for index, table in (
        ("ix_reminder_state", "reminder"),
        ("ix_alert_event_state", "alert_event"),
        ("ix_alert_rule_team", "alert_rule"),
        ("ix_digest_run_state", "digest_run"),
        ("ix_digest_subscription_channel", "digest_subscription"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "account_health",
        "reminder",
        "alert_event",
        "alert_rule",
        "digest_run",
        "digest_subscription",
    ):
        op.drop_table(table)
