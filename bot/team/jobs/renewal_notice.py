"""The channel's side of a login renewal: when a digest's slot comes while its team account's login is
expired, the channel gets one short notice (a renewal_notice row of kind `channel`, exactly once across
workers); the digest run waits (`Deliveries.wait`, no attempt used) and is made due as soon as the login is
renewed; once posted, the notice is updated in place (chat.update), never posted again."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.engine import RowMapping

from bot.render.blocks import Message
from bot.storage.delivery import Claim, Deliveries
from bot.storage.team_store import Subscription
from bot.team.outbox import Found, Outcome, Posted, Poster, Refused, RetryLater
from bot.team.renewal import Logins
from bot.team.renewal_view import channel_notice

log = logging.getLogger("bot.renewal")
WAITING = "waiting for a login renewal:"  # the error of a digest_run parked until its login is renewed
NOTICE_EVENT = "qwen_renewal_notice"  # the notice's metadata event_type, with {"run_id": <row id>}


def record(rows: Deliveries, claim: Claim, outcome: Outcome, *, now: datetime) -> None:
    """A notice's or DM's outcome onto its row (the delivery rules of bot.storage.delivery)."""
    if isinstance(outcome, Posted):
        rows.posted(claim, now=now, ts=outcome.ts)
    elif isinstance(outcome, RetryLater):
        rows.retry(claim, now=now, after=outcome.after, error=outcome.error)
    elif isinstance(outcome, Refused) and not outcome.permanent:
        rows.retry(claim, now=now, after=timedelta(minutes=15), error=outcome.error)
    else:  # refused for good, or outcome unknown: never repeated blindly
        rows.failed(claim, now=now, error=f"outcome unknown: {outcome.error}")


class ChannelNotices:
    def __init__(self, *, logins: Logins, notices: Deliveries, worker_id: str) -> None:
        self._logins = logins
        self._notices = notices
        self._worker_id = worker_id

    @staticmethod
    def _key(sub: Subscription, occurrence: datetime) -> dict[str, object]:
        return {
            "team_id": sub.team_id,
            "account": sub.account,
            "slot": occurrence,
            "kind": "channel",
            "target": sub.channel_id,
        }

    def announce(self, client: Poster, sub: Subscription, occurrence: datetime, *, now: datetime) -> None:
        """Post the "waiting for an admin to renew" notice once per subscription and slot."""
        key = self._key(sub, occurrence)
        found = self._notices.find(key)
        if found is None:
            expires = self._logins.expires_at(sub.team_id, sub.account)
            claim = self._notices.create(
                key, worker_id=self._worker_id, now=now, extra={"expires_at": expires}
            )
        else:  # posted already (usual), or a 429'd notice now due again
            claim = self._notices.take(int(found["id"]), worker_id=self._worker_id, now=now)
        if claim is None or not self._notices.sending(claim, now=now, channel_id=sub.channel_id):
            return
        message = channel_notice(sub.account, sub.schedule.cadence)
        metadata = {"event_type": NOTICE_EVENT, "event_payload": {"run_id": claim.row_id}}
        outcome = client.post(channel=sub.channel_id, **message.payload(), metadata=metadata)
        record(self._notices, claim, outcome, now=now)

    def settle(self, client: Poster, sub: Subscription, occurrence: datetime, message: Message) -> bool:
        """Update the slot's notice in place (the wait is over); False when there is none to update."""
        found = self._notices.find(self._key(sub, occurrence))
        ts = None if found is None else found["message_ts"] or self._from_history(client, found)
        if found is None or not ts:
            return False
        outcome = client.update(channel=sub.channel_id, ts=str(ts), **message.payload())
        if not isinstance(outcome, Posted):  # the digest is posted anyway; the notice just stays as it was
            log.warning("could not update the renewal notice in %s: %s", sub.channel_id, outcome)
        return isinstance(outcome, Posted)

    @staticmethod
    def _from_history(client: Poster, row: RowMapping) -> str | None:
        """A notice whose post outcome is unknown (its worker died mid-call) is looked up by its metadata
        in the channel's history, so it is updated, not left saying "waiting", and never posted twice."""
        if row["state"] != "failed" or not row["channel_id"]:
            return None
        oldest = (row["created_at"] - timedelta(minutes=10)).timestamp()
        lookup = client.find_posted(
            channel=str(row["channel_id"]), oldest=oldest, event_type=NOTICE_EVENT, run_id=int(row["id"])
        )
        return lookup.ts if isinstance(lookup, Found) else None

    def renewed(self, runs: Deliveries, subs: dict[int, Subscription], *, now: datetime) -> int:
        """Make every digest run parked for a renewal due now if its login has been renewed meanwhile."""
        hastened = 0
        for row in runs.waiting(error_prefix=WAITING):
            sub = subs.get(int(row["subscription_id"]))
            parked = row["updated_at"]
            if sub is not None and self._logins.renewed_since(sub.team_id, sub.account, parked, now):
                hastened += runs.hasten(row, now=now)
        return hastened
