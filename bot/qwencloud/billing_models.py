"""Typed results of the call-log, billing and subscription calls (contract qwencloud-api-billing.md).

Money is Decimal. Amounts the official CLI passes through verbatim keep their digits in the Decimal
(`Decimal("4.380000")`), so `format(d, "f")` gives back the server's string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


# -- usage logs (envelope listModelLogs) -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LogUsage:
    key: str  # input | output | total | image ... (trailing _tokens / _count removed)
    value: Decimal


@dataclass(frozen=True, slots=True)
class CallLog:
    request_id: str
    model: str
    started_at: datetime | None  # from start_unix_timestamp (ms) when it is a positive number
    start_time: str  # the raw start_time, for legacy rows without a timestamp
    status_code: int
    duration_ms: Decimal
    usages: tuple[LogUsage, ...]


@dataclass(frozen=True, slots=True)
class LogPage:
    total_count: int
    max_results: int | None  # None: the server did not say (the caller uses the requested size)
    items: tuple[CallLog, ...]


# -- ListSettleBillTotalSummary ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SettledCycle:
    billing_cycle: str
    pretax: Decimal | str  # a non-numeric string from the server is kept as sent
    tax: Decimal | str
    aftertax: Decimal | str


@dataclass(frozen=True, slots=True)
class SettledBills:
    currency: str
    cycles: tuple[SettledCycle, ...]


# -- MaasDescribeCostAnalysis ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CostGroup:
    key: str
    label: str
    amount: Decimal | str


@dataclass(frozen=True, slots=True)
class CostPeriod:
    period: str
    groups: tuple[CostGroup, ...]


@dataclass(frozen=True, slots=True)
class CostAnalysis:
    totals: tuple[CostGroup, ...]  # GroupByTotal
    by_time: tuple[CostPeriod, ...]  # ResultByTime (may be empty)


# -- DescribeUsageLimit ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UsageLimit:
    status: str
    limit_amount: Decimal | str | None
    currency: str
    alert_threshold: str  # String(value) of a percentage, "0" when absent


# -- subscriptions -----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Diagnostic:
    api: str
    error_code: str
    error_message: str


@dataclass(frozen=True, slots=True)
class SeatTier:
    spec_type: str
    seats: int
    total_credits: float
    remaining_credits: float
    used_pct: int
    next_cycle_flush_time: str | None


@dataclass(frozen=True, slots=True)
class CreditPack:
    instance_id: str
    total_credits: float
    remaining_credits: float
    expires_at: str | None


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    order_type: str  # the label (Purchase, Renew, ...) or the raw value
    order_time: str
    amount: str
    status: str


@dataclass(frozen=True, slots=True)
class Quota:
    remaining: float
    total: float
    used_pct: int


@dataclass(frozen=True, slots=True)
class SubscriptionStatus:
    is_gray: bool | None
    plan: str | None
    period: tuple[str, str] | None
    quota: Quota | None
    auto_renew: bool | None
    renewable: bool | None
    remaining_days: int | None
    seat_tiers: tuple[SeatTier, ...]
    credit_packs: tuple[CreditPack, ...]
    coding_plan_status: str | None
    recent_orders: tuple[Order, ...]


@dataclass(frozen=True, slots=True)
class SeatGroupDetail:
    spec_type: str
    seats: Decimal
    assigned: Decimal
    total_value: str
    surplus_value: str
    next_cycle_flush_time: str | None


@dataclass(frozen=True, slots=True)
class SeatTotal:
    seats: Decimal
    total_value: str
    surplus_value: str


@dataclass(frozen=True, slots=True)
class AutoRenew:
    enabled: bool
    period: Decimal
    period_unit: str


@dataclass(frozen=True, slots=True)
class Renewable:
    can_renew: bool
    intercept_code: str | None


@dataclass(frozen=True, slots=True)
class TokenPlanStatus:
    period: tuple[str, str, int] | None  # start, end, remaining days
    auto_renew: AutoRenew | None
    renewable: Renewable | None
    seat_groups: tuple[SeatGroupDetail, ...] | None  # None: GetSeatSubscriptionSummary failed
    seat_total: SeatTotal | None
