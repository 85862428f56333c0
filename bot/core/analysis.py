"""Pure analysis of usage results: structured findings that render/slack.py turns into words.

* free tier: burn rate at this period's pace and the projected exhaustion date (an estimate: QwenCloud does
  not say when a quota started, so the used amount is spread over the days of the period so far);
* coding plan: windows at or above 80% used;
* pay-as-you-go: change against the previous equal period, the top model's share, the month-end projection.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from bot.base.periods import DateRange
from bot.qwencloud.results import CodingPlan, FreeTierEntry, Payg, Summary

NEAR_LIMIT_PCT = 80.0
FREE_TIER_LOW_PCT = 20.0
WindowName = Literal["per_5h", "weekly", "monthly"]


@dataclass(frozen=True, slots=True)
class FreeTierBurn:
    model_id: str
    remaining: Decimal
    total: Decimal
    unit: str
    remaining_pct: float
    per_day: Decimal | None  # None: nothing used yet
    exhausted_on: date | None  # None: not at this pace before it resets, or nothing used
    resets_on: date | None
    exhausted: bool = False


@dataclass(frozen=True, slots=True)
class CodingWindowNearLimit:
    window: WindowName
    used_pct: float
    remaining: Decimal
    total: Decimal
    next_reset_at: datetime | None


@dataclass(frozen=True, slots=True)
class PaygChange:
    current: Decimal
    previous: Decimal
    change_pct: float | None  # None when the previous period cost nothing
    previous_period: DateRange


@dataclass(frozen=True, slots=True)
class TopModel:
    model_id: str
    cost: Decimal
    share_pct: float
    models: int


@dataclass(frozen=True, slots=True)
class MonthEndProjection:
    spent: Decimal
    projected: Decimal
    month_end: date


@dataclass(frozen=True, slots=True)
class NoUsage:
    period: DateRange


Finding = FreeTierBurn | CodingWindowNearLimit | PaygChange | TopModel | MonthEndProjection | NoUsage


def previous_period(rng: DateRange) -> DateRange:
    """The equal period before: whole months -> the same number of whole months before (a quarter -> the
    previous quarter); a month so far -> the previous month to the same day; else shifted by n days."""
    start, end = rng.start, rng.end
    month_end = end.day == calendar.monthrange(end.year, end.month)[1]
    if start.day == 1 and month_end:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        prev_end = start - timedelta(days=1)
        index = prev_end.year * 12 + prev_end.month - months  # zero-based month count of the first month
        return DateRange(date(index // 12, index % 12 + 1, 1), prev_end)
    if start.day == 1 and (start.year, start.month) == (end.year, end.month):
        prev_start = (start - timedelta(days=1)).replace(day=1)
        last = calendar.monthrange(prev_start.year, prev_start.month)[1]
        return DateRange(prev_start, prev_start.replace(day=min(end.day, last)))
    days = (end - start).days + 1
    return DateRange(start - timedelta(days=days), start - timedelta(days=1))


def analyse_summary(summary: Summary, *, today: date, previous: Payg | None = None) -> list[Finding]:
    findings: list[Finding] = []
    findings += free_tier_findings(summary, today=today)
    findings += coding_plan_findings(summary.coding_plan)
    findings += payg_findings(summary.payg, summary.period, today=today, previous=previous)
    return findings


def free_tier_findings(summary: Summary, *, today: date) -> list[Finding]:
    """Used-up quotas always; burn rates only for a period running through today, and only when worth
    saying (it runs out before it resets, or less than 20% is left)."""
    current = summary.period.start <= today <= summary.period.end
    elapsed = max(1, (today - summary.period.start).days + 1)
    out: list[FreeTierBurn] = []
    for entry in summary.free_tier:
        finding = _burn(entry, today=today, elapsed=elapsed if current else None)
        if finding is not None:
            out.append(finding)
    out.sort(key=lambda f: (not f.exhausted, f.remaining_pct, f.model_id))
    return list(out)


def _burn(entry: FreeTierEntry, *, today: date, elapsed: int | None) -> FreeTierBurn | None:
    quota = entry.quota
    if quota is None or quota.total <= 0:
        return None
    resets = quota.reset_date.date() if quota.reset_date else None
    if quota.remaining <= 0 or quota.status == "exhaust":
        zero = Decimal(0)
        return FreeTierBurn(
            entry.model_id, zero, quota.total, quota.unit, 0.0, None, None, resets, exhausted=True
        )
    used = quota.total - quota.remaining
    if elapsed is None or used <= 0 or quota.status == "expire":
        return None
    per_day = used / elapsed
    days_left = int((quota.remaining / per_day).to_integral_value(rounding=ROUND_HALF_UP))
    when: date | None = today + timedelta(days=days_left)
    if resets is not None and when is not None and when > resets:
        when = None
    remaining_pct = 100.0 - quota.used_pct
    if when is None and remaining_pct >= FREE_TIER_LOW_PCT:
        return None
    return FreeTierBurn(
        entry.model_id, quota.remaining, quota.total, quota.unit, remaining_pct, per_day, when, resets
    )


def coding_plan_findings(plan: CodingPlan) -> list[Finding]:
    if not plan.subscribed:
        return []
    out: list[Finding] = []
    for name in ("per_5h", "weekly", "monthly"):
        window = getattr(plan, name)
        if window is not None and window.used_pct >= NEAR_LIMIT_PCT:
            out.append(
                CodingWindowNearLimit(
                    name, window.used_pct, window.remaining, window.total, window.next_reset_at
                )
            )
    return out


def payg_findings(payg: Payg, period: DateRange, *, today: date, previous: Payg | None) -> list[Finding]:
    out: list[Finding] = []
    if previous is not None:
        change = None
        if previous.total_cost > 0:
            change = float((payg.total_cost - previous.total_cost) / previous.total_cost * 100)
        if payg.total_cost > 0 or previous.total_cost > 0:
            out.append(PaygChange(payg.total_cost, previous.total_cost, change, previous_period(period)))
    paying = [m for m in payg.models if m.cost > 0]
    if not paying and payg.total_cost <= 0:
        out.insert(0, NoUsage(period))
        return out
    if paying and payg.total_cost > 0:
        top = max(paying, key=lambda m: m.cost)
        out.append(TopModel(top.model_id, top.cost, float(top.cost / payg.total_cost * 100), len(paying)))
    projection = month_end_projection(payg.total_cost, period, today=today)
    if projection is not None:
        out.append(projection)
    return out


def month_end_projection(spent: Decimal, period: DateRange, *, today: date) -> MonthEndProjection | None:
    """Only for the current month so far (1st .. today) with spend, and before its last day."""
    start = period.start
    if start.day != 1 or (start.year, start.month) != (today.year, today.month) or period.end != today:
        return None
    days_in_month = calendar.monthrange(today.year, today.month)[1]
    if spent <= 0 or today.day >= days_in_month:
        return None
    projected = (spent / today.day * days_in_month).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return MonthEndProjection(spent, projected, today.replace(day=days_in_month))
