"""Consecutive upstream failures per team account, and whether the admins were told (once per breakage)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, and_, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from bot.storage.team import account_health


class HealthStore:
    """Consecutive upstream failures per team account, and whether the admins were told (once)."""

    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine

    def _ensure(self, team_id: str, account: str, now: datetime) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(account_health).values(
                        team_id=team_id, account=account, failures=0, updated_at=now
                    )
                )
        except IntegrityError:
            pass

    def failure(self, team_id: str, account: str, *, reason: str, now: datetime) -> int:
        self._ensure(team_id, account, now)
        t = account_health.c
        key = and_(t.team_id == team_id, t.account == account)
        with self._engine.begin() as conn:
            conn.execute(
                update(account_health)
                .where(key)
                .values(failures=t.failures + 1, reason=reason, updated_at=now)
            )
            conn.execute(update(account_health).where(key, t.broken_since.is_(None)).values(broken_since=now))
            return int(conn.execute(select(t.failures).where(key)).scalar_one())

    def claim_notice(self, team_id: str, account: str, *, now: datetime) -> bool:
        """True for exactly one caller per breakage: that caller tells the admins."""
        t = account_health.c
        with self._engine.begin() as conn:
            stmt = update(account_health).where(
                t.team_id == team_id,
                t.account == account,
                t.notified_at.is_(None),
                t.broken_since.is_not(None),
            )
            return bool(conn.execute(stmt.values(notified_at=now)).rowcount)

    def success(self, team_id: str, account: str, *, now: datetime) -> None:
        t = account_health.c
        with self._engine.begin() as conn:
            conn.execute(
                update(account_health)
                .where(t.team_id == team_id, t.account == account)
                .values(failures=0, broken_since=None, notified_at=None, reason=None, updated_at=now)
            )

    def linked_by(self, team_id: str, account: str, admin: str, *, now: datetime) -> None:
        """A first link (the account had no login): `admin` is its linker; no renewer yet."""
        self._ensure(team_id, account, now)
        t = account_health.c
        with self._engine.begin() as conn:
            stmt = update(account_health).where(t.team_id == team_id, t.account == account)
            conn.execute(stmt.values(linked_by=admin, renewed_by=None, renewed_at=None, updated_at=now))

    def renewed_by(self, team_id: str, account: str, admin: str, *, now: datetime) -> None:
        """A renewal (relink, Renew button): recorded beside the first linker, never over it (an account
        linked before the linker was recorded gets this admin as its linker)."""
        self._ensure(team_id, account, now)
        t = account_health.c
        with self._engine.begin() as conn:
            stmt = update(account_health).where(t.team_id == team_id, t.account == account)
            linker = func.coalesce(t.linked_by, admin)
            conn.execute(stmt.values(linked_by=linker, renewed_by=admin, renewed_at=now, updated_at=now))

    def get(self, team_id: str, account: str) -> RowMapping | None:
        t = account_health.c
        with self._engine.connect() as conn:
            query = select(account_health).where(t.team_id == team_id, t.account == account)
            return conn.execute(query).mappings().first()
