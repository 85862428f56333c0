"""Threshold alerts per team account, posted to their channel once per crossing and again only after recovery.

Each rule row carries its state (`firing`, `crossing`). A worker that sees a crossed threshold on a rule not
firing moves it to firing with a compare-and-set (crossing n -> n+1); only the winner inserts the
alert_event row (UNIQUE rule_id, crossing) and posts it through the delivery state machine. A value back on
the right side of the threshold clears `firing`, so the next crossing posts again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import groupby
from typing import TYPE_CHECKING

from bot.base.clock import Clock
from bot.base.errors import QwenBotError
from bot.base.periods import DateRange
from bot.core.grammar.team import MAX_AMOUNT
from bot.core.usage import UsageService
from bot.qwencloud.results import Payg, Summary
from bot.render.messages import notice
from bot.render.mrkdwn import code
from bot.render.usage import money, pct
from bot.storage.delivery import Claim
from bot.storage.owner import Owner
from bot.storage.team_store import AlertRule
from bot.team.jobs import alert_kinds
from bot.team.outbox import Posted, Refused, RetryLater

if TYPE_CHECKING:
    from bot.team.model import Team

log = logging.getLogger("bot.alerts")
CHECK_EVERY = timedelta(minutes=5)
WINDOW_LABELS = {"per_5h": "5-hour window", "weekly": "weekly window", "monthly": "monthly window"}


@dataclass(frozen=True, slots=True)
class Snapshot:
    month: Summary | None  # None: only billing-fed rules (error rate, spend limit) for this account
    today: Payg | None
    billing: alert_kinds.Readings = field(default_factory=alert_kinds.Readings)


def measure(rule: AlertRule, snap: Snapshot) -> Decimal | None:
    """The rule's current value (remaining %, used %, or spend), or None when there is nothing to measure."""
    if rule.kind in alert_kinds.KINDS:
        return alert_kinds.measure(rule, snap.billing)
    if snap.month is None:
        return None
    if rule.kind == "free_tier":
        entry = next((e for e in snap.month.free_tier if e.model_id == rule.target), None)
        if entry is None or entry.quota is None:
            return None
        return Decimal(str(round(100 - entry.quota.used_pct, 2)))
    if rule.kind == "coding_plan":
        window = (
            getattr(snap.month.coding_plan, rule.target, None) if snap.month.coding_plan.subscribed else None
        )
        return None if window is None else Decimal(str(round(window.used_pct, 2)))
    if rule.kind == "payg_daily":
        return None if snap.today is None else snap.today.total_cost
    if rule.kind == "payg_monthly":
        return snap.month.payg.total_cost
    return None


def sane(rule: AlertRule) -> bool:
    """A stored threshold the views and checks can use (a rule stored before the grammar's bounds, or
    edited by hand, may hold anything)."""
    if rule.kind in alert_kinds.KINDS:
        return alert_kinds.sane(rule)
    t = rule.threshold
    return t.is_finite() and Decimal(0) <= t <= MAX_AMOUNT


def crossed(rule: AlertRule, value: Decimal) -> bool:
    if not sane(rule) or not value.is_finite():
        return False  # a bad rule never fires; describe() tells the admins to remove it
    if rule.kind in alert_kinds.KINDS:
        return alert_kinds.crossed(rule, value)
    return value < rule.threshold if rule.kind == "free_tier" else value > rule.threshold


def describe(rule: AlertRule) -> str:
    """The rule in words; a broken rule is named as such rather than breaking the view it is listed in."""
    try:
        if sane(rule):
            return _describe(rule)
    except (ArithmeticError, ValueError):
        pass
    return f"an unreadable {rule.kind} rule (remove it: `/qwen alert remove {rule.id}`)"


def _describe(rule: AlertRule) -> str:
    if rule.kind in alert_kinds.KINDS:
        return alert_kinds.describe(rule)
    if rule.kind == "free_tier":
        return f"free tier of {code(rule.target)} below {pct(float(rule.threshold))} left"
    if rule.kind == "coding_plan":
        window = WINDOW_LABELS.get(rule.target, rule.target)
        return f"coding plan {window} above {pct(float(rule.threshold))} used"
    period = "today" if rule.kind == "payg_daily" else "this month"
    return f"pay-as-you-go spend {period} above {money(rule.threshold)}"


def value_text(rule: AlertRule, value: Decimal) -> str:
    try:
        return _value_text(rule, value)
    except (ArithmeticError, ValueError):
        return str(value)[:40]


def _value_text(rule: AlertRule, value: Decimal) -> str:
    if rule.kind in alert_kinds.KINDS:
        return alert_kinds.value_text(rule, value)
    if rule.kind == "free_tier":
        return f"{pct(float(value))} left"
    if rule.kind == "coding_plan":
        return f"{pct(float(value))} used"
    return money(value)


class AlertJob:
    name = "alerts"

    def __init__(
        self,
        *,
        team: Team,
        usage: UsageService,
        clock: Clock,
        worker_id: str,
        check_every: timedelta = CHECK_EVERY,
        readings: alert_kinds.BillingReadings | None = None,  # None: error-rate/limit rules measure nothing
    ) -> None:
        self._readings = readings
        self._team = team
        self._usage = usage
        self._clock = clock
        self._worker_id = worker_id
        self._every = check_every

    def run_due(self, now: datetime) -> int:
        events = self._team.alert_events
        events.expire_unknown(now=now)
        rules = [r for r in self._team.alert_rules.active() if self._due(r, now)]
        done = 0
        for (team_id, account), group in groupby(sorted(rules, key=_key), key=_key):
            done += self._check_account(team_id, account, list(group), now)
        for row_id in events.due_ids(now=now):
            claim = events.take(row_id, worker_id=self._worker_id, now=now)
            rule = self._team.alert_rules.get(int(claim.row["rule_id"])) if claim else None
            if claim is not None and rule is not None:
                self._post(rule, claim, Decimal(claim.row["value"]), now=now)
                done += 1
        return done

    def _due(self, rule: AlertRule, now: datetime) -> bool:
        return rule.checked_at is None or now - rule.checked_at >= self._every

    def _check_account(self, team_id: str, account: str, rules: list[AlertRule], now: datetime) -> int:
        try:
            snap = self._snapshot(Owner.team_account(team_id, account), rules, now)
        except QwenBotError as exc:
            self._team.tracking.failed(team_id, account, exc, now=now)
            for rule in rules:
                self._team.alert_rules.observe(rule, value=None, now=now)
            return 0
        self._team.tracking.ok(team_id, account, now=now)
        fired = 0
        for rule in rules:
            fired += self._apply(rule, measure(rule, snap), now)
        return fired

    def _snapshot(self, owner: Owner, rules: list[AlertRule], now: datetime) -> Snapshot:
        token = self._team.builder.token(owner, now=now)
        today = now.date()
        kinds = {r.kind for r in rules}
        month = None
        if kinds - set(alert_kinds.KINDS):  # the usage summary only for the rules that read it
            month = self._usage.summary(token, DateRange(today.replace(day=1), today), fresh=True)
        daily = None
        if "payg_daily" in kinds:
            daily = self._usage.payg(token, DateRange(today, today), fresh=True)
        billing = alert_kinds.Readings()
        if self._readings is not None and kinds & set(alert_kinds.KINDS):
            billing = self._readings.read(owner, kinds, now=now)
        return Snapshot(month, daily, billing)

    def _apply(self, rule: AlertRule, value: Decimal | None, now: datetime) -> int:
        store = self._team.alert_rules
        text = None if value is None else str(value)
        if value is None or not crossed(rule, value):
            if rule.firing and value is not None:
                store.recover(rule, value=str(value), now=now)
                log.info("alert %s recovered (%s)", rule.id, value)
            else:
                store.observe(rule, value=text, now=now)
            return 0
        if rule.firing:
            store.observe(rule, value=text, now=now)
            return 0
        crossing = store.cross(rule, value=str(value), now=now)
        if crossing is None:
            return 0  # another worker saw it first
        claim = self._team.alert_events.create(
            {"rule_id": rule.id, "crossing": crossing},
            worker_id=self._worker_id,
            now=now,
            extra={"value": str(value)},
        )
        if claim is not None:
            self._post(rule, claim, value, now=now)
        return 1

    def _post(self, rule: AlertRule, claim: Claim, value: Decimal, *, now: datetime) -> None:
        events = self._team.alert_events
        client = self._team.slack.for_team(rule.team_id)
        if client is None:
            events.retry(claim, now=now, after=timedelta(minutes=10), error="no Slack token for the team")
            return
        text = (
            f":rotating_light: *Alert #{rule.id} · {rule.account}*: {describe(rule)} — now "
            f"{value_text(rule, value)}. I will post again only after it recovers and crosses again."
        )
        if not events.sending(claim, now=now, channel_id=rule.channel_id):
            return
        outcome = client.post(channel=rule.channel_id, **notice(text).payload())
        if isinstance(outcome, Posted):
            events.posted(claim, now=now, ts=outcome.ts)
        elif isinstance(outcome, RetryLater):
            events.retry(claim, now=now, after=outcome.after, error=outcome.error)
        elif isinstance(outcome, Refused) and not outcome.permanent:
            events.retry(claim, now=now, after=timedelta(minutes=5), error=outcome.error)
        else:
            events.failed(claim, now=now, error=str(getattr(outcome, "error", outcome)))


def _key(rule: AlertRule) -> tuple[str, str]:
    return rule.team_id, rule.account
