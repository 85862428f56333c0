"""Team tables: digest subscriptions and runs, alert rules/state/events, expiry reminders, account health.

Every row that leads to a Slack post is a *delivery* row (digest_run, alert_event, reminder) with the same
columns and the state machine of bot.storage.delivery. Created by migration 0002_team.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from bot.storage.db import UTCDateTime, metadata


def delivery_columns() -> list[Column[Any]]:
    """The delivery state machine's columns (bot.storage.delivery)."""
    return [
        Column("state", String(16), nullable=False),  # claimed | sending | posted | retry | failed
        Column("lease_owner", String(128)),
        Column("lease_until", UTCDateTime()),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("next_attempt_at", UTCDateTime()),
        Column("channel_id", String(64)),
        Column("message_ts", String(32)),
        Column("error", Text),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
    ]


digest_subscription = Table(
    "digest_subscription",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(64), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("account", String(64), nullable=False),
    Column("cadence", String(16), nullable=False),  # weekly | monthly
    Column("day", Integer, nullable=False),  # weekly 0..6 (Monday = 0); monthly 1..28
    Column("at_time", String(5), nullable=False),  # HH:MM local
    Column("timezone", String(64), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    Index("ix_digest_subscription_channel", "team_id", "channel_id"),
)

digest_run = Table(
    "digest_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", Integer, ForeignKey("digest_subscription.id"), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("occurrence", UTCDateTime(), nullable=False),
    *delivery_columns(),
    UniqueConstraint("subscription_id", "period_start", name="uq_digest_run_period"),
    Index("ix_digest_run_state", "state", "next_attempt_at"),
)

alert_rule = Table(
    "alert_rule",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(64), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("account", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # free_tier | coding_plan | payg_daily | payg_monthly
    Column("target", String(255), nullable=False, server_default=""),
    Column("threshold", String(32), nullable=False),  # a Decimal as text
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    # state: firing since the last crossing; `crossing` counts crossings (the alert_event key)
    Column("firing", Boolean, nullable=False, server_default=false()),
    Column("crossing", Integer, nullable=False, server_default="0"),
    Column("last_value", String(32)),
    Column("checked_at", UTCDateTime()),
    Index("ix_alert_rule_team", "team_id", "active"),
)

alert_event = Table(
    "alert_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", Integer, ForeignKey("alert_rule.id"), nullable=False),
    Column("crossing", Integer, nullable=False),
    Column("value", String(32), nullable=False),
    *delivery_columns(),
    UniqueConstraint("rule_id", "crossing", name="uq_alert_event_crossing"),
    Index("ix_alert_event_state", "state", "next_attempt_at"),
)

reminder = Table(
    "reminder",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(64), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),  # of the credential: one reminder per credential
    *delivery_columns(),
    UniqueConstraint("team_id", "user_id", "expires_at", name="uq_reminder_credential"),
    Index("ix_reminder_state", "state", "next_attempt_at"),
)

account_health = Table(
    "account_health",
    metadata,
    Column("team_id", String(64), primary_key=True),
    Column("account", String(64), primary_key=True),
    Column("failures", Integer, nullable=False, server_default="0"),  # consecutive upstream failures
    Column("broken_since", UTCDateTime()),
    Column("reason", Text),
    Column("notified_at", UTCDateTime()),  # admins told about this breakage (reset on recovery)
    Column("linked_by", String(64)),  # the admin who linked it first: the renewal DMs go to them
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("renewed_by", String(64)),  # the admin who renewed the login last (relink, Renew button)
    Column("renewed_at", UTCDateTime()),
)
