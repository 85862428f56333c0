"""THE composition root. Everything the bot is made of is built here, once, and handed down.

* `build_services(settings)`: the core (settings, clock, wire client, database, stores, login, accounts,
  usage). No Slack import: the terminal CLI (`qwen-bot usage`, `qwen-bot auth`) builds only this. Alembic is
  imported only when the SQLite schema is behind (bot/storage/schema.py).
* `build_bot(services)`: the Slack side on top: the bot tokens and posters, the login notifier (wired once),
  the team features, the listeners `handlers.register()` takes, and the worker's job list. Its Slack and
  handler imports are inside the function, so the terminal never loads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import Engine

from bot import USER_AGENT
from bot.base.clock import Clock, FixedClock, SystemClock
from bot.base.config import Settings
from bot.base.errors import ConfigError
from bot.base.metrics import get_metrics
from bot.core.accounts import Accounts
from bot.core.login import LoginService
from bot.core.usage import UsageService

if TYPE_CHECKING:
    from bot.jobs.worker import Job, Worker
    from bot.slack.installs import BotTokens
    from bot.slack.notifier import SlackNotifier
    from bot.team.digest_extras import ExtrasFetcher
    from bot.team.jobs.digest import DigestJob
    from bot.team.model import BillingFeeds, Team
    from bot.team.outbox import SlackClients
    from handlers import Listeners
    from handlers.billing import BillingAnswerer
    from handlers.calls import CallsHandler
from bot.qwencloud.billing import BillingApi
from bot.qwencloud.client import QwenCloudClient
from bot.storage.app_state import AppStateStore
from bot.storage.cache import DbCache
from bot.storage.credentials import CredentialStore
from bot.storage.crypto import Crypto
from bot.storage.db import is_sqlite, make_engine, safe_url
from bot.storage.keys import KeySet, load_keys
from bot.storage.pending import PendingLoginStore
from bot.storage.schema import at_head


@dataclass
class Services:
    settings: Settings
    clock: Clock
    http: httpx.Client
    client: QwenCloudClient
    engine: Engine
    keys: KeySet
    crypto: Crypto
    app_state: AppStateStore
    credentials: CredentialStore
    pending_logins: PendingLoginStore
    login: LoginService
    accounts: Accounts
    usage: UsageService
    billing: BillingApi  # call logs, billing, spend limit, subscriptions (contract qwencloud-api-billing.md)

    def close(self) -> None:
        self.usage.close()  # its pool's threads are not daemons: left open they outlive the caller
        self.http.close()
        self.engine.dispose()


def make_clock(settings: Settings) -> Clock:
    return FixedClock(settings.frozen_now, running=True) if settings.frozen_now else SystemClock()


def open_database(settings: Settings) -> Engine:
    """The engine, migrated to head for SQLite; a shared database must be migrated by `qwen-bot migrate`."""
    engine = make_engine(settings.database_url)
    if at_head(engine):  # the usual case: no Alembic import, one SELECT
        return engine
    from bot.storage.migrate import is_up_to_date, upgrade

    if is_sqlite(engine):
        upgrade(engine)
        return engine
    if not is_up_to_date(engine):
        engine.dispose()
        raise ConfigError(
            f"The database {safe_url(settings.database_url)} is not at the latest schema. "
            "Run: qwen-bot migrate"
        )
    return engine


def build_services(
    settings: Settings, *, transport: httpx.BaseTransport | None = None, clock: Clock | None = None
) -> Services:
    clock = clock or make_clock(settings)
    keys = load_keys(settings)
    crypto = keys.crypto()
    http = httpx.Client(transport=transport, headers={"User-Agent": USER_AGENT}, follow_redirects=False)
    get_metrics().instrument_http(http)
    client = QwenCloudClient(
        http=http,
        api_endpoint=settings.api_endpoint,
        auth_endpoint=settings.auth_endpoint,
        model_map_url=settings.model_map_url,
        timeout=settings.upstream_timeout,
    )
    engine = open_database(settings)
    app_state = AppStateStore(engine=engine, clock=clock)
    credentials = CredentialStore(engine=engine, crypto=crypto, clock=clock)
    pending = PendingLoginStore(engine=engine, crypto=crypto)
    login = LoginService(
        client=client, credentials=credentials, pending=pending, app_state=app_state, clock=clock
    )
    return Services(
        settings=settings,
        clock=clock,
        http=http,
        client=client,
        engine=engine,
        keys=keys,
        crypto=crypto,
        app_state=app_state,
        credentials=credentials,
        pending_logins=pending,
        login=login,
        accounts=Accounts(credentials=credentials, clock=clock),
        usage=UsageService(
            client=client,
            clock=clock,
            cache=DbCache(engine=engine, clock=clock, ttl_seconds=settings.cache_ttl_seconds),
        ),
        billing=BillingApi(client),
    )


# == the bot: Slack, team features, listeners, jobs ========================================================


@dataclass
class Bot:
    """What `build_bot()` made: `app.build_app(bot)` registers `listeners`; a worker runs `jobs(id)`."""

    services: Services
    team: Team
    tokens: BotTokens
    notifier: SlackNotifier
    listeners: Listeners

    def jobs(self, worker_id: str) -> list[Job]:
        """The worker's job list: login polls, digests, alerts, expiry reminders."""
        from bot.jobs.worker import LoginPollJob
        from bot.team.jobs.alerts import AlertJob
        from bot.team.jobs.reminders import ReminderJob
        from bot.team.jobs.renewal import RenewalJob

        s, team = self.services, self.team
        return [
            LoginPollJob(pending=s.pending_logins, login=s.login, worker_id=worker_id),
            digest_job(team, worker_id),
            RenewalJob(
                logins=team.logins,
                notices=team.renewal_notices,
                slack=team.slack,
                recipients=team.renewers,
                worker_id=worker_id,
                lead=team.renew_lead,
                settle_after=team.settle_after,
            ),
            AlertJob(
                team=team,
                usage=s.usage,
                clock=s.clock,
                worker_id=worker_id,
                readings=team.feeds.readings if team.feeds else None,
            ),
            ReminderJob(
                credentials_engine=s.engine,
                credentials=s.credentials,
                reminders=team.reminders,
                slack=team.slack,
                worker_id=worker_id,  # team logins: the renewal job asks their admins (no linker here)
            ),
        ]

    def worker(self, *, worker_id: str | None = None, idle_seconds: float = 1.0) -> Worker:
        from bot.jobs.worker import Worker, new_worker_id

        worker_id = worker_id or new_worker_id()
        jobs = self.jobs(worker_id)
        return Worker(jobs=jobs, clock=self.services.clock, worker_id=worker_id, idle_seconds=idle_seconds)


def build_bot(services: Services, *, slack: SlackClients | None = None) -> Bot:
    """The Slack side of the bot over `services`. `slack` replaces the posters of background posts (tests)."""
    from bot.slack.installs import BotTokens, installation_store
    from bot.slack.notifier import SlackNotifier
    from bot.slack.posting import TeamSlackClients

    settings = services.settings
    store = installation_store(settings, engine=services.engine, crypto=services.crypto)
    tokens = BotTokens(settings=settings, store=store)
    notifier = SlackNotifier(tokens=tokens, clock=services.clock)
    if settings.slack_configured:
        services.login.set_notifier(notifier)  # finished logins are announced in Slack
    team = build_team(services, slack=slack or TeamSlackClients(tokens))
    return Bot(
        services=services,
        team=team,
        tokens=tokens,
        notifier=notifier,
        listeners=build_listeners(services, team),
    )


def build_team(services: Services, *, slack: SlackClients) -> Team:
    from bot.storage.delivery import Deliveries
    from bot.storage.health import HealthStore
    from bot.storage.renewal import renewal_notice
    from bot.storage.team import alert_event, digest_run, reminder
    from bot.storage.team_store import AlertRuleStore, SubscriptionStore
    from bot.team.accounts import AdminCheck
    from bot.team.digests import DigestBuilder
    from bot.team.jobs.tracking import TrackingMonitor
    from bot.team.model import Team
    from bot.team.renewal import Logins

    engine, settings = services.engine, services.settings
    health = HealthStore(engine=engine)
    subscriptions, alert_rules = SubscriptionStore(engine=engine), AlertRuleStore(engine=engine)
    team = Team(
        subscriptions=subscriptions,
        alert_rules=alert_rules,
        health=health,
        runs=Deliveries(engine=engine, table=digest_run),
        alert_events=Deliveries(engine=engine, table=alert_event),
        reminders=Deliveries(engine=engine, table=reminder),
        builder=DigestBuilder(
            client=services.client,
            usage=services.usage,
            accounts=services.accounts,
            clock=services.clock,
            extras=digest_extras(services),
        ),
        tracking=TrackingMonitor(health=health, slack=slack, admins_for=lambda t, a: ()),
        slack=slack,
        catchup=timedelta(hours=settings.digest_catchup_hours),
        settle_after=timedelta(seconds=settings.digest_settle_seconds),
        admins=AdminCheck(configured=settings.admins, single_workspace=settings.slack_bot_token is not None),
        logins=Logins(subscriptions=subscriptions, alert_rules=alert_rules, credentials=services.credentials),
        renewal_notices=Deliveries(engine=engine, table=renewal_notice),
        renew_lead=timedelta(hours=settings.renew_lead_hours),
        feeds=billing_feeds(services),
    )
    team.tracking = TrackingMonitor(
        health=health, slack=slack, admins_for=team.admins_for, renewal_asks=True  # RenewalJob: Bot.jobs
    )
    return team


def digest_job(team: Team, worker_id: str, *, catchup: timedelta | None = None) -> DigestJob:
    from bot.team.jobs.digest import DigestJob
    from bot.team.jobs.renewal_notice import ChannelNotices

    notices = ChannelNotices(logins=team.logins, notices=team.renewal_notices, worker_id=worker_id)
    return DigestJob(
        subscriptions=team.subscriptions,
        runs=team.runs,
        builder=team.builder,
        slack=team.slack,
        tracking=team.tracking,
        worker_id=worker_id,
        catchup=team.catchup if catchup is None else catchup,
        settle_after=team.settle_after,
        notices=notices,
    )


def build_listeners(services: Services, team: Team) -> Listeners:
    """The Bolt listeners, each built with the services it uses (never services in Bolt's context)."""
    from bot import __version__
    from bot.core.answers import Answers
    from bot.core.inflight import AnswerSlots
    from bot.core.release import ReleaseCheck
    from bot.storage.answer_slots import AnswerSlotStore
    from bot.team.accounts import TeamAccounts
    from bot.team.commands import TeamCommands
    from bot.team.home import HomeService
    from handlers import Listeners
    from handlers.command import CommandRouter
    from handlers.common import TimezoneResolver
    from handlers.dm import DirectMessageHandler
    from handlers.home import HomeHandler
    from handlers.login import LoginHandler
    from handlers.renew import RenewHandler
    from handlers.team import TeamCommandHandler
    from handlers.usage import UsageHandler
    from handlers.version import VersionHandler

    s = services
    timezones = TimezoneResolver(default=s.settings.timezone)
    ttl = s.settings.answer_slot_seconds
    slots = AnswerSlots(shared=AnswerSlotStore(engine=s.engine, clock=s.clock, ttl_seconds=ttl), ttl=ttl)
    login = LoginHandler(login=s.login, clock=s.clock, timezones=timezones)
    usage = UsageHandler(
        answers=Answers(usage=s.usage, accounts=s.accounts, clock=s.clock),
        clock=s.clock,
        timezones=timezones,
        more=[billing_answerer(s, team), calls_answerer(s)],
    )
    accounts = TeamAccounts(
        login=s.login, credentials=s.credentials, client=s.client, health=team.health, clock=s.clock
    )
    commands = TeamCommandHandler(
        commands=TeamCommands(team=team, accounts=accounts, admins=team.admins, clock=s.clock)
    )
    versions = VersionHandler(
        releases=ReleaseCheck(http=s.http, url=s.settings.version_index_url, current=__version__),
        admins=team.admins,
    )
    home = HomeService(
        credentials=s.credentials,
        usage=s.usage,
        team=team,
        accounts=accounts,
        admins=team.admins,
        clock=s.clock,
        gauges=team.feeds.gauges if team.feeds else None,
    )
    return Listeners(
        router=CommandRouter(
            clock=s.clock, timezones=timezones, login=login, usage=usage, team=commands, version=versions,
            inflight=slots,
        ),
        login=login,
        usage=usage,
        dm=DirectMessageHandler(team=commands, timezones=timezones, usage=usage, clock=s.clock),
        home=HomeHandler(
            home=home,
            login=s.login,
            admins=team.admins,
            timezones=timezones,
            clock=s.clock,
            commands=commands,
        ),
        renew=RenewHandler(team=commands, timezones=timezones),
    )


def digest_extras(services: Services) -> ExtrasFetcher:
    """The digest's top API keys and spend-limit line (issue 12 item 5)."""
    from bot.core.limit import Limits
    from bot.core.spend import SpendAnswers
    from bot.team.digest_extras import ExtrasFetcher

    s = services
    return ExtrasFetcher(
        spend=SpendAnswers(billing=s.billing, accounts=s.accounts, clock=s.clock),
        limits=Limits(billing=s.billing, accounts=s.accounts, clock=s.clock),
    )


def billing_feeds(services: Services) -> BillingFeeds:
    """What error-rate and spend-limit alerts and the App Home gauges read (issue 12 items 5, 6)."""
    from bot.core.calls import CallsAnswers
    from bot.core.limit import Limits
    from bot.team.home_gauges import GaugeService
    from bot.team.jobs.alert_kinds import BillingReadings
    from bot.team.model import BillingFeeds

    s = services
    limits = Limits(billing=s.billing, accounts=s.accounts, clock=s.clock)
    calls = CallsAnswers(billing=s.billing, accounts=s.accounts, clock=s.clock)
    return BillingFeeds(
        readings=BillingReadings(limits=limits, calls=calls), gauges=GaugeService(limits=limits, calls=calls)
    )


def billing_answerer(services: Services, team: Team) -> BillingAnswerer:
    """`/qwen billing` and `/qwen bills`; the daily chart is uploaded with the team's poster."""
    from bot.core.billing_answers import BillingAnswers
    from bot.core.spend import SpendAnswers
    from handlers.billing import BillingAnswerer

    s = services
    spend = SpendAnswers(billing=s.billing, accounts=s.accounts, clock=s.clock)
    return BillingAnswerer(
        answers=BillingAnswers(spend=spend, accounts=s.accounts, clock=s.clock), slack=team.slack
    )


def calls_answerer(services: Services) -> CallsHandler:
    """`/qwen logs`, `/qwen limit`, `/qwen plan` (handlers/calls.py) over the billing API."""
    from bot.core.calls import CallsAnswers
    from bot.core.limit import Limits
    from bot.core.plans import PlanAnswers
    from bot.core.subscription_report import token_plan_fetcher
    from handlers.calls import CallsHandler

    s = services
    return CallsHandler(
        calls=CallsAnswers(billing=s.billing, accounts=s.accounts, clock=s.clock),
        limits=Limits(billing=s.billing, accounts=s.accounts, clock=s.clock),
        plans=PlanAnswers(
            billing=s.billing,
            accounts=s.accounts,
            clock=s.clock,
            token_plan=token_plan_fetcher(s.client, s.usage),
        ),
        clock=s.clock,
    )
