"""The shared usage-result cache: one `usage_cache` row per (account, query), valid for a TTL.

Implements `bot.core.usage.UsageCache`. Every process reads and writes the same database, so a web process
answers from what a worker (or another web process) fetched. `account` is the owner-scoped string the
answer layer passes (`"<team_id>:<user_id>"`, see `account_key`), so one user's results are never served to
another and `invalidate_owner` (called on logout and re-login) drops exactly that user's rows.
`--refresh` is the service's `fresh=True`: it skips `get` and overwrites with `put`.

The cache is an optimisation: when the database is unavailable, `get` is a miss and `put` does nothing.
Values are the frozen result dataclasses, stored as tagged JSON (`encode`/`decode`); only classes of the
modules in `ALLOWED_MODULES` are ever rebuilt, and a row that no longer decodes is a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, Engine, Index, String, Table, Text, and_, delete, select
from sqlalchemy.exc import SQLAlchemyError

from bot.base.clock import Clock
from bot.base.metrics import get_metrics
from bot.storage.db import UTCDateTime, metadata
from bot.storage.owner import Owner

log = logging.getLogger("bot.cache")

CODEC_VERSION = 1
ALLOWED_MODULES = frozenset({"bot.qwencloud.results", "bot.qwencloud.models", "bot.base.periods"})
MAX_KEY = 255
MAX_VALUE_CHARS = 256_000  # a year of daily breakdown rows is ~60 kB; a bound, not a working size

usage_cache = Table(
    "usage_cache",
    metadata,
    Column("account", String(320), primary_key=True),
    Column("query_key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_usage_cache_expires_at", "expires_at"),
)


def account_key(owner: Owner) -> str:
    """The `account` the answer layer uses for an owner's cached results."""
    return f"{owner.team_id}:{owner.user_id}"


def drop_cached(conn: Connection, owner: Owner) -> None:
    """Inside the caller's transaction: forget this owner's cached results (credential put and delete)."""
    conn.execute(delete(usage_cache).where(usage_cache.c.account == account_key(owner)))


def _query_key(key: str) -> str:
    if len(key) <= MAX_KEY:
        return key
    return key[:190] + "#" + hashlib.sha256(key.encode()).hexdigest()


class DbCache:
    def __init__(self, *, engine: Engine, clock: Clock, ttl_seconds: int = 600) -> None:
        self._engine = engine
        self._clock = clock
        self._ttl = timedelta(seconds=max(0, ttl_seconds))

    @property
    def enabled(self) -> bool:
        return self._ttl > timedelta(0)

    def get(self, account: str, key: str) -> object | None:
        if not self.enabled:
            return None
        now = self._clock.now()
        query = select(usage_cache.c.value).where(
            and_(
                usage_cache.c.account == account,
                usage_cache.c.query_key == _query_key(key),
                usage_cache.c.expires_at > now,
            )
        )
        try:
            with self._engine.connect() as conn:
                raw = conn.execute(query).scalar_one_or_none()
        except SQLAlchemyError as exc:
            log.warning("cache read failed (treated as a miss): %s", type(exc).__name__)
            raw = None
        value = _load(raw) if raw is not None else None
        get_metrics().record_cache("hit" if value is not None else "miss")
        return value

    def put(self, account: str, key: str, value: object) -> None:
        if not self.enabled:
            return
        try:
            text = json.dumps(encode(value), separators=(",", ":"), allow_nan=True)
        except TypeError as exc:
            log.warning("result not cacheable: %s", exc)
            return
        if len(text) > MAX_VALUE_CHARS:  # a huge answer is recomputed rather than stored
            log.info("result not cached: %d characters", len(text))
            get_metrics().record_cache("too_big")
            return
        now = self._clock.now()
        row = {"account": account, "query_key": _query_key(key), "value": text,
               "expires_at": now + self._ttl, "created_at": now}
        try:
            with self._engine.begin() as conn:
                conn.execute(_upsert(self._engine, row))
                # keep the table small: this account's expired rows go with each write
                conn.execute(delete(usage_cache).where(
                    and_(usage_cache.c.account == account, usage_cache.c.expires_at <= now)
                ))
        except SQLAlchemyError as exc:
            log.warning("cache write failed (ignored): %s", type(exc).__name__)

    def invalidate(self, account: str) -> int:
        """Drop every cached result of this account; the number of rows removed."""
        with self._engine.begin() as conn:
            return conn.execute(delete(usage_cache).where(usage_cache.c.account == account)).rowcount or 0

    def invalidate_owner(self, owner: Owner) -> int:
        return self.invalidate(account_key(owner))

    def purge_expired(self) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(delete(usage_cache).where(usage_cache.c.expires_at <= self._clock.now()))
            return result.rowcount or 0


def _upsert(engine: Engine, row: dict[str, Any]) -> Any:
    update = {"value": row["value"], "expires_at": row["expires_at"], "created_at": row["created_at"]}
    keys = [usage_cache.c.account, usage_cache.c.query_key]
    if engine.dialect.name == "postgresql":  # imported here: the PostgreSQL dialect costs the CLI's start-up
        from sqlalchemy.dialects import postgresql as dialect
    else:
        from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
    return dialect.insert(usage_cache).values(**row).on_conflict_do_update(index_elements=keys, set_=update)


def _load(raw: str) -> object | None:
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("v") != CODEC_VERSION:
            return None
        value: object = decode(data["value"])
        return value
    except (ValueError, KeyError, TypeError, AttributeError, ImportError) as exc:
        log.info("cached row no longer decodes (a miss): %s", type(exc).__name__)
        return None


# -- codec: frozen dataclasses, tuples, Decimal, date and datetime as tagged JSON --------------------------

def encode(value: object) -> dict[str, Any]:
    return {"v": CODEC_VERSION, "value": _enc(value)}


def _enc(value: object) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_enc(v) for v in value]}
    if isinstance(value, list):
        return [_enc(v) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[_enc(k), _enc(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if cls.__module__ not in ALLOWED_MODULES:
            raise TypeError(f"{cls.__module__}.{cls.__qualname__} is not a cacheable result type")
        fields = {f.name: _enc(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$dc": f"{cls.__module__}:{cls.__qualname__}", "f": fields}
    raise TypeError(f"{type(value).__name__} is not cacheable")


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "$dec" in data:
        return Decimal(data["$dec"])
    if "$dt" in data:
        return datetime.fromisoformat(data["$dt"])
    if "$date" in data:
        return date.fromisoformat(data["$date"])
    if "$tuple" in data:
        return tuple(decode(v) for v in data["$tuple"])
    if "$dict" in data:
        return {decode(k): decode(v) for k, v in data["$dict"]}
    if "$dc" in data:
        module, _, name = str(data["$dc"]).partition(":")
        if module not in ALLOWED_MODULES:
            raise TypeError(f"refusing to rebuild {module}")
        cls = getattr(importlib.import_module(module), name)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise TypeError(f"{name} is not a dataclass")
        return cls(**{k: decode(v) for k, v in data["f"].items()})
    raise TypeError("untagged object in cached value")
