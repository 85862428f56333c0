"""JSON -> typed results for call logs, settled bills, cost analysis and the usage limit, mirroring the
official CLI 1.4.1's readers (qwencloud-api-billing.md §1.4, §2.3, §3.4, §4)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.qwencloud.billing_models import (
    CallLog,
    CostAnalysis,
    CostGroup,
    CostPeriod,
    LogPage,
    LogUsage,
    SettledBills,
    SettledCycle,
    UsageLimit,
)
from bot.qwencloud.values import as_dict, as_list

_USAGE_SUFFIX = re.compile(r"_(tokens|count)$")


def js_number(value: Any) -> Decimal | None:
    """Number(value) for a JSON value: None when NaN (booleans count as 0/1, "" and null as 0)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return Decimal(0)
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def amount(value: Any) -> Decimal | str:
    """The CLI's amount normaliser: missing -> "0"; a number -> String(n); a string -> trimmed."""
    if isinstance(value, bool) or value is None:
        return Decimal(0)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else Decimal(0)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return Decimal(0)
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        return number if number.is_finite() and "e" not in text.lower() else text
    return Decimal(0)


def _first(row: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if row.get(key) is not None:
            return row[key]
    return None


# -- call logs ----------------------------------------------------------------------------------------------
def log_page(payload: Any) -> LogPage:
    data = as_dict(payload)
    total = js_number(data.get("totalCount"))
    size = js_number(data.get("maxResults")) if data.get("maxResults") is not None else None
    items = tuple(call_log(as_dict(item)) for item in as_list(data.get("list")))
    return LogPage(
        total_count=int(total) if total is not None else 0,
        max_results=int(size) if size is not None else None,
        items=items,
    )


def call_log(item: dict[str, Any]) -> CallLog:
    origin = as_dict(item.get("originLog"))
    stamp = js_number(origin.get("start_unix_timestamp"))
    started = (
        datetime.fromtimestamp(float(stamp) / 1000, UTC)
        if stamp is not None and stamp > 0 and origin.get("start_unix_timestamp") is not None
        else None
    )
    status = js_number(origin.get("status_code"))
    duration = js_number(origin.get("duration"))
    return CallLog(
        request_id=_text(origin.get("request_id")),
        model=_text(origin.get("model")),
        started_at=started,
        start_time=_text(origin.get("start_time")),
        status_code=int(status) if status is not None else 0,
        duration_ms=duration if duration is not None else Decimal(0),
        usages=tuple(_usages(item.get("formattedUsages"))),
    )


def _usages(raw: Any) -> list[LogUsage]:
    out: list[LogUsage] = []
    for entry in as_list(raw):
        usage = as_dict(entry)
        value = usage.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            continue
        if isinstance(value, str) and not value.strip():
            continue
        number = js_number(value)
        if number is None or number <= 0:
            continue
        out.append(LogUsage(key=_USAGE_SUFFIX.sub("", _text(usage.get("key"))), value=number))
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


# -- settled bills ------------------------------------------------------------------------------------------
def settled_bills(payload: Any) -> SettledBills:
    data = as_dict(payload)
    rows = [as_dict(r) for r in as_list(data.get("Data"))]
    currency = data.get("Currency")
    if not (isinstance(currency, str) and currency):
        currency = rows[0].get("Currency") if rows else None
    cycles = tuple(
        SettledCycle(
            billing_cycle=_text(row.get("BillingCycle")),
            pretax=amount(_first(row, "TotalPriceSettleFee", "PretaxAmount")),
            tax=amount(_first(row, "TotalPriceTaxFee", "Tax")),
            aftertax=amount(_first(row, "TotalPricePostTaxFee", "AftertaxAmount")),
        )
        for row in rows
    )
    return SettledBills(currency=currency if isinstance(currency, str) and currency else "USD", cycles=cycles)


# -- cost analysis ------------------------------------------------------------------------------------------
def cost_group(row: dict[str, Any]) -> CostGroup:
    key = row.get("Key")
    name = row.get("Name")
    key_text = _text(key) if key is not None else ""
    label = _text(name) if name is not None else key_text
    return CostGroup(key=key_text, label=label, amount=amount(row.get("Amount")))


def cost_analysis(payload: Any) -> CostAnalysis:
    data = as_dict(payload)
    totals = tuple(cost_group(as_dict(r)) for r in as_list(data.get("GroupByTotal")))
    by_time = tuple(
        CostPeriod(
            period=_text(as_dict(p).get("Period")),
            groups=tuple(cost_group(as_dict(r)) for r in as_list(as_dict(p).get("PeriodDetails"))),
        )
        for p in as_list(data.get("ResultByTime"))
    )
    return CostAnalysis(totals=totals, by_time=by_time)


# -- usage limit --------------------------------------------------------------------------------------------
def usage_limit(payload: Any) -> UsageLimit:
    data = as_dict(payload)
    status = data.get("Status")
    raw_limit = data.get("LimitAmount")
    limit: Decimal | str | None
    if raw_limit is None or (isinstance(raw_limit, str) and not raw_limit.strip()):
        limit = None
    elif isinstance(raw_limit, int | float | str) and not isinstance(raw_limit, bool):
        limit = amount(raw_limit)
    else:
        limit = None
    threshold = data.get("AlertThreshold")
    if threshold is None or threshold == "":
        threshold_text = "0"
    elif isinstance(threshold, bool):
        threshold_text = "true" if threshold else "false"
    elif isinstance(threshold, float):
        threshold_text = _js_float(threshold)
    else:
        threshold_text = str(threshold)
    currency = data.get("Currency")
    return UsageLimit(
        status=_text(status) if status is not None else "unknown",
        limit_amount=limit,
        currency=currency if isinstance(currency, str) and currency else "USD",
        alert_threshold=threshold_text,
    )


def _js_float(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
