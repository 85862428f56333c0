"""The team features' shared parts: stores, the digest builder, tracking, the Slack posters, the admins.

bot/bootstrap.py builds one `Team` (build_team) and hands it to the team commands, App Home and the jobs.
Pure of Slack: the posters come in as a `bot.team.outbox.SlackClients`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.storage.delivery import Deliveries
from bot.storage.health import HealthStore
from bot.storage.team_store import AlertRuleStore, SubscriptionStore
from bot.team.accounts import AdminCheck
from bot.team.digests import DigestBuilder
from bot.team.home_gauges import GaugeService
from bot.team.jobs.alert_kinds import BillingReadings
from bot.team.jobs.tracking import TrackingMonitor
from bot.team.outbox import SlackClients
from bot.team.renewal import Logins


@dataclass(frozen=True, slots=True)
class BillingFeeds:
    readings: BillingReadings
    gauges: GaugeService


@dataclass
class Team:
    subscriptions: SubscriptionStore
    alert_rules: AlertRuleStore
    health: HealthStore
    runs: Deliveries
    alert_events: Deliveries
    reminders: Deliveries
    builder: DigestBuilder
    tracking: TrackingMonitor
    slack: SlackClients
    logins: Logins  # what waits on which team login (renewal DMs, channel notices, listings)
    renewal_notices: Deliveries
    catchup: timedelta
    settle_after: timedelta = timedelta(minutes=2)
    admins: AdminCheck = field(default_factory=lambda: AdminCheck(configured=frozenset()))
    renew_lead: timedelta = timedelta(hours=24)
    feeds: BillingFeeds | None = None  # error-rate/spend-limit alerts and the App Home gauges read these

    def linker(self, team_id: str, account: str) -> str | None:
        row = self.health.get(team_id, account)
        return str(row["linked_by"]) if row is not None and row["linked_by"] else None

    def renewers(self, team_id: str, account: str) -> list[str]:
        """Who is asked to renew a team login: the admin who linked it, else QWEN_BOT_ADMINS."""
        linker = self.linker(team_id, account)
        return [linker] if linker else self.admins.to_ask(team_id)  # user ids, never raw `TEAM:USER` entries

    def admins_for(self, team_id: str, account: str) -> Iterable[str]:
        """Who hears about a broken team account: QWEN_BOT_ADMINS, its linker, its subscribers."""
        yield from self.admins.configured_for(team_id)
        row = self.health.get(team_id, account)
        if row is not None and row["linked_by"]:
            yield str(row["linked_by"])
        for sub in self.subscriptions.active(team_id=team_id):
            if sub.account == account:
                yield sub.created_by
        for rule in self.alert_rules.active(team_id=team_id):
            if rule.account == account:
                yield rule.created_by
