"""renewal_notice: the Slack posts that ask for (or wait on) a team account's QwenCloud login renewal.

One delivery row (bot.storage.delivery) per (team, account, slot, kind, target), inserted before the post, so
every worker agrees on who posts it:

* kind `ahead`: the DM to an admin (target = user id) from the lead time before a digest slot;
* kind `last_call`: one more DM an hour before the slot when the login is still not renewed;
* kind `channel`: the short notice in a digest's channel (target = channel id) when the slot came while the
  login was expired; its `message_ts` is what the digest job later updates (chat.update), never reposts.

Created by migration 0005_renewal.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, UniqueConstraint

from bot.storage.db import UTCDateTime, metadata
from bot.storage.team import delivery_columns

renewal_notice = Table(
    "renewal_notice",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(64), nullable=False),
    Column("account", String(64), nullable=False),
    Column("slot", UTCDateTime(), nullable=False),  # the digest occurrence (or, alerts only, the expiry)
    Column("kind", String(16), nullable=False),  # ahead | last_call | channel
    Column("target", String(64), nullable=False),  # the admin's user id, or the channel id
    Column("expires_at", UTCDateTime()),  # the login's expiry when the row was made (None: not linked)
    *delivery_columns(),
    UniqueConstraint("team_id", "account", "slot", "kind", "target", name="uq_renewal_notice"),
    Index("ix_renewal_notice_state", "state", "next_attempt_at"),
)
