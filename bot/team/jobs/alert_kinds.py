"""The two alert kinds fed by the billing calls: the last hour's error rate and the spend limit.

* `error_rate` (target "1h"): failed calls (4xx + 5xx) over all calls in the hour before the check, in
  percent; fires above the threshold. No calls in the hour measures nothing: neither a crossing nor a
  recovery (the rule keeps its state until calls are seen again).
* `spend_limit`: month-to-date spend as a percentage of the account's spend limit; fires once it is within
  `threshold` points of 100, i.e. used >= 100 - threshold. No limit set measures nothing: never fires.
"""

from __future__ import annotations

from decimal import Decimal

from bot.render.usage import pct
from bot.storage.team_store import AlertRule

KINDS = ("error_rate", "spend_limit")
HUNDRED = Decimal(100)


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
