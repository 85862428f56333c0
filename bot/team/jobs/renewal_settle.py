"""Settling renewal DMs whose outcome is unknown (Slack timed out or answered 5xx after the post may have
happened, or the worker died while posting), as digests are settled (bot/team/jobs/settle.py).

Every renewal DM carries metadata {event_type: "qwen_renewal_dm", event_payload: {run_id, run_ids}}: the
ids of every renewal_notice row it names (one DM names all of one pass's accounts for one admin). Once a row
has been still for `after` (longer than the Slack client's timeout), a pass reads the DM's history since the
row was claimed:

* the DM with the row's id is there -> `posted` with its ts (the admin is not asked twice);
* it is not, and the login still needs renewing before the slot -> `retry` now: the renewal job sends it
  again (the same claim -> sending -> posted steps, with the same metadata), so the admin is not left unasked;
* it is not, and the ask is no longer needed (renewed, or the slot passed) -> stays `failed`, "not sent";
* the history cannot be read -> stays `failed`, "outcome unknown, not retried", logged at ERROR.

Each move is a compare-and-set on the row as it was read, so two workers never both act on it.
"""

from __future__ import annotations

import logging
from collections.abc import Container
from datetime import datetime, timedelta

from sqlalchemy.engine import RowMapping

from bot.storage.delivery import UNKNOWN_PREFIX, Deliveries
from bot.team.jobs.settle import CLOCK_SKEW
from bot.team.outbox import Absent, Found, Lookup, SlackClients

log = logging.getLogger("bot.renewal")
DM_EVENT = "qwen_renewal_dm"  # the renewal DM's metadata event_type
DM_KINDS = ("ahead", "last_call")


def dm_metadata(row_ids: list[int]) -> dict[str, object]:
    """The DM's metadata: every row it names can find it (run_id alone names the first)."""
    return {"event_type": DM_EVENT, "event_payload": {"run_id": row_ids[0], "run_ids": row_ids}}


def settle_dms(
    notices: Deliveries,
    slack: SlackClients,
    *,
    wanted: Container[tuple[str, str, datetime]],
    now: datetime,
    after: timedelta,
) -> int:
    """Settle unknown renewal DM rows through the DM's history; `wanted` holds the (team, account, slot)
    still to be asked for. How many rows moved."""
    settled = 0
    for row in notices.unknown(settled_before=now - after, where={"kind": DM_KINDS}):
        client = slack.for_team(str(row["team_id"]))
        if client is None:
            continue
        oldest = (row["created_at"] - CLOCK_SKEW).timestamp()
        lookup = client.find_posted(
            channel=str(row["channel_id"]), oldest=oldest, event_type=DM_EVENT, run_id=int(row["id"])
        )
        still = (row["team_id"], row["account"], row["slot"]) in wanted
        settled += int(_settle(notices, row, lookup, still=still, now=now))
    return settled


def _settle(notices: Deliveries, row: RowMapping, lookup: Lookup, *, still: bool, now: datetime) -> bool:
    reason = str(row["error"])[len(UNKNOWN_PREFIX) :].strip()
    if isinstance(lookup, Found):
        log.info("renewal DM %s: found in the DM's history (ts %s): sent", row["id"], lookup.ts)
        return notices.settle(row, now=now, state="posted", message_ts=lookup.ts, error=None)
    if isinstance(lookup, Absent) and not still:
        log.info("renewal DM %s: not in the DM's history, no longer needed (%s)", row["id"], reason)
        return notices.settle(row, now=now, error=f"not sent ({reason}); no longer needed")
    if isinstance(lookup, Absent):
        log.warning("renewal DM %s: not in the DM's history (%s): sending again", row["id"], reason)
        return notices.settle(
            row,
            now=now,
            state="retry",
            next_attempt_at=now,
            lease_owner=None,
            lease_until=None,
            error=f"not in the DM's history after an unknown outcome ({reason}): sending again",
        )
    log.error("renewal DM %s: outcome unknown and DM history unavailable (%s)", row["id"], lookup.error)
    return notices.settle(
        row, now=now, error=f"outcome unknown, not retried (DM history unavailable: {lookup.error}): {reason}"
    )
