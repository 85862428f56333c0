"""Pure aggregation of client results into service results, mirroring the official CLI 1.4.1 arithmetic."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, Decimal

from bot.qwencloud.models import (
    CodingPlanInstance,
    CodingPlanWindowQuota,
    ConsumeItem,
    FreeTierQuota,
    FrInstance,
    SeatSummary,
)
from bot.qwencloud.parse_data import iso_ms
from bot.qwencloud.results import CodingPlan, CodingWindow, FreeTierEntry, Payg, PaygModel, TokenPlan

ZERO = Decimal(0)
PLAN_PRICES = {"pro": Decimal(50), "starter": Decimal(10)}


def js_round(value: Decimal) -> int:
    """JS Math.round: halves go towards +infinity (Python's round() would go to even)."""
    return int((value + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR))


def round4(value: Decimal) -> Decimal:
    """Math.round(x*1e4)/1e4, exact in decimal."""
    return Decimal(js_round(value * 10000)) / 10000


def payg(items: Iterable[ConsumeItem]) -> Payg:
    """Per-model usage and cost in first-appearance order; the total is the rounded sum of unrounded costs."""
    usage: dict[str, dict[str, Decimal]] = {}
    costs: dict[str, Decimal] = {}
    total = ZERO
    for item in items:
        if item.is_free or not item.model_id:
            continue
        units = usage.setdefault(item.model_id, {})
        units[item.unit] = units.get(item.unit, ZERO) + item.quantity
        costs[item.model_id] = costs.get(item.model_id, ZERO) + item.cost
        total += item.cost
    models = tuple(
        PaygModel(
            model_id=model,
            usage=tuple((unit, js_round(q)) for unit, q in units.items()),
            cost=round4(costs[model]),
        )
        for model, units in usage.items()
    )
    return Payg(models=models, total_cost=round4(total))


def free_tier(model_map: dict[str, str], quotas: dict[str, FreeTierQuota]) -> tuple[FreeTierEntry, ...]:
    """Entries grouped by template, templates in the map's first-appearance order."""
    by_template: dict[str, list[str]] = {}
    for model, template in model_map.items():
        by_template.setdefault(template, []).append(model)
    return tuple(
        FreeTierEntry(model_id=model, quota=quotas.get(template))
        for template, models in by_template.items()
        for model in models
    )


def _window(quota: CodingPlanWindowQuota) -> CodingWindow:
    total, used = quota.total, quota.used
    # Binary floating point on purpose: the JSON shows the CLI's unrounded digits (e.g. 27.43333333333333).
    pct = float(used) / float(total) * 100 if total > 0 else 0
    return CodingWindow(remaining=total - used, total=total, used_pct=pct, next_reset_at=quota.next_refresh)


def coding_plan(instance: CodingPlanInstance | None) -> CodingPlan:
    if instance is None or instance.status != "VALID":
        return CodingPlan(subscribed=False)
    return CodingPlan(
        subscribed=True,
        plan=instance.instance_type,
        per_5h=_window(instance.per_5h),
        weekly=_window(instance.weekly),
        monthly=_window(instance.monthly),
        price=PLAN_PRICES.get(instance.instance_type),
    )


def _valid_sum(instances: Sequence[FrInstance]) -> Decimal:
    return sum((i.curr_capacity for i in instances if i.status == "valid"), ZERO)


def token_plan_legacy(
    teams: Sequence[FrInstance], personal: Sequence[FrInstance], addon: Sequence[FrInstance]
) -> TokenPlan:
    candidates = [*teams, *personal]
    chosen = next((i for i in candidates if i.status == "valid"), candidates[0] if candidates else None)
    addon_total = _valid_sum(addon)
    if chosen is None:
        return TokenPlan(subscribed=False, addon_remaining=addon_total if addon_total > 0 else None)
    init = chosen.init_capacity
    shifting = chosen.capacity_type == "periodMonthlyShift"
    current = (chosen.period_capacity or chosen.curr_capacity) if shifting else chosen.curr_capacity
    pct = (float(init) - float(current)) / float(init) * 100 if init > 0 else 0.0
    return TokenPlan(
        subscribed=chosen.status == "valid",
        detailed=True,
        plan_name=chosen.template_name,
        status=chosen.status,
        total_credits=init,
        remaining_credits=current,
        used_pct=pct,
        reset_date=iso_ms(chosen.end_time) if chosen.end_time else None,
        addon_remaining=addon_total if addon_total > 0 else None,
    )


def token_plan_seat(summary: SeatSummary, addon: Sequence[FrInstance]) -> TokenPlan:
    total = sum((g.total_value or ZERO for g in summary.groups), ZERO)
    surplus = sum((g.surplus_value or ZERO for g in summary.groups), ZERO)
    subscribed = bool(summary.groups) and total > 0
    pct = (
        float(js_round(Decimal(repr((float(total) - float(surplus)) / float(total) * 100))))
        if total > 0
        else 0.0
    )
    addon_total = _valid_sum(addon)
    return TokenPlan(
        subscribed=subscribed,
        detailed=True,
        plan_name=summary.plan_name or "Token Plan",
        status="valid" if subscribed else None,
        total_credits=total,
        remaining_credits=surplus,
        used_pct=pct,
        reset_date=summary.end_time,
        addon_remaining=addon_total if addon_total > 0 else None,
    )


def suggest(name: str, candidates: Sequence[str]) -> str | None:
    """The closest model id by edit distance, if within max(2, len/2) (the CLI's 'Did you mean')."""
    if not name or not candidates:
        return None
    low = name.lower()
    best = min(candidates, key=lambda c: _distance(low, c.lower()))  # min() keeps the first of equals
    return best if _distance(low, best.lower()) <= max(2, len(name) // 2) else None


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(
                previous[j - 1] if ca == cb else 1 + min(previous[j], current[j - 1], previous[j - 1])
            )
        previous = current
    return previous[-1]
