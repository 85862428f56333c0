"""The two alert kinds fed by the billing calls: the last hour's error rate and the spend limit.

* `error_rate` (target "1h"): failed calls (4xx + 5xx) over all calls in the hour before the check, in
  percent; fires above the threshold. No calls in the hour measures nothing: neither a crossing nor a
  recovery (the rule keeps its state until calls are seen again).
* `spend_limit`: month-to-date spend as a percentage of the account's spend limit; fires once it is within
  `threshold` points of 100, i.e. used >= 100 - threshold. No limit set measures nothing: never fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bot.core.calls import CallsAnswers, ErrorRate
from bot.core.limit import Limits, LimitStatus
from bot.render.usage import pct
from bot.storage.owner import Owner
from bot.storage.team_store import AlertRule

KINDS = ("error_rate", "spend_limit")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ERROR_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Readings:
    limit: LimitStatus | None = None
    errors: ErrorRate | None = None


class BillingReadings:
    """Reads only what the account's rules need (one call each); errors propagate like the usage calls'
    (the job records them in the account's health and measures nothing this round)."""

    def __init__(self, *, limits: Limits, calls: CallsAnswers) -> None:
        self._limits = limits
        self._calls = calls

    def read(self, owner: Owner, kinds: set[str], *, now: datetime) -> Readings:
        limit = self._limits.status(owner, today=now.date()) if "spend_limit" in kinds else None
        errors = None
        if "error_rate" in kinds:
            errors = self._calls.error_rate(owner, start=now - ERROR_WINDOW, end=now)
        return Readings(limit, errors)


def measure(rule: AlertRule, readings: Readings) -> Decimal | None:
    """Used percent of the limit, or the hour's error rate, to 2 places (stored in 32 characters); None
    when there is nothing to measure."""
    if rule.kind == "spend_limit":
        value = None if readings.limit is None else readings.limit.used_pct
    else:
        errors = readings.errors
        value = None if errors is None or not errors.calls else errors.rate_pct
    return None if value is None or not value.is_finite() else value.quantize(CENT)


def sane(rule: AlertRule) -> bool:
    """Both are percentages below 100 (the grammar's bounds); a row edited by hand may hold anything."""
    t = rule.threshold
    return t.is_finite() and Decimal(0) <= t < HUNDRED


def crossed(rule: AlertRule, value: Decimal) -> bool:
    if rule.kind == "spend_limit":
        return value >= HUNDRED - rule.threshold
    return value > rule.threshold


def describe(rule: AlertRule) -> str:
    if rule.kind == "spend_limit":
        return (
            f"spend within {pct(float(rule.threshold))} of the spend limit "
            f"(at {pct(float(HUNDRED - rule.threshold))} used)"
        )
    return f"error rate over the last hour above {pct(float(rule.threshold))}"


def value_text(rule: AlertRule, value: Decimal) -> str:
    if rule.kind == "spend_limit":
        return f"{pct(float(value))} used"
    return f"{pct(float(value))} of calls failed"
