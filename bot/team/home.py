"""What the App Home shows one user: their link status and quick usage; for admins, the team's accounts,
digest subscriptions and alerts. Pure of Bolt; bot/team/home_view.py draws it."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.base.clock import Clock
from bot.base.errors import QwenBotError
from bot.base.periods import DateRange
from bot.base.schedule import zone
from bot.core.usage import UsageService
from bot.qwencloud.results import Summary
from bot.storage.credentials import CredentialStore, StoredCredential
from bot.storage.owner import Owner
from bot.storage.team_store import AlertRule, Subscription
from bot.team.accounts import AdminCheck, TeamAccount, TeamAccounts
from bot.team.home_gauges import Gauges, GaugeService
from bot.team.model import Team
from bot.team.renewal import AccountLogin

log = logging.getLogger("bot.home")


@dataclass(frozen=True, slots=True)
class HomeData:
    user_id: str
    now: datetime
    credential: StoredCredential | None
    usage: Summary | None = None
    usage_error: QwenBotError | None = None  # shown through the error table (bot/render/messages.py)
    login_url: str | None = None
    admin: bool = False
    accounts: list[TeamAccount] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    alerts: list[AlertRule] = field(default_factory=list)
    logins: dict[str, AccountLogin] = field(default_factory=dict)  # team account -> its expiry, dependents
    gauges: Gauges | None = None  # spend-limit gauge and 24 h error rate of the viewer's login (home_gauges)

    @property
    def linked(self) -> bool:
        return self.credential is not None and not self.credential.is_expired(self.now)


class HomeService:
    def __init__(
        self,
        *,
        credentials: CredentialStore,
        usage: UsageService,
        team: Team,
        accounts: TeamAccounts,
        admins: AdminCheck,
        clock: Clock,
        gauges: GaugeService | None = None,
    ) -> None:
        self._gauges = gauges
        self._credentials = credentials
        self._usage = usage
        self._team = team
        self._accounts = accounts
        self._admins = admins
        self._clock = clock

    def build(
        self,
        team_id: str,
        user_id: str,
        *,
        client: Any,
        tz_name: str,
        fresh: bool = False,
        login_url: str | None = None,
    ) -> HomeData:
        now = self._clock.now()
        cred = self._credentials.get(Owner(team_id, user_id))
        summary, error, gauges = None, None, None
        if cred is not None and not cred.is_expired(now):
            summary, error, gauges = self._figures(cred, team_id, user_id, now, tz_name, fresh)
        data = HomeData(user_id, now, cred, summary, error, login_url, gauges=gauges)
        if not self._admins.is_admin(client, team_id, user_id):
            return data
        return HomeData(
            user_id,
            now,
            cred,
            summary,
            error,
            login_url,
            admin=True,
            accounts=self._accounts.list(team_id),
            subscriptions=self._team.subscriptions.active(team_id=team_id),
            alerts=self._team.alert_rules.active(team_id=team_id),
            logins={x.account: x for x in self._team.logins.accounts(team_id=team_id)},
            gauges=gauges,
        )

    def _figures(
        self, cred: StoredCredential, team_id: str, user_id: str, now: datetime, tz_name: str, fresh: bool
    ) -> tuple[Summary | None, QwenBotError | None, Gauges | None]:
        """Quick usage and the gauges concurrently (app_home_opened is answered after the publish)."""
        if self._gauges is None:
            return (*self._quick_usage(cred, team_id, user_id, now, tz_name, fresh), None)
        today = now.astimezone(zone(tz_name)).date()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="home") as pool:
            gauges = pool.submit(self._gauges.fetch, Owner(team_id, user_id), now=now, today=today)
            summary, error = self._quick_usage(cred, team_id, user_id, now, tz_name, fresh)
            return summary, error, gauges.result()  # fetch() never raises: failures become its lines

    def _quick_usage(
        self, cred: StoredCredential, team_id: str, user_id: str, now: datetime, tz_name: str, fresh: bool
    ) -> tuple[Summary | None, QwenBotError | None]:
        today = now.astimezone(zone(tz_name)).date()
        try:
            summary = self._usage.summary(
                cred.access_token,
                DateRange(today.replace(day=1), today),
                account=f"{team_id}:{user_id}",
                fresh=fresh,
            )
        except QwenBotError as exc:
            log.info("home usage unavailable (%s)", exc.code)
            return None, exc
        return summary, None
