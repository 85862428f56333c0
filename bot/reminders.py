"""A DM one day before a QwenCloud login expires, once per credential (reminder row UNIQUE team, user,
expires_at, inserted before the DM; a new login has a new expiry and so gets its own reminder)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from bot.publish import Posted, Refused, RetryLater, SlackClients, open_dm, post
from bot.render.digest import notice
from bot.storage.credentials import CredentialStore
from bot.storage.db import credential
from bot.storage.delivery import Claim, Deliveries
from bot.storage.owner import TEAM_ACCOUNT_PREFIX

log = logging.getLogger("bot.reminders")
REMIND_BEFORE = timedelta(days=1)


def reminder_text(expires_at: datetime) -> str:
    return (
        f":hourglass_flowing_sand: Your QwenCloud login expires on "
        f"*{expires_at:%Y-%m-%d %H:%M} UTC* (in less than a day). Run `/qwen login` to renew it, or the "
        f"App Home's *Log in* button."
    )


class ReminderJob:
    name = "reminders"

    def __init__(
        self,
        *,
        credentials_engine: Engine,
        credentials: CredentialStore,
        reminders: Deliveries,
        slack: SlackClients,
        worker_id: str,
        before: timedelta = REMIND_BEFORE,
    ) -> None:
        self._engine = credentials_engine
        self._credentials = credentials
        self._reminders = reminders
        self._slack = slack
        self._worker_id = worker_id
        self._before = before

    def _expiring(self, now: datetime) -> list[tuple[str, str, datetime]]:
        c = credential.c
        query = select(c.team_id, c.user_id, c.expires_at).where(
            c.expires_at > now,
            c.expires_at <= now + self._before,
            c.team_id != "local",
            ~c.user_id.startswith(TEAM_ACCOUNT_PREFIX, autoescape=True),
        )
        with self._engine.connect() as conn:
            return [(r.team_id, r.user_id, r.expires_at) for r in conn.execute(query)]

    def run_due(self, now: datetime) -> int:
        self._reminders.expire_unknown(now=now)
        done = 0
        for team_id, user_id, expires_at in self._expiring(now):
            key = {"team_id": team_id, "user_id": user_id, "expires_at": expires_at}
            if self._reminders.find(key) is not None:
                continue
            claim = self._reminders.create(key, worker_id=self._worker_id, now=now)
            if claim is not None:
                self._send(claim, now=now)
                done += 1
        for row_id in self._reminders.due_ids(now=now):
            claim = self._reminders.take(row_id, worker_id=self._worker_id, now=now)
            if claim is not None and claim.row["expires_at"] > now:
                self._send(claim, now=now)
                done += 1
            elif claim is not None:
                self._reminders.failed(claim, now=now, error="the login expired before the reminder went out")
        return done

    def _send(self, claim: Claim, *, now: datetime) -> None:
        row = claim.row
        client = self._slack.for_team(str(row["team_id"]))
        channel = open_dm(client, str(row["user_id"])) if client is not None else None
        if client is None or channel is None:
            self._reminders.retry(claim, now=now, after=timedelta(minutes=15), error="cannot open the DM")
            return
        if not self._reminders.sending(claim, now=now, channel_id=channel):
            return
        outcome = post(client, channel=channel, **notice(reminder_text(row["expires_at"])).payload())
        if isinstance(outcome, Posted):
            self._reminders.posted(claim, now=now, ts=outcome.ts)
        elif isinstance(outcome, RetryLater):
            self._reminders.retry(claim, now=now, after=outcome.after, error=outcome.error)
        elif isinstance(outcome, Refused) and not outcome.permanent:
            self._reminders.retry(claim, now=now, after=timedelta(minutes=15), error=outcome.error)
        else:
            self._reminders.failed(claim, now=now, error=str(getattr(outcome, "error", outcome)))
