"""Which team-account logins the team's digests and alerts wait on, when they expire, and which slots
they would miss. Pure of Slack; the renewal job (bot/team/jobs/renewal.py), the digest job, the `accounts`
DM and the App Home read it.

QwenCloud logins cannot be refreshed (the server sets the lifetime; hours are to be expected), so the only
remedy is an admin renewing the device-flow login before the slot: this module says who must, and by when.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.credentials import CredentialStore
from bot.storage.owner import Owner
from bot.storage.team_store import AlertRule, AlertRuleStore, Subscription, SubscriptionStore

LAST_CALL = timedelta(hours=1)  # one more DM this long before the slot if the login is still not renewed


@dataclass(frozen=True, slots=True)
class AccountLogin:
    """One team account with what depends on it; `expires_at` None means not linked at all."""

    team_id: str
    account: str
    expires_at: datetime | None
    digests: tuple[Subscription, ...] = ()
    alerts: tuple[AlertRule, ...] = ()

    def expired_by(self, moment: datetime) -> bool:
        return self.expires_at is None or self.expires_at <= moment

    def slots(self, now: datetime, lead: timedelta) -> list[datetime]:
        """The instants within `lead` after `now` that need this login: each digest's next slot; for an
        account with alerts, the expiry itself too (its alerts stop then, maybe days before a digest)."""
        found = {sub.schedule.next_after(now) for sub in self.digests}
        if self.alerts and self.expires_at is not None:
            found.add(self.expires_at)
        return sorted(slot for slot in found if now < slot <= now + lead)

    def digests_at(self, slot: datetime) -> list[Subscription]:
        return [sub for sub in self.digests if sub.schedule.latest(slot) == slot]


@dataclass(frozen=True, slots=True)
class Renewal:
    """A login that will have expired by `slot`: `kind` ahead (from the lead time) or last_call."""

    login: AccountLogin
    slot: datetime
    kind: str


class Logins:
    def __init__(
        self, *, subscriptions: SubscriptionStore, alert_rules: AlertRuleStore, credentials: CredentialStore
    ) -> None:
        self._subs = subscriptions
        self._rules = alert_rules
        self._credentials = credentials

    def accounts(self, *, team_id: str | None = None) -> list[AccountLogin]:
        """Every team account that has active digests or alerts (linked or not)."""
        subs: dict[tuple[str, str], list[Subscription]] = {}
        rules: dict[tuple[str, str], list[AlertRule]] = {}
        for sub in self._subs.active(team_id=team_id):
            subs.setdefault((sub.team_id, sub.account), []).append(sub)
        for rule in self._rules.active(team_id=team_id):
            rules.setdefault((rule.team_id, rule.account), []).append(rule)
        out = []
        for key in sorted(subs.keys() | rules.keys()):
            out.append(
                AccountLogin(*key, self.expires_at(*key), tuple(subs.get(key, ())), tuple(rules.get(key, ())))
            )
        return out

    def expires_at(self, team_id: str, account: str) -> datetime | None:
        cred = self._credentials.get(Owner.team_account(team_id, account))
        return None if cred is None else cred.expires_at

    def renewed_since(self, team_id: str, account: str, since: datetime, now: datetime) -> bool:
        """A new login, stored after `since` and valid at `now` (a token revoked upstream but not yet
        expired here does not count: retrying it every pass would only fail again)."""
        cred = self._credentials.get(Owner.team_account(team_id, account))
        return cred is not None and cred.expires_at > now and cred.updated_at > since


def renewals(logins: Iterable[AccountLogin], *, now: datetime, lead: timedelta) -> list[Renewal]:
    """What to ask for now: every (login, slot) within the lead time that the login will not reach."""
    out = []
    for login in logins:
        for slot in login.slots(now, lead):
            if login.expired_by(slot):
                kind = "last_call" if slot - now <= LAST_CALL else "ahead"
                out.append(Renewal(login, slot, kind))
    return out
