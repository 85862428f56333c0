"""A DM before a QwenCloud login expires, once per credential (reminder row UNIQUE team, user, expires_at,
inserted before the DM; a new login has a new expiry and so gets its own reminder).

Logins last anything from an hour to 30 days (the server decides), so the reminder comes a quarter of the
login's lifetime before it expires, at most a day before: a 1-hour login is reminded 15 minutes before, a
30-day one a day before, and never right after logging in. Only people who asked the bot something within
RECENT are reminded (credential.last_used_at, noted by bot.core.accounts)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from bot.render.messages import notice
from bot.storage.credentials import CredentialStore
from bot.storage.db import credential
from bot.storage.delivery import Claim, Deliveries
from bot.storage.owner import TEAM_ACCOUNT_PREFIX
from bot.team.outbox import Posted, Refused, RetryLater, SlackClients

log = logging.getLogger("bot.reminders")
REMIND_BEFORE = timedelta(days=1)  # the longest lead (30-day logins); shorter logins get a quarter
RECENT = timedelta(days=7)


def remind_at(logged_in: datetime, expires_at: datetime, most: timedelta = REMIND_BEFORE) -> datetime:
    """When to remind of a login that lasts from `logged_in` to `expires_at`."""
    return expires_at - min(most, (expires_at - logged_in) / 4)


def left_text(left: timedelta) -> str:
    minutes = max(1, int(left.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} minutes"
    return f"{minutes // 60} hours" if minutes < 48 * 60 else f"{minutes // 1440} days"


def reminder_text(expires_at: datetime, account: str | None = None, *, left: timedelta) -> str:
    within = f"in about {left_text(left)}"
    if account is not None:
        return (
            f":hourglass_flowing_sand: The QwenCloud login of team account *{account}* expires on "
            f"*{expires_at:%Y-%m-%d %H:%M} UTC* ({within}); its digests and alerts stop then. "
            f"DM me `relink {account}` to renew it."
        )
    return (
        f":hourglass_flowing_sand: Your QwenCloud login expires on "
        f"*{expires_at:%Y-%m-%d %H:%M} UTC* ({within}). Run `/qwen login` to renew it, or the "
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
        linker: Callable[[str, str], str | None] | None = None,
    ) -> None:
        self._engine = credentials_engine
        self._credentials = credentials
        self._reminders = reminders
        self._slack = slack
        self._worker_id = worker_id
        self._before = before
        self._linker = linker  # who linked a team account (they hear about its expiry)

    def _expiring(self, now: datetime) -> list[tuple[str, str, datetime]]:
        c = credential.c
        query = select(c.team_id, c.user_id, c.expires_at, c.updated_at, c.last_used_at).where(
            c.expires_at > now,
            c.expires_at <= now + self._before,
            c.team_id != "local",
        )
        if self._linker is None:
            query = query.where(~c.user_id.startswith(TEAM_ACCOUNT_PREFIX, autoescape=True))
        with self._engine.connect() as conn:
            rows = list(conn.execute(query))
        return [
            (r.team_id, r.user_id, r.expires_at)
            for r in rows
            if now >= remind_at(r.updated_at, r.expires_at, self._before)
            and (r.user_id.startswith(TEAM_ACCOUNT_PREFIX) or _recent(r.last_used_at, now))
        ]

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

    def _recipient(self, team_id: str, user_id: str) -> tuple[str | None, str | None]:
        """(who to DM, the team account's name or None for a personal login)."""
        if not user_id.startswith(TEAM_ACCOUNT_PREFIX):
            return user_id, None
        account = user_id[len(TEAM_ACCOUNT_PREFIX) :]
        return (self._linker(team_id, account) if self._linker else None), account

    def _send(self, claim: Claim, *, now: datetime) -> None:
        row = claim.row
        recipient, account = self._recipient(str(row["team_id"]), str(row["user_id"]))
        if recipient is None:
            self._reminders.failed(claim, now=now, error="nobody to remind: the account's linker is unknown")
            return
        client = self._slack.for_team(str(row["team_id"]))
        channel = client.open_dm(recipient) if client is not None else None
        if client is None or channel is None:
            self._reminders.retry(claim, now=now, after=timedelta(minutes=15), error="cannot open the DM")
            return
        if not self._reminders.sending(claim, now=now, channel_id=channel):
            return
        text = reminder_text(row["expires_at"], account, left=row["expires_at"] - now)
        outcome = client.post(channel=channel, **notice(text).payload())
        if isinstance(outcome, Posted):
            self._reminders.posted(claim, now=now, ts=outcome.ts)
        elif isinstance(outcome, RetryLater):
            self._reminders.retry(claim, now=now, after=outcome.after, error=outcome.error)
        elif isinstance(outcome, Refused) and not outcome.permanent:
            self._reminders.retry(claim, now=now, after=timedelta(minutes=15), error=outcome.error)
        else:
            self._reminders.failed(claim, now=now, error=str(getattr(outcome, "error", outcome)))


def _recent(last_used: datetime | None, now: datetime) -> bool:
    """Asked the bot something within RECENT (someone who never uses it needs no nagging)."""
    return last_used is not None and last_used >= now - RECENT
