"""JSON -> typed results for the data gateway actions (contract §5), mirroring the official CLI's readers."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.qwencloud.models import (
    CodingPlanInstance,
    CodingPlanWindowQuota,
    ConsumeItem,
    FreeTierQuota,
    FrInstance,
    ModelSeriesItem,
    SeatGroup,
    SeatSummary,
)
from bot.qwencloud.values import as_decimal, as_dict, as_instant, as_list, as_str

ZERO = Decimal(0)
SKIPPED_CATEGORIES = frozenset({"Rounding Adjustment", "Refund", "Credit Adjustment"})
FREE_TIER_STATUSES = frozenset({"valid", "exhaust", "expire"})
_SHOW_UNITS = {
    "Tokens": "tokens",
    "Token": "tokens",
    "Thousand Tokens": "tokens",
    "Million Tokens": "tokens",
    "Images": "images",
    "Image": "images",
    "Pieces": "images",
    "Piece": "images",
    "Seconds": "seconds",
    "Second": "seconds",
    "Characters": "characters",
    "Character": "characters",
    "Thousand Characters": "characters",
    "10K Characters": "characters",
    "Word": "characters",
    "Words": "characters",
    "Tenthousand Word": "characters",
    "Tenthousand Words": "characters",
    "tenthousand word": "characters",
    "tenthousand words": "characters",
    "10K Words": "characters",
    "10K Word": "characters",
}
_MULTIPLIER = re.compile(r"(?:^|Per\s+)([\d,]+)\s*([KMkm])?")
_PER_UNIT = re.compile(r"^Per\s+\S+\s+(.+)$", re.IGNORECASE)


def _number(value: Any) -> Decimal:
    """parseFloat-like: a number or numeric string, else 0."""
    return as_decimal(value) or ZERO


def consume_item(row: dict[str, Any]) -> ConsumeItem | None:
    category = as_str(row.get("LineItemCategory")) or ""
    if category in SKIPPED_CATEGORIES:
        return None
    unit_text = as_str(row.get("StepQuantityUnit")) or ""
    return ConsumeItem(
        billing_date=as_str(row.get("BillingDate")) or "",
        billing_month=as_str(row.get("BillingMonth")) or "",
        model_id=_model_id(row),
        quantity=_quantity(_number(row.get("BillQuantity")), unit_text),
        unit=_unit(unit_text, as_str(row.get("BillingItemCode")) or ""),
        cost=_number(_first_present(row, ("RequireAmount", "Amount", "Cost", "ListPrice"))),
        category=category,
        is_free="free" in category.lower(),
    )


def _model_id(row: dict[str, Any]) -> str:
    # `??` keeps an empty ModelName as "" (the payg aggregation then skips the row), only null falls back.
    found = _first_str(row, ("ModelName", "Model", "JobId", "MaasTypeName"))
    return "Other" if found is None else found


def _first_present(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    # JS `??`: the first value that is neither null nor missing (empty strings count as present).
    for key in keys:
        if row.get(key) is not None:
            return row[key]
    return None


def _first_str(row: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    return as_str(_first_present(row, keys))


def _quantity(quantity: Decimal, unit: str) -> Decimal:
    if quantity == 0:
        return ZERO
    if "tenthousand" in unit.lower() or "万字" in unit:
        return quantity * 10000
    match = _MULTIPLIER.search(unit)
    if not match:
        return quantity
    factor = Decimal(int(match.group(1).replace(",", "") or "0"))
    suffix = (match.group(2) or "").upper()
    factor *= 1000 if suffix == "K" else 1_000_000 if suffix == "M" else 1
    return quantity if factor == 1 else quantity * factor


def _unit(step_unit: str, item_code: str) -> str:
    code = item_code.lower()
    if code:
        for needles, unit in (
            (("image",), "images"),
            (("video", "duration"), "seconds"),
            (("char",), "characters"),
            (("voice",), "voices"),
            (("token",), "tokens"),
        ):
            if any(n in code for n in needles):
                return unit
    low = step_unit.lower()
    if low:
        for needles, unit in (
            (("token",), "tokens"),
            (("image", "page"), "images"),
            (("second", "sec"), "seconds"),
            (("char", "word"), "characters"),
            (("voice",), "voices"),
        ):
            if any(n in low for n in needles):
                return unit
    match = _PER_UNIT.match(step_unit)
    return match.group(1).lower() if match else "tokens"


def free_tier_quota(item: dict[str, Any]) -> FreeTierQuota | None:
    status = as_str(item.get("Status"))
    code = as_str(as_dict(item.get("Template")).get("Code"))
    init, curr = item.get("InitCapacity"), item.get("CurrCapacity")
    if (
        status not in FREE_TIER_STATUSES
        or not code
        or not isinstance(init, dict)
        or not isinstance(curr, dict)
    ):
        return None
    total, remaining = _number(init.get("BaseValue")), _number(curr.get("BaseValue"))
    # Binary floating point on purpose: the official CLI computes this in JS numbers and we match its digits.
    t, n = float(total), float(remaining)
    used_pct = math.floor((t - n) / t * 1e4) / 100 if t > 0 else 0.0
    show = as_str(init.get("ShowUnit")) or ""
    return FreeTierQuota(
        template_code=code,
        remaining=remaining,
        total=total,
        unit=_show_unit(show),
        used_pct=float(used_pct),
        status=status,
        reset_date=as_instant(item.get("CurrentCycleEndTime")),
    )


def _show_unit(show: str) -> str:
    if show in _SHOW_UNITS or show.lower() in _SHOW_UNITS:
        return _SHOW_UNITS.get(show) or _SHOW_UNITS[show.lower()]
    low = show.lower()
    for needles, unit in (
        (("token",), "tokens"),
        (("image", "piece", "page"), "images"),
        (("voice",), "voices"),
        (("second", "sec"), "seconds"),
        (("char", "word"), "characters"),
    ):
        if any(n in low for n in needles):
            return unit
    return low


def coding_plan_instances(payload: Any) -> list[dict[str, Any]]:
    """codingPlanInstanceInfos from the real single-wrapped payload or the double-wrapped one of 1.4.1."""
    root = as_dict(payload)
    if "codingPlanInstanceInfos" in root:
        return [i for i in as_list(root["codingPlanInstanceInfos"]) if isinstance(i, dict)]
    inner = as_dict(as_dict(as_dict(root.get("DataV2")).get("data")).get("data"))
    return [i for i in as_list(inner.get("codingPlanInstanceInfos")) if isinstance(i, dict)]


def coding_plan_instance(info: dict[str, Any]) -> CodingPlanInstance:
    quota = as_dict(info.get("codingPlanQuotaInfo"))

    def window(prefix: str) -> CodingPlanWindowQuota:
        return CodingPlanWindowQuota(
            total=_number(quota.get(f"{prefix}TotalQuota")),
            used=_number(quota.get(f"{prefix}UsedQuota")),
            next_refresh=as_instant(quota.get(f"{prefix}QuotaNextRefreshTime")),
        )

    return CodingPlanInstance(
        status=as_str(info.get("status")) or "",
        instance_type=as_str(info.get("instanceType")) or "unknown",
        per_5h=window("per5Hour"),
        weekly=window("perWeek"),
        monthly=window("perBillMonth"),
    )


def fr_instance(item: dict[str, Any]) -> FrInstance:
    status = item.get("Status")
    code = as_dict(status).get("Code") if isinstance(status, dict) else status
    return FrInstance(
        status=as_str(code),
        template_name=_first_str(item, ("TemplateName", "CommodityName")),
        init_capacity=_number(item.get("InitCapacityBaseValue")),
        curr_capacity=_number(item.get("CurrCapacityBaseValue")),
        period_capacity=_number(item.get("periodCapacityBaseValue")),
        capacity_type=as_str(item.get("CapacityTypeCode")) or "",
        end_time=as_instant(item.get("EndTime")),
    )


def seat_summary(payload: Any) -> SeatSummary:
    root = as_dict(payload)
    data = as_dict(root["Data"]) if root.get("Data") is not None else root
    groups = []
    for group in as_list(data.get("SubscriptionGroupList")):
        g = as_dict(group)
        equity = as_list(g.get("EquityList"))
        first = as_dict(equity[0]) if equity else {}
        total = first.get("TotalValue") if first.get("TotalValue") is not None else g.get("TotalValue")
        surplus = (
            first.get("SurplusValue") if first.get("SurplusValue") is not None else g.get("SurplusValue")
        )
        groups.append(SeatGroup(total_value=as_decimal(total), surplus_value=as_decimal(surplus)))
    end = data.get("EndTime")
    end_text: str | None = None
    if isinstance(end, int | float) and not isinstance(end, bool) and end > 0:
        instant = as_instant(end)
        end_text = iso_ms(instant) if instant else None
    elif isinstance(end, str) and end:
        end_text = end
    return SeatSummary(plan_name=as_str(data.get("PlanName")), groups=tuple(groups), end_time=end_text)


def model_series(payload: Any) -> list[ModelSeriesItem]:
    items: list[ModelSeriesItem] = []
    for series in as_list(as_dict(payload).get("Data")):
        for raw in as_list(as_dict(series).get("Items")):
            item = as_dict(raw)
            meta = as_dict(item.get("InferenceMetadata"))
            prices = [as_dict(p) for p in as_list(item.get("Prices")) if as_dict(p).get("Type") is not None]
            multi = [
                as_str(as_dict(p).get("Type"))
                for m in as_list(item.get("MultiPrices"))
                for p in as_list(as_dict(m).get("Prices"))
            ]
            items.append(
                ModelSeriesItem(
                    model=as_str(item.get("Model")) or "",
                    request_modality=tuple(str(m) for m in as_list(meta.get("RequestModality"))),
                    response_modality=tuple(str(m) for m in as_list(meta.get("ResponseModality"))),
                    price_types=tuple(str(p["Type"]) for p in prices),
                    prices_all_zero=bool(prices) and all(_number(p.get("Price")) == 0 for p in prices),
                    multi_price_types=tuple(t for t in multi if t),
                )
            )
    return items


def iso_ms(value: datetime) -> str:
    """JS Date.prototype.toISOString: UTC with milliseconds and a Z."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
