"""Services and `build_services()`: the core half of the composition root, free of Slack and Bolt.

The terminal CLI (`qwen-bot usage`, `qwen-bot auth`) builds only this; `bot.app` adds the Slack half and
re-exports these names. Alembic is imported only when the SQLite schema is behind (bot/storage/schema.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    usage: Any = None  # bot.core.usage.UsageService, wired by its owner
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
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
    )
