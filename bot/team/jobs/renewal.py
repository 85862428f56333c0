"""Renew ahead: DM the admins who may renew a team account's QwenCloud login before a digest slot it will
not reach (bot.team.renewal says which), with a *Renew login* button per account.

From the lead time before the slot (QWEN_BOT_RENEW_LEAD_HOURS, default 24) one DM (`ahead`); if the login is
still not renewed an hour before the slot, one more (`last_call`), unless the first came within that hour.
Each (team, account, slot, kind, admin) is a renewal_notice row inserted before the DM (exactly once across
workers, bot.storage.delivery); the rows one pass claims for one admin go out as one DM naming every account.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.storage.delivery import Claim, Deliveries
from bot.team.jobs.renewal_notice import record
from bot.team.jobs.renewal_settle import dm_metadata, settle_dms
from bot.team.jobs.settle import SETTLE_AFTER
from bot.team.outbox import SlackClients
from bot.team.renewal import LAST_CALL, Logins, Renewal, renewals
from bot.team.renewal_view import renew_dm

log = logging.getLogger("bot.renewal")
DEFAULT_LEAD = timedelta(hours=24)
PER_DM = 40  # account slots named in one DM
EVERY = timedelta(minutes=1)  # a pass reads every team login (~0.6 s for 100 on PostgreSQL): not every second
Batch = dict[tuple[str, str], list[tuple[Claim, Renewal]]]


class RenewalJob:
    name = "renewal"

    def __init__(
        self,
        *,
        logins: Logins,
        notices: Deliveries,
        slack: SlackClients,
        recipients: Callable[[str, str], Iterable[str]],
        worker_id: str,
        lead: timedelta = DEFAULT_LEAD,
        settle_after: timedelta = SETTLE_AFTER,
    ) -> None:
        self._logins = logins
        self._notices = notices
        self._slack = slack
        self._recipients = recipients  # (team, account) -> who may renew it
        self._worker_id = worker_id
        self._lead = lead
        self._settle_after = settle_after  # an unknown DM is looked up in the DM's history after this
        self._next: datetime | None = None

    def run_due(self, now: datetime) -> int:
        if self._next is not None and now < self._next:
            return 0
        self._next = now + EVERY
        self._notices.expire_unknown(now=now)
        wanted = renewals(self._logins.accounts(), now=now, lead=self._lead)
        keys = {(r.login.team_id, r.login.account, r.slot) for r in wanted}
        settle_dms(self._notices, self._slack, wanted=keys, now=now, after=self._settle_after)
        batch: Batch = {}
        for renewal in wanted:
            login = renewal.login
            for admin in dict.fromkeys(self._recipients(login.team_id, login.account)):
                claimed = self._claim(renewal, admin, now)
                if claimed is not None:
                    batch.setdefault((login.team_id, admin), []).append(claimed)
        self._retake(wanted, batch, now)
        for (team_id, admin), items in batch.items():
            for i in range(0, len(items), PER_DM):  # Block Kit: 50 blocks (header, a section each, footer)
                self._send(team_id, admin, items[i : i + PER_DM], now)
        return sum(len(items) for items in batch.values())

    def _claim(self, renewal: Renewal, admin: str, now: datetime) -> tuple[Claim, Renewal] | None:
        login = renewal.login
        key = {"team_id": login.team_id, "account": login.account, "slot": renewal.slot, "target": admin}
        ahead = self._notices.find({**key, "kind": "ahead"})
        if ahead is None:
            renewal = replace(renewal, kind="ahead")  # the first DM, however late it comes
        elif renewal.kind != "last_call" or ahead["created_at"] >= renewal.slot - LAST_CALL:
            return None  # asked already, and not yet (or no longer) time for the last call
        if renewal.kind == "last_call" and self._notices.find({**key, "kind": "last_call"}) is not None:
            return None
        extra = {"expires_at": login.expires_at}
        claim = self._notices.create(
            {**key, "kind": renewal.kind}, worker_id=self._worker_id, now=now, extra=extra
        )
        return None if claim is None else (claim, renewal)

    def _retake(self, wanted: list[Renewal], batch: Batch, now: datetime) -> None:
        """DM rows due again (429, dead claim): sent if still wanted, else closed (the login was renewed)."""
        still = {(r.login.team_id, r.login.account, r.slot): r for r in wanted}
        for row in self._notices.due(now=now):
            if row["kind"] not in ("ahead", "last_call"):
                continue  # channel notices are taken by the digest job
            claim = self._notices.take(int(row["id"]), worker_id=self._worker_id, now=now)
            if claim is None:
                continue
            renewal = still.get((row["team_id"], row["account"], row["slot"]))
            if renewal is None:
                self._notices.failed(claim, now=now, error="not sent: the login was renewed meanwhile")
                continue
            kind = str(row["kind"])
            batch.setdefault((renewal.login.team_id, str(row["target"])), []).append(
                (claim, replace(renewal, kind=kind))
            )

    def _send(self, team_id: str, admin: str, items: list[tuple[Claim, Renewal]], now: datetime) -> None:
        client = self._slack.for_team(team_id)
        channel = client.open_dm(admin) if client is not None else None
        if client is None or channel is None:
            for claim, _ in items:
                self._notices.retry(claim, now=now, after=timedelta(minutes=15), error="cannot open the DM")
            return
        moved = [(c, r) for c, r in items if self._notices.sending(c, now=now, channel_id=channel)]
        if not moved:
            return
        metadata = dm_metadata([c.row_id for c, _ in moved])  # findable in the history if the answer is lost
        outcome = client.post(channel=channel, **renew_dm([r for _, r in moved]).payload(), metadata=metadata)
        for claim, _ in moved:
            record(self._notices, claim, outcome, now=now)
        log.info("renewal DM for %d account slot(s) to an admin: %s", len(moved), type(outcome).__name__)
