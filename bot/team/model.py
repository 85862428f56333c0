"""Composition of the team features (digests, alerts, reminders, team accounts) on top of `Services`.

`team_of(services)` builds them once per Services (kept in `services.extras["team"]`); `team_jobs()` gives
the worker its digest, alert and reminder jobs. Pure of Slack: the posters for background posts come from
`services.extras["team_slack"]` (a `bot.team.outbox.SlackClients`), by default the edge's
`bot.slack.posting.TeamSlackClients` (never retrying a post: slack/posting.py says why).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.storage.delivery import Deliveries
from bot.storage.health import HealthStore
from bot.storage.team import alert_event, digest_run, reminder
from bot.storage.team_store import AlertRuleStore, SubscriptionStore
from bot.team.digests import DigestBuilder
from bot.team.jobs.tracking import TrackingMonitor
from bot.team.outbox import SlackClients

if TYPE_CHECKING:
    from bot.app import Services
    from bot.jobs.worker import Job
    from bot.team.jobs.digest import DigestJob


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
    catchup: timedelta
    settle_after: timedelta = timedelta(minutes=2)
    configured_admins: frozenset[str] = frozenset()

    def linker(self, team_id: str, account: str) -> str | None:
        row = self.health.get(team_id, account)
        return str(row["linked_by"]) if row is not None and row["linked_by"] else None

    def admins_for(self, team_id: str, account: str) -> Iterable[str]:
        """Who hears about a broken team account: QWEN_BOT_ADMINS, its linker, its subscribers."""
        yield from self.configured_admins
        row = self.health.get(team_id, account)
        if row is not None and row["linked_by"]:
            yield str(row["linked_by"])
        for sub in self.subscriptions.active(team_id=team_id):
            if sub.account == account:
                yield sub.created_by
        for rule in self.alert_rules.active(team_id=team_id):
            if rule.account == account:
                yield rule.created_by


def _slack_clients(services: Services) -> SlackClients:
    from bot.slack.posting import (
        TeamSlackClients,  # the edge; the composition root may inject its own instead
    )

    return TeamSlackClients(services)


def team_of(services: Services) -> Team:
    extras: dict[str, Any] = getattr(services, "extras", {})  # registration tests pass a bare namespace
    existing = extras.get("team")
    if isinstance(existing, Team):
        return existing
    engine: Any = getattr(services, "engine", None)
    slack: SlackClients = extras.get("team_slack") or _slack_clients(services)
    health = HealthStore(engine=engine)
    team = Team(
        subscriptions=SubscriptionStore(engine=engine),
        alert_rules=AlertRuleStore(engine=engine),
        health=health,
        runs=Deliveries(engine=engine, table=digest_run),
        alert_events=Deliveries(engine=engine, table=alert_event),
        reminders=Deliveries(engine=engine, table=reminder),
        builder=DigestBuilder(
            client=services.client,
            usage=services.usage,
            accounts=services.accounts,
            clock=services.clock,
        ),
        tracking=TrackingMonitor(health=health, slack=slack, admins_for=lambda t, a: ()),
        slack=slack,
        catchup=timedelta(hours=services.settings.digest_catchup_hours),
        settle_after=timedelta(seconds=getattr(services.settings, "digest_settle_seconds", 120)),
        configured_admins=services.settings.admins,
    )
    team.tracking = TrackingMonitor(health=health, slack=slack, admins_for=team.admins_for)
    extras["team"] = team
    return team


def digest_job(team: Team, worker_id: str, *, catchup: timedelta | None = None) -> DigestJob:
    from bot.team.jobs.digest import DigestJob

    return DigestJob(
        subscriptions=team.subscriptions,
        runs=team.runs,
        builder=team.builder,
        slack=team.slack,
        tracking=team.tracking,
        worker_id=worker_id,
        catchup=team.catchup if catchup is None else catchup,
        settle_after=team.settle_after,
    )


def team_jobs(services: Services, worker_id: str) -> list[Job]:
    from bot.team.jobs.alerts import AlertJob
    from bot.team.jobs.reminders import ReminderJob

    team = team_of(services)
    return [
        digest_job(team, worker_id),
        AlertJob(team=team, usage=services.usage, clock=services.clock, worker_id=worker_id),
        ReminderJob(
            credentials_engine=services.engine,
            credentials=services.credentials,
            reminders=team.reminders,
            slack=team.slack,
            worker_id=worker_id,
            linker=team.linker,
        ),
    ]
