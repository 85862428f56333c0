"""Tables and engines. Every table is created by an Alembic migration in bot/storage/migrations.

Later features (digest_subscription, digest_run, alerts, cache) add their tables here and in a new
migration; `upgrade()` applies whatever is pending.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import URL, make_url

from bot.base.errors import ConfigError

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which forgets the offset) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


credential = Table(
    "credential",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(64), nullable=False),
    # a Slack user id, "cli:<os user>" for the terminal, or "account:<name>" for a team account
    Column("user_id", String(255), nullable=False),
    Column("ciphertext", Text, nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("qwen_user_id", String(255)),
    Column("qwen_email", String(320)),
    Column("aliyun_id", String(255)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("last_used_at", UTCDateTime()),  # the owner last asked the bot something (reminders)
    UniqueConstraint("team_id", "user_id", name="uq_credential_owner"),
)

pending_login = Table(
    "pending_login",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("team_id", String(64), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("purpose", String(16), nullable=False),  # personal | team_account
    Column("account_name", String(255), nullable=False, server_default=""),
    Column("ciphertext", Text, nullable=False),  # device token + PKCE verifier, owner-bound
    Column("key_id", String(16), nullable=False),
    Column("verification_url", Text, nullable=False),
    Column("interval", Integer, nullable=False),
    Column("next_poll_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("notify", JSON, nullable=False),
    Column("lease_owner", String(128)),
    Column("lease_until", UTCDateTime()),
    Column("status", String(16), nullable=False),  # pending | complete | denied | expired | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("failures", Integer, nullable=False, server_default="0"),  # consecutive transient failures
    Column("created_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    Index("ix_pending_login_due", "status", "next_poll_at"),
    Index("ix_pending_login_owner", "team_id", "user_id", "status"),
)

app_state = Table(
    "app_state",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// (Heroku/Render style) become postgresql+psycopg://."""
    url = url.strip()
    if not url:
        raise ConfigError("DATABASE_URL is empty")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith(("postgresql+", "sqlite")):
        return url
    raise ConfigError(f"Unsupported DATABASE_URL scheme {url.split(':', 1)[0]!r} (use sqlite or postgresql)")


def safe_url(url: str | URL) -> str:
    """The URL for messages and logs: the password hidden."""
    return (
        make_url(url).render_as_string(hide_password=True)
        if isinstance(url, str)
        else (url.render_as_string(hide_password=True))
    )


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for a SQLite file (its directory created) or PostgreSQL through psycopg 3."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_private_file(Path(parsed.database).expanduser())
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, future=True)


def _create_private_file(path: Path) -> None:
    """The SQLite file holds ciphertexts only, but still: readable by its owner alone (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def pending_login_count(engine: Any) -> Callable[[], int]:
    """A `pending_count` for `metrics_wsgi_app`: logins still waiting, counted in the shared database."""

    def count() -> int:
        query = select(func.count()).select_from(pending_login).where(pending_login.c.status == "pending")
        with engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    return count
