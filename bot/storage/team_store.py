"""Stores for digest subscriptions and alert rules (with their crossing state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import RowMapping

from bot.base.schedule import Cadence, Schedule
from bot.storage.team import alert_rule, digest_run, digest_subscription


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    team_id: str
    channel_id: str
    account: str
    schedule: Schedule
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AlertRule:
    id: int
    team_id: str
    channel_id: str
    account: str
    kind: str
    target: str
    threshold: Decimal
    created_by: str
    firing: bool
    crossing: int
    last_value: str | None
    checked_at: datetime | None = None


def _subscription(row: RowMapping) -> Subscription:
    hour, minute = (int(p) for p in str(row["at_time"]).split(":"))
    cadence: Cadence = "monthly" if row["cadence"] == "monthly" else "weekly"
    schedule = Schedule(cadence, int(row["day"]), time(hour, minute), str(row["timezone"]))
    return Subscription(
        int(row["id"]),
        row["team_id"],
        row["channel_id"],
        row["account"],
        schedule,
        row["created_by"],
        row["created_at"],
    )


class SubscriptionStore:
    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        *,
        team_id: str,
        channel_id: str,
        account: str,
        schedule: Schedule,
        created_by: str,
        now: datetime,
    ) -> Subscription:
        """One active subscription per channel, account and cadence: subscribing again replaces it."""
        t = digest_subscription.c
        with self._engine.begin() as conn:
            conn.execute(
                update(digest_subscription)
                .where(
                    t.team_id == team_id,
                    t.channel_id == channel_id,
                    t.account == account,
                    t.cadence == schedule.cadence,
                    t.active.is_(True),
                )
                .values(active=False)
            )
            new_id = conn.execute(
                insert(digest_subscription)
                .values(
                    team_id=team_id,
                    channel_id=channel_id,
                    account=account,
                    cadence=schedule.cadence,
                    day=schedule.day,
                    at_time=schedule.at.strftime("%H:%M"),
                    timezone=schedule.timezone,
                    created_by=created_by,
                    created_at=now,
                    active=True,
                )
                .returning(t.id)
            ).scalar_one()
        found = self.get(int(new_id))
        assert found is not None
        return found

    def get(self, sub_id: int) -> Subscription | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(digest_subscription).where(digest_subscription.c.id == sub_id)
            ).mappings()
            first = row.first()
        return None if first is None else _subscription(first)

    def active(self, *, team_id: str | None = None, channel_id: str | None = None) -> list[Subscription]:
        t = digest_subscription.c
        where: list[Any] = [t.active.is_(True)]
        if team_id is not None:
            where.append(t.team_id == team_id)
        if channel_id is not None:
            where.append(t.channel_id == channel_id)
        with self._engine.connect() as conn:
            rows = conn.execute(select(digest_subscription).where(*where).order_by(t.id)).mappings().all()
        return [_subscription(r) for r in rows]

    def deactivate(self, sub_ids: list[int]) -> int:
        if not sub_ids:
            return 0
        t = digest_subscription.c
        with self._engine.begin() as conn:
            stmt = (
                update(digest_subscription).where(t.id.in_(sub_ids), t.active.is_(True)).values(active=False)
            )
            return int(conn.execute(stmt).rowcount)

    def last_run(self, sub_id: int) -> RowMapping | None:
        t = digest_run.c
        with self._engine.connect() as conn:
            query = select(digest_run).where(t.subscription_id == sub_id).order_by(t.period_start.desc())
            return conn.execute(query.limit(1)).mappings().first()


def _decimal(raw: object) -> Decimal:
    """A stored threshold; NaN when unreadable, so one bad row cannot fail every listing (alerts.sane)."""
    try:
        return Decimal(str(raw))
    except ArithmeticError:
        return Decimal("NaN")


def _rule(row: RowMapping) -> AlertRule:
    return AlertRule(
        int(row["id"]),
        row["team_id"],
        row["channel_id"],
        row["account"],
        row["kind"],
        row["target"],
        _decimal(row["threshold"]),
        row["created_by"],
        bool(row["firing"]),
        int(row["crossing"]),
        row["last_value"],
        row["checked_at"],
    )


class AlertRuleStore:
    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        *,
        team_id: str,
        channel_id: str,
        account: str,
        kind: str,
        target: str,
        threshold: Decimal,
        created_by: str,
        now: datetime,
    ) -> AlertRule:
        with self._engine.begin() as conn:
            new_id = conn.execute(
                insert(alert_rule)
                .values(
                    team_id=team_id,
                    channel_id=channel_id,
                    account=account,
                    kind=kind,
                    target=target,
                    threshold=str(threshold),
                    created_by=created_by,
                    created_at=now,
                    active=True,
                    firing=False,
                    crossing=0,
                )
                .returning(alert_rule.c.id)
            ).scalar_one()
        found = self.get(int(new_id))
        assert found is not None
        return found

    def get(self, rule_id: int) -> AlertRule | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(alert_rule).where(alert_rule.c.id == rule_id)).mappings().first()
        return None if row is None else _rule(row)

    def active(self, *, team_id: str | None = None) -> list[AlertRule]:
        t = alert_rule.c
        where: list[Any] = [t.active.is_(True)]
        if team_id is not None:
            where.append(t.team_id == team_id)
        with self._engine.connect() as conn:
            rows = conn.execute(select(alert_rule).where(*where).order_by(t.id)).mappings().all()
        return [_rule(r) for r in rows]

    def remove(self, *, team_id: str, rule_id: int) -> bool:
        t = alert_rule.c
        with self._engine.begin() as conn:
            stmt = update(alert_rule).where(t.id == rule_id, t.team_id == team_id, t.active.is_(True))
            return bool(conn.execute(stmt.values(active=False)).rowcount)

    def cross(self, rule: AlertRule, *, value: str, now: datetime) -> int | None:
        """ok -> firing, once: the new crossing number for the one worker that wins, else None."""
        t = alert_rule.c
        with self._engine.begin() as conn:
            won = conn.execute(
                update(alert_rule)
                .where(t.id == rule.id, t.firing.is_(False), t.crossing == rule.crossing)
                .values(firing=True, crossing=rule.crossing + 1, last_value=value, checked_at=now)
            ).rowcount
        return rule.crossing + 1 if won == 1 else None

    def recover(self, rule: AlertRule, *, value: str, now: datetime) -> bool:
        t = alert_rule.c
        with self._engine.begin() as conn:
            stmt = update(alert_rule).where(t.id == rule.id, t.firing.is_(True), t.crossing == rule.crossing)
            return bool(conn.execute(stmt.values(firing=False, last_value=value, checked_at=now)).rowcount)

    def observe(self, rule: AlertRule, *, value: str | None, now: datetime) -> None:
        values: dict[str, Any] = {"checked_at": now}
        if value is not None:
            values["last_value"] = value
        with self._engine.begin() as conn:
            conn.execute(update(alert_rule).where(alert_rule.c.id == rule.id).values(**values))
